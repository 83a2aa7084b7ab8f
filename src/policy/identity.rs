//! Identity policies of one principal: admin-equivalence and privilege
//! escalation, with where each permission came from.
//!
//! - Evaluation inside one account: the union of the principal's identity
//!   policies, any explicit deny wins, and with a permissions boundary "the
//!   effective permissions are the intersection" of the identity policies and
//!   the boundary (IAM User Guide, "Policy evaluation logic" and "Permissions
//!   boundaries for IAM entities").
//! - Privilege escalation: the methods catalogued by Rhino Security Labs ("AWS
//!   IAM Privilege Escalation – Methods and Mitigation"); a method counts only
//!   when every one of its actions is allowed.
//!
//! The principal is assumed able to meet an Allow's conditions and to avoid a
//! conditional Deny; a Deny blocks an action only when it is unconditional and
//! covers every resource. An Allow counts for privilege escalation on any
//! resource, for admin-equivalence only on every resource (`*`).

use serde::Serialize;

use super::document::{Effect, Policy, ResourceBlock, Statement};
use super::eval::{StatementRef, action_matches};

/// One policy of the principal, with a name for evidence (e.g. the managed
/// policy ARN or `inline:NAME`).
#[derive(Debug, Clone, Copy)]
pub struct NamedPolicy<'a> {
    /// Name shown in evidence.
    pub name: &'a str,
    /// The document.
    pub policy: &'a Policy,
}

/// Where a permission came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grant {
    /// The policy's name.
    pub policy: String,
    /// The statement (its `policy` field indexes the slice given).
    pub statement: StatementRef,
}

/// An action and the statements that allow it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionGrant {
    /// The action, e.g. `iam:PassRole`.
    pub action: String,
    /// The Allow statements that grant it.
    pub allowed_by: Vec<Grant>,
}

/// One privilege-escalation method the principal can use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrivescMethod {
    /// Its actions joined with `+`, e.g. `iam:PassRole+ec2:RunInstances`.
    pub name: String,
    /// Each action with where it is allowed.
    pub actions: Vec<ActionGrant>,
}

/// The identity verdict, shaped for `vigil policy check --as identity`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdentityReport {
    /// Effectively `*` on `*`.
    pub admin_equivalent: bool,
    /// The Allow statements that make the principal an administrator (each
    /// statement once, in policy order); empty when not admin-equivalent.
    pub admin_grants: Vec<Grant>,
    /// The names of the methods available (actions joined with `+`), in
    /// catalogue order: the contract of `--as identity`.
    pub privilege_escalation: Vec<String>,
    /// The same methods with, for each action, the statements that allow it.
    pub privilege_escalation_methods: Vec<PrivescMethod>,
    /// Human-readable reasons.
    pub reasons: Vec<String>,
}

/// Rhino Security Labs' methods, as action lists.
pub const PRIVESC_METHODS: [&[&str]; 21] = [
    &["iam:CreatePolicyVersion"],
    &["iam:SetDefaultPolicyVersion"],
    &["iam:PassRole", "ec2:RunInstances"],
    &["iam:CreateAccessKey"],
    &["iam:CreateLoginProfile"],
    &["iam:UpdateLoginProfile"],
    &["iam:AttachUserPolicy"],
    &["iam:AttachGroupPolicy"],
    &["iam:AttachRolePolicy"],
    &["iam:PutUserPolicy"],
    &["iam:PutGroupPolicy"],
    &["iam:PutRolePolicy"],
    &["iam:AddUserToGroup"],
    &["iam:UpdateAssumeRolePolicy", "sts:AssumeRole"],
    &[
        "iam:PassRole",
        "lambda:CreateFunction",
        "lambda:InvokeFunction",
    ],
    &[
        "iam:PassRole",
        "lambda:CreateFunction",
        "lambda:CreateEventSourceMapping",
    ],
    &["lambda:UpdateFunctionCode"],
    &["iam:PassRole", "glue:CreateDevEndpoint"],
    &["glue:UpdateDevEndpoint"],
    &["iam:PassRole", "cloudformation:CreateStack"],
    &[
        "iam:PassRole",
        "datapipeline:CreatePipeline",
        "datapipeline:PutPipelineDefinition",
    ],
];

