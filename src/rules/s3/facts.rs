//! What the S3 rules derive from a bucket's facets before judging: the
//! parsed policy (or why there is none to judge), and the engine's
//! publicity verdict with the unknown facets accounted for. Semantics live in
//! `policy`; this module only feeds it and keeps track of what was unknown.

use crate::model::Facet;
use crate::model::finding::Evidence;
use crate::model::s3::{AclGrant, ObjectOwnership, PublicAccessBlock};
use crate::policy::public::PublicFinding;
use crate::policy::{self, BucketInput, Policy, PublicVia, Publicity};
use crate::rules::BucketContext;

/// One bucket as the bucket rules see it: its context, and what is derived
/// from it — the parsed policy, the publicity verdict — worked out at most
/// once however many rules ask (a 20 KB policy parsed once per rule would
/// cost every rule its parse; README, Benchmarks).
pub struct BucketFacts<'c, 'a> {
    ctx: &'c BucketContext<'a>,
    policy: std::cell::OnceCell<PolicyFact>,
    publicity: std::cell::OnceCell<PublicityFacts>,
}

impl<'c, 'a> BucketFacts<'c, 'a> {
    pub fn new(ctx: &'c BucketContext<'a>) -> Self {
        BucketFacts {
            ctx,
            policy: std::cell::OnceCell::new(),
            publicity: std::cell::OnceCell::new(),
        }
    }

    /// The bucket's policy, parsed on first use.
    pub fn policy(&self) -> &PolicyFact {
        self.policy
            .get_or_init(|| PolicyFact::of(&self.ctx.bucket.policy))
    }

    /// The engine's publicity verdict, on first use.
    pub fn publicity(&self) -> &PublicityFacts {
        self.publicity
            .get_or_init(|| PublicityFacts::of(self.ctx, self.policy()))
    }
}

impl<'a> std::ops::Deref for BucketFacts<'_, 'a> {
    type Target = BucketContext<'a>;
    fn deref(&self) -> &BucketContext<'a> {
        self.ctx
    }
}

/// The bucket policy as a rule needs it.
#[derive(Debug, Clone)]
pub enum PolicyFact {
    /// The bucket has no policy (`NoSuchBucketPolicy`).
    NoPolicy,
    /// The policy, parsed.
    Parsed(Policy),
    /// Why the policy cannot be judged: not readable, or not a policy (the
    /// parse error with its position).
    Undecidable(String),
}

impl PolicyFact {
    /// Reads the bucket's policy facet. A document that does not parse makes
    /// the policy-based rules `unknown`, never `pass`.
    pub fn of(policy: &Facet<String>) -> Self {
        match policy {
            Facet::Absent => PolicyFact::NoPolicy,
            Facet::Present(text) => match Policy::parse(text) {
                Ok(p) => PolicyFact::Parsed(p),
                Err(e) => PolicyFact::Undecidable(format!("bucket policy cannot be judged: {e}")),
            },
            Facet::Unknown(u) => PolicyFact::Undecidable(format!("bucket policy unknown: {u}")),
        }
    }

    /// The parsed policy, when there is one.
    pub fn policy(&self) -> Option<&Policy> {
        match self {
            PolicyFact::Parsed(p) => Some(p),
            _ => None,
        }
    }
}

/// The engine's publicity verdict on a bucket, computed with every unknown
/// facet replaced by its most restrictive value (no policy statement, no ACL
/// grant, every Block Public Access setting on, ACLs disabled). Publicity only
/// grows with more grants and fewer neutralisers, so a grant found public
/// under those assumptions is public in fact; anything else is undecided
/// while `unknown` is not empty.
#[derive(Debug, Clone)]
pub struct PublicityFacts {
    pub publicity: Publicity,
    /// What could not be read or parsed, in words.
    pub unknown: Vec<String>,
    /// The ACL grants judged (for `acl:Grants[i]` paths).
    pub grants: Vec<AclGrant>,
    /// The bucket's own BPA, when read (to say which level neutralises).
    pub bucket_bpa: Option<PublicAccessBlock>,
}

