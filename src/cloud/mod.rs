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

use crate::model::change::Change;
use crate::model::iam::IamInventory;
use crate::model::logs::{LogEventPage, LogGroup};
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
