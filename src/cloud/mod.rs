//! The one interface the rest of vigil uses for AWS.
//!
//! Two implementations: [`aws::AwsCloud`] (the AWS SDK for Rust) and
//! [`demo::DemoCloud`] (the embedded lab account, in memory). A read that
//! fails for one facet makes that facet `Unknown`; only failures that stop
//! everything (no credentials, unreachable endpoint) are a [`CloudError`].

pub mod aws;
pub mod collect;
pub mod demo;
pub mod elevation;
pub mod error;

use async_trait::async_trait;
use futures::stream::BoxStream;

use crate::model::change::Change;
use crate::model::iam::IamInventory;
use crate::model::logs::{LogEvent, LogEventPage, LogGroup};
use crate::model::s3::{Bucket, PublicAccessBlock};
use crate::model::{CallerIdentity, Facet};

pub use elevation::{Elevation, ElevationError, ElevationRequest, MfaCode};
pub use error::CloudError;

/// A bucket as `ListBuckets` names it, before its facets are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketListing {
    pub name: String,
    pub creation_date: Option<String>,
    /// The region `ListBuckets` reports, when it does.
    pub region: Option<String>,
}

/// A window of log events to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogQuery {
    pub group: String,
    /// Inclusive, milliseconds since the epoch.
    pub start_ms: i64,
    /// Inclusive, milliseconds since the epoch.
    pub end_ms: Option<i64>,
    pub next_token: Option<String>,
}

/// The most log groups one CloudWatch Logs Live Tail session takes
/// (`StartLiveTail`, `logGroupIdentifiers`).
pub const LIVE_TAIL_MAX_GROUPS: usize = 10;

/// One event of a Live Tail session. `event.event_id` is empty: Live Tail
/// does not give CloudWatch's event ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveTailEvent {
    /// The log group's name (Live Tail names it by ARN; the backend maps it).
    pub group: String,
    pub event: LogEvent,
}

/// What a Live Tail session sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveTailFrame {
    /// The session is open (`sessionStart`).
    Started,
    /// Events ingested since the last frame (`sessionUpdate`); `sampled`
    /// when CloudWatch dropped some because they came too fast.
    Events {
        events: Vec<LiveTailEvent>,
        sampled: bool,
    },
}

/// A Live Tail session: frames until the session ends (it times out after
/// three hours) or fails.
pub type LiveTailStream = BoxStream<'static, Result<LiveTailFrame, CloudError>>;

/// What vigil needs from an AWS account.
#[async_trait]
pub trait Cloud: Send + Sync {
    /// `aws` or `demo`, for the header and logs.
    fn backend_name(&self) -> &'static str;

    /// `GetCallerIdentity`, with the region vigil works in.
    async fn caller_identity(&self) -> Result<CallerIdentity, CloudError>;

    /// Every bucket of the account (`ListBuckets`, all pages).
    async fn list_buckets(&self) -> Result<Vec<BucketListing>, CloudError>;

    /// Every facet of one bucket, each read on its own: a failed read makes
    /// that facet unknown and the rest still arrive.
    async fn read_bucket(&self, listing: &BucketListing) -> Bucket;

    /// Account-level Block Public Access.
    async fn account_public_access_block(&self, account_id: &str) -> Facet<PublicAccessBlock>;

    /// Users, groups, roles, policies, the credential report, the account
    /// summary and the password policy.
    async fn iam_inventory(&self) -> Result<IamInventory, CloudError>;

    /// CloudWatch Logs groups of the region.
    async fn list_log_groups(&self) -> Result<Vec<LogGroup>, CloudError>;

    /// One page of events from a log group, oldest first.
    async fn filter_log_events(&self, query: &LogQuery) -> Result<LogEventPage, CloudError>;

    /// Up to `limit` events of a group, from its oldest (to tell whether it
    /// holds CloudTrail).
    async fn sample_log_events(
        &self,
        group: &str,
        limit: usize,
    ) -> Result<Vec<LogEvent>, CloudError> {
        let page = self
            .filter_log_events(&LogQuery {
                group: group.to_string(),
                start_ms: 0,
                end_ms: None,
                next_token: None,
            })
            .await?;
        Ok(page.events.into_iter().take(limit).collect())
    }

    /// Open a CloudWatch Logs Live Tail session (`StartLiveTail`) on up to
    /// [`LIVE_TAIL_MAX_GROUPS`] groups, by name. It streams what is ingested
    /// from now on, no history. A backend or endpoint without it answers an
    /// error (the default), and the tail polls `filter_log_events` instead.
    async fn start_live_tail(&self, groups: &[String]) -> Result<LiveTailStream, CloudError> {
        let _ = groups;
        Err(CloudError::Other(format!(
            "{} does not offer CloudWatch Logs Live Tail",
            self.backend_name()
        )))
    }

    /// Make one configuration write (what a remediation or an undo applies).
    /// The caller reads the resource back afterwards to verify it.
    async fn apply(&self, change: &Change) -> Result<(), CloudError>;

    /// Read, now, the configuration `change` sets, and return it as the
    /// change that would set it to what it is (the value in `change` is
    /// ignored). A remediation captures the exact prior state with it before
    /// writing and reads its write back with it afterwards. A configuration
    /// that cannot be read is an error, never a guess: vigil does not change
    /// what it cannot read back.
    async fn current_state(&self, change: &Change) -> Result<Change, CloudError> {
        Err(CloudError::Other(format!(
            "the {} backend cannot read back {}",
            self.backend_name(),
            change.api_call()
        )))
    }

    /// Assume a role (`sts:AssumeRole` with the MFA serial and code when
    /// given) and return a backend that acts as it. The request, and with it
    /// the code, is consumed. Credentials stay inside the returned backend.
    async fn elevate(&self, request: ElevationRequest) -> Result<Elevation, ElevationError> {
        drop(request);
        Err(ElevationError::Unsupported(self.backend_name()))
    }
}
