//! S3's "meaning of public", ACLs, Block Public Access, and the bucket report.
//!
//! S3 User Guide, "Blocking public access to your Amazon S3 storage" → "The
//! meaning of "public"":
//! - a bucket policy is non-public only if every grant is to fixed values
//!   (no wildcard, no policy variable) of: a principal, `aws:SourceArn`,
//!   `aws:SourceVpc`, `aws:SourceVpce`, `aws:SourceAccount`, `aws:SourceOwner`,
//!   `aws:PrincipalAccount`, `aws:PrincipalArn`, `aws:PrincipalOrgID`,
//!   `aws:userid` outside the pattern `AROLEID:*`, `s3:DataAccessPointArn`,
//!   `s3:DataAccessPointAccount`, or `aws:SourceIp` CIDRs no broader than /8
//!   (IPv4) or /32 (IPv6);
//! - an ACL is public when it grants anything to `AllUsers` or
//!   `AuthenticatedUsers`;
//! - BPA settings: S3 "applies the most restrictive combination of the access
//!   point, bucket, and account settings"; `IgnorePublicAcls` makes S3 ignore
//!   public ACLs, `RestrictPublicBuckets` limits a bucket with a public policy
//!   to service principals and the owner account; `BlockPublicAcls` and
//!   `BlockPublicPolicy` only reject new public ACLs/policies ("Enabling this
//!   setting doesn't affect existing policies or ACLs").
//!
//! ACLs are disabled, and no longer affect permissions, when Object Ownership is
//! `BucketOwnerEnforced` (S3 User Guide, "Controlling ownership of objects and
//! disabling ACLs").

use serde::Serialize;

use super::condition::{BaseOp, Condition, SetOp};
use super::document::{Effect, Policy, PrincipalBlock, Statement};
use super::eval::StatementRef;
use super::s3_actions::{AccessKind, classify_actions, kinds};
use super::scalar;
use super::wildcard;
use crate::model::s3::{
    ALL_USERS_URI, AUTHENTICATED_USERS_URI, AclGrant, Grantee, ObjectOwnership, PublicAccessBlock,
};

/// Through what a bucket is public.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PublicVia {
    /// The bucket policy (wins when both apply).
    Policy,
    /// The bucket ACL.
    Acl,
    /// Not public.
    None,
}

impl PublicVia {
    /// `policy`, `acl` or `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            PublicVia::Policy => "policy",
            PublicVia::Acl => "acl",
            PublicVia::None => "none",
        }
    }
}

/// Whether one statement is a public grant under S3's definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "verdict", content = "reason")]
pub enum StatementVerdict {
    /// A public grant, and why.
    Public(String),
    /// Granted to everyone, but a condition pins it to fixed values of a
    /// restricting key, so not public; and how.
    Restricted(String),
    /// Not a public grant (Deny, fixed principals, no principal), and why.
    NotPublic(String),
}

/// Condition keys whose fixed values make a grant non-public (lowercase).
const RESTRICTING_KEYS: [&str; 11] = [
    "aws:sourcearn",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principalorgid",
    "aws:userid",
    "s3:dataaccesspointarn",
    "s3:dataaccesspointaccount",
];

/// Classifies one statement. Deny statements and statements without a
/// `Principal` (identity policies) never grant public access.
pub fn statement_verdict(st: &Statement) -> StatementVerdict {
    if st.effect == Effect::Deny {
        return StatementVerdict::NotPublic("a Deny statement grants nothing".into());
    }
    let why_open = match &st.principal {
        None => {
            return StatementVerdict::NotPublic("no Principal element (identity policy)".into());
        }
        Some(PrincipalBlock::NotPrincipal(_)) => {
            "Allow with NotPrincipal grants everyone not listed".to_string()
        }
        Some(PrincipalBlock::Principal(p)) => {
            if let Some(a) = p.aws.iter().find(|a| wildcard::has_wildcard(a)) {
                format!("principal {a:?} is everyone")
            } else if let Some(f) = p.federated.first() {
                format!(
                    "Federated principal {f:?} admits anyone who can sign in with that identity provider"
                )
            } else {
                return StatementVerdict::NotPublic("granted to fixed principals only".into());
            }
        }
    };
    match st.conditions.iter().find_map(restricts) {
        Some(r) => StatementVerdict::Restricted(format!("{why_open}, but {r}")),
        None => StatementVerdict::Public(why_open),
    }
}

