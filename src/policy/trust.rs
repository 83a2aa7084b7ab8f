//! Role trust policies: who can assume the role, and does assuming require MFA?
//!
//! - Who: the `Principal` of Allow statements for `sts:AssumeRole*` (IAM User
//!   Guide, "AWS JSON policy elements: Principal" → "Role trust policies").
//! - Third parties: trust to another account should carry an `sts:ExternalId`
//!   condition (IAM User Guide, "Access to AWS accounts owned by third parties"
//!   → "confused deputy").
//! - MFA: `aws:MultiFactorAuthPresent` is absent from requests signed with
//!   long-term access keys, and `false` for temporary credentials obtained
//!   without MFA; `aws:MultiFactorAuthAge` exists only when MFA was used (IAM
//!   User Guide, "AWS global condition context keys" → aws:MultiFactorAuthPresent,
//!   including the "not recommended" `Deny` + `Bool ... false` example). So:
//!   `Allow` + `Bool true` requires MFA; `Allow` + `BoolIfExists true` does not
//!   (key absent passes); `Deny` + `BoolIfExists false` does; `Deny` + `Bool
//!   false` does not (key absent: deny skipped); a `Deny` on the age alone does
//!   not (no age key without MFA).
//!
//! The question answered: is there any `sts:AssumeRole` request from an allowed
//! principal, without MFA, that the trust policy allows? Two such requests are
//! tried per allowed principal: MFA keys absent (long-term keys), and
//! `aws:MultiFactorAuthPresent = false` (temporary credentials without MFA).
//! Conditions on other keys are taken as satisfiable by the caller in an Allow,
//! and as avoidable by the caller in a Deny, so only the MFA keys decide.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use super::access::external_access;
use super::arn;
use super::condition::{self, BaseOp, Condition, Context, SetOp};
use super::document::{Effect, Policy, PrincipalBlock, Statement};
use super::eval::{
    PrincipalKind, RequestPrincipal, StatementRef, action_matches, principal_matches,
};
use super::public::restricts;

/// The principals that may assume the role.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TrustPrincipals {
    /// AWS principals (account roots, users, roles) as written.
    pub aws: Vec<String>,
    /// Service principals.
    pub services: Vec<String>,
    /// Federated identity providers.
    pub federated: Vec<String>,
    /// `*` (or an Allow with `NotPrincipal`) is trusted.
    pub everyone: bool,
}

/// The trust verdict, shaped for `vigil policy check --as trust`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrustReport {
    /// No `sts:AssumeRole` request without MFA is allowed.
    pub requires_mfa: bool,
    /// How MFA is bypassed, in words; `None` when MFA is required.
    pub mfa_bypass: Option<String>,
    /// Other accounts that may assume the role.
    pub external_accounts: Vec<String>,
    /// Anyone may assume the role (wildcard principal, not narrowed by a
    /// restricting condition such as `aws:PrincipalOrgID`).
    pub public: bool,
    /// External accounts trusted without an `sts:ExternalId` condition.
    pub external_without_external_id: Vec<String>,
    /// Who is trusted.
    pub principals: TrustPrincipals,
    /// Human-readable reasons.
    pub reasons: Vec<String>,
}

const ASSUME_ACTIONS: [&str; 3] = [
    "sts:AssumeRole",
    "sts:AssumeRoleWithSAML",
    "sts:AssumeRoleWithWebIdentity",
];

fn is_mfa_key(c: &Condition) -> bool {
    c.is_key("aws:MultiFactorAuthPresent") || c.is_key("aws:MultiFactorAuthAge")
}

