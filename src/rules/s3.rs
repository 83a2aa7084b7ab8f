//! S3 rules.

use super::{BucketContext, Check, Rule, Service, Verdict};
use crate::model::Facet;
use crate::model::finding::{Evidence, Severity};
use crate::model::s3::VersioningStatus;

/// The S3 catalogue.
pub static RULES: &[Rule] = &[Rule {
    id: "s3-versioning-off",
    title: "Bucket versioning is not enabled",
    severity: Severity::Medium,
    service: Service::S3,
    frameworks: &["CIS-AWS-3.0:2.1.3", "FSBP:S3.14"],
    remediation: Some("bucket-versioning-on"),
    check: Check::Bucket(versioning_off),
}];

fn versioning_off(ctx: &BucketContext<'_>) -> Option<Verdict> {
    Some(match &ctx.bucket.versioning {
        Facet::Present(v) if v.status == VersioningStatus::Enabled => Verdict::pass(
            "versioning is enabled",
            vec![Evidence::at("Status: Enabled", "versioning.Status")],
        ),
        Facet::Present(v) => Verdict::fail(
            format!("versioning is {:?}", v.status).to_lowercase(),
            vec![Evidence::at(
                format!("Status: {:?}", v.status),
                "versioning.Status",
            )],
        ),
        // S3 always answers GetBucketVersioning; absent means never enabled.
        Facet::Absent => Verdict::fail("versioning was never enabled", Vec::new()),
        Facet::Unknown(u) => Verdict::unknown("versioning", u),
    })
}
