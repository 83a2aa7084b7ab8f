//! IAM rules: the root user, users' credentials, the password policy,
//! effective permissions (admin-equivalence, privilege escalation) and role
//! trust. They read the principal reports `rules::evaluate` computes once per
//! account ([`AccountContext::principals`]).
//!
//! Framework controls: CIS AWS Foundations Benchmark v3.0.0 and v4.0.1
//! section 1 number these recommendations alike; the AWS Foundational
//! Security Best Practices (FSBP) ids are Security Hub's (Security Hub
//! CSPM User Guide, "Security Hub CSPM controls for IAM", which lists the
//! CIS v3.0.0 requirement each control maps to).
//!
//! A finding's resource is the principal's ARN (the root user:
//! `arn:aws:iam::ACCOUNT:root`; the password policy:
//! `arn:aws:iam::ACCOUNT:account-password-policy`). An access key named in
//! evidence has the path `access_keys[KEY_ID]`, for the remediation.

mod credentials;
mod permissions;
mod roles;
mod root;

use super::{AccountContext, Check, Rule, Service, Verdict, principal_reports};
use crate::model::Facet;
use crate::model::finding::{Severity, Status};
use crate::policy::principals::{PrincipalKind, PrincipalReport, root_arn};

/// The IAM catalogue.
pub static RULES: &[Rule] = &[
    Rule {
        id: "iam-root-no-mfa",
        title: "The root user has no MFA",
        severity: Severity::Critical,
        service: Service::Iam,
        frameworks: &["CIS-AWS-3.0:1.5", "CIS-AWS-4.0:1.5", "FSBP:IAM.9"],
        remediation: None,
        check: Check::Account(root::no_mfa),
    },
    Rule {
        id: "iam-root-access-keys",
        title: "The root user has active access keys",
        severity: Severity::Critical,
        service: Service::Iam,
        frameworks: &["CIS-AWS-3.0:1.4", "CIS-AWS-4.0:1.4", "FSBP:IAM.4"],
        remediation: None,
        check: Check::Account(root::access_keys),
    },
    Rule {
        id: "iam-root-recently-used",
        title: "The root user was used in the last 90 days",
        severity: Severity::High,
        service: Service::Iam,
        frameworks: &["CIS-AWS-3.0:1.7", "CIS-AWS-4.0:1.7"],
        remediation: None,
        check: Check::Account(root::recently_used),
    },
    Rule {
        id: "iam-console-user-without-mfa",
        title: "A user with a console password has no MFA",
        severity: Severity::High,
        service: Service::Iam,
        frameworks: &["CIS-AWS-3.0:1.10", "CIS-AWS-4.0:1.10", "FSBP:IAM.5"],
        remediation: Some("user-require-mfa"),
        check: Check::Account(credentials::console_without_mfa),
    },
    Rule {
        id: "iam-access-key-old",
        title: "An active access key is older than 90 days",
        severity: Severity::Medium,
        service: Service::Iam,
        frameworks: &["CIS-AWS-3.0:1.14", "CIS-AWS-4.0:1.14", "FSBP:IAM.3"],
        remediation: Some("access-key-deactivate"),
        check: Check::Account(credentials::access_key_old),
    },
    Rule {
        id: "iam-credentials-unused",
        title: "A password or active access key unused for 45 days or more",
        severity: Severity::Medium,
        service: Service::Iam,
        frameworks: &["CIS-AWS-3.0:1.12", "CIS-AWS-4.0:1.12", "FSBP:IAM.22"],
        remediation: Some("access-key-deactivate"),
        check: Check::Account(credentials::unused),
    },
    Rule {
        id: "iam-multiple-active-keys",
        title: "A user has more than one active access key",
        severity: Severity::Medium,
        service: Service::Iam,
        frameworks: &["CIS-AWS-3.0:1.13", "CIS-AWS-4.0:1.13"],
        remediation: Some("access-key-deactivate"),
        check: Check::Account(credentials::multiple_active_keys),
    },
    Rule {
        id: "iam-user-attached-policy",
        title: "A user has policies of its own instead of through groups",
        severity: Severity::Low,
        service: Service::Iam,
        frameworks: &["CIS-AWS-3.0:1.15", "CIS-AWS-4.0:1.15", "FSBP:IAM.2"],
        remediation: None,
        check: Check::Account(permissions::user_attached_policy),
    },
    Rule {
        id: "iam-weak-password-policy",
        title: "The password policy is weaker than CIS asks (length 14, reuse prevention 24)",
        severity: Severity::Medium,
        service: Service::Iam,
        frameworks: &[
            "CIS-AWS-3.0:1.8",
            "CIS-AWS-3.0:1.9",
            "CIS-AWS-4.0:1.8",
            "CIS-AWS-4.0:1.9",
            "FSBP:IAM.15",
            "FSBP:IAM.16",
        ],
        remediation: None,
        check: Check::Account(root::weak_password_policy),
    },
    Rule {
        id: "iam-admin-equivalent",
        title: "A principal is effectively an administrator (* on *)",
        severity: Severity::High,
        service: Service::Iam,
        frameworks: &["CIS-AWS-3.0:1.16", "CIS-AWS-4.0:1.16", "FSBP:IAM.1"],
        remediation: None,
        check: Check::Account(permissions::admin_equivalent),
    },
    Rule {
        id: "iam-privilege-escalation",
        title: "A principal can escalate its own privileges",
        severity: Severity::High,
        service: Service::Iam,
        frameworks: &[],
        remediation: None,
        check: Check::Account(permissions::privilege_escalation),
    },
    Rule {
        id: "iam-role-mfa-not-required",
        title: "Assuming the role does not truly require MFA",
        severity: Severity::High,
        service: Service::Iam,
        frameworks: &[],
        remediation: None,
        check: Check::Account(roles::mfa_not_required),
    },
    Rule {
        id: "iam-role-external-no-external-id",
        title: "Another account may assume the role without an sts:ExternalId",
        severity: Severity::High,
        service: Service::Iam,
        frameworks: &[],
        remediation: None,
        check: Check::Account(roles::external_without_external_id),
    },
    Rule {
        id: "iam-role-trust-public",
        title: "Anyone may assume the role",
        severity: Severity::Critical,
        service: Service::Iam,
        frameworks: &[],
        remediation: None,
        check: Check::Account(roles::trust_public),
    },
];

