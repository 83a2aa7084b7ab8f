//! What the credential report, the MFA devices and the access keys say about
//! one IAM user or the root user: console password, MFA, and each access key
//! with its age and last use.
//!
//! The credential report's columns and their special values (IAM User Guide,
//! "Generate credential reports for your AWS account"):
//! - `password_enabled`: `TRUE`/`FALSE`, `not_supported` for the root user;
//! - `password_last_used`: a date, `no_information` (never used, or not since
//!   IAM began tracking in October 2014), `N/A` (no password);
//! - `password_last_changed`: a date, `N/A` (no password), `not_supported`;
//! - `access_key_N_last_rotated`: when key N was created or rotated, `N/A`;
//! - `access_key_N_last_used_date`: a date, `N/A` (never used);
//! - `access_key_N_last_used_region` / `_service`: `N/A` when never used.
//!
//! These are values, not errors: only a row or report that could not be read
//! makes a fact unknown.

use serde::Serialize;

use super::Fact;
use crate::model::Facet;
use crate::model::iam::{CredentialReportRow, IamInventory, User};

const DAY_MS: i64 = 86_400_000;

/// The user name the credential report gives the root user.
pub const ROOT_ROW: &str = "<root_account>";

/// A point in time as AWS wrote it, with its age for display and rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Moment {
    /// As written (ISO-8601).
    pub time: String,
    /// Whole days between then and the analysis time (0 for the future).
    pub days_ago: i64,
}

impl Moment {
    /// `time` read as an ISO-8601 / RFC 3339 timestamp, aged against `now_ms`.
    pub fn parse(time: &str, now_ms: i64) -> Option<Moment> {
        let ms = timestamp_ms(time)?;
        Some(Moment {
            time: time.to_string(),
            days_ago: (now_ms - ms).div_euclid(DAY_MS).max(0),
        })
    }
}

/// Milliseconds since the epoch of an RFC 3339 timestamp (the credential
/// report's `2024-05-01T12:00:00+00:00`, the SDK's `2024-05-01T12:00:00Z`), or
/// of a bare number of epoch seconds (the SDK's fallback form).
pub fn timestamp_ms(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(t) = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339) {
        return i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok();
    }
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse::<i64>().ok()?.checked_mul(1000);
    }
    None
}

/// One access key of a user or of the root user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyReport {
    /// The key id (`ListAccessKeys`); `None` when only the credential report
    /// names the key (the root user's keys, or when the listing failed).
    pub id: Option<String>,
    /// `Active` (usable) or not.
    pub active: bool,
    /// When it was created (or last rotated).
    pub created: Option<Moment>,
    /// When it was last used; `Known(None)` = never used.
    pub last_used: Fact<Option<Moment>>,
    /// The service it was last used with, when the report says.
    pub last_used_service: Option<String>,
    /// The region it was last used in, when the report says.
    pub last_used_region: Option<String>,
}

/// The credentials of a user or of the root user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Credentials {
    /// The user has a console password (credential report `password_enabled`).
    pub console_password: Fact<bool>,
    /// When the password was last used to sign in; `Known(None)` = never
    /// (or no password).
    pub password_last_used: Fact<Option<Moment>>,
    /// When the password was set or last changed.
    pub password_last_changed: Option<Moment>,
    /// MFA is active (an MFA device is assigned).
    pub mfa: Fact<bool>,
    /// Serial numbers (ARNs) of the MFA devices, when listed.
    pub mfa_devices: Vec<String>,
    /// The access keys.
    pub access_keys: Fact<Vec<KeyReport>>,
}

impl Credentials {
    /// The active keys, or why they are unknown.
    pub fn active_keys(&self) -> Result<Vec<&KeyReport>, &str> {
        match &self.access_keys {
            Fact::Known(keys) => Ok(keys.iter().filter(|k| k.active).collect()),
            Fact::Unknown(why) => Err(why),
        }
    }
}

/// The credential report row of one user, or why there is none.
fn row<'a>(
    iam: &'a IamInventory,
    matches: impl Fn(&CredentialReportRow) -> bool,
    who: &str,
) -> Result<&'a CredentialReportRow, String> {
    match &iam.credential_report {
        Facet::Present(rows) => rows.iter().find(|r| matches(r)).ok_or_else(|| {
            format!(
                "the credential report has no row for {who} (AWS regenerates it at most every \
                 four hours; a newer principal is not in it yet)"
            )
        }),
        Facet::Absent => Err("no credential report was generated".into()),
        Facet::Unknown(u) => Err(format!("credential report unknown: {u}")),
    }
}

