//! S3 reads: the bucket list and every facet of a bucket.

use std::future::Future;

use aws_sdk_s3::operation as op;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::AwsCloud;
use crate::cloud::BucketListing;
use crate::cloud::error::{CloudError, Failure, classify, facet_from_failure, fatal};
use crate::model::Facet;
use crate::model::s3::*;
use crate::model::text::safe;

/// `ListBuckets`, following continuation tokens. `MaxBuckets` is never sent:
/// without it AWS returns every bucket, and some emulators truncate with it.
pub(super) async fn list_buckets(cloud: &AwsCloud) -> Result<Vec<BucketListing>, CloudError> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = {
            let _permit = cloud.permit().await;
            cloud
                .s3()
                .list_buckets()
                .set_continuation_token(token.clone())
                .send()
                .await
                .map_err(|e| fatal("ListBuckets", e))?
        };
        for b in page.buckets() {
            let Some(name) = b.name() else { continue };
            out.push(BucketListing {
                name: safe(name),
                creation_date: b.creation_date().map(|d| d.to_string()),
                region: b.bucket_region().map(str::to_string),
            });
        }
        match page.continuation_token() {
            Some(t) if !t.is_empty() && Some(t) != token.as_deref() => token = Some(t.to_string()),
            _ => break,
        }
    }
    Ok(out)
}

/// A region as `GetBucketLocation` names it: an empty constraint is
/// us-east-1 and the legacy `EU` is eu-west-1 (S3 API reference,
/// GetBucketLocation).
pub(crate) fn normalise_location(constraint: Option<&str>) -> String {
    match constraint {
        None | Some("") => "us-east-1".into(),
        Some("EU") => "eu-west-1".into(),
        Some(r) => r.to_string(),
    }
}

impl AwsCloud {
    /// One S3 read against the bucket's region, bounded by the request
    /// permits, followed once to the right region on a 301 redirect.
    pub(super) async fn read_facet<T, E, F, Fut>(&self, region: &str, call: F) -> Facet<T>
    where
        F: Fn(aws_sdk_s3::Client) -> Fut,
        Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let first = {
            let _permit = self.permit().await;
            call(self.s3_for(region)).await
        };
        let failure = match first {
            Ok(v) => return Facet::Present(v),
            Err(e) => classify(&e),
        };
        if let Failure::WrongRegion(Some(actual)) = &failure
            && actual != region
        {
            let _permit = self.permit().await;
            return match call(self.s3_for(actual)).await {
                Ok(v) => Facet::Present(v),
                Err(e) => facet_from_failure(&classify(&e)),
            };
        }
        facet_from_failure(&failure)
    }
}

