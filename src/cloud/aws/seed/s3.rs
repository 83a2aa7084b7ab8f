//! The lab's buckets: each bucket's settings, then the links between them
//! (logging and replication targets).

use super::*;

pub(super) async fn seed_bucket(
    cloud: &AwsCloud,
    lab: &Lab,
    b: &BucketDef,
    report: &mut SeedReport,
) -> Result<(), SeedError> {
    let s3 = cloud.s3_for(&b.region);
    let name = b.name.as_str();
    let mut create = s3.create_bucket().bucket(name);
    if b.region != "us-east-1" {
        create = create.create_bucket_configuration(
            s3t::CreateBucketConfiguration::builder()
                .location_constraint(s3t::BucketLocationConstraint::from(b.region.as_str()))
                .build(),
        );
    }
    if b.object_lock.is_some() {
        create = create.object_lock_enabled_for_bucket(true);
    }
    if let Err(e) = create.send().await
        && !already_exists(&e)
    {
        return Err(err(format!("CreateBucket {name}"), e));
    }

    // Policy (or none).
    match lab.bucket_policy(b) {
        Some(p) => {
            if let Err(e) = s3.put_bucket_policy().bucket(name).policy(p).send().await {
                // AWS refuses a malformed policy; the lab keeps one on purpose.
                report.warnings.push(format!(
                    "{name}: PutBucketPolicy refused: {}",
                    err("", e).detail
                ));
            }
        }
        None => {
            s3.delete_bucket_policy()
                .bucket(name)
                .send()
                .await
                .map_err(|e| err(format!("DeleteBucketPolicy {name}"), e))?;
        }
    }

    // Ownership before the ACL: BucketOwnerEnforced refuses ACL grants.
    match &b.ownership {
        Some(o) => {
            s3.put_bucket_ownership_controls()
                .bucket(name)
                .ownership_controls(
                    s3t::OwnershipControls::builder()
                        .rules(
                            s3t::OwnershipControlsRule::builder()
                                .object_ownership(s3t::ObjectOwnership::from(o.as_str()))
                                .build()
                                .map_err(|e| SeedError {
                                    step: format!("ownership {name}"),
                                    detail: e.to_string(),
                                })?,
                        )
                        .build()
                        .map_err(|e| SeedError {
                            step: format!("ownership {name}"),
                            detail: e.to_string(),
                        })?,
                )
                .send()
                .await
                .map_err(|e| err(format!("PutBucketOwnershipControls {name}"), e))?;
        }
        None => {
            if let Err(e) = s3
                .delete_bucket_ownership_controls()
                .bucket(name)
                .send()
                .await
            {
                report.warnings.push(format!(
                    "{name}: DeleteBucketOwnershipControls: {}",
                    err("", e).detail
                ));
            }
        }
    }

    // ACL: the owner's id as S3 reports it, then the declared grants.
    let owner_id = s3
        .get_bucket_acl()
        .bucket(name)
        .send()
        .await
        .map_err(|e| err(format!("GetBucketAcl {name}"), e))?
        .owner()
        .and_then(|o| o.id())
        .unwrap_or(&lab.owner_canonical_id)
        .to_string();
    let acl = super::super::write::acl(&crate::model::s3::Acl {
        grants: lab::acl_grants(b, &owner_id),
        owner_id,
    })
    .map_err(|e| SeedError {
        step: format!("grant {name}"),
        detail: e.to_string(),
    })?;
    s3.put_bucket_acl()
        .bucket(name)
        .access_control_policy(acl)
        .send()
        .await
        .map_err(|e| err(format!("PutBucketAcl {name}"), e))?;

    // Block Public Access.
    match b.public_access_block {
        Some(p) => {
            s3.put_public_access_block()
                .bucket(name)
                .public_access_block_configuration(
                    s3t::PublicAccessBlockConfiguration::builder()
                        .block_public_acls(p.block_public_acls)
                        .ignore_public_acls(p.ignore_public_acls)
                        .block_public_policy(p.block_public_policy)
                        .restrict_public_buckets(p.restrict_public_buckets)
                        .build(),
                )
                .send()
                .await
                .map_err(|e| err(format!("PutPublicAccessBlock {name}"), e))?;
        }
        None => {
            s3.delete_public_access_block()
                .bucket(name)
                .send()
                .await
                .map_err(|e| err(format!("DeletePublicAccessBlock {name}"), e))?;
        }
    }

    // Default encryption.
    match &b.encryption {
        Some(enc) => {
            let default = s3t::ServerSideEncryptionByDefault::builder()
                .sse_algorithm(s3t::ServerSideEncryption::from(enc.algorithm.as_str()))
                .set_kms_master_key_id(enc.kms_key_id.clone())
                .build()
                .map_err(|e| SeedError {
                    step: format!("encryption {name}"),
                    detail: e.to_string(),
                })?;
            let rule = s3t::ServerSideEncryptionRule::builder()
                .apply_server_side_encryption_by_default(default)
                .bucket_key_enabled(enc.bucket_key)
                .build();
            s3.put_bucket_encryption()
                .bucket(name)
                .server_side_encryption_configuration(
                    s3t::ServerSideEncryptionConfiguration::builder()
                        .rules(rule)
                        .build()
                        .map_err(|e| SeedError {
                            step: format!("encryption {name}"),
                            detail: e.to_string(),
                        })?,
                )
                .send()
                .await
                .map_err(|e| err(format!("PutBucketEncryption {name}"), e))?;
        }
        None => {
            s3.delete_bucket_encryption()
                .bucket(name)
                .send()
                .await
                .map_err(|e| err(format!("DeleteBucketEncryption {name}"), e))?;
        }
    }

    // Versioning (never set back to "off": S3 cannot; only Suspended).
    if let Some(v) = &b.versioning {
        s3.put_bucket_versioning()
            .bucket(name)
            .versioning_configuration(
                s3t::VersioningConfiguration::builder()
                    .status(s3t::BucketVersioningStatus::from(v.as_str()))
                    .build(),
            )
            .send()
            .await
            .map_err(|e| err(format!("PutBucketVersioning {name}"), e))?;
    }
    if b.mfa_delete {
        report.warnings.push(format!(
            "{name}: MFA Delete needs the root user's MFA device; not set (see the lab notes)"
        ));
    }

    // Lifecycle.
    if b.lifecycle.is_empty() {
        s3.delete_bucket_lifecycle()
            .bucket(name)
            .send()
            .await
            .map_err(|e| err(format!("DeleteBucketLifecycle {name}"), e))?;
    } else {
        let mut conf = s3t::BucketLifecycleConfiguration::builder();
        for r in &b.lifecycle {
            conf = conf.rules(
                s3t::LifecycleRule::builder()
                    .id(&r.id)
                    .status(s3t::ExpirationStatus::Enabled)
                    .filter(s3t::LifecycleRuleFilter::builder().prefix("").build())
                    .expiration(
                        s3t::LifecycleExpiration::builder()
                            .days(r.expiration_days)
                            .build(),
                    )
                    .build()
                    .map_err(|e| SeedError {
                        step: format!("lifecycle {name}"),
                        detail: e.to_string(),
                    })?,
            );
        }
        s3.put_bucket_lifecycle_configuration()
            .bucket(name)
            .lifecycle_configuration(conf.build().map_err(|e| SeedError {
                step: format!("lifecycle {name}"),
                detail: e.to_string(),
            })?)
            .send()
            .await
            .map_err(|e| err(format!("PutBucketLifecycleConfiguration {name}"), e))?;
    }

    // Object Lock default retention.
    if let Some(ol) = &b.object_lock {
        let mut conf = s3t::ObjectLockConfiguration::builder()
            .object_lock_enabled(s3t::ObjectLockEnabled::Enabled);
        if let (Some(mode), Some(days)) = (&ol.mode, ol.days) {
            conf = conf.rule(
                s3t::ObjectLockRule::builder()
                    .default_retention(
                        s3t::DefaultRetention::builder()
                            .mode(s3t::ObjectLockRetentionMode::from(mode.as_str()))
                            .days(days)
                            .build(),
                    )
                    .build(),
            );
        }
        s3.put_object_lock_configuration()
            .bucket(name)
            .object_lock_configuration(conf.build())
            .send()
            .await
            .map_err(|e| err(format!("PutObjectLockConfiguration {name}"), e))?;
    }

    // Tags.
    if b.tags.is_empty() {
        s3.delete_bucket_tagging()
            .bucket(name)
            .send()
            .await
            .map_err(|e| err(format!("DeleteBucketTagging {name}"), e))?;
    } else {
        let mut tagging = s3t::Tagging::builder();
        for (k, v) in &b.tags {
            tagging =
                tagging.tag_set(s3t::Tag::builder().key(k).value(v).build().map_err(|e| {
                    SeedError {
                        step: format!("tags {name}"),
                        detail: e.to_string(),
                    }
                })?);
        }
        s3.put_bucket_tagging()
            .bucket(name)
            .tagging(tagging.build().map_err(|e| SeedError {
                step: format!("tags {name}"),
                detail: e.to_string(),
            })?)
            .send()
            .await
            .map_err(|e| err(format!("PutBucketTagging {name}"), e))?;
    }
    Ok(())
}