/// Analyses the trust policy of a role owned by `account_id`.
pub fn analyze_trust(policy: &Policy, account_id: &str) -> TrustReport {
    let mut principals = TrustPrincipals::default();
    let mut without_external_id = BTreeSet::new();
    let mut public = false;
    let mut reasons = Vec::new();
    let trusting = |st: &&Statement| {
        st.effect == Effect::Allow && ASSUME_ACTIONS.iter().any(|a| action_matches(&st.action, a))
    };
    for st in policy.statements.iter().filter(trusting) {
        let r = StatementRef::new(0, st);
        let restricted = st.conditions.iter().any(|c| restricts(c).is_some());
        match &st.principal {
            Some(PrincipalBlock::NotPrincipal(_)) => {
                principals.everyone = true;
                public |= !restricted;
            }
            Some(PrincipalBlock::Principal(p)) => {
                principals.aws.extend(p.aws.iter().cloned());
                principals.services.extend(p.service.iter().cloned());
                principals.federated.extend(p.federated.iter().cloned());
                if p.aws.iter().any(|a| a.contains('*') || a.contains('?')) {
                    principals.everyone = true;
                    if !restricted {
                        public = true;
                        reasons.push(format!(
                            "{} lets any AWS principal assume the role",
                            r.describe()
                        ));
                    }
                }
                let has_external_id = requires_external_id(st);
                for a in &p.aws {
                    if let Some(acct) = arn::principal_account(a)
                        && acct != account_id
                        && !has_external_id
                        && action_matches(&st.action, "sts:AssumeRole")
                    {
                        reasons.push(format!(
                            "{} trusts account {acct} without an sts:ExternalId condition",
                            r.describe()
                        ));
                        without_external_id.insert(acct);
                    }
                }
            }
            None => {}
        }
    }
    for v in [
        &mut principals.aws,
        &mut principals.services,
        &mut principals.federated,
    ] {
        v.sort();
        v.dedup();
    }
    let bypasses = mfa_bypasses(policy);
    match bypasses.first() {
        Some(_) => reasons.extend(bypasses.iter().map(|b| format!("MFA bypass: {b}"))),
        None => reasons.push("every sts:AssumeRole request without MFA is refused".into()),
    }
    TrustReport {
        requires_mfa: bypasses.is_empty(),
        mfa_bypass: bypasses.first().cloned(),
        external_accounts: external_access(policy, account_id).external_accounts,
        public,
        external_without_external_id: without_external_id.into_iter().collect(),
        principals,
        reasons,
    }
}

/// The statement only matches when the caller sends an `sts:ExternalId`
/// (a positive test of the key, not `IfExists`, `ForAllValues` or `Null`, which
/// all match a request without it).
fn requires_external_id(st: &Statement) -> bool {
    st.conditions.iter().any(|c| {
        c.is_key("sts:ExternalId")
            && !c.operator.if_exists
            && c.operator.set != SetOp::ForAllValues
            && !c.operator.base.is_negated()
            && c.operator.base != BaseOp::Null
    })
}

/// Whether IAM principals (account roots, users, roles, `*`) may call
/// `sts:AssumeRole` on the role outside a third-party arrangement guarded by
/// `sts:ExternalId`: the roles people assume, where requiring MFA matters.
/// Roles only AWS services or federated identity providers assume are not;
/// nor is a vendor role whose every grant to IAM principals needs an
/// external id (IAM User Guide, "Access to AWS accounts owned by third
/// parties").
pub fn assumed_by_iam_principals(policy: &Policy) -> bool {
    policy.statements.iter().any(|st| {
        st.effect == Effect::Allow
            && action_matches(&st.action, "sts:AssumeRole")
            && match &st.principal {
                Some(PrincipalBlock::NotPrincipal(_)) => true,
                Some(PrincipalBlock::Principal(p)) => !p.aws.is_empty(),
                None => false,
            }
            && !requires_external_id(st)
    })
}

/// One way to call `sts:AssumeRole` without MFA.
struct Scenario {
    label: &'static str,
    context: Context,
}

fn scenarios() -> [Scenario; 2] {
    [
        Scenario {
            label: "long-term access keys (MFA keys absent",
            context: Context::new(),
        },
        Scenario {
            label: "temporary credentials obtained without MFA (aws:MultiFactorAuthPresent = false",
            context: Context::new().with("aws:MultiFactorAuthPresent", "false"),
        },
    ]
}

const MAX_BYPASSES: usize = 8;

/// Allowed AssumeRole requests without MFA, described in words (at most a
/// few; empty when MFA is required).
pub fn mfa_bypasses(policy: &Policy) -> Vec<String> {
    bypasses(policy, true)
}

