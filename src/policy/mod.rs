//! The IAM policy language: parsing exactly as AWS accepts it, an evaluator
//! (explicit deny, then allow, then implicit deny), and the analyses built on
//! it. Pure code: no I/O. Every input string may be attacker-written; nothing
//! here panics on input, recursion is bounded by serde_json's depth limit, and
//! wildcard matching never backtracks exponentially.
//!
//! Entry points:
//! - [`Policy::parse`] / [`Policy::from_value`];
//! - [`evaluate`] a [`Request`] against policies;
//! - [`analyze_bucket`] (publicity, transport, external access),
//!   [`analyze_trust`] (who can assume, MFA), [`analyze_identity`]
//!   (admin-equivalence, privilege escalation);
//! - for a whole account: [`IamAnalysis`] (every principal's effective
//!   permissions with provenance, credentials and trust:
//!   [`IamAnalysis::principal_reports`]) and who can reach a bucket
//!   ([`IamAnalysis::bucket_reach`]).

#![deny(missing_docs)]

pub mod access;
pub mod arn;
pub mod bucket;
pub mod condition;
pub mod document;
pub mod eval;
pub mod identity;
pub mod principals;
pub mod public;
pub mod reach;
pub mod s3_actions;
pub mod scalar;
pub mod transport;
pub mod trust;
pub mod wildcard;

pub use access::{ExternalAccess, Scope, external_access};
pub use bucket::{BucketReport, analyze_bucket};
pub use condition::Context;
pub use document::{Effect, Policy, PolicyError, Statement};
pub use eval::{Decision, Evaluation, Request, RequestPrincipal, StatementRef, evaluate};
pub use identity::{IdentityReport, NamedPolicy, PrivescMethod, analyze_identity};
pub use principals::{IamAnalysis, PrincipalKind, PrincipalReport, principal_reports};
pub use public::{BucketInput, PublicVia, Publicity, bucket_publicity};
pub use reach::{BucketReach, Capability, PrincipalReach, bucket_reach};
pub use s3_actions::AccessKind;
pub use transport::{TransportReport, insecure_transport};
pub use trust::{TrustReport, analyze_trust};

/// Helpers shared by the engine's unit tests.
#[cfg(test)]
pub(crate) mod test_support {
    use super::Policy;

    /// A 2012-10-17 policy holding the given statement objects.
    pub(crate) fn policy(statements: &str) -> Policy {
        Policy::parse(&format!(
            r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#
        ))
        .expect("test policy parses")
    }
}
