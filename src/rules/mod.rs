//! The check catalogue. A rule is data (id, title, severity, framework
//! controls, the remediation that fixes it) plus a pure function from what
//! was read to a verdict. Adding a rule touches one place: `s3.rs` (and the
//! `s3/` module holding its checks) or `iam.rs`.

pub mod iam;
pub mod s3;

pub use s3::facts::BucketFacts;

use serde::Serialize;

use crate::model::finding::{Evidence, Finding, Severity, Status};
use crate::model::iam::IamInventory;
use crate::model::s3::{Bucket, PublicAccessBlock};
use crate::model::{Facet, Inventory, Unknown};
use crate::policy::principals::{IamAnalysis, PrincipalReport};

/// Which part of the account a rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Service {
    S3,
    Iam,
}

/// What one check concluded before it is stamped with the rule's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub status: Status,
    pub reason: Option<String>,
    pub evidence: Vec<Evidence>,
}

impl Verdict {
    pub fn fail(reason: impl Into<String>, evidence: Vec<Evidence>) -> Self {
        Verdict {
            status: Status::Fail,
            reason: Some(reason.into()),
            evidence,
        }
    }

    pub fn pass(reason: impl Into<String>, evidence: Vec<Evidence>) -> Self {
        Verdict {
            status: Status::Pass,
            reason: Some(reason.into()),
            evidence,
        }
    }

    /// A needed facet could not be read: never a pass.
    pub fn unknown(what: &str, why: &Unknown) -> Self {
        Verdict::undecided(format!("{what} unknown: {why}"))
    }

    /// The rule cannot decide, for the reason given (a facet unknown, a
    /// policy that cannot be parsed): never a pass.
    pub fn undecided(reason: impl Into<String>) -> Self {
        Verdict {
            status: Status::Unknown,
            reason: Some(reason.into()),
            evidence: Vec::new(),
        }
    }
}

/// The facts a bucket rule may use.
#[derive(Debug, Clone, Copy)]
pub struct BucketContext<'a> {
    pub bucket: &'a Bucket,
    pub account_id: &'a str,
    pub account_public_access_block: &'a Facet<PublicAccessBlock>,
    /// Names of buckets that receive CloudTrail logs (from bucket policies
    /// granting `cloudtrail.amazonaws.com`), for `s3-trail-bucket-exposed`.
    pub trail_buckets: &'a [String],
}

/// The facts an account-level rule may use.
#[derive(Debug, Clone, Copy)]
pub struct AccountContext<'a> {
    pub account_id: &'a str,
    pub region: &'a str,
    pub account_public_access_block: &'a Facet<PublicAccessBlock>,
    pub iam: &'a Facet<IamInventory>,
    /// Milliseconds since the epoch, for age rules.
    pub now_ms: i64,
    /// Every principal's effective permissions, credentials and trust,
    /// computed once from `iam` (see [`principal_reports`]). Empty means
    /// "not computed yet": [`evaluate_account_with`] computes them once for
    /// all IAM rules, and an IAM rule called on its own computes its own.
    pub principals: &'a [PrincipalReport],
}

/// The principal reports the IAM rules read, computed once per account.
pub fn principal_reports(
    iam: &Facet<IamInventory>,
    account_id: &str,
    now_ms: i64,
) -> Vec<PrincipalReport> {
    match iam {
        Facet::Present(iam) => IamAnalysis::new(iam, account_id).principal_reports(now_ms),
        _ => Vec::new(),
    }
}

/// How a rule is evaluated.
#[derive(Clone, Copy)]
pub enum Check {
    /// Once per bucket; `None` when the rule does not apply to this bucket.
    Bucket(fn(&BucketFacts<'_, '_>) -> Option<Verdict>),
    /// Once per account: findings for the account or its principals.
    Account(fn(&AccountContext<'_>) -> Vec<(String, Verdict)>),
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Check::Bucket(_) => "Check::Bucket",
            Check::Account(_) => "Check::Account",
        })
    }
}

/// One rule of the catalogue.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Rule {
    /// Stable id, e.g. `s3-public-read`.
    pub id: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub service: Service,
    /// Framework controls: `CIS-AWS-3.0:…`, `CIS-AWS-4.0:…` (CIS AWS
    /// Foundations Benchmark recommendation numbers) and `FSBP:S3.x` (the AWS
    /// Security Hub control id, as the Foundational Security Best Practices
    /// catalogue numbers it).
    pub frameworks: &'static [&'static str],
    /// The remediation id that fixes it.
    pub remediation: Option<&'static str>,
    #[serde(skip)]
    pub check: Check,
}

