//! Planning a remediation: from what was read to the exact writes. Pure:
//! the plan is made from the state the caller has (the console's inventory,
//! or what `plan_live` reads), so a preview never waits for the network;
//! `run::apply` reads the state again and refuses when it has changed.

use serde::{Deserialize, Serialize};

use super::catalogue::{Need, Remediation, remediation};
use super::{RemedyError, acl, bucket_policy, state, user_mfa};
use crate::model::change::Change;
use crate::model::finding::Finding;
use crate::model::iam::IamInventory;
use crate::model::s3::{
    Bucket, Encryption, Logging, ObjectOwnership, PublicAccessBlock, SseAlgorithm, VersioningStatus,
};
use crate::model::{Facet, Unknown};
use crate::policy::Policy;
use crate::policy::public::{BucketInput, bucket_publicity};

mod iam;

use iam::{access_key, user_mfa_plan};

/// What the operator tells a remediation besides its id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inputs {
    pub bucket: Option<String>,
    pub user: Option<String>,
    pub access_key: Option<String>,
    pub target_bucket: Option<String>,
    pub kms_key: Option<String>,
}

/// What was read about the account, for planning. Only the parts a
/// remediation needs must be there.
#[derive(Debug, Clone, Copy)]
pub struct Current<'a> {
    pub account_id: &'a str,
    /// `aws`, `aws-cn`, `aws-us-gov`: for the ARNs in documents vigil writes.
    pub partition: &'a str,
    pub bucket: Option<&'a Bucket>,
    pub account_public_access_block: Option<&'a Facet<PublicAccessBlock>>,
    pub iam: Option<&'a IamInventory>,
    /// For `bucket-logging-on`: what is known of the target bucket.
    pub target_bucket: TargetBucket<'a>,
}

/// What is known of the bucket logs would go to.
#[derive(Debug, Clone, Copy, Default)]
pub enum TargetBucket<'a> {
    /// Not looked up (or it could not be): the preview warns instead.
    #[default]
    NotRead,
    /// The account has no bucket of that name.
    Missing,
    /// The account's bucket of that name, as read.
    Found(&'a Bucket),
}

/// One write: the state now, and the state it sets. `before` is itself the
/// change that undoes `after`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub before: Change,
    pub after: Change,
}

/// A remediation planned for one resource: what will be written, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub remediation: String,
    pub title: String,
    /// The resource's ARN (or the account id for account-wide settings).
    pub resource: String,
    pub account_id: String,
    pub steps: Vec<Step>,
    /// What the operator should know before confirming.
    pub warnings: Vec<String>,
    /// Why there is nothing to write, when there is nothing.
    pub nothing_to_do: Option<String>,
    /// The failing findings this plan fixes, as seen when it was made (the
    /// caller adds them; the journal keeps them for the incident report).
    #[serde(default)]
    pub findings: Vec<Finding>,
}

impl Plan {
    /// The catalogue entry.
    pub fn definition(&self) -> Option<&'static Remediation> {
        remediation(&self.remediation)
    }

    /// Whether applying would change nothing.
    pub fn is_noop(&self) -> bool {
        self.steps.is_empty()
    }

    /// The write calls, in order.
    pub fn api_calls(&self) -> Vec<String> {
        self.steps
            .iter()
            .map(|s| s.after.api_call().to_string())
            .collect()
    }

    /// The read-back calls, once each.
    pub fn read_calls(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for s in &self.steps {
            let c = state::read_call(&s.after).to_string();
            if !out.contains(&c) {
                out.push(c);
            }
        }
        out
    }

    /// Every IAM action applying, verifying and undoing this plan needs.
    pub fn permissions(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut add = |p: &str| {
            if !out.iter().any(|x| x == p) {
                out.push(p.to_string());
            }
        };
        for s in &self.steps {
            for p in state::read_permissions(&s.after) {
                add(p);
            }
            add(state::write_permission(&s.after));
            add(state::write_permission(&s.before));
        }
        out
    }

    /// The plan with the findings it fixes attached (for the journal).
    pub fn with_findings(mut self, findings: Vec<Finding>) -> Self {
        self.findings = findings;
        self
    }
}

