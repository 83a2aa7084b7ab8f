//! IAM users' credentials: console passwords without MFA, old and unused
//! access keys, more than one active key.

use super::{each, unknown};
use crate::model::finding::Evidence;
use crate::policy::principals::{Credentials, Fact, KeyReport, PrincipalKind, PrincipalReport};
use crate::rules::{AccountContext, Verdict};

/// CIS 1.14 / FSBP IAM.3: "rotated every 90 days or less".
pub(super) const KEY_MAX_AGE_DAYS: i64 = 90;
/// CIS 1.12 / FSBP IAM.22: "unused for 45 days or more".
pub(super) const UNUSED_DAYS: i64 = 45;

/// The evidence path of an access key, for the remediation that deactivates it.
fn key_path(k: &KeyReport, slot: usize) -> String {
    match &k.id {
        Some(id) => format!("access_keys[{id}]"),
        None => format!("credential_report.access_key_{}", slot + 1),
    }
}

fn key_name(k: &KeyReport, slot: usize) -> String {
    match &k.id {
        Some(id) => format!("access key {id}"),
        None => format!("access key {}", slot + 1),
    }
}

fn user_credentials(p: &PrincipalReport) -> Option<&Credentials> {
    p.credentials.as_ref()
}

/// Users who can sign in to the console with a password and have no MFA.
/// A user without a console password passes: the finding is about the
/// console, and its keys are other rules' concern.
pub(super) fn console_without_mfa(ctx: &AccountContext<'_>) -> Vec<(String, Verdict)> {
    each(ctx, &[PrincipalKind::User], |u| {
        let c = user_credentials(u)?;
        Some(console_mfa_verdict(c))
    })
}

/// The console-MFA verdict on one user's credentials.
fn console_mfa_verdict(c: &Credentials) -> Verdict {
    match (&c.console_password, &c.mfa) {
        (Fact::Known(false), _) => Verdict::pass(
            "no console password: the user cannot sign in to the console",
            vec![Evidence::at(
                "password_enabled: false",
                "credential_report.password_enabled",
            )],
        ),
        (Fact::Unknown(why), _) => unknown(format!("console password unknown: {why}")),
        (Fact::Known(true), Fact::Known(true)) => Verdict::pass(
            "the console password is protected by MFA",
            c.mfa_devices
                .iter()
                .map(|d| Evidence::at(format!("MFA device {d}"), "mfa_devices"))
                .collect(),
        ),
        (Fact::Known(true), Fact::Known(false)) => Verdict::fail(
            "the user signs in to the console with a password alone",
            vec![
                Evidence::at(
                    "password_enabled: true",
                    "credential_report.password_enabled",
                ),
                Evidence::at("no MFA device is assigned", "mfa_devices"),
            ],
        ),
        (Fact::Known(true), Fact::Unknown(why)) => unknown(format!("MFA unknown: {why}")),
    }
}

pub(super) fn access_key_old(ctx: &AccountContext<'_>) -> Vec<(String, Verdict)> {
    each(ctx, &[PrincipalKind::User], |u| {
        let c = user_credentials(u)?;
        let keys = match &c.access_keys {
            Fact::Known(keys) => keys,
            Fact::Unknown(why) => return Some(unknown(format!("access keys unknown: {why}"))),
        };
        let mut old = Vec::new();
        let mut ok = Vec::new();
        for (i, k) in keys.iter().enumerate().filter(|(_, k)| k.active) {
            match &k.created {
                None => {
                    return Some(unknown(format!(
                        "the creation date of {} is unknown",
                        key_name(k, i)
                    )));
                }
                Some(m) if m.days_ago > KEY_MAX_AGE_DAYS => old.push(Evidence::at(
                    format!(
                        "{} is {} days old (created {})",
                        key_name(k, i),
                        m.days_ago,
                        m.time
                    ),
                    key_path(k, i),
                )),
                Some(m) => ok.push(Evidence::at(
                    format!("{} is {} days old", key_name(k, i), m.days_ago),
                    key_path(k, i),
                )),
            }
        }
        Some(if !old.is_empty() {
            Verdict::fail(
                format!("active access keys older than {KEY_MAX_AGE_DAYS} days: rotate them"),
                old,
            )
        } else if ok.is_empty() {
            Verdict::pass("no active access key", Vec::new())
        } else {
            Verdict::pass(
                format!("every active access key is {KEY_MAX_AGE_DAYS} days old or less"),
                ok,
            )
        })
    })
}

