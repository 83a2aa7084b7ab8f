//! The AWS SDK for Rust behind the [`Cloud`](super::Cloud) trait.

mod elevate;
mod iam;
mod logs;
mod s3;
pub mod seed;
mod state;
mod write;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use tokio::sync::Semaphore;

use super::error::{CloudError, fatal};
use super::{
    BucketListing, Cloud, Elevation, ElevationError, ElevationRequest, LiveTailStream, LogQuery,
};
use crate::model::change::Change;
use crate::model::iam::IamInventory;
use crate::model::logs::{LogEvent, LogEventPage, LogGroup};
use crate::model::s3::{Bucket, PublicAccessBlock};
use crate::model::{CallerIdentity, Facet};

/// Where and how to reach AWS.
#[derive(Debug, Clone, Default)]
pub struct AwsOptions {
    pub profile: Option<String>,
    pub region: Option<String>,
    /// An S3-compatible or emulated endpoint; implies path-style S3 addressing.
    pub endpoint_url: Option<String>,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Attempts per request, the SDK's retries included (at least 1).
    pub max_attempts: u32,
}

/// The region used when none is configured anywhere: ListBuckets and
/// GetBucketLocation answer for every bucket from us-east-1.
pub const FALLBACK_REGION: &str = "us-east-1";

/// AWS through the SDK.
pub struct AwsCloud {
    sdk: SdkConfig,
    options: AwsOptions,
    region: String,
    s3: aws_sdk_s3::Client,
    s3_by_region: Mutex<HashMap<String, aws_sdk_s3::Client>>,
    s3control: aws_sdk_s3control::Client,
    iam: aws_sdk_iam::Client,
    sts: aws_sdk_sts::Client,
    logs: aws_sdk_cloudwatchlogs::Client,
    /// Bounds the requests in flight (`--concurrency`).
    permits: Arc<Semaphore>,
}

impl AwsCloud {
    /// Load configuration the way the AWS CLI does (environment, shared
    /// config and credentials files, SSO, `credential_process`, instance
    /// metadata) and build the clients. Makes no request.
    pub async fn connect(options: AwsOptions) -> Result<Self, CloudError> {
        if let Some(profile) = &options.profile {
            check_profile_exists(profile)?;
        }
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(3))
                    .read_timeout(Duration::from_secs(30))
                    .operation_attempt_timeout(Duration::from_secs(40))
                    .build(),
            )
            .retry_config(RetryConfig::standard().with_max_attempts(options.max_attempts.max(1)));
        if let Some(profile) = &options.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(region) = &options.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(endpoint) = &options.endpoint_url {
            loader = loader.endpoint_url(endpoint);
        }
        // `app/vigil` in the user agent of every request, so CloudTrail
        // records of vigil's own calls can be told apart.
        if let Ok(name) = aws_types::app_name::AppName::new(crate::model::account::VIGIL_APP_NAME) {
            loader = loader.app_name(name);
        }
        let sdk = loader.load().await;
        let sdk = if sdk.region().is_none() {
            sdk.into_builder()
                .region(Region::new(FALLBACK_REGION))
                .build()
        } else {
            sdk
        };
        Ok(Self::from_sdk(sdk, options))
    }

    /// The clients for an SDK configuration (an elevated session gets its
    /// own, built from the same configuration with its credentials).
    fn from_sdk(sdk: SdkConfig, options: AwsOptions) -> Self {
        let region = sdk
            .region()
            .map(|r| r.to_string())
            .unwrap_or_else(|| FALLBACK_REGION.to_string());
        let s3 = s3_client(&sdk, &options, &region);
        let mut s3control = aws_sdk_s3control::config::Builder::from(&sdk);
        if let Some(endpoint) = &options.endpoint_url {
            // The SDK puts the account id in front of the host
            // (`123456789012.127.0.0.1`), which only AWS's DNS resolves.
            s3control = s3control.endpoint_resolver(FixedEndpoint(endpoint.clone()));
        }
        let permits = Arc::new(Semaphore::new(options.concurrency.max(1)));
        AwsCloud {
            s3_by_region: Mutex::new(HashMap::from([(region.clone(), s3.clone())])),
            s3,
            s3control: aws_sdk_s3control::Client::from_conf(s3control.build()),
            iam: aws_sdk_iam::Client::new(&sdk),
            sts: aws_sdk_sts::Client::new(&sdk),
            logs: aws_sdk_cloudwatchlogs::Client::new(&sdk),
            sdk,
            options,
            region,
            permits,
        }
    }

    /// The region this session works in.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The S3 client for a bucket's region (built once per region).
    pub(crate) fn s3_for(&self, region: &str) -> aws_sdk_s3::Client {
        let mut clients = match self.s3_by_region.lock() {
            Ok(c) => c,
            Err(poisoned) => poisoned.into_inner(),
        };
        clients
            .entry(region.to_string())
            .or_insert_with(|| s3_client(&self.sdk, &self.options, region))
            .clone()
    }

    /// Wait for a request slot.
    async fn permit(&self) -> tokio::sync::SemaphorePermit<'_> {
        // The semaphore is never closed, so acquire cannot fail; if it ever
        // did, running unbounded is better than stopping the scan.
        loop {
            if let Ok(p) = self.permits.acquire().await {
                return p;
            }
        }
    }

    pub(crate) fn s3(&self) -> &aws_sdk_s3::Client {
        &self.s3
    }
    pub(crate) fn iam(&self) -> &aws_sdk_iam::Client {
        &self.iam
    }
    pub(crate) fn logs(&self) -> &aws_sdk_cloudwatchlogs::Client {
        &self.logs
    }
}

