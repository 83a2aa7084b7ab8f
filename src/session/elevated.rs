//! An elevated role session as a [`Cloud`]: it passes every call to the
//! role's backend until the session expires or is dropped, and from then on
//! refuses — writes with a clear error, reads as unknown. Dropping also
//! lets go of the backend (and with it the temporary credentials) as soon
//! as no call is still using it.

use std::sync::{Arc, RwLock};

use async_trait::async_trait;

use super::Clock;
use crate::cloud::{
    BucketListing, Cloud, CloudError, Elevation, ElevationError, ElevationRequest, LogQuery,
};
use crate::model::change::Change;
use crate::model::iam::IamInventory;
use crate::model::logs::{LogEventPage, LogGroup};
use crate::model::s3::{Bucket, PublicAccessBlock};
use crate::model::{CallerIdentity, Facet, UnknownReason};

/// The role's backend behind an expiry and an off switch.
pub struct ElevatedCloud {
    inner: RwLock<Option<Arc<dyn Cloud>>>,
    role_arn: String,
    expires_at_ms: i64,
    clock: Arc<dyn Clock>,
}

impl ElevatedCloud {
    pub(super) fn new(elevation: Elevation, clock: Arc<dyn Clock>) -> Self {
        ElevatedCloud {
            inner: RwLock::new(Some(elevation.cloud)),
            role_arn: elevation.role_arn,
            expires_at_ms: elevation.expires_at_ms,
            clock,
        }
    }

    /// End the session now; later calls are refused.
    pub fn end(&self) {
        let mut inner = match self.inner.write() {
            Ok(i) => i,
            Err(p) => p.into_inner(),
        };
        *inner = None;
    }

    /// Whether calls still go through.
    pub fn is_live(&self) -> bool {
        self.backend().is_ok()
    }

    fn backend(&self) -> Result<Arc<dyn Cloud>, CloudError> {
        if self.clock.now_ms() >= self.expires_at_ms {
            self.end();
            return Err(CloudError::Expired(format!(
                "the elevated session for {} has ended; elevate again to write",
                self.role_arn
            )));
        }
        let inner = match self.inner.read() {
            Ok(i) => i,
            Err(p) => p.into_inner(),
        };
        inner.clone().ok_or_else(|| {
            CloudError::Expired(format!(
                "the elevated session for {} was dropped; elevate again to write",
                self.role_arn
            ))
        })
    }
}

#[async_trait]
impl Cloud for ElevatedCloud {
    fn backend_name(&self) -> &'static str {
        match self.backend() {
            Ok(b) => b.backend_name(),
            Err(_) => "ended",
        }
    }

    async fn caller_identity(&self) -> Result<CallerIdentity, CloudError> {
        self.backend()?.caller_identity().await
    }

    async fn list_buckets(&self) -> Result<Vec<BucketListing>, CloudError> {
        self.backend()?.list_buckets().await
    }

    async fn read_bucket(&self, listing: &BucketListing) -> Bucket {
        match self.backend() {
            Ok(b) => b.read_bucket(listing).await,
            Err(e) => {
                let mut b = Bucket::unread(listing.name.clone());
                b.region = Facet::unknown(UnknownReason::Other, e.to_string());
                b
            }
        }
    }

    async fn account_public_access_block(&self, account_id: &str) -> Facet<PublicAccessBlock> {
        match self.backend() {
            Ok(b) => b.account_public_access_block(account_id).await,
            Err(e) => Facet::unknown(UnknownReason::Other, e.to_string()),
        }
    }

    async fn iam_inventory(&self) -> Result<IamInventory, CloudError> {
        self.backend()?.iam_inventory().await
    }

    async fn list_log_groups(&self) -> Result<Vec<LogGroup>, CloudError> {
        self.backend()?.list_log_groups().await
    }

    async fn filter_log_events(&self, query: &LogQuery) -> Result<LogEventPage, CloudError> {
        self.backend()?.filter_log_events(query).await
    }

    async fn apply(&self, change: &Change) -> Result<(), CloudError> {
        self.backend()?.apply(change).await
    }

    async fn current_state(&self, change: &Change) -> Result<Change, CloudError> {
        self.backend()?.current_state(change).await
    }

    async fn elevate(&self, request: ElevationRequest) -> Result<Elevation, ElevationError> {
        Ok(self.backend()?.elevate(request).await?)
    }
}
