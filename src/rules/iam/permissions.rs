//! Effective permissions: policies held by users directly, admin-equivalent
//! principals, privilege-escalation methods.

use super::{each, unknown};
use crate::model::finding::Evidence;
use crate::policy::principals::{Attachment, Fact, PrincipalKind};
use crate::rules::{AccountContext, Verdict};

const HOLDERS: &[PrincipalKind] = &[
    PrincipalKind::User,
    PrincipalKind::Group,
    PrincipalKind::Role,
];

pub(super) fn user_attached_policy(ctx: &AccountContext<'_>) -> Vec<(String, Verdict)> {
    each(ctx, &[PrincipalKind::User], |u| {
        let own: Vec<Evidence> = u
            .policies
            .iter()
            .filter(|p| p.origin.via_group.is_none())
            .map(|p| {
                let (what, path) = match p.origin.attachment {
                    Attachment::Inline => ("inline policy", "UserPolicyList"),
                    Attachment::Managed => ("attached managed policy", "AttachedManagedPolicies"),
                };
                Evidence::at(format!("{what} `{}`", p.origin.name), path)
            })
            .collect();
        Some(if own.is_empty() {
            Verdict::pass(
                "the user's permissions come only from its groups",
                Vec::new(),
            )
        } else {
            Verdict::fail(
                format!(
                    "{} polic{} held by the user itself; grant permissions through groups",
                    own.len(),
                    if own.len() == 1 { "y" } else { "ies" }
                ),
                own,
            )
        })
    })
}

pub(super) fn admin_equivalent(ctx: &AccountContext<'_>) -> Vec<(String, Verdict)> {
    each(ctx, HOLDERS, |p| {
        Some(match &p.permissions {
            Fact::Unknown(why) => unknown(format!("effective permissions unknown: {why}")),
            Fact::Known(perms) if perms.admin_equivalent => Verdict::fail(
                format!(
                    "{} {} can do anything on every resource",
                    p.kind.as_str(),
                    p.name
                ),
                perms
                    .admin_via
                    .iter()
                    .map(|v| Evidence::at(format!("admin via {}", v.chain), v.path()))
                    .collect(),
            ),
            Fact::Known(perms) => Verdict::pass(
                perms
                    .reasons
                    .iter()
                    .find(|r| r.starts_with("not admin-equivalent"))
                    .cloned()
                    .unwrap_or_else(|| "not admin-equivalent".into()),
                Vec::new(),
            ),
        })
    })
}

/// Reported for principals that are not already administrators: to an
/// admin-equivalent principal every method is open and adds nothing
/// (`iam-admin-equivalent` reports it).
pub(super) fn privilege_escalation(ctx: &AccountContext<'_>) -> Vec<(String, Verdict)> {
    each(ctx, HOLDERS, |p| {
        Some(match &p.permissions {
            Fact::Unknown(why) => unknown(format!("effective permissions unknown: {why}")),
            Fact::Known(perms) if perms.admin_equivalent => return None,
            Fact::Known(perms) if perms.privilege_escalation.is_empty() => Verdict::pass(
                "no known privilege-escalation method has all its actions allowed",
                Vec::new(),
            ),
            Fact::Known(perms) => {
                let methods: Vec<&str> = perms
                    .privilege_escalation
                    .iter()
                    .map(|m| m.method.as_str())
                    .collect();
                let evidence = perms
                    .privilege_escalation
                    .iter()
                    .flat_map(|m| {
                        let prefix = if m.actions.len() > 1 {
                            format!("{}: ", m.method)
                        } else {
                            String::new()
                        };
                        m.actions.iter().filter_map(move |a| {
                            a.allowed_by.first().map(|v| {
                                Evidence::at(
                                    format!("{prefix}{} via {}", a.action, v.chain),
                                    v.path(),
                                )
                            })
                        })
                    })
                    .collect();
                Verdict::fail(
                    format!("can escalate through {}", methods.join(", ")),
                    evidence,
                )
            }
        })
    })
}
