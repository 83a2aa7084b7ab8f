//! A write to the account, as data: what a remediation applies, what the
//! journal records as before and after, and what undo applies back.
//!
//! Every change *sets* a configuration to a state (`None` = remove it), so
//! the state read before a change is itself the change that undoes it.

use serde::{Deserialize, Serialize};

use super::s3::{Acl, Encryption, Logging, ObjectOwnership, PublicAccessBlock, VersioningStatus};

/// One configuration write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    BucketPublicAccessBlock {
        bucket: String,
        value: Option<PublicAccessBlock>,
    },
    AccountPublicAccessBlock {
        account_id: String,
        value: Option<PublicAccessBlock>,
    },
    BucketEncryption {
        bucket: String,
        value: Option<Encryption>,
    },
    /// The policy document exactly as it is to be stored.
    BucketPolicy {
        bucket: String,
        value: Option<String>,
    },
    BucketAcl {
        bucket: String,
        acl: Acl,
    },
    BucketOwnership {
        bucket: String,
        value: Option<ObjectOwnership>,
    },
    /// `Off` cannot be set back on S3; only `Enabled` or `Suspended`.
    BucketVersioning {
        bucket: String,
        status: VersioningStatus,
    },
    BucketLogging {
        bucket: String,
        value: Option<Logging>,
    },
    AccessKeyStatus {
        user: String,
        key_id: String,
        /// `Active` or `Inactive`.
        status: String,
    },
    UserInlinePolicy {
        user: String,
        name: String,
        document: Option<String>,
    },
}

impl Change {
    /// The bucket this change is about, when it is about one.
    pub fn bucket(&self) -> Option<&str> {
        match self {
            Change::BucketPublicAccessBlock { bucket, .. }
            | Change::BucketEncryption { bucket, .. }
            | Change::BucketPolicy { bucket, .. }
            | Change::BucketAcl { bucket, .. }
            | Change::BucketOwnership { bucket, .. }
            | Change::BucketVersioning { bucket, .. }
            | Change::BucketLogging { bucket, .. } => Some(bucket),
            _ => None,
        }
    }

    /// The AWS API call that makes this change.
    pub fn api_call(&self) -> &'static str {
        match self {
            Change::BucketPublicAccessBlock { value: Some(_), .. } => "s3:PutPublicAccessBlock",
            Change::BucketPublicAccessBlock { value: None, .. } => "s3:DeletePublicAccessBlock",
            Change::AccountPublicAccessBlock { value: Some(_), .. } => {
                "s3control:PutPublicAccessBlock"
            }
            Change::AccountPublicAccessBlock { value: None, .. } => {
                "s3control:DeletePublicAccessBlock"
            }
            Change::BucketEncryption { value: Some(_), .. } => "s3:PutBucketEncryption",
            Change::BucketEncryption { value: None, .. } => "s3:DeleteBucketEncryption",
            Change::BucketPolicy { value: Some(_), .. } => "s3:PutBucketPolicy",
            Change::BucketPolicy { value: None, .. } => "s3:DeleteBucketPolicy",
            Change::BucketAcl { .. } => "s3:PutBucketAcl",
            Change::BucketOwnership { value: Some(_), .. } => "s3:PutBucketOwnershipControls",
            Change::BucketOwnership { value: None, .. } => "s3:DeleteBucketOwnershipControls",
            Change::BucketVersioning { .. } => "s3:PutBucketVersioning",
            Change::BucketLogging { .. } => "s3:PutBucketLogging",
            Change::AccessKeyStatus { .. } => "iam:UpdateAccessKey",
            Change::UserInlinePolicy {
                document: Some(_), ..
            } => "iam:PutUserPolicy",
            Change::UserInlinePolicy { document: None, .. } => "iam:DeleteUserPolicy",
        }
    }
}
