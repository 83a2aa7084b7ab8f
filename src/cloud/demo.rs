//! The embedded demo account: the lab, in memory, behind the same
//! [`Cloud`] trait as AWS. `vigil demo` needs no account and no network.

mod logs;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;

use super::{
    BucketListing, Cloud, CloudError, Elevation, ElevationError, ElevationRequest, LiveTailStream,
    LogQuery,
};
use crate::lab::{self, Lab};
use crate::model::change::Change;
use crate::model::iam::*;
use crate::model::logs::{LogEventPage, LogGroup};
use crate::model::s3::*;
use crate::model::{CallerIdentity, Facet};

/// The region the demo says it works in.
pub const DEMO_REGION: &str = "us-east-1";
/// The demo caller.
pub const DEMO_CALLER: &str = "arn:aws:iam::123456789012:user/demo-operator";
/// The demo's remediation role (the lab's `vigil-lab-remediation`).
pub const DEMO_REMEDIATION_ROLE: &str = "arn:aws:iam::123456789012:role/vigil-lab-remediation";
/// The demo caller's virtual MFA device.
pub const DEMO_MFA_SERIAL: &str = "arn:aws:iam::123456789012:mfa/demo-operator";
/// The demo MFA device's secret (base32, RFC 6238: HMAC-SHA1, 30 s, 6
/// digits), published on purpose so anyone can elevate in the demo:
/// `oathtool --totp -b VIGILDEMOVIGILDEMOVIGILDEMOVIGIL`, or add it to an
/// authenticator app. It protects nothing but the demo.
pub const DEMO_MFA_SECRET: &str = "VIGILDEMOVIGILDEMOVIGILDEMOVIGIL";
/// The longest session the demo role allows (its MaxSessionDuration).
pub const DEMO_MAX_SESSION_SECONDS: i32 = 3600;

/// A virtual MFA device that checks real TOTP codes (RFC 6238) and, as AWS
/// does, accepts each code once.
#[derive(Debug)]
pub struct DemoMfaDevice {
    totp: totp_rs::Totp,
    /// The last time step a code was accepted for.
    last_used_step: Mutex<Option<u64>>,
}

impl DemoMfaDevice {
    /// A device with this secret (raw bytes).
    pub fn with_secret(secret: Vec<u8>) -> Self {
        let totp = totp_rs::Builder::new()
            .with_secret(totp_rs::Secret::from(secret))
            .build_noncompliant();
        DemoMfaDevice {
            totp,
            last_used_step: Mutex::new(None),
        }
    }

    /// The demo's device ([`DEMO_MFA_SECRET`]).
    pub fn demo() -> Self {
        let secret = totp_rs::Secret::try_from_base32(DEMO_MFA_SECRET)
            .map(|s| s.as_ref().to_vec())
            .unwrap_or_default();
        Self::with_secret(secret)
    }

    /// The code the device shows at `unix_secs` (for tests and scripts).
    pub fn code_at(&self, unix_secs: u64) -> String {
        self.totp.generate(unix_secs).to_string()
    }

    /// Accept `code` at `unix_secs` (one step of clock skew either way), once.
    pub fn check(&self, code: &str, unix_secs: u64) -> Result<(), ElevationError> {
        let Some(step) = self.totp.check(code, unix_secs) else {
            return Err(ElevationError::CodeRefused(
                "MultiFactorAuthentication failed with invalid MFA one time pass code".into(),
            ));
        };
        let mut last = match self.last_used_step.lock() {
            Ok(l) => l,
            Err(p) => p.into_inner(),
        };
        if last.is_some_and(|l| step <= l) {
            return Err(ElevationError::CodeReused);
        }
        *last = Some(step);
        Ok(())
    }
}

/// The code the demo device shows at `unix_secs`.
pub fn demo_mfa_code(unix_secs: u64) -> String {
    DemoMfaDevice::demo().code_at(unix_secs)
}

fn system_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The demo account's state.
#[derive(Debug)]
struct DemoState {
    account_public_access_block: Facet<PublicAccessBlock>,
    buckets: BTreeMap<String, Bucket>,
    iam: IamInventory,
}

/// The lab account in memory. An elevated demo session is another
/// `DemoCloud` on the same state, acting as the role until it expires.
#[derive(Debug)]
pub struct DemoCloud {
    account_id: String,
    /// Shared by every session on this account (an elevated one included).
    state: Arc<Mutex<DemoState>>,
    /// Shared with Live Tail sessions, which outlive a call, and with
    /// elevated sessions.
    logs: Arc<Mutex<logs::DemoLogs>>,
    lab: Lab,
    caller_arn: String,
    /// For a role session: when it ends (ms since the epoch).
    expires_at_ms: Option<i64>,
    mfa: Arc<DemoMfaDevice>,
}

