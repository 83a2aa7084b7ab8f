//! Live posture: which bucket or principal an event changed, so the console
//! re-reads it and its findings change on screen.
//!
//! Only calls that succeeded count. S3 logs bucket configuration calls
//! under CloudTrail event names that differ from the API names in places
//! (`PutPublicAccessBlock` → `PutBucketPublicAccessBlock`,
//! `PutBucketLifecycleConfiguration` → `PutBucketLifecycle`,
//! `PutObjectLockConfiguration` → `PutBucketObjectLockConfiguration`;
//! S3 User Guide, "Amazon S3 CloudTrail events"); both spellings are listed.

use serde::Serialize;
use serde_json::Value;

use crate::model::trail::TrailEvent;

/// Something to read again.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum Recheck {
    /// Every facet of this bucket (it may also be new, or gone).
    Bucket(String),
    /// The account's Block Public Access.
    AccountPublicAccessBlock,
    User(String),
    Role(String),
    Group(String),
    /// A managed policy, by ARN (and so everyone it is attached to).
    Policy(String),
    /// Account-wide IAM settings: the password policy, the alias.
    AccountIam,
}

/// S3 calls that change what vigil reads of a bucket.
pub const BUCKET_CHANGES: &[&str] = &[
    "CreateBucket",
    "DeleteBucket",
    "PutBucketPolicy",
    "DeleteBucketPolicy",
    "PutBucketAcl",
    "PutBucketPublicAccessBlock",
    "DeleteBucketPublicAccessBlock",
    "PutPublicAccessBlock",
    "DeletePublicAccessBlock",
    "PutBucketOwnershipControls",
    "DeleteBucketOwnershipControls",
    "PutBucketEncryption",
    "DeleteBucketEncryption",
    "PutBucketVersioning",
    "PutBucketLogging",
    "PutBucketLifecycle",
    "PutBucketLifecycleConfiguration",
    "DeleteBucketLifecycle",
    "PutBucketReplication",
    "DeleteBucketReplication",
    "PutBucketObjectLockConfiguration",
    "PutObjectLockConfiguration",
    "PutBucketTagging",
    "DeleteBucketTagging",
];

/// S3 Control calls on the account's Block Public Access.
const ACCOUNT_BPA_CHANGES: &[&str] = &[
    "PutAccountPublicAccessBlock",
    "DeleteAccountPublicAccessBlock",
];

/// IAM calls that change something start with one of these verbs.
const IAM_WRITE_VERBS: &[&str] = &[
    "Create",
    "Delete",
    "Put",
    "Attach",
    "Detach",
    "Update",
    "Add",
    "Remove",
    "Enable",
    "Deactivate",
    "Resync",
    "Set",
    "Tag",
    "Untag",
    "Upload",
    "Change",
];

/// IAM calls on the account itself rather than a principal.
const IAM_ACCOUNT_CHANGES: &[&str] = &[
    "UpdateAccountPasswordPolicy",
    "DeleteAccountPasswordPolicy",
    "CreateAccountAlias",
    "DeleteAccountAlias",
];

/// What must be re-read because of `e` (empty for reads and failures).
pub fn rechecks(e: &TrailEvent) -> Vec<Recheck> {
    if !e.success {
        return Vec::new();
    }
    match e.event_source.as_str() {
        "s3.amazonaws.com" | "s3-control.amazonaws.com"
            if ACCOUNT_BPA_CHANGES.contains(&e.event_name.as_str()) =>
        {
            vec![Recheck::AccountPublicAccessBlock]
        }
        "s3.amazonaws.com" if BUCKET_CHANGES.contains(&e.event_name.as_str()) => e
            .bucket
            .iter()
            .map(|b| Recheck::Bucket(b.clone()))
            .collect(),
        "iam.amazonaws.com" => iam_rechecks(e),
        _ => Vec::new(),
    }
}

