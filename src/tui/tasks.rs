//! The slow work, each piece a spawned task that reports back on the UI's
//! channel: the scan (identity, account BPA, buckets streaming in batches),
//! IAM, the trail poller, and whatever an [`Effect`] asks for (re-reads,
//! who can reach a bucket, and the remediation console's jobs,
//! `fix::jobs`).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;

use super::analysis::analyse_bucket;
use super::message::{Effect, Msg, ToastLevel};
use super::principal_view::view;
use super::tail_view;
use crate::cloud::collect::{BucketProgress, stream_buckets};
use crate::cloud::{BucketListing, Cloud};
use crate::model::Facet;
use crate::model::s3::PublicAccessBlock;
use crate::rules::{self, AccountContext};
use crate::tail::budget::RequestBudget;
use crate::tail::follow::{self, TailRequest};
use crate::tail::groups::discover;
use crate::tail::update::TailUpdate;
use crate::tail::window::Since;

/// Buckets are handed to the UI in batches of at most this many, or every
/// [`BATCH_WINDOW`], whichever comes first: the UI sorts and redraws once
/// per batch, not once per bucket.
pub const BATCH_SIZE: usize = 64;
pub const BATCH_WINDOW: Duration = Duration::from_millis(50);

/// Where the tasks read from.
#[derive(Clone)]
pub struct Sources {
    pub cloud: Arc<dyn Cloud>,
    pub concurrency: usize,
    /// Log groups to follow; empty = every group whose name mentions
    /// CloudTrail (or every group, when none does).
    pub log_groups: Vec<String>,
    /// How far back the tail starts.
    pub since: Since,
}