fn need<'a>(value: &'a Option<String>, what: Need, id: &str) -> Result<&'a str, RemedyError> {
    match value.as_deref().map(str::trim) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(RemedyError::MissingInput {
            remediation: id.to_string(),
            flag: what.flag(),
        }),
    }
}

/// A facet's value for planning, or a refusal naming what could not be read.
fn read<'a, T>(facet: &'a Facet<T>, what: &str) -> Result<Option<&'a T>, RemedyError> {
    match facet {
        Facet::Present(v) => Ok(Some(v)),
        Facet::Absent => Ok(None),
        Facet::Unknown(u) => Err(unreadable(what, u)),
    }
}

fn unreadable(what: &str, u: &Unknown) -> RemedyError {
    RemedyError::Unreadable {
        what: what.to_string(),
        why: u.to_string(),
    }
}

/// Plan remediation `id` for the resource `inputs` names, from `current`.
pub fn plan(id: &str, inputs: &Inputs, current: &Current<'_>) -> Result<Plan, RemedyError> {
    let def = remediation(id).ok_or_else(|| RemedyError::UnknownRemediation(id.to_string()))?;
    let mut p = Plan {
        remediation: def.id.to_string(),
        title: def.title.to_string(),
        resource: String::new(),
        account_id: current.account_id.to_string(),
        steps: Vec::new(),
        warnings: Vec::new(),
        nothing_to_do: None,
        findings: Vec::new(),
    };
    match def.id {
        "account-bpa-on" => account_bpa(&mut p, current)?,
        "access-key-deactivate" => access_key(&mut p, inputs, current)?,
        "user-require-mfa" => user_mfa_plan(&mut p, inputs, current)?,
        _ => {
            let name = need(&inputs.bucket, Need::Bucket, def.id)?;
            let b = match current.bucket {
                Some(b) if b.name == name => b,
                _ => {
                    return Err(RemedyError::Unreadable {
                        what: format!("bucket {name}"),
                        why: "it was not read".into(),
                    });
                }
            };
            p.resource = b.arn();
            bucket_plan(&mut p, def, inputs, current, b)?;
        }
    }
    if p.steps.is_empty() && p.nothing_to_do.is_none() {
        p.nothing_to_do = Some("the configuration is already as this remediation sets it".into());
    }
    Ok(p)
}

fn step(p: &mut Plan, before: Change, after: Change) {
    if !state::same(&before, &after) {
        p.steps.push(Step { before, after });
    }
}

