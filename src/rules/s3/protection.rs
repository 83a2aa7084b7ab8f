//! How a bucket protects what it holds: encryption at rest and in transit,
//! versioning and MFA Delete, access logging, lifecycle, Object Lock.

use super::facts::{BucketFacts, PolicyFact};
use crate::model::Facet;
use crate::model::finding::Evidence;
use crate::model::s3::{SseAlgorithm, VersioningStatus};
use crate::policy;
use crate::rules::Verdict;

/// `s3-no-default-encryption`.
pub fn no_default_encryption(ctx: &BucketFacts<'_, '_>) -> Option<Verdict> {
    Some(match &ctx.bucket.encryption {
        Facet::Present(e) => Verdict::pass(
            format!("default encryption is {}", e.algorithm.label()),
            vec![Evidence::at(
                format!("SSEAlgorithm: {}", e.algorithm.as_str()),
                "encryption.SSEAlgorithm",
            )],
        ),
        Facet::Absent => Verdict::fail(
            "no default encryption is configured",
            vec![Evidence::at("no encryption configuration", "encryption")],
        ),
        Facet::Unknown(u) => Verdict::unknown("default encryption", u),
    })
}

/// `s3-not-kms-encrypted`: SSE-KMS or DSSE-KMS (Security Hub S3.17 fails a
/// bucket on SSE-S3).
pub fn not_kms_encrypted(ctx: &BucketFacts<'_, '_>) -> Option<Verdict> {
    Some(match &ctx.bucket.encryption {
        Facet::Present(e) => {
            let evidence = vec![Evidence::at(
                format!("SSEAlgorithm: {}", e.algorithm.as_str()),
                "encryption.SSEAlgorithm",
            )];
            match e.algorithm {
                SseAlgorithm::AwsKms | SseAlgorithm::AwsKmsDsse => Verdict::pass(
                    format!(
                        "default encryption uses a KMS key ({}{})",
                        e.algorithm.label(),
                        e.kms_key_id
                            .as_deref()
                            .map(|k| format!(", key {k}"))
                            .unwrap_or_default()
                    ),
                    evidence,
                ),
                SseAlgorithm::Aes256 => Verdict::fail(
                    "default encryption is SSE-S3 (keys S3 manages), not a KMS key",
                    evidence,
                ),
            }
        }
        Facet::Absent => Verdict::fail(
            "no default encryption, so no KMS key either",
            vec![Evidence::at("no encryption configuration", "encryption")],
        ),
        Facet::Unknown(u) => Verdict::unknown("default encryption", u),
    })
}

/// `s3-insecure-transport`: the engine's verdict, for object requests
/// (`bucket/*`) and bucket requests (`bucket`) alike.
pub fn insecure_transport(ctx: &BucketFacts<'_, '_>) -> Option<Verdict> {
    let name = &ctx.bucket.name;
    let policy = match ctx.policy() {
        PolicyFact::Undecidable(why) => return Some(Verdict::undecided(why.clone())),
        PolicyFact::NoPolicy => {
            return Some(Verdict::fail(
                "no bucket policy, so requests over plain HTTP are allowed",
                vec![Evidence::at("no bucket policy", "policy")],
            ));
        }
        PolicyFact::Parsed(p) => p,
    };
    let report = policy::insecure_transport(Some(policy), name);
    let mut evidence = Vec::new();
    let mut missing = Vec::new();
    for (what, resource, st) in [
        (
            "object",
            format!("arn:aws:s3:::{name}/*"),
            &report.object_statement,
        ),
        (
            "bucket",
            format!("arn:aws:s3:::{name}"),
            &report.bucket_statement,
        ),
    ] {
        match st {
            Some(r) => evidence.push(Evidence::at(
                format!(
                    "{} denies plain-HTTP {what} requests ({resource})",
                    r.describe()
                ),
                format!("policy:{}", r.path),
            )),
            None => {
                missing.push(format!("{what} requests ({resource})"));
                evidence.push(Evidence::at(
                    format!(
                        "no Deny for every principal refuses plain-HTTP {what} requests ({resource})"
                    ),
                    "policy:Statement",
                ));
            }
        }
    }
    Some(if missing.is_empty() {
        Verdict::pass(
            "plain-HTTP requests are denied for the bucket and its objects",
            evidence,
        )
    } else {
        Verdict::fail(
            format!(
                "plain-HTTP requests are not denied for {}",
                missing.join(" and ")
            ),
            evidence,
        )
    })
}

