//! The whole bucket verdict: publicity, transport and external access, in the
//! shape `vigil policy check --as bucket` prints.

use serde::Serialize;

use super::access::{self, ExternalAccess};
use super::public::{BucketInput, PublicVia, Publicity, bucket_publicity};
use super::s3_actions::AccessKind;
use super::transport::{self, TransportReport};

/// The whole bucket verdict, shaped for `vigil policy check --as bucket`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BucketReport {
    /// Public in effect.
    pub public: bool,
    /// `policy`, `acl` or `none`.
    pub public_via: PublicVia,
    /// `read` and/or `write`.
    pub public_for: Vec<AccessKind>,
    /// Both object and bucket requests over plain HTTP are denied.
    pub denies_insecure_transport: bool,
    /// Requests on `arn:aws:s3:::BUCKET/*` over plain HTTP are denied.
    pub object_requests_denied: bool,
    /// Requests on `arn:aws:s3:::BUCKET` over plain HTTP are denied.
    pub bucket_requests_denied: bool,
    /// Other accounts granted access by the policy, sorted.
    pub external_accounts: Vec<String>,
    /// Anyone outside the account (other accounts, an organisation, or the
    /// public) is granted access by the policy.
    pub cross_account: bool,
    /// Human-readable reasons, publicity first.
    pub reasons: Vec<String>,
    /// Publicity details (findings with statement/grant evidence).
    pub publicity: Publicity,
    /// Transport details.
    pub transport: TransportReport,
    /// External-access details.
    pub access: ExternalAccess,
}

/// Runs every bucket analysis.
pub fn analyze_bucket(input: &BucketInput<'_>) -> BucketReport {
    let publicity = bucket_publicity(input);
    let transport = transport::insecure_transport(input.policy, input.bucket);
    let access = match input.policy {
        Some(p) => access::external_access(p, input.account_id),
        None => ExternalAccess::none(),
    };
    let mut reasons = publicity.reasons.clone();
    reasons.extend(transport.reasons.iter().cloned());
    reasons.extend(access.reasons.iter().cloned());
    BucketReport {
        public: publicity.public,
        public_via: publicity.public_via,
        public_for: publicity.public_for.clone(),
        denies_insecure_transport: transport.denies_insecure_transport,
        object_requests_denied: transport.object_requests_denied,
        bucket_requests_denied: transport.bucket_requests_denied,
        external_accounts: access.external_accounts.clone(),
        cross_account: access.cross_account,
        reasons,
        publicity,
        transport,
        access,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policy;

    use crate::policy::test_support::policy;

    fn input(p: Option<&Policy>) -> BucketInput<'_> {
        BucketInput {
            bucket: "b",
            account_id: "111122223333",
            policy: p,
            acl_grants: &[],
            bucket_bpa: None,
            account_bpa: None,
            object_ownership: None,
        }
    }

    #[test]
    fn bucket_report_serialises_cli_fields() {
        let p = policy(
            r#"{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"s3:GetObject","Resource":"*"}"#,
        );
        let r = analyze_bucket(&input(Some(&p)));
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["public"], false);
        assert_eq!(v["public_via"], "none");
        assert_eq!(v["external_accounts"][0], "444455556666");
        assert_eq!(v["cross_account"], true);
        assert_eq!(v["denies_insecure_transport"], false);
    }
}