/// Whether a condition pins the grant to fixed values of a restricting key;
/// `Some(description)` when it does. Negated operators, `...IfExists`
/// (true when the key is missing) and `ForAllValues` (true when the key is
/// missing) do not restrict.
pub fn restricts(c: &Condition) -> Option<String> {
    let op = &c.operator;
    if op.if_exists || op.set == SetOp::ForAllValues || op.base.is_negated() || c.values.is_empty()
    {
        return None;
    }
    let key = c.key.to_ascii_lowercase();
    if key == "aws:sourceip" {
        if op.base != BaseOp::IpAddress {
            return None;
        }
        let narrow = c.values.iter().all(|v| match scalar::parse_cidr(v) {
            Some(cidr) if cidr.addr.is_ipv4() => cidr.prefix >= 8,
            Some(cidr) => cidr.prefix >= 32,
            None => false,
        });
        return narrow.then(|| format!("{} limits aws:SourceIp to {:?}", op.name, c.values));
    }
    if !RESTRICTING_KEYS.contains(&key.as_str()) {
        return None;
    }
    let string_op = matches!(
        op.base,
        BaseOp::StringEquals
            | BaseOp::StringEqualsIgnoreCase
            | BaseOp::StringLike
            | BaseOp::ArnEquals
            | BaseOp::ArnLike
    );
    let fixed = c
        .values
        .iter()
        .all(|v| !v.is_empty() && !wildcard::has_wildcard(v) && !v.contains("${"));
    (string_op && fixed).then(|| {
        format!(
            "{} limits {} to fixed values {:?}",
            op.name, c.key, c.values
        )
    })
}

/// Combines account and bucket BPA: each setting is on if it is on at either
/// level ("most restrictive combination"). `None` means not configured.
pub fn combine_bpa(
    account: Option<&PublicAccessBlock>,
    bucket: Option<&PublicAccessBlock>,
) -> PublicAccessBlock {
    let a = account.copied().unwrap_or_default();
    let b = bucket.copied().unwrap_or_default();
    PublicAccessBlock {
        block_public_acls: a.block_public_acls || b.block_public_acls,
        ignore_public_acls: a.ignore_public_acls || b.ignore_public_acls,
        block_public_policy: a.block_public_policy || b.block_public_policy,
        restrict_public_buckets: a.restrict_public_buckets || b.restrict_public_buckets,
    }
}

/// Everything the bucket analyses need. Documents as read from the account;
/// `None` = not configured.
#[derive(Debug, Clone, Copy)]
pub struct BucketInput<'a> {
    /// Bucket name (for the transport check's resource ARNs).
    pub bucket: &'a str,
    /// Owner account id.
    pub account_id: &'a str,
    /// Bucket policy.
    pub policy: Option<&'a Policy>,
    /// `GetBucketAcl` grants.
    pub acl_grants: &'a [AclGrant],
    /// Bucket-level BPA.
    pub bucket_bpa: Option<&'a PublicAccessBlock>,
    /// Account-level BPA.
    pub account_bpa: Option<&'a PublicAccessBlock>,
    /// Object Ownership setting, if read.
    pub object_ownership: Option<ObjectOwnership>,
}

/// One thing that makes (or would make) the bucket public.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicFinding {
    /// `policy` or `acl`.
    pub via: PublicVia,
    /// The statement, for `policy`.
    pub statement: Option<StatementRef>,
    /// The grant, for `acl`.
    pub grant: Option<AclGrant>,
    /// What it allows.
    pub access: Vec<AccessKind>,
    /// Why it is public.
    pub reason: String,
    /// What neutralises it (a BPA setting, ACLs disabled); `None` = in effect.
    pub neutralised_by: Option<String>,
}

/// Whether the bucket is public, through what, for what, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Publicity {
    /// Public in effect (after BPA and Object Ownership).
    pub public: bool,
    /// `policy`, `acl` or `none`; policy wins when both.
    pub public_via: PublicVia,
    /// Read and/or write, from the findings in effect.
    pub public_for: Vec<AccessKind>,
    /// The policy is public under S3's definition (what `PolicyStatus.IsPublic`
    /// reports), regardless of BPA.
    pub policy_is_public: bool,
    /// The ACL grants to AllUsers/AuthenticatedUsers, regardless of BPA.
    pub acl_is_public: bool,
    /// The combined BPA settings that applied.
    pub effective_bpa: PublicAccessBlock,
    /// Every public statement or grant, in effect or neutralised.
    pub findings: Vec<PublicFinding>,
    /// Human-readable reasons.
    pub reasons: Vec<String>,
}

