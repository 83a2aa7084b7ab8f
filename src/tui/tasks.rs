//! The slow work, each piece a spawned task that reports back on the UI's
//! channel: the scan (identity, account BPA, buckets streaming in batches),
//! IAM, the trail poller, and whatever an [`Effect`] asks for.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, mpsc};
use tokio::time::Instant;

use super::analysis::analyse_bucket;
use super::message::{Effect, Msg, ToastLevel};
use super::principal_view::view;
use super::tail_view;
use crate::cloud::collect::{BucketProgress, stream_buckets};
use crate::cloud::{BucketListing, Cloud, LogQuery};
use crate::model::Facet;
use crate::model::s3::PublicAccessBlock;
use crate::rules::{self, AccountContext};

/// Buckets are handed to the UI in batches of at most this many, or every
/// [`BATCH_WINDOW`], whichever comes first: the UI sorts and redraws once
/// per batch, not once per bucket.
pub const BATCH_SIZE: usize = 64;
pub const BATCH_WINDOW: Duration = Duration::from_millis(50);

/// The console side of remediation: starts a remediation and reports back
/// on `tx` (previews, dialogs to open, outcomes). Plugged in by the
/// remediation console; absent, `fix` says the engine is not in this build.
pub trait Remediator: Send + Sync {
    fn start(&self, remediation: &str, resource: &str, tx: mpsc::Sender<Msg>);
}

/// Where the tasks read from.
#[derive(Clone)]
pub struct Sources {
    pub cloud: Arc<dyn Cloud>,
    pub concurrency: usize,
    /// Log groups to follow; empty = every group whose name mentions
    /// CloudTrail (or every group, when none does).
    pub log_groups: Vec<String>,
    /// How far back the tail starts, in milliseconds.
    pub since_ms: i64,
    pub poll_every: Duration,
    pub remediator: Option<Arc<dyn Remediator>>,
    /// Wakes the tail poller early (`r` on the Tail pane).
    pub poll_now: Arc<Notify>,
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
    tokio::spawn(async move { poll_tail(s, tail_tx).await });
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
    let msg = Msg::Iam {
        principals,
        account_findings,
    };
    let _ = tx.send(msg).await;
}

/// Follow the trail: read from `since` back, then poll for what is new.
async fn poll_tail(s: Sources, tx: mpsc::Sender<Msg>) {
    let groups = if s.log_groups.is_empty() {
        match s.cloud.list_log_groups().await {
            Ok(all) => {
                let trail: Vec<String> = all
                    .iter()
                    .filter(|g| g.name.to_ascii_lowercase().contains("cloudtrail"))
                    .map(|g| g.name.clone())
                    .collect();
                if trail.is_empty() {
                    all.into_iter().map(|g| g.name).collect()
                } else {
                    trail
                }
            }
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
            .send(Msg::TailStatus("no log groups to follow".into()))
            .await;
        return;
    }
    let status = groups
        .iter()
        .map(|g| crate::model::text::safe(g))
        .collect::<Vec<_>>()
        .join(", ");
    let mut from: Vec<i64> = vec![now_ms() - s.since_ms; groups.len()];
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut last_status = String::new();
    loop {
        let mut rows = Vec::new();
        let mut problem = None;
        for (i, g) in groups.iter().enumerate() {
            let mut token = None;
            loop {
                let q = LogQuery {
                    group: g.clone(),
                    start_ms: from[i],
                    end_ms: None,
                    next_token: token.clone(),
                };
                match s.cloud.filter_log_events(&q).await {
                    Ok(page) => {
                        for ev in &page.events {
                            // The window overlaps by the last millisecond; ids dedupe.
                            if seen.insert(format!("{g}\u{0}{}", ev.event_id)) {
                                rows.extend(tail_view::rows(g, ev));
                            }
                            from[i] = from[i].max(ev.timestamp);
                        }
                        token = page.next_token;
                        if token.is_none() {
                            break;
                        }
                    }
                    Err(e) => {
                        problem = Some(format!("{g}: {e}"));
                        break;
                    }
                }
            }
        }
        rows.sort_by_key(|r| r.time_ms);
        if !rows.is_empty() && tx.send(Msg::Tail(rows)).await.is_err() {
            return;
        }
        let now_status = problem
            .map(|p| format!("error: {p}"))
            .unwrap_or_else(|| status.clone());
        if now_status != last_status {
            if tx.send(Msg::TailStatus(now_status.clone())).await.is_err() {
                return;
            }
            last_status = now_status;
        }
        tokio::select! {
            _ = tokio::time::sleep(s.poll_every) => {}
            _ = s.poll_now.notified() => {}
        }
        if tx.is_closed() {
            return;
        }
    }
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
        Effect::PollTail => sources.poll_now.notify_one(),
        Effect::Remediate {
            remediation,
            resource,
        } => match &sources.remediator {
            Some(r) => r.start(&remediation, &resource, tx),
            None => {
                tokio::spawn(async move {
                    let _ = tx
                        .send(Msg::Toast(
                            ToastLevel::Warn,
                            format!(
                                "{remediation} on {}: guided remediation is not in this build yet",
                                crate::model::text::safe(&resource)
                            ),
                        ))
                        .await;
                });
            }
        },
    }
}