fn s3_client(sdk: &SdkConfig, options: &AwsOptions, region: &str) -> aws_sdk_s3::Client {
    let conf = aws_sdk_s3::config::Builder::from(sdk)
        .region(Region::new(region.to_string()))
        // Virtual-hosted addressing needs DNS for `bucket.host`; a custom
        // endpoint (an emulator, a VPC endpoint by IP) seldom has it.
        .force_path_style(options.endpoint_url.is_some())
        .build();
    aws_sdk_s3::Client::from_conf(conf)
}

/// An endpoint resolver that always answers the endpoint as given.
#[derive(Debug)]
struct FixedEndpoint(String);

impl aws_sdk_s3control::config::endpoint::ResolveEndpoint for FixedEndpoint {
    fn resolve_endpoint<'a>(
        &'a self,
        _params: &'a aws_sdk_s3control::config::endpoint::Params,
    ) -> aws_sdk_s3control::config::endpoint::EndpointFuture<'a> {
        aws_sdk_s3control::config::endpoint::EndpointFuture::ready(Ok(
            aws_smithy_types::endpoint::Endpoint::builder()
                .url(self.0.clone())
                .build(),
        ))
    }
}

/// aws-config silently falls back to no credentials for a profile that is
/// not defined; say so plainly instead, before any request.
fn check_profile_exists(profile: &str) -> Result<(), CloudError> {
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    let config = std::env::var_os("AWS_CONFIG_FILE")
        .map(std::path::PathBuf::from)
        .or_else(|| home.as_ref().map(|h| h.join(".aws/config")));
    let credentials = std::env::var_os("AWS_SHARED_CREDENTIALS_FILE")
        .map(std::path::PathBuf::from)
        .or_else(|| home.as_ref().map(|h| h.join(".aws/credentials")));
    let in_config = config
        .and_then(|p| std::fs::read_to_string(p).ok())
        .is_some_and(|t| {
            t.lines().any(|l| {
                let l = l.trim();
                l == format!("[profile {profile}]") || (profile == "default" && l == "[default]")
            })
        });
    let in_credentials = credentials
        .and_then(|p| std::fs::read_to_string(p).ok())
        .is_some_and(|t| t.lines().any(|l| l.trim() == format!("[{profile}]")));
    if in_config || in_credentials {
        Ok(())
    } else {
        Err(CloudError::Credentials(format!(
            "profile '{profile}' is not defined in ~/.aws/config or ~/.aws/credentials"
        )))
    }
}

#[async_trait]
impl Cloud for AwsCloud {
    fn backend_name(&self) -> &'static str {
        "aws"
    }

    async fn caller_identity(&self) -> Result<CallerIdentity, CloudError> {
        let _permit = self.permit().await;
        let out = self
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| fatal("GetCallerIdentity", e))?;
        // Best effort: an identity that may not list aliases still works,
        // the header just shows the id alone.
        let alias = match self.iam.list_account_aliases().send().await {
            Ok(a) => a
                .account_aliases()
                .first()
                .map(|s| crate::model::text::safe(s)),
            Err(e) => {
                tracing::debug!(
                    "ListAccountAliases: {}",
                    aws_smithy_types::error::display::DisplayErrorContext(&e)
                );
                None
            }
        };
        Ok(CallerIdentity {
            account_id: out.account().unwrap_or_default().to_string(),
            caller_arn: crate::model::text::safe(out.arn().unwrap_or_default()),
            region: self.region.clone(),
            alias,
        })
    }

    async fn list_buckets(&self) -> Result<Vec<BucketListing>, CloudError> {
        s3::list_buckets(self).await
    }

    async fn read_bucket(&self, listing: &BucketListing) -> Bucket {
        s3::read_bucket(self, listing).await
    }

    async fn account_public_access_block(&self, account_id: &str) -> Facet<PublicAccessBlock> {
        let _permit = self.permit().await;
        let result = self
            .s3control
            .get_public_access_block()
            .account_id(account_id)
            .send()
            .await;
        super::error::facet(result).map(|out| {
            let c = out.public_access_block_configuration();
            PublicAccessBlock {
                block_public_acls: c.and_then(|c| c.block_public_acls()).unwrap_or(false),
                ignore_public_acls: c.and_then(|c| c.ignore_public_acls()).unwrap_or(false),
                block_public_policy: c.and_then(|c| c.block_public_policy()).unwrap_or(false),
                restrict_public_buckets: c
                    .and_then(|c| c.restrict_public_buckets())
                    .unwrap_or(false),
            }
        })
    }

    async fn iam_inventory(&self) -> Result<IamInventory, CloudError> {
        iam::read_inventory(self).await
    }

    async fn list_log_groups(&self) -> Result<Vec<LogGroup>, CloudError> {
        logs::list_groups(self).await
    }

    async fn filter_log_events(&self, query: &LogQuery) -> Result<LogEventPage, CloudError> {
        logs::filter_events(self, query).await
    }

    async fn sample_log_events(
        &self,
        group: &str,
        limit: usize,
    ) -> Result<Vec<LogEvent>, CloudError> {
        logs::sample_events(self, group, limit).await
    }

    async fn start_live_tail(&self, groups: &[String]) -> Result<LiveTailStream, CloudError> {
        logs::live_tail(self, groups).await
    }

    async fn apply(&self, change: &Change) -> Result<(), CloudError> {
        let _permit = self.permit().await;
        write::apply(self, change).await
    }

    async fn current_state(&self, change: &Change) -> Result<Change, CloudError> {
        state::current_state(self, change).await
    }

    async fn elevate(&self, request: ElevationRequest) -> Result<Elevation, ElevationError> {
        elevate::assume_role(self, request).await
    }
}
