//! How the state changes when a spawned task reports back: buckets stream
//! in, a bucket is re-read, IAM and the trail arrive, the timer ticks. A
//! trail event that reconfigures a bucket asks for that bucket's re-read.

use super::app::{App, IamState, Pane, TAIL_CAPACITY};
use super::message::{Effect, Msg, ToastLevel};
use crate::tail::posture::Recheck;

/// IAM is re-read for trail events at most this often (a whole-account
/// read on AWS), however many IAM changes the trail reports.
pub const IAM_RECHECK_EVERY_MS: i64 = 30_000;

impl App {
    /// A task reported back.
    pub fn on_msg(&mut self, msg: Msg) -> Vec<Effect> {
        self.dirty = true;
        let mut effects = Vec::new();
        match msg {
            Msg::Identity(Ok(id)) => {
                effects.extend(self.remedy_identity(&id));
                self.header.account_id = Some(id.account_id);
                self.header.account_alias = id.alias;
                self.header.caller_arn = Some(id.caller_arn);
                self.header.region = Some(id.region);
            }
            Msg::Identity(Err(e)) => {
                self.header.identity_error = Some(e.clone());
                self.toast(ToastLevel::Error, format!("who am I? {e}"));
            }
            Msg::AccountBpa(f) => self.account_bpa = f,
            Msg::Listed(n) => self.scan.listed = Some(n),
            Msg::Buckets(batch) => {
                self.scan.read += batch.len();
                for v in batch {
                    self.upsert_bucket(v);
                }
                self.views_stale = true;
            }
            Msg::ScanDone => self.scan.done = true,
            Msg::ScanFailed(e) => {
                self.scan.error = Some(e.clone());
                self.toast(ToastLevel::Error, format!("scan failed: {e}"));
            }
            Msg::BucketRefreshed(v) => {
                let name = v.bucket.name.clone();
                let n = v
                    .findings
                    .iter()
                    .filter(|f| f.status != crate::model::finding::Status::Pass)
                    .count();
                let before = self.bucket(&name).map(|b| {
                    b.findings
                        .iter()
                        .filter(|f| f.status != crate::model::finding::Status::Pass)
                        .count()
                });
                self.upsert_bucket(*v);
                self.reach.remove(&name);
                self.views_stale = true;
                let asked = self.refresh_requested.remove(&name);
                // A remediation's re-evaluation says it all.
                let said = self.reevaluate(&super::fix::Target::Bucket(name.clone()));
                // Asked for with `r`, or its findings changed: say so. A
                // trail-driven re-read that changed nothing stays quiet.
                if !said && (asked || before != Some(n)) {
                    self.toast(
                        ToastLevel::Info,
                        format!("{name} re-read: {n} open findings"),
                    );
                }
            }
            Msg::BucketRefreshFailed { bucket, error } => {
                self.toast(
                    ToastLevel::Error,
                    format!("could not re-read {bucket}: {error}"),
                );
                self.reevaluation_failed(&super::fix::Target::Bucket(bucket));
            }
            Msg::Iam {
                principals,
                account_findings,
                inventory,
            } => {
                self.account_findings = account_findings;
                self.iam_inventory = inventory;
                self.reach.clear();
                self.views_stale = true;
                match principals {
                    Ok(p) => {
                        self.iam = IamState::Loaded(p);
                        self.reevaluate(&super::fix::Target::Iam);
                    }
                    Err(e) => {
                        self.iam = IamState::Failed(e.clone());
                        self.toast(ToastLevel::Error, format!("IAM: {e}"));
                        self.reevaluation_failed(&super::fix::Target::Iam);
                    }
                }
            }
            Msg::AccountRefreshed {
                account_bpa,
                buckets,
            } => {
                self.account_bpa = account_bpa;
                for v in buckets {
                    self.upsert_bucket(v);
                }
                self.reach.clear();
                self.views_stale = true;
                self.reevaluate(&super::fix::Target::Account);
            }
            Msg::Remedy(m) => effects.extend(self.on_remedy(m)),
            Msg::Tail(rows) => {
                let n = rows.len();
                for r in rows {
                    for rc in &r.rechecks {
                        let e = match rc {
                            Recheck::Bucket(b) if self.bucket(b).is_some() => {
                                Some(Effect::RefreshBucket(b.clone()))
                            }
                            Recheck::Bucket(_) => None,
                            // Account BPA and IAM changes: the account rules
                            // and the principals are re-read, throttled.
                            _ if self.now_ms - self.last_iam_recheck_ms >= IAM_RECHECK_EVERY_MS => {
                                self.last_iam_recheck_ms = self.now_ms;
                                Some(Effect::RefreshIam)
                            }
                            _ => None,
                        };
                        if let Some(e) = e
                            && !effects.contains(&e)
                        {
                            effects.push(e);
                        }
                    }
                    self.tail.rows.push_back(r);
                }
                while self.tail.rows.len() > TAIL_CAPACITY {
                    self.tail.rows.pop_front();
                    // Selection indices shift with the ring.
                    let v = self.view_mut(Pane::Tail);
                    v.selected = v.selected.saturating_sub(1);
                }
                if !self.tail.following {
                    self.tail.unseen += n;
                }
                self.views_stale = true;
            }
            Msg::TailStatus(s) => {
                if self.tail.status == s {
                    self.dirty = false;
                }
                self.tail.status = s;
            }
            Msg::Toast(level, text) => self.toast(level, text),
            Msg::Reach { bucket, reach } => {
                self.reach_pending.remove(&bucket);
                self.reach.insert(bucket, reach);
            }
        }
        effects
    }

    fn upsert_bucket(&mut self, v: super::analysis::BucketView) {
        match self.bucket_index.get(&v.bucket.name) {
            Some(i) => self.buckets[*i] = v,
            None => {
                self.bucket_index
                    .insert(v.bucket.name.clone(), self.buckets.len());
                self.buckets.push(v);
            }
        }
    }

    /// The timer: expire the toast; count the elevated session down
    /// (redrawing only when the seconds shown change), offer to renew it,
    /// and drop back to read-only when it ends.
    pub fn on_tick(&mut self, now_ms: i64) {
        self.now_ms = now_ms;
        if self.toast.as_ref().is_some_and(|t| t.until_ms <= now_ms) {
            self.toast = None;
            self.dirty = true;
        }
        self.remedy_tick();
    }

    /// The terminal changed size.
    pub fn on_resize(&mut self, w: u16, h: u16) {
        self.size = (w, h);
        self.views_stale = true;
        self.dirty = true;
    }
}
