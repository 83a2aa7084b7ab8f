//! S3 bucket configuration: policies, ACLs, Block Public Access,
//! encryption, versioning. S3 logs these under CloudTrail event names that
//! are not always the API's (`PutPublicAccessBlock` is logged as
//! `PutBucketPublicAccessBlock`, `PutBucketLifecycleConfiguration` as
//! `PutBucketLifecycle`); both spellings are accepted where they differ.

use serde_json::Value;

use super::{Hit, Subject};
use crate::model::finding::Severity;
use crate::model::s3::{ALL_USERS_URI, AUTHENTICATED_USERS_URI, AclGrant, Grantee};
use crate::policy::{BucketInput, Policy, bucket_publicity};
use crate::tail::parse::bool_of;

const S3: &str = "s3.amazonaws.com";

fn bucket(s: &Subject<'_>) -> String {
    s.event.bucket.clone().unwrap_or_else(|| "a bucket".into())
}

/// The account the bucket belongs to, for the policy engine's "same
/// account" tests: the account the call was made in.
fn owner_account<'a>(s: &'a Subject<'_>) -> &'a str {
    s.event
        .recipient_account_id
        .as_deref()
        .or(s.event.principal.account_id.as_deref())
        .unwrap_or("")
}

pub(super) fn bucket_policy_change(s: &Subject<'_>) -> Option<Hit> {
    // CIS 4.8 lists these with the policy and ACL events; they change who
    // can read or where copies go just as quietly.
    const OTHER_CIS_EVENTS: &[&str] = &[
        "PutBucketCors",
        "DeleteBucketCors",
        "PutBucketLifecycle",
        "DeleteBucketLifecycle",
        "PutBucketReplication",
        "DeleteBucketReplication",
    ];
    let e = s.event;
    if s.succeeded(S3, &["PutBucketPolicy"]) {
        Hit::new(format!("{} replaced the policy of {}", e.actor, bucket(s)))
    } else if s.succeeded(S3, &["DeleteBucketPolicy"]) {
        Hit::new(format!("{} deleted the policy of {}", e.actor, bucket(s)))
    } else if s.succeeded(S3, OTHER_CIS_EVENTS) {
        Hit::with(
            Severity::Low,
            format!("{} called {} on {}", e.actor, e.event_name, bucket(s)),
        )
    } else {
        None
    }
}

pub(super) fn bucket_acl_change(s: &Subject<'_>) -> Option<Hit> {
    s.succeeded(S3, &["PutBucketAcl"])
        .then(|| {
            Hit::new(format!(
                "{} replaced the ACL of {}",
                s.event.actor,
                bucket(s)
            ))
        })
        .flatten()
}

pub(super) fn bucket_encryption_removed(s: &Subject<'_>) -> Option<Hit> {
    s.succeeded(S3, &["DeleteBucketEncryption"])
        .then(|| {
            Hit::new(format!(
                "{} deleted the default encryption of {} (S3 falls back to SSE-S3)",
                s.event.actor,
                bucket(s)
            ))
        })
        .flatten()
}

pub(super) fn versioning_suspended(s: &Subject<'_>) -> Option<Hit> {
    if !s.succeeded(S3, &["PutBucketVersioning"]) {
        return None;
    }
    let config = s.param(&["VersioningConfiguration"])?;
    let status = config.get("Status").and_then(Value::as_str)?;
    if !status.eq_ignore_ascii_case("Suspended") {
        return None;
    }
    let mfa_delete_off = config
        .get("MfaDelete")
        .and_then(Value::as_str)
        .is_some_and(|m| m.eq_ignore_ascii_case("Disabled"));
    Hit::new(format!(
        "{} suspended versioning of {}{}",
        s.event.actor,
        bucket(s),
        if mfa_delete_off {
            " and disabled MFA Delete"
        } else {
            ""
        }
    ))
}

/// A bucket made public by this call: a new policy that is public under
/// S3's definition (the policy engine decides), an ACL granting AllUsers or
/// AuthenticatedUsers, or Block Public Access removed or turned (partly) off.
pub(super) fn bucket_made_public(s: &Subject<'_>) -> Option<Hit> {
    let e = s.event;
    if !e.success {
        return None;
    }
    let account_level = matches!(
        e.event_name.as_str(),
        "PutAccountPublicAccessBlock" | "DeleteAccountPublicAccessBlock"
    ) && (e.event_source == S3 || e.event_source == "s3-control.amazonaws.com");
    if account_level {
        return block_public_access_weakened(s, "the account");
    }
    if e.event_source != S3 {
        return None;
    }
    match e.event_name.as_str() {
        "PutBucketPolicy" => public_policy(s),
        "PutBucketAcl" | "CreateBucket" => public_acl(s),
        "PutBucketPublicAccessBlock"
        | "PutPublicAccessBlock"
        | "DeleteBucketPublicAccessBlock"
        | "DeletePublicAccessBlock" => block_public_access_weakened(s, &bucket(s)),
        _ => None,
    }
}

