//! IAM principals and policies, as read from the account.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::facet::Facet;
use super::s3::Tag;

/// A policy embedded in a user, group or role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InlinePolicy {
    pub name: String,
    /// The JSON document, URL-decoded.
    pub document: String,
}

/// A managed policy with its default version's document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedPolicy {
    pub name: String,
    pub arn: String,
    pub default_version_id: String,
    pub document: String,
    pub attachment_count: i32,
}

/// An MFA device of a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaDevice {
    pub serial_number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_date: Option<String>,
}

/// An access key (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessKey {
    pub id: String,
    /// `Active` or `Inactive`.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_date: Option<String>,
}

/// An IAM user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub name: String,
    pub arn: String,
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_date: Option<String>,
    pub groups: Vec<String>,
    pub inline_policies: Vec<InlinePolicy>,
    /// ARNs of attached managed policies.
    pub attached_policies: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<String>,
    pub mfa_devices: Facet<Vec<MfaDevice>>,
    pub access_keys: Facet<Vec<AccessKey>>,
    pub tags: Vec<Tag>,
}

/// An IAM group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub name: String,
    pub arn: String,
    pub path: String,
    pub inline_policies: Vec<InlinePolicy>,
    pub attached_policies: Vec<String>,
}

/// An IAM role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Role {
    pub name: String,
    pub arn: String,
    pub path: String,
    /// The trust policy (`AssumeRolePolicyDocument`), URL-decoded.
    pub trust_policy: String,
    pub inline_policies: Vec<InlinePolicy>,
    pub attached_policies: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<String>,
    pub tags: Vec<Tag>,
}

/// The account password policy (absent: AWS's default, which CIS fails).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordPolicy {
    pub minimum_length: i32,
    pub require_symbols: bool,
    pub require_numbers: bool,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age_days: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reuse_prevention: Option<i32>,
}

/// One row of the IAM credential report, every column kept as AWS wrote
/// it (`N/A`, `not_supported`, `no_information` are values, not errors).
pub type CredentialReportRow = BTreeMap<String, String>;

/// Everything vigil reads from IAM.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IamInventory {
    pub users: Vec<User>,
    pub groups: Vec<Group>,
    pub roles: Vec<Role>,
    /// Customer-managed policies and the AWS-managed ones attached to something.
    pub policies: Vec<ManagedPolicy>,
    pub credential_report: Facet<Vec<CredentialReportRow>>,
    pub account_summary: Facet<BTreeMap<String, i32>>,
    pub password_policy: Facet<PasswordPolicy>,
}