impl PublicityFacts {
    /// Judges the bucket in `ctx` (its parsed policy `fact`, ACL, both BPA
    /// levels, ownership).
    pub fn of(ctx: &BucketContext<'_>, fact: &PolicyFact) -> Self {
        let b = ctx.bucket;
        let mut unknown = Vec::new();
        if let PolicyFact::Undecidable(why) = &fact {
            unknown.push(why.clone());
        }
        let grants = match &b.acl {
            Facet::Present(acl) => acl.grants.clone(),
            Facet::Absent => Vec::new(),
            Facet::Unknown(u) => {
                unknown.push(format!("ACL unknown: {u}"));
                Vec::new()
            }
        };
        let mut bpa = |f: &Facet<PublicAccessBlock>, what: &str| match f {
            Facet::Present(p) => Some(*p),
            Facet::Absent => None,
            Facet::Unknown(u) => {
                unknown.push(format!("{what} unknown: {u}"));
                Some(PublicAccessBlock::ALL_ON)
            }
        };
        let bucket_bpa = bpa(&b.public_access_block, "bucket Block Public Access");
        let account_bpa = bpa(
            ctx.account_public_access_block,
            "account Block Public Access",
        );
        let ownership = match &b.ownership {
            Facet::Present(o) => Some(*o),
            Facet::Absent => None,
            Facet::Unknown(u) => {
                unknown.push(format!("Object Ownership unknown: {u}"));
                Some(ObjectOwnership::BucketOwnerEnforced)
            }
        };
        let publicity = policy::bucket_publicity(&BucketInput {
            bucket: &b.name,
            account_id: ctx.account_id,
            policy: fact.policy(),
            acl_grants: &grants,
            bucket_bpa: bucket_bpa.as_ref(),
            account_bpa: account_bpa.as_ref(),
            object_ownership: ownership,
        });
        PublicityFacts {
            publicity,
            unknown,
            grants,
            bucket_bpa: match &b.public_access_block {
                Facet::Present(p) => Some(*p),
                _ => None,
            },
        }
    }

    /// The public statements and grants in effect that allow `kind` (all
    /// kinds when `None`).
    pub fn in_effect(&self, kind: Option<policy::AccessKind>) -> Vec<&PublicFinding> {
        self.publicity
            .findings
            .iter()
            .filter(|f| f.neutralised_by.is_none())
            .filter(|f| kind.is_none_or(|k| f.access.contains(&k)))
            .collect()
    }

    /// The public statements and grants that BPA or disabled ACLs cut off.
    pub fn neutralised(&self, kind: Option<policy::AccessKind>) -> Vec<&PublicFinding> {
        self.publicity
            .findings
            .iter()
            .filter(|f| f.neutralised_by.is_some())
            .filter(|f| kind.is_none_or(|k| f.access.contains(&k)))
            .collect()
    }

    /// Evidence for one public finding: the statement (`policy:Statement[i]`)
    /// or grant (`acl:Grants[i]`) in effect, or for a neutralised one the
    /// setting that cuts it off.
    pub fn evidence(&self, f: &PublicFinding) -> Evidence {
        let summary = match &f.neutralised_by {
            None => f.reason.clone(),
            Some(n) => format!("{}, but neutralised by {n}", f.reason),
        };
        let path = match (&f.neutralised_by, f.via) {
            (Some(n), _) => self.neutraliser_path(n),
            (None, PublicVia::Acl) => self.grant_path(f),
            (None, _) => f
                .statement
                .as_ref()
                .map(|s| format!("policy:{}", s.path))
                .unwrap_or_else(|| "policy".into()),
        };
        Evidence::at(summary, path)
    }

    /// `acl:Grants[i]` for an ACL finding: the first grant equal to it that
    /// an earlier finding has not claimed (the engine reports grants in order).
    fn grant_path(&self, f: &PublicFinding) -> String {
        let acl_findings = self
            .publicity
            .findings
            .iter()
            .filter(|x| x.via == PublicVia::Acl);
        let mut next = 0;
        for x in acl_findings {
            let Some(g) = &x.grant else { continue };
            let Some(offset) = self.grants[next..].iter().position(|y| y == g) else {
                break;
            };
            let index = next + offset;
            if std::ptr::eq(x, f) {
                return format!("acl:Grants[{index}]");
            }
            next = index + 1;
        }
        "acl".into()
    }

    /// The setting a neutraliser names, at the level that sets it.
    fn neutraliser_path(&self, neutraliser: &str) -> String {
        let setting = ["RestrictPublicBuckets", "IgnorePublicAcls"]
            .into_iter()
            .find(|s| neutraliser.starts_with(s));
        match setting {
            Some(s) => {
                let bucket_sets_it = self.bucket_bpa.is_some_and(|b| match s {
                    "RestrictPublicBuckets" => b.restrict_public_buckets,
                    _ => b.ignore_public_acls,
                });
                if bucket_sets_it {
                    format!("public_access_block.{s}")
                } else {
                    format!("account_public_access_block.{s}")
                }
            }
            None => "ownership.ObjectOwnership".into(),
        }
    }
}

/// "the bucket policy", "the ACL" or both, for reasons.
pub fn via_words(findings: &[&PublicFinding]) -> &'static str {
    let policy = findings.iter().any(|f| f.via == PublicVia::Policy);
    let acl = findings.iter().any(|f| f.via == PublicVia::Acl);
    match (policy, acl) {
        (true, true) => "the bucket policy and the ACL",
        (true, false) => "the bucket policy",
        _ => "the ACL",
    }
}

/// Joins the reasons a facet could not be read into one sentence.
pub fn undecided_because(unknown: &[String]) -> String {
    unknown.join("; ")
}