fn bucket_plan(
    p: &mut Plan,
    def: &Remediation,
    inputs: &Inputs,
    current: &Current<'_>,
    b: &Bucket,
) -> Result<(), RemedyError> {
    let bucket = b.name.clone();
    match def.id {
        "bucket-bpa-on" => {
            let now = read(
                &b.public_access_block,
                &format!("Block Public Access of {bucket}"),
            )?;
            if bucket_is_public(b, current) {
                p.warnings.push(format!(
                    "{bucket} is public now; with Block Public Access on, anonymous and cross-account access through its policy and ACL stops (a public website in it stops serving)"
                ));
            }
            step(
                p,
                Change::BucketPublicAccessBlock {
                    bucket: bucket.clone(),
                    value: now.copied(),
                },
                Change::BucketPublicAccessBlock {
                    bucket,
                    value: Some(PublicAccessBlock::ALL_ON),
                },
            );
        }
        "bucket-encryption-sse-s3" => {
            let now = read(&b.encryption, &format!("default encryption of {bucket}"))?;
            if let Some(e) = now {
                p.nothing_to_do = Some(format!(
                    "{bucket} already has default encryption ({})",
                    e.algorithm.label()
                ));
                return Ok(());
            }
            step(
                p,
                Change::BucketEncryption {
                    bucket: bucket.clone(),
                    value: None,
                },
                Change::BucketEncryption {
                    bucket,
                    value: Some(Encryption {
                        algorithm: SseAlgorithm::Aes256,
                        kms_key_id: None,
                        bucket_key_enabled: false,
                    }),
                },
            );
        }
        "bucket-encryption-sse-kms" => {
            let key = need(&inputs.kms_key, Need::KmsKey, def.id)?;
            check_kms_key(key)?;
            let now = read(&b.encryption, &format!("default encryption of {bucket}"))?;
            if let Some(e) = now
                && e.algorithm == SseAlgorithm::AwsKmsDsse
            {
                p.warnings.push(format!(
                    "{bucket} uses dual-layer DSSE-KMS now; this replaces it with single-layer SSE-KMS"
                ));
            }
            // S3 User Guide, "Specifying server-side encryption with AWS
            // KMS": the key must be in the bucket's Region.
            let key_arn: Vec<&str> = key.split(':').collect();
            if let (Some(&key_region), Facet::Present(region)) = (key_arn.get(3), &b.region)
                && key.starts_with("arn:")
                && key_region != region
            {
                p.warnings.push(format!(
                    "{key} is in {key_region} but {bucket} in {region}: S3 uses only keys of the bucket's Region, so every upload that needs the key would fail"
                ));
            }
            if let Some(&key_account) = key_arn.get(4)
                && key.starts_with("arn:")
                && key_account != current.account_id
            {
                p.warnings.push(format!(
                    "{key} belongs to account {key_account}: its key policy must let this account's principals use it, and that account can revoke it"
                ));
            }
            p.warnings.push(format!(
                "readers and writers of new objects need kms:Decrypt / kms:GenerateDataKey on {key}; the key policy must allow them"
            ));
            step(
                p,
                Change::BucketEncryption {
                    bucket: bucket.clone(),
                    value: now.cloned(),
                },
                Change::BucketEncryption {
                    bucket,
                    value: Some(Encryption {
                        algorithm: SseAlgorithm::AwsKms,
                        kms_key_id: Some(key.to_string()),
                        bucket_key_enabled: true,
                    }),
                },
            );
        }
        "bucket-deny-insecure-transport" => {
            let now = read(&b.policy, &format!("the policy of bucket {bucket}"))?;
            match bucket_policy::with_transport_enforced(
                current.partition,
                &bucket,
                now.map(String::as_str),
            )? {
                None => {
                    p.nothing_to_do = Some(format!(
                        "the policy of {bucket} already denies plain-HTTP requests for the bucket and its objects"
                    ));
                }
                Some(after) => {
                    p.warnings.push(
                        "clients that use plain HTTP (http:// endpoints, old SDKs with SSL off) are refused from now on".into(),
                    );
                    step(
                        p,
                        Change::BucketPolicy {
                            bucket: bucket.clone(),
                            value: now.cloned(),
                        },
                        Change::BucketPolicy {
                            bucket,
                            value: Some(after),
                        },
                    );
                }
            }
        }
        "bucket-remove-public-statements" => {
            let what = format!("the policy of bucket {bucket}");
            let Some(now) = read(&b.policy, &what)? else {
                p.nothing_to_do = Some(format!("{bucket} has no bucket policy"));
                return Ok(());
            };
            match bucket_policy::without_public_statements(&bucket, now)? {
                None => {
                    p.nothing_to_do =
                        Some(format!("no statement of the policy of {bucket} is public"));
                }
                Some(bucket_policy::Removal { after, removed }) => {
                    for (i, why) in &removed {
                        p.warnings.push(format!("removes Statement[{i}]: {why}"));
                    }
                    if after.is_none() {
                        p.warnings.push(format!(
                            "no statement is left, so the policy of {bucket} is deleted"
                        ));
                    }
                    step(
                        p,
                        Change::BucketPolicy {
                            bucket: bucket.clone(),
                            value: Some(now.clone()),
                        },
                        Change::BucketPolicy {
                            bucket,
                            value: after,
                        },
                    );
                }
            }
        }
        "bucket-acl-private" => {
            let Some(now) = read(&b.acl, &format!("the ACL of bucket {bucket}"))? else {
                return Err(RemedyError::Unreadable {
                    what: format!("the ACL of bucket {bucket}"),
                    why: "no ACL was returned".into(),
                });
            };
            let (kept, removed) = acl::without_public_grants(now);
            if removed.is_empty() {
                p.nothing_to_do = Some(format!(
                    "the ACL of {bucket} grants nothing to AllUsers or AuthenticatedUsers"
                ));
                return Ok(());
            }
            for g in &removed {
                p.warnings
                    .push(format!("removes the grant {}", acl::describe(g)));
            }
            step(
                p,
                Change::BucketAcl {
                    bucket: bucket.clone(),
                    acl: now.clone(),
                },
                Change::BucketAcl { bucket, acl: kept },
            );
        }
        "bucket-ownership-enforced" => {
            let ownership = read(&b.ownership, &format!("Object Ownership of {bucket}"))?;
            if ownership == Some(&ObjectOwnership::BucketOwnerEnforced) {
                p.nothing_to_do = Some(format!("ACLs of {bucket} are already disabled"));
                return Ok(());
            }
            let Some(now) = read(&b.acl, &format!("the ACL of bucket {bucket}"))? else {
                return Err(RemedyError::Unreadable {
                    what: format!("the ACL of bucket {bucket}"),
                    why: "no ACL was returned".into(),
                });
            };
            let (owner_only, removed) = acl::owner_only(now);
            if !removed.is_empty() {
                let list: Vec<String> = removed.iter().map(acl::describe).collect();
                p.warnings.push(format!(
                    "these ACL grants stop working when ACLs are disabled: {}; S3 refuses BucketOwnerEnforced while the bucket ACL grants them, so the bucket ACL is reduced to the owner first (undo puts them back). Grant what is still needed in the bucket policy instead",
                    list.join("; ")
                ));
                if removed
                    .iter()
                    .any(|g| acl::describe(g).contains("log delivery"))
                {
                    p.warnings.push(
                        "server access logs delivered through the log delivery group's ACL grant stop: grant logging.s3.amazonaws.com s3:PutObject in this bucket's policy".into(),
                    );
                }
                step(
                    p,
                    Change::BucketAcl {
                        bucket: bucket.clone(),
                        acl: now.clone(),
                    },
                    Change::BucketAcl {
                        bucket: bucket.clone(),
                        acl: owner_only,
                    },
                );
            }
            p.warnings.push(
                "object ACLs stop working too: every object, including those other accounts uploaded, is owned by the bucket owner".into(),
            );
            step(
                p,
                Change::BucketOwnership {
                    bucket: bucket.clone(),
                    value: ownership.copied(),
                },
                Change::BucketOwnership {
                    bucket,
                    value: Some(ObjectOwnership::BucketOwnerEnforced),
                },
            );
        }
        "bucket-versioning-on" => {
            let now = read(&b.versioning, &format!("versioning of {bucket}"))?;
            let status = now.map_or(VersioningStatus::Off, |v| v.status);
            if status == VersioningStatus::Off {
                p.warnings.push(format!(
                    "{bucket} never had versioning: once on, S3 can only suspend it, never turn it off"
                ));
            }
            p.warnings.push(
                "every overwrite and delete keeps the old version from now on, which is stored and billed; add a lifecycle rule to expire noncurrent versions".into(),
            );
            step(
                p,
                Change::BucketVersioning {
                    bucket: bucket.clone(),
                    status,
                },
                Change::BucketVersioning {
                    bucket,
                    status: VersioningStatus::Enabled,
                },
            );
        }
        "bucket-logging-on" => {
            let target = need(&inputs.target_bucket, Need::TargetBucket, def.id)?;
            let now = read(&b.logging, &format!("server access logging of {bucket}"))?;
            if now.is_some_and(|l| l.target_bucket == target) {
                p.nothing_to_do = Some(format!("{bucket} already logs to {target}"));
                return Ok(());
            }
            if target == bucket {
                p.warnings.push(format!(
                    "{bucket} would log into itself: every log delivery writes more log records about itself"
                ));
            }
            // S3 refuses both at PutBucketLogging (S3 User Guide, "Enabling
            // Amazon S3 server access logging": the target must exist, in
            // the same Region and account).
            match current.target_bucket {
                TargetBucket::Missing => {
                    return Err(RemedyError::BadInput(format!(
                        "there is no bucket named {target} in this account; S3 refuses it as a logging target (InvalidTargetBucketForLogging)"
                    )));
                }
                TargetBucket::Found(t) => {
                    if let (Facet::Present(from), Facet::Present(to)) = (&b.region, &t.region)
                        && from != to
                    {
                        return Err(RemedyError::BadInput(format!(
                            "{target} is in {to} and {bucket} in {from}: S3 delivers access logs only within one Region (CrossLocationLoggingProhibitted); choose a target bucket in {from}"
                        )));
                    }
                }
                TargetBucket::NotRead => {}
            }
            p.warnings.push(format!(
                "S3 delivers the logs only if {target} lets the logging service write: its bucket policy must allow logging.s3.amazonaws.com s3:PutObject (S3 User Guide, \"Permissions for log delivery\"), and it must be in the same region and account"
            ));
            step(
                p,
                Change::BucketLogging {
                    bucket: bucket.clone(),
                    value: now.cloned(),
                },
                Change::BucketLogging {
                    bucket: bucket.clone(),
                    value: Some(Logging {
                        target_bucket: target.to_string(),
                        target_prefix: format!("{bucket}/"),
                    }),
                },
            );
        }
        other => return Err(RemedyError::UnknownRemediation(other.to_string())),
    }
    Ok(())
}

