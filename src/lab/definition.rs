//! The shape of the lab file (`lab/lab.toml`).

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::model::s3::PublicAccessBlock;

/// The whole lab account.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lab {
    pub account_id: String,
    /// The account alias (`CreateAccountAlias`), shown beside the id.
    #[serde(default)]
    pub account_alias: Option<String>,
    /// The canonical user id S3 reports as the owner of every bucket.
    pub owner_canonical_id: String,
    /// What some endpoints cannot express, in words.
    #[serde(default)]
    pub notes: Vec<String>,
    #[serde(default)]
    pub account_public_access_block: Option<PublicAccessBlockDef>,
    #[serde(default, rename = "bucket")]
    pub buckets: Vec<BucketDef>,
    #[serde(default)]
    pub iam: IamDef,
    #[serde(default, rename = "log_group")]
    pub log_groups: Vec<LogGroupDef>,
}

/// Block Public Access as the lab writes it.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicAccessBlockDef {
    #[serde(default)]
    pub block_public_acls: bool,
    #[serde(default)]
    pub ignore_public_acls: bool,
    #[serde(default)]
    pub block_public_policy: bool,
    #[serde(default)]
    pub restrict_public_buckets: bool,
}

impl From<PublicAccessBlockDef> for PublicAccessBlock {
    fn from(d: PublicAccessBlockDef) -> Self {
        PublicAccessBlock {
            block_public_acls: d.block_public_acls,
            ignore_public_acls: d.ignore_public_acls,
            block_public_policy: d.block_public_policy,
            restrict_public_buckets: d.restrict_public_buckets,
        }
    }
}

/// A canned ACL (S3 User Guide, "Canned ACL").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CannedAcl {
    #[default]
    Private,
    PublicRead,
    PublicReadWrite,
    AuthenticatedRead,
    LogDeliveryWrite,
}

impl CannedAcl {
    pub fn as_str(&self) -> &'static str {
        match self {
            CannedAcl::Private => "private",
            CannedAcl::PublicRead => "public-read",
            CannedAcl::PublicReadWrite => "public-read-write",
            CannedAcl::AuthenticatedRead => "authenticated-read",
            CannedAcl::LogDeliveryWrite => "log-delivery-write",
        }
    }
}

