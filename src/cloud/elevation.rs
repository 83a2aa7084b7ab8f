//! Elevation through STS: the request (role, MFA device and code, external
//! id, duration, session name, source identity), the elevated backend it
//! yields, and why it can fail, in words the console can show and re-prompt
//! on.
//!
//! Secrets: the MFA code is a [`MfaCode`] (a `secrecy` box, zeroed when
//! dropped, never shown by `Debug`); the request owns it and is consumed by
//! [`Cloud::elevate`](super::Cloud::elevate), so the code is wiped as soon
//! as the call returns. Temporary credentials never leave the backend that
//! holds them.

use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};

use super::{Cloud, CloudError};

/// A one-time MFA code: six digits, kept secret.
pub struct MfaCode(SecretString);

impl MfaCode {
    /// Take a code typed by the operator. Spaces are ignored (authenticator
    /// apps show `123 456`); anything but six digits is refused. The input
    /// string is moved in, not copied.
    pub fn new(typed: String) -> Result<MfaCode, ElevationError> {
        let secret = SecretString::from(typed);
        let digits: SecretString = secret
            .expose_secret()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .into();
        let ok = digits.expose_secret().len() == 6
            && digits.expose_secret().chars().all(|c| c.is_ascii_digit());
        if ok {
            Ok(MfaCode(digits))
        } else {
            Err(ElevationError::BadCodeFormat)
        }
    }

    /// The digits, for the one request that sends them.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl std::fmt::Debug for MfaCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MfaCode(******)")
    }
}

/// What to assume, and how.
#[derive(Debug)]
pub struct ElevationRequest {
    pub role_arn: String,
    /// The MFA device's serial number (ARN); `None` elevates without MFA.
    pub mfa_serial: Option<String>,
    pub code: Option<MfaCode>,
    pub external_id: Option<String>,
    /// 900–43200; AWS caps a chained role session at 3600.
    pub duration_seconds: i32,
    /// Starts with `VIGIL_SESSION_PREFIX`, so the tail recognises vigil.
    pub session_name: String,
    /// Who is behind the session, carried into every CloudTrail record.
    pub source_identity: Option<String>,
}

/// An elevated role session.
pub struct Elevation {
    /// The backend acting as the role (its own clients and credentials).
    pub cloud: Arc<dyn Cloud>,
    pub role_arn: String,
    /// `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`.
    pub assumed_role_arn: String,
    pub session_name: String,
    /// When the credentials stop working, milliseconds since the epoch.
    pub expires_at_ms: i64,
}

impl std::fmt::Debug for Elevation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Elevation")
            .field("role_arn", &self.role_arn)
            .field("assumed_role_arn", &self.assumed_role_arn)
            .field("session_name", &self.session_name)
            .field("expires_at_ms", &self.expires_at_ms)
            .finish_non_exhaustive()
    }
}