/// [`mfa_bypasses`] by IAM principals only: an AWS service assuming a role
/// never presents MFA, so its access is not a bypass of an MFA requirement
/// meant for people.
pub fn iam_principal_mfa_bypasses(policy: &Policy) -> Vec<String> {
    bypasses(policy, false)
}

fn bypasses(policy: &Policy, include_services: bool) -> Vec<String> {
    let mut out = Vec::new();
    let allows = policy
        .statements
        .iter()
        .filter(|s| s.effect == Effect::Allow && action_matches(&s.action, "sts:AssumeRole"));
    let denies: Vec<&Statement> = policy
        .statements
        .iter()
        .filter(|s| s.effect == Effect::Deny && action_matches(&s.action, "sts:AssumeRole"))
        .collect();
    let scenarios = scenarios();
    // What the denies do to one caller in one scenario depends on nothing
    // else: compute it once per (caller, scenario).
    let mut deny_cache: HashMap<(String, usize), Option<Vec<String>>> = HashMap::new();
    for allow in allows {
        // Bounded work on hostile input: a handful of bypasses is enough.
        if out.len() >= MAX_BYPASSES {
            break;
        }
        for who in candidates(allow)
            .into_iter()
            .filter(|w| include_services || w.kind != PrincipalKind::Service)
        {
            for (si, sc) in scenarios.iter().enumerate() {
                let Some(allow_note) = mfa_conditions_hold(allow, &sc.context) else {
                    continue;
                };
                let outcome = deny_cache
                    .entry((who.arn.clone(), si))
                    .or_insert_with(|| deny_outcome(&denies, &who, &sc.context));
                let Some(skipped) = outcome.clone() else {
                    continue;
                };
                let mut parts = Vec::new();
                if !allow_note.is_empty() {
                    parts.push(allow_note);
                }
                parts.extend(skipped);
                if parts.is_empty() {
                    parts.push(format!(
                        "{} allows it with no MFA condition",
                        StatementRef::new(0, allow).describe()
                    ));
                }
                out.push(format!(
                    "{} via {}, {})",
                    describe(&who),
                    sc.label,
                    parts.join("; ")
                ));
            }
        }
    }
    out.dedup();
    out
}

/// `None` when a Deny refuses `who` in this scenario; otherwise why the
/// applicable denies were skipped (at most a few, for readable output).
fn deny_outcome(
    denies: &[&Statement],
    who: &RequestPrincipal,
    ctx: &Context,
) -> Option<Vec<String>> {
    let mut skipped = Vec::new();
    for d in denies
        .iter()
        .filter(|d| principal_matches(d.principal.as_ref(), who))
    {
        if d.conditions.iter().any(|c| !is_mfa_key(c)) {
            if skipped.len() < 3 {
                let dref = StatementRef::new(0, d).describe();
                skipped.push(format!("deny {dref} also needs other conditions"));
            }
            continue;
        }
        if mfa_conditions_hold(d, ctx).is_some() {
            return None;
        }
        if skipped.len() < 3 {
            let dref = StatementRef::new(0, d).describe();
            skipped.push(format!(
                "{} does not match, deny {dref} skipped",
                failing(d, ctx)
            ));
        }
    }
    Some(skipped)
}

/// `Some(note)` when every MFA condition of `st` holds in `ctx` (note names the
/// matching operators); `None` when one fails.
fn mfa_conditions_hold(st: &Statement, ctx: &Context) -> Option<String> {
    let mut notes = Vec::new();
    for c in st.conditions.iter().filter(|c| is_mfa_key(c)) {
        if condition::evaluate(c, ctx, st.variables) != Some(true) {
            return None;
        }
        notes.push(format!("{} {} matches", c.operator.name, c.key));
    }
    Some(notes.join(", "))
}

fn failing(st: &Statement, ctx: &Context) -> String {
    st.conditions
        .iter()
        .find(|c| is_mfa_key(c) && condition::evaluate(c, ctx, st.variables) != Some(true))
        .map(|c| format!("{} {}", c.operator.name, c.key))
        .unwrap_or_default()
}

