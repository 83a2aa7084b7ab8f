//! S3 buckets and their facets, as read from the account.

use serde::{Deserialize, Serialize};

use super::facet::Facet;

/// Block Public Access settings, for a bucket or for the whole account.
/// <https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html>
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PublicAccessBlock {
    #[serde(default)]
    pub block_public_acls: bool,
    #[serde(default)]
    pub ignore_public_acls: bool,
    #[serde(default)]
    pub block_public_policy: bool,
    #[serde(default)]
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlock {
    pub const ALL_ON: PublicAccessBlock = PublicAccessBlock {
        block_public_acls: true,
        ignore_public_acls: true,
        block_public_policy: true,
        restrict_public_buckets: true,
    };

    pub fn all_on(&self) -> bool {
        *self == Self::ALL_ON
    }
}

/// `ObjectOwnership` from the bucket's ownership controls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ObjectOwnership {
    BucketOwnerEnforced,
    BucketOwnerPreferred,
    ObjectWriter,
}

impl ObjectOwnership {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "BucketOwnerEnforced" => Some(Self::BucketOwnerEnforced),
            "BucketOwnerPreferred" => Some(Self::BucketOwnerPreferred),
            "ObjectWriter" => Some(Self::ObjectWriter),
            _ => None,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::BucketOwnerEnforced => "BucketOwnerEnforced",
            Self::BucketOwnerPreferred => "BucketOwnerPreferred",
            Self::ObjectWriter => "ObjectWriter",
        }
    }
}

/// Who an ACL grant is for (`GetBucketAcl` `Grantee`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "Type")]
pub enum Grantee {
    CanonicalUser {
        #[serde(rename = "ID")]
        id: String,
        #[serde(
            rename = "DisplayName",
            default,
            skip_serializing_if = "Option::is_none"
        )]
        display_name: Option<String>,
    },
    Group {
        #[serde(rename = "URI")]
        uri: String,
    },
    AmazonCustomerByEmail {
        #[serde(rename = "EmailAddress")]
        email: String,
    },
}

/// The predefined group every anonymous requester belongs to.
pub const ALL_USERS_URI: &str = "http://acs.amazonaws.com/groups/global/AllUsers";
/// Every signed-in AWS account, any account.
pub const AUTHENTICATED_USERS_URI: &str =
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
/// The S3 server access log delivery group.
pub const LOG_DELIVERY_URI: &str = "http://acs.amazonaws.com/groups/s3/LogDelivery";

/// One ACL grant, in the shape `get-bucket-acl` prints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AclGrant {
    #[serde(rename = "Grantee")]
    pub grantee: Grantee,
    /// `FULL_CONTROL`, `READ`, `WRITE`, `READ_ACP`, `WRITE_ACP`.
    #[serde(rename = "Permission")]
    pub permission: String,
}

/// The bucket's access control list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acl {
    /// Canonical id of the bucket owner.
    pub owner_id: String,
    pub grants: Vec<AclGrant>,
}

/// Default encryption algorithm (`SSEAlgorithm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SseAlgorithm {
    #[serde(rename = "AES256")]
    Aes256,
    #[serde(rename = "aws:kms")]
    AwsKms,
    #[serde(rename = "aws:kms:dsse")]
    AwsKmsDsse,
}

impl SseAlgorithm {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "AES256" => Some(Self::Aes256),
            "aws:kms" => Some(Self::AwsKms),
            "aws:kms:dsse" => Some(Self::AwsKmsDsse),
            _ => None,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Aes256 => "AES256",
            Self::AwsKms => "aws:kms",
            Self::AwsKmsDsse => "aws:kms:dsse",
        }
    }

    /// A short label for tables: SSE-S3, SSE-KMS, DSSE-KMS.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Aes256 => "SSE-S3",
            Self::AwsKms => "SSE-KMS",
            Self::AwsKmsDsse => "DSSE-KMS",
        }
    }
}

/// Default encryption (`GetBucketEncryption`, first rule).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Encryption {
    pub algorithm: SseAlgorithm,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    #[serde(default)]
    pub bucket_key_enabled: bool,
}

/// Versioning state. A bucket that never had versioning reports neither
/// status: `Off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VersioningStatus {
    Off,
    Enabled,
    Suspended,
}

/// `GetBucketVersioning`: status and MFA Delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Versioning {
    pub status: VersioningStatus,
    pub mfa_delete: bool,
}

/// Server access logging target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Logging {
    pub target_bucket: String,
    pub target_prefix: String,
}

/// A lifecycle rule, summarised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LifecycleRule {
    pub id: String,
    pub enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_days: Option<i32>,
}

/// A replication configuration, summarised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Replication {
    pub role: String,
    /// Destination bucket ARNs of enabled rules.
    pub destinations: Vec<String>,
}

/// Object Lock configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectLock {
    pub enabled: bool,
    /// `GOVERNANCE` or `COMPLIANCE` when a default retention is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_days: Option<i32>,
}

/// A resource tag. Both halves are attacker-controllable text, sanitised on entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// S3's own verdict (`GetBucketPolicyStatus`), kept beside vigil's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyStatus {
    pub is_public: bool,
}

/// One bucket and every facet vigil reads of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bucket {
    pub name: String,
    /// The bucket's region (`GetBucketLocation`; an empty constraint is us-east-1).
    pub region: Facet<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<String>,
    /// The policy document exactly as stored (parsed by `policy` on demand).
    pub policy: Facet<String>,
    pub policy_status: Facet<PolicyStatus>,
    pub acl: Facet<Acl>,
    pub public_access_block: Facet<PublicAccessBlock>,
    pub ownership: Facet<ObjectOwnership>,
    pub encryption: Facet<Encryption>,
    pub versioning: Facet<Versioning>,
    pub logging: Facet<Logging>,
    pub lifecycle: Facet<Vec<LifecycleRule>>,
    pub replication: Facet<Replication>,
    pub object_lock: Facet<ObjectLock>,
    pub tags: Facet<Vec<Tag>>,
}

impl Bucket {
    pub fn arn(&self) -> String {
        format!("arn:aws:s3:::{}", self.name)
    }

    /// A bucket whose facets are not read yet (every facet unknown).
    pub fn unread(name: impl Into<String>) -> Self {
        let pending = || crate::model::facet::Unknown {
            reason: crate::model::facet::UnknownReason::Other,
            detail: "not read".into(),
        };
        Bucket {
            name: name.into(),
            region: Facet::Unknown(pending()),
            creation_date: None,
            policy: Facet::Unknown(pending()),
            policy_status: Facet::Unknown(pending()),
            acl: Facet::Unknown(pending()),
            public_access_block: Facet::Unknown(pending()),
            ownership: Facet::Unknown(pending()),
            encryption: Facet::Unknown(pending()),
            versioning: Facet::Unknown(pending()),
            logging: Facet::Unknown(pending()),
            lifecycle: Facet::Unknown(pending()),
            replication: Facet::Unknown(pending()),
            object_lock: Facet::Unknown(pending()),
            tags: Facet::Unknown(pending()),
        }
    }
}
