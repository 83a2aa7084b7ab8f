//! Who can reach a bucket: public reads and writes, Block Public Access at
//! both levels, other accounts and organisations, ACLs, and S3's own verdict
//! beside vigil's.

use super::facts::{BucketFacts, PolicyFact, undecided_because, via_words};
use crate::model::Facet;
use crate::model::finding::Evidence;
use crate::model::s3::{AclGrant, Grantee, ObjectOwnership, PublicAccessBlock};
use crate::policy::public::StatementVerdict;
use crate::policy::{self, AccessKind, BucketInput};
use crate::rules::{AccountContext, Verdict};

/// `s3-public-read`.
pub fn public_read(ctx: &BucketFacts<'_, '_>) -> Option<Verdict> {
    Some(public_for(ctx, AccessKind::Read, "read"))
}

/// `s3-public-write`.
pub fn public_write(ctx: &BucketFacts<'_, '_>) -> Option<Verdict> {
    Some(public_for(ctx, AccessKind::Write, "write to"))
}

fn public_for(ctx: &BucketFacts<'_, '_>, kind: AccessKind, verb: &str) -> Verdict {
    let facts = ctx.publicity();
    let open = facts.in_effect(Some(kind));
    if let Some(first) = open.first() {
        return Verdict::fail(
            format!(
                "anyone can {verb} it through {}: {}",
                via_words(&open),
                first.reason
            ),
            open.iter().map(|f| facts.evidence(f)).collect(),
        );
    }
    let cut_off: Vec<Evidence> = facts
        .neutralised(Some(kind))
        .into_iter()
        .map(|f| facts.evidence(f))
        .collect();
    if !facts.unknown.is_empty() {
        let mut v = Verdict::undecided(undecided_because(&facts.unknown));
        v.evidence = cut_off;
        return v;
    }
    let reason = if cut_off.is_empty() {
        format!("no policy statement or ACL grant lets anyone {verb} it")
    } else {
        format!("the public grants that would let anyone {verb} it are cut off")
    };
    Verdict::pass(reason, cut_off)
}

