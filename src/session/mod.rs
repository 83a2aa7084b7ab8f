//! Who we are, and whether we may write: the caller (`GetCallerIdentity`),
//! the remediation role ([`role`]), elevation into it with MFA, and the
//! session's expiry.
//!
//! A [`Session`] is owned by one task (the console's UI loop, or a headless
//! command). Nothing in it waits on the network except [`ElevationJob::run`],
//! which is built by [`Session::elevation_job`] and moved into a spawned
//! task; its result is handed back with [`Session::install`]. Writes go
//! through [`Session::writer`], which refuses in read-only mode, before
//! elevation when elevation is required, and after expiry or
//! [`Session::drop_elevation`].

pub mod elevated;
pub mod role;

use std::sync::Arc;

use serde::Serialize;

pub use elevated::ElevatedCloud;
pub use role::{RoleConfig, RoleSettings};

use crate::cloud::{Cloud, CloudError, ElevationError, ElevationRequest, MfaCode};
use crate::model::CallerIdentity;
use crate::remedy::Actor;

/// Re-elevation is offered this long before the session ends.
pub const RENEW_BEFORE_MS: i64 = 5 * 60 * 1000;

/// Where the time comes from (a fake one in tests).
pub trait Clock: Send + Sync {
    /// Milliseconds since the epoch.
    fn now_ms(&self) -> i64;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    }
}

/// Whether and how this session may write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WriteMode {
    /// `--readonly`: no write and no elevation at all.
    ReadOnly,
    /// Writes only through the elevated role (the console).
    RequireElevation,
    /// The current credentials may write; elevation is used when a role is
    /// given (headless `vigil fix`).
    CurrentCredentials,
}

/// What the header shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Status {
    /// `--readonly`.
    ReadOnly,
    /// Writing needs elevation; `role` is `None` when none is configured.
    NotElevated { role: Option<String> },
    /// Writing with the current credentials (no role configured or needed).
    CurrentCredentials,
    Elevated {
        role: String,
        session_name: String,
        expires_at_ms: i64,
        remaining_secs: i64,
        /// Within [`RENEW_BEFORE_MS`] of the end: offer to re-elevate.
        renew_soon: bool,
    },
    /// The elevated session ended; writes are refused until re-elevation.
    Expired { role: String },
}

/// Why a session cannot write or elevate.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("vigil runs with --readonly: it neither writes nor elevates")]
    ReadOnly,
    #[error(
        "no remediation role is configured: pass --remediation-role ARN, or set role_arn or profile in the [remediation] section of config.toml"
    )]
    NoRole,
    #[error("writing needs the remediation role {role} with MFA: elevate first")]
    NotElevated { role: String },
    #[error("the elevated session for {role} has ended: elevate again to write")]
    Expired { role: String },
    #[error("{0}")]
    Profile(String),
    #[error(transparent)]
    Elevation(#[from] ElevationError),
    #[error(transparent)]
    Cloud(#[from] CloudError),
}

/// An installed elevation.
struct Elevated {
    cloud: Arc<ElevatedCloud>,
    role_arn: String,
    session_name: String,
    expires_at_ms: i64,
    /// Set when it ended (expiry or drop), so the status can say so.
    ended: bool,
}

/// A finished `AssumeRole`, ready to install.
pub struct ElevationDone {
    cloud: Arc<ElevatedCloud>,
    role_arn: String,
    session_name: String,
    expires_at_ms: i64,
}

impl std::fmt::Debug for ElevationDone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ElevationDone")
            .field("role_arn", &self.role_arn)
            .field("session_name", &self.session_name)
            .field("expires_at_ms", &self.expires_at_ms)
            .finish_non_exhaustive()
    }
}

/// An `AssumeRole` to run in a task of its own.
pub struct ElevationJob {
    source: Arc<dyn Cloud>,
    request: ElevationRequest,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for ElevationJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ElevationJob")
            .field("request", &self.request)
            .finish_non_exhaustive()
    }
}

