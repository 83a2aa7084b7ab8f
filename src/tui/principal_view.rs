//! Principals as the console shows them: users, roles, groups and root,
//! from the raw IAM inventory and the policy engine's identity and trust
//! analyses.
//!
//! This is the seam for the IAM branch's principal reports: until they land
//! on main, the facts come from `policy::analyze_identity` and
//! `policy::analyze_trust` on the documents as read. Only [`principals`]
//! changes when they do.

use crate::model::Facet;
use crate::model::iam::{IamInventory, ManagedPolicy};
use crate::model::text::safe;
use crate::policy::{self, IdentityReport, NamedPolicy, Policy, TrustReport};

/// What kind of principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Root,
    User,
    Role,
    Group,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Root => "root",
            Kind::User => "user",
            Kind::Role => "role",
            Kind::Group => "group",
        }
    }
}

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

/// An access key, without its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    pub id: String,
    pub active: bool,
    pub age_days: Option<i64>,
}

/// One policy that applies to the principal, and through what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicySource {
    /// `inline:NAME` or the managed policy ARN.
    pub name: String,
    /// `inline`, `attached`, `group developers (attached)`, …
    pub via: String,
    /// The document as read (sanitised when drawn).
    pub document: String,
}

/// One principal row and its detail.
#[derive(Debug, Clone)]
pub struct PrincipalView {
    pub kind: Kind,
    pub name: String,
    pub arn: String,
    pub mfa: Mfa,
    /// Has a console password (users and root, from the credential report).
    pub console: Option<bool>,
    pub keys: Vec<KeyInfo>,
    pub policies: Vec<PolicySource>,
    pub identity: Option<IdentityReport>,
    /// Policies that could not be parsed, and why.
    pub policy_problems: Vec<String>,
    pub trust_policy: Option<String>,
    pub trust: Option<Result<TrustReport, String>>,
}

impl PrincipalView {
    pub fn admin(&self) -> bool {
        self.identity.as_ref().is_some_and(|r| r.admin_equivalent)
    }

    pub fn privesc(&self) -> usize {
        self.identity
            .as_ref()
            .map_or(0, |r| r.privilege_escalation.len())
    }

    /// The oldest active key's age.
    pub fn oldest_active_key(&self) -> Option<i64> {
        self.keys
            .iter()
            .filter(|k| k.active)
            .filter_map(|k| k.age_days)
            .max()
    }
}

/// Days since the epoch of an ISO-8601 date (`2024-05-01T…`), for key ages.
pub fn epoch_days(iso: &str) -> Option<i64> {
    let y: i64 = iso.get(0..4)?.parse().ok()?;
    let m: i64 = iso.get(5..7)?.parse().ok()?;
    let d: i64 = iso.get(8..10)?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

fn managed<'a>(iam: &'a IamInventory, arn: &str) -> Option<&'a ManagedPolicy> {
    iam.policies.iter().find(|p| p.arn == arn)
}

/// Parse each source and run the identity analysis over all of them.
fn identity_of(
    sources: &[PolicySource],
    boundary: Option<&str>,
) -> (Option<IdentityReport>, Vec<String>) {
    let mut problems = Vec::new();
    let parsed: Vec<(String, Policy)> = sources
        .iter()
        .filter_map(|s| match Policy::parse(&s.document) {
            Ok(p) => Some((s.name.clone(), p)),
            Err(e) => {
                problems.push(safe(&format!("{}: {e}", s.name)));
                None
            }
        })
        .collect();
    let named: Vec<NamedPolicy<'_>> = parsed
        .iter()
        .map(|(n, p)| NamedPolicy { name: n, policy: p })
        .collect();
    let boundary = boundary.and_then(|b| Policy::parse(b).ok());
    (
        Some(policy::analyze_identity(&named, boundary.as_ref())),
        problems,
    )
}

