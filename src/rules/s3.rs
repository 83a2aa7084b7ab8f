//! The S3 rule catalogue: each rule's id, title, severity, framework
//! controls and remediation. The checks live in `s3/` by meaning; they feed
//! the policy engine (`policy`) and never re-derive its semantics.
//!
//! Framework sources:
//! - CIS AWS Foundations Benchmark v3.0.0 and v4.0.1: 2.1.1 "Ensure S3 Bucket
//!   Policy is set to deny HTTP requests", 2.1.2 "Ensure MFA Delete is
//!   enabled on S3 buckets", 2.1.4 "Ensure that S3 is configured with 'Block
//!   Public Access' enabled" (bucket and account settings), 3.4 "Ensure that
//!   server access logging is enabled on the CloudTrail S3 bucket". Neither
//!   version has an S3 at-rest encryption recommendation any more (v1.4's
//!   2.1.1), nor a separate one for the CloudTrail bucket's publicity.
//! - AWS Security Hub, "Security Hub controls for Amazon S3"
//!   (securityhub/latest/userguide/s3-controls.html), whose "Related
//!   requirements" also pin the CIS numbers above (S3.1 → v3.0.0/2.1.4,
//!   S3.5 → 2.1.1, S3.8 → 2.1.4, S3.20 → 2.1.2). Severities follow Security
//!   Hub's where it has one, except where a rule's doc says otherwise.

pub mod access;
pub mod facts;
pub mod protection;
pub mod trail;

use super::{Check, Rule, Service};
use crate::model::finding::Severity;