/// Actions across services that `*` on `*` must include; if any is missing or
/// denied, the principal is not an administrator. These are the powers that
/// make an administrator (grant oneself anything, read any data, destroy,
/// hide tracks); a deny of some other action (say, the password policy) is
/// narrow and leaves the admin power intact. The last probe is a made-up
/// service: only a truly universal grant (`*`, `*:*`, `NotAction`) covers it,
/// so a long list of service wildcards is not mistaken for `*`.
const ADMIN_PROBES: [&str; 24] = [
    "iam:AttachUserPolicy",
    "iam:PutRolePolicy",
    "iam:CreateUser",
    "iam:CreateAccessKey",
    "iam:PassRole",
    "sts:AssumeRole",
    "organizations:LeaveOrganization",
    "s3:GetObject",
    "s3:PutBucketPolicy",
    "s3:DeleteBucket",
    "ec2:RunInstances",
    "ec2:TerminateInstances",
    "lambda:CreateFunction",
    "kms:Decrypt",
    "kms:ScheduleKeyDeletion",
    "cloudtrail:StopLogging",
    "cloudtrail:DeleteTrail",
    "dynamodb:DeleteTable",
    "rds:DeleteDBInstance",
    "secretsmanager:GetSecretValue",
    "logs:DeleteLogGroup",
    "route53:ChangeResourceRecordSets",
    "account:CloseAccount",
    "vigil-unlisted-service:AnyAction",
];

fn all_stars(p: &str) -> bool {
    !p.is_empty() && p.chars().all(|c| c == '*')
}

/// The statement's resources cover every resource.
fn covers_every_resource(st: &Statement) -> bool {
    match &st.resource {
        None => true,
        Some(ResourceBlock::Resource(p)) => p.iter().any(|p| all_stars(p)),
        Some(ResourceBlock::NotResource(p)) => !p.iter().any(|p| all_stars(p)),
    }
}

fn broad_deny(st: &Statement, action: &str) -> bool {
    st.effect == Effect::Deny
        && st.conditions.is_empty()
        && covers_every_resource(st)
        && action_matches(&st.action, action)
}

/// Credential actions that only escalate when aimed at *another* user.
const OTHER_USER_CREDENTIALS: [&str; 3] = [
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
];

/// The statement only reaches the caller's own user (`${aws:username}` in
/// every resource): IAM's documented self-service pattern ("IAM: Allows IAM
/// users to manage their own credentials"), which gains nothing.
fn self_only(st: &Statement) -> bool {
    match &st.resource {
        Some(ResourceBlock::Resource(p)) => p
            .iter()
            .all(|p| p.to_ascii_lowercase().contains("${aws:username}")),
        _ => false,
    }
}

fn allows_in(policies: &[NamedPolicy<'_>], action: &str, every_resource: bool) -> Vec<Grant> {
    let mut out = Vec::new();
    let credential = OTHER_USER_CREDENTIALS
        .iter()
        .any(|a| a.eq_ignore_ascii_case(action));
    for (i, np) in policies.iter().enumerate() {
        for st in &np.policy.statements {
            let resource_ok =
                (!every_resource || covers_every_resource(st)) && !(credential && self_only(st));
            if st.effect == Effect::Allow && resource_ok && action_matches(&st.action, action) {
                out.push(Grant {
                    policy: np.name.to_string(),
                    statement: StatementRef::new(i, st),
                });
            }
        }
    }
    out
}

fn denied_in<'a>(policies: &[NamedPolicy<'a>], action: &str) -> Option<(String, StatementRef)> {
    policies.iter().enumerate().find_map(|(i, np)| {
        np.policy
            .statements
            .iter()
            .find(|st| broad_deny(st, action))
            .map(|st| (np.name.to_string(), StatementRef::new(i, st)))
    })
}

