//! Trail events as the Tail pane shows them: what the tail delivers (its
//! parser's `TrailEvent`s with their detections, and the messages that are
//! not records), reduced to the row, the detections, the record the detail
//! view draws, and what the event changed (`tail::posture::rechecks`). Every
//! field was sanitised by the parser; the pretty record too.

use crate::model::finding::Severity;
use crate::model::logs::LogEvent;
use crate::model::text::safe;
use crate::model::trail::{RecordOrigin, TrailEvent, UnparsedRecord, pretty_for_reading};
use crate::tail::parse::{Parsed, parse_message};
use crate::tail::posture::{Recheck, rechecks};

/// A detection on an event (id from the agreed list, and its severity).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detection {
    pub id: String,
    pub severity: Severity,
    pub summary: String,
}

/// One event row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TailRow {
    pub id: String,
    pub group: String,
    pub time_ms: i64,
    /// Who, in a few words (the parser's actor column).
    pub actor: String,
    /// The principal's ARN (a role session's role), for jumping to it.
    pub principal_arn: Option<String>,
    pub event: String,
    pub source: String,
    /// The bucket the call was about, when it names one.
    pub bucket: Option<String>,
    /// What the call acted on.
    pub target: Option<String>,
    /// The error code, when the call failed.
    pub error: Option<String>,
    pub success: bool,
    pub source_ip: String,
    /// The most severe detection; the others are in `more_detections`.
    pub detection: Option<Detection>,
    pub more_detections: Vec<Detection>,
    /// vigil's own call (its detections are suppressed).
    pub by_vigil: bool,
    /// The whole record as it arrived (sanitised; secrets masked), printed
    /// for reading only when the detail view draws it: 50,000 rows kept
    /// pretty-printed would hold the record twice over (README, Benchmarks).
    pub record: RecordText,
    /// What the event changed, to be re-read.
    pub rechecks: Vec<Recheck>,
}

/// A row's record: the parser's compact JSON, or a message that is not a
/// record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordText {
    Json(String),
    Text(String),
}

impl TailRow {
    /// The record, a line each, for the detail view.
    pub fn pretty(&self) -> Vec<String> {
        match &self.record {
            RecordText::Json(raw) => pretty_for_reading(raw)
                .lines()
                .map(str::to_string)
                .collect(),
            RecordText::Text(raw) => raw.lines().map(safe).collect(),
        }
    }

    /// `ok` or the error code.
    pub fn result(&self) -> &str {
        match (&self.error, self.success) {
            (_, true) => "ok",
            (Some(e), false) => e,
            (None, false) => "failed",
        }
    }

    /// What the row's target column shows.
    pub fn target(&self) -> &str {
        self.target
            .as_deref()
            .or(self.bucket.as_deref())
            .unwrap_or("")
    }
}

/// The row of one parsed event.
pub fn from_event(e: &TrailEvent) -> TailRow {
    let mut detections = e.alerts.iter().map(|a| Detection {
        id: a.id.clone(),
        severity: a.severity,
        summary: a.detail.clone(),
    });
    let log_id = e.origin.log_event_id.as_deref().unwrap_or("");
    TailRow {
        // A log event may hold several records: CloudTrail's id tells them apart.
        id: format!("{log_id}/{}", e.event_id),
        group: e.origin.log_group.clone().unwrap_or_default(),
        time_ms: e.event_time_ms,
        actor: e.actor.clone(),
        principal_arn: e
            .principal
            .session_issuer_arn
            .clone()
            .or_else(|| e.principal.arn.clone()),
        event: e.event_name.clone(),
        source: e.event_source.clone(),
        bucket: e.bucket.clone(),
        target: e.target.clone(),
        error: e.error_code.clone(),
        success: e.success,
        source_ip: e.source_ip.clone().unwrap_or_default(),
        detection: detections.next(),
        more_detections: detections.collect(),
        by_vigil: e.by_vigil,
        record: RecordText::Json(e.raw.clone()),
        rechecks: rechecks(e),
    }
}