impl DemoCloud {
    /// The embedded lab, with log events stamped relative to `now_ms`.
    pub fn embedded(now_ms: i64) -> Result<Self, CloudError> {
        let lab = Lab::embedded().map_err(|e| CloudError::Other(e.to_string()))?;
        Ok(Self::from_lab(&lab, now_ms))
    }

    /// Any lab definition, loaded into memory.
    pub fn from_lab(lab: &Lab, now_ms: i64) -> Self {
        let buckets = lab
            .buckets
            .iter()
            .map(|b| {
                // Keyed by the escaped name: the name the listing gives is
                // the one later reads ask for.
                let bucket = lab::materialise::bucket(lab, b);
                (bucket.name.clone(), bucket)
            })
            .collect();
        DemoCloud {
            account_id: lab.account_id.clone(),
            caller_arn: DEMO_CALLER.replace("123456789012", &lab.account_id),
            expires_at_ms: None,
            mfa: Arc::new(DemoMfaDevice::demo()),
            state: Arc::new(Mutex::new(DemoState {
                account_public_access_block: match lab.account_public_access_block {
                    Some(b) => Facet::Present(b.into()),
                    None => Facet::Absent,
                },
                buckets,
                iam: lab::materialise::iam(lab, now_ms),
            })),
            logs: Arc::new(Mutex::new(logs::DemoLogs::from_lab(lab, now_ms))),
            lab: lab.clone(),
        }
    }

    /// Keep the demo's tail alive: from now on, one lab event is sent again
    /// every `every`, with a fresh `eventID` and the time it is sent. Off
    /// unless asked for, so that tests see a fixed set of events.
    pub fn with_replay(self, every: Duration) -> Self {
        self.logs().start_replay(&self.lab, every);
        self
    }

    /// Add events to a log group, as `PutLogEvents` would: `(timestamp ms,
    /// message)`, any order, late ones included.
    pub fn put_log_events(
        &self,
        group: &str,
        stream: &str,
        events: &[(i64, String)],
    ) -> Result<(), CloudError> {
        self.logs().put(group, stream, events)
    }

    /// Create an empty log group.
    pub fn create_log_group(&self, name: &str) {
        self.logs().create_group(name);
    }

    fn logs(&self) -> std::sync::MutexGuard<'_, logs::DemoLogs> {
        match self.logs.lock() {
            Ok(l) => l,
            Err(p) => p.into_inner(),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, DemoState> {
        // A panic while holding the lock cannot leave the plain data
        // half-written in a way worse than what was there; keep serving.
        match self.state.lock() {
            Ok(s) => s,
            Err(p) => p.into_inner(),
        }
    }
}

#[async_trait]
impl Cloud for DemoCloud {
    fn backend_name(&self) -> &'static str {
        "demo"
    }

    async fn caller_identity(&self) -> Result<CallerIdentity, CloudError> {
        Ok(CallerIdentity {
            account_id: self.account_id.clone(),
            caller_arn: self.caller_arn.clone(),
            region: DEMO_REGION.into(),
            alias: self.lab.account_alias.clone(),
        })
    }

    async fn list_buckets(&self) -> Result<Vec<BucketListing>, CloudError> {
        Ok(self
            .state()
            .buckets
            .values()
            .map(|b| BucketListing {
                name: b.name.clone(),
                creation_date: b.creation_date.clone(),
                region: None,
            })
            .collect())
    }

    async fn read_bucket(&self, listing: &BucketListing) -> Bucket {
        self.state()
            .buckets
            .get(&listing.name)
            .cloned()
            .unwrap_or_else(|| {
                let mut b = Bucket::unread(listing.name.clone());
                b.region = Facet::unknown(crate::model::UnknownReason::Other, "NoSuchBucket");
                b
            })
    }

    async fn account_public_access_block(&self, _account_id: &str) -> Facet<PublicAccessBlock> {
        self.state().account_public_access_block.clone()
    }

    async fn iam_inventory(&self) -> Result<IamInventory, CloudError> {
        Ok(self.state().iam.clone())
    }

    async fn list_log_groups(&self) -> Result<Vec<LogGroup>, CloudError> {
        Ok(self.logs().groups())
    }