/// The S3 catalogue, in the order findings are listed for a bucket.
pub static RULES: &[Rule] = &[
    Rule {
        // Security Hub S3.1 rates it medium; vigil rates it like S3.8, since
        // one setting covers every bucket of the account.
        id: "s3-account-bpa-off",
        title: "Account-level Block Public Access is not fully on",
        severity: Severity::High,
        service: Service::S3,
        frameworks: &["CIS-AWS-3.0:2.1.4", "CIS-AWS-4.0:2.1.4", "FSBP:S3.1"],
        remediation: Some("account-bpa-on"),
        check: Check::Account(access::account_bpa_off),
    },
    Rule {
        id: "s3-bucket-bpa-off",
        title: "Block Public Access is not fully on for the bucket (bucket and account settings combined)",
        severity: Severity::High,
        service: Service::S3,
        frameworks: &["CIS-AWS-3.0:2.1.4", "CIS-AWS-4.0:2.1.4", "FSBP:S3.8"],
        remediation: Some("bucket-bpa-on"),
        check: Check::Bucket(access::bucket_bpa_off),
    },
    Rule {
        id: "s3-public-read",
        title: "Anyone can read the bucket (public by policy or ACL)",
        severity: Severity::Critical,
        service: Service::S3,
        frameworks: &["FSBP:S3.2"],
        remediation: Some("bucket-bpa-on"),
        check: Check::Bucket(access::public_read),
    },
    Rule {
        id: "s3-public-write",
        title: "Anyone can write to the bucket (public by policy or ACL)",
        severity: Severity::Critical,
        service: Service::S3,
        frameworks: &["FSBP:S3.3"],
        remediation: Some("bucket-bpa-on"),
        check: Check::Bucket(access::public_write),
    },
    Rule {
        id: "s3-external-access",
        title: "Another account or a whole organisation is granted access",
        severity: Severity::High,
        service: Service::S3,
        frameworks: &["FSBP:S3.6"],
        // A grant to a named partner account or an organisation is often
        // intended and is not public, so `bucket-remove-public-statements`
        // would leave it: no remediation can decide it for the operator.
        remediation: None,
        check: Check::Bucket(access::external_access),
    },
    Rule {
        id: "s3-insecure-transport",
        title: "Requests over plain HTTP are not denied by the bucket policy",
        severity: Severity::Medium,
        service: Service::S3,
        frameworks: &["CIS-AWS-3.0:2.1.1", "CIS-AWS-4.0:2.1.1", "FSBP:S3.5"],
        remediation: Some("bucket-deny-insecure-transport"),
        check: Check::Bucket(protection::insecure_transport),
    },
    Rule {
        // Security Hub's S3.4 (also CIS v1.4 2.1.1); the later benchmarks
        // dropped it when S3 began encrypting every new object by default.
        id: "s3-no-default-encryption",
        title: "No default encryption",
        severity: Severity::Medium,
        service: Service::S3,
        frameworks: &["FSBP:S3.4"],
        remediation: Some("bucket-encryption-sse-s3"),
        check: Check::Bucket(protection::no_default_encryption),
    },
    Rule {
        // Informational, as the issue asks (Security Hub rates S3.17 medium).
        id: "s3-not-kms-encrypted",
        title: "Default encryption does not use a KMS key",
        severity: Severity::Info,
        service: Service::S3,
        frameworks: &["FSBP:S3.17"],
        remediation: Some("bucket-encryption-sse-kms"),
        check: Check::Bucket(protection::not_kms_encrypted),
    },
    Rule {
        // Security Hub rates S3.14 low; versioning is what recovers data
        // after a destructive intruder, so vigil rates it medium.
        id: "s3-versioning-off",
        title: "Bucket versioning is not enabled",
        severity: Severity::Medium,
        service: Service::S3,
        frameworks: &["FSBP:S3.14"],
        remediation: Some("bucket-versioning-on"),
        check: Check::Bucket(protection::versioning_off),
    },
    Rule {
        // No remediation: only the root user, with its MFA device, can turn
        // MFA Delete on (CIS 2.1.2, remediation procedure).
        id: "s3-mfa-delete-off",
        title: "MFA Delete is off on a versioned bucket",
        severity: Severity::Low,
        service: Service::S3,
        frameworks: &["CIS-AWS-3.0:2.1.2", "CIS-AWS-4.0:2.1.2", "FSBP:S3.20"],
        remediation: None,
        check: Check::Bucket(protection::mfa_delete_off),
    },
    Rule {
        id: "s3-logging-off",
        title: "Server access logging is off",
        severity: Severity::Medium,
        service: Service::S3,
        frameworks: &["FSBP:S3.9"],
        remediation: Some("bucket-logging-on"),
        check: Check::Bucket(protection::logging_off),
    },
    Rule {
        id: "s3-acls-enabled",
        title: "ACLs are enabled (Object Ownership is not BucketOwnerEnforced)",
        severity: Severity::Medium,
        service: Service::S3,
        frameworks: &["FSBP:S3.12"],
        remediation: Some("bucket-ownership-enforced"),
        check: Check::Bucket(access::acls_enabled),
    },
    Rule {
        id: "s3-no-lifecycle",
        title: "No enabled lifecycle rule",
        severity: Severity::Low,
        service: Service::S3,
        frameworks: &["FSBP:S3.13"],
        remediation: None,
        check: Check::Bucket(protection::no_lifecycle),
    },
    Rule {
        // Informational, as the issue asks (Security Hub rates S3.15 medium).
        id: "s3-no-object-lock",
        title: "Object Lock is not enabled",
        severity: Severity::Info,
        service: Service::S3,
        frameworks: &["FSBP:S3.15"],
        remediation: None,
        check: Check::Bucket(protection::no_object_lock),
    },
    Rule {
        // Public trail buckets also fail s3-public-read/-write, whose
        // remediation (bucket-bpa-on) fixes that half; this rule's own is the
        // access logging CIS 3.4 asks for.
        id: "s3-trail-bucket-exposed",
        title: "A CloudTrail log bucket is public or not access-logged",
        severity: Severity::High,
        service: Service::S3,
        frameworks: &["CIS-AWS-3.0:3.4", "CIS-AWS-4.0:3.4"],
        remediation: Some("bucket-logging-on"),
        check: Check::Bucket(trail::trail_bucket_exposed),
    },
    Rule {
        // Not a posture control: a disagreement between S3's own
        // GetBucketPolicyStatus and vigil's engine, shown on the bucket.
        id: "s3-policy-status-mismatch",
        title: "S3's own policy status (GetBucketPolicyStatus) disagrees with vigil",
        severity: Severity::Info,
        service: Service::S3,
        frameworks: &[],
        remediation: None,
        check: Check::Bucket(access::policy_status_mismatch),
    },
];
