//! Who vigil is talking to.

use serde::{Deserialize, Serialize};

/// `GetCallerIdentity`, plus the region vigil is working in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallerIdentity {
    pub account_id: String,
    pub caller_arn: String,
    pub region: String,
    /// The account alias (`ListAccountAliases`), when it has one and vigil
    /// may read it; people know accounts by their alias more than their id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
}

/// The application name vigil gives the AWS SDK; AWS appends it to the
/// user agent (`app/vigil`) of every request, so CloudTrail records of
/// vigil's own calls can be told apart from an attacker's.
pub const VIGIL_APP_NAME: &str = "vigil";

/// Every role session vigil opens is named `vigil-<who>-<when>`; the tail
/// recognises its own `AssumeRole` by this prefix and does not report it.
pub const VIGIL_SESSION_PREFIX: &str = "vigil-";
