//! Principals as the console shows them: the IAM analysis's principal
//! reports (`policy::principals`: effective permissions with provenance,
//! credentials, trust), with the documents they name for the detail view.
//! The console draws these; it decides nothing about them.

use crate::model::iam::IamInventory;
use crate::policy::principals::{
    Attachment, Fact, PrincipalKind, PrincipalReport, principal_reports,
};

pub use crate::policy::principals::PrincipalKind as Kind;

/// Whether a principal signs in with MFA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mfa {
    Yes,
    No,
    /// Roles and groups have no MFA device of their own.
    NotApplicable,
    Unknown(String),
}

impl Mfa {
    pub fn label(&self) -> &'static str {
        match self {
            Mfa::Yes => "yes",
            Mfa::No => "NO",
            Mfa::NotApplicable => "-",
            Mfa::Unknown(_) => "?",
        }
    }
}

/// One principal: the report, and the documents of its policies as read.
#[derive(Debug, Clone)]
pub struct PrincipalView {
    pub report: PrincipalReport,
    pub kind: PrincipalKind,
    /// For display (`<root>` for the root user).
    pub name: String,
    pub arn: String,
    pub mfa: Mfa,
    /// Each identity policy's document, in the report's order (`None` when
    /// the inventory does not hold it).
    pub documents: Vec<Option<String>>,
    pub trust_policy: Option<String>,
}

impl PrincipalView {
    pub fn admin(&self) -> bool {
        self.report
            .permissions
            .known()
            .is_some_and(|p| p.admin_equivalent)
    }

    pub fn privesc(&self) -> usize {
        self.report
            .permissions
            .known()
            .map_or(0, |p| p.privilege_escalation.len())
    }

    /// Has a console password (users and root).
    pub fn console(&self) -> Option<bool> {
        self.report
            .credentials
            .as_ref()
            .and_then(|c| c.console_password.known().copied())
    }

    /// The oldest active key's age in days.
    pub fn oldest_active_key(&self) -> Option<i64> {
        let creds = self.report.credentials.as_ref()?;
        creds
            .active_keys()
            .ok()?
            .iter()
            .filter_map(|k| k.created.as_ref().map(|m| m.days_ago))
            .max()
    }
}

/// Every principal of the account, from the IAM analysis.
pub fn principals(iam: &IamInventory, account_id: &str, now_ms: i64) -> Vec<PrincipalView> {
    principal_reports(iam, account_id, now_ms)
        .into_iter()
        .map(|r| view(iam, r))
        .collect()
}

/// A view of one report.
pub fn view(iam: &IamInventory, report: PrincipalReport) -> PrincipalView {
    let documents = report
        .policies
        .iter()
        .map(|p| {
            let o = &p.origin;
            match o.attachment {
                Attachment::Managed => o.arn.as_ref().and_then(|arn| {
                    iam.policies
                        .iter()
                        .find(|m| &m.arn == arn)
                        .map(|m| m.document.clone())
                }),
                Attachment::Inline => {
                    let inline = match (&o.via_group, report.kind) {
                        (Some(g), _) => iam
                            .groups
                            .iter()
                            .find(|x| &x.name == g)
                            .map(|x| &x.inline_policies),
                        (None, PrincipalKind::User) => iam
                            .users
                            .iter()
                            .find(|x| x.arn == report.arn)
                            .map(|x| &x.inline_policies),
                        (None, PrincipalKind::Group) => iam
                            .groups
                            .iter()
                            .find(|x| x.arn == report.arn)
                            .map(|x| &x.inline_policies),
                        (None, PrincipalKind::Role) => iam
                            .roles
                            .iter()
                            .find(|x| x.arn == report.arn)
                            .map(|x| &x.inline_policies),
                        (None, PrincipalKind::Root) => None,
                    };
                    inline
                        .and_then(|ps| ps.iter().find(|x| x.name == o.name))
                        .map(|x| x.document.clone())
                }
            }
        })
        .collect();
    let trust_policy = iam
        .roles
        .iter()
        .find(|r| r.arn == report.arn)
        .map(|r| r.trust_policy.clone());
    let mfa = match (&report.credentials, report.kind) {
        (Some(c), _) => match &c.mfa {
            Fact::Known(true) => Mfa::Yes,
            Fact::Known(false) => Mfa::No,
            Fact::Unknown(why) => Mfa::Unknown(why.clone()),
        },
        (None, PrincipalKind::Root | PrincipalKind::User) => {
            Mfa::Unknown("no credential facts".into())
        }
        (None, _) => Mfa::NotApplicable,
    };
    PrincipalView {
        kind: report.kind,
        name: if report.kind == PrincipalKind::Root {
            "<root>".into()
        } else {
            crate::model::text::safe(&report.name)
        },
        arn: crate::model::text::safe(&report.arn),
        mfa,
        documents,
        trust_policy,
        report,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::Lab;

    #[test]
    fn demo_principals_carry_mfa_keys_admin_flags_and_documents() {
        let lab = Lab::embedded().unwrap();
        let now = 1_800_000_000_000;
        let iam = crate::lab::materialise::iam(&lab, now);
        let ps = principals(&iam, &lab.account_id, now);
        let find = |n: &str| ps.iter().find(|p| p.name == n).unwrap();
        assert_eq!(ps[0].kind, Kind::Root);
        assert_eq!(find("bob-developer").mfa, Mfa::No);
        assert_eq!(find("alice-admin").mfa, Mfa::Yes);
        assert!(find("alice-admin").admin());
        assert!(!find("bob-developer").admin());
        assert!(find("carol-escalator").privesc() > 0);
        assert_eq!(find("ci-deploy").oldest_active_key(), Some(400));
        let alice = find("alice-admin");
        assert!(
            alice.documents.iter().all(Option::is_some),
            "every document found"
        );
        let looks = find("vigil-lab-looks-mfa");
        assert!(looks.trust_policy.is_some());
        assert_eq!(looks.mfa, Mfa::NotApplicable);
    }
}