/// A verdict that could not be reached, with the reason in words.
fn unknown(reason: impl Into<String>) -> Verdict {
    Verdict {
        status: Status::Unknown,
        reason: Some(reason.into()),
        evidence: Vec::new(),
    }
}

/// Runs `check` on every principal of the given kinds; a rule that needs
/// IAM when IAM could not be read gives one `unknown` for the account.
fn each(
    ctx: &AccountContext<'_>,
    kinds: &[PrincipalKind],
    check: impl Fn(&PrincipalReport) -> Option<Verdict>,
) -> Vec<(String, Verdict)> {
    if let Some(v) = iam_unknown(ctx) {
        return vec![(root_arn(ctx.account_id), v)];
    }
    // Called on its own (not through `evaluate_account_with`): compute them.
    let computed;
    let principals = if ctx.principals.is_empty() {
        computed = principal_reports(ctx.iam, ctx.account_id, ctx.now_ms);
        &computed[..]
    } else {
        ctx.principals
    };
    principals
        .iter()
        .filter(|p| kinds.contains(&p.kind))
        .filter_map(|p| check(p).map(|v| (p.arn.clone(), v)))
        .collect()
}

/// `Some(unknown)` when the IAM inventory is not there to judge.
fn iam_unknown(ctx: &AccountContext<'_>) -> Option<Verdict> {
    match ctx.iam {
        Facet::Unknown(u) => Some(Verdict::unknown("IAM", u)),
        Facet::Absent => Some(unknown("IAM unknown: the inventory holds no IAM")),
        Facet::Present(_) => None,
    }
}

#[cfg(test)]
mod tests;
