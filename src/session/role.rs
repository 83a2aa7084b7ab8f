//! Which role to elevate into, and how: from `--remediation-role`, the
//! `[remediation]` section of vigil's config, or a profile of the standard
//! AWS config files. The AWS SDK's own profile provider ignores
//! `mfa_serial` and `duration_seconds` (it has no way to ask for a code),
//! so vigil reads the profile itself, with the SDK's parser and the SDK's
//! file locations (`AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`).

use aws_config::profile::ProfileSet;
use serde::Serialize;

use super::SessionError;
use crate::model::account::VIGIL_SESSION_PREFIX;

/// The `[remediation]` settings as the command line hands them down.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleSettings {
    pub role_arn: Option<String>,
    pub profile: Option<String>,
    pub mfa_serial: Option<String>,
    pub external_id: Option<String>,
    pub duration_seconds: Option<i32>,
    pub role_session_name: Option<String>,
}

/// The remediation role, resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleConfig {
    pub role_arn: String,
    pub mfa_serial: Option<String>,
    pub external_id: Option<String>,
    pub duration_seconds: i32,
    /// A session name asked for; vigil prefixes it with `vigil-`.
    pub session_name: Option<String>,
    /// The profile whose credentials call AssumeRole, when the role's
    /// profile names one.
    pub source_profile: Option<String>,
    /// Where it came from, for messages (`--remediation-role`, …).
    pub origin: String,
}

/// One hour: the SDK's default, and the cap for chained role sessions.
pub const DEFAULT_DURATION_SECONDS: i32 = 3600;

/// Read the standard AWS config and credentials files.
pub async fn load_profiles() -> Result<ProfileSet, SessionError> {
    aws_config::profile::load(
        &aws_types::os_shim_internal::Fs::real(),
        &aws_types::os_shim_internal::Env::real(),
        &Default::default(),
        None,
    )
    .await
    .map_err(|e| SessionError::Profile(format!("cannot read the AWS config files: {e}")))
}

/// The remediation role: `--remediation-role` first, then the
/// `[remediation]` settings, then the profile they name; each field from
/// the first place that sets it. `None` when no role is configured.
pub fn resolve(
    flag: Option<&str>,
    settings: &RoleSettings,
    profiles: Option<&ProfileSet>,
) -> Result<Option<RoleConfig>, SessionError> {
    let profile = match &settings.profile {
        None => None,
        Some(name) => {
            let p = profiles.and_then(|set| set.get_profile(name)).ok_or_else(|| {
                SessionError::Profile(format!(
                    "[remediation] profile {name:?} is not in the AWS config files (AWS_CONFIG_FILE or ~/.aws/config)"
                ))
            })?;
            Some((name.clone(), p))
        }
    };
    let from_profile = |key: &str| {
        profile
            .as_ref()
            .and_then(|(_, p)| p.get(key))
            .map(str::to_string)
    };
    let (role_arn, origin) = match (flag, &settings.role_arn, from_profile("role_arn")) {
        (Some(f), _, _) => (f.to_string(), "--remediation-role".to_string()),
        (None, Some(r), _) => (r.clone(), "[remediation] role_arn".to_string()),
        (None, None, Some(r)) => {
            let name = profile
                .as_ref()
                .map(|(n, _)| n.as_str())
                .unwrap_or_default();
            (r, format!("profile {name}"))
        }
        (None, None, None) => {
            if let Some((name, _)) = &profile {
                return Err(SessionError::Profile(format!(
                    "profile {name} has no role_arn"
                )));
            }
            return Ok(None);
        }
    };
    if !role_arn.starts_with("arn:") || !role_arn.contains(":role/") {
        return Err(SessionError::Profile(format!(
            "{origin}: {role_arn:?} is not a role ARN (arn:aws:iam::ACCOUNT:role/NAME)"
        )));
    }
    let duration_seconds = match (settings.duration_seconds, from_profile("duration_seconds")) {
        (Some(d), _) => d,
        (None, Some(text)) => text.trim().parse().map_err(|_| {
            SessionError::Profile(format!(
                "duration_seconds {text:?} in the profile is not a number"
            ))
        })?,
        (None, None) => DEFAULT_DURATION_SECONDS,
    };
    if !(900..=43_200).contains(&duration_seconds) {
        return Err(SessionError::Profile(format!(
            "duration_seconds must be between 900 and 43200, not {duration_seconds}"
        )));
    }
    Ok(Some(RoleConfig {
        role_arn,
        mfa_serial: settings
            .mfa_serial
            .clone()
            .or_else(|| from_profile("mfa_serial")),
        external_id: settings
            .external_id
            .clone()
            .or_else(|| from_profile("external_id")),
        duration_seconds,
        session_name: settings
            .role_session_name
            .clone()
            .or_else(|| from_profile("role_session_name")),
        source_profile: from_profile("source_profile"),
        origin,
    }))
}

/// Characters STS allows in a role session name and a source identity.
fn sts_name_chars(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(*c))
        .collect()
}

/// Who the caller is, from its ARN: the user name, the role session name,
/// or `root`.
pub fn caller_name(caller_arn: &str) -> String {
    let tail = caller_arn.rsplit(['/', ':']).next().unwrap_or_default();
    let name = sts_name_chars(tail);
    if name.len() < 2 {
        "operator".into()
    } else {
        name
    }
}