pub(super) fn multiple_active_keys(ctx: &AccountContext<'_>) -> Vec<(String, Verdict)> {
    each(ctx, &[PrincipalKind::User], |u| {
        let c = user_credentials(u)?;
        Some(match c.active_keys() {
            Err(why) => unknown(format!("access keys unknown: {why}")),
            Ok(active) => {
                let evidence = active
                    .iter()
                    .enumerate()
                    .map(|(i, k)| {
                        Evidence::at(format!("{} is active", key_name(k, i)), key_path(k, i))
                    })
                    .collect();
                if active.len() > 1 {
                    Verdict::fail(
                        format!("{} active access keys; keep one", active.len()),
                        evidence,
                    )
                } else {
                    Verdict::pass(format!("{} active access key", active.len()), evidence)
                }
            }
        })
    })
}

/// CIS 1.12's audit: a password is unused when its last use is 45 days ago
/// or more, or, never used, when it was set 45 days ago or more; an active
/// key likewise with its last use, or its creation when never used. The
/// root user is excluded (CIS: it "should not be used for day-to-day
/// business"; `iam-root-recently-used` covers it).
pub(super) fn unused(ctx: &AccountContext<'_>) -> Vec<(String, Verdict)> {
    each(ctx, &[PrincipalKind::User], |u| {
        let c = user_credentials(u)?;
        Some(unused_verdict(c))
    })
}

fn unused_verdict(c: &Credentials) -> Verdict {
    let mut stale = Vec::new();
    let mut fresh = Vec::new();
    match (&c.console_password, &c.password_last_used) {
        (Fact::Unknown(why), _) | (Fact::Known(true), Fact::Unknown(why)) => {
            return unknown(format!("password use unknown: {why}"));
        }
        (Fact::Known(false), _) => {}
        (Fact::Known(true), Fact::Known(Some(m))) => {
            let e = Evidence::at(
                format!("password last used {} ({} days ago)", m.time, m.days_ago),
                "credential_report.password_last_used",
            );
            if m.days_ago >= UNUSED_DAYS {
                stale.push(e)
            } else {
                fresh.push(e)
            }
        }
        (Fact::Known(true), Fact::Known(None)) => match &c.password_last_changed {
            Some(m) => {
                let e = Evidence::at(
                    format!("password never used, set {} days ago", m.days_ago),
                    "credential_report.password_last_changed",
                );
                if m.days_ago >= UNUSED_DAYS {
                    stale.push(e)
                } else {
                    fresh.push(e)
                }
            }
            None => return unknown("the password was never used and when it was set is unknown"),
        },
    }
    let keys = match &c.access_keys {
        Fact::Known(keys) => keys,
        Fact::Unknown(why) => return unknown(format!("access keys unknown: {why}")),
    };
    for (i, k) in keys.iter().enumerate().filter(|(_, k)| k.active) {
        let (days, what) = match (&k.last_used, &k.created) {
            (Fact::Known(Some(m)), _) => (
                m.days_ago,
                format!("last used {} ({} days ago)", m.time, m.days_ago),
            ),
            (Fact::Known(None), Some(m)) => (
                m.days_ago,
                format!("never used, created {} days ago", m.days_ago),
            ),
            (Fact::Known(None), None) => {
                return unknown(format!(
                    "{} was never used and its creation date is unknown",
                    key_name(k, i)
                ));
            }
            (Fact::Unknown(why), _) => {
                return unknown(format!("last use of {} unknown: {why}", key_name(k, i)));
            }
        };
        let e = Evidence::at(format!("{} {what}", key_name(k, i)), key_path(k, i));
        if days >= UNUSED_DAYS {
            stale.push(e)
        } else {
            fresh.push(e)
        }
    }
    if stale.is_empty() {
        Verdict::pass(
            if fresh.is_empty() {
                "no password and no active access key".to_string()
            } else {
                format!("every credential was used in the last {UNUSED_DAYS} days")
            },
            fresh,
        )
    } else {
        Verdict::fail(
            format!("credentials unused for {UNUSED_DAYS} days or more: disable or remove them"),
            stale,
        )
    }
}
