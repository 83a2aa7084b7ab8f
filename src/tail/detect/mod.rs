//! Detections: built-in checks on each CloudTrail record, each with a
//! stable id, a severity and a one-line why.
//!
//! They read the raw CloudTrail fields (the record, secrets already masked)
//! and the normalised event. The anchors are public rule sets that security
//! teams already run — the CIS AWS Foundations Benchmark monitoring section
//! (4.x in v1.5–3.0, 3.x before; 5.x in v4), Sigma, Elastic's prebuilt
//! rules and Panther's — each cited in [`Detection::anchors`]. Where they
//! count failed attempts, vigil counts only calls that succeeded (a failed
//! change changed nothing); the failure itself is `unauthorized-api-call`.
//!
//! vigil's own calls (user agent `app/vigil`, role sessions named
//! `vigil-…`) are recognised by [`is_vigil_call`] and their detections are
//! kept as `suppressed`, not reported. Both markers are set by the caller,
//! so an attacker can copy them: the suppressed ids stay in the event for
//! anyone who looks.

mod account;
mod evasion;
mod iam;
mod s3;

use serde::Serialize;
use serde_json::Value;

use super::parse::str_at;
use crate::model::account::{VIGIL_APP_NAME, VIGIL_SESSION_PREFIX};
use crate::model::finding::Severity;
use crate::model::text::safe;
use crate::model::trail::{Alert, TrailEvent};

/// One built-in detection.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Detection {
    /// Stable id, e.g. `bucket-made-public`.
    pub id: &'static str,
    /// The usual severity; one instance may differ (a key created for
    /// another user is worse than one for oneself).
    pub severity: Severity,
    /// Why it matters, in one line.
    pub why: &'static str,
    /// The public rules it follows.
    pub anchors: &'static [&'static str],
    #[serde(skip)]
    check: fn(&Subject<'_>) -> Option<Hit>,
}

/// What a detection looks at.
pub(crate) struct Subject<'a> {
    /// The CloudTrail record, secrets masked, not sanitised.
    pub record: &'a Value,
    /// The normalised event (sanitised strings).
    pub event: &'a TrailEvent,
}