/// `vigil-<who>-<yyyymmddThhmmssZ>`, or the configured name behind the
/// prefix; at most 64 characters, as STS requires.
pub fn session_name(configured: Option<&str>, caller_arn: &str, now_ms: i64) -> String {
    let body = match configured {
        Some(c) => {
            let c = sts_name_chars(c);
            c.strip_prefix(VIGIL_SESSION_PREFIX)
                .map(str::to_string)
                .unwrap_or(c)
        }
        None => {
            let stamp: String = crate::remedy::time_text(now_ms)
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == 'T')
                .collect();
            format!("{}-{stamp}Z", caller_name(caller_arn))
        }
    };
    let mut name = format!("{VIGIL_SESSION_PREFIX}{body}");
    name.truncate(64);
    name
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_types::os_shim_internal::{Env, Fs};

    async fn profiles(config: &str) -> ProfileSet {
        let fs = Fs::from_slice(&[("/home/a/.aws/config", config)]);
        let env = Env::from_slice(&[("HOME", "/home/a")]);
        aws_config::profile::load(&fs, &env, &Default::default(), None)
            .await
            .unwrap()
    }

    const CONFIG: &str = "[profile remediate]\nrole_arn = arn:aws:iam::123456789012:role/vigil-remediation\nsource_profile = audit\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\nexternal_id = ext-1\nduration_seconds = 1800\nrole_session_name = alice-fix\n\n[profile audit]\nregion = eu-west-1\n";

    #[tokio::test]
    async fn a_profile_gives_every_field_the_sdk_ignores() {
        let set = profiles(CONFIG).await;
        let settings = RoleSettings {
            profile: Some("remediate".into()),
            ..RoleSettings::default()
        };
        let r = resolve(None, &settings, Some(&set)).unwrap().unwrap();
        assert_eq!(
            r.role_arn,
            "arn:aws:iam::123456789012:role/vigil-remediation"
        );
        assert_eq!(
            r.mfa_serial.as_deref(),
            Some("arn:aws:iam::123456789012:mfa/alice")
        );
        assert_eq!(r.external_id.as_deref(), Some("ext-1"));
        assert_eq!(r.duration_seconds, 1800);
        assert_eq!(r.session_name.as_deref(), Some("alice-fix"));
        assert_eq!(r.source_profile.as_deref(), Some("audit"));
        assert_eq!(r.origin, "profile remediate");
    }

    #[tokio::test]
    async fn the_flag_beats_the_config_which_beats_the_profile() {
        let set = profiles(CONFIG).await;
        let settings = RoleSettings {
            profile: Some("remediate".into()),
            role_arn: Some("arn:aws:iam::123456789012:role/from-config".into()),
            duration_seconds: Some(900),
            ..RoleSettings::default()
        };
        let r = resolve(None, &settings, Some(&set)).unwrap().unwrap();
        assert!(r.role_arn.ends_with("from-config"));
        assert_eq!(r.duration_seconds, 900);
        assert_eq!(
            r.mfa_serial.as_deref(),
            Some("arn:aws:iam::123456789012:mfa/alice")
        );
        let r = resolve(
            Some("arn:aws:iam::123456789012:role/from-flag"),
            &settings,
            Some(&set),
        )
        .unwrap()
        .unwrap();
        assert!(r.role_arn.ends_with("from-flag"));
        assert_eq!(r.origin, "--remediation-role");
    }

    #[tokio::test]
    async fn nothing_configured_is_no_role_and_mistakes_are_named() {
        assert_eq!(resolve(None, &RoleSettings::default(), None).unwrap(), None);
        let set = profiles(CONFIG).await;
        let missing = RoleSettings {
            profile: Some("nope".into()),
            ..RoleSettings::default()
        };
        assert!(
            resolve(None, &missing, Some(&set))
                .unwrap_err()
                .to_string()
                .contains("nope")
        );
        let no_role = RoleSettings {
            profile: Some("audit".into()),
            ..RoleSettings::default()
        };
        assert!(
            resolve(None, &no_role, Some(&set))
                .unwrap_err()
                .to_string()
                .contains("no role_arn")
        );
        let bad = resolve(Some("vigil-remediation"), &RoleSettings::default(), None).unwrap_err();
        assert!(bad.to_string().contains("not a role ARN"), "{bad}");
        let long = RoleSettings {
            duration_seconds: Some(100_000),
            ..RoleSettings::default()
        };
        assert!(resolve(Some("arn:aws:iam::1:role/r"), &long, None).is_err());
    }

    #[test]
    fn session_names_start_with_the_prefix_and_fit_sts() {
        let n = session_name(
            None,
            "arn:aws:iam::123456789012:user/alice",
            1_767_623_412_000,
        );
        assert_eq!(n, "vigil-alice-20260105T143012Z");
        let n = session_name(Some("vigil-incident 42"), "arn:aws:iam::1:user/a", 0);
        assert_eq!(n, "vigil-incident42");
        let n = session_name(Some(&"x".repeat(100)), "arn:aws:iam::1:user/a", 0);
        assert!(n.starts_with(VIGIL_SESSION_PREFIX) && n.len() == 64);
        assert_eq!(caller_name("arn:aws:iam::1:root"), "root");
        assert_eq!(
            caller_name("arn:aws:sts::1:assumed-role/ops/bob@example.com"),
            "bob@example.com"
        );
    }
}
