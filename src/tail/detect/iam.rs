//! IAM and STS: policies, access keys, MFA devices, role assumption.

use serde_json::Value;

use super::{Hit, Subject};
use crate::model::finding::Severity;
use crate::policy::{NamedPolicy, Policy, analyze_identity};

const IAM: &str = "iam.amazonaws.com";

/// CIS 4.4's sixteen events, plus the ones that change a policy's effect
/// just as much: the default version, permission boundaries, trust policies.
const POLICY_EVENTS: &[&str] = &[
    "DeleteGroupPolicy",
    "DeleteRolePolicy",
    "DeleteUserPolicy",
    "PutGroupPolicy",
    "PutRolePolicy",
    "PutUserPolicy",
    "CreatePolicy",
    "DeletePolicy",
    "CreatePolicyVersion",
    "DeletePolicyVersion",
    "AttachRolePolicy",
    "DetachRolePolicy",
    "AttachUserPolicy",
    "DetachUserPolicy",
    "AttachGroupPolicy",
    "DetachGroupPolicy",
    "SetDefaultPolicyVersion",
    "UpdateAssumeRolePolicy",
    "PutUserPermissionsBoundary",
    "DeleteUserPermissionsBoundary",
    "PutRolePermissionsBoundary",
    "DeleteRolePermissionsBoundary",
];

/// A policy document from the request: CloudTrail logs it as a JSON string
/// (sometimes URL-encoded, as IAM returns it), rarely as an object.
fn policy_document(v: &Value) -> Option<Policy> {
    match v {
        Value::String(text) => Policy::parse(text).ok().or_else(|| {
            let decoded = percent_encoding::percent_decode_str(text)
                .decode_utf8()
                .ok()?;
            Policy::parse(&decoded).ok()
        }),
        Value::Object(_) => Policy::from_value(v).ok(),
        _ => None,
    }
}

/// What a new inline or managed policy document grants, judged by the
/// policy engine: admin-equivalent, or a privilege-escalation path.
fn document_verdict(s: &Subject<'_>) -> Option<(Severity, String)> {
    let doc = s.param(&["policyDocument"])?;
    let policy = policy_document(doc)?;
    let report = analyze_identity(
        &[NamedPolicy {
            name: "the new policy",
            policy: &policy,
        }],
        None,
    );
    if report.admin_equivalent {
        return Some((Severity::High, "grants admin-equivalent access".into()));
    }
    report.privilege_escalation.first().map(|m| {
        (
            Severity::High,
            format!(
                "allows privilege escalation ({})",
                crate::model::text::safe(m)
            ),
        )
    })
}

pub(super) fn iam_policy_change(s: &Subject<'_>) -> Option<Hit> {
    if !s.succeeded(IAM, POLICY_EVENTS) {
        return None;
    }
    let e = s.event;
    let on = s
        .param_text(&["userName"])
        .or_else(|| s.param_text(&["roleName"]))
        .or_else(|| s.param_text(&["groupName"]));
    let policy = s
        .param_text(&["policyArn"])
        .or_else(|| s.param_text(&["policyName"]));
    let mut detail = format!("{} called {}", e.actor, e.event_name);
    if let Some(p) = &policy {
        detail.push_str(&format!(" with {p}"));
    }
    if let Some(on) = &on {
        detail.push_str(&format!(" on {on}"));
    }
    let admin_attached = e.event_name.starts_with("Attach")
        && policy
            .as_deref()
            .is_some_and(|p| p.ends_with(":policy/AdministratorAccess"));
    if admin_attached {
        return Hit::with(
            Severity::High,
            format!("{detail}: full administrator access"),
        );
    }
    match document_verdict(s) {
        Some((severity, verdict)) => {
            Hit::with(severity, format!("{detail}: the document {verdict}"))
        }
        None => Hit::new(detail),
    }
}

/// A new access key. For oneself it is routine (low); for another user it
/// is how an attacker keeps a way in (Elastic, Sigma: high); for the root
/// user it is a key nobody should hold (critical).
pub(super) fn access_key_created(s: &Subject<'_>) -> Option<Hit> {
    if !s.succeeded(IAM, &["CreateAccessKey"]) {
        return None;
    }
    let e = s.event;
    let for_user = s.param_text(&["userName"]).or_else(|| {
        s.record
            .pointer("/responseElements/accessKey/userName")
            .and_then(Value::as_str)
            .map(crate::model::text::safe)
    });
    match for_user {
        None if e.principal.kind == "Root" => Hit::with(
            Severity::Critical,
            "the root user created an access key for itself",
        ),
        Some(user) if e.principal.user_name.as_deref() != Some(user.as_str()) => Hit::with(
            Severity::High,
            format!("{} created an access key for another user: {user}", e.actor),
        ),
        _ => Hit::with(
            Severity::Low,
            format!("{} created an access key for themselves", e.actor),
        ),
    }
}

pub(super) fn mfa_device_deactivated(s: &Subject<'_>) -> Option<Hit> {
    if !s.succeeded(IAM, &["DeactivateMFADevice", "DeleteVirtualMFADevice"]) {
        return None;
    }
    let device = s
        .param_text(&["serialNumber"])
        .unwrap_or_else(|| "an MFA device".into());
    let of = s
        .param_text(&["userName"])
        .map(|u| format!(" of {u}"))
        .unwrap_or_default();
    Hit::new(format!(
        "{} called {} on {device}{of}",
        s.event.actor, s.event.event_name
    ))
}

/// A role assumed across accounts, by anyone but an AWS service (services
/// assume roles in customer accounts all day).
pub(super) fn cross_account_assume_role(s: &Subject<'_>) -> Option<Hit> {
    let e = s.event;
    if !s.succeeded("sts.amazonaws.com", &["AssumeRole"])
        || !e.cross_account
        || e.principal.kind == "AWSService"
    {
        return None;
    }
    let role = s
        .param_text(&["roleArn"])
        .unwrap_or_else(|| "a role".into());
    let session = s
        .param_text(&["roleSessionName"])
        .map(|n| format!(" (session {n})"))
        .unwrap_or_default();
    let who = match e.principal.account_id.as_deref() {
        Some(a) if !e.actor.contains(a) => format!("{} from account {a}", e.actor),
        _ => e.actor.clone(),
    };
    Hit::new(format!("{who} assumed {role}{session}"))
}
