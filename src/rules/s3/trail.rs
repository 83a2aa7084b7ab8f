//! CloudTrail log buckets: recognised by their parsed policy, and judged
//! exposed when public or not access-logged (CIS AWS Foundations 3.4; the
//! older benchmarks' "CloudTrail bucket is not publicly accessible").

use super::facts::{BucketFacts, PolicyFact, undecided_because, via_words};
use crate::model::Facet;
use crate::model::finding::Evidence;
use crate::model::s3::Bucket;
use crate::policy::document::{Effect, PrincipalBlock};
use crate::policy::eval::action_matches;
use crate::policy::{Policy, Statement, StatementRef};
use crate::rules::Verdict;

/// CloudTrail's service principal.
pub const CLOUDTRAIL_PRINCIPAL: &str = "cloudtrail.amazonaws.com";

/// The Allow statement that lets CloudTrail deliver log files: it names the
/// `cloudtrail.amazonaws.com` service principal and covers `s3:PutObject`
/// (CloudTrail User Guide, "Amazon S3 bucket policy for CloudTrail"). A
/// `Principal: "*"` grant is not a CloudTrail grant: it is public, and judged
/// as such.
pub fn cloudtrail_write_statement(policy: &Policy) -> Option<&Statement> {
    policy.statements.iter().find(|st| {
        st.effect == Effect::Allow
            && matches!(&st.principal, Some(PrincipalBlock::Principal(p))
                if p.service.iter().any(|s| s.trim().eq_ignore_ascii_case(CLOUDTRAIL_PRINCIPAL)))
            && action_matches(&st.action, "s3:PutObject")
    })
}

/// Whether the bucket's (parsed) policy lets CloudTrail write log files.
pub fn receives_cloudtrail_logs(bucket: &Bucket) -> bool {
    PolicyFact::of(&bucket.policy)
        .policy()
        .is_some_and(|p| cloudtrail_write_statement(p).is_some())
}

/// `s3-trail-bucket-exposed`: applies to buckets that receive CloudTrail
/// logs (by their policy, or named in `BucketContext::trail_buckets`).
pub fn trail_bucket_exposed(ctx: &BucketFacts<'_, '_>) -> Option<Verdict> {
    let b = ctx.bucket;
    let named = ctx.trail_buckets.iter().any(|n| n == &b.name);
    let writer = match ctx.policy() {
        PolicyFact::Parsed(p) => cloudtrail_write_statement(p).map(|st| StatementRef::new(0, st)),
        PolicyFact::NoPolicy => None,
        PolicyFact::Undecidable(why) if !named => {
            return Some(Verdict::undecided(format!(
                "cannot tell whether it receives CloudTrail logs: {why}"
            )));
        }
        PolicyFact::Undecidable(_) => None,
    };
    if writer.is_none() && !named {
        return None;
    }
    let mut evidence = vec![match &writer {
        Some(r) => Evidence::at(
            format!(
                "receives CloudTrail logs: {} lets {CLOUDTRAIL_PRINCIPAL} s3:PutObject",
                r.describe()
            ),
            format!("policy:{}", r.path),
        ),
        None => Evidence::new("receives CloudTrail logs: a trail names it"),
    }];
    let mut problems = Vec::new();
    let facts = ctx.publicity();
    let mut unknown = facts.unknown.clone();
    let open = facts.in_effect(None);
    if !open.is_empty() {
        problems.push(format!(
            "the trail's logs are public through {}",
            via_words(&open)
        ));
        evidence.extend(open.iter().map(|f| facts.evidence(f)));
    }
    match &b.logging {
        Facet::Present(_) => {}
        Facet::Absent => {
            problems.push("server access logging is off".to_string());
            evidence.push(Evidence::at("no LoggingEnabled", "logging"));
        }
        Facet::Unknown(u) => unknown.push(format!("server access logging unknown: {u}")),
    }
    Some(if !problems.is_empty() {
        Verdict::fail(
            format!("CloudTrail log bucket exposed: {}", problems.join("; ")),
            evidence,
        )
    } else if !unknown.is_empty() {
        let mut v = Verdict::undecided(undecided_because(&unknown));
        v.evidence = evidence;
        v
    } else {
        Verdict::pass(
            "CloudTrail log bucket is not public and is access-logged",
            evidence,
        )
    })
}