/// Decides whether the bucket is public (S3 "meaning of public" + ACL + BPA).
pub fn bucket_publicity(input: &BucketInput<'_>) -> Publicity {
    let bpa = combine_bpa(input.account_bpa, input.bucket_bpa);
    let mut findings = Vec::new();
    let mut reasons = Vec::new();
    if let Some(policy) = input.policy {
        for st in &policy.statements {
            let why = match statement_verdict(st) {
                StatementVerdict::Public(why) => why,
                StatementVerdict::Restricted(how) => {
                    let r = StatementRef::new(0, st);
                    reasons.push(format!(
                        "policy statement {} is not public: {how}",
                        r.describe()
                    ));
                    continue;
                }
                StatementVerdict::NotPublic(_) => continue,
            };
            let r = StatementRef::new(0, st);
            let neutralised_by = bpa.restrict_public_buckets.then(|| {
                "RestrictPublicBuckets: only AWS service principals and the owner account keep access".to_string()
            });
            findings.push(PublicFinding {
                via: PublicVia::Policy,
                access: classify_actions(&st.action),
                reason: format!("policy statement {} is public: {why}", r.describe()),
                statement: Some(r),
                grant: None,
                neutralised_by,
            });
        }
    }
    let acls_disabled = input.object_ownership == Some(ObjectOwnership::BucketOwnerEnforced);
    for g in input.acl_grants {
        let Grantee::Group { uri } = &g.grantee else {
            continue;
        };
        let group = match uri.trim() {
            u if u == ALL_USERS_URI => "AllUsers (anyone, anonymous included)",
            u if u == AUTHENTICATED_USERS_URI => "AuthenticatedUsers (any AWS account)",
            _ => continue,
        };
        let access = match g.permission.as_str() {
            "READ" | "READ_ACP" => kinds(true, false),
            "WRITE" | "WRITE_ACP" => kinds(false, true),
            _ => kinds(true, true),
        };
        let neutralised_by = if acls_disabled {
            Some("Object Ownership BucketOwnerEnforced: ACLs are disabled".to_string())
        } else if bpa.ignore_public_acls {
            Some("IgnorePublicAcls: S3 ignores public ACLs".to_string())
        } else {
            None
        };
        findings.push(PublicFinding {
            via: PublicVia::Acl,
            statement: None,
            access,
            reason: format!("ACL grants {} to {group}", g.permission),
            grant: Some(g.clone()),
            neutralised_by,
        });
    }
    let in_effect = |via: PublicVia| {
        findings
            .iter()
            .any(|f| f.via == via && f.neutralised_by.is_none())
    };
    let public_via = if in_effect(PublicVia::Policy) {
        PublicVia::Policy
    } else if in_effect(PublicVia::Acl) {
        PublicVia::Acl
    } else {
        PublicVia::None
    };
    let mut public_for: Vec<AccessKind> = findings
        .iter()
        .filter(|f| f.neutralised_by.is_none())
        .flat_map(|f| f.access.iter().copied())
        .collect();
    public_for.sort();
    public_for.dedup();
    for f in &findings {
        match &f.neutralised_by {
            None => reasons.push(f.reason.clone()),
            Some(n) => reasons.push(format!("{}, but neutralised by {n}", f.reason)),
        }
    }
    let policy_is_public = findings.iter().any(|f| f.via == PublicVia::Policy);
    let acl_is_public = findings.iter().any(|f| f.via == PublicVia::Acl);
    if policy_is_public && bpa.block_public_policy && !bpa.restrict_public_buckets {
        reasons.push(
            "BlockPublicPolicy only rejects new public policies; the existing one still applies"
                .into(),
        );
    }
    if acl_is_public && bpa.block_public_acls && !bpa.ignore_public_acls && !acls_disabled {
        reasons.push(
            "BlockPublicAcls only rejects new public ACLs; the existing grants still apply".into(),
        );
    }
    if findings.is_empty() {
        reasons.push("no policy statement or ACL grant is public under S3's definition".into());
    }
    Publicity {
        public: public_via != PublicVia::None,
        public_via,
        public_for,
        policy_is_public,
        acl_is_public,
        effective_bpa: bpa,
        findings,
        reasons,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::s3::Grantee;

    use crate::policy::test_support::policy;

    fn star_with(cond: &str) -> Policy {
        policy(&format!(
            r#"{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{cond}}}"#
        ))
    }

    fn input<'a>(p: Option<&'a Policy>, grants: &'a [AclGrant]) -> BucketInput<'a> {
        BucketInput {
            bucket: "b",
            account_id: "111122223333",
            policy: p,
            acl_grants: grants,
            bucket_bpa: None,
            account_bpa: None,
            object_ownership: None,
        }
    }

    fn is_public(p: &Policy) -> bool {
        bucket_publicity(&input(Some(p), &[])).public
    }

    fn group(uri: &str, perm: &str) -> AclGrant {
        AclGrant {
            grantee: Grantee::Group { uri: uri.into() },
            permission: perm.into(),
        }
    }

    #[test]
    fn meaning_of_public_principal_star_without_condition_is_public() {
        let p = policy(
            r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#,
        );
        let r = bucket_publicity(&input(Some(&p), &[]));
        assert!(r.public);
        assert_eq!(r.public_via, PublicVia::Policy);
        assert_eq!(r.public_for, vec![AccessKind::Read]);
        assert_eq!(
            r.findings[0].statement.as_ref().map(|s| s.path.as_str()),
            Some("Statement[0]")
        );
    }

    #[test]
    fn meaning_of_public_fixed_principal_is_not_public() {
        let p = policy(
            r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root","Service":"logging.s3.amazonaws.com"},"Action":"s3:*","Resource":"*"}"#,
        );
        assert!(!is_public(&p));
        let wild = policy(
            r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::*:root"},"Action":"s3:GetObject","Resource":"*"}"#,
        );
        assert!(is_public(&wild));
    }

    #[test]
    fn meaning_of_public_fixed_restricting_keys_are_not_public() {
        for key in [
            "aws:SourceVpc",
            "aws:SourceVpce",
            "aws:SourceAccount",
            "aws:PrincipalOrgID",
            "aws:PrincipalAccount",
            "s3:DataAccessPointAccount",
            "aws:userid",
        ] {
            assert!(
                !is_public(&star_with(&format!(
                    r#"{{"StringEquals":{{"{key}":"x-1"}}}}"#
                ))),
                "{key}"
            );
        }
        assert!(!is_public(&star_with(
            r#"{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:111122223333:t"}}"#
        )));
        assert!(!is_public(&star_with(
            r#"{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/r"}}"#
        )));
        let restricted = star_with(r#"{"StringEquals":{"aws:SourceVpce":"vpce-1"}}"#);
        let r = bucket_publicity(&input(Some(&restricted), &[]));
        assert!(
            r.reasons
                .iter()
                .any(|s| s.contains("is not public") && s.contains("aws:SourceVpce")),
            "{:?}",
            r.reasons
        );
    }

    #[test]
    fn meaning_of_public_wildcard_or_variable_values_are_public() {
        assert!(is_public(&star_with(
            r#"{"StringLike":{"aws:SourceVpc":"vpc-*"}}"#
        )));
        assert!(is_public(&star_with(
            r#"{"StringEquals":{"aws:PrincipalOrgID":"${aws:PrincipalTag/org}"}}"#
        )));
        assert!(is_public(&star_with(
            r#"{"StringLike":{"aws:userid":"AROAEXAMPLE:*"}}"#
        )));
        assert!(is_public(&star_with(
            r#"{"StringEquals":{"aws:SourceVpc":["vpc-1","*"]}}"#
        )));
    }

    #[test]
    fn meaning_of_public_negated_ifexists_forallvalues_and_other_keys_do_not_restrict() {
        assert!(is_public(&star_with(
            r#"{"StringNotEquals":{"aws:SourceVpc":"vpc-1"}}"#
        )));
        assert!(is_public(&star_with(
            r#"{"StringEqualsIfExists":{"aws:SourceVpc":"vpc-1"}}"#
        )));
        assert!(is_public(&star_with(
            r#"{"ForAllValues:StringEquals":{"aws:PrincipalOrgID":"o-1"}}"#
        )));
        assert!(is_public(&star_with(
            r#"{"StringEquals":{"aws:Referer":"https://example.com"}}"#
        )));
        assert!(is_public(&star_with(
            r#"{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#
        )));
    }

    #[test]
    fn meaning_of_public_sourceip_broader_than_slash8_is_public() {
        assert!(!is_public(&star_with(
            r#"{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#
        )));
        assert!(is_public(&star_with(
            r#"{"IpAddress":{"aws:SourceIp":"10.0.0.0/7"}}"#
        )));
        assert!(is_public(&star_with(
            r#"{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","0.0.0.0/0"]}}"#
        )));
        assert!(!is_public(&star_with(
            r#"{"IpAddress":{"aws:SourceIp":"203.0.113.9"}}"#
        )));
    }

    #[test]
    fn meaning_of_public_sourceip_ipv6_broader_than_slash32_is_public() {
        assert!(!is_public(&star_with(
            r#"{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}"#
        )));
        assert!(is_public(&star_with(
            r#"{"IpAddress":{"aws:SourceIp":"2001:db8::/31"}}"#
        )));
        assert!(is_public(&star_with(
            r#"{"IpAddress":{"aws:SourceIp":"::/0"}}"#
        )));
    }

    #[test]
    fn meaning_of_public_federated_and_notprincipal_allow_are_public() {
        assert!(is_public(&policy(
            r#"{"Effect":"Allow","Principal":{"Federated":"accounts.google.com"},"Action":"s3:GetObject","Resource":"*"}"#
        )));
        assert!(is_public(&policy(
            r#"{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"*"}"#
        )));
        assert!(!is_public(&policy(
            r#"{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}"#
        )));
    }

    #[test]
    fn public_for_read_write_classification() {
        let kinds_of = |a: &str| {
            let p = policy(&format!(
                r#"{{"Effect":"Allow","Principal":"*","Action":{a},"Resource":"*"}}"#
            ));
            bucket_publicity(&input(Some(&p), &[])).public_for
        };
        assert_eq!(kinds_of(r#""s3:ListBucket""#), vec![AccessKind::Read]);
        assert_eq!(kinds_of(r#""s3:PutBucketPolicy""#), vec![AccessKind::Write]);
        assert_eq!(kinds_of(r#""s3:PutObjectAcl""#), vec![AccessKind::Write]);
        assert_eq!(
            kinds_of(r#""s3:*""#),
            vec![AccessKind::Read, AccessKind::Write]
        );
        assert_eq!(kinds_of(r#""s3:Get*""#), vec![AccessKind::Read]);
        assert_eq!(
            kinds_of(r#"["s3:GetObject","s3:DeleteObject"]"#),
            vec![AccessKind::Read, AccessKind::Write]
        );
    }

    #[test]
    fn meaning_of_public_acl_allusers_and_authenticatedusers_are_public() {
        let g = [group(ALL_USERS_URI, "READ")];
        let r = bucket_publicity(&input(None, &g));
        assert!(r.public);
        assert_eq!(r.public_via, PublicVia::Acl);
        assert_eq!(r.public_for, vec![AccessKind::Read]);
        let g = [group(AUTHENTICATED_USERS_URI, "WRITE_ACP")];
        assert_eq!(
            bucket_publicity(&input(None, &g)).public_for,
            vec![AccessKind::Write]
        );
        let g = [group(crate::model::s3::LOG_DELIVERY_URI, "WRITE")];
        assert!(!bucket_publicity(&input(None, &g)).public);
    }

    #[test]
    fn disabling_acls_bucket_owner_enforced_makes_acl_grants_inert() {
        let g = [group(ALL_USERS_URI, "FULL_CONTROL")];
        let mut i = input(None, &g);
        i.object_ownership = Some(ObjectOwnership::BucketOwnerEnforced);
        assert!(!bucket_publicity(&i).public);
        i.object_ownership = Some(ObjectOwnership::BucketOwnerPreferred);
        assert!(bucket_publicity(&i).public);
    }

    #[test]
    fn block_public_access_settings_combine_per_setting_across_levels() {
        let p = policy(r#"{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}"#);
        let g = [group(ALL_USERS_URI, "READ")];
        let acct = PublicAccessBlock {
            ignore_public_acls: true,
            ..Default::default()
        };
        let bucket = PublicAccessBlock {
            restrict_public_buckets: true,
            ..Default::default()
        };
        let mut i = input(Some(&p), &g);
        i.account_bpa = Some(&acct);
        assert_eq!(bucket_publicity(&i).public_via, PublicVia::Policy);
        i.bucket_bpa = Some(&bucket);
        let r = bucket_publicity(&i);
        assert!(!r.public && r.policy_is_public && r.acl_is_public);
    }

    #[test]
    fn block_public_policy_and_acls_do_not_affect_existing_ones() {
        let p =
            policy(r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}"#);
        let g = [group(ALL_USERS_URI, "READ")];
        let bpa = PublicAccessBlock {
            block_public_acls: true,
            block_public_policy: true,
            ..Default::default()
        };
        let mut i = input(Some(&p), &g);
        i.bucket_bpa = Some(&bpa);
        let r = bucket_publicity(&i);
        assert!(r.public);
        assert_eq!(r.public_via, PublicVia::Policy);
        assert!(r.reasons.iter().any(|s| s.contains("ACL grants READ")));
        i.policy = None;
        assert_eq!(bucket_publicity(&i).public_via, PublicVia::Acl);
        i.bucket_bpa = Some(&PublicAccessBlock::ALL_ON);
        assert!(!bucket_publicity(&i).public);
    }
}
