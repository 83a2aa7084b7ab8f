//! `vigil lab seed`: create the lab account on an endpoint through the SDK.
//!
//! Idempotent: every step either creates what is missing or puts the
//! declared configuration again, so a second run changes nothing.

use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_s3::types as s3t;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::AwsCloud;
use crate::cloud::error::{Failure, classify};
use crate::lab::{self, BucketDef, Lab};
use crate::model::s3::Grantee;

/// What seeding did, for the operator.
#[derive(Debug, Default)]
pub struct SeedReport {
    pub buckets: usize,
    pub users: usize,
    pub roles: usize,
    pub log_events_put: usize,
    /// Steps the endpoint refused, with why (seeding goes on).
    pub warnings: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("{step}: {detail}")]
pub struct SeedError {
    pub step: String,
    pub detail: String,
}

fn err<E>(step: impl Into<String>, e: SdkError<E, HttpResponse>) -> SeedError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let detail = match classify(&e) {
        Failure::Other(d) | Failure::AccessDenied(d) | Failure::Unreachable(d) => d,
        f => f.unknown_reason().1,
    };
    SeedError {
        step: step.into(),
        detail,
    }
}

/// An error code that means "it is already there".
fn already_exists<E>(e: &SdkError<E, HttpResponse>) -> bool
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    matches!(
        e.as_service_error().and_then(|s| s.code()),
        Some(
            "BucketAlreadyOwnedByYou"
                | "BucketAlreadyExists"
                | "EntityAlreadyExists"
                | "ResourceAlreadyExistsException"
        )
    )
}

/// Create the lab, plus `extra_buckets` generated ones for benchmarks.
pub async fn seed(
    cloud: &AwsCloud,
    lab: &Lab,
    extra_buckets: usize,
) -> Result<SeedReport, SeedError> {
    let mut report = SeedReport::default();
    for b in &lab.buckets {
        seed_bucket(cloud, lab, b, &mut report).await?;
        report.buckets += 1;
    }
    // Logging and replication point at other lab buckets: set them once all exist.
    for b in &lab.buckets {
        seed_bucket_links(cloud, lab, b).await?;
    }
    for i in 0..extra_buckets {
        let b = generated_bucket(i);
        seed_bucket(cloud, lab, &b, &mut report).await?;
        report.buckets += 1;
    }
    seed_iam(cloud, lab, &mut report).await?;
    seed_logs(cloud, lab, &mut report).await?;
    Ok(report)
}

/// Buckets for benchmarks: varied settings, named `vigil-bench-NNNNN`.
pub fn generated_bucket(i: usize) -> BucketDef {
    let mut text = format!(
        "name = \"vigil-bench-{i:05}\"\nregion = \"{}\"\npurpose = \"generated\"\n",
        if i.is_multiple_of(3) {
            "eu-west-1"
        } else {
            "us-east-1"
        }
    );
    if i.is_multiple_of(2) {
        text.push_str("encryption = { algorithm = \"AES256\" }\n");
    }
    if i % 4 == 1 {
        text.push_str("versioning = \"Enabled\"\n");
    }
    if i.is_multiple_of(5) {
        text.push_str("policy = '''{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::${bucket}/*\"}]}'''\n");
    }
    if i.is_multiple_of(7) {
        text.push_str("acl = \"public-read\"\n");
    } else {
        text.push_str("public_access_block = { block_public_acls = true, ignore_public_acls = true, block_public_policy = true, restrict_public_buckets = true }\n");
    }
    if i.is_multiple_of(6) {
        text.push_str("tags = { team = \"bench\" }\n");
    }
    // The text above is fixed and well-formed; a failure would be a bug here.
    toml::from_str(&text).unwrap_or_else(|e| panic!("generated bucket definition: {e}"))
}