/// Logging and replication, which name other lab buckets.
pub(super) async fn seed_bucket_links(
    cloud: &AwsCloud,
    lab: &Lab,
    b: &BucketDef,
) -> Result<(), SeedError> {
    let s3 = cloud.s3_for(&b.region);
    let name = b.name.as_str();
    let mut status = s3t::BucketLoggingStatus::builder();
    if let Some(l) = &b.logging {
        status = status.logging_enabled(
            s3t::LoggingEnabled::builder()
                .target_bucket(&l.target_bucket)
                .target_prefix(&l.target_prefix)
                .build()
                .map_err(|e| SeedError {
                    step: format!("logging {name}"),
                    detail: e.to_string(),
                })?,
        );
    }
    s3.put_bucket_logging()
        .bucket(name)
        .bucket_logging_status(status.build())
        .send()
        .await
        .map_err(|e| err(format!("PutBucketLogging {name}"), e))?;

    match &b.replication {
        Some(r) => {
            let rule = s3t::ReplicationRule::builder()
                .id("replicate-all")
                .status(s3t::ReplicationRuleStatus::Enabled)
                .priority(1)
                .filter(s3t::ReplicationRuleFilter::builder().prefix("").build())
                .delete_marker_replication(
                    s3t::DeleteMarkerReplication::builder()
                        .status(s3t::DeleteMarkerReplicationStatus::Disabled)
                        .build(),
                )
                .destination(
                    s3t::Destination::builder()
                        .bucket(format!("arn:aws:s3:::{}", r.destination_bucket))
                        .build()
                        .map_err(|e| SeedError {
                            step: format!("replication {name}"),
                            detail: e.to_string(),
                        })?,
                )
                .build()
                .map_err(|e| SeedError {
                    step: format!("replication {name}"),
                    detail: e.to_string(),
                })?;
            s3.put_bucket_replication()
                .bucket(name)
                .replication_configuration(
                    s3t::ReplicationConfiguration::builder()
                        .role(lab.expand(&r.role))
                        .rules(rule)
                        .build()
                        .map_err(|e| SeedError {
                            step: format!("replication {name}"),
                            detail: e.to_string(),
                        })?,
                )
                .send()
                .await
                .map_err(|e| err(format!("PutBucketReplication {name}"), e))?;
        }
        None => {
            s3.delete_bucket_replication()
                .bucket(name)
                .send()
                .await
                .map_err(|e| err(format!("DeleteBucketReplication {name}"), e))?;
        }
    }
    Ok(())
}
