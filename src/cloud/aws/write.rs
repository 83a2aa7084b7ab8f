//! Configuration writes through the SDK: what a remediation applies and
//! what undo puts back. Each [`Change`] sets one configuration to a state;
//! the bucket's region is looked up first so the write goes to the client
//! for that region (S3 refuses a write signed for another region).

use aws_sdk_s3::types as s3t;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::AwsCloud;
use super::s3::normalise_location;
use crate::cloud::CloudError;
use crate::cloud::error::fatal;
use crate::model::Facet;
use crate::model::change::Change;
use crate::model::s3::{Acl, Encryption, Grantee, Logging, PublicAccessBlock, VersioningStatus};

pub(super) async fn apply(cloud: &AwsCloud, change: &Change) -> Result<(), CloudError> {
    let call = change.api_call();
    match change {
        Change::AccountPublicAccessBlock { account_id, value } => {
            let c = &cloud.s3control;
            match value {
                Some(v) => sdk(
                    c.put_public_access_block()
                        .account_id(account_id)
                        .public_access_block_configuration(
                            aws_sdk_s3control::types::PublicAccessBlockConfiguration::builder()
                                .block_public_acls(v.block_public_acls)
                                .ignore_public_acls(v.ignore_public_acls)
                                .block_public_policy(v.block_public_policy)
                                .restrict_public_buckets(v.restrict_public_buckets)
                                .build(),
                        )
                        .send()
                        .await,
                    call,
                ),
                None => sdk(
                    c.delete_public_access_block()
                        .account_id(account_id)
                        .send()
                        .await,
                    call,
                ),
            }
        }
        Change::AccessKeyStatus {
            user,
            key_id,
            status,
        } => sdk(
            cloud
                .iam()
                .update_access_key()
                .user_name(user)
                .access_key_id(key_id)
                .status(aws_sdk_iam::types::StatusType::from(status.as_str()))
                .send()
                .await,
            call,
        ),
        Change::UserInlinePolicy {
            user,
            name,
            document,
        } => match document {
            Some(d) => sdk(
                cloud
                    .iam()
                    .put_user_policy()
                    .user_name(user)
                    .policy_name(name)
                    .policy_document(d)
                    .send()
                    .await,
                call,
            ),
            None => sdk(
                cloud
                    .iam()
                    .delete_user_policy()
                    .user_name(user)
                    .policy_name(name)
                    .send()
                    .await,
                call,
            ),
        },
        _ => {
            let Some(bucket) = change.bucket() else {
                return Err(CloudError::Other(format!("{call}: no bucket named")));
            };
            let region = bucket_region(cloud, bucket).await?;
            let s3 = cloud.s3_for(&region);
            let label = format!("{call} {bucket}");
            bucket_write(&s3, bucket, change, &label)
                .await
                .map_err(|e| CloudError::Other(format!("{label}: {e}")))?
        }
    }
}

pub(super) async fn bucket_region(cloud: &AwsCloud, bucket: &str) -> Result<String, CloudError> {
    let location = cloud
        .read_facet(cloud.region(), |c| async move {
            c.get_bucket_location().bucket(bucket).send().await
        })
        .await;
    match location {
        Facet::Present(o) => Ok(normalise_location(
            o.location_constraint().map(|c| c.as_str()),
        )),
        Facet::Absent => Ok(cloud.region().to_string()),
        Facet::Unknown(u) => Err(CloudError::Other(format!(
            "GetBucketLocation {bucket}: {u}"
        ))),
    }
}

fn sdk<T, E>(r: Result<T, SdkError<E, HttpResponse>>, call: &str) -> Result<(), CloudError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    r.map(drop).map_err(|e| fatal(call, e))
}

/// A request that could not even be built (a required field missing) is a
/// `BuildError`; the outer result carries it, the inner one AWS's answer.
type Built = Result<Result<(), CloudError>, aws_sdk_s3::error::BuildError>;