/// Whether the bucket is public in effect now (for warnings only).
fn bucket_is_public(b: &Bucket, current: &Current<'_>) -> bool {
    let policy = b.policy.present().and_then(|t| Policy::parse(t).ok());
    let grants = b.acl.present().map(|a| a.grants.as_slice()).unwrap_or(&[]);
    let account_bpa = current
        .account_public_access_block
        .and_then(|f| f.present());
    bucket_publicity(&BucketInput {
        bucket: &b.name,
        account_id: current.account_id,
        policy: policy.as_ref(),
        acl_grants: grants,
        bucket_bpa: b.public_access_block.present(),
        account_bpa,
        object_ownership: b.ownership.present().copied(),
    })
    .public
}

/// A KMS key id, key ARN, alias name or alias ARN (what
/// `KMSMasterKeyID` accepts); anything else is refused before a write.
fn check_kms_key(key: &str) -> Result<(), RemedyError> {
    let ok_chars = key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_:/".contains(c));
    // arn:PARTITION:kms:REGION:ACCOUNT:key/ID or …:alias/NAME.
    let arn: Vec<&str> = key.split(':').collect();
    let arn_shaped = arn.len() == 6
        && arn[0] == "arn"
        && arn[2] == "kms"
        && !arn[3].is_empty()
        && arn[4].len() == 12
        && arn[4].chars().all(|c| c.is_ascii_digit())
        && (arn[5].len() > 4 && arn[5].starts_with("key/")
            || arn[5].len() > 6 && arn[5].starts_with("alias/"));
    let shaped = arn_shaped
        || key.starts_with("alias/")
        || (key.len() == 36 && key.matches('-').count() == 4)
        || key.starts_with("mrk-");
    if ok_chars && shaped {
        Ok(())
    } else {
        Err(RemedyError::BadInput(format!(
            "the KMS key {key:?} is not a key id, key ARN or alias (e.g. arn:aws:kms:REGION:ACCOUNT:key/ID, alias/NAME)"
        )))
    }
}