impl ElevationJob {
    /// Call STS. The code is wiped when this returns, whatever the answer.
    pub async fn run(self) -> Result<ElevationDone, SessionError> {
        let elevation = self.source.elevate(self.request).await?;
        Ok(ElevationDone {
            role_arn: elevation.role_arn.clone(),
            session_name: elevation.session_name.clone(),
            expires_at_ms: elevation.expires_at_ms,
            cloud: Arc::new(ElevatedCloud::new(elevation, self.clock)),
        })
    }
}

/// What a write goes through, and who it is journaled as.
#[derive(Clone)]
pub struct Writer {
    pub cloud: Arc<dyn Cloud>,
    pub actor: Actor,
}

/// The operator's session.
pub struct Session {
    base: Arc<dyn Cloud>,
    /// Calls AssumeRole (the role profile's `source_profile`, else `base`).
    source: Arc<dyn Cloud>,
    identity: CallerIdentity,
    role: Option<RoleConfig>,
    mode: WriteMode,
    clock: Arc<dyn Clock>,
    elevated: Option<Elevated>,
}

impl Session {
    /// A session for `base`, whose caller is `identity`.
    pub fn new(
        base: Arc<dyn Cloud>,
        identity: CallerIdentity,
        role: Option<RoleConfig>,
        mode: WriteMode,
        clock: Arc<dyn Clock>,
    ) -> Session {
        Session {
            source: Arc::clone(&base),
            base,
            identity,
            role,
            mode,
            clock,
            elevated: None,
        }
    }

    /// Ask `base` who we are (`GetCallerIdentity`) and start a session.
    pub async fn start(
        base: Arc<dyn Cloud>,
        role: Option<RoleConfig>,
        mode: WriteMode,
    ) -> Result<Session, SessionError> {
        let identity = base.caller_identity().await?;
        Ok(Session::new(
            base,
            identity,
            role,
            mode,
            Arc::new(SystemClock),
        ))
    }

    /// Call AssumeRole with another backend (the role's `source_profile`).
    pub fn with_source(mut self, source: Arc<dyn Cloud>) -> Session {
        self.source = source;
        self
    }

    pub fn identity(&self) -> &CallerIdentity {
        &self.identity
    }

    pub fn role(&self) -> Option<&RoleConfig> {
        self.role.as_ref()
    }

    pub fn mode(&self) -> WriteMode {
        self.mode
    }

    /// The backend for reads (the caller's own credentials).
    pub fn reader(&self) -> Arc<dyn Cloud> {
        Arc::clone(&self.base)
    }

    /// Whether a write would need elevation first.
    pub fn needs_elevation(&self) -> bool {
        match self.mode {
            WriteMode::ReadOnly => false,
            WriteMode::RequireElevation => !self.is_elevated(),
            WriteMode::CurrentCredentials => self.role.is_some() && !self.is_elevated(),
        }
    }

    fn is_elevated(&self) -> bool {
        self.elevated
            .as_ref()
            .is_some_and(|e| !e.ended && e.expires_at_ms > self.clock.now_ms() && e.cloud.is_live())
    }

    /// What the header shows now.
    pub fn status(&self) -> Status {
        if self.mode == WriteMode::ReadOnly {
            return Status::ReadOnly;
        }
        if let Some(e) = &self.elevated {
            let now = self.clock.now_ms();
            if e.ended || now >= e.expires_at_ms || !e.cloud.is_live() {
                return Status::Expired {
                    role: e.role_arn.clone(),
                };
            }
            return Status::Elevated {
                role: e.role_arn.clone(),
                session_name: e.session_name.clone(),
                expires_at_ms: e.expires_at_ms,
                remaining_secs: (e.expires_at_ms - now) / 1000,
                renew_soon: e.expires_at_ms - now <= RENEW_BEFORE_MS,
            };
        }
        match (self.mode, &self.role) {
            (WriteMode::CurrentCredentials, None) => Status::CurrentCredentials,
            (_, role) => Status::NotElevated {
                role: role.as_ref().map(|r| r.role_arn.clone()),
            },
        }
    }