/// An extra ACL grant: to a canonical user (e.g. another account) or to a
/// predefined group (`AllUsers`, `AuthenticatedUsers`, `LogDelivery`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantDef {
    #[serde(default)]
    pub canonical_id: Option<String>,
    #[serde(default)]
    pub group: Option<String>,
    pub permission: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncryptionDef {
    /// `AES256`, `aws:kms` or `aws:kms:dsse`.
    pub algorithm: String,
    #[serde(default)]
    pub kms_key_id: Option<String>,
    #[serde(default)]
    pub bucket_key: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoggingDef {
    pub target_bucket: String,
    #[serde(default)]
    pub target_prefix: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LifecycleDef {
    pub id: String,
    pub expiration_days: i32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplicationDef {
    pub role: String,
    pub destination_bucket: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectLockDef {
    #[serde(default)]
    pub mode: Option<String>,
    #[serde(default)]
    pub days: Option<i32>,
}

/// One lab bucket. Every facet not named is "not configured".
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BucketDef {
    pub name: String,
    pub region: String,
    /// Why this bucket is in the lab.
    pub purpose: String,
    /// The policy; `${bucket}` and `${account}` are replaced.
    #[serde(default)]
    pub policy: Option<String>,
    #[serde(default)]
    pub acl: CannedAcl,
    #[serde(default)]
    pub grants: Vec<GrantDef>,
    #[serde(default)]
    pub public_access_block: Option<PublicAccessBlockDef>,
    #[serde(default)]
    pub ownership: Option<String>,
    #[serde(default)]
    pub encryption: Option<EncryptionDef>,
    /// `Enabled` or `Suspended`; absent means never enabled.
    #[serde(default)]
    pub versioning: Option<String>,
    /// MFA Delete (only meaningful with versioning).
    #[serde(default)]
    pub mfa_delete: bool,
    #[serde(default)]
    pub logging: Option<LoggingDef>,
    #[serde(default)]
    pub lifecycle: Vec<LifecycleDef>,
    #[serde(default)]
    pub replication: Option<ReplicationDef>,
    #[serde(default)]
    pub object_lock: Option<ObjectLockDef>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// Rule ids that must fail on this bucket (checked by the tests).
    #[serde(default)]
    pub expect_fail: Vec<String>,
    /// Rule ids that must pass on this bucket (checked by the tests).
    #[serde(default)]
    pub expect_pass: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IamDef {
    /// The root user as the credential report and account summary show it
    /// (only the demo can express it; see notes).
    #[serde(default)]
    pub root: Option<RootDef>,
    #[serde(default)]
    pub password_policy: Option<PasswordPolicyDef>,
    #[serde(default, rename = "policy")]
    pub policies: Vec<ManagedPolicyDef>,
    #[serde(default, rename = "group")]
    pub groups: Vec<GroupDef>,
    #[serde(default, rename = "user")]
    pub users: Vec<UserDef>,
    #[serde(default, rename = "role")]
    pub roles: Vec<RoleDef>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordPolicyDef {
    pub minimum_length: i32,
    #[serde(default)]
    pub require_symbols: bool,
    #[serde(default)]
    pub require_numbers: bool,
    #[serde(default)]
    pub require_uppercase: bool,
    #[serde(default)]
    pub require_lowercase: bool,
    #[serde(default)]
    pub max_age_days: Option<i32>,
    #[serde(default)]
    pub reuse_prevention: Option<i32>,
    /// IAM rule ids that must fail / pass on the password policy.
    #[serde(default)]
    pub expect_fail: Vec<String>,
    #[serde(default)]
    pub expect_pass: Vec<String>,
}

/// The root user: MFA, access keys and recent use, as the credential report
/// would show them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RootDef {
    pub purpose: String,
    #[serde(default)]
    pub mfa: bool,
    /// Days since the root password was last used; absent: never.
    #[serde(default)]
    pub password_last_used_days: Option<u32>,
    #[serde(default)]
    pub access_keys: Vec<AccessKeyDef>,
    #[serde(default)]
    pub expect_fail: Vec<String>,
    #[serde(default)]
    pub expect_pass: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManagedPolicyDef {
    pub name: String,
    pub document: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InlinePolicyDef {
    pub name: String,
    pub document: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupDef {
    pub name: String,
    /// Names of lab managed policies.
    #[serde(default)]
    pub attached: Vec<String>,
    #[serde(default)]
    pub inline: Vec<InlinePolicyDef>,
    #[serde(default)]
    pub expect_fail: Vec<String>,
    #[serde(default)]
    pub expect_pass: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessKeyDef {
    /// `Active` or `Inactive`.
    pub status: String,
    /// Age in days (only the demo can express it; see notes).
    #[serde(default)]
    pub age_days: Option<u32>,
    /// Days since the key was last used; absent: never (demo only).
    #[serde(default)]
    pub last_used_days: Option<u32>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserDef {
    pub name: String,
    pub purpose: String,
    #[serde(default)]
    pub console_password: bool,
    /// Days since the console password was last used; absent: never (demo
    /// only).
    #[serde(default)]
    pub password_last_used_days: Option<u32>,
    #[serde(default)]
    pub mfa: bool,
    #[serde(default)]
    pub groups: Vec<String>,
    #[serde(default)]
    pub attached: Vec<String>,
    #[serde(default)]
    pub inline: Vec<InlinePolicyDef>,
    #[serde(default)]
    pub access_keys: Vec<AccessKeyDef>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub expect_fail: Vec<String>,
    #[serde(default)]
    pub expect_pass: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleDef {
    pub name: String,
    pub purpose: String,
    pub trust_policy: String,
    #[serde(default)]
    pub attached: Vec<String>,
    #[serde(default)]
    pub inline: Vec<InlinePolicyDef>,
    #[serde(default)]
    pub expect_fail: Vec<String>,
    #[serde(default)]
    pub expect_pass: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogGroupDef {
    pub name: String,
    pub stream: String,
    #[serde(default)]
    pub retention_days: Option<i32>,
    /// Messages, oldest first; `${time}` becomes the event's ISO-8601 time,
    /// `${account}` the account id. Event i is stamped `(n - i)` minutes
    /// before the seed (or demo start).
    #[serde(default)]
    pub events: Vec<String>,
}