fn account_bpa(p: &mut Plan, current: &Current<'_>) -> Result<(), RemedyError> {
    // The resource the account-level S3 rules report on.
    p.resource = format!(
        "arn:{}:s3::{}:account",
        current.partition, current.account_id
    );
    let facet = current
        .account_public_access_block
        .ok_or_else(|| RemedyError::Unreadable {
            what: "account Block Public Access".into(),
            why: "it was not read".into(),
        })?;
    let now = read(facet, "account Block Public Access")?;
    p.warnings.push(
        "applies to every bucket of the account, present and future: any bucket that serves the public (a website, public downloads) stops doing so".into(),
    );
    step(
        p,
        Change::AccountPublicAccessBlock {
            account_id: current.account_id.to_string(),
            value: now.copied(),
        },
        Change::AccountPublicAccessBlock {
            account_id: current.account_id.to_string(),
            value: Some(PublicAccessBlock::ALL_ON),
        },
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kms_keys_are_checked_before_any_write() {
        for ok in [
            "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "1234abcd-12ab-34cd-56ef-1234567890ab",
            "alias/s3-default",
            "arn:aws:kms:eu-west-1:123456789012:alias/s3",
        ] {
            assert!(check_kms_key(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "my key",
            "arn:aws:s3:::bucket",
            "\u{1b}[2J",
            "arn:aws:kms:eu-west-1",
            "arn:aws:kms:eu-west-1:123456789012:",
            "arn:aws:kms:eu-west-1:12345:key/abc",
        ] {
            assert!(check_kms_key(bad).is_err(), "{bad:?}");
        }
    }
}
