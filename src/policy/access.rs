//! Who outside the owner account does a resource policy grant access to?
//!
//! IAM User Guide, "Cross account resource access in IAM" and "AWS JSON policy
//! elements: Principal" ("AWS account principals": a bare account id or
//! `arn:aws:iam::ID:root` stands for the account; user and role ARNs name one
//! identity of that account). `aws:PrincipalOrgID` grants every account of an
//! organisation ("AWS global condition context keys"). Only Allow statements
//! grant: a Deny with `NotPrincipal` merely exempts the listed principals
//! ("AWS JSON policy elements: NotPrincipal" → "NotPrincipal with Deny").

use std::collections::BTreeSet;

use serde::Serialize;

use super::arn;
use super::condition::Condition;
use super::document::{Effect, Policy, PrincipalBlock, Statement};
use super::eval::StatementRef;
use super::public::{StatementVerdict, restricts, statement_verdict};

/// How far outside the account the grants reach (the widest one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Only the owner account (and services acting for it).
    None,
    /// Named other accounts.
    Accounts,
    /// Every account of an AWS Organization (`aws:PrincipalOrgID`).
    Organization,
    /// Anyone (S3's meaning of public).
    Public,
}

/// One grant reaching outside the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExternalGrant {
    /// The statement that grants it.
    pub statement: StatementRef,
    /// What it reaches: an account id, `organization:o-…`, or `public`.
    pub to: String,
    /// Why.
    pub reason: String,
}

/// The external-access verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExternalAccess {
    /// Other account ids granted access, sorted, deduplicated.
    pub external_accounts: Vec<String>,
    /// Organisation ids granted access through `aws:PrincipalOrgID`.
    pub organizations: Vec<String>,
    /// The widest reach.
    pub scope: Scope,
    /// Anyone outside the account is granted something (accounts, an
    /// organisation, or the public).
    pub cross_account: bool,
    /// A statement is public under S3's definition.
    pub public: bool,
    /// Each external grant with its statement.
    pub grants: Vec<ExternalGrant>,
    /// Human-readable reasons.
    pub reasons: Vec<String>,
}

impl ExternalAccess {
    /// No external access (e.g. no policy).
    pub fn none() -> Self {
        ExternalAccess {
            external_accounts: Vec::new(),
            organizations: Vec::new(),
            scope: Scope::None,
            cross_account: false,
            public: false,
            grants: Vec::new(),
            reasons: vec!["no grant reaches outside the account".into()],
        }
    }
}

/// Keys whose fixed values name the account a wildcard-principal grant is for.
const ACCOUNT_KEYS: [&str; 5] = [
    "aws:principalaccount",
    "aws:sourceaccount",
    "aws:sourceowner",
    "s3:dataaccesspointaccount",
    "aws:resourceaccount",
];
const ARN_KEYS: [&str; 3] = ["aws:principalarn", "aws:sourcearn", "s3:dataaccesspointarn"];