/// Every facet of one bucket. The location is read first, so that the rest
/// go to the bucket's own region; then all the others at once.
pub(super) async fn read_bucket(cloud: &AwsCloud, listing: &BucketListing) -> Bucket {
    let name = listing.name.as_str();
    let region_facet: Facet<String> = match &listing.region {
        Some(r) => Facet::Present(r.clone()),
        None => cloud
            .read_facet(cloud.region(), |c| async move {
                c.get_bucket_location().bucket(name).send().await
            })
            .await
            .map(|o| normalise_location(o.location_constraint().map(|c| c.as_str()))),
    };
    let region = region_facet
        .present()
        .cloned()
        .unwrap_or_else(|| cloud.region().to_string());
    let region = region.as_str();

    let (policy, policy_status, acl, bpa, ownership, encryption) = tokio::join!(
        cloud.read_facet(region, |c| async move {
            c.get_bucket_policy().bucket(name).send().await
        }),
        cloud.read_facet(region, |c| async move {
            c.get_bucket_policy_status().bucket(name).send().await
        }),
        cloud.read_facet(region, |c| async move {
            c.get_bucket_acl().bucket(name).send().await
        }),
        cloud.read_facet(region, |c| async move {
            c.get_public_access_block().bucket(name).send().await
        }),
        cloud.read_facet(region, |c| async move {
            c.get_bucket_ownership_controls().bucket(name).send().await
        }),
        cloud.read_facet(region, |c| async move {
            c.get_bucket_encryption().bucket(name).send().await
        }),
    );
    let (versioning, logging, lifecycle, replication, object_lock, tags) = tokio::join!(
        cloud.read_facet(region, |c| async move {
            c.get_bucket_versioning().bucket(name).send().await
        }),
        cloud.read_facet(region, |c| async move {
            c.get_bucket_logging().bucket(name).send().await
        }),
        cloud.read_facet(region, |c| async move {
            c.get_bucket_lifecycle_configuration()
                .bucket(name)
                .send()
                .await
        }),
        cloud.read_facet(region, |c| async move {
            c.get_bucket_replication().bucket(name).send().await
        }),
        cloud.read_facet(region, |c| async move {
            c.get_object_lock_configuration().bucket(name).send().await
        }),
        cloud.read_facet(region, |c| async move {
            c.get_bucket_tagging().bucket(name).send().await
        }),
    );

    Bucket {
        name: listing.name.clone(),
        region: region_facet,
        creation_date: listing.creation_date.clone(),
        policy: policy_from(policy),
        policy_status: policy_status.map(|o| PolicyStatus {
            is_public: o
                .policy_status()
                .and_then(|s| s.is_public())
                .unwrap_or(false),
        }),
        acl: acl.map(acl_from),
        public_access_block: bpa.map(public_access_block_from),
        ownership: ownership_from(ownership),
        encryption: encryption_from(encryption),
        versioning: versioning.map(versioning_from),
        logging: logging_from(logging),
        lifecycle: lifecycle.map(|o| {
            o.rules()
                .iter()
                .map(|r| LifecycleRule {
                    id: safe(r.id().unwrap_or_default()),
                    enabled: r.status().as_str() == "Enabled",
                    expiration_days: r.expiration().and_then(|e| e.days()),
                })
                .collect()
        }),
        replication: replication.map(|o| match o.replication_configuration() {
            Some(c) => Replication {
                role: safe(c.role()),
                destinations: c
                    .rules()
                    .iter()
                    .filter(|r| r.status().as_str() == "Enabled")
                    .filter_map(|r| r.destination().map(|d| safe(d.bucket())))
                    .collect(),
            },
            None => Replication {
                role: String::new(),
                destinations: Vec::new(),
            },
        }),
        object_lock: object_lock.map(|o| {
            let c = o.object_lock_configuration();
            let retention = c.and_then(|c| c.rule()).and_then(|r| r.default_retention());
            ObjectLock {
                enabled: c
                    .and_then(|c| c.object_lock_enabled())
                    .map(|e| e.as_str() == "Enabled")
                    .unwrap_or(false),
                default_mode: retention
                    .and_then(|r| r.mode())
                    .map(|m| m.as_str().to_string()),
                default_days: retention.and_then(|r| r.days()),
            }
        }),
        tags: tags.map(|o| {
            o.tag_set()
                .iter()
                .map(|t| Tag {
                    key: safe(t.key()),
                    value: safe(t.value()),
                })
                .collect()
        }),
    }
}

/// The policy text exactly as stored; an empty document is no policy.
pub(super) fn policy_from(f: Facet<op::get_bucket_policy::GetBucketPolicyOutput>) -> Facet<String> {
    match f {
        Facet::Present(o) => match o.policy() {
            Some(p) if !p.trim().is_empty() => Facet::Present(p.to_string()),
            _ => Facet::Absent,
        },
        Facet::Absent => Facet::Absent,
        Facet::Unknown(u) => Facet::Unknown(u),
    }
}

pub(super) fn acl_from(o: op::get_bucket_acl::GetBucketAclOutput) -> Acl {
    Acl {
        owner_id: safe(o.owner().and_then(|w| w.id()).unwrap_or_default()),
        grants: o.grants().iter().filter_map(acl_grant).collect(),
    }
}