/// Every principal of the account, root first, then users, roles, groups.
pub fn principals(iam: &IamInventory, account_id: &str, now_ms: i64) -> Vec<PrincipalView> {
    let today = now_ms.div_euclid(86_400_000);
    let mut out = Vec::new();
    let report = iam.credential_report.present();
    let row = |user: &str| {
        report.and_then(|rows| {
            rows.iter()
                .find(|r| r.get("user").map(String::as_str) == Some(user))
        })
    };

    let root = row("<root_account>");
    out.push(PrincipalView {
        kind: Kind::Root,
        name: "<root>".into(),
        arn: format!("arn:aws:iam::{account_id}:root"),
        mfa: match root.and_then(|r| r.get("mfa_active")) {
            Some(v) if v == "true" => Mfa::Yes,
            Some(_) => Mfa::No,
            None => Mfa::Unknown(match &iam.credential_report {
                Facet::Unknown(u) => format!("credential report: {u}"),
                _ => "not in the credential report".into(),
            }),
        },
        console: root.map(|r| r.get("password_enabled").is_some_and(|v| v != "false")),
        keys: (1..=2)
            .filter_map(|i| {
                let r = root?;
                let active = r.get(&format!("access_key_{i}_active"))? == "true";
                active.then(|| KeyInfo {
                    id: format!("root key {i}"),
                    active,
                    age_days: r
                        .get(&format!("access_key_{i}_last_rotated"))
                        .and_then(|d| epoch_days(d))
                        .map(|d| today - d),
                })
            })
            .collect(),
        policies: Vec::new(),
        identity: None,
        policy_problems: Vec::new(),
        trust_policy: None,
        trust: None,
    });

    for u in &iam.users {
        let mut sources: Vec<PolicySource> = u
            .inline_policies
            .iter()
            .map(|p| PolicySource {
                name: format!("inline:{}", p.name),
                via: "inline".into(),
                document: p.document.clone(),
            })
            .collect();
        for arn in &u.attached_policies {
            if let Some(m) = managed(iam, arn) {
                sources.push(PolicySource {
                    name: m.arn.clone(),
                    via: "attached".into(),
                    document: m.document.clone(),
                });
            }
        }
        for gname in &u.groups {
            if let Some(g) = iam.groups.iter().find(|g| &g.name == gname) {
                for p in &g.inline_policies {
                    sources.push(PolicySource {
                        name: format!("group:{}:inline:{}", g.name, p.name),
                        via: format!("group {} (inline)", g.name),
                        document: p.document.clone(),
                    });
                }
                for arn in &g.attached_policies {
                    if let Some(m) = managed(iam, arn) {
                        sources.push(PolicySource {
                            name: m.arn.clone(),
                            via: format!("group {} (attached)", g.name),
                            document: m.document.clone(),
                        });
                    }
                }
            }
        }
        let (identity, policy_problems) = identity_of(&sources, u.permissions_boundary.as_deref());
        let cred = row(&u.name);
        out.push(PrincipalView {
            kind: Kind::User,
            name: safe(&u.name),
            arn: safe(&u.arn),
            mfa: match &u.mfa_devices {
                Facet::Present(d) if !d.is_empty() => Mfa::Yes,
                Facet::Present(_) | Facet::Absent => Mfa::No,
                Facet::Unknown(x) => Mfa::Unknown(x.to_string()),
            },
            console: cred.map(|r| r.get("password_enabled").is_some_and(|v| v == "true")),
            keys: match &u.access_keys {
                Facet::Present(keys) => keys
                    .iter()
                    .map(|k| KeyInfo {
                        id: safe(&k.id),
                        active: k.status == "Active",
                        age_days: k
                            .create_date
                            .as_deref()
                            .and_then(epoch_days)
                            .map(|d| today - d),
                    })
                    .collect(),
                _ => Vec::new(),
            },
            policies: sources,
            identity,
            policy_problems,
            trust_policy: None,
            trust: None,
        });
    }

    for r in &iam.roles {
        let mut sources: Vec<PolicySource> = r
            .inline_policies
            .iter()
            .map(|p| PolicySource {
                name: format!("inline:{}", p.name),
                via: "inline".into(),
                document: p.document.clone(),
            })
            .collect();
        for arn in &r.attached_policies {
            if let Some(m) = managed(iam, arn) {
                sources.push(PolicySource {
                    name: m.arn.clone(),
                    via: "attached".into(),
                    document: m.document.clone(),
                });
            }
        }
        let (identity, policy_problems) = identity_of(&sources, r.permissions_boundary.as_deref());
        let trust = Some(
            Policy::parse(&r.trust_policy)
                .map(|p| policy::analyze_trust(&p, account_id))
                .map_err(|e| safe(&e.to_string())),
        );
        out.push(PrincipalView {
            kind: Kind::Role,
            name: safe(&r.name),
            arn: safe(&r.arn),
            mfa: Mfa::NotApplicable,
            console: None,
            keys: Vec::new(),
            policies: sources,
            identity,
            policy_problems,
            trust_policy: Some(r.trust_policy.clone()),
            trust,
        });
    }

    for g in &iam.groups {
        let mut sources: Vec<PolicySource> = g
            .inline_policies
            .iter()
            .map(|p| PolicySource {
                name: format!("inline:{}", p.name),
                via: "inline".into(),
                document: p.document.clone(),
            })
            .collect();
        for arn in &g.attached_policies {
            if let Some(m) = managed(iam, arn) {
                sources.push(PolicySource {
                    name: m.arn.clone(),
                    via: "attached".into(),
                    document: m.document.clone(),
                });
            }
        }
        let (identity, policy_problems) = identity_of(&sources, None);
        out.push(PrincipalView {
            kind: Kind::Group,
            name: safe(&g.name),
            arn: safe(&g.arn),
            mfa: Mfa::NotApplicable,
            console: None,
            keys: Vec::new(),
            policies: sources,
            identity,
            policy_problems,
            trust_policy: None,
            trust: None,
        });
    }
    out
}

/// The principal an ARN in a trail record stands for: an assumed-role
/// session is its role, `…:root` is root.
pub fn principal_arn_of_actor(actor_arn: &str) -> String {
    // arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION → arn:aws:iam::ACCOUNT:role/ROLE
    if let Some(rest) = actor_arn.strip_prefix("arn:aws:sts::")
        && let Some((account, tail)) = rest.split_once(":assumed-role/")
    {
        let role = tail.split('/').next().unwrap_or(tail);
        return format!("arn:aws:iam::{account}:role/{role}");
    }
    actor_arn.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::Lab;

    #[test]
    fn epoch_days_matches_the_calendar() {
        assert_eq!(epoch_days("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(epoch_days("2000-03-01"), Some(11_017));
        assert_eq!(epoch_days("garbage"), None);
    }

    #[test]
    fn demo_principals_carry_mfa_keys_and_admin_flags() {
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
        let looks = find("vigil-lab-looks-mfa");
        assert!(matches!(&looks.trust, Some(Ok(t)) if !t.requires_mfa));
    }

    #[test]
    fn assumed_role_sessions_map_to_their_role() {
        assert_eq!(
            principal_arn_of_actor("arn:aws:sts::123456789012:assumed-role/ops/mallory"),
            "arn:aws:iam::123456789012:role/ops"
        );
        assert_eq!(
            principal_arn_of_actor("arn:aws:iam::1:user/x"),
            "arn:aws:iam::1:user/x"
        );
    }
}
