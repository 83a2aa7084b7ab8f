//! What the console shows about a bucket, from the analyses other layers
//! own: the S3 rules (`rules::evaluate_bucket`) and the policy engine
//! (`policy::analyze_bucket`). The console decides nothing itself; this is
//! the one place the Buckets pane gets its facts, computed once when a
//! bucket arrives (never while drawing). Parsed text is sanitised again:
//! JSON escapes like `\u001b` become real control characters when parsed.

use crate::model::Facet;
use crate::model::finding::{Finding, Severity, Status};
use crate::model::s3::{Bucket, PublicAccessBlock, VersioningStatus};
use crate::model::text::safe;
use crate::policy::{self, AccessKind, BucketInput, BucketReport, Policy};
use crate::rules::{self, BucketContext};

/// Whether and how a bucket is public.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Public {
    No,
    Read,
    Write,
    ReadWrite,
    /// The policy or the ACL could not be read (or parsed): not a "no".
    Unknown(String),
}

impl Public {
    /// The table cell.
    pub fn label(&self) -> &'static str {
        match self {
            Public::No => "no",
            Public::Read => "read",
            Public::Write => "write",
            Public::ReadWrite => "rw",
            Public::Unknown(_) => "unknown",
        }
    }

    /// For sorting: the more open, the greater.
    pub fn rank(&self) -> u8 {
        match self {
            Public::No => 0,
            Public::Unknown(_) => 1,
            Public::Read => 2,
            Public::Write => 3,
            Public::ReadWrite => 4,
        }
    }
}

/// Failing (and undecided) findings of a resource, by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub critical: u16,
    pub high: u16,
    pub medium: u16,
    pub low: u16,
    pub info: u16,
    pub unknown: u16,
}

impl Counts {
    /// Count the failing findings by severity, and the undecided ones.
    pub fn of(findings: &[Finding]) -> Counts {
        let mut c = Counts::default();
        for f in findings {
            match f.status {
                Status::Pass => {}
                Status::Unknown => c.unknown += 1,
                Status::Fail => match f.severity {
                    Severity::Critical => c.critical += 1,
                    Severity::High => c.high += 1,
                    Severity::Medium => c.medium += 1,
                    Severity::Low => c.low += 1,
                    Severity::Info => c.info += 1,
                },
            }
        }
        c
    }

    /// The most severe failing severity.
    pub fn worst(&self) -> Option<Severity> {
        [
            (self.critical, Severity::Critical),
            (self.high, Severity::High),
            (self.medium, Severity::Medium),
            (self.low, Severity::Low),
            (self.info, Severity::Info),
        ]
        .into_iter()
        .find(|(n, _)| *n > 0)
        .map(|(_, s)| s)
    }

    /// A weight for sorting: one critical outweighs any number of highs.
    pub fn score(&self) -> u64 {
        (u64::from(self.critical) << 48)
            | (u64::from(self.high) << 32)
            | (u64::from(self.medium) << 16)
            | u64::from(self.low)
    }
}

/// One bucket with everything the console shows about it, computed once
/// when the bucket arrives (never while drawing).
#[derive(Debug, Clone)]
pub struct BucketView {
    pub bucket: Bucket,
    pub region: String,
    pub public: Public,
    pub encryption: String,
    pub bpa: String,
    pub versioning: String,
    pub logging: String,
    pub findings: Vec<Finding>,
    pub counts: Counts,
    /// The engine's verdict on the policy, the ACL and Block Public Access.
    pub report: Option<BucketReport>,
    /// Why the policy could not be judged (unreadable or malformed).
    pub policy_problem: Option<String>,
}

