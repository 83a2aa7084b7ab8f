//! CloudTrail records into [`TrailEvent`]s.
//!
//! One record per CloudWatch Logs message (how CloudTrail delivers to a log
//! group), or the `{"Records": [...]}` envelope of the files CloudTrail
//! writes to S3. The record format is CloudTrail user guide, "CloudTrail
//! record contents": `eventVersion` major 1 (any minor: 1.0 to 1.11 so far,
//! each adding optional fields), `eventTime`, `eventSource` and `eventName`
//! always present, everything else optional.
//!
//! The pipeline for one record: mask secrets (`record::mask_secrets`),
//! normalise (every string through `model::text::safe`), run the detections
//! on the raw fields, then sanitise the whole record and keep it as
//! [`TrailEvent::raw`]. A message that is not a record becomes an
//! [`UnparsedRecord`] with the reason: never dropped, never a panic.

use std::net::IpAddr;

use aws_smithy_types::date_time::{DateTime, Format};
use serde_json::Value;

use super::detect;
use super::record::{mask_secrets, mask_secrets_in_text, sanitise_value, sanitised_prefix};
use crate::model::text::safe;
use crate::model::trail::{
    RecordOrigin, TrailEvent, TrailPrincipal, UNPARSED_KEEP_BYTES, UnparsedRecord,
};

/// Why a message is not a CloudTrail record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("empty message")]
    Empty,
    #[error("not JSON: {0}")]
    NotJson(String),
    #[error("not a JSON object")]
    NotAnObject,
    #[error("no {0} field: not a CloudTrail record")]
    Missing(&'static str),
    #[error("{0} is not a string")]
    NotAString(&'static str),
    #[error("eventVersion {0}: vigil reads CloudTrail records of major version 1")]
    Version(String),
    #[error("Records is not an array")]
    RecordsNotArray,
}

/// One outcome of parsing: an event, or a message kept raw with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    Event(Box<TrailEvent>),
    Unparsed(Box<UnparsedRecord>),
}

/// The longest raw record kept in full. CloudWatch Logs events are at most
/// 256 KB, so this only ever cuts records read from files.
pub const RAW_KEEP_BYTES: usize = 256 * 1024;

/// Parse one log message: a record, or an envelope of records.
pub fn parse_message(message: &str, origin: &RecordOrigin) -> Vec<Parsed> {
    let text = message.trim();
    if text.is_empty() {
        return vec![unparsed(origin.clone(), &ParseError::Empty, message)];
    }
    match serde_json::from_str::<Value>(text) {
        Ok(value) => parse_value(value, origin, message),
        Err(e) => vec![unparsed(
            origin.clone(),
            &ParseError::NotJson(e.to_string()),
            message,
        )],
    }
}

/// Parse a file: one record, a `{"Records": [...]}` envelope, a JSON array
/// of records, or JSON lines (one record per line; blank lines skipped).
pub fn parse_document(text: &str) -> Vec<Parsed> {
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if trimmed.is_empty() {
        return Vec::new();
    }
    match serde_json::from_str::<Value>(trimmed) {
        Ok(Value::Array(items)) => items
            .into_iter()
            .enumerate()
            .flat_map(|(i, item)| {
                let origin = at_position(i + 1);
                let source = item.to_string();
                parse_value(item, &origin, &source)
            })
            .collect(),
        Ok(value) => parse_value(value, &RecordOrigin::default(), trimmed),
        Err(_) => text
            .lines()
            .enumerate()
            .filter(|(_, line)| !line.trim().is_empty())
            .flat_map(|(i, line)| parse_message(line, &at_position(i + 1)))
            .collect(),
    }
}

fn at_position(position: usize) -> RecordOrigin {
    RecordOrigin {
        position: Some(position),
        ..RecordOrigin::default()
    }
}

/// A decoded JSON value: an envelope, a record, or neither. `source` is the
/// text it was decoded from, kept when it is not a record.
fn parse_value(value: Value, origin: &RecordOrigin, source: &str) -> Vec<Parsed> {
    let Value::Object(mut map) = value else {
        return vec![unparsed(origin.clone(), &ParseError::NotAnObject, source)];
    };
    if !map.contains_key("eventVersion") && map.contains_key("Records") {
        let Some(Value::Array(records)) = map.remove("Records") else {
            return vec![unparsed(
                origin.clone(),
                &ParseError::RecordsNotArray,
                source,
            )];
        };
        return records
            .into_iter()
            .enumerate()
            .map(|(i, record)| {
                let mut origin = origin.clone();
                origin.position = Some(i + 1);
                one_record(record, origin)
            })
            .collect();
    }
    vec![one_record(Value::Object(map), origin.clone())]
}