/// Why elevation failed.
#[derive(Debug, thiserror::Error)]
pub enum ElevationError {
    #[error("an MFA code is six digits")]
    BadCodeFormat,
    #[error(
        "the MFA code was refused ({0}): it is wrong, expired or was already used; wait for the next code and try again"
    )]
    CodeRefused(String),
    #[error(
        "this MFA code was already used; wait for the next code (they change every 30 seconds)"
    )]
    CodeReused,
    #[error(
        "the MFA device {serial} was not accepted ({detail}); check mfa_serial: it must be the ARN of a device of the caller"
    )]
    MfaDevice { serial: String, detail: String },
    #[error(
        "assuming {role} requires MFA ({detail}); set mfa_serial in [remediation] or the profile"
    )]
    MfaRequired { role: String, detail: String },
    #[error(
        "AWS refused a {requested}-second session: a role assumed with credentials that are themselves a role session (role chaining) lasts at most one hour; set duration_seconds to 3600 or less, or elevate from an IAM user's credentials"
    )]
    RoleChainingCap { requested: i32 },
    #[error(
        "AWS refused a {requested}-second session ({detail}); lower duration_seconds or raise the role's MaxSessionDuration"
    )]
    DurationTooLong { requested: i32, detail: String },
    #[error("duration_seconds must be between 900 and 43200, not {0}")]
    BadDuration(i32),
    #[error(
        "not allowed to assume {role} ({detail}); vigil sets SourceIdentity, so the role's trust policy must allow sts:SetSourceIdentity as well as sts:AssumeRole"
    )]
    SourceIdentityDenied { role: String, detail: String },
    #[error(
        "not allowed to assume {role} ({detail}); check the role's trust policy and the caller's permissions"
    )]
    Denied { role: String, detail: String },
    #[error("the {0} backend cannot elevate")]
    Unsupported(&'static str),
    #[error(transparent)]
    Cloud(#[from] CloudError),
}

impl ElevationError {
    /// A mistake with the code: the console keeps the prompt open for
    /// another one.
    pub fn is_code_error(&self) -> bool {
        matches!(
            self,
            ElevationError::BadCodeFormat
                | ElevationError::CodeRefused(_)
                | ElevationError::CodeReused
        )
    }

    /// Classify STS's words for a refused `AssumeRole`. AWS does not tell a
    /// wrong code from a reused one ("invalid MFA one time pass code").
    pub fn from_sts(
        role: &str,
        serial: Option<&str>,
        requested: i32,
        detail: String,
    ) -> ElevationError {
        let lower = detail.to_ascii_lowercase();
        if lower.contains("invalid mfa one time pass code") {
            ElevationError::CodeRefused(detail)
        } else if lower.contains("unable to validate mfa code") {
            ElevationError::MfaDevice {
                serial: serial.unwrap_or("(none)").to_string(),
                detail,
            }
        } else if lower.contains("multifactorauthentication") {
            ElevationError::MfaRequired {
                role: role.to_string(),
                detail,
            }
        } else if lower.contains("role chaining") {
            ElevationError::RoleChainingCap { requested }
        } else if lower.contains("durationseconds") {
            ElevationError::DurationTooLong { requested, detail }
        } else if lower.contains("setsourceidentity") {
            ElevationError::SourceIdentityDenied {
                role: role.to_string(),
                detail,
            }
        } else {
            ElevationError::Denied {
                role: role.to_string(),
                detail,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits_and_debug_never_shows_them() {
        let code = MfaCode::new("123 456".to_string()).unwrap();
        assert_eq!(code.expose(), "123456");
        let shown = format!("{code:?}");
        assert!(
            !shown.contains("123456") && !shown.contains("123"),
            "{shown}"
        );
        let request = ElevationRequest {
            role_arn: "arn:aws:iam::1:role/r".into(),
            mfa_serial: Some("arn:aws:iam::1:mfa/a".into()),
            code: Some(code),
            external_id: None,
            duration_seconds: 900,
            session_name: "vigil-a".into(),
            source_identity: None,
        };
        let shown = format!("{request:?}");
        assert!(!shown.contains("123456"), "{shown}");
        for bad in ["12345", "1234567", "12a456", ""] {
            assert!(
                matches!(
                    MfaCode::new(bad.to_string()),
                    Err(ElevationError::BadCodeFormat)
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn sts_refusals_are_recognised() {
        let e = |d: &str| {
            ElevationError::from_sts(
                "arn:aws:iam::1:role/r",
                Some("arn:aws:iam::1:mfa/a"),
                7200,
                d.to_string(),
            )
        };
        assert!(matches!(
            e(
                "AccessDenied: MultiFactorAuthentication failed with invalid MFA one time pass code."
            ),
            ElevationError::CodeRefused(_)
        ));
        assert!(e("AccessDenied: MultiFactorAuthentication failed with invalid MFA one time pass code.").is_code_error());
        assert!(matches!(
            e(
                "AccessDenied: MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user."
            ),
            ElevationError::MfaDevice { .. }
        ));
        let chained = e(
            "ValidationError: The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
        );
        assert!(matches!(
            chained,
            ElevationError::RoleChainingCap { requested: 7200 }
        ));
        assert!(chained.to_string().contains("one hour"), "{chained}");
        assert!(matches!(
            e(
                "ValidationError: The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
            ),
            ElevationError::DurationTooLong { .. }
        ));
        assert!(matches!(
            e(
                "AccessDenied: User: arn:aws:iam::1:user/a is not authorized to perform: sts:SetSourceIdentity on resource: arn:aws:iam::1:role/r"
            ),
            ElevationError::SourceIdentityDenied { .. }
        ));
        assert!(matches!(
            e(
                "AccessDenied: User: arn:aws:iam::1:user/a is not authorized to perform: sts:AssumeRole"
            ),
            ElevationError::Denied { .. }
        ));
    }
}
