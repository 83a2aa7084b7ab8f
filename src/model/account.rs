//! Who vigil is talking to.

use serde::{Deserialize, Serialize};

/// `GetCallerIdentity`, plus the region vigil is working in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallerIdentity {
    pub account_id: String,
    pub caller_arn: String,
    pub region: String,
}
