//! The embedded demo account: the lab, in memory, behind the same
//! [`Cloud`] trait as AWS. `vigil demo` needs no account and no network.

mod logs;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;

use super::{BucketListing, Cloud, CloudError, LiveTailStream, LogQuery};
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

/// The demo account's state.
#[derive(Debug)]
struct DemoState {
    account_public_access_block: Facet<PublicAccessBlock>,
    buckets: BTreeMap<String, Bucket>,
    iam: IamInventory,
}

/// The lab account in memory.
#[derive(Debug)]
pub struct DemoCloud {
    account_id: String,
    state: Mutex<DemoState>,
    /// Shared with Live Tail sessions, which outlive a call.
    logs: Arc<Mutex<logs::DemoLogs>>,
    lab: Lab,
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
            .map(|b| (b.name.clone(), lab::materialise::bucket(lab, b)))
            .collect();
        DemoCloud {
            account_id: lab.account_id.clone(),
            state: Mutex::new(DemoState {
                account_public_access_block: match lab.account_public_access_block {
                    Some(b) => Facet::Present(b.into()),
                    None => Facet::Absent,
                },
                buckets,
                iam: lab::materialise::iam(lab, now_ms),
            }),
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
            caller_arn: DEMO_CALLER.into(),
            region: DEMO_REGION.into(),
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
        let account_id = self.account_id.clone();
        let mut state = self.state();
        if let Change::AccountPublicAccessBlock { value, .. } = change {
            state.account_public_access_block = facet(*value);
            return Ok(());
        }
        if let Some(name) = change.bucket() {
            let bucket = state
                .buckets
                .get_mut(name)
                .ok_or_else(|| no_such_bucket(name))?;
            apply_to_bucket(bucket, change, &account_id);
            return Ok(());
        }
        apply_to_iam(&mut state.iam, change)
    }
}

fn facet<T>(value: Option<T>) -> Facet<T> {
    value.map_or(Facet::Absent, Facet::Present)
}

fn no_such_bucket(name: &str) -> CloudError {
    CloudError::Other(format!("NoSuchBucket: the bucket {name} does not exist"))
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
            bucket.versioning = Facet::Present(Versioning {
                status: *status,
                mfa_delete,
            });
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
