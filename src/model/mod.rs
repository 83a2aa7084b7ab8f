//! Plain data: what vigil read from the account, and what it concluded.
//! No I/O and no decisions live here.

pub mod account;
pub mod change;
pub mod facet;
pub mod finding;
pub mod iam;
pub mod logs;
pub mod s3;
pub mod text;
pub mod trail;

use serde::{Deserialize, Serialize};

pub use account::CallerIdentity;
pub use facet::{Facet, Unknown, UnknownReason};

/// The whole account as read: what `vigil inventory` prints and an incident
/// responder keeps as evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    pub account: CallerIdentity,
    /// Account-level Block Public Access (`s3control`).
    pub account_public_access_block: Facet<s3::PublicAccessBlock>,
    pub buckets: Vec<s3::Bucket>,
    pub iam: Facet<iam::IamInventory>,
    pub log_groups: Facet<Vec<logs::LogGroup>>,
}