pub(super) fn public_access_block_from(
    o: op::get_public_access_block::GetPublicAccessBlockOutput,
) -> PublicAccessBlock {
    let c = o.public_access_block_configuration();
    PublicAccessBlock {
        block_public_acls: c.and_then(|c| c.block_public_acls()).unwrap_or(false),
        ignore_public_acls: c.and_then(|c| c.ignore_public_acls()).unwrap_or(false),
        block_public_policy: c.and_then(|c| c.block_public_policy()).unwrap_or(false),
        restrict_public_buckets: c.and_then(|c| c.restrict_public_buckets()).unwrap_or(false),
    }
}

pub(super) fn ownership_from(
    f: Facet<op::get_bucket_ownership_controls::GetBucketOwnershipControlsOutput>,
) -> Facet<ObjectOwnership> {
    match f {
        Facet::Present(o) => o
            .ownership_controls()
            .and_then(|c| c.rules().first())
            .and_then(|r| ObjectOwnership::parse(r.object_ownership().as_str()))
            .map(Facet::Present)
            .unwrap_or(Facet::Absent),
        Facet::Absent => Facet::Absent,
        Facet::Unknown(u) => Facet::Unknown(u),
    }
}

pub(super) fn encryption_from(
    f: Facet<op::get_bucket_encryption::GetBucketEncryptionOutput>,
) -> Facet<Encryption> {
    match f {
        Facet::Present(o) => o
            .server_side_encryption_configuration()
            .and_then(|c| c.rules().first())
            .and_then(|r| {
                let d = r.apply_server_side_encryption_by_default()?;
                Some(Encryption {
                    algorithm: SseAlgorithm::parse(d.sse_algorithm().as_str())?,
                    kms_key_id: d.kms_master_key_id().map(safe),
                    bucket_key_enabled: r.bucket_key_enabled().unwrap_or(false),
                })
            })
            .map(Facet::Present)
            .unwrap_or(Facet::Absent),
        Facet::Absent => Facet::Absent,
        Facet::Unknown(u) => Facet::Unknown(u),
    }
}

pub(super) fn versioning_from(
    o: op::get_bucket_versioning::GetBucketVersioningOutput,
) -> Versioning {
    Versioning {
        status: match o.status().map(|s| s.as_str()) {
            Some("Enabled") => VersioningStatus::Enabled,
            Some("Suspended") => VersioningStatus::Suspended,
            _ => VersioningStatus::Off,
        },
        mfa_delete: o.mfa_delete().map(|m| m.as_str()) == Some("Enabled"),
    }
}

pub(super) fn logging_from(
    f: Facet<op::get_bucket_logging::GetBucketLoggingOutput>,
) -> Facet<Logging> {
    match f {
        Facet::Present(o) => match o.logging_enabled() {
            Some(l) => Facet::Present(Logging {
                target_bucket: safe(l.target_bucket()),
                target_prefix: safe(l.target_prefix()),
            }),
            None => Facet::Absent,
        },
        Facet::Absent => Facet::Absent,
        Facet::Unknown(u) => Facet::Unknown(u),
    }
}

fn acl_grant(g: &aws_sdk_s3::types::Grant) -> Option<AclGrant> {
    let grantee = g.grantee()?;
    let grantee = match grantee.r#type().as_str() {
        "CanonicalUser" => Grantee::CanonicalUser {
            id: safe(grantee.id().unwrap_or_default()),
            display_name: grantee.display_name().map(safe),
        },
        "Group" => Grantee::Group {
            uri: safe(grantee.uri().unwrap_or_default()),
        },
        "AmazonCustomerByEmail" => Grantee::AmazonCustomerByEmail {
            email: safe(grantee.email_address().unwrap_or_default()),
        },
        _ => return None,
    };
    Some(AclGrant {
        grantee,
        permission: g
            .permission()
            .map(|p| p.as_str().to_string())
            .unwrap_or_default(),
    })
}