/// Whether `action` is allowed (on some resource, or on every resource when
/// `every_resource`), and by which statements. `Err` says why not.
pub fn action_allowed(
    policies: &[NamedPolicy<'_>],
    boundary: Option<&Policy>,
    action: &str,
    every_resource: bool,
) -> Result<Vec<Grant>, String> {
    let grants = allows_in(policies, action, every_resource);
    if grants.is_empty() {
        return Err(format!("{action} is not allowed by any policy"));
    }
    if let Some((name, st)) = denied_in(policies, action) {
        return Err(format!("{action} is denied by {name} {}", st.describe()));
    }
    if let Some(b) = boundary {
        let bp = [NamedPolicy {
            name: "permissions boundary",
            policy: b,
        }];
        if allows_in(&bp, action, every_resource).is_empty() {
            return Err(format!("{action} is outside the permissions boundary"));
        }
        if let Some((_, st)) = denied_in(&bp, action) {
            return Err(format!(
                "{action} is denied by the permissions boundary {}",
                st.describe()
            ));
        }
    }
    Ok(grants)
}

/// Analyses the identity policies of one principal, with an optional
/// permissions boundary.
pub fn analyze_identity(policies: &[NamedPolicy<'_>], boundary: Option<&Policy>) -> IdentityReport {
    let mut reasons = Vec::new();
    let mut admin_equivalent = true;
    let mut admin_grants: Vec<Grant> = Vec::new();
    for probe in ADMIN_PROBES {
        match action_allowed(policies, boundary, probe, true) {
            Ok(g) => admin_grants.extend(g),
            Err(why) => {
                // One missing power is enough; the rest need not be probed.
                reasons.push(format!("not admin-equivalent: {why}"));
                admin_equivalent = false;
                break;
            }
        }
    }
    if admin_equivalent {
        // The probes interleave the same statements: keep each once.
        admin_grants.sort_by_key(|g| (g.statement.policy, g.statement.index));
        admin_grants.dedup();
        let by: Vec<String> = admin_grants
            .iter()
            .map(|g| format!("{} {}", g.policy, g.statement.describe()))
            .collect();
        reasons.push(format!(
            "admin-equivalent: every action on every resource is allowed by {}",
            by.join(", ")
        ));
    }
    let mut privilege_escalation = Vec::new();
    // iam:PassRole and others recur across methods: decide each action once.
    let mut decided: Vec<(&str, Option<Vec<Grant>>)> = Vec::new();
    for method in PRIVESC_METHODS {
        let mut actions = Vec::new();
        for a in method {
            let allowed = match decided.iter().find(|(d, _)| d == a) {
                Some((_, r)) => r.clone(),
                None => {
                    let r = action_allowed(policies, boundary, a, false).ok();
                    decided.push((a, r.clone()));
                    r
                }
            };
            match allowed {
                Some(allowed_by) => actions.push(ActionGrant {
                    action: (*a).to_string(),
                    allowed_by,
                }),
                None => break,
            }
        }
        if actions.len() == method.len() {
            let name = method.join("+");
            reasons.push(format!("privilege escalation via {name}"));
            privilege_escalation.push(PrivescMethod { name, actions });
        }
    }
    if !admin_equivalent {
        admin_grants.clear();
    }
    IdentityReport {
        admin_equivalent,
        admin_grants,
        privilege_escalation: privilege_escalation
            .iter()
            .map(|m| m.name.clone())
            .collect(),
        privilege_escalation_methods: privilege_escalation,
        reasons,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(statements: &str) -> IdentityReport {
        let p = Policy::parse(&format!(
            r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#
        ))
        .unwrap();
        analyze_identity(
            &[NamedPolicy {
                name: "p",
                policy: &p,
            }],
            None,
        )
    }

    fn names(r: &IdentityReport) -> Vec<String> {
        r.privilege_escalation.clone()
    }

    #[test]
    fn admin_star_star_and_notaction_forms() {
        assert!(report(r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#).admin_equivalent);
        assert!(report(r#"{"Effect":"Allow","Action":"*:*","Resource":"*"}"#).admin_equivalent);
        assert!(
            report(r#"{"Effect":"Allow","NotAction":"examplesvc:NoSuchAction","Resource":"*"}"#)
                .admin_equivalent
        );
        assert!(
            !report(r#"{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}"#).admin_equivalent
        );
        assert!(
            !report(r#"{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b/*"}"#)
                .admin_equivalent
        );
        assert!(
            !report(r#"{"Effect":"Allow","Action":["iam:*","s3:*"],"Resource":"*"}"#)
                .admin_equivalent
        );
    }

    #[test]
    fn admin_grants_name_each_granting_statement_once() {
        let r = report(
            r#"{"Sid":"Read","Effect":"Allow","Action":"s3:Get*","Resource":"*"},{"Sid":"All","Effect":"Allow","Action":"*","Resource":"*"}"#,
        );
        assert!(r.admin_equivalent);
        let sids: Vec<_> = r
            .admin_grants
            .iter()
            .map(|g| g.statement.sid.as_deref())
            .collect();
        // s3:GetObject is also allowed by "Read"; both statements grant a probe.
        assert_eq!(sids, vec![Some("Read"), Some("All")]);
        let r = report(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*"}"#);
        assert!(!r.admin_equivalent && r.admin_grants.is_empty());
    }

    #[test]
    fn admin_narrow_deny_keeps_broad_deny_removes() {
        let narrow = r#"{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"iam:DeleteAccountPasswordPolicy","Resource":"*"}"#;
        assert!(report(narrow).admin_equivalent);
        let broad = r#"{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"iam:*","Resource":"*"}"#;
        assert!(!report(broad).admin_equivalent);
        let conditional = r#"{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}"#;
        assert!(report(conditional).admin_equivalent);
    }

    #[test]
    fn permissions_boundary_intersects() {
        let p = Policy::parse(r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#)
            .unwrap();
        let b = Policy::parse(r#"{"Statement":[{"Effect":"Allow","Action":["s3:*","lambda:UpdateFunctionCode"],"Resource":"*"}]}"#).unwrap();
        let r = analyze_identity(
            &[NamedPolicy {
                name: "admin",
                policy: &p,
            }],
            Some(&b),
        );
        assert!(!r.admin_equivalent);
        assert_eq!(names(&r), vec!["lambda:UpdateFunctionCode"]);
        assert_eq!(
            r.privilege_escalation_methods[0].actions[0].allowed_by[0].policy,
            "admin"
        );
    }

    #[test]
    fn rhino_privesc_method_needs_all_actions() {
        let r = report(
            r#"{"Effect":"Allow","Action":["cloudformation:CreateStack","cloudformation:DescribeStacks"],"Resource":"*"}"#,
        );
        assert!(names(&r).is_empty());
        let r = report(
            r#"{"Effect":"Allow","Action":["iam:PassRole","cloudformation:CreateStack"],"Resource":"*"}"#,
        );
        assert_eq!(names(&r), vec!["iam:PassRole+cloudformation:CreateStack"]);
    }

    #[test]
    fn rhino_privesc_midstring_wildcard_and_deny_removes_method() {
        let r = report(
            r#"{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"},{"Effect":"Allow","Action":"LAMBDA:*function*","Resource":"*"}"#,
        );
        assert_eq!(
            names(&r),
            vec![
                "iam:PassRole+lambda:CreateFunction+lambda:InvokeFunction",
                "lambda:UpdateFunctionCode"
            ]
        );
        let r = report(
            r#"{"Effect":"Allow","Action":["iam:PassRole","lambda:*"],"Resource":"*"},{"Effect":"Deny","Action":"lambda:InvokeFunction","Resource":"*"}"#,
        );
        assert_eq!(
            names(&r),
            vec![
                "iam:PassRole+lambda:CreateFunction+lambda:CreateEventSourceMapping",
                "lambda:UpdateFunctionCode"
            ]
        );
    }

    #[test]
    fn rhino_privesc_credentials_of_own_user_only_do_not_escalate() {
        let own = r#"{"Effect":"Allow","Action":["iam:CreateAccessKey","iam:UpdateLoginProfile"],"Resource":"arn:aws:iam::*:user/${aws:username}"}"#;
        assert!(names(&report(own)).is_empty());
        let any = r#"{"Effect":"Allow","Action":"iam:CreateAccessKey","Resource":"arn:aws:iam::*:user/*"}"#;
        assert_eq!(names(&report(any)), vec!["iam:CreateAccessKey"]);
        // Attaching a policy to oneself does escalate.
        let put = r#"{"Effect":"Allow","Action":"iam:PutUserPolicy","Resource":"arn:aws:iam::*:user/${aws:username}"}"#;
        assert_eq!(names(&report(put)), vec!["iam:PutUserPolicy"]);
    }

    #[test]
    fn rhino_privesc_notaction_form() {
        let r = report(r#"{"Effect":"Allow","NotAction":["iam:*","sts:*"],"Resource":"*"}"#);
        assert_eq!(
            names(&r),
            vec!["lambda:UpdateFunctionCode", "glue:UpdateDevEndpoint"]
        );
    }
}