fn one_record(record: Value, origin: RecordOrigin) -> Parsed {
    match normalise_or_give_back(record, origin.clone()) {
        Ok(event) => Parsed::Event(Box::new(event)),
        // The record as decoded and masked, not the text it came from: a
        // record of an unknown version may still carry a session token.
        Err((e, record)) => unparsed(origin, &e, &record.to_string()),
    }
}

/// A message kept raw: secrets masked as text (it may not be JSON at all),
/// sanitised, and cut to [`UNPARSED_KEEP_BYTES`].
fn unparsed(origin: RecordOrigin, why: &ParseError, text: &str) -> Parsed {
    let masked = mask_secrets_in_text(text);
    Parsed::Unparsed(Box::new(UnparsedRecord {
        origin,
        reason: safe(&why.to_string()),
        raw: sanitised_prefix(&masked, UNPARSED_KEEP_BYTES),
        raw_len: text.len(),
    }))
}

/// One record, normalised, with its detections run and its raw form kept.
pub fn normalise(record: Value, origin: RecordOrigin) -> Result<TrailEvent, ParseError> {
    normalise_or_give_back(record, origin).map_err(|(e, _)| e)
}

/// [`normalise`], handing the record back (unmasked) when it is not one, so
/// it can be kept raw without a copy of every record that is.
fn normalise_or_give_back(
    mut record: Value,
    origin: RecordOrigin,
) -> Result<TrailEvent, (ParseError, Value)> {
    if !record.is_object() {
        return Err((ParseError::NotAnObject, record));
    }
    let mut event = match fields(&record, origin) {
        Ok(e) => e,
        Err(e) => {
            mask_secrets(&mut record);
            return Err((e, record));
        }
    };
    // Masked before the detections read it, so no detail can quote a secret.
    mask_secrets(&mut record);
    let alerts = detect::run(&record, &event);
    event.by_vigil = detect::is_vigil_call(&record, &event);
    if event.by_vigil {
        event.suppressed = alerts.into_iter().map(|a| a.id).collect();
    } else {
        event.detections = alerts.iter().map(|a| a.id.clone()).collect();
        event.alerts = alerts;
    }
    sanitise_value(&mut record);
    let raw = record.to_string();
    event.raw = if raw.len() > RAW_KEEP_BYTES {
        sanitised_prefix(&raw, RAW_KEEP_BYTES)
    } else {
        raw
    };
    compact(&mut event);
    Ok(event)
}

/// Give back the slack of strings and lists that were built by growing:
/// the console keeps 50,000 events, and the raw record alone would
/// otherwise hold half as much again as it needs.
fn compact(e: &mut TrailEvent) {
    e.raw.shrink_to_fit();
    e.actor.shrink_to_fit();
    for a in &mut e.alerts {
        a.detail.shrink_to_fit();
    }
    e.alerts.shrink_to_fit();
    e.detections.shrink_to_fit();
    e.suppressed.shrink_to_fit();
}

/// The value at `path`, if every step exists.
pub(crate) fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| v.get(k))
}

/// The string at `path`, unsanitised (for comparisons); `None` when absent,
/// not a string, or empty.
pub(crate) fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    at(v, path)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// The text at `path`, sanitised: strings as they are, numbers and booleans
/// as written; the first element of a list (S3 logs some parameters as
/// one-element lists).
pub(crate) fn text_at(v: &Value, path: &[&str]) -> Option<String> {
    scalar_text(at(v, path)?)
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(safe(s)),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Array(items) => items.first().and_then(scalar_text),
        _ => None,
    }
}