/// `s3-versioning-off`.
pub fn versioning_off(ctx: &BucketFacts<'_, '_>) -> Option<Verdict> {
    let path = "versioning.Status";
    Some(match &ctx.bucket.versioning {
        Facet::Present(v) if v.status == VersioningStatus::Enabled => Verdict::pass(
            "versioning is enabled",
            vec![Evidence::at("Status: Enabled", path)],
        ),
        Facet::Present(v) if v.status == VersioningStatus::Suspended => Verdict::fail(
            "versioning is suspended: new writes overwrite and deletes are permanent",
            vec![Evidence::at("Status: Suspended", path)],
        ),
        // S3 always answers GetBucketVersioning; no status means never enabled.
        Facet::Present(_) | Facet::Absent => Verdict::fail(
            "versioning was never enabled",
            vec![Evidence::at("no Status", path)],
        ),
        Facet::Unknown(u) => Verdict::unknown("versioning", u),
    })
}

/// `s3-mfa-delete-off`: applies to versioned buckets (enabled or suspended:
/// both keep versions that can be deleted). Not applicable to a bucket with a
/// lifecycle configuration: S3 does not support lifecycle configuration on
/// MFA Delete buckets (S3 User Guide, "Lifecycle and other bucket
/// configurations"), and Security Hub S3.20 makes no finding for them.
pub fn mfa_delete_off(ctx: &BucketFacts<'_, '_>) -> Option<Verdict> {
    let v = match &ctx.bucket.versioning {
        Facet::Present(v) => v,
        Facet::Absent => return None,
        Facet::Unknown(u) => return Some(Verdict::unknown("versioning", u)),
    };
    if v.status == VersioningStatus::Off {
        return None;
    }
    let path = "versioning.MFADelete";
    if v.mfa_delete {
        return Some(Verdict::pass(
            "MFA Delete is enabled",
            vec![Evidence::at("MFADelete: Enabled", path)],
        ));
    }
    match &ctx.bucket.lifecycle {
        Facet::Present(rules) if !rules.is_empty() => None,
        Facet::Unknown(u) => Some(Verdict::undecided(format!(
            "lifecycle configuration unknown (MFA Delete does not apply to a bucket with one): {u}"
        ))),
        Facet::Present(_) | Facet::Absent => Some(Verdict::fail(
            "versioned, but MFA Delete is off: anyone with delete permission can remove versions or suspend versioning",
            vec![Evidence::at("MFADelete: Disabled", path)],
        )),
    }
}

/// `s3-logging-off`.
pub fn logging_off(ctx: &BucketFacts<'_, '_>) -> Option<Verdict> {
    Some(match &ctx.bucket.logging {
        Facet::Present(l) => Verdict::pass(
            format!(
                "server access logs go to {}/{}",
                l.target_bucket, l.target_prefix
            ),
            vec![Evidence::at(
                format!("TargetBucket: {}", l.target_bucket),
                "logging.TargetBucket",
            )],
        ),
        Facet::Absent => Verdict::fail(
            "server access logging is off",
            vec![Evidence::at("no LoggingEnabled", "logging")],
        ),
        Facet::Unknown(u) => Verdict::unknown("server access logging", u),
    })
}

/// `s3-no-lifecycle`: at least one enabled lifecycle rule.
pub fn no_lifecycle(ctx: &BucketFacts<'_, '_>) -> Option<Verdict> {
    Some(match &ctx.bucket.lifecycle {
        Facet::Present(rules) => match rules.iter().position(|r| r.enabled) {
            Some(i) => Verdict::pass(
                format!("lifecycle rule {:?} is enabled", rules[i].id),
                vec![Evidence::at(
                    format!("rule {:?}: Enabled", rules[i].id),
                    format!("lifecycle.Rules[{i}]"),
                )],
            ),
            None => Verdict::fail(
                "every lifecycle rule is disabled",
                vec![Evidence::at("no enabled rule", "lifecycle.Rules")],
            ),
        },
        Facet::Absent => Verdict::fail(
            "no lifecycle configuration",
            vec![Evidence::at("no lifecycle configuration", "lifecycle")],
        ),
        Facet::Unknown(u) => Verdict::unknown("lifecycle configuration", u),
    })
}

/// `s3-no-object-lock`.
pub fn no_object_lock(ctx: &BucketFacts<'_, '_>) -> Option<Verdict> {
    let path = "object_lock.ObjectLockEnabled";
    Some(match &ctx.bucket.object_lock {
        Facet::Present(o) if o.enabled => Verdict::pass(
            match (&o.default_mode, o.default_days) {
                (Some(m), Some(d)) => format!("Object Lock is on, default {m} retention {d} days"),
                _ => "Object Lock is on (no default retention)".into(),
            },
            vec![Evidence::at("ObjectLockEnabled: Enabled", path)],
        ),
        Facet::Present(_) | Facet::Absent => Verdict::fail(
            "Object Lock is not enabled",
            vec![Evidence::at("no Object Lock configuration", "object_lock")],
        ),
        Facet::Unknown(u) => Verdict::unknown("Object Lock configuration", u),
    })
}
