//! Planning against the account itself (headless `vigil fix`): read what
//! the remediation needs, then [`plan`](super::plan::plan) from it.

use super::RemedyError;
use super::catalogue::remediation;
use super::plan::{Current, Inputs, Plan, TargetBucket, plan};
use crate::cloud::{BucketListing, Cloud};
use crate::model::Facet;

/// The partition of an ARN (`arn:aws-cn:…` → `aws-cn`), `aws` otherwise.
pub fn partition_of(arn: &str) -> &str {
    arn.strip_prefix("arn:")
        .and_then(|rest| rest.split(':').next())
        .filter(|p| !p.is_empty())
        .unwrap_or("aws")
}

/// Read what `id` needs and plan it.
pub async fn plan_live(cloud: &dyn Cloud, id: &str, inputs: &Inputs) -> Result<Plan, RemedyError> {
    let def = remediation(id).ok_or_else(|| RemedyError::UnknownRemediation(id.to_string()))?;
    let me = cloud.caller_identity().await?;
    let partition = partition_of(&me.caller_arn).to_string();
    let mut current = Current {
        account_id: &me.account_id,
        partition: &partition,
        bucket: None,
        account_public_access_block: None,
        iam: None,
        target_bucket: TargetBucket::NotRead,
    };
    let bucket;
    let target;
    let account_bpa: Facet<_>;
    let iam;
    match def.id {
        "account-bpa-on" => {
            account_bpa = cloud.account_public_access_block(&me.account_id).await;
            current.account_public_access_block = Some(&account_bpa);
        }
        "access-key-deactivate" | "user-require-mfa" => {
            iam = cloud.iam_inventory().await?;
            current.iam = Some(&iam);
        }
        _ => {
            let Some(name) = inputs.bucket.as_deref() else {
                return plan(id, inputs, &current);
            };
            bucket = cloud
                .read_bucket(&BucketListing {
                    name: name.to_string(),
                    creation_date: None,
                    region: None,
                })
                .await;
            if let Facet::Unknown(u) = &bucket.region {
                return Err(RemedyError::Unreadable {
                    what: format!("bucket {name}"),
                    why: u.to_string(),
                });
            }
            if let (true, Some(t)) = (
                def.id == "bucket-logging-on",
                inputs.target_bucket.as_deref(),
            ) {
                target = cloud
                    .read_bucket(&BucketListing {
                        name: t.to_string(),
                        creation_date: None,
                        region: None,
                    })
                    .await;
                current.target_bucket = match &target.region {
                    Facet::Present(_) => TargetBucket::Found(&target),
                    Facet::Unknown(u) if u.detail.contains("NoSuchBucket") => TargetBucket::Missing,
                    _ => TargetBucket::NotRead,
                };
            }
            account_bpa = cloud.account_public_access_block(&me.account_id).await;
            current.bucket = Some(&bucket);
            current.account_public_access_block = Some(&account_bpa);
        }
    }
    plan(id, inputs, &current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_comes_from_the_caller_arn() {
        assert_eq!(partition_of("arn:aws-us-gov:iam::1:user/a"), "aws-us-gov");
        assert_eq!(partition_of("arn:aws:sts::1:assumed-role/r/s"), "aws");
        assert_eq!(partition_of("not an arn"), "aws");
    }
}