    async fn filter_log_events(&self, query: &LogQuery) -> Result<LogEventPage, CloudError> {
        self.logs().filter(query)
    }

    async fn start_live_tail(&self, groups: &[String]) -> Result<LiveTailStream, CloudError> {
        logs::live_tail(&self.logs, groups)
    }

    async fn apply(&self, change: &Change) -> Result<(), CloudError> {
        if let Some(end) = self.expires_at_ms
            && system_ms() >= end
        {
            return Err(CloudError::Expired(format!(
                "ExpiredToken: the role session {} has ended",
                self.caller_arn
            )));
        }
        let account_id = self.account_id.clone();
        let mut state = self.state();
        if let Change::AccountPublicAccessBlock { value, .. } = change {
            state.account_public_access_block = facet(*value);
            return Ok(());
        }
        if let Some(name) = change.bucket() {
            if let Change::BucketLogging { value: Some(l), .. } = change {
                check_log_target(&state.buckets, name, &l.target_bucket)?;
            }
            let bucket = state
                .buckets
                .get_mut(name)
                .ok_or_else(|| no_such_bucket(name))?;
            apply_to_bucket(bucket, change, &account_id);
            return Ok(());
        }
        apply_to_iam(&mut state.iam, change)
    }

    async fn current_state(&self, change: &Change) -> Result<Change, CloudError> {
        let state = self.state();
        if let Change::AccountPublicAccessBlock { account_id, .. } = change {
            return Ok(Change::AccountPublicAccessBlock {
                account_id: account_id.clone(),
                value: known(&state.account_public_access_block)?,
            });
        }
        if let Some(name) = change.bucket() {
            let b = state
                .buckets
                .get(name)
                .ok_or_else(|| no_such_bucket(name))?;
            return bucket_state(b, change);
        }
        iam_state(&state.iam, change)
    }

    async fn elevate(&self, request: ElevationRequest) -> Result<Elevation, ElevationError> {
        let ElevationRequest {
            role_arn,
            mfa_serial,
            code,
            duration_seconds,
            session_name,
            ..
        } = request;
        let role_name = role_arn.rsplit('/').next().unwrap_or_default().to_string();
        let known_role = self.state().iam.roles.iter().any(|r| r.arn == role_arn);
        if !known_role {
            return Err(ElevationError::Denied {
                role: role_arn,
                detail: "NoSuchEntity: the demo account has no such role".into(),
            });
        }
        // The demo role's trust policy requires MFA, like the lab's.
        let (Some(serial), Some(code)) = (mfa_serial, code) else {
            return Err(ElevationError::MfaRequired {
                role: role_arn,
                detail: "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code".into(),
            });
        };
        if serial != DEMO_MFA_SERIAL.replace("123456789012", &self.account_id) {
            return Err(ElevationError::MfaDevice {
                serial,
                detail: "MultiFactorAuthentication failed, unable to validate MFA code".into(),
            });
        }
        if !(900..=43_200).contains(&duration_seconds) {
            return Err(ElevationError::BadDuration(duration_seconds));
        }
        let now = system_ms();
        self.mfa
            .check(code.expose(), u64::try_from(now / 1000).unwrap_or(0))?;
        drop(code);
        if duration_seconds > DEMO_MAX_SESSION_SECONDS {
            return Err(ElevationError::DurationTooLong {
                requested: duration_seconds,
                detail: "ValidationError: The requested DurationSeconds exceeds the MaxSessionDuration set for this role".into(),
            });
        }
        let expires_at_ms = now + i64::from(duration_seconds) * 1000;
        let assumed_role_arn = format!(
            "arn:aws:sts::{}:assumed-role/{role_name}/{session_name}",
            self.account_id
        );
        Ok(Elevation {
            cloud: Arc::new(DemoCloud {
                account_id: self.account_id.clone(),
                state: Arc::clone(&self.state),
                logs: Arc::clone(&self.logs),
                lab: self.lab.clone(),
                caller_arn: assumed_role_arn.clone(),
                expires_at_ms: Some(expires_at_ms),
                mfa: Arc::clone(&self.mfa),
            }),
            role_arn,
            assumed_role_arn,
            session_name,
            expires_at_ms,
        })
    }
}

/// A demo facet's value; the demo never has unknown facets, but a lab may.
fn known<T: Clone>(f: &Facet<T>) -> Result<Option<T>, CloudError> {
    match f {
        Facet::Present(v) => Ok(Some(v.clone())),
        Facet::Absent => Ok(None),
        Facet::Unknown(u) => Err(CloudError::Other(u.to_string())),
    }
}

