//! Blinding the audit trail and destroying keys.

use super::{Hit, Subject};
use crate::model::finding::Severity;

/// Stopping or deleting a trail (or a CloudTrail Lake store) ends logging:
/// critical. Updating a trail or its event selectors can narrow what it
/// records, or move it to a bucket the attacker owns: high.
pub(super) fn trail_tampering(s: &Subject<'_>) -> Option<Hit> {
    const SOURCE: &str = "cloudtrail.amazonaws.com";
    const ENDS_LOGGING: &[&str] = &[
        "StopLogging",
        "DeleteTrail",
        "StopEventDataStoreIngestion",
        "DeleteEventDataStore",
    ];
    const NARROWS_LOGGING: &[&str] = &["UpdateTrail", "PutEventSelectors"];
    let trail = s
        .param_text(&["name"])
        .or_else(|| s.param_text(&["trailName"]))
        .or_else(|| s.param_text(&["eventDataStore"]))
        .unwrap_or_else(|| "a trail".into());
    let detail = format!("{} called {} on {trail}", s.event.actor, s.event.event_name);
    if s.succeeded(SOURCE, ENDS_LOGGING) {
        Hit::with(Severity::Critical, detail)
    } else if s.succeeded(SOURCE, NARROWS_LOGGING) {
        Hit::new(detail)
    } else {
        None
    }
}

/// CIS 4.7: `DisableKey` or `ScheduleKeyDeletion` on a KMS key.
pub(super) fn kms_key_disabled(s: &Subject<'_>) -> Option<Hit> {
    if !s.succeeded("kms.amazonaws.com", &["DisableKey", "ScheduleKeyDeletion"]) {
        return None;
    }
    let key = s.param_text(&["keyId"]).unwrap_or_else(|| "a key".into());
    let when = s
        .param_text(&["pendingWindowInDays"])
        .map(|d| format!(", deleted in {d} days"))
        .unwrap_or_default();
    Hit::new(format!(
        "{} called {} on {key}{when}",
        s.event.actor, s.event.event_name
    ))
}