async fn bucket_write(s3: &aws_sdk_s3::Client, bucket: &str, change: &Change, call: &str) -> Built {
    Ok(match change {
        Change::BucketPublicAccessBlock { value: Some(v), .. } => sdk(
            s3.put_public_access_block()
                .bucket(bucket)
                .public_access_block_configuration(bpa(v))
                .send()
                .await,
            call,
        ),
        Change::BucketPublicAccessBlock { value: None, .. } => sdk(
            s3.delete_public_access_block().bucket(bucket).send().await,
            call,
        ),
        Change::BucketEncryption { value: Some(v), .. } => sdk(
            s3.put_bucket_encryption()
                .bucket(bucket)
                .server_side_encryption_configuration(encryption(v)?)
                .send()
                .await,
            call,
        ),
        Change::BucketEncryption { value: None, .. } => sdk(
            s3.delete_bucket_encryption().bucket(bucket).send().await,
            call,
        ),
        Change::BucketPolicy { value: Some(p), .. } => sdk(
            s3.put_bucket_policy().bucket(bucket).policy(p).send().await,
            call,
        ),
        Change::BucketPolicy { value: None, .. } => {
            sdk(s3.delete_bucket_policy().bucket(bucket).send().await, call)
        }
        Change::BucketAcl { acl: a, .. } => sdk(
            s3.put_bucket_acl()
                .bucket(bucket)
                .access_control_policy(acl(a)?)
                .send()
                .await,
            call,
        ),
        Change::BucketOwnership { value: Some(o), .. } => sdk(
            s3.put_bucket_ownership_controls()
                .bucket(bucket)
                .ownership_controls(
                    s3t::OwnershipControls::builder()
                        .rules(
                            s3t::OwnershipControlsRule::builder()
                                .object_ownership(s3t::ObjectOwnership::from(o.as_str()))
                                .build()?,
                        )
                        .build()?,
                )
                .send()
                .await,
            call,
        ),
        Change::BucketOwnership { value: None, .. } => sdk(
            s3.delete_bucket_ownership_controls()
                .bucket(bucket)
                .send()
                .await,
            call,
        ),
        Change::BucketVersioning { status, .. } => {
            let status = match status {
                VersioningStatus::Enabled => s3t::BucketVersioningStatus::Enabled,
                // S3 has no way back to "never enabled"; Suspended is the
                // closest state and what undo of "versioning on" means.
                VersioningStatus::Suspended | VersioningStatus::Off => {
                    s3t::BucketVersioningStatus::Suspended
                }
            };
            sdk(
                s3.put_bucket_versioning()
                    .bucket(bucket)
                    .versioning_configuration(
                        s3t::VersioningConfiguration::builder()
                            .status(status)
                            .build(),
                    )
                    .send()
                    .await,
                call,
            )
        }
        Change::BucketLogging { value, .. } => sdk(
            s3.put_bucket_logging()
                .bucket(bucket)
                .bucket_logging_status(logging(value.as_ref())?)
                .send()
                .await,
            call,
        ),
        Change::AccountPublicAccessBlock { .. }
        | Change::AccessKeyStatus { .. }
        | Change::UserInlinePolicy { .. } => Ok(()),
    })
}

fn bpa(v: &PublicAccessBlock) -> s3t::PublicAccessBlockConfiguration {
    s3t::PublicAccessBlockConfiguration::builder()
        .block_public_acls(v.block_public_acls)
        .ignore_public_acls(v.ignore_public_acls)
        .block_public_policy(v.block_public_policy)
        .restrict_public_buckets(v.restrict_public_buckets)
        .build()
}

fn encryption(
    v: &Encryption,
) -> Result<s3t::ServerSideEncryptionConfiguration, aws_sdk_s3::error::BuildError> {
    let default = s3t::ServerSideEncryptionByDefault::builder()
        .sse_algorithm(s3t::ServerSideEncryption::from(v.algorithm.as_str()))
        .set_kms_master_key_id(v.kms_key_id.clone())
        .build()?;
    s3t::ServerSideEncryptionConfiguration::builder()
        .rules(
            s3t::ServerSideEncryptionRule::builder()
                .apply_server_side_encryption_by_default(default)
                .bucket_key_enabled(v.bucket_key_enabled)
                .build(),
        )
        .build()
}

/// An ACL as `PutBucketAcl` takes it (also what `vigil lab seed` writes).
pub(super) fn acl(a: &Acl) -> Result<s3t::AccessControlPolicy, aws_sdk_s3::error::BuildError> {
    let mut policy =
        s3t::AccessControlPolicy::builder().owner(s3t::Owner::builder().id(&a.owner_id).build());
    for g in &a.grants {
        let grantee = match &g.grantee {
            Grantee::CanonicalUser { id, .. } => s3t::Grantee::builder()
                .r#type(s3t::Type::CanonicalUser)
                .id(id),
            Grantee::Group { uri } => s3t::Grantee::builder().r#type(s3t::Type::Group).uri(uri),
            Grantee::AmazonCustomerByEmail { email } => s3t::Grantee::builder()
                .r#type(s3t::Type::AmazonCustomerByEmail)
                .email_address(email),
        }
        .build()?;
        policy = policy.grants(
            s3t::Grant::builder()
                .grantee(grantee)
                .permission(s3t::Permission::from(g.permission.as_str()))
                .build(),
        );
    }
    Ok(policy.build())
}

fn logging(v: Option<&Logging>) -> Result<s3t::BucketLoggingStatus, aws_sdk_s3::error::BuildError> {
    let mut status = s3t::BucketLoggingStatus::builder();
    if let Some(l) = v {
        status = status.logging_enabled(
            s3t::LoggingEnabled::builder()
                .target_bucket(&l.target_bucket)
                .target_prefix(&l.target_prefix)
                .build()?,
        );
    }
    Ok(status.build())
}