/// The four settings with their names, for evidence paths.
fn settings(b: &PublicAccessBlock) -> [(&'static str, bool); 4] {
    [
        ("BlockPublicAcls", b.block_public_acls),
        ("IgnorePublicAcls", b.ignore_public_acls),
        ("BlockPublicPolicy", b.block_public_policy),
        ("RestrictPublicBuckets", b.restrict_public_buckets),
    ]
}

/// `s3-bucket-bpa-off`: S3 applies the most restrictive combination of the
/// bucket and account settings, per setting (S3 User Guide, "Blocking public
/// access to your Amazon S3 storage"), so a setting the bucket leaves off
/// counts as on when the account turns it on — CIS 2.1.4 accepts either level.
pub fn bucket_bpa_off(ctx: &BucketFacts<'_, '_>) -> Option<Verdict> {
    let bucket = match &ctx.bucket.public_access_block {
        Facet::Present(b) => Some(*b),
        Facet::Absent => None,
        Facet::Unknown(u) => return Some(Verdict::unknown("bucket Block Public Access", u)),
    };
    if bucket.is_some_and(|b| b.all_on()) {
        return Some(Verdict::pass(
            "all four Block Public Access settings are on for the bucket",
            vec![Evidence::at("all four settings on", "public_access_block")],
        ));
    }
    let account = match ctx.account_public_access_block {
        Facet::Present(a) => Some(*a),
        Facet::Absent => None,
        Facet::Unknown(u) => {
            return Some(Verdict::unknown(
                "account Block Public Access (it applies to the settings the bucket leaves off)",
                u,
            ));
        }
    };
    let effective = policy::public::combine_bpa(account.as_ref(), bucket.as_ref());
    let level = |on: bool| if on { "on" } else { "off" };
    let bucket_settings = bucket.map(|b| settings(&b));
    let account_settings = account.map(|a| settings(&a));
    let mut off = Vec::new();
    let mut evidence = Vec::new();
    for (i, (name, on)) in settings(&effective).into_iter().enumerate() {
        let at_bucket = bucket_settings.map(|s| s[i].1);
        let at_account = account_settings.map(|s| s[i].1);
        if on {
            if at_bucket != Some(true) {
                evidence.push(Evidence::at(
                    format!("{name} is on for the whole account"),
                    format!("account_public_access_block.{name}"),
                ));
            }
            continue;
        }
        off.push(name);
        evidence.push(Evidence::at(
            format!(
                "{name} is off (bucket: {}, account: {})",
                at_bucket.map_or("not configured", level),
                at_account.map_or("not configured", level)
            ),
            format!("public_access_block.{name}"),
        ));
    }
    Some(if off.is_empty() {
        Verdict::pass(
            "every Block Public Access setting is on, the account supplying what the bucket leaves off",
            evidence,
        )
    } else {
        Verdict::fail(
            format!(
                "Block Public Access is off at both levels for: {}",
                off.join(", ")
            ),
            evidence,
        )
    })
}

/// The resource an account-level S3 finding is about.
pub fn account_resource(account_id: &str) -> String {
    format!("arn:aws:s3::{account_id}:account")
}

/// `s3-account-bpa-off`: all four account-level settings on (Security Hub
/// S3.1 fails "if any of the settings are set to false, or if any of the
/// settings are not configured").
pub fn account_bpa_off(ctx: &AccountContext<'_>) -> Vec<(String, Verdict)> {
    let verdict = match ctx.account_public_access_block {
        Facet::Unknown(u) => Verdict::unknown("account Block Public Access", u),
        Facet::Absent => Verdict::fail(
            "account-level Block Public Access is not configured: every setting is off",
            vec![Evidence::at(
                "no account-level configuration",
                "account_public_access_block",
            )],
        ),
        Facet::Present(a) if a.all_on() => Verdict::pass(
            "all four account-level Block Public Access settings are on",
            vec![Evidence::at(
                "all four settings on",
                "account_public_access_block",
            )],
        ),
        Facet::Present(a) => {
            let off: Vec<&str> = settings(a)
                .into_iter()
                .filter(|(_, on)| !on)
                .map(|(n, _)| n)
                .collect();
            Verdict::fail(
                format!(
                    "account-level Block Public Access is off for: {}",
                    off.join(", ")
                ),
                off.iter()
                    .map(|n| {
                        Evidence::at(
                            format!("{n} is off"),
                            format!("account_public_access_block.{n}"),
                        )
                    })
                    .collect(),
            )
        }
    };
    vec![(account_resource(ctx.account_id), verdict)]
}

/// Whether an ACL grant names someone outside the owner's account: another
/// canonical user, or an account by e-mail.
fn grant_to_other_account(g: &AclGrant, owner_id: &str) -> Option<String> {
    match &g.grantee {
        Grantee::CanonicalUser { id, .. } if !id.trim().eq_ignore_ascii_case(owner_id.trim()) => {
            Some(format!("canonical user {id}"))
        }
        Grantee::AmazonCustomerByEmail { email } => Some(format!("the account of {email}")),
        _ => None,
    }
}

/// `s3-external-access`: other accounts and whole organisations granted
/// access by the policy (the engine's `external_access`), and ACL grants to
/// other canonical users while ACLs are enabled. Public grants are judged by
/// `s3-public-read`/`s3-public-write`, not here.
pub fn external_access(ctx: &BucketFacts<'_, '_>) -> Option<Verdict> {
    let b = ctx.bucket;
    let mut evidence = Vec::new();
    let mut reach = Vec::new();
    let mut unknown = Vec::new();
    match ctx.policy() {
        PolicyFact::Parsed(p) => {
            let access = policy::external_access(p, ctx.account_id);
            for g in access.grants.iter().filter(|g| g.to != "public") {
                if !reach.contains(&g.to) {
                    reach.push(g.to.clone());
                }
                evidence.push(Evidence::at(
                    format!(
                        "{} grants access to {}: {}",
                        g.statement.describe(),
                        g.to,
                        g.reason
                    ),
                    format!("policy:{}", g.statement.path),
                ));
            }
        }
        PolicyFact::NoPolicy => {}
        PolicyFact::Undecidable(why) => unknown.push(why.clone()),
    }
    match &b.acl {
        Facet::Present(acl) => {
            let others: Vec<(usize, String, &AclGrant)> = acl
                .grants
                .iter()
                .enumerate()
                .filter_map(|(i, g)| grant_to_other_account(g, &acl.owner_id).map(|w| (i, w, g)))
                .collect();
            if !others.is_empty() {
                match &b.ownership {
                    // ACLs disabled: the grants no longer affect access.
                    Facet::Present(ObjectOwnership::BucketOwnerEnforced) => {}
                    Facet::Present(_) | Facet::Absent => {
                        for (i, who, g) in others {
                            if !reach.contains(&who) {
                                reach.push(who.clone());
                            }
                            evidence.push(Evidence::at(
                                format!("ACL grants {} to {who}", g.permission),
                                format!("acl:Grants[{i}]"),
                            ));
                        }
                    }
                    Facet::Unknown(u) => unknown.push(format!(
                        "Object Ownership unknown (ACL grants to other accounts count only while ACLs are enabled): {u}"
                    )),
                }
            }
        }
        Facet::Absent => {}
        Facet::Unknown(u) => unknown.push(format!("ACL unknown: {u}")),
    }
    Some(if !evidence.is_empty() {
        Verdict::fail(
            format!("reachable from outside the account by {}", reach.join(", ")),
            evidence,
        )
    } else if !unknown.is_empty() {
        Verdict::undecided(undecided_because(&unknown))
    } else {
        Verdict::pass(
            "no policy statement or ACL grant reaches another account or organisation",
            Vec::new(),
        )
    })
}

/// `s3-acls-enabled`: ACLs stay in force unless Object Ownership is
/// `BucketOwnerEnforced`; without ownership controls a bucket behaves as
/// `ObjectWriter` (S3 User Guide, "Controlling ownership of objects and
/// disabling ACLs").
pub fn acls_enabled(ctx: &BucketFacts<'_, '_>) -> Option<Verdict> {
    let path = "ownership.ObjectOwnership";
    Some(match &ctx.bucket.ownership {
        Facet::Present(ObjectOwnership::BucketOwnerEnforced) => Verdict::pass(
            "ACLs are disabled (Object Ownership BucketOwnerEnforced)",
            vec![Evidence::at("ObjectOwnership: BucketOwnerEnforced", path)],
        ),
        Facet::Present(o) => Verdict::fail(
            format!("ACLs are enabled: Object Ownership is {}", o.as_str()),
            vec![Evidence::at(
                format!("ObjectOwnership: {}", o.as_str()),
                path,
            )],
        ),
        Facet::Absent => Verdict::fail(
            "ACLs are enabled: no Object Ownership setting (the bucket behaves as ObjectWriter)",
            vec![Evidence::at("no ownership controls", "ownership")],
        ),
        Facet::Unknown(u) => Verdict::unknown("Object Ownership", u),
    })
}

/// `s3-policy-status-mismatch`: S3's own `GetBucketPolicyStatus` judges the
/// policy alone, by the same documented meaning of public as the engine's
/// policy-only verdict (`policy_is_public`, regardless of Block Public
/// Access). When the two disagree the finding says which way; on a live
/// account AWS is the final word and the disagreement is a vigil bug to
/// report. Not applicable when either side has no verdict (no policy status,
/// or a policy vigil cannot judge).
pub fn policy_status_mismatch(ctx: &BucketFacts<'_, '_>) -> Option<Verdict> {
    let s3_public = ctx.bucket.policy_status.present()?.is_public;
    let policy = match ctx.policy() {
        PolicyFact::Parsed(p) => Some(p),
        PolicyFact::NoPolicy => None,
        PolicyFact::Undecidable(_) => return None,
    };
    let verdict = policy::bucket_publicity(&BucketInput {
        bucket: &ctx.bucket.name,
        account_id: ctx.account_id,
        policy,
        acl_grants: &[],
        bucket_bpa: None,
        account_bpa: None,
        object_ownership: None,
    });
    let status = Evidence::at(
        format!("GetBucketPolicyStatus IsPublic: {s3_public}"),
        "policy_status.IsPublic",
    );
    let statements: Vec<Evidence> = policy
        .map(|p| p.statements.as_slice())
        .unwrap_or_default()
        .iter()
        .filter_map(|st| {
            let r = policy::StatementRef::new(0, st);
            let path = format!("policy:{}", r.path);
            match policy::public::statement_verdict(st) {
                StatementVerdict::Public(why) => Some(Evidence::at(
                    format!("vigil: {} is public: {why}", r.describe()),
                    path,
                )),
                StatementVerdict::Restricted(how) => Some(Evidence::at(
                    format!("vigil: {} is not public: {how}", r.describe()),
                    path,
                )),
                StatementVerdict::NotPublic(_) => None,
            }
        })
        .collect();
    let vigil_public = verdict.policy_is_public;
    let mut evidence = vec![status];
    evidence.extend(statements);
    Some(match (s3_public, vigil_public) {
        (true, false) => Verdict::fail(
            format!(
                "S3 says public, vigil says not: {}",
                verdict.reasons.join("; ")
            ),
            evidence,
        ),
        (false, true) => Verdict::fail(
            format!(
                "S3 says not public, vigil says public: {}",
                verdict.reasons.join("; ")
            ),
            evidence,
        ),
        (true, true) => Verdict::pass("S3 and vigil agree: the policy is public", evidence),
        (false, false) => Verdict::pass("S3 and vigil agree: the policy is not public", evidence),
    })
}