fn col<'a>(row: &'a CredentialReportRow, key: &str) -> Option<&'a str> {
    row.get(key).map(|v| v.trim())
}

fn flag(row: &CredentialReportRow, key: &str) -> Option<bool> {
    match col(row, key)? {
        v if v.eq_ignore_ascii_case("true") => Some(true),
        v if v.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// A date column: `Ok(Some)` for a date, `Ok(None)` for one of the "never"
/// values, `Err` for anything else.
fn date(row: &CredentialReportRow, key: &str, now_ms: i64) -> Result<Option<Moment>, String> {
    match col(row, key) {
        None => Err(format!("the credential report has no {key} column")),
        Some(v)
            if v.eq_ignore_ascii_case("N/A")
                || v.eq_ignore_ascii_case("no_information")
                || v.eq_ignore_ascii_case("not_supported") =>
        {
            Ok(None)
        }
        Some(v) => Moment::parse(v, now_ms)
            .map(Some)
            .ok_or_else(|| format!("the credential report's {key} is not a date: {v:?}")),
    }
}

fn text(row: &CredentialReportRow, key: &str) -> Option<String> {
    col(row, key)
        .filter(|v| !v.is_empty() && !v.eq_ignore_ascii_case("N/A"))
        .map(str::to_string)
}

fn console_password(row: &CredentialReportRow) -> Fact<bool> {
    match flag(row, "password_enabled") {
        Some(b) => Fact::Known(b),
        None => Fact::Unknown(format!(
            "the credential report says password_enabled = {:?}",
            col(row, "password_enabled").unwrap_or("")
        )),
    }
}

fn password_last_used(
    row: &CredentialReportRow,
    password: &Fact<bool>,
    now_ms: i64,
) -> Fact<Option<Moment>> {
    if *password == Fact::Known(false) {
        return Fact::Known(None);
    }
    date(row, "password_last_used", now_ms).into()
}

/// Key slot `n` (1 or 2) of a credential report row, when it holds a key.
fn report_key(row: &CredentialReportRow, n: u8, now_ms: i64) -> Option<KeyReport> {
    let active = flag(row, &format!("access_key_{n}_active")).unwrap_or(false);
    let created = date(row, &format!("access_key_{n}_last_rotated"), now_ms)
        .ok()
        .flatten();
    if !active && created.is_none() {
        return None;
    }
    Some(KeyReport {
        id: None,
        active,
        created,
        last_used: date(row, &format!("access_key_{n}_last_used_date"), now_ms).into(),
        last_used_service: text(row, &format!("access_key_{n}_last_used_service")),
        last_used_region: text(row, &format!("access_key_{n}_last_used_region")),
    })
}

/// The credential report slot (1 or 2) of a listed key: the slot whose
/// `last_rotated` is the key's creation time, else by creation order.
fn slot_of(row: &CredentialReportRow, created_ms: Option<i64>, order: usize) -> u8 {
    if let Some(ms) = created_ms {
        for n in 1..=2u8 {
            let rotated = col(row, &format!("access_key_{n}_last_rotated")).and_then(timestamp_ms);
            if rotated.is_some_and(|r| (r - ms).abs() < 1000) {
                return n;
            }
        }
    }
    if order == 0 { 1 } else { 2 }
}

fn user_keys(
    user: &User,
    row: &Result<&CredentialReportRow, String>,
    now_ms: i64,
) -> Fact<Vec<KeyReport>> {
    match (&user.access_keys, row) {
        (Facet::Present(keys), _) => {
            let mut keys: Vec<_> = keys
                .iter()
                .map(|k| (k, k.create_date.as_deref().and_then(timestamp_ms)))
                .collect();
            keys.sort_by_key(|(_, ms)| *ms);
            Fact::Known(
                keys.iter()
                    .enumerate()
                    .map(|(order, (k, ms))| {
                        let from_report = row.as_ref().map(|r| (r, slot_of(r, *ms, order)));
                        KeyReport {
                            id: Some(k.id.clone()),
                            active: k.status.eq_ignore_ascii_case("Active"),
                            created: k
                                .create_date
                                .as_deref()
                                .and_then(|d| Moment::parse(d, now_ms)),
                            last_used: match &from_report {
                                Ok((r, n)) => {
                                    date(r, &format!("access_key_{n}_last_used_date"), now_ms)
                                        .into()
                                }
                                Err(why) => Fact::Unknown((*why).clone()),
                            },
                            last_used_service: from_report.as_ref().ok().and_then(|(r, n)| {
                                text(r, &format!("access_key_{n}_last_used_service"))
                            }),
                            last_used_region: from_report.as_ref().ok().and_then(|(r, n)| {
                                text(r, &format!("access_key_{n}_last_used_region"))
                            }),
                        }
                    })
                    .collect(),
            )
        }
        (Facet::Absent, _) => Fact::Known(Vec::new()),
        (Facet::Unknown(u), Ok(r)) => {
            let _ = u; // the report stands in for the failed listing
            Fact::Known((1..=2).filter_map(|n| report_key(r, n, now_ms)).collect())
        }
        (Facet::Unknown(u), Err(why)) => Fact::Unknown(format!("access keys unknown: {u}; {why}")),
    }
}

/// A user's credentials, from its MFA devices, access keys and credential
/// report row.
pub fn user_credentials(user: &User, iam: &IamInventory, now_ms: i64) -> Credentials {
    let row = row(
        iam,
        |r| {
            r.get("arn").is_some_and(|a| a == &user.arn)
                || (r.get("arn").is_none() && r.get("user").is_some_and(|u| u == &user.name))
        },
        &format!("user {}", user.name),
    );
    let console = match &row {
        Ok(r) => console_password(r),
        Err(why) => Fact::Unknown(why.clone()),
    };
    let password_last_used = match &row {
        Ok(r) => password_last_used(r, &console, now_ms),
        Err(why) => Fact::Unknown(why.clone()),
    };
    let (mfa, mfa_devices) = match &user.mfa_devices {
        Facet::Present(devices) => (
            Fact::Known(!devices.is_empty()),
            devices.iter().map(|d| d.serial_number.clone()).collect(),
        ),
        Facet::Absent => (Fact::Known(false), Vec::new()),
        Facet::Unknown(u) => (
            match &row {
                Ok(r) => match flag(r, "mfa_active") {
                    Some(b) => Fact::Known(b),
                    None => Fact::Unknown(format!(
                        "MFA devices unknown ({u}) and the credential report's mfa_active is not true/false"
                    )),
                },
                Err(why) => Fact::Unknown(format!("MFA devices unknown: {u}; {why}")),
            },
            Vec::new(),
        ),
    };
    Credentials {
        password_last_changed: row
            .as_ref()
            .ok()
            .and_then(|r| date(r, "password_last_changed", now_ms).ok().flatten()),
        console_password: console,
        password_last_used,
        mfa,
        mfa_devices,
        access_keys: user_keys(user, &row, now_ms),
    }
}

/// The root user's credentials, from its credential report row and, where
/// the row is missing, the account summary (`AccountMFAEnabled`,
/// `AccountAccessKeysPresent`).
pub fn root_credentials(iam: &IamInventory, now_ms: i64) -> Credentials {
    let row = row(
        iam,
        |r| r.get("user").is_some_and(|u| u == ROOT_ROW),
        "the root user",
    );
    let summary = |key: &str| {
        iam.account_summary
            .present()
            .and_then(|s| s.get(key))
            .copied()
    };
    let mfa = match (&row, summary("AccountMFAEnabled")) {
        (Ok(r), _) if flag(r, "mfa_active").is_some() => {
            Fact::Known(flag(r, "mfa_active") == Some(true))
        }
        (_, Some(n)) => Fact::Known(n > 0),
        (Ok(_), None) => {
            Fact::Unknown("the credential report's mfa_active is not true/false".into())
        }
        (Err(why), None) => Fact::Unknown(format!("{why}, and the account summary is unknown")),
    };
    let access_keys = match (&row, summary("AccountAccessKeysPresent")) {
        (Ok(r), _) => Fact::Known((1..=2).filter_map(|n| report_key(r, n, now_ms)).collect()),
        (Err(_), Some(0)) => Fact::Known(Vec::new()),
        (Err(why), Some(n)) => Fact::Unknown(format!(
            "the account summary says root access keys exist (AccountAccessKeysPresent = {n}); {why}"
        )),
        (Err(why), None) => Fact::Unknown(format!("{why}, and the account summary is unknown")),
    };
    Credentials {
        // The report says `not_supported` for root: whether the root user
        // still has a password is not reported.
        console_password: match &row {
            Ok(r) => match console_password(r) {
                Fact::Known(b) => Fact::Known(b),
                Fact::Unknown(_) => Fact::Unknown(
                    "the credential report does not say whether the root user has a password (not_supported)".into(),
                ),
            },
            Err(why) => Fact::Unknown(why.clone()),
        },
        password_last_used: match &row {
            Ok(r) => date(r, "password_last_used", now_ms).into(),
            Err(why) => Fact::Unknown(why.clone()),
        },
        password_last_changed: None,
        mfa,
        mfa_devices: Vec::new(),
        access_keys,
    }
}

impl<T> From<Result<T, String>> for Fact<T> {
    fn from(r: Result<T, String>) -> Self {
        match r {
            Ok(v) => Fact::Known(v),
            Err(why) => Fact::Unknown(why),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::iam::{AccessKey, MfaDevice};
    use crate::model::{Facet, UnknownReason};

    const NOW: i64 = 1_714_608_000_000; // 2024-05-02T00:00:00Z

    fn row(pairs: &[(&str, &str)]) -> CredentialReportRow {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn iam(rows: Facet<Vec<CredentialReportRow>>) -> IamInventory {
        IamInventory {
            users: Vec::new(),
            groups: Vec::new(),
            roles: Vec::new(),
            policies: Vec::new(),
            credential_report: rows,
            account_summary: Facet::Absent,
            password_policy: Facet::Absent,
        }
    }

    fn user(keys: Facet<Vec<AccessKey>>, mfa: Facet<Vec<MfaDevice>>) -> User {
        User {
            name: "ci-bot".into(),
            arn: "arn:aws:iam::111122223333:user/ci-bot".into(),
            path: "/".into(),
            create_date: None,
            groups: Vec::new(),
            inline_policies: Vec::new(),
            attached_policies: Vec::new(),
            permissions_boundary: None,
            mfa_devices: mfa,
            access_keys: keys,
            tags: Vec::new(),
        }
    }

    fn ci_bot_row() -> CredentialReportRow {
        row(&[
            ("user", "ci-bot"),
            ("arn", "arn:aws:iam::111122223333:user/ci-bot"),
            ("password_enabled", "false"),
            ("password_last_used", "N/A"),
            ("password_last_changed", "N/A"),
            ("mfa_active", "false"),
            ("access_key_1_active", "true"),
            ("access_key_1_last_rotated", "2024-01-10T00:00:00+00:00"),
            ("access_key_1_last_used_date", "2024-05-01T00:00:00+00:00"),
            ("access_key_1_last_used_service", "s3"),
            ("access_key_2_active", "false"),
            ("access_key_2_last_rotated", "N/A"),
            ("access_key_2_last_used_date", "N/A"),
        ])
    }

    #[test]
    fn timestamps_in_the_report_and_sdk_forms() {
        assert_eq!(timestamp_ms("2024-05-02T00:00:00+00:00"), Some(NOW));
        assert_eq!(timestamp_ms("2024-05-02T00:00:00Z"), Some(NOW));
        assert_eq!(timestamp_ms("2024-05-02T00:00:00.250Z"), Some(NOW + 250));
        assert_eq!(timestamp_ms("1714608000"), Some(NOW));
        assert_eq!(timestamp_ms("N/A"), None);
        assert_eq!(
            Moment::parse("2024-01-10T00:00:00+00:00", NOW)
                .unwrap()
                .days_ago,
            113
        );
    }

    #[test]
    fn credential_report_na_values_mean_never_not_unknown() {
        let inv = iam(Facet::Present(vec![ci_bot_row()]));
        let c = user_credentials(
            &user(
                Facet::unknown(UnknownReason::AccessDenied, "ListAccessKeys"),
                Facet::unknown(UnknownReason::AccessDenied, "ListMFADevices"),
            ),
            &inv,
            NOW,
        );
        assert_eq!(c.console_password, Fact::Known(false));
        assert_eq!(c.password_last_used, Fact::Known(None));
        assert_eq!(c.mfa, Fact::Known(false), "from the report's mfa_active");
        let keys = c.access_keys.known().unwrap();
        assert_eq!(keys.len(), 1, "slot 2 holds no key");
        assert!(keys[0].active);
        assert_eq!(keys[0].created.as_ref().unwrap().days_ago, 113);
        assert_eq!(
            keys[0]
                .last_used
                .known()
                .unwrap()
                .as_ref()
                .unwrap()
                .days_ago,
            1
        );
        assert_eq!(keys[0].last_used_service.as_deref(), Some("s3"));
    }

    #[test]
    fn listed_keys_take_last_use_from_their_report_slot() {
        let mut r = ci_bot_row();
        // The listing's second key sits in slot 2 of the report.
        r.insert("access_key_2_active".into(), "true".into());
        r.insert(
            "access_key_2_last_rotated".into(),
            "2024-04-01T00:00:00+00:00".into(),
        );
        r.insert("access_key_2_last_used_date".into(), "N/A".into());
        let inv = iam(Facet::Present(vec![r]));
        let keys = vec![
            AccessKey {
                id: "AKIANEW".into(),
                status: "Active".into(),
                create_date: Some("2024-04-01T00:00:00Z".into()),
            },
            AccessKey {
                id: "AKIAOLD".into(),
                status: "Active".into(),
                create_date: Some("2024-01-10T00:00:00Z".into()),
            },
        ];
        let c = user_credentials(
            &user(Facet::Present(keys), Facet::Present(Vec::new())),
            &inv,
            NOW,
        );
        let keys = c.access_keys.known().unwrap();
        let old = keys
            .iter()
            .find(|k| k.id.as_deref() == Some("AKIAOLD"))
            .unwrap();
        let new = keys
            .iter()
            .find(|k| k.id.as_deref() == Some("AKIANEW"))
            .unwrap();
        assert_eq!(old.last_used.known().unwrap().as_ref().unwrap().days_ago, 1);
        assert_eq!(new.last_used, Fact::Known(None), "never used");
    }

    #[test]
    fn unreadable_report_makes_report_facts_unknown_but_keeps_listings() {
        let inv = iam(Facet::unknown(
            UnknownReason::AccessDenied,
            "GetCredentialReport",
        ));
        let c = user_credentials(
            &user(
                Facet::Present(vec![AccessKey {
                    id: "AKIA1".into(),
                    status: "Active".into(),
                    create_date: Some("2024-01-10T00:00:00Z".into()),
                }]),
                Facet::Present(Vec::new()),
            ),
            &inv,
            NOW,
        );
        assert!(c.console_password.is_unknown());
        assert_eq!(c.mfa, Fact::Known(false), "the device listing decides");
        let k = &c.access_keys.known().unwrap()[0];
        assert_eq!(k.created.as_ref().unwrap().days_ago, 113);
        assert!(k.last_used.is_unknown());
    }

    #[test]
    fn root_row_not_supported_password_and_summary_fallback() {
        let root = row(&[
            ("user", ROOT_ROW),
            ("arn", "arn:aws:iam::111122223333:root"),
            ("password_enabled", "not_supported"),
            ("password_last_used", "2024-04-30T10:00:00+00:00"),
            ("mfa_active", "false"),
            ("access_key_1_active", "true"),
            ("access_key_1_last_rotated", "2020-01-01T00:00:00+00:00"),
            ("access_key_1_last_used_date", "N/A"),
            ("access_key_2_active", "false"),
            ("access_key_2_last_rotated", "N/A"),
        ]);
        let c = root_credentials(&iam(Facet::Present(vec![root])), NOW);
        assert!(c.console_password.is_unknown());
        assert_eq!(c.mfa, Fact::Known(false));
        assert_eq!(
            c.password_last_used
                .known()
                .unwrap()
                .as_ref()
                .unwrap()
                .days_ago,
            1
        );
        assert_eq!(c.active_keys().unwrap().len(), 1);

        // No root row (an emulator): the account summary answers MFA and keys.
        let mut inv = iam(Facet::Present(Vec::new()));
        inv.account_summary = Facet::Present(
            [
                ("AccountMFAEnabled".to_string(), 1),
                ("AccountAccessKeysPresent".to_string(), 0),
            ]
            .into_iter()
            .collect(),
        );
        let c = root_credentials(&inv, NOW);
        assert_eq!(c.mfa, Fact::Known(true));
        assert_eq!(c.access_keys, Fact::Known(Vec::new()));
        assert!(c.password_last_used.is_unknown());
    }
}