/// A boolean written as JSON `true`/`false` or as the string (any case).
pub(crate) fn bool_of(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// `YES`/`Yes`/`yes` → true, `No` → false (CloudTrail writes both cases).
fn yes_no(v: &Value) -> Option<bool> {
    let s = v.as_str()?.trim();
    if s.eq_ignore_ascii_case("yes") {
        Some(true)
    } else if s.eq_ignore_ascii_case("no") {
        Some(false)
    } else {
        None
    }
}

/// What AWS writes for a user name it will not reveal.
pub const HIDDEN_USER_NAME: &str = "HIDDEN_DUE_TO_SECURITY_REASONS";

fn required<'a>(record: &'a Value, key: &'static str) -> Result<&'a str, ParseError> {
    match record.get(key) {
        None | Some(Value::Null) => Err(ParseError::Missing(key)),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(ParseError::NotAString(key)),
    }
}

fn event_version(record: &Value) -> Result<String, ParseError> {
    let version = match record.get("eventVersion") {
        None | Some(Value::Null) => return Err(ParseError::Missing("eventVersion")),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(_) => return Err(ParseError::NotAString("eventVersion")),
    };
    let major = version.trim().split('.').next().unwrap_or_default();
    if major == "1" {
        Ok(safe(version.trim()))
    } else {
        Err(ParseError::Version(safe(&version)))
    }
}

/// Milliseconds since the epoch of an RFC 3339 time in UTC (`Z`), the form
/// CloudTrail writes; `None` for anything else.
pub fn parse_time_ms(s: &str) -> Option<i64> {
    DateTime::from_str(s.trim(), Format::DateTime)
        .ok()
        .and_then(|t| t.to_millis().ok())
}

/// The account id in an ARN (`arn:aws:iam::123456789012:role/x`).
pub(crate) fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| !a.is_empty())
}

fn principal(record: &Value) -> TrailPrincipal {
    let Some(id) = record.get("userIdentity").filter(|v| v.is_object()) else {
        return TrailPrincipal {
            kind: "Unknown".into(),
            ..TrailPrincipal::default()
        };
    };
    let raw_user = str_at(id, &["userName"]);
    let redacted = raw_user == Some(HIDDEN_USER_NAME);
    let arn = text_at(id, &["arn"]);
    let kind = text_at(id, &["type"]).unwrap_or_else(|| "Unknown".into());
    let session_name = (kind == "AssumedRole")
        .then(|| {
            arn.as_deref()
                .and_then(|a| a.rsplit_once('/'))
                .map(|(_, s)| s.to_string())
        })
        .flatten();
    TrailPrincipal {
        user_name: if redacted { None } else { raw_user.map(safe) },
        user_name_redacted: redacted,
        account_id: text_at(id, &["accountId"]),
        principal_id: text_at(id, &["principalId"]),
        access_key_id: text_at(id, &["accessKeyId"]),
        session_issuer_arn: text_at(id, &["sessionContext", "sessionIssuer", "arn"]),
        session_name,
        mfa_authenticated: at(id, &["sessionContext", "attributes", "mfaAuthenticated"])
            .and_then(bool_of),
        invoked_by: text_at(id, &["invokedBy"]),
        arn,
        kind,
    }
}

/// Who, in a few words: `root`, the user name, `role/session`, the service.
fn actor(p: &TrailPrincipal) -> String {
    let last = |arn: &Option<String>| {
        arn.as_deref()
            .and_then(|a| a.split_once('/'))
            .map(|(_, rest)| rest.to_string())
    };
    let found = match p.kind.as_str() {
        "Root" => Some("root".to_string()),
        "AssumedRole" => last(&p.arn),
        "AWSService" => p.invoked_by.clone(),
        "AWSAccount" => p.account_id.as_ref().map(|a| format!("account {a}")),
        _ => None,
    };
    found
        .or_else(|| p.user_name.clone())
        .or_else(|| {
            p.user_name_redacted
                .then(|| "(hidden user name)".to_string())
        })
        .or_else(|| last(&p.arn))
        .or_else(|| p.principal_id.clone())
        .or_else(|| p.invoked_by.clone())
        .unwrap_or_else(|| p.kind.clone())
}

/// The bucket an event names.
fn bucket(record: &Value) -> Option<String> {
    if let Some(b) = text_at(record, &["requestParameters", "bucketName"]) {
        return Some(b);
    }
    record
        .get("resources")?
        .as_array()?
        .iter()
        .find(|r| str_at(r, &["type"]) == Some("AWS::S3::Bucket"))
        .and_then(|r| str_at(r, &["ARN"]))
        .map(|arn| safe(arn.strip_prefix("arn:aws:s3:::").unwrap_or(arn)))
}

