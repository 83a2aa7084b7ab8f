//! The embedded demo account: the lab, in memory, behind the same
//! [`Cloud`] trait as AWS. `vigil demo` needs no account and no network.

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;

use super::{BucketListing, Cloud, CloudError, LogQuery};
use crate::lab::{self, Lab};
use crate::model::change::Change;
use crate::model::iam::*;
use crate::model::logs::{LogEvent, LogEventPage, LogGroup};
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
    log_groups: Vec<LogGroup>,
    events: BTreeMap<String, Vec<LogEvent>>,
}

/// The lab account in memory.
#[derive(Debug)]
pub struct DemoCloud {
    account_id: String,
    state: Mutex<DemoState>,
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
        let mut log_groups = Vec::new();
        let mut events = BTreeMap::new();
        for g in &lab.log_groups {
            log_groups.push(LogGroup {
                name: g.name.clone(),
                retention_days: g.retention_days,
            });
            let n = g.events.len();
            let list = g
                .events
                .iter()
                .enumerate()
                .map(|(i, template)| {
                    let t = lab::event_time_ms(now_ms, i, n);
                    LogEvent {
                        event_id: format!("demo-{}-{i:06}", g.name.len()),
                        log_stream: g.stream.clone(),
                        timestamp: t,
                        message: lab.log_message(template, t),
                    }
                })
                .collect();
            events.insert(g.name.clone(), list);
        }
        log_groups.sort_by(|a, b| a.name.cmp(&b.name));
        DemoCloud {
            account_id: lab.account_id.clone(),
            state: Mutex::new(DemoState {
                account_public_access_block: match lab.account_public_access_block {
                    Some(b) => Facet::Present(b.into()),
                    None => Facet::Absent,
                },
                buckets,
                iam: lab::materialise::iam(lab, now_ms),
                log_groups,
                events,
            }),
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
        Ok(self.state().log_groups.clone())
    }

    async fn filter_log_events(&self, query: &LogQuery) -> Result<LogEventPage, CloudError> {
        let state = self.state();
        let events = state.events.get(&query.group).ok_or_else(|| {
            CloudError::Other(format!(
                "ResourceNotFoundException: log group {} does not exist",
                query.group
            ))
        })?;
        Ok(LogEventPage {
            events: events
                .iter()
                .filter(|e| e.timestamp >= query.start_ms)
                .filter(|e| query.end_ms.is_none_or(|end| e.timestamp <= end))
                .cloned()
                .collect(),
            next_token: None,
        })
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

    async fn current_state(&self, change: &Change) -> Result<Change, CloudError> {
        let state = self.state();
        if let Change::AccountPublicAccessBlock { account_id, .. } = change {
            return Ok(Change::AccountPublicAccessBlock {
                account_id: account_id.clone(),
                value: known(&state.account_public_access_block)?,
            });
        }
        if let Some(name) = change.bucket() {
            let b = state
                .buckets
                .get(name)
                .ok_or_else(|| no_such_bucket(name))?;
            return bucket_state(b, change);
        }
        iam_state(&state.iam, change)
    }
}

/// A demo facet's value; the demo never has unknown facets, but a lab may.
fn known<T: Clone>(f: &Facet<T>) -> Result<Option<T>, CloudError> {
    match f {
        Facet::Present(v) => Ok(Some(v.clone())),
        Facet::Absent => Ok(None),
        Facet::Unknown(u) => Err(CloudError::Other(u.to_string())),
    }
}

/// What `current_state` reads from a demo bucket.
fn bucket_state(b: &Bucket, change: &Change) -> Result<Change, CloudError> {
    let bucket = b.name.clone();
    Ok(match change {
        Change::BucketPublicAccessBlock { .. } => Change::BucketPublicAccessBlock {
            bucket,
            value: known(&b.public_access_block)?,
        },
        Change::BucketEncryption { .. } => Change::BucketEncryption {
            bucket,
            value: known(&b.encryption)?,
        },
        Change::BucketPolicy { .. } => Change::BucketPolicy {
            bucket,
            value: known(&b.policy)?,
        },
        Change::BucketAcl { .. } => match known(&b.acl)? {
            Some(acl) => Change::BucketAcl { bucket, acl },
            None => return Err(CloudError::Other(format!("{bucket}: no ACL"))),
        },
        Change::BucketOwnership { .. } => Change::BucketOwnership {
            bucket,
            value: known(&b.ownership)?,
        },
        Change::BucketVersioning { .. } => Change::BucketVersioning {
            bucket,
            status: known(&b.versioning)?.map_or(VersioningStatus::Off, |v| v.status),
        },
        Change::BucketLogging { .. } => Change::BucketLogging {
            bucket,
            value: known(&b.logging)?,
        },
        other => {
            return Err(CloudError::Other(format!(
                "{}: not a bucket configuration",
                other.api_call()
            )));
        }
    })
}

/// What `current_state` reads from the demo's IAM.
fn iam_state(iam: &IamInventory, change: &Change) -> Result<Change, CloudError> {
    let user_named = |u: &str| {
        iam.users
            .iter()
            .find(|x| x.name == u)
            .ok_or_else(|| CloudError::Other(format!("NoSuchEntity: the user {u} cannot be found")))
    };
    match change {
        Change::AccessKeyStatus { user, key_id, .. } => {
            let u = user_named(user)?;
            let key = known(&u.access_keys)?
                .unwrap_or_default()
                .into_iter()
                .find(|k| &k.id == key_id)
                .ok_or_else(|| {
                    CloudError::Other(format!(
                        "NoSuchEntity: the access key {key_id} cannot be found"
                    ))
                })?;
            Ok(Change::AccessKeyStatus {
                user: user.clone(),
                key_id: key_id.clone(),
                status: key.status,
            })
        }
        Change::UserInlinePolicy { user, name, .. } => {
            let u = user_named(user)?;
            Ok(Change::UserInlinePolicy {
                user: user.clone(),
                name: name.clone(),
                document: u
                    .inline_policies
                    .iter()
                    .find(|p| &p.name == name)
                    .map(|p| p.document.clone()),
            })
        }
        other => Err(CloudError::Other(format!(
            "{}: not an IAM configuration",
            other.api_call()
        ))),
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
            // As on S3: once written, versioning is Enabled or Suspended;
            // there is no way back to "never enabled".
            let status = match status {
                VersioningStatus::Off => VersioningStatus::Suspended,
                s => *s,
            };
            bucket.versioning = Facet::Present(Versioning { status, mfa_delete });
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
