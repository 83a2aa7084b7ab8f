//! The root user and the account password policy.

use super::{each, iam_unknown, unknown};
use crate::model::Facet;
use crate::model::finding::Evidence;
use crate::policy::principals::{Fact, PrincipalKind};
use crate::rules::{AccountContext, Verdict};

/// How recent a use of the root user counts as "recent". CIS 1.7 names no
/// number ("eliminate use of the root user for administrative and daily
/// tasks"); a quarter is long enough to cover the rare tasks only root can
/// do, short enough that daily use shows.
pub(super) const ROOT_RECENT_DAYS: i64 = 90;

/// CIS 1.8: "minimum length of 14 or greater".
pub(super) const MIN_PASSWORD_LENGTH: i32 = 14;
/// CIS 1.9 / FSBP IAM.16: "the number of passwords to remember is set to 24".
pub(super) const PASSWORD_REUSE_PREVENTION: i32 = 24;

pub(super) fn no_mfa(ctx: &AccountContext<'_>) -> Vec<(String, Verdict)> {
    each(ctx, &[PrincipalKind::Root], |root| {
        let c = root.credentials.as_ref()?;
        Some(match &c.mfa {
            Fact::Known(true) => Verdict::pass(
                "MFA is active for the root user",
                vec![Evidence::at(
                    "mfa_active: true",
                    "credential_report.mfa_active",
                )],
            ),
            Fact::Known(false) => Verdict::fail(
                "the root user signs in with a password alone: no MFA device is active",
                vec![Evidence::at(
                    "no MFA device is active for the root user (credential report mfa_active, \
                     account summary AccountMFAEnabled)",
                    "credential_report.mfa_active",
                )],
            ),
            Fact::Unknown(why) => unknown(format!("root MFA unknown: {why}")),
        })
    })
}

pub(super) fn access_keys(ctx: &AccountContext<'_>) -> Vec<(String, Verdict)> {
    each(ctx, &[PrincipalKind::Root], |root| {
        let c = root.credentials.as_ref()?;
        Some(match &c.access_keys {
            Fact::Known(keys) => {
                let active: Vec<_> = keys.iter().filter(|k| k.active).collect();
                let evidence = keys
                    .iter()
                    .enumerate()
                    .map(|(i, k)| {
                        Evidence::at(
                            format!(
                                "root access key {} is {}{}",
                                i + 1,
                                if k.active { "active" } else { "inactive" },
                                k.created
                                    .as_ref()
                                    .map(|m| format!(
                                        ", created {} ({} days ago)",
                                        m.time, m.days_ago
                                    ))
                                    .unwrap_or_default()
                            ),
                            format!("credential_report.access_key_{}_active", i + 1),
                        )
                    })
                    .collect();
                if active.is_empty() {
                    Verdict::pass(
                        if keys.is_empty() {
                            "the root user has no access keys".to_string()
                        } else {
                            "the root user's access keys are inactive (delete them: an inactive key can be reactivated)".to_string()
                        },
                        evidence,
                    )
                } else {
                    Verdict::fail(
                        format!(
                            "the root user has {} active access key{}: unrestricted programmatic access to the account",
                            active.len(),
                            if active.len() == 1 { "" } else { "s" }
                        ),
                        evidence,
                    )
                }
            }
            Fact::Unknown(why) => {
                // CIS 1.4 audits AccountAccessKeysPresent from the account
                // summary: 1 means the root user has keys.
                let present = match ctx.iam {
                    Facet::Present(iam) => iam
                        .account_summary
                        .present()
                        .and_then(|s| s.get("AccountAccessKeysPresent"))
                        .copied(),
                    _ => None,
                };
                match present {
                    Some(n) if n > 0 => Verdict::fail(
                        "the account summary says the root user has access keys",
                        vec![Evidence::at(
                            format!("AccountAccessKeysPresent: {n}"),
                            "account_summary.AccountAccessKeysPresent",
                        )],
                    ),
                    _ => unknown(format!("root access keys unknown: {why}")),
                }
            }
        })
    })
}