fn iam_rechecks(e: &TrailEvent) -> Vec<Recheck> {
    let name = e.event_name.as_str();
    if !IAM_WRITE_VERBS.iter().any(|v| name.starts_with(v)) {
        return Vec::new();
    }
    if IAM_ACCOUNT_CHANGES.contains(&name) {
        return vec![Recheck::AccountIam];
    }
    // The raw record's strings are sanitised; a name that needed escaping
    // is not a name IAM accepts, so nothing real is missed.
    let record: Value = serde_json::from_str(&e.raw).unwrap_or(Value::Null);
    let param = |k: &str| {
        record
            .pointer(&format!("/requestParameters/{k}"))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let mut out = Vec::new();
    if let Some(u) = param("userName") {
        out.push(Recheck::User(u));
    }
    if let Some(r) = param("roleName") {
        out.push(Recheck::Role(r));
    }
    if let Some(g) = param("groupName") {
        out.push(Recheck::Group(g));
    }
    if let Some(p) = param("policyArn") {
        out.push(Recheck::Policy(p));
    }
    if out.is_empty() {
        // CreateAccessKey, ChangePassword, EnableMFADevice… without a user
        // name act on the caller.
        match (&e.principal.kind[..], &e.principal.user_name) {
            ("IAMUser", Some(u)) => out.push(Recheck::User(u.clone())),
            _ => out.push(Recheck::AccountIam),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::trail::RecordOrigin;
    use crate::tail::parse::normalise;

    fn event(source: &str, name: &str, params: serde_json::Value, error: bool) -> TrailEvent {
        let mut r = json!({
            "eventVersion": "1.08", "eventTime": "2025-01-01T00:00:00Z",
            "eventSource": source, "eventName": name,
            "userIdentity": {"type": "IAMUser", "userName": "carol", "accountId": "1"},
            "requestParameters": params, "eventID": "e"
        });
        if error {
            r["errorCode"] = json!("AccessDenied");
        }
        normalise(r, RecordOrigin::default()).unwrap()
    }

    #[test]
    fn bucket_configuration_changes_name_the_bucket() {
        for name in [
            "PutBucketPolicy",
            "DeleteBucketPolicy",
            "PutBucketAcl",
            "PutBucketPublicAccessBlock",
            "DeleteBucketPublicAccessBlock",
            "PutBucketEncryption",
            "DeleteBucketEncryption",
            "PutBucketVersioning",
            "PutBucketLogging",
            "PutBucketOwnershipControls",
        ] {
            let e = event("s3.amazonaws.com", name, json!({"bucketName": "b"}), false);
            assert_eq!(rechecks(&e), [Recheck::Bucket("b".into())], "{name}");
        }
    }

    #[test]
    fn reads_failures_and_objects_change_nothing() {
        let read = event(
            "s3.amazonaws.com",
            "GetBucketPolicy",
            json!({"bucketName": "b"}),
            false,
        );
        let failed = event(
            "s3.amazonaws.com",
            "PutBucketPolicy",
            json!({"bucketName": "b"}),
            true,
        );
        let object = event(
            "s3.amazonaws.com",
            "PutObject",
            json!({"bucketName": "b", "key": "k"}),
            false,
        );
        let iam_read = event(
            "iam.amazonaws.com",
            "GetUser",
            json!({"userName": "x"}),
            false,
        );
        for e in [read, failed, object, iam_read] {
            assert!(rechecks(&e).is_empty(), "{}", e.event_name);
        }
    }

    #[test]
    fn account_block_public_access_is_its_own_recheck() {
        let e = event(
            "s3.amazonaws.com",
            "PutAccountPublicAccessBlock",
            json!({}),
            false,
        );
        assert_eq!(rechecks(&e), [Recheck::AccountPublicAccessBlock]);
    }

    #[test]
    fn iam_changes_name_the_principals_and_policies() {
        let e = event(
            "iam.amazonaws.com",
            "AttachUserPolicy",
            json!({"userName": "bob", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}),
            false,
        );
        assert_eq!(
            rechecks(&e),
            [
                Recheck::User("bob".into()),
                Recheck::Policy("arn:aws:iam::aws:policy/AdministratorAccess".into())
            ]
        );
        let e = event(
            "iam.amazonaws.com",
            "AddUserToGroup",
            json!({"userName": "bob", "groupName": "admins"}),
            false,
        );
        assert_eq!(
            rechecks(&e),
            [Recheck::User("bob".into()), Recheck::Group("admins".into())]
        );
        let e = event(
            "iam.amazonaws.com",
            "UpdateAssumeRolePolicy",
            json!({"roleName": "r"}),
            false,
        );
        assert_eq!(rechecks(&e), [Recheck::Role("r".into())]);
        let own = event("iam.amazonaws.com", "CreateAccessKey", json!({}), false);
        assert_eq!(rechecks(&own), [Recheck::User("carol".into())]);
        let pw = event(
            "iam.amazonaws.com",
            "UpdateAccountPasswordPolicy",
            json!({"minimumPasswordLength": 8}),
            false,
        );
        assert_eq!(rechecks(&pw), [Recheck::AccountIam]);
    }
}