/// Everything about one bucket, from the rules and the policy engine.
pub fn analyse_bucket(
    bucket: Bucket,
    account_id: &str,
    account_bpa: &Facet<PublicAccessBlock>,
) -> BucketView {
    // Per bucket: whether this bucket receives CloudTrail logs depends only
    // on its own policy, so streaming buckets one by one loses nothing.
    let trail = rules::trail_buckets(std::slice::from_ref(&bucket));
    let findings = rules::evaluate_bucket(&BucketContext {
        bucket: &bucket,
        account_id,
        account_public_access_block: account_bpa,
        trail_buckets: &trail,
    });
    let (parsed, policy_problem): (Option<Policy>, Option<String>) = match &bucket.policy {
        Facet::Present(text) => match Policy::parse(text) {
            Ok(p) => (Some(p), None),
            Err(e) => (None, Some(safe(&e.to_string()))),
        },
        Facet::Absent => (None, None),
        Facet::Unknown(u) => (None, Some(format!("policy unreadable: {u}"))),
    };
    let grants = bucket
        .acl
        .present()
        .map(|a| a.grants.as_slice())
        .unwrap_or(&[]);
    let report = policy::analyze_bucket(&BucketInput {
        bucket: &bucket.name,
        account_id,
        policy: parsed.as_ref(),
        acl_grants: grants,
        bucket_bpa: bucket.public_access_block.present(),
        account_bpa: account_bpa.present(),
        object_ownership: bucket.ownership.present().copied(),
    });
    let public = if report.public {
        let r = report.public_for.contains(&AccessKind::Read);
        let w = report.public_for.contains(&AccessKind::Write);
        match (r, w) {
            (true, true) => Public::ReadWrite,
            (false, true) => Public::Write,
            _ => Public::Read,
        }
    } else if let Some(p) = &policy_problem {
        Public::Unknown(p.clone())
    } else if let Facet::Unknown(u) = &bucket.acl {
        Public::Unknown(format!("ACL unreadable: {u}"))
    } else {
        Public::No
    };
    let effective =
        policy::public::combine_bpa(account_bpa.present(), bucket.public_access_block.present());
    let on = [
        effective.block_public_acls,
        effective.ignore_public_acls,
        effective.block_public_policy,
        effective.restrict_public_buckets,
    ]
    .iter()
    .filter(|b| **b)
    .count();
    let bpa = match (&bucket.public_access_block, on) {
        (Facet::Unknown(_), 4) => "on".to_string(),
        (Facet::Unknown(_), _) => "?".to_string(),
        (_, 4) => "on".to_string(),
        (_, 0) => "off".to_string(),
        (_, n) => format!("{n}/4"),
    };
    let encryption = match &bucket.encryption {
        Facet::Present(e) if e.bucket_key_enabled => format!("{}+BK", e.algorithm.label()),
        Facet::Present(e) => e.algorithm.label().to_string(),
        Facet::Absent => "none".into(),
        Facet::Unknown(_) => "?".into(),
    };
    let versioning = match &bucket.versioning {
        Facet::Present(v) => {
            let s = match v.status {
                VersioningStatus::Enabled => "on",
                VersioningStatus::Suspended => "susp",
                VersioningStatus::Off => "off",
            };
            if v.mfa_delete {
                format!("{s}+mfa")
            } else {
                s.to_string()
            }
        }
        Facet::Absent => "off".into(),
        Facet::Unknown(_) => "?".into(),
    };
    let logging = match &bucket.logging {
        Facet::Present(_) => "on",
        Facet::Absent => "off",
        Facet::Unknown(_) => "?",
    }
    .to_string();
    let region = match &bucket.region {
        Facet::Present(r) => safe(r),
        _ => "?".into(),
    };
    let counts = Counts::of(&findings);
    BucketView {
        bucket,
        region,
        public,
        encryption,
        bpa,
        versioning,
        logging,
        findings,
        counts,
        report: Some(report),
        policy_problem,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::demo::DemoCloud;
    use crate::lab::Lab;

    fn demo_bucket(name: &str) -> (Bucket, Facet<PublicAccessBlock>, String) {
        let lab = Lab::embedded().unwrap();
        let b = lab.buckets.iter().find(|b| b.name == name).unwrap();
        let account_bpa = match lab.account_public_access_block {
            Some(x) => Facet::Present(x.into()),
            None => Facet::Absent,
        };
        let _ = DemoCloud::from_lab(&lab, 0);
        (
            crate::lab::materialise::bucket(&lab, b),
            account_bpa,
            lab.account_id.clone(),
        )
    }

    #[test]
    fn unreadable_acl_is_unknown_not_no() {
        let (mut b, bpa, acct) = demo_bucket("vigil-lab-sse-kms");
        b.policy = Facet::Absent;
        b.acl = Facet::unknown(crate::model::UnknownReason::AccessDenied, "AccessDenied");
        let v = analyse_bucket(b, &acct, &bpa);
        assert!(matches!(v.public, Public::Unknown(_)), "{:?}", v.public);
    }

    #[test]
    fn a_public_policy_is_public_whatever_else_is_unknown() {
        let (mut b, _, acct) = demo_bucket("vigil-lab-sse-kms");
        b.policy = Facet::Present(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::vigil-lab-sse-kms/*"}]}"#.into(),
        );
        b.public_access_block = Facet::Absent;
        b.acl = Facet::unknown(crate::model::UnknownReason::AccessDenied, "AccessDenied");
        let v = analyse_bucket(b, &acct, &Facet::Absent);
        assert_eq!(v.public, Public::Read);
    }

    #[test]
    fn counts_order_critical_first() {
        let a = Counts {
            critical: 1,
            ..Default::default()
        };
        let b = Counts {
            high: 40,
            medium: 3,
            ..Default::default()
        };
        assert!(a.score() > b.score());
        assert_eq!(b.worst(), Some(Severity::High));
    }
}