pub(super) fn recently_used(ctx: &AccountContext<'_>) -> Vec<(String, Verdict)> {
    each(ctx, &[PrincipalKind::Root], |root| {
        let c = root.credentials.as_ref()?;
        let mut uses = Vec::new();
        match &c.password_last_used {
            Fact::Known(Some(m)) => uses.push((
                format!("password last used {} ({} days ago)", m.time, m.days_ago),
                "credential_report.password_last_used".to_string(),
                m.days_ago,
            )),
            Fact::Known(None) => {}
            Fact::Unknown(why) => return Some(unknown(format!("root use unknown: {why}"))),
        }
        match &c.access_keys {
            Fact::Known(keys) => {
                for (i, k) in keys.iter().enumerate() {
                    match &k.last_used {
                        Fact::Known(Some(m)) => uses.push((
                            format!(
                                "access key {} last used {} ({} days ago)",
                                i + 1,
                                m.time,
                                m.days_ago
                            ),
                            format!("credential_report.access_key_{}_last_used_date", i + 1),
                            m.days_ago,
                        )),
                        Fact::Known(None) => {}
                        Fact::Unknown(why) => {
                            return Some(unknown(format!("root key use unknown: {why}")));
                        }
                    }
                }
            }
            Fact::Unknown(why) => return Some(unknown(format!("root key use unknown: {why}"))),
        }
        let latest = uses.iter().map(|u| u.2).min();
        let evidence = uses
            .iter()
            .map(|(s, p, _)| Evidence::at(s.clone(), p.clone()))
            .collect();
        Some(match latest {
            Some(days) if days < ROOT_RECENT_DAYS => Verdict::fail(
                format!(
                    "the root user was used {days} days ago; use it only for the tasks that need it"
                ),
                evidence,
            ),
            Some(days) => Verdict::pass(
                format!("the root user was last used {days} days ago"),
                evidence,
            ),
            None => Verdict::pass(
                "the credential report shows no use of the root user",
                evidence,
            ),
        })
    })
}

pub(super) fn weak_password_policy(ctx: &AccountContext<'_>) -> Vec<(String, Verdict)> {
    let resource = format!("arn:aws:iam::{}:account-password-policy", ctx.account_id);
    let v = match (iam_unknown(ctx), ctx.iam) {
        (Some(v), _) => v,
        (None, Facet::Present(iam)) => {
            match &iam.password_policy {
                // No policy: AWS's default (8 characters, no reuse prevention).
                Facet::Absent => Verdict::fail(
                    "no account password policy: AWS's default allows 8-character passwords and reuse",
                    vec![Evidence::at(
                        "NoSuchEntity: no password policy",
                        "password_policy",
                    )],
                ),
                Facet::Unknown(u) => Verdict::unknown("password policy", u),
                Facet::Present(p) => {
                    let mut weak = Vec::new();
                    if p.minimum_length < MIN_PASSWORD_LENGTH {
                        weak.push(Evidence::at(
                        format!(
                            "MinimumPasswordLength: {} (CIS asks at least {MIN_PASSWORD_LENGTH})",
                            p.minimum_length
                        ),
                        "password_policy.MinimumPasswordLength",
                    ));
                    }
                    match p.reuse_prevention {
                    Some(n) if n >= PASSWORD_REUSE_PREVENTION => {}
                    other => weak.push(Evidence::at(
                        format!(
                            "PasswordReusePrevention: {} (CIS asks {PASSWORD_REUSE_PREVENTION})",
                            other.map(|n| n.to_string()).unwrap_or_else(|| "not set".into())
                        ),
                        "password_policy.PasswordReusePrevention",
                    )),
                }
                    if weak.is_empty() {
                        Verdict::pass(
                            format!(
                                "passwords need {} characters and the last {} cannot be reused",
                                p.minimum_length,
                                p.reuse_prevention.unwrap_or_default()
                            ),
                            Vec::new(),
                        )
                    } else {
                        Verdict::fail("the password policy is weaker than CIS asks", weak)
                    }
                }
            }
        }
        (None, _) => unknown("IAM unknown"),
    };
    vec![(resource, v)]
}