/// Lists who outside `account_id` the Allow statements of `policy` grant access to.
pub fn external_access(policy: &Policy, account_id: &str) -> ExternalAccess {
    let mut accounts = BTreeSet::new();
    let mut orgs = BTreeSet::new();
    let mut public = false;
    let mut grants = Vec::new();
    for st in policy
        .statements
        .iter()
        .filter(|s| s.effect == Effect::Allow)
    {
        let r = StatementRef::new(0, st);
        if let StatementVerdict::Public(why) = statement_verdict(st) {
            public = true;
            grants.push(ExternalGrant {
                statement: r.clone(),
                to: "public".into(),
                reason: why,
            });
            continue;
        }
        let Some(PrincipalBlock::Principal(p)) = &st.principal else {
            continue;
        };
        for entry in p
            .aws
            .iter()
            .filter(|a| !a.contains('*') && !a.contains('?'))
        {
            if let Some(acct) = arn::principal_account(entry)
                && acct != account_id
            {
                grants.push(ExternalGrant {
                    statement: r.clone(),
                    to: acct.clone(),
                    reason: format!("principal {entry} belongs to account {acct}"),
                });
                accounts.insert(acct);
            }
        }
        // A wildcard, federated or service principal narrowed by conditions:
        // the fixed condition values say whom it is for.
        let open = p.aws.iter().any(|a| a.contains('*') || a.contains('?'))
            || !p.service.is_empty()
            || !p.federated.is_empty();
        if open {
            for c in st.conditions.iter().filter(|c| restricts(c).is_some()) {
                condition_reach(c, account_id, st, &mut accounts, &mut orgs, &mut grants);
            }
        }
    }
    let external_accounts: Vec<String> = accounts.into_iter().collect();
    let organizations: Vec<String> = orgs.into_iter().collect();
    let scope = if public {
        Scope::Public
    } else if !organizations.is_empty() {
        Scope::Organization
    } else if !external_accounts.is_empty() {
        Scope::Accounts
    } else {
        Scope::None
    };
    let mut reasons: Vec<String> = grants
        .iter()
        .map(|g| {
            format!(
                "{} grants access to {}: {}",
                g.statement.describe(),
                g.to,
                g.reason
            )
        })
        .collect();
    if reasons.is_empty() {
        reasons.push("no grant reaches outside the account".into());
    }
    ExternalAccess {
        cross_account: scope != Scope::None,
        external_accounts,
        organizations,
        scope,
        public,
        grants,
        reasons,
    }
}

fn condition_reach(
    c: &Condition,
    own: &str,
    st: &Statement,
    accounts: &mut BTreeSet<String>,
    orgs: &mut BTreeSet<String>,
    grants: &mut Vec<ExternalGrant>,
) {
    let key = c.key.to_ascii_lowercase();
    for v in &c.values {
        let (to, acct) = if key == "aws:principalorgid" {
            orgs.insert(v.clone());
            (format!("organization:{v}"), None)
        } else if ACCOUNT_KEYS.contains(&key.as_str()) && arn::is_account_id(v) {
            (v.clone(), Some(v.clone()))
        } else if ARN_KEYS.contains(&key.as_str()) {
            match arn::principal_account(v) {
                Some(a) => (a.clone(), Some(a)),
                None => continue,
            }
        } else {
            continue;
        };
        if let Some(a) = acct {
            if a == own {
                continue;
            }
            accounts.insert(a);
        }
        grants.push(ExternalGrant {
            statement: StatementRef::new(0, st),
            to,
            reason: format!("{} {} = {v:?}", c.operator.name, c.key),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWN: &str = "111122223333";

    fn run(statements: &str) -> ExternalAccess {
        let p = Policy::parse(&format!(
            r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#
        ))
        .unwrap();
        external_access(&p, OWN)
    }

    #[test]
    fn account_principals_bare_id_root_and_role_arns_are_external() {
        let r = run(
            r#"{"Effect":"Allow","Principal":{"AWS":["444455556666","arn:aws:iam::777788889999:role/x","arn:aws:iam::111122223333:root"]},"Action":"s3:GetObject","Resource":"*"}"#,
        );
        assert_eq!(r.external_accounts, vec!["444455556666", "777788889999"]);
        assert!(r.cross_account && !r.public);
        assert_eq!(r.scope, Scope::Accounts);
    }

    #[test]
    fn notprincipal_with_deny_grants_nothing() {
        let r = run(
            r#"{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"s3:*","Resource":"*"}"#,
        );
        assert!(r.external_accounts.is_empty() && !r.cross_account && !r.public);
    }

    #[test]
    fn principal_orgid_grants_the_organization() {
        let r = run(
            r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}}"#,
        );
        assert_eq!(r.scope, Scope::Organization);
        assert_eq!(r.organizations, vec!["o-abc123"]);
        assert!(r.cross_account && !r.public);
    }

    #[test]
    fn wildcard_principal_limited_to_principal_account() {
        let own = run(
            r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalAccount":"111122223333"}}}"#,
        );
        assert!(!own.cross_account);
        let other = run(
            r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalAccount":"444455556666"}}}"#,
        );
        assert_eq!(other.external_accounts, vec!["444455556666"]);
    }

    #[test]
    fn public_statement_is_public_scope() {
        let r = run(r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}"#);
        assert!(r.public && r.cross_account);
        assert_eq!(r.scope, Scope::Public);
    }
}
