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

mod iam;
mod logs;
mod s3;

use crate::cloud::error::{Failure, classify};
use crate::lab::{self, BucketDef, Lab};
use iam::seed_iam;
use logs::seed_logs;
use s3::{seed_bucket, seed_bucket_links};

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
