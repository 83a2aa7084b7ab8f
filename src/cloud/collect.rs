//! Reading the whole account through a [`Cloud`], streaming buckets as they
//! arrive (DESIGN.md, "Data flow of a scan").

use std::sync::Arc;

use futures::StreamExt;
use tokio::sync::mpsc;

use super::{BucketListing, Cloud, CloudError};
use crate::model::s3::Bucket;
use crate::model::{Facet, Inventory};

/// What a streaming read reports, in order: the listing, then each bucket as
/// its facets are all in, then the end.
#[derive(Debug)]
pub enum BucketProgress {
    Listed(Vec<BucketListing>),
    Read(Box<Bucket>),
    Done,
    Failed(CloudError),
}

/// Read every bucket (or only `only`, when not empty) with at most
/// `concurrency` buckets in flight, sending each as soon as it is complete.
pub fn stream_buckets(
    cloud: Arc<dyn Cloud>,
    concurrency: usize,
    only: Vec<String>,
) -> mpsc::Receiver<BucketProgress> {
    let (tx, rx) = mpsc::channel(256);
    tokio::spawn(async move {
        let mut listings = match cloud.list_buckets().await {
            Ok(l) => l,
            Err(e) => {
                let _ = tx.send(BucketProgress::Failed(e)).await;
                return;
            }
        };
        if !only.is_empty() {
            listings.retain(|l| only.contains(&l.name));
        }
        if tx
            .send(BucketProgress::Listed(listings.clone()))
            .await
            .is_err()
        {
            return;
        }
        let mut reads = futures::stream::iter(listings)
            .map(|listing| {
                let cloud = cloud.clone();
                async move { cloud.read_bucket(&listing).await }
            })
            .buffer_unordered(concurrency.max(1));
        while let Some(bucket) = reads.next().await {
            if tx
                .send(BucketProgress::Read(Box::new(bucket)))
                .await
                .is_err()
            {
                return;
            }
        }
        let _ = tx.send(BucketProgress::Done).await;
    });
    rx
}

/// Read the whole account into one [`Inventory`], buckets sorted by name.
pub async fn read_inventory(
    cloud: Arc<dyn Cloud>,
    concurrency: usize,
) -> Result<Inventory, CloudError> {
    let account = cloud.caller_identity().await?;
    let mut rx = stream_buckets(cloud.clone(), concurrency, Vec::new());
    let account_bpa_cloud = cloud.clone();
    let account_id = account.account_id.clone();
    let account_bpa = tokio::spawn(async move {
        account_bpa_cloud
            .account_public_access_block(&account_id)
            .await
    });
    let iam_cloud = cloud.clone();
    let iam = tokio::spawn(async move { iam_cloud.iam_inventory().await });
    let logs_cloud = cloud.clone();
    let logs = tokio::spawn(async move { logs_cloud.list_log_groups().await });

    let mut buckets = Vec::new();
    while let Some(progress) = rx.recv().await {
        match progress {
            BucketProgress::Listed(_) => {}
            BucketProgress::Read(b) => buckets.push(*b),
            BucketProgress::Done => break,
            BucketProgress::Failed(e) => return Err(e),
        }
    }
    buckets.sort_by(|a, b| a.name.cmp(&b.name));

    let joined = |what: &str, e: tokio::task::JoinError| CloudError::Other(format!("{what}: {e}"));
    let account_public_access_block = account_bpa.await.map_err(|e| joined("account BPA", e))?;
    let iam = iam_or_unknown(iam.await.map_err(|e| joined("IAM", e))?)?;
    let log_groups = iam_or_unknown(logs.await.map_err(|e| joined("logs", e))?)?;
    Ok(Inventory {
        account,
        account_public_access_block,
        buckets,
        iam,
        log_groups,
    })
}

/// A whole-service read that failed on permissions or throttling becomes an
/// unknown facet; failures that would fail everything stay errors.
fn iam_or_unknown<T>(r: Result<T, CloudError>) -> Result<Facet<T>, CloudError> {
    use crate::model::UnknownReason;
    match r {
        Ok(v) => Ok(Facet::Present(v)),
        Err(CloudError::AccessDenied(d)) => Ok(Facet::unknown(UnknownReason::AccessDenied, d)),
        Err(CloudError::Throttled(d)) => Ok(Facet::unknown(UnknownReason::Throttled, d)),
        Err(CloudError::Other(d)) => Ok(Facet::unknown(UnknownReason::Other, d)),
        Err(e) => Err(e),
    }
}
