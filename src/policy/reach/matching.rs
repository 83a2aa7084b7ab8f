//! Whether one statement applies to a bucket or to some (or every) object in
//! it, for one principal, with the conditions the caller must meet.

use std::borrow::Cow;

use super::super::arn;
use super::super::condition::{self, Context};
use super::super::document::{Effect, ResourceBlock, Statement};
use super::super::wildcard::{self, LITERAL_QUESTION, LITERAL_STAR};

/// What an action acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ResourceTarget {
    /// The bucket itself (`arn:aws:s3:::B`).
    Bucket,
    /// Objects in it (`arn:aws:s3:::B/KEY`).
    Object,
}

/// The bucket's ARN forms, built once per bucket.
pub(super) struct BucketArns {
    /// `arn:aws:s3:::B`.
    bucket: String,
    /// `B/`: what every object's ARN resource part starts with.
    objects: String,
    /// `arn:aws:s3:::B/`.
    object_arn_prefix: String,
}

impl BucketArns {
    pub(super) fn new(bucket: &str) -> BucketArns {
        BucketArns {
            bucket: format!("arn:aws:s3:::{bucket}"),
            objects: format!("{bucket}/"),
            object_arn_prefix: format!("arn:aws:s3:::{bucket}/"),
        }
    }
}

/// The bucket and the kind of resource an action needs.
pub(super) struct Scope<'a> {
    pub(super) arns: &'a BucketArns,
    pub(super) target: ResourceTarget,
}

/// Whether a statement applies.
pub(super) enum StatementMatch {
    /// It applies, provided the caller meets conditions on these keys.
    Applies { caller_keys: Vec<String> },
    /// It applies only on conditions the caller can avoid (a Deny).
    Avoidable { caller_keys: Vec<String> },
    /// It does not apply to this principal and resource.
    No,
}

/// Condition keys whose value the principal itself fixes, so they are
/// evaluated rather than assumed.
fn principal_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    matches!(
        k.as_str(),
        "aws:principalarn"
            | "aws:principalaccount"
            | "aws:principaltype"
            | "aws:username"
            | "aws:principalisawsservice"
    ) || k.starts_with("aws:principaltag/")
}

/// Whether a wildcard pattern can match some string that starts with
/// `prefix` (the rest is free): simulate the pattern over the prefix and
/// see whether any position is still alive. Linear in pattern × prefix.
fn can_match_with_prefix(pattern: &str, prefix: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let mut alive = vec![false; p.len() + 1];
    let close = |alive: &mut Vec<bool>| {
        for i in 0..p.len() {
            if alive[i] && p[i] == '*' {
                alive[i + 1] = true;
            }
        }
    };
    alive[0] = true;
    close(&mut alive);
    for c in prefix.chars() {
        let mut next = vec![false; p.len() + 1];
        for i in 0..p.len() {
            if !alive[i] {
                continue;
            }
            match p[i] {
                '*' => next[i] = true,
                '?' => next[i + 1] = true,
                LITERAL_STAR if c == '*' => next[i + 1] = true,
                LITERAL_QUESTION if c == '?' => next[i + 1] = true,
                x if x == c => next[i + 1] = true,
                _ => {}
            }
        }
        close(&mut next);
        if !next.iter().any(|a| *a) {
            return false;
        }
        alive = next;
    }
    alive.iter().any(|a| *a)
}

fn all_stars(p: &str) -> bool {
    !p.is_empty() && p.chars().all(|c| c == '*')
}

/// The pattern's first five ARN parts match an S3 object's (`arn:aws:s3::`).
fn s3_head(p: &arn::Arn<'_>) -> bool {
    wildcard::matches(p.partition, "aws")
        && wildcard::matches(p.service, "s3")
        && wildcard::matches(p.region, "")
        && wildcard::matches(p.account, "")
}

/// `pattern` matches at least one object of the bucket.
fn some_object(pattern: &str, arns: &BucketArns) -> bool {
    if all_stars(pattern) {
        return true;
    }
    match arn::parse(pattern) {
        Some(p) => s3_head(&p) && can_match_with_prefix(p.resource, &arns.objects),
        None if pattern.starts_with("arn:") => false,
        None => can_match_with_prefix(pattern, &arns.object_arn_prefix),
    }
}