/// `requestParameters.bucketPolicy`: an object for S3 (case 064), a string
/// in some records.
fn public_policy(s: &Subject<'_>) -> Option<Hit> {
    let doc = s.param(&["bucketPolicy"])?;
    let policy = match doc {
        Value::String(text) => Policy::parse(text).ok()?,
        Value::Object(_) => Policy::from_value(doc).ok()?,
        _ => return None,
    };
    let name = bucket(s);
    let verdict = bucket_publicity(&BucketInput {
        bucket: &name,
        account_id: owner_account(s),
        policy: Some(&policy),
        acl_grants: &[],
        bucket_bpa: None,
        account_bpa: None,
        object_ownership: None,
    });
    if !verdict.policy_is_public {
        return None;
    }
    let why = verdict
        .findings
        .first()
        .map(|f| f.reason.clone())
        .unwrap_or_else(|| "public under S3's definition".into());
    // the engine's reason quotes the policy (a Sid, a principal): attacker text
    Hit::new(format!(
        "{} gave {name} a public policy: {}",
        s.event.actor,
        crate::model::text::safe(&why)
    ))
}

/// Canned ACLs that grant to a group (S3 User Guide, "Canned ACL").
fn canned_grants(canned: &str) -> Vec<(&'static str, &'static str)> {
    match canned {
        "public-read" => vec![(ALL_USERS_URI, "READ")],
        "public-read-write" => vec![(ALL_USERS_URI, "READ"), (ALL_USERS_URI, "WRITE")],
        "authenticated-read" => vec![(AUTHENTICATED_USERS_URI, "READ")],
        _ => Vec::new(),
    }
}

/// Strings of a value that S3 logs as a string or a one-element list.
fn strings(v: &Value) -> Vec<&str> {
    match v {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Every group grant the request makes: the canned `x-amz-acl`, the
/// `x-amz-grant-*` headers (`uri="…AllUsers", id="…"`), and the
/// `AccessControlPolicy` body's grant list.
fn requested_grants(s: &Subject<'_>) -> Vec<AclGrant> {
    let group = |uri: &str, permission: &str| AclGrant {
        grantee: Grantee::Group {
            uri: uri.trim().trim_matches('"').to_string(),
        },
        permission: permission.to_string(),
    };
    let mut grants = Vec::new();
    if let Some(canned) = s.param(&["x-amz-acl"]) {
        for c in strings(canned) {
            grants.extend(
                canned_grants(c.trim())
                    .into_iter()
                    .map(|(u, p)| group(u, p)),
            );
        }
    }
    for (header, permission) in [
        ("x-amz-grant-read", "READ"),
        ("x-amz-grant-write", "WRITE"),
        ("x-amz-grant-read-acp", "READ_ACP"),
        ("x-amz-grant-write-acp", "WRITE_ACP"),
        ("x-amz-grant-full-control", "FULL_CONTROL"),
    ] {
        let Some(v) = s.param(&[header]) else {
            continue;
        };
        for value in strings(v) {
            for part in value.split(',') {
                if let Some((kind, uri)) = part.split_once('=')
                    && kind.trim().eq_ignore_ascii_case("uri")
                {
                    grants.push(group(uri, permission));
                }
            }
        }
    }
    let listed = s
        .param(&["AccessControlPolicy", "AccessControlList", "Grant"])
        .map(|g| match g {
            Value::Array(items) => items.iter().collect::<Vec<_>>(),
            other => vec![other],
        })
        .unwrap_or_default();
    for g in listed {
        let uri = g.pointer("/Grantee/URI").and_then(Value::as_str);
        let permission = g.get("Permission").and_then(Value::as_str);
        if let (Some(uri), Some(permission)) = (uri, permission) {
            grants.push(group(uri, permission));
        }
    }
    grants
}

fn public_acl(s: &Subject<'_>) -> Option<Hit> {
    let grants = requested_grants(s);
    if grants.is_empty() {
        return None;
    }
    let name = bucket(s);
    let verdict = bucket_publicity(&BucketInput {
        bucket: &name,
        account_id: owner_account(s),
        policy: None,
        acl_grants: &grants,
        bucket_bpa: None,
        account_bpa: None,
        object_ownership: None,
    });
    if !verdict.acl_is_public {
        return None;
    }
    let why = verdict
        .findings
        .iter()
        .map(|f| f.reason.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    Hit::new(format!(
        "{} gave {name} a public ACL: {}",
        s.event.actor,
        crate::model::text::safe(&why)
    ))
}

/// Block Public Access deleted, or put with settings off (an omitted
/// setting is off: S3 API reference, `PublicAccessBlockConfiguration`).
/// It makes nothing public by itself, but it is what stands between a
/// public policy or ACL and the world: high, not critical.
fn block_public_access_weakened(s: &Subject<'_>, scope: &str) -> Option<Hit> {
    const SETTINGS: [&str; 4] = [
        "BlockPublicAcls",
        "IgnorePublicAcls",
        "BlockPublicPolicy",
        "RestrictPublicBuckets",
    ];
    let actor = &s.event.actor;
    if s.event.event_name.starts_with("Delete") {
        return Hit::with(
            Severity::High,
            format!("{actor} removed Block Public Access from {scope}"),
        );
    }
    let config = s.param(&["PublicAccessBlockConfiguration"])?;
    let off: Vec<&str> = SETTINGS
        .into_iter()
        .filter(|k| config.get(*k).and_then(bool_of) != Some(true))
        .collect();
    if off.is_empty() {
        return None;
    }
    Hit::with(
        Severity::High,
        format!(
            "{actor} turned off Block Public Access on {scope}: {}",
            off.join(", ")
        ),
    )
}
