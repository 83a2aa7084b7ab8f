//! CloudTrail events, normalised: what the tail shows in a row, what the
//! detections concluded, and the record as AWS wrote it (secrets masked).
//!
//! Every string here was sanitised on entry (`model::text::safe`), the raw
//! record included: [`TrailEvent::raw`] is compact JSON whose every key and
//! string value went through `safe`, so it can be drawn as it is. The tail's
//! parser (`tail::parse`) builds these; nothing else should.

use std::fmt::Write;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::finding::Severity;

/// Where a record came from: a CloudWatch Logs event, or a position in a file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordOrigin {
    /// The log group it was read from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_stream: Option<String>,
    /// CloudWatch Logs' id of the log event (not CloudTrail's `eventID`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_event_id: Option<String>,
    /// The log event's timestamp, milliseconds since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_timestamp_ms: Option<i64>,
    /// In a file: the 1-based line (JSON lines) or record number (`Records`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<usize>,
}

/// Who made the call (`userIdentity`), normalised.
///
/// CloudTrail user guide, "CloudTrail userIdentity element": every field but
/// `type` is optional; a failed sign-in with a mistyped user name carries
/// `HIDDEN_DUE_TO_SECURITY_REASONS` instead of the name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailPrincipal {
    /// `Root`, `IAMUser`, `AssumedRole`, `FederatedUser`, `AWSAccount`,
    /// `AWSService`, `IdentityCenterUser`, … as written; `Unknown` when the
    /// record has no `userIdentity`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// The IAM user name; `None` when absent or redacted by AWS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// AWS replaced the user name with `HIDDEN_DUE_TO_SECURITY_REASONS`
    /// (a sign-in with a name that is not an IAM user of the account).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub user_name_redacted: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_key_id: Option<String>,
    /// For role sessions: the role (`sessionContext.sessionIssuer.arn`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_issuer_arn: Option<String>,
    /// For role sessions: the session name (last part of the assumed-role ARN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_name: Option<String>,
    /// `sessionContext.attributes.mfaAuthenticated`, when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_authenticated: Option<bool>,
    /// The AWS service that made the call on the principal's behalf.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoked_by: Option<String>,
}

/// One detection that fired on an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    /// The detection id (`tail::detect::CATALOGUE`), e.g. `bucket-made-public`.
    pub id: String,
    /// The catalogue's severity, or higher for this instance (a key created
    /// for another user is worse than one for oneself).
    pub severity: Severity,
    /// What exactly happened, in one line.
    pub detail: String,
}

/// One CloudTrail record, normalised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailEvent {
    /// CloudTrail's `eventID` (empty if the record has none).
    pub event_id: String,
    pub origin: RecordOrigin,
    /// `eventTime` as written (ISO 8601, UTC).
    pub event_time: String,
    /// `eventTime` in milliseconds since the epoch (the log event's
    /// timestamp when `eventTime` does not parse).
    pub event_time_ms: i64,
    pub event_version: String,
    /// e.g. `s3.amazonaws.com`.
    pub event_source: String,
    /// e.g. `PutBucketPolicy`.
    pub event_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_type: Option<String>,
    /// `awsRegion`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
    /// No `errorCode`, and for sign-in events the response is not `Failure`.
    pub success: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    pub principal: TrailPrincipal,
    /// Who, in a few words, for the actor column.
    pub actor: String,
    /// `sourceIPAddress`: an address, or an AWS service name
    /// (`s3.amazonaws.com`, `AWS Internal`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_ip: Option<String>,
    /// `source_ip` is not an IP address but a service name.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub source_is_service: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_account_id: Option<String>,
    /// The caller's account is not the account the call was made in (or,
    /// for `AssumeRole`, not the role's account).
    pub cross_account: bool,
    /// Console sign-ins: `additionalEventData.MFAUsed` (case-insensitive
    /// `Yes`/`No`); `None` when the record does not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_used: Option<bool>,
    /// The bucket the event names (`requestParameters.bucketName`, or an
    /// `AWS::S3::Bucket` resource).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket: Option<String>,
    /// What the call acted on, for the target column: the bucket, user,
    /// role, policy, trail, key… it names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// vigil's own call (user agent `app/vigil`, or a `vigil-` role
    /// session): its detections are in `suppressed`, not `detections`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub by_vigil: bool,
    /// Ids of the detections that fired, most severe first.
    pub detections: Vec<String>,
    /// The same detections with severity and detail, in the same order.
    pub alerts: Vec<Alert>,
    /// For vigil's own calls: the detections that would have fired.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suppressed: Vec<String>,
    /// The record as compact JSON, secrets masked, every string sanitised.
    pub raw: String,
}