/// Representative callers for the principals an Allow names.
fn candidates(st: &Statement) -> Vec<RequestPrincipal> {
    let probe_in =
        |acct: &str| RequestPrincipal::aws(&format!("arn:aws:iam::{acct}:user/any-user"));
    match &st.principal {
        None | Some(PrincipalBlock::NotPrincipal(_)) => vec![probe_in("000000000000")],
        Some(PrincipalBlock::Principal(p)) => {
            let mut v: Vec<RequestPrincipal> = p
                .aws
                .iter()
                .map(|a| match arn::parse(a) {
                    Some(x) if x.service == "iam" && x.resource == "root" => probe_in(x.account),
                    Some(_) => RequestPrincipal::aws(a),
                    None => probe_in("000000000000"),
                })
                .collect();
            v.extend(p.service.iter().map(|s| RequestPrincipal {
                arn: s.clone(),
                account: None,
                kind: PrincipalKind::Service,
            }));
            v
        }
    }
}

fn describe(who: &RequestPrincipal) -> String {
    match who.kind {
        PrincipalKind::Service => format!("service {}", who.arn),
        _ => match arn::parse(&who.arn) {
            Some(a) if a.resource == "user/any-user" && a.account == "000000000000" => {
                "any principal".into()
            }
            Some(a) if a.resource == "user/any-user" => {
                format!("any principal of account {}", a.account)
            }
            _ => who.arn.clone(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWN: &str = "111122223333";
    const ALLOW: &str = r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"sts:AssumeRole""#;
    const DENY: &str = r#"{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"sts:AssumeRole""#;

    fn trust(statements: &str) -> TrustReport {
        let p = Policy::parse(&format!(
            r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#
        ))
        .unwrap();
        analyze_trust(&p, OWN)
    }

    fn with(base: &str, cond: &str) -> String {
        format!(r#"{base},"Condition":{cond}}}"#)
    }

    #[test]
    fn mfa_present_allow_bool_true_requires_mfa() {
        let r = trust(&with(
            ALLOW,
            r#"{"Bool":{"aws:MultiFactorAuthPresent":"true"}}"#,
        ));
        assert!(r.requires_mfa, "{:?}", r.mfa_bypass);
        assert_eq!(r.mfa_bypass, None);
    }

    #[test]
    fn mfa_present_allow_boolifexists_true_is_bypassed_by_long_term_keys() {
        let r = trust(&with(
            ALLOW,
            r#"{"BoolIfExists":{"aws:MultiFactorAuthPresent":"true"}}"#,
        ));
        assert!(!r.requires_mfa);
        assert!(r.mfa_bypass.unwrap().contains("long-term access keys"));
    }

    #[test]
    fn mfa_present_deny_boolifexists_false_requires_mfa() {
        let r = trust(&format!(
            "{ALLOW}}},{}",
            with(
                DENY,
                r#"{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}"#
            )
        ));
        assert!(r.requires_mfa, "{:?}", r.mfa_bypass);
    }

    #[test]
    fn mfa_present_deny_bool_false_not_recommended_is_bypassed() {
        let r = trust(&format!(
            "{ALLOW}}},{}",
            with(DENY, r#"{"Bool":{"aws:MultiFactorAuthPresent":false}}"#)
        ));
        assert!(!r.requires_mfa);
        let b = r.mfa_bypass.unwrap();
        assert!(
            b.contains("long-term access keys") && b.contains("deny"),
            "{b}"
        );
    }

    #[test]
    fn mfa_age_deny_alone_is_bypassed_without_mfa() {
        let r = trust(&format!(
            "{ALLOW}}},{}",
            with(
                DENY,
                r#"{"NumericGreaterThan":{"aws:MultiFactorAuthAge":"3600"}}"#
            )
        ));
        assert!(!r.requires_mfa);
        let r = trust(&with(
            ALLOW,
            r#"{"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}"#,
        ));
        assert!(
            r.requires_mfa,
            "an Allow on a recent MFA age needs MFA: {:?}",
            r.mfa_bypass
        );
    }

    #[test]
    fn mfa_null_false_in_allow_only_checks_presence() {
        let r = trust(&with(
            ALLOW,
            r#"{"Null":{"aws:MultiFactorAuthPresent":"false"}}"#,
        ));
        assert!(!r.requires_mfa);
        assert!(r.mfa_bypass.unwrap().contains("without MFA"));
    }

    #[test]
    fn mfa_other_unconditional_allow_undoes_requirement() {
        let r = trust(&format!(
            "{},{ALLOW}}}",
            with(ALLOW, r#"{"Bool":{"aws:MultiFactorAuthPresent":"true"}}"#)
        ));
        assert!(!r.requires_mfa);
        // A deny scoped to one user leaves the rest of the account free.
        let r = trust(&format!(
            r#"{ALLOW}}},{{"Effect":"Deny","Principal":{{"AWS":"arn:aws:iam::444455556666:user/bob"}},"Action":"sts:AssumeRole","Condition":{{"BoolIfExists":{{"aws:MultiFactorAuthPresent":"false"}}}}}}"#
        ));
        assert!(!r.requires_mfa);
    }

    #[test]
    fn mfa_other_conditions_are_assumed_satisfiable() {
        let r = trust(&with(
            ALLOW,
            r#"{"Bool":{"aws:MultiFactorAuthPresent":"true"},"StringEquals":{"sts:ExternalId":"x"}}"#,
        ));
        assert!(r.requires_mfa);
        // A deny that also needs another condition can be avoided.
        let r = trust(&format!(
            "{ALLOW}}},{}",
            with(
                DENY,
                r#"{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"},"StringEquals":{"aws:SourceVpc":"vpc-1"}}"#
            )
        ));
        assert!(!r.requires_mfa);
    }

    #[test]
    fn many_statements_finish_in_bounded_time() {
        let allow = with(ALLOW, r#"{"Bool":{"aws:MultiFactorAuthPresent":"true"}}"#);
        let deny = with(
            DENY,
            r#"{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}"#,
        );
        let mut all = vec![allow; 3_000];
        all.extend(vec![deny; 3_000]);
        all.push(format!("{ALLOW}}}"));
        let start = std::time::Instant::now();
        let r = trust(&all.join(","));
        assert!(r.requires_mfa);
        assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
    }

    #[test]
    fn third_party_access_without_external_id_is_reported() {
        let r = trust(&format!("{ALLOW}}}"));
        assert_eq!(r.external_accounts, vec!["444455556666"]);
        assert_eq!(r.external_without_external_id, vec!["444455556666"]);
        let r = trust(&with(ALLOW, r#"{"StringEquals":{"sts:ExternalId":"abc"}}"#));
        assert!(r.external_without_external_id.is_empty());
        let r = trust(&with(
            ALLOW,
            r#"{"StringEqualsIfExists":{"sts:ExternalId":"abc"}}"#,
        ));
        assert_eq!(r.external_without_external_id, vec!["444455556666"]);
    }

    #[test]
    fn service_principals_are_not_people_who_skip_mfa() {
        let p = Policy::parse(
            r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"},
            {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}"#,
        )
        .unwrap();
        assert!(!mfa_bypasses(&p).is_empty(), "the service has no MFA");
        assert!(iam_principal_mfa_bypasses(&p).is_empty());
        assert!(assumed_by_iam_principals(&p));
    }

    #[test]
    fn third_party_with_external_id_and_services_are_not_assumed_by_people() {
        let vendor = Policy::parse(&format!(
            "{{\"Statement\":[{}]}}",
            with(ALLOW, r#"{"StringEquals":{"sts:ExternalId":"x"}}"#)
        ))
        .unwrap();
        assert!(!assumed_by_iam_principals(&vendor));
        let no_id = Policy::parse(&format!("{{\"Statement\":[{ALLOW}}}]}}")).unwrap();
        assert!(assumed_by_iam_principals(&no_id));
        let service = Policy::parse(
            r#"{"Statement":{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sts:AssumeRole"}}"#,
        )
        .unwrap();
        assert!(!assumed_by_iam_principals(&service));
    }

    #[test]
    fn role_trust_to_everyone_is_public_unless_org_restricted() {
        let r = trust(r#"{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}"#);
        assert!(r.public && r.principals.everyone && !r.requires_mfa);
        let r = trust(
            r#"{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}}"#,
        );
        assert!(!r.public);
        let r = trust(
            r#"{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}"#,
        );
        assert_eq!(r.principals.services, vec!["ec2.amazonaws.com"]);
        assert!(!r.public && r.external_accounts.is_empty());
    }
}
