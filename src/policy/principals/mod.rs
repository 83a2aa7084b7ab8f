//! Effective permissions of every principal of an account — each user, group,
//! role and the root user — with where each permission came from.
//!
//! - A user's identity policies are its inline policies, its attached managed
//!   policies, and the inline and attached policies of each of its groups; a
//!   group's are its own; a role's are its own. With a permissions boundary
//!   the effective permissions are the intersection (IAM User Guide, "Policy
//!   evaluation logic" and "Permissions boundaries for IAM entities"); groups
//!   have no boundary.
//! - The root user holds every permission; identity policies do not apply
//!   to it (IAM User Guide, "AWS account root user").
//! - A policy document that does not parse, a managed policy or boundary the
//!   inventory does not hold, or a group that is not in it, makes that
//!   principal's verdicts unknown, with the reason: never a silent pass.
//!
//! Each managed policy is parsed once and shared by every principal it is
//! attached to; each group's inline policies are parsed once for all members.
//! No I/O: the inventory and the analysis time come in as arguments.

pub mod credentials;
pub mod report;

use std::collections::HashMap;

use super::document::Policy;
use super::identity::{Grant, NamedPolicy, analyze_identity};
use super::trust::{analyze_trust, assumed_by_iam_principals, iam_principal_mfa_bypasses};
use crate::model::iam::{IamInventory, InlinePolicy};
use crate::model::text::safe;

pub use credentials::{Credentials, KeyReport, Moment};
pub use report::*;

/// One identity policy of one principal, pointing at a parsed document.
#[derive(Debug, Clone)]
struct PolicyRef {
    origin: PolicyOrigin,
    /// Index into [`IamAnalysis::docs`], or why there is no document.
    doc: Result<usize, String>,
    /// `origin.describe()`, kept for the engine's evidence names.
    label: String,
}

/// A principal's identity policies, resolved.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) kind: PrincipalKind,
    /// Index in the inventory's list of that kind (0 for root).
    pub(crate) index: usize,
    pub(crate) name: String,
    pub(crate) arn: String,
    refs: Vec<PolicyRef>,
    /// The boundary's ARN and its document (or why there is none).
    boundary: Option<(String, Result<usize, String>)>,
}

/// A principal's identity policies as the engine takes them.
pub(crate) struct Identity<'a> {
    pub(crate) named: Vec<NamedPolicy<'a>>,
    pub(crate) origins: Vec<&'a PolicyOrigin>,
    pub(crate) boundary: Option<&'a Policy>,
}

/// The parsed identity policies of a whole account, built once and queried
/// for principal reports and for who can reach a bucket.
#[derive(Debug)]
pub struct IamAnalysis<'a> {
    pub(crate) iam: &'a IamInventory,
    pub(crate) account_id: &'a str,
    docs: Vec<Result<Policy, String>>,
    pub(crate) entries: Vec<Entry>,
}

fn parse_doc(what: &str, text: &str) -> Result<Policy, String> {
    Policy::parse(text).map_err(|e| format!("{what} does not parse: {e}"))
}

impl<'a> IamAnalysis<'a> {
    /// Parses every policy document of `iam` once and resolves each
    /// principal's policies.
    pub fn new(iam: &'a IamInventory, account_id: &'a str) -> IamAnalysis<'a> {
        let mut docs: Vec<Result<Policy, String>> = Vec::with_capacity(iam.policies.len());
        let mut managed: HashMap<&str, (usize, &str)> = HashMap::with_capacity(iam.policies.len());
        for p in &iam.policies {
            managed.insert(p.arn.as_str(), (docs.len(), p.name.as_str()));
            docs.push(parse_doc(
                &format!("managed policy `{}`", p.name),
                &p.document,
            ));
        }
        let managed_ref = |arn: &str, via_group: Option<&str>| -> PolicyRef {
            let (doc, name) = match managed.get(arn) {
                Some((i, name)) => (Ok(*i), (*name).to_string()),
                None => (
                    Err(format!(
                        "managed policy {arn} is not in the inventory (GetAccountAuthorizationDetails did not return it)"
                    )),
                    arn.rsplit('/').next().unwrap_or(arn).to_string(),
                ),
            };
            let origin = PolicyOrigin {
                via_group: via_group.map(str::to_string),
                attachment: Attachment::Managed,
                name,
                arn: Some(arn.to_string()),
            };
            PolicyRef {
                label: origin.describe(),
                origin,
                doc,
            }
        };
        let inline_refs = |docs: &mut Vec<Result<Policy, String>>,
                           list: &[InlinePolicy],
                           via_group: Option<&str>|
         -> Vec<PolicyRef> {
            list.iter()
                .map(|p| {
                    let origin = PolicyOrigin {
                        via_group: via_group.map(str::to_string),
                        attachment: Attachment::Inline,
                        name: p.name.clone(),
                        arn: None,
                    };
                    docs.push(parse_doc(
                        &format!("inline policy `{}`", p.name),
                        &p.document,
                    ));
                    PolicyRef {
                        label: origin.describe(),
                        origin,
                        doc: Ok(docs.len() - 1),
                    }
                })
                .collect()
        };
        let boundary = |arn: &Option<String>| {
            arn.as_ref().map(|b| {
                let doc = managed
                    .get(b.as_str())
                    .map(|(i, _)| *i)
                    .ok_or_else(|| format!("permissions boundary {b} is not in the inventory"));
                (b.clone(), doc)
            })
        };