    /// The MFA device the prompt names (`None`: the role is assumed without MFA).
    pub fn mfa_serial(&self) -> Option<&str> {
        self.role.as_ref().and_then(|r| r.mfa_serial.as_deref())
    }

    /// An `AssumeRole` into the remediation role with this code, to run in
    /// a task (`job.run().await`), then [`Session::install`].
    pub fn elevation_job(&self, code: Option<MfaCode>) -> Result<ElevationJob, SessionError> {
        if self.mode == WriteMode::ReadOnly {
            return Err(SessionError::ReadOnly);
        }
        let role = self.role.as_ref().ok_or(SessionError::NoRole)?;
        let caller = &self.identity.caller_arn;
        Ok(ElevationJob {
            source: Arc::clone(&self.source),
            request: ElevationRequest {
                role_arn: role.role_arn.clone(),
                mfa_serial: role.mfa_serial.clone(),
                code,
                external_id: role.external_id.clone(),
                duration_seconds: role.duration_seconds,
                session_name: role::session_name(
                    role.session_name.as_deref(),
                    caller,
                    self.clock.now_ms(),
                ),
                source_identity: Some(role::caller_name(caller)),
            },
            clock: Arc::clone(&self.clock),
        })
    }

    /// Use a finished elevation from now on (replacing, and ending, any
    /// earlier one).
    pub fn install(&mut self, done: ElevationDone) {
        self.drop_elevation();
        self.elevated = Some(Elevated {
            cloud: done.cloud,
            role_arn: done.role_arn,
            session_name: done.session_name,
            expires_at_ms: done.expires_at_ms,
            ended: false,
        });
    }

    /// Elevate in place (headless commands): run the job and install it.
    pub async fn elevate(&mut self, code: Option<MfaCode>) -> Result<(), SessionError> {
        let done = self.elevation_job(code)?.run().await?;
        self.install(done);
        Ok(())
    }

    /// End elevation now; the credentials are let go.
    pub fn drop_elevation(&mut self) {
        if let Some(e) = &mut self.elevated {
            e.cloud.end();
            e.ended = true;
        }
    }

    /// Call on the console's timer: ends an expired elevation (letting go
    /// of its credentials) and returns the status when it just changed to
    /// expired.
    pub fn tick(&mut self) -> Option<Status> {
        let now = self.clock.now_ms();
        let e = self.elevated.as_mut()?;
        if !e.ended && now >= e.expires_at_ms {
            e.cloud.end();
            e.ended = true;
            return Some(self.status());
        }
        None
    }

    /// What to write through, and who to journal it as.
    pub fn writer(&self) -> Result<Writer, SessionError> {
        if self.mode == WriteMode::ReadOnly {
            return Err(SessionError::ReadOnly);
        }
        if let Some(e) = &self.elevated {
            if !self.is_elevated() {
                return Err(SessionError::Expired {
                    role: e.role_arn.clone(),
                });
            }
            return Ok(Writer {
                cloud: e.cloud.clone(),
                actor: Actor {
                    operator: self.identity.caller_arn.clone(),
                    role_arn: Some(e.role_arn.clone()),
                    session_name: Some(e.session_name.clone()),
                },
            });
        }
        match (self.mode, &self.role) {
            (WriteMode::CurrentCredentials, None) => Ok(Writer {
                cloud: Arc::clone(&self.base),
                actor: Actor {
                    operator: self.identity.caller_arn.clone(),
                    role_arn: None,
                    session_name: None,
                },
            }),
            (_, Some(r)) => Err(SessionError::NotElevated {
                role: r.role_arn.clone(),
            }),
            (_, None) => Err(SessionError::NoRole),
        }
    }
}