/// `pattern` matches every object of the bucket.
fn every_object(pattern: &str, arns: &BucketArns) -> bool {
    if all_stars(pattern) {
        return true;
    }
    match arn::parse(pattern) {
        Some(p) => {
            s3_head(&p) && wildcard::covers_all_with_prefix(p.resource, &arns.objects, false)
        }
        None if pattern.starts_with("arn:") => false,
        None => wildcard::covers_all_with_prefix(pattern, &arns.object_arn_prefix, false),
    }
}

/// Whether the statement's resources apply: for an Allow, to the bucket or
/// to some object; for a Deny, to the bucket or to every object.
fn resources_apply(st: &Statement, scope: &Scope<'_>, ctx: &Context, effect: Effect) -> bool {
    let arns = scope.arns;
    let (patterns, negated) = match &st.resource {
        None => return true,
        Some(ResourceBlock::Resource(p)) => (p, false),
        Some(ResourceBlock::NotResource(p)) => (p, true),
    };
    // Substitute policy variables only where there are some; an
    // unresolvable one leaves its pattern out (it matches nothing).
    let resolved: Vec<Cow<'_, str>> = patterns
        .iter()
        .filter_map(|p| {
            if st.variables && p.contains("${") {
                condition::substitute(p, ctx).map(Cow::Owned)
            } else {
                Some(Cow::Borrowed(p.as_str()))
            }
        })
        .collect();
    let bucket_hit = || resolved.iter().any(|p| arn::arn_like(p, &arns.bucket));
    match (scope.target, negated, effect) {
        (ResourceTarget::Bucket, false, _) => bucket_hit(),
        (ResourceTarget::Bucket, true, _) => !bucket_hit(),
        // Allow: some object listed / not every object excluded.
        (ResourceTarget::Object, false, Effect::Allow) => {
            resolved.iter().any(|p| some_object(p, arns))
        }
        (ResourceTarget::Object, true, Effect::Allow) => {
            !resolved.iter().any(|p| every_object(p, arns))
        }
        // Deny: every object listed / no object excluded.
        (ResourceTarget::Object, false, Effect::Deny) => {
            resolved.iter().any(|p| every_object(p, arns))
        }
        (ResourceTarget::Object, true, Effect::Deny) => {
            !resolved.iter().any(|p| some_object(p, arns))
        }
    }
}

/// Whether `st` (its action already matched) applies to this principal on
/// this resource. Principal keys are evaluated; every other key is the
/// caller's to meet (Allow) or avoid (Deny).
pub(super) fn statement_match(
    st: &Statement,
    scope: &Scope<'_>,
    ctx: &Context,
    effect: Effect,
) -> StatementMatch {
    if !resources_apply(st, scope, ctx, effect) {
        return StatementMatch::No;
    }
    let mut caller_keys = Vec::new();
    for c in &st.conditions {
        if principal_key(&c.key) {
            if condition::evaluate(c, ctx, st.variables) != Some(true) {
                return StatementMatch::No;
            }
        } else if !caller_keys.contains(&c.key) {
            caller_keys.push(c.key.clone());
        }
    }
    if effect == Effect::Deny && !caller_keys.is_empty() {
        StatementMatch::Avoidable { caller_keys }
    } else {
        StatementMatch::Applies { caller_keys }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn some_and_every_object_of_a_bucket() {
        let b = &BucketArns::new("b");
        assert!(some_object("arn:aws:s3:::b/*", b));
        assert!(some_object("arn:aws:s3:::b/uploads/*", b));
        assert!(some_object("arn:aws:s3:::b*/x", b));
        assert!(some_object("arn:aws:s3:::*", b));
        assert!(some_object("*", b));
        assert!(!some_object("arn:aws:s3:::other/*", b));
        assert!(
            !some_object("arn:aws:s3:::b", b),
            "the bucket is not an object"
        );
        assert!(!some_object("arn:aws:iam::*:user/*", b));
        assert!(every_object("arn:aws:s3:::b/*", b));
        assert!(every_object("arn:aws:s3:::*", b));
        assert!(!every_object("arn:aws:s3:::b/uploads/*", b));
        assert!(!every_object("arn:aws:s3:::b?/*", b));
    }

    #[test]
    fn prefix_simulation_is_linear_and_exact() {
        assert!(can_match_with_prefix("b/*", "b/"));
        assert!(can_match_with_prefix("b/logs/?x", "b/"));
        assert!(!can_match_with_prefix("c/*", "b/"));
        assert!(can_match_with_prefix("*a*a*a*a*b", &"a".repeat(10_000)));
        assert!(!can_match_with_prefix("ab", "abc"));
    }
}