        // Groups first: their policies are shared by every member.
        let mut group_refs: HashMap<&str, Vec<PolicyRef>> = HashMap::new();
        let mut entries = Vec::new();
        entries.push(Entry {
            kind: PrincipalKind::Root,
            index: 0,
            name: credentials::ROOT_ROW.to_string(),
            arn: root_arn(account_id),
            refs: Vec::new(),
            boundary: None,
        });
        let mut group_entries = Vec::new();
        for (gi, g) in iam.groups.iter().enumerate() {
            let mut refs = inline_refs(&mut docs, &g.inline_policies, None);
            refs.extend(g.attached_policies.iter().map(|a| managed_ref(a, None)));
            let inherited = refs
                .iter()
                .map(|r| {
                    let mut r = r.clone();
                    r.origin.via_group = Some(g.name.clone());
                    r.label = r.origin.describe();
                    r
                })
                .collect();
            group_refs.insert(g.name.as_str(), inherited);
            group_entries.push(Entry {
                kind: PrincipalKind::Group,
                index: gi,
                name: g.name.clone(),
                arn: g.arn.clone(),
                refs,
                boundary: None,
            });
        }
        for (ui, u) in iam.users.iter().enumerate() {
            let mut refs = inline_refs(&mut docs, &u.inline_policies, None);
            refs.extend(u.attached_policies.iter().map(|a| managed_ref(a, None)));
            for g in &u.groups {
                match group_refs.get(g.as_str()) {
                    Some(list) => refs.extend(list.iter().cloned()),
                    None => {
                        let origin = PolicyOrigin {
                            via_group: Some(g.clone()),
                            attachment: Attachment::Managed,
                            name: "(the group's policies)".into(),
                            arn: None,
                        };
                        refs.push(PolicyRef {
                            label: origin.describe(),
                            origin,
                            doc: Err(format!("group {g} is not in the inventory")),
                        });
                    }
                }
            }
            entries.push(Entry {
                kind: PrincipalKind::User,
                index: ui,
                name: u.name.clone(),
                arn: u.arn.clone(),
                refs,
                boundary: boundary(&u.permissions_boundary),
            });
        }
        entries.extend(group_entries);
        for (ri, r) in iam.roles.iter().enumerate() {
            let mut refs = inline_refs(&mut docs, &r.inline_policies, None);
            refs.extend(r.attached_policies.iter().map(|a| managed_ref(a, None)));
            entries.push(Entry {
                kind: PrincipalKind::Role,
                index: ri,
                name: r.name.clone(),
                arn: r.arn.clone(),
                refs,
                boundary: boundary(&r.permissions_boundary),
            });
        }
        IamAnalysis {
            iam,
            account_id,
            docs,
            entries,
        }
    }

    /// The documents the engine needs for one principal, or every reason
    /// they cannot all be had.
    pub(crate) fn identity<'s>(&'s self, e: &'s Entry) -> Result<Identity<'s>, String> {
        let mut errors = Vec::new();
        let mut named = Vec::with_capacity(e.refs.len());
        let mut origins = Vec::with_capacity(e.refs.len());
        for r in &e.refs {
            match r.doc.as_ref().map(|i| &self.docs[*i]) {
                Ok(Ok(policy)) => {
                    named.push(NamedPolicy {
                        name: &r.label,
                        policy,
                    });
                    origins.push(&r.origin);
                }
                Ok(Err(why)) | Err(why) => errors.push(why.clone()),
            }
        }
        let boundary = match &e.boundary {
            None => None,
            Some((_, doc)) => match doc.as_ref().map(|i| &self.docs[*i]) {
                Ok(Ok(p)) => Some(p),
                Ok(Err(why)) => {
                    errors.push(format!("permissions boundary: {why}"));
                    None
                }
                Err(why) => {
                    errors.push(why.clone());
                    None
                }
            },
        };
        if errors.is_empty() {
            Ok(Identity {
                named,
                origins,
                boundary,
            })
        } else {
            Err(errors.join("; "))
        }
    }

    fn provenance(origins: &[&PolicyOrigin], g: &Grant) -> Option<Provenance> {
        let origin = (*origins.get(g.statement.policy)?).clone();
        let sid = g
            .statement
            .sid
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(safe);
        let chain = match &sid {
            Some(s) => format!("{}, {} (Sid {s:?})", origin.describe(), g.statement.path),
            None => format!("{}, {}", origin.describe(), g.statement.path),
        };
        Some(Provenance {
            origin,
            statement: g.statement.path.clone(),
            sid,
            chain,
        })
    }

    fn permissions(&self, e: &Entry) -> Fact<Permissions> {
        if e.kind == PrincipalKind::Root {
            return Fact::Known(Permissions {
                admin_equivalent: true,
                admin_via: Vec::new(),
                privilege_escalation: Vec::new(),
                reasons: vec![
                    "the root user holds every permission; identity policies do not apply to it \
                     (only AWS Organizations SCPs can limit it)"
                        .into(),
                ],
            });
        }
        let id = match self.identity(e) {
            Ok(id) => id,
            Err(why) => return Fact::Unknown(why),
        };
        let r = analyze_identity(&id.named, id.boundary);
        let prov = |g: &Grant| Self::provenance(&id.origins, g);
        Fact::Known(Permissions {
            admin_equivalent: r.admin_equivalent,
            admin_via: r.admin_grants.iter().filter_map(prov).collect(),
            privilege_escalation: r
                .privilege_escalation_methods
                .iter()
                .map(|m| Escalation {
                    method: m.name.clone(),
                    actions: m
                        .actions
                        .iter()
                        .map(|a| ActionProvenance {
                            action: a.action.clone(),
                            allowed_by: a.allowed_by.iter().filter_map(prov).collect(),
                        })
                        .collect(),
                })
                .collect(),
            reasons: r.reasons,
        })
    }

    fn trust(&self, trust_policy: &str) -> Fact<RoleTrust> {
        match Policy::parse(trust_policy) {
            Ok(p) => Fact::Known(RoleTrust {
                analysis: analyze_trust(&p, self.account_id),
                assumed_by_iam_principals: assumed_by_iam_principals(&p),
                iam_principal_mfa_bypass: iam_principal_mfa_bypasses(&p).into_iter().next(),
            }),
            Err(e) => Fact::Unknown(format!("the trust policy does not parse: {e}")),
        }
    }

    /// The report of one resolved principal.
    fn report(&self, e: &Entry, now_ms: i64) -> PrincipalReport {
        let iam = self.iam;
        let (path, groups, credentials, trust) = match e.kind {
            PrincipalKind::Root => (
                "/".to_string(),
                Vec::new(),
                Some(credentials::root_credentials(iam, now_ms)),
                None,
            ),
            PrincipalKind::User => {
                let u = &iam.users[e.index];
                (
                    u.path.clone(),
                    u.groups.clone(),
                    Some(credentials::user_credentials(u, iam, now_ms)),
                    None,
                )
            }
            PrincipalKind::Group => {
                let g = &iam.groups[e.index];
                let members = iam
                    .users
                    .iter()
                    .filter(|u| u.groups.iter().any(|n| n == &g.name))
                    .map(|u| u.name.clone())
                    .collect();
                (g.path.clone(), members, None, None)
            }
            PrincipalKind::Role => {
                let r = &iam.roles[e.index];
                (
                    r.path.clone(),
                    Vec::new(),
                    None,
                    Some(self.trust(&r.trust_policy)),
                )
            }
        };
        PrincipalReport {
            kind: e.kind,
            name: e.name.clone(),
            arn: e.arn.clone(),
            path,
            groups,
            policies: e
                .refs
                .iter()
                .map(|r| AppliedPolicy {
                    origin: r.origin.clone(),
                    error: match r.doc.as_ref().map(|i| &self.docs[*i]) {
                        Ok(Ok(_)) => None,
                        Ok(Err(why)) | Err(why) => Some(why.clone()),
                    },
                })
                .collect(),
            permissions_boundary: e.boundary.as_ref().map(|(arn, _)| arn.clone()),
            permissions: self.permissions(e),
            credentials,
            trust,
        }
    }

    /// A report for every principal: root, users, groups, roles (each in
    /// inventory order). Ages are computed against `now_ms`.
    pub fn principal_reports(&self, now_ms: i64) -> Vec<PrincipalReport> {
        self.entries
            .iter()
            .map(|e| self.report(e, now_ms))
            .collect()
    }
}

/// Every principal's report for one account: [`IamAnalysis::new`] then
/// [`IamAnalysis::principal_reports`].
pub fn principal_reports(
    iam: &IamInventory,
    account_id: &str,
    now_ms: i64,
) -> Vec<PrincipalReport> {
    IamAnalysis::new(iam, account_id).principal_reports(now_ms)
}

#[cfg(test)]
mod tests;