/// Request parameters that name what a call acts on, most telling first.
const TARGET_KEYS: &[&str] = &[
    "userName",
    "roleName",
    "groupName",
    "policyArn",
    "roleArn",
    "trailName",
    "keyId",
    "serialNumber",
    "instanceProfileName",
    "functionName",
    "logGroupName",
    "secretId",
    "topicArn",
];

fn target(record: &Value, event_source: &str, bucket: &Option<String>) -> Option<String> {
    if bucket.is_some() {
        return bucket.clone();
    }
    let params = record.get("requestParameters").filter(|p| p.is_object());
    if let Some(p) = params {
        if let Some(t) = TARGET_KEYS.iter().find_map(|k| text_at(p, &[k])) {
            return Some(t);
        }
        if event_source == "cloudtrail.amazonaws.com"
            && let Some(t) = text_at(p, &["name"])
        {
            return Some(t);
        }
    }
    record
        .get("resources")?
        .as_array()?
        .first()
        .and_then(|r| text_at(r, &["ARN"]))
}

/// The call succeeded: no `errorCode`, and a sign-in event's response is
/// not `Failure` (`responseElements.ConsoleLogin: "Failure"`, with only an
/// `errorMessage`).
fn succeeded(record: &Value, event_name: &str, error_code: &Option<String>) -> bool {
    if error_code.is_some() {
        return false;
    }
    let response = str_at(record, &["responseElements", event_name]);
    !response.is_some_and(|r| r.eq_ignore_ascii_case("Failure"))
}

fn cross_account(
    record: &Value,
    event_name: &str,
    principal: &TrailPrincipal,
    recipient: &Option<String>,
) -> bool {
    let Some(caller) = principal.account_id.as_deref() else {
        return false;
    };
    if recipient.as_deref().is_some_and(|r| r != caller) {
        return true;
    }
    event_name == "AssumeRole"
        && str_at(record, &["requestParameters", "roleArn"])
            .and_then(arn_account)
            .is_some_and(|role_account| role_account != caller)
}

/// Every normalised field of a record (detections and raw come later).
fn fields(record: &Value, origin: RecordOrigin) -> Result<TrailEvent, ParseError> {
    let event_version = event_version(record)?;
    let event_time_raw = required(record, "eventTime")?;
    let event_source = safe(required(record, "eventSource")?);
    let event_name = safe(required(record, "eventName")?);
    let event_time_ms = parse_time_ms(event_time_raw)
        .or(origin.log_timestamp_ms)
        .unwrap_or(0);
    let error_code = text_at(record, &["errorCode"]);
    let success = succeeded(record, &event_name, &error_code);
    let principal = principal(record);
    let recipient_account_id = text_at(record, &["recipientAccountId"]);
    let source_ip = text_at(record, &["sourceIPAddress"]);
    let bucket = bucket(record);
    let target = target(record, &event_source, &bucket);
    Ok(TrailEvent {
        event_id: text_at(record, &["eventID"]).unwrap_or_default(),
        event_time: safe(event_time_raw),
        event_time_ms,
        event_version,
        event_type: text_at(record, &["eventType"]),
        region: text_at(record, &["awsRegion"]),
        read_only: record.get("readOnly").and_then(bool_of),
        success,
        error_message: text_at(record, &["errorMessage"]),
        error_code,
        actor: actor(&principal),
        cross_account: cross_account(record, &event_name, &principal, &recipient_account_id),
        principal,
        source_is_service: source_ip
            .as_deref()
            .is_some_and(|s| s.trim().parse::<IpAddr>().is_err()),
        source_ip,
        user_agent: text_at(record, &["userAgent"]),
        recipient_account_id,
        mfa_used: at(record, &["additionalEventData", "MFAUsed"]).and_then(yes_no),
        bucket,
        target,
        by_vigil: false,
        detections: Vec::new(),
        alerts: Vec::new(),
        suppressed: Vec::new(),
        raw: String::new(),
        event_source,
        event_name,
        origin,
    })
}

#[cfg(test)]
mod tests;
