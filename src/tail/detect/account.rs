//! Sign-ins, the root user and denied calls.

use super::{Hit, Subject};
use crate::model::finding::Severity;

const SIGNIN: &str = "signin.amazonaws.com";

/// CIS 4.2: a successful console sign-in of an IAM user or the root user
/// whose `MFAUsed` is not `Yes` (any case; an absent field counts as not
/// used, as in the CIS filter). Federated and Identity Center sign-ins are
/// left out: their MFA is the identity provider's, not in this record.
pub(super) fn console_login_without_mfa(s: &Subject<'_>) -> Option<Hit> {
    let e = s.event;
    if !s.succeeded(SIGNIN, &["ConsoleLogin"]) || e.mfa_used == Some(true) {
        return None;
    }
    let root = e.principal.kind == "Root";
    if !root && e.principal.kind != "IAMUser" {
        return None;
    }
    let unsaid = if e.mfa_used.is_none() {
        " (the record does not say MFAUsed)"
    } else {
        ""
    };
    let detail = format!("{} signed in to the console without MFA{unsaid}", e.actor);
    if root {
        Hit::with(Severity::Critical, detail)
    } else {
        Hit::new(detail)
    }
}

/// CIS 4.6: a console sign-in that failed (`responseElements.ConsoleLogin`
/// is `Failure`, or an `errorCode`).
pub(super) fn console_login_failure(s: &Subject<'_>) -> Option<Hit> {
    let e = s.event;
    if !s.is(SIGNIN, &["ConsoleLogin"]) || e.success {
        return None;
    }
    let who = if e.principal.user_name_redacted {
        "a user name that is not in the account".to_string()
    } else {
        e.actor.clone()
    };
    let why = e
        .error_message
        .as_deref()
        .or(e.error_code.as_deref())
        .unwrap_or("failed");
    let detail = format!("console sign-in failed for {who}: {why}");
    if e.principal.kind == "Root" {
        Hit::with(Severity::High, detail)
    } else {
        Hit::new(detail)
    }
}

/// CIS 4.3: the root user, not a service acting for it, and not an event
/// AWS itself generated.
pub(super) fn root_activity(s: &Subject<'_>) -> Option<Hit> {
    let e = s.event;
    if e.principal.kind != "Root"
        || e.principal.invoked_by.is_some()
        || e.event_type.as_deref() == Some("AwsServiceEvent")
    {
        return None;
    }
    let outcome = if e.success { "" } else { " (failed)" };
    Hit::new(format!(
        "the root user called {}:{}{outcome}",
        e.service(),
        e.event_name
    ))
}

/// CIS 4.1: `errorCode` `*UnauthorizedOperation` or `AccessDenied*`,
/// except `HeadBucket` and the log delivery service (CIS v1.5+ exclusions:
/// both are routine denials).
pub(super) fn unauthorized_api_call(s: &Subject<'_>) -> Option<Hit> {
    let e = s.event;
    let code = e.error_code.as_deref()?;
    if !(code.starts_with("AccessDenied") || code.ends_with("UnauthorizedOperation")) {
        return None;
    }
    if e.event_name == "HeadBucket" || e.source_ip.as_deref() == Some("delivery.logs.amazonaws.com")
    {
        return None;
    }
    Hit::new(format!(
        "{} was denied {}:{} ({code})",
        e.actor,
        e.service(),
        e.event_name
    ))
}