/// The row of a log message that is not a CloudTrail record.
pub fn from_unparsed(u: &UnparsedRecord) -> TailRow {
    TailRow {
        id: format!("{}/-", u.origin.log_event_id.as_deref().unwrap_or("")),
        group: u.origin.log_group.clone().unwrap_or_default(),
        time_ms: u.origin.log_timestamp_ms.unwrap_or(0),
        actor: String::new(),
        principal_arn: None,
        event: "(not a CloudTrail record)".into(),
        source: String::new(),
        bucket: None,
        target: None,
        error: Some(u.reason.clone()),
        success: false,
        source_ip: String::new(),
        detection: None,
        more_detections: Vec::new(),
        by_vigil: false,
        record: RecordText::Text(u.raw.clone()),
        rechecks: Vec::new(),
    }
}

/// The rows of one log event, parsed here (for tests and tools that hold
/// raw events; the console gets parsed events from the tail).
pub fn rows(group: &str, ev: &LogEvent) -> Vec<TailRow> {
    let origin = RecordOrigin {
        log_group: Some(safe(group)),
        log_stream: Some(safe(&ev.log_stream)),
        log_event_id: Some(safe(&ev.event_id)),
        log_timestamp_ms: Some(ev.timestamp),
        position: None,
    };
    parse_message(&ev.message, &origin)
        .iter()
        .map(|p| match p {
            Parsed::Event(e) => from_event(e),
            Parsed::Unparsed(u) => from_unparsed(u),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(message: &str) -> LogEvent {
        LogEvent {
            event_id: "e1".into(),
            log_stream: "s".into(),
            timestamp: 1000,
            message: message.into(),
        }
    }

    const RECORD: &str = r#"{"eventVersion":"1.08","eventTime":"2026-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"PutBucketPolicy","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a\u202eb"},"requestParameters":{"bucketName":"b1","policy":"{}"},"sourceIPAddress":"1.2.3.4","userAgent":"x\u001b]52;c;AAAA\u0007"}"#;

    #[test]
    fn rows_carry_the_parsers_fields_sanitised() {
        let r = &rows("g", &ev(RECORD))[0];
        assert_eq!(r.event, "PutBucketPolicy");
        assert_eq!(r.bucket.as_deref(), Some("b1"));
        assert_eq!(r.result(), "ok");
        assert!(r.actor.contains("\\u{202e}"), "{}", r.actor);
        for line in r.pretty().iter().chain([&r.actor]) {
            assert!(
                !line.chars().any(|c| c.is_control() || c == '\u{202e}'),
                "{line:?}"
            );
        }
    }

    #[test]
    fn a_detection_comes_with_its_severity_and_the_change_with_a_recheck() {
        let r = &rows("g", &ev(RECORD))[0];
        let d = r.detection.as_ref().expect("bucket-policy-change fires");
        assert_eq!(d.id, "bucket-policy-change");
        assert_eq!(r.rechecks, vec![Recheck::Bucket("b1".into())]);
    }

    #[test]
    fn a_non_record_still_shows_with_its_reason() {
        let r = &rows("g", &ev("plain text line"))[0];
        assert_eq!(r.pretty(), vec!["plain text line"]);
        assert_eq!(r.event, "(not a CloudTrail record)");
        assert!(r.result().starts_with("not JSON"));
    }

    #[test]
    fn failed_calls_carry_their_error_and_change_nothing() {
        let r = &rows(
            "g",
            &ev(
                r#"{"eventVersion":"1.08","eventTime":"2026-01-01T00:00:00Z","eventName":"PutBucketPolicy","eventSource":"s3.amazonaws.com","errorCode":"AccessDenied","requestParameters":{"bucketName":"b1"}}"#,
            ),
        )[0];
        assert_eq!(r.result(), "AccessDenied");
        assert!(r.rechecks.is_empty(), "a failed call changed nothing");
    }
}