/// What `current_state` reads from a demo bucket.
fn bucket_state(b: &Bucket, change: &Change) -> Result<Change, CloudError> {
    let bucket = b.name.clone();
    Ok(match change {
        Change::BucketPublicAccessBlock { .. } => Change::BucketPublicAccessBlock {
            bucket,
            value: known(&b.public_access_block)?,
        },
        Change::BucketEncryption { .. } => Change::BucketEncryption {
            bucket,
            value: known(&b.encryption)?,
        },
        Change::BucketPolicy { .. } => Change::BucketPolicy {
            bucket,
            value: known(&b.policy)?,
        },
        Change::BucketAcl { .. } => match known(&b.acl)? {
            Some(acl) => Change::BucketAcl { bucket, acl },
            None => return Err(CloudError::Other(format!("{bucket}: no ACL"))),
        },
        Change::BucketOwnership { .. } => Change::BucketOwnership {
            bucket,
            value: known(&b.ownership)?,
        },
        Change::BucketVersioning { .. } => Change::BucketVersioning {
            bucket,
            status: known(&b.versioning)?.map_or(VersioningStatus::Off, |v| v.status),
        },
        Change::BucketLogging { .. } => Change::BucketLogging {
            bucket,
            value: known(&b.logging)?,
        },
        other => {
            return Err(CloudError::Other(format!(
                "{}: not a bucket configuration",
                other.api_call()
            )));
        }
    })
}

/// What `current_state` reads from the demo's IAM.
fn iam_state(iam: &IamInventory, change: &Change) -> Result<Change, CloudError> {
    let user_named = |u: &str| {
        iam.users
            .iter()
            .find(|x| x.name == u)
            .ok_or_else(|| CloudError::Other(format!("NoSuchEntity: the user {u} cannot be found")))
    };
    match change {
        Change::AccessKeyStatus { user, key_id, .. } => {
            let u = user_named(user)?;
            let key = known(&u.access_keys)?
                .unwrap_or_default()
                .into_iter()
                .find(|k| &k.id == key_id)
                .ok_or_else(|| {
                    CloudError::Other(format!(
                        "NoSuchEntity: the access key {key_id} cannot be found"
                    ))
                })?;
            Ok(Change::AccessKeyStatus {
                user: user.clone(),
                key_id: key_id.clone(),
                status: key.status,
            })
        }
        Change::UserInlinePolicy { user, name, .. } => {
            let u = user_named(user)?;
            Ok(Change::UserInlinePolicy {
                user: user.clone(),
                name: name.clone(),
                document: u
                    .inline_policies
                    .iter()
                    .find(|p| &p.name == name)
                    .map(|p| p.document.clone()),
            })
        }
        other => Err(CloudError::Other(format!(
            "{}: not an IAM configuration",
            other.api_call()
        ))),
    }
}

fn facet<T>(value: Option<T>) -> Facet<T> {
    value.map_or(Facet::Absent, Facet::Present)
}

fn no_such_bucket(name: &str) -> CloudError {
    CloudError::Other(format!("NoSuchBucket: the bucket {name} does not exist"))
}

/// PutBucketLogging's refusals: the target must exist, in the bucket's
/// Region (S3 User Guide, "Enabling Amazon S3 server access logging").
fn check_log_target(
    buckets: &BTreeMap<String, Bucket>,
    bucket: &str,
    target: &str,
) -> Result<(), CloudError> {
    let Some(t) = buckets.get(target) else {
        return Err(CloudError::Other(format!(
            "InvalidTargetBucketForLogging: the target bucket {target} does not exist"
        )));
    };
    let from = buckets.get(bucket).and_then(|b| b.region.present());
    if let (Some(from), Some(to)) = (from, t.region.present())
        && from != to
    {
        return Err(CloudError::Other(format!(
            "CrossLocationLoggingProhibitted: {bucket} is in {from}, the target {target} in {to}"
        )));
    }
    Ok(())
}