/// What the tail pane draws for one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrailRow<'a> {
    pub time: &'a str,
    pub actor: &'a str,
    /// `eventName` (the service is in [`TrailEvent::service`]).
    pub event: &'a str,
    pub target: &'a str,
    /// `ok`, or the error code (`failed` when there is none).
    pub result: &'a str,
    pub source_ip: &'a str,
}

impl TrailEvent {
    /// The most severe detection, if any fired.
    pub fn severity(&self) -> Option<Severity> {
        self.alerts.iter().map(|a| a.severity).max()
    }

    /// The service part of `eventSource` (`s3` for `s3.amazonaws.com`).
    pub fn service(&self) -> &str {
        self.event_source
            .split_once('.')
            .map_or(self.event_source.as_str(), |(s, _)| s)
    }

    /// The columns of the tail pane.
    pub fn row(&self) -> TrailRow<'_> {
        TrailRow {
            time: &self.event_time,
            actor: &self.actor,
            event: &self.event_name,
            target: self.target.as_deref().unwrap_or("-"),
            result: if self.success {
                "ok"
            } else {
                self.error_code.as_deref().unwrap_or("failed")
            },
            source_ip: self.source_ip.as_deref().unwrap_or("-"),
        }
    }

    /// The raw record indented for reading (the detail view). Already safe
    /// for a terminal: strings are written as sanitised, not re-escaped.
    pub fn raw_pretty(&self) -> String {
        pretty_for_reading(&self.raw)
    }
}

/// A log message that is not a CloudTrail record: kept, counted and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnparsedRecord {
    pub origin: RecordOrigin,
    /// Why it is not a record, e.g. `not JSON: expected value at line 1 column 1`.
    pub reason: String,
    /// The message, sanitised, cut to [`UNPARSED_KEEP_BYTES`].
    pub raw: String,
    /// The kept text's length in bytes before it was cut (for a JSON value
    /// that is not a record: of its compact form).
    pub raw_len: usize,
}

/// How much of an unparsed message is kept: enough to read and recognise
/// it, not so much that a flood of junk fills memory.
pub const UNPARSED_KEEP_BYTES: usize = 16 * 1024;

/// JSON text indented two spaces, with strings written between quotes as
/// they are (only `"` escaped). For text that is already sanitised, this
/// keeps `\x1b` readable instead of doubling its backslash. Not for parsing
/// back. Text that is not JSON is returned sanitised.
pub fn pretty_for_reading(json: &str) -> String {
    match serde_json::from_str::<Value>(json) {
        Ok(v) => {
            let mut out = String::with_capacity(json.len() * 2);
            write_value(&mut out, &v, 0);
            out
        }
        Err(_) => super::text::safe(json),
    }
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    // Sanitised again (a no-op on sanitised text): this function writes
    // strings unescaped, so it must never be the one place that lets a
    // control character through.
    for c in super::text::sanitize(s).chars() {
        if c == '"' {
            out.push_str("\\\"");
        } else {
            out.push(c);
        }
    }
    out.push('"');
}

fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

fn write_value(out: &mut String, v: &Value, depth: usize) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => {
            let _ = write!(out, "{b}");
        }
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => write_string(out, s),
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Array(items) => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                indent(out, depth + 1);
                write_value(out, item, depth + 1);
                if i + 1 < items.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            indent(out, depth);
            out.push(']');
        }
        Value::Object(map) if map.is_empty() => out.push_str("{}"),
        Value::Object(map) => {
            out.push_str("{\n");
            for (i, (k, item)) in map.iter().enumerate() {
                indent(out, depth + 1);
                write_string(out, k);
                out.push_str(": ");
                write_value(out, item, depth + 1);
                if i + 1 < map.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            indent(out, depth);
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_keeps_sanitised_escapes_readable_and_indents() {
        // A sanitised user agent holds a literal backslash; JSON stores it
        // doubled, the reading form shows it once.
        let raw = r#"{"userAgent":"Boto3 \\x1b]52;c;x\\x07","n":[1,{"a":true}],"e":{}}"#;
        let p = pretty_for_reading(raw);
        assert!(p.contains(r#""userAgent": "Boto3 \x1b]52;c;x\x07""#), "{p}");
        assert!(!p.contains('\x1b'));
        assert!(
            p.contains("\"n\": [\n    1,\n    {\n      \"a\": true\n    }\n  ]"),
            "{p}"
        );
        assert!(p.contains("\"e\": {}"));
    }

    #[test]
    fn pretty_of_text_that_is_not_json_is_the_text() {
        assert_eq!(pretty_for_reading("not json"), "not json");
    }
}