async fn seed_bucket(
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
    let mut acl =
        s3t::AccessControlPolicy::builder().owner(s3t::Owner::builder().id(&owner_id).build());
    for g in lab::acl_grants(b, &owner_id) {
        let grantee = match &g.grantee {
            Grantee::CanonicalUser { id, .. } => s3t::Grantee::builder()
                .r#type(s3t::Type::CanonicalUser)
                .id(id),
            Grantee::Group { uri } => s3t::Grantee::builder().r#type(s3t::Type::Group).uri(uri),
            Grantee::AmazonCustomerByEmail { email } => s3t::Grantee::builder()
                .r#type(s3t::Type::AmazonCustomerByEmail)
                .email_address(email),
        }
        .build()
        .map_err(|e| SeedError {
            step: format!("grant {name}"),
            detail: e.to_string(),
        })?;
        acl = acl.grants(
            s3t::Grant::builder()
                .grantee(grantee)
                .permission(s3t::Permission::from(g.permission.as_str()))
                .build(),
        );
    }
    s3.put_bucket_acl()
        .bucket(name)
        .access_control_policy(acl.build())
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
async fn seed_bucket_links(cloud: &AwsCloud, lab: &Lab, b: &BucketDef) -> Result<(), SeedError> {
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

async fn seed_iam(cloud: &AwsCloud, lab: &Lab, report: &mut SeedReport) -> Result<(), SeedError> {
    let iam = cloud.iam();
    if let Some(alias) = &lab.account_alias {
        let existing = iam
            .list_account_aliases()
            .send()
            .await
            .map_err(|e| err("ListAccountAliases", e))?;
        if !existing.account_aliases().iter().any(|a| a == alias) {
            iam.create_account_alias()
                .account_alias(alias)
                .send()
                .await
                .map_err(|e| err(format!("CreateAccountAlias {alias}"), e))?;
        }
    }
    if let Some(p) = &lab.iam.password_policy {
        iam.update_account_password_policy()
            .minimum_password_length(p.minimum_length)
            .require_symbols(p.require_symbols)
            .require_numbers(p.require_numbers)
            .require_uppercase_characters(p.require_uppercase)
            .require_lowercase_characters(p.require_lowercase)
            .set_max_password_age(p.max_age_days)
            .set_password_reuse_prevention(p.reuse_prevention)
            .send()
            .await
            .map_err(|e| err("UpdateAccountPasswordPolicy", e))?;
    }
    for p in &lab.iam.policies {
        let r = iam
            .create_policy()
            .policy_name(&p.name)
            .policy_document(lab.expand(&p.document))
            .send()
            .await;
        if let Err(e) = r
            && !already_exists(&e)
        {
            return Err(err(format!("CreatePolicy {}", p.name), e));
        }
    }
    for g in &lab.iam.groups {
        if let Err(e) = iam.create_group().group_name(&g.name).send().await
            && !already_exists(&e)
        {
            return Err(err(format!("CreateGroup {}", g.name), e));
        }
        for a in &g.attached {
            iam.attach_group_policy()
                .group_name(&g.name)
                .policy_arn(lab.policy_arn(a))
                .send()
                .await
                .map_err(|e| err(format!("AttachGroupPolicy {}", g.name), e))?;
        }
        for p in &g.inline {
            iam.put_group_policy()
                .group_name(&g.name)
                .policy_name(&p.name)
                .policy_document(lab.expand(&p.document))
                .send()
                .await
                .map_err(|e| err(format!("PutGroupPolicy {}", g.name), e))?;
        }
    }
    for u in &lab.iam.users {
        let name = u.name.as_str();
        let mut create = iam.create_user().user_name(name);
        for (k, v) in &u.tags {
            create = create.tags(
                aws_sdk_iam::types::Tag::builder()
                    .key(k)
                    .value(v)
                    .build()
                    .map_err(|e| SeedError {
                        step: format!("tags {name}"),
                        detail: e.to_string(),
                    })?,
            );
        }
        if let Err(e) = create.send().await
            && !already_exists(&e)
        {
            return Err(err(format!("CreateUser {name}"), e));
        }
        for g in &u.groups {
            iam.add_user_to_group()
                .user_name(name)
                .group_name(g)
                .send()
                .await
                .map_err(|e| err(format!("AddUserToGroup {name}"), e))?;
        }
        for a in &u.attached {
            iam.attach_user_policy()
                .user_name(name)
                .policy_arn(lab.policy_arn(a))
                .send()
                .await
                .map_err(|e| err(format!("AttachUserPolicy {name}"), e))?;
        }
        for p in &u.inline {
            iam.put_user_policy()
                .user_name(name)
                .policy_name(&p.name)
                .policy_document(lab.expand(&p.document))
                .send()
                .await
                .map_err(|e| err(format!("PutUserPolicy {name}"), e))?;
        }
        if u.console_password {
            // A throwaway password for a lab user; it is never printed.
            let password = format!("Lab-{}-{}!x9", name, lab.account_id);
            if let Err(e) = iam
                .create_login_profile()
                .user_name(name)
                .password(password)
                .send()
                .await
                && !already_exists(&e)
            {
                return Err(err(format!("CreateLoginProfile {name}"), e));
            }
        }
        if u.mfa {
            let devices = iam
                .list_mfa_devices()
                .user_name(name)
                .send()
                .await
                .map_err(|e| err(format!("ListMFADevices {name}"), e))?;
            if devices.mfa_devices().is_empty() {
                let device = iam
                    .create_virtual_mfa_device()
                    .virtual_mfa_device_name(name)
                    .send()
                    .await
                    .map_err(|e| err(format!("CreateVirtualMFADevice {name}"), e))?;
                let serial = device
                    .virtual_mfa_device()
                    .map(|d| d.serial_number().to_string())
                    .unwrap_or_default();
                iam.enable_mfa_device()
                    .user_name(name)
                    .serial_number(serial)
                    .authentication_code1("123456")
                    .authentication_code2("654321")
                    .send()
                    .await
                    .map_err(|e| err(format!("EnableMFADevice {name}"), e))?;
            }
        }
        let existing = iam
            .list_access_keys()
            .user_name(name)
            .send()
            .await
            .map_err(|e| err(format!("ListAccessKeys {name}"), e))?;
        let have = existing.access_key_metadata().len();
        for (i, k) in u.access_keys.iter().enumerate() {
            let id = if i < have {
                existing.access_key_metadata()[i]
                    .access_key_id()
                    .unwrap_or_default()
                    .to_string()
            } else {
                // The secret in the answer is dropped unread.
                iam.create_access_key()
                    .user_name(name)
                    .send()
                    .await
                    .map_err(|e| err(format!("CreateAccessKey {name}"), e))?
                    .access_key()
                    .map(|a| a.access_key_id().to_string())
                    .unwrap_or_default()
            };
            iam.update_access_key()
                .user_name(name)
                .access_key_id(id)
                .status(aws_sdk_iam::types::StatusType::from(k.status.as_str()))
                .send()
                .await
                .map_err(|e| err(format!("UpdateAccessKey {name}"), e))?;
        }
        report.users += 1;
    }
    for r in &lab.iam.roles {
        let name = r.name.as_str();
        let trust = lab.expand(&r.trust_policy);
        match iam
            .create_role()
            .role_name(name)
            .assume_role_policy_document(&trust)
            .send()
            .await
        {
            Ok(_) => {}
            Err(e) if already_exists(&e) => {
                iam.update_assume_role_policy()
                    .role_name(name)
                    .policy_document(&trust)
                    .send()
                    .await
                    .map_err(|e| err(format!("UpdateAssumeRolePolicy {name}"), e))?;
            }
            Err(e) => return Err(err(format!("CreateRole {name}"), e)),
        }
        for a in &r.attached {
            iam.attach_role_policy()
                .role_name(name)
                .policy_arn(lab.policy_arn(a))
                .send()
                .await
                .map_err(|e| err(format!("AttachRolePolicy {name}"), e))?;
        }
        for p in &r.inline {
            iam.put_role_policy()
                .role_name(name)
                .policy_name(&p.name)
                .policy_document(lab.expand(&p.document))
                .send()
                .await
                .map_err(|e| err(format!("PutRolePolicy {name}"), e))?;
        }
        report.roles += 1;
    }
    Ok(())
}

async fn seed_logs(cloud: &AwsCloud, lab: &Lab, report: &mut SeedReport) -> Result<(), SeedError> {
    let logs = cloud.logs();
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    for g in &lab.log_groups {
        if let Err(e) = logs.create_log_group().log_group_name(&g.name).send().await
            && !already_exists(&e)
        {
            return Err(err(format!("CreateLogGroup {}", g.name), e));
        }
        if let Some(days) = g.retention_days {
            logs.put_retention_policy()
                .log_group_name(&g.name)
                .retention_in_days(days)
                .send()
                .await
                .map_err(|e| err(format!("PutRetentionPolicy {}", g.name), e))?;
        }
        if let Err(e) = logs
            .create_log_stream()
            .log_group_name(&g.name)
            .log_stream_name(&g.stream)
            .send()
            .await
            && !already_exists(&e)
        {
            return Err(err(format!("CreateLogStream {}", g.name), e));
        }
        // Events only once: a second seed must not duplicate them.
        let present = logs
            .filter_log_events()
            .log_group_name(&g.name)
            .limit(1)
            .send()
            .await
            .map_err(|e| err(format!("FilterLogEvents {}", g.name), e))?;
        if !present.events().is_empty() || g.events.is_empty() {
            continue;
        }
        let n = g.events.len();
        let mut put = logs
            .put_log_events()
            .log_group_name(&g.name)
            .log_stream_name(&g.stream);
        for (i, template) in g.events.iter().enumerate() {
            let t = lab::event_time_ms(now_ms, i, n);
            put = put.log_events(
                aws_sdk_cloudwatchlogs::types::InputLogEvent::builder()
                    .timestamp(t)
                    .message(lab.log_message(template, t))
                    .build()
                    .map_err(|e| SeedError {
                        step: format!("log event {}", g.name),
                        detail: e.to_string(),
                    })?,
            );
        }
        put.send()
            .await
            .map_err(|e| err(format!("PutLogEvents {}", g.name), e))?;
        report.log_events_put += n;
    }
    Ok(())
}
