//! Reading back, now, exactly the configuration one [`Change`] sets: what a
//! remediation records as the prior state before it writes, and what it
//! compares with afterwards. One targeted read per change (not a whole
//! bucket scan), in the bucket's own region, so the remediation role needs
//! only the read permissions of what it changes.

use super::AwsCloud;
use super::iam::decode_policy_document;
use super::s3;
use super::write::bucket_region;
use crate::cloud::CloudError;
use crate::cloud::error::{classify, fatal};
use crate::model::change::Change;
use crate::model::s3::{Versioning, VersioningStatus};
use crate::model::{Facet, Unknown, UnknownReason};

/// A facet's value, or why it could not be read as an error.
fn known<T>(f: Facet<T>, what: &str) -> Result<Option<T>, CloudError> {
    match f {
        Facet::Present(v) => Ok(Some(v)),
        Facet::Absent => Ok(None),
        Facet::Unknown(u) => Err(unreadable(what, &u)),
    }
}

fn unreadable(what: &str, u: &Unknown) -> CloudError {
    match u.reason {
        UnknownReason::AccessDenied => CloudError::AccessDenied(format!("{what}: {}", u.detail)),
        UnknownReason::Throttled => CloudError::Throttled(format!("{what}: {}", u.detail)),
        _ => CloudError::Other(format!("{what}: {u}")),
    }
}

pub(super) async fn current_state(cloud: &AwsCloud, change: &Change) -> Result<Change, CloudError> {
    match change {
        Change::AccountPublicAccessBlock { account_id, .. } => {
            let f = {
                use crate::cloud::Cloud;
                cloud.account_public_access_block(account_id).await
            };
            Ok(Change::AccountPublicAccessBlock {
                account_id: account_id.clone(),
                value: known(f, "GetPublicAccessBlock (account)")?,
            })
        }
        Change::AccessKeyStatus { user, key_id, .. } => {
            let out = {
                let _permit = cloud.permit().await;
                cloud
                    .iam()
                    .list_access_keys()
                    .user_name(user)
                    .send()
                    .await
                    .map_err(|e| fatal("ListAccessKeys", e))?
            };
            let key = out
                .access_key_metadata()
                .iter()
                .find(|k| k.access_key_id() == Some(key_id.as_str()))
                .ok_or_else(|| {
                    CloudError::Other(format!(
                        "ListAccessKeys: user {user} has no access key {key_id}"
                    ))
                })?;
            Ok(Change::AccessKeyStatus {
                user: user.clone(),
                key_id: key_id.clone(),
                status: key
                    .status()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
            })
        }
        Change::UserInlinePolicy { user, name, .. } => {
            let result = {
                let _permit = cloud.permit().await;
                cloud
                    .iam()
                    .get_user_policy()
                    .user_name(user)
                    .policy_name(name)
                    .send()
                    .await
            };
            let document = match result {
                Ok(o) => Some(decode_policy_document(o.policy_document())),
                Err(e) => match classify(&e) {
                    crate::cloud::error::Failure::NotConfigured => None,
                    other => return Err(CloudError::from(other)),
                },
            };
            Ok(Change::UserInlinePolicy {
                user: user.clone(),
                name: name.clone(),
                document,
            })
        }
        _ => bucket_state(cloud, change).await,
    }
}

async fn bucket_state(cloud: &AwsCloud, change: &Change) -> Result<Change, CloudError> {
    let Some(name) = change.bucket() else {
        return Err(CloudError::Other(format!(
            "{}: no bucket named",
            change.api_call()
        )));
    };
    let region = bucket_region(cloud, name).await?;
    let region = region.as_str();
    let bucket = name.to_string();
    Ok(match change {
        Change::BucketPublicAccessBlock { .. } => {
            let f = cloud
                .read_facet(region, |c| async move {
                    c.get_public_access_block().bucket(name).send().await
                })
                .await
                .map(s3::public_access_block_from);
            Change::BucketPublicAccessBlock {
                bucket,
                value: known(f, &format!("GetPublicAccessBlock {name}"))?,
            }
        }
        Change::BucketEncryption { .. } => {
            let f = cloud
                .read_facet(region, |c| async move {
                    c.get_bucket_encryption().bucket(name).send().await
                })
                .await;
            Change::BucketEncryption {
                bucket,
                value: known(
                    s3::encryption_from(f),
                    &format!("GetBucketEncryption {name}"),
                )?,
            }
        }
        Change::BucketPolicy { .. } => {
            let f = cloud
                .read_facet(region, |c| async move {
                    c.get_bucket_policy().bucket(name).send().await
                })
                .await;
            Change::BucketPolicy {
                bucket,
                value: known(s3::policy_from(f), &format!("GetBucketPolicy {name}"))?,
            }
        }
        Change::BucketAcl { .. } => {
            let f = cloud
                .read_facet(region, |c| async move {
                    c.get_bucket_acl().bucket(name).send().await
                })
                .await
                .map(s3::acl_from);
            let what = format!("GetBucketAcl {name}");
            match known(f, &what)? {
                Some(acl) => Change::BucketAcl { bucket, acl },
                None => return Err(CloudError::Other(format!("{what}: no ACL returned"))),
            }
        }
        Change::BucketOwnership { .. } => {
            let f = cloud
                .read_facet(region, |c| async move {
                    c.get_bucket_ownership_controls().bucket(name).send().await
                })
                .await;
            Change::BucketOwnership {
                bucket,
                value: known(
                    s3::ownership_from(f),
                    &format!("GetBucketOwnershipControls {name}"),
                )?,
            }
        }
        Change::BucketVersioning { .. } => {
            let f = cloud
                .read_facet(region, |c| async move {
                    c.get_bucket_versioning().bucket(name).send().await
                })
                .await
                .map(s3::versioning_from);
            let v = known(f, &format!("GetBucketVersioning {name}"))?;
            Change::BucketVersioning {
                bucket,
                status: v.map_or(VersioningStatus::Off, |v: Versioning| v.status),
            }
        }
        Change::BucketLogging { .. } => {
            let f = cloud
                .read_facet(region, |c| async move {
                    c.get_bucket_logging().bucket(name).send().await
                })
                .await;
            Change::BucketLogging {
                bucket,
                value: known(s3::logging_from(f), &format!("GetBucketLogging {name}"))?,
            }
        }
        Change::AccountPublicAccessBlock { .. }
        | Change::AccessKeyStatus { .. }
        | Change::UserInlinePolicy { .. } => {
            return Err(CloudError::Other(format!(
                "{}: not a bucket configuration",
                change.api_call()
            )));
        }
    })
}