/// What S3 would store for each bucket write.
fn apply_to_bucket(bucket: &mut Bucket, change: &Change, account_id: &str) {
    match change {
        Change::BucketPublicAccessBlock { value, .. } => bucket.public_access_block = facet(*value),
        Change::BucketEncryption { value, .. } => bucket.encryption = facet(value.clone()),
        Change::BucketPolicy { value, .. } => {
            bucket.policy_status = match value {
                Some(p) => lab::materialise::s3_policy_status(p, account_id),
                None => Facet::Absent,
            };
            bucket.policy = facet(value.clone());
        }
        Change::BucketAcl { acl, .. } => bucket.acl = Facet::Present(acl.clone()),
        Change::BucketOwnership { value, .. } => bucket.ownership = facet(*value),
        Change::BucketVersioning { status, .. } => {
            let mfa_delete = bucket.versioning.present().is_some_and(|v| v.mfa_delete);
            // As on S3: once written, versioning is Enabled or Suspended;
            // there is no way back to "never enabled".
            let status = match status {
                VersioningStatus::Off => VersioningStatus::Suspended,
                s => *s,
            };
            bucket.versioning = Facet::Present(Versioning { status, mfa_delete });
        }
        Change::BucketLogging { value, .. } => bucket.logging = facet(value.clone()),
        Change::AccountPublicAccessBlock { .. }
        | Change::AccessKeyStatus { .. }
        | Change::UserInlinePolicy { .. } => {}
    }
}

/// What IAM would store for each IAM write.
fn apply_to_iam(iam: &mut IamInventory, change: &Change) -> Result<(), CloudError> {
    let no_such_user =
        |u: &str| CloudError::Other(format!("NoSuchEntity: the user {u} cannot be found"));
    match change {
        Change::AccessKeyStatus {
            user,
            key_id,
            status,
        } => {
            let u = iam
                .users
                .iter_mut()
                .find(|x| &x.name == user)
                .ok_or_else(|| no_such_user(user))?;
            let key = match &mut u.access_keys {
                Facet::Present(keys) => keys.iter_mut().find(|k| &k.id == key_id),
                _ => None,
            }
            .ok_or_else(|| {
                CloudError::Other(format!(
                    "NoSuchEntity: the access key {key_id} cannot be found"
                ))
            })?;
            key.status = status.clone();
            // The credential report numbers keys by creation order.
            let position = match &u.access_keys {
                Facet::Present(keys) => keys.iter().position(|k| &k.id == key_id),
                _ => None,
            };
            if let (Some(i), Facet::Present(rows)) = (position, &mut iam.credential_report)
                && let Some(row) = rows.iter_mut().find(|r| r.get("user") == Some(user))
            {
                row.insert(
                    format!("access_key_{}_active", i + 1),
                    (status == "Active").to_string(),
                );
            }
            Ok(())
        }
        Change::UserInlinePolicy {
            user,
            name,
            document,
        } => {
            let u = iam
                .users
                .iter_mut()
                .find(|x| &x.name == user)
                .ok_or_else(|| no_such_user(user))?;
            u.inline_policies.retain(|p| &p.name != name);
            if let Some(doc) = document {
                u.inline_policies.push(InlinePolicy {
                    name: name.clone(),
                    document: doc.clone(),
                });
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_device_computes_rfc_6238_codes() {
        // RFC 6238 Appendix B, SHA-1 secret "12345678901234567890"; six
        // digits are the last six of the RFC's eight.
        let d = DemoMfaDevice::with_secret(b"12345678901234567890".to_vec());
        assert_eq!(d.code_at(59), "287082");
        assert_eq!(d.code_at(1_111_111_109), "081804");
        assert_eq!(d.code_at(1_234_567_890), "005924");
        assert_eq!(d.code_at(2_000_000_000), "279037");
    }

    #[test]
    fn a_code_is_accepted_once_within_one_step_of_skew() {
        let d = DemoMfaDevice::demo();
        let t = 1_767_623_412;
        let code = d.code_at(t);
        // What the README's command prints for that time:
        // oathtool --totp -b VIGILDEMOVIGILDEMOVIGILDEMOVIGIL --now "2026-01-05 14:30:12 UTC"
        assert_eq!(code, "665113");
        assert!(matches!(
            d.check("000000", t),
            Err(ElevationError::CodeRefused(_))
        ));
        d.check(&code, t + 29).unwrap();
        assert!(matches!(
            d.check(&code, t + 5),
            Err(ElevationError::CodeReused)
        ));
        // An older code than one already used is refused too.
        assert!(matches!(
            d.check(&d.code_at(t - 30), t),
            Err(ElevationError::CodeReused)
        ));
        // The next step's code works.
        d.check(&d.code_at(t + 30), t + 30).unwrap();
        // Too far off (two steps) is wrong, not reused.
        assert!(matches!(
            d.check(&d.code_at(t + 120), t + 30),
            Err(ElevationError::CodeRefused(_))
        ));
    }
}