/// What a re-read needs to analyse a bucket like the scan did.
#[derive(Debug, Clone)]
pub struct AccountFacts {
    pub account_id: String,
    pub account_bpa: Facet<PublicAccessBlock>,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Start the scan, the IAM read and the tail.
pub fn start(sources: &Sources, tx: mpsc::Sender<Msg>) {
    let s = sources.clone();
    let tail_tx = tx.clone();
    tokio::spawn(async move {
        let identity = s.cloud.caller_identity().await;
        let (account_id, region) = match &identity {
            Ok(id) => (id.account_id.clone(), id.region.clone()),
            Err(_) => (String::new(), String::new()),
        };
        let _ = tx
            .send(Msg::Identity(identity.map_err(|e| e.to_string())))
            .await;
        let account_bpa = s.cloud.account_public_access_block(&account_id).await;
        let _ = tx.send(Msg::AccountBpa(account_bpa.clone())).await;
        tokio::spawn(read_iam(
            s.cloud.clone(),
            account_id.clone(),
            region,
            account_bpa.clone(),
            tx.clone(),
        ));
        scan(
            s.cloud.clone(),
            s.concurrency,
            AccountFacts {
                account_id,
                account_bpa,
            },
            tx,
        )
        .await;
    });
    let s = sources.clone();
    tokio::spawn(async move { follow_tail(s, tail_tx).await });
}

async fn scan(
    cloud: Arc<dyn Cloud>,
    concurrency: usize,
    facts: AccountFacts,
    tx: mpsc::Sender<Msg>,
) {
    let mut rx = stream_buckets(cloud, concurrency, Vec::new());
    let mut batch = Vec::new();
    let mut since = Instant::now();
    loop {
        let next = if batch.is_empty() {
            rx.recv().await
        } else {
            match tokio::time::timeout_at(since + BATCH_WINDOW, rx.recv()).await {
                Ok(n) => n,
                Err(_) => {
                    if tx
                        .send(Msg::Buckets(std::mem::take(&mut batch)))
                        .await
                        .is_err()
                    {
                        return;
                    }
                    continue;
                }
            }
        };
        match next {
            Some(BucketProgress::Listed(l)) => {
                let _ = tx.send(Msg::Listed(l.len())).await;
            }
            Some(BucketProgress::Read(b)) => {
                if batch.is_empty() {
                    since = Instant::now();
                }
                batch.push(analyse_bucket(*b, &facts.account_id, &facts.account_bpa));
                if batch.len() >= BATCH_SIZE
                    && tx
                        .send(Msg::Buckets(std::mem::take(&mut batch)))
                        .await
                        .is_err()
                {
                    return;
                }
            }
            Some(BucketProgress::Done) | None => {
                if !batch.is_empty() {
                    let _ = tx.send(Msg::Buckets(std::mem::take(&mut batch))).await;
                }
                let _ = tx.send(Msg::ScanDone).await;
                return;
            }
            Some(BucketProgress::Failed(e)) => {
                let _ = tx.send(Msg::ScanFailed(e.to_string())).await;
                return;
            }
        }
    }
}

async fn read_iam(
    cloud: Arc<dyn Cloud>,
    account_id: String,
    region: String,
    account_bpa: Facet<PublicAccessBlock>,
    tx: mpsc::Sender<Msg>,
) {
    let now = now_ms();
    let (iam, error) = match cloud.iam_inventory().await {
        Ok(iam) => (Facet::Present(iam), None),
        Err(e) => (
            Facet::unknown(crate::model::UnknownReason::Other, e.to_string()),
            Some(format!("{e} ({})", e.advice())),
        ),
    };
    // The IAM analysis runs once: the rules and the pane share its reports.
    let reports = rules::principal_reports(&iam, &account_id, now);
    let account_findings = rules::evaluate_account(&AccountContext {
        account_id: &account_id,
        region: &region,
        account_public_access_block: &account_bpa,
        iam: &iam,
        now_ms: now,
        principals: &reports,
    });
    let principals = match (&iam, error) {
        (Facet::Present(inv), _) => Ok(reports.into_iter().map(|r| view(inv, r)).collect()),
        (_, Some(e)) => Err(e),
        (_, None) => Err("IAM unreadable".into()),
    };
    let inventory = match iam {
        Facet::Present(inv) => Some(Arc::new(inv)),
        _ => None,
    };
    let msg = Msg::Iam {
        principals,
        account_findings,
        inventory,
    };
    let _ = tx.send(msg).await;
}

/// Follow the trail with the tail (`tail::follow`): its events, the
/// messages that are not records, and its status, forwarded as messages.
async fn follow_tail(s: Sources, tx: mpsc::Sender<Msg>) {
    let groups = if s.log_groups.is_empty() {
        let budget = RequestBudget::new(4.0, 4.0);
        match discover(&*s.cloud, &budget, 20).await {
            Ok(found) => found
                .into_iter()
                .filter(|c| c.is_cloudtrail())
                .map(|c| c.name)
                .collect(),
            Err(e) => {
                let _ = tx
                    .send(Msg::TailStatus(format!("cannot list log groups: {e}")))
                    .await;
                return;
            }
        }
    } else {
        s.log_groups.clone()
    };
    if groups.is_empty() {
        let _ = tx
            .send(Msg::TailStatus(
                "no CloudTrail log group found: set [tail] log_groups or pass --log-group".into(),
            ))
            .await;
        return;
    }
    let (handle, mut rx) = follow::start(s.cloud.clone(), TailRequest::new(groups, s.since, true));
    while let Some(update) = rx.recv().await {
        let msg = match update {
            TailUpdate::Events(events) => {
                Msg::Tail(events.iter().map(tail_view::from_event).collect())
            }
            TailUpdate::Unparsed(records) => {
                Msg::Tail(records.iter().map(tail_view::from_unparsed).collect())
            }
            TailUpdate::Status(status) => {
                Msg::TailStatus(crate::model::text::safe(&status.to_string()))
            }
        };
        if tx.send(msg).await.is_err() {
            break;
        }
    }
    drop(handle);
}

/// Spawn the task an effect asks for.
pub fn spawn(effect: Effect, sources: &Sources, facts: &AccountFacts, tx: mpsc::Sender<Msg>) {
    match effect {
        Effect::RefreshBucket(name) => {
            let cloud = sources.cloud.clone();
            let facts = facts.clone();
            tokio::spawn(async move {
                // A re-read lists the bucket again so a deleted one is noticed.
                let listing = match cloud.list_buckets().await {
                    Ok(all) => all.into_iter().find(|l| l.name == name),
                    Err(e) => {
                        let _ = tx
                            .send(Msg::BucketRefreshFailed {
                                bucket: name,
                                error: e.to_string(),
                            })
                            .await;
                        return;
                    }
                };
                let Some(listing) = listing else {
                    let _ = tx
                        .send(Msg::BucketRefreshFailed {
                            bucket: name,
                            error: "it no longer exists".into(),
                        })
                        .await;
                    return;
                };
                let b = cloud.read_bucket(&BucketListing { ..listing }).await;
                let v = analyse_bucket(b, &facts.account_id, &facts.account_bpa);
                let _ = tx.send(Msg::BucketRefreshed(Box::new(v))).await;
            });
        }
        Effect::RefreshIam => {
            let cloud = sources.cloud.clone();
            let facts = facts.clone();
            tokio::spawn(async move {
                let region = cloud
                    .caller_identity()
                    .await
                    .map(|i| i.region)
                    .unwrap_or_default();
                read_iam(cloud, facts.account_id, region, facts.account_bpa, tx).await;
            });
        }
        Effect::BucketReach {
            bucket,
            iam,
            account_id,
        } => {
            tokio::spawn(async move {
                // The analysis parses every identity policy: off the runtime's workers.
                let name = bucket.name.clone();
                let reach = tokio::task::spawn_blocking(move || {
                    crate::policy::reach::bucket_reach(&iam, &account_id, &bucket)
                })
                .await;
                match reach {
                    Ok(r) => {
                        let _ = tx
                            .send(Msg::Reach {
                                bucket: name,
                                reach: Box::new(r),
                            })
                            .await;
                    }
                    Err(e) => {
                        let _ = tx
                            .send(Msg::Toast(
                                ToastLevel::Error,
                                format!("who can reach {name}: {e}"),
                            ))
                            .await;
                    }
                }
            });
        }
        Effect::RefreshAccount { buckets } => {
            let cloud = sources.cloud.clone();
            let account_id = facts.account_id.clone();
            tokio::spawn(async move {
                let account_bpa = cloud.account_public_access_block(&account_id).await;
                let region = cloud
                    .caller_identity()
                    .await
                    .map(|i| i.region)
                    .unwrap_or_default();
                // IAM first: the account rules judge the new setting too.
                read_iam(
                    cloud,
                    account_id.clone(),
                    region,
                    account_bpa.clone(),
                    tx.clone(),
                )
                .await;
                let bpa = account_bpa.clone();
                let views = tokio::task::spawn_blocking(move || {
                    buckets
                        .into_iter()
                        .map(|b| analyse_bucket(b, &account_id, &bpa))
                        .collect::<Vec<_>>()
                })
                .await
                .unwrap_or_default();
                let _ = tx
                    .send(Msg::AccountRefreshed {
                        account_bpa,
                        buckets: views,
                    })
                    .await;
            });
        }
        Effect::Remedy(job) => super::fix::jobs::spawn(job, tx),
    }
}