impl Rule {
    /// Stamp a verdict with this rule's data. Reasons and evidence quote
    /// policy documents, which are kept as written (attacker text): they are
    /// made safe for a terminal here, once, for every rule.
    pub fn finding(&self, resource: &str, region: &str, v: Verdict) -> Finding {
        let safe = |s: String| crate::model::text::sanitize(&s).into_owned();
        Finding {
            rule: self.id.to_string(),
            resource: resource.to_string(),
            region: region.to_string(),
            severity: self.severity,
            status: v.status,
            reason: v.reason.map(safe),
            evidence: v
                .evidence
                .into_iter()
                .map(|e| Evidence {
                    summary: safe(e.summary),
                    path: e.path.map(safe),
                })
                .collect(),
            remediation: self.remediation.map(str::to_string),
            frameworks: self.frameworks.iter().map(|s| s.to_string()).collect(),
        }
    }
}

/// Every rule, S3 first.
pub fn catalogue() -> Vec<&'static Rule> {
    s3::RULES.iter().chain(iam::RULES.iter()).collect()
}

/// The rule with this id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    catalogue().into_iter().find(|r| r.id == id)
}

/// Buckets that receive CloudTrail logs: their parsed policy has an Allow
/// statement letting the `cloudtrail.amazonaws.com` service principal
/// `s3:PutObject` (see [`s3::trail::cloudtrail_write_statement`]).
pub fn trail_buckets(buckets: &[Bucket]) -> Vec<String> {
    buckets
        .iter()
        .filter(|b| s3::trail::receives_cloudtrail_logs(b))
        .map(|b| b.name.clone())
        .collect()
}

/// Every bucket rule on one bucket.
pub fn evaluate_bucket(ctx: &BucketContext<'_>) -> Vec<Finding> {
    evaluate_bucket_with(ctx, |_| true)
}

/// The bucket rules `keep` selects, on one bucket, in catalogue order.
pub fn evaluate_bucket_with(ctx: &BucketContext<'_>, keep: impl Fn(&Rule) -> bool) -> Vec<Finding> {
    let region = ctx
        .bucket
        .region
        .present()
        .map(String::as_str)
        .unwrap_or("");
    let arn = ctx.bucket.arn();
    let facts = BucketFacts::new(ctx);
    catalogue()
        .into_iter()
        .filter(|rule| keep(rule))
        .filter_map(|rule| match rule.check {
            Check::Bucket(f) => f(&facts).map(|v| rule.finding(&arn, region, v)),
            Check::Account(_) => None,
        })
        .collect()
}

/// Every account-level rule.
pub fn evaluate_account(ctx: &AccountContext<'_>) -> Vec<Finding> {
    evaluate_account_with(ctx, |_| true)
}

/// The account-level rules `keep` selects (e.g. only S3's, when IAM was not
/// read), in catalogue order.
pub fn evaluate_account_with(
    ctx: &AccountContext<'_>,
    keep: impl Fn(&Rule) -> bool,
) -> Vec<Finding> {
    // The IAM rules share one set of principal reports per account.
    let computed;
    let with_principals;
    let ctx = if ctx.principals.is_empty()
        && catalogue()
            .iter()
            .any(|r| r.service == Service::Iam && keep(r))
    {
        computed = principal_reports(ctx.iam, ctx.account_id, ctx.now_ms);
        with_principals = AccountContext {
            principals: &computed,
            ..*ctx
        };
        &with_principals
    } else {
        ctx
    };
    catalogue()
        .into_iter()
        .filter(|rule| keep(rule))
        .flat_map(|rule| match rule.check {
            Check::Account(f) => f(ctx)
                .into_iter()
                .map(|(resource, v)| rule.finding(&resource, ctx.region, v))
                .collect(),
            Check::Bucket(_) => Vec::new(),
        })
        .collect()
}

/// The account-level facts of an inventory (its bucket list is not used).
/// The principal reports are left to [`evaluate_account_with`], which
/// computes them once when an IAM rule runs.
pub fn account_context(inventory: &Inventory, now_ms: i64) -> AccountContext<'_> {
    AccountContext {
        account_id: &inventory.account.account_id,
        region: &inventory.account.region,
        account_public_access_block: &inventory.account_public_access_block,
        iam: &inventory.iam,
        now_ms,
        principals: &[],
    }
}

/// Every rule on a whole inventory, in catalogue order per resource.
pub fn evaluate(inventory: &Inventory, now_ms: i64) -> Vec<Finding> {
    let trail = trail_buckets(&inventory.buckets);
    let mut out = evaluate_account(&account_context(inventory, now_ms));
    for bucket in &inventory.buckets {
        out.extend(evaluate_bucket(&BucketContext {
            bucket,
            account_id: &inventory.account.account_id,
            account_public_access_block: &inventory.account_public_access_block,
            trail_buckets: &trail,
        }));
    }
    out
}