impl Subject<'_> {
    /// `eventSource` is `source` and `eventName` one of `names`.
    pub fn is(&self, source: &str, names: &[&str]) -> bool {
        self.event.event_source == source && names.contains(&self.event.event_name.as_str())
    }

    /// The same, for a call that succeeded.
    pub fn succeeded(&self, source: &str, names: &[&str]) -> bool {
        self.event.success && self.is(source, names)
    }

    /// `requestParameters.<path>`, raw.
    pub fn param(&self, path: &[&str]) -> Option<&Value> {
        let mut v = self.record.get("requestParameters")?;
        for k in path {
            v = v.get(k)?;
        }
        Some(v)
    }

    /// `requestParameters.<path>` as text, sanitised (for details).
    pub fn param_text(&self, path: &[&str]) -> Option<String> {
        let v = self.param(path)?;
        match v {
            Value::String(s) if !s.is_empty() => Some(safe(s)),
            Value::Array(items) => items.first().and_then(Value::as_str).map(safe),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
}

/// A detection that fired: the detail, and a severity when it differs from
/// the catalogue's.
pub(crate) struct Hit {
    pub severity: Option<Severity>,
    pub detail: String,
}

impl Hit {
    pub fn new(detail: impl Into<String>) -> Option<Hit> {
        Some(Hit {
            severity: None,
            detail: detail.into(),
        })
    }

    pub fn with(severity: Severity, detail: impl Into<String>) -> Option<Hit> {
        Some(Hit {
            severity: Some(severity),
            detail: detail.into(),
        })
    }
}

/// Every built-in detection, in the order the README lists them.
pub static CATALOGUE: &[Detection] = &[
    Detection {
        id: "console-login-without-mfa",
        severity: Severity::High,
        why: "an IAM user or the root user signed in to the console with a password alone",
        anchors: &[
            "CIS AWS Foundations 4.2 (v1.x 3.2): ConsoleLogin, MFAUsed != Yes, IAMUser, Success",
            "Panther AWS.Console.LoginWithoutMFA",
        ],
        check: account::console_login_without_mfa,
    },
    Detection {
        id: "console-login-failure",
        severity: Severity::Medium,
        why: "a console sign-in failed: a guessed or stolen password, or a brute force",
        anchors: &[
            "CIS AWS Foundations 4.6 (v1.x 3.6): ConsoleLogin with errorMessage Failed authentication",
            "Elastic: AWS Management Console Brute Force of Root User Identity",
        ],
        check: account::console_login_failure,
    },
    Detection {
        id: "root-activity",
        severity: Severity::High,
        why: "the root user acted; it cannot be restricted and should be locked away",
        anchors: &[
            "CIS AWS Foundations 4.3 (v1.x 3.3): userIdentity.type Root, no invokedBy, eventType != AwsServiceEvent",
            "Sigma: AWS Root Credentials (aws_root_account_usage)",
        ],
        check: account::root_activity,
    },
    Detection {
        id: "unauthorized-api-call",
        severity: Severity::Medium,
        why: "a call was denied: probing for permissions, or a credential used outside its role",
        anchors: &[
            "CIS AWS Foundations 4.1 (v1.x 3.1): errorCode *UnauthorizedOperation or AccessDenied*, not HeadBucket, not delivery.logs.amazonaws.com",
        ],
        check: account::unauthorized_api_call,
    },
    Detection {
        id: "iam-policy-change",
        severity: Severity::Medium,
        why: "an IAM policy was created, changed, attached or detached: who can do what just changed",
        anchors: &[
            "CIS AWS Foundations 4.4 (v1.x 3.4): the 16 IAM policy events",
            "Elastic: AWS IAM AdministratorAccess Policy Attached to User/Group/Role",
        ],
        check: iam::iam_policy_change,
    },
    Detection {
        id: "access-key-created",
        severity: Severity::Medium,
        why: "a long-term access key was created; for another user it is a classic persistence step",
        anchors: &[
            "Elastic: AWS IAM User Created Access Keys For Another User",
            "Sigma: AWS IAM Backdoor Users Keys (aws_iam_backdoor_users_keys)",
        ],
        check: iam::access_key_created,
    },
    Detection {
        id: "mfa-device-deactivated",
        severity: Severity::High,
        why: "an MFA device was deactivated or deleted: the account is back to a password alone",
        anchors: &[
            "Elastic: AWS IAM Deactivation of MFA Device (DeactivateMFADevice, DeleteVirtualMFADevice)",
        ],
        check: iam::mfa_device_deactivated,
    },
    Detection {
        id: "trail-tampering",
        severity: Severity::High,
        why: "CloudTrail logging was stopped, deleted or narrowed: someone is blinding the audit trail",
        anchors: &[
            "CIS AWS Foundations 4.5 (v1.x 3.5): CloudTrail configuration changes",
            "Sigma: AWS CloudTrail Important Change (StopLogging, UpdateTrail, DeleteTrail)",
            "Panther AWS.CloudTrail.Stopped",
        ],
        check: evasion::trail_tampering,
    },
    Detection {
        id: "bucket-policy-change",
        severity: Severity::Medium,
        why: "a bucket policy (or another access setting CIS lists) was replaced or deleted",
        anchors: &["CIS AWS Foundations 4.8 (v1.x 3.8): S3 bucket policy changes"],
        check: s3::bucket_policy_change,
    },
    Detection {
        id: "bucket-made-public",
        severity: Severity::Critical,
        why: "a bucket was opened to everyone: a public policy or ACL, or Block Public Access removed",
        anchors: &[
            "Panther AWS.S3.BucketPolicyModified / aws_resource_made_public",
            "Sigma: AWS Bucket Block Public Access Weakened",
            "S3 User Guide: the meaning of \"public\" (vigil's policy engine decides)",
        ],
        check: s3::bucket_made_public,
    },
    Detection {
        id: "bucket-acl-change",
        severity: Severity::Medium,
        why: "a bucket ACL was replaced: ACL grants reach other accounts and the public",
        anchors: &["CIS AWS Foundations 4.8 (v1.x 3.8): PutBucketAcl"],
        check: s3::bucket_acl_change,
    },
    Detection {
        id: "bucket-encryption-removed",
        severity: Severity::Medium,
        why: "a bucket's default encryption was deleted: a chosen KMS key no longer applies to new objects",
        anchors: &[
            "AWS Foundational Security Best Practices S3 default encryption (as a live event)",
        ],
        check: s3::bucket_encryption_removed,
    },
    Detection {
        id: "versioning-suspended",
        severity: Severity::High,
        why: "bucket versioning was suspended: overwritten or deleted objects can no longer be recovered",
        anchors: &["Elastic: AWS S3 Object Versioning Suspended"],
        check: s3::versioning_suspended,
    },
    Detection {
        id: "cross-account-assume-role",
        severity: Severity::Medium,
        why: "a role was assumed across accounts: another account now acts here (or ours acts there)",
        anchors: &[
            "CloudTrail user guide: userIdentity.accountId differs from recipientAccountId / the role's account",
            "MITRE ATT&CK T1078.004 (cloud accounts)",
        ],
        check: iam::cross_account_assume_role,
    },
    Detection {
        id: "kms-key-disabled",
        severity: Severity::High,
        why: "a KMS key was disabled or scheduled for deletion: data encrypted under it becomes unreadable",
        anchors: &["CIS AWS Foundations 4.7 (v1.x 3.7): DisableKey or ScheduleKeyDeletion"],
        check: evasion::kms_key_disabled,
    },
];

/// The catalogue entry for an id.
pub fn info(id: &str) -> Option<&'static Detection> {
    CATALOGUE.iter().find(|d| d.id == id)
}

/// Every detection that fires on a record, most severe first.
pub fn run(record: &Value, event: &TrailEvent) -> Vec<Alert> {
    let subject = Subject { record, event };
    let mut alerts: Vec<Alert> = CATALOGUE
        .iter()
        .filter_map(|d| {
            (d.check)(&subject).map(|hit| Alert {
                id: d.id.to_string(),
                severity: hit.severity.unwrap_or(d.severity),
                detail: hit.detail,
            })
        })
        .collect();
    // stable: equal severities keep the catalogue's order
    alerts.sort_by_key(|a| std::cmp::Reverse(a.severity));
    alerts
}

/// vigil's own call: the SDK user agent carries `app/vigil`
/// ([`VIGIL_APP_NAME`]), or the caller is (or is opening) a role session
/// named with [`VIGIL_SESSION_PREFIX`].
pub fn is_vigil_call(record: &Value, event: &TrailEvent) -> bool {
    let app = format!("app/{VIGIL_APP_NAME}");
    let by_agent = str_at(record, &["userAgent"]).is_some_and(|ua| {
        ua.split(|c: char| c.is_whitespace() || c == '[' || c == ']')
            .any(|token| token == app)
    });
    let by_session = event
        .principal
        .session_name
        .as_deref()
        .is_some_and(|s| s.starts_with(VIGIL_SESSION_PREFIX));
    let opening_session = event.event_source == "sts.amazonaws.com"
        && str_at(record, &["requestParameters", "roleSessionName"])
            .is_some_and(|s| s.starts_with(VIGIL_SESSION_PREFIX));
    by_agent || by_session || opening_session
}

#[cfg(test)]
mod tests;
