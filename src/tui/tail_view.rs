//! Trail events as the Tail pane shows them.
//!
//! The seam for the tail branch (CloudTrail parser, detections, follower,
//! ring buffer): until it lands, rows come from raw CloudWatch Logs events
//! (`Cloud::filter_log_events`) read by `tasks::poll_tail`, and [`row`]
//! picks out only the fields a row displays. Detections are theirs: a row's
//! `detection` stays `None` until their function is called from [`row`].

use crate::model::finding::Severity;
use crate::model::logs::LogEvent;
use crate::model::text::safe;

/// A detection on an event (id from the agreed list, and its severity).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detection {
    pub id: String,
    pub severity: Severity,
    pub summary: String,
}

/// One event row. Every field is sanitised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TailRow {
    pub id: String,
    pub group: String,
    pub time_ms: i64,
    /// The caller's ARN, or its type when it has none.
    pub actor: String,
    pub event: String,
    pub source: String,
    /// The bucket the call was about, when it names one.
    pub bucket: Option<String>,
    /// `errorCode`, when the call failed.
    pub error: Option<String>,
    pub source_ip: String,
    pub detection: Option<Detection>,
    /// The whole record, pretty-printed and sanitised, for the detail view.
    pub pretty: Vec<String>,
}

impl TailRow {
    /// `ok` or the error code.
    pub fn result(&self) -> &str {
        self.error.as_deref().unwrap_or("ok")
    }

    /// What the row's target column shows.
    pub fn target(&self) -> &str {
        self.bucket.as_deref().unwrap_or("")
    }
}

fn text_at<'a>(v: &'a serde_json::Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    cur.as_str()
}

/// A display row for one log event; a message that is not a CloudTrail
/// record still shows, as its text.
pub fn row(group: &str, ev: &LogEvent) -> TailRow {
    let parsed: Option<serde_json::Value> = serde_json::from_str(&ev.message).ok();
    let Some(v) = parsed.filter(|v| v.is_object()) else {
        return TailRow {
            id: safe(&ev.event_id),
            group: safe(group),
            time_ms: ev.timestamp,
            actor: String::new(),
            event: "(not a CloudTrail record)".into(),
            source: String::new(),
            bucket: None,
            error: None,
            source_ip: String::new(),
            detection: None,
            pretty: ev.message.lines().map(safe).collect(),
        };
    };
    let actor = text_at(&v, &["userIdentity", "arn"])
        .or_else(|| text_at(&v, &["userIdentity", "type"]))
        .unwrap_or("?");
    let pretty = serde_json::to_string_pretty(&v)
        .unwrap_or_else(|_| ev.message.clone())
        .lines()
        .map(safe)
        .collect();
    TailRow {
        id: safe(&ev.event_id),
        group: safe(group),
        time_ms: ev.timestamp,
        actor: safe(actor),
        event: safe(text_at(&v, &["eventName"]).unwrap_or("?")),
        source: safe(text_at(&v, &["eventSource"]).unwrap_or("")),
        bucket: text_at(&v, &["requestParameters", "bucketName"]).map(safe),
        error: text_at(&v, &["errorCode"]).map(safe),
        source_ip: safe(text_at(&v, &["sourceIPAddress"]).unwrap_or("")),
        detection: None,
        pretty,
    }
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

    #[test]
    fn escapes_inside_json_strings_are_made_safe_after_parsing() {
        let r = row(
            "g",
            &ev(
                r#"{"eventName":"Get\u001b[2J","userIdentity":{"arn":"a\u202eb"},"userAgent":"x\u001b]52;c;AAAA\u0007","sourceIPAddress":"1.2.3.4"}"#,
            ),
        );
        assert_eq!(r.event, "Get\\x1b[2J");
        assert_eq!(r.actor, "a\\u{202e}b");
        for line in &r.pretty {
            assert!(
                !line.chars().any(|c| c.is_control() || c == '\u{202e}'),
                "{line:?}"
            );
        }
    }

    #[test]
    fn a_non_json_message_still_shows() {
        let r = row("g", &ev("plain text line"));
        assert_eq!(r.pretty, vec!["plain text line"]);
        assert_eq!(r.result(), "ok");
    }

    #[test]
    fn failed_calls_carry_their_error_and_bucket() {
        let r = row(
            "g",
            &ev(
                r#"{"eventName":"PutBucketPolicy","eventSource":"s3.amazonaws.com","errorCode":"AccessDenied","requestParameters":{"bucketName":"b1"}}"#,
            ),
        );
        assert_eq!(r.result(), "AccessDenied");
        assert_eq!(r.target(), "b1");
        assert_eq!(super::super::analysis::bucket_to_recheck(&r), None);
    }
}
