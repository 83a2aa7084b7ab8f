//! ARNs: `arn:partition:service:region:account-id:resource`.
//!
//! `ArnLike`/`ArnEquals` and `Resource` matching compare "each of the six
//! colon-delimited components of the ARN ... separately and each can include
//! wildcards" (IAM User Guide, "IAM JSON policy elements: Condition operators",
//! section "Amazon Resource Name (ARN) condition operators"). The resource part
//! may itself contain colons, so we split at most five times.

use super::wildcard;

/// An ARN split into its six parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arn<'a> {
    /// `aws`, `aws-cn`, `aws-us-gov`, …
    pub partition: &'a str,
    /// `s3`, `iam`, `sts`, …
    pub service: &'a str,
    /// Empty for global services.
    pub region: &'a str,
    /// Twelve digits, or empty (S3 buckets).
    pub account: &'a str,
    /// Everything after the fifth colon, colons included.
    pub resource: &'a str,
}

/// Splits `s` into an [`Arn`]; `None` when it does not start with `arn:` or has
/// fewer than six parts.
pub fn parse(s: &str) -> Option<Arn<'_>> {
    let mut it = s.splitn(6, ':');
    if it.next()? != "arn" {
        return None;
    }
    Some(Arn {
        partition: it.next()?,
        service: it.next()?,
        region: it.next()?,
        account: it.next()?,
        resource: it.next()?,
    })
}

/// `pattern` matches `value` part by part (wildcards within each part,
/// case-sensitive). A pattern of only `*` matches everything; when either side
/// is not a six-part ARN the whole strings are wildcard-matched.
pub fn arn_like(pattern: &str, value: &str) -> bool {
    if !pattern.is_empty() && pattern.chars().all(|c| c == '*') {
        return true;
    }
    match (parse(pattern), parse(value)) {
        (Some(p), Some(v)) => {
            wildcard::matches(p.partition, v.partition)
                && wildcard::matches(p.service, v.service)
                && wildcard::matches(p.region, v.region)
                && wildcard::matches(p.account, v.account)
                && wildcard::matches(p.resource, v.resource)
        }
        // An `arn:` pattern with fewer than six parts is not a valid ARN and
        // cannot stand for one; a `*` never spans the colons between parts.
        (None, Some(_)) if pattern.starts_with("arn:") => false,
        _ => wildcard::matches(pattern, value),
    }
}

/// Whether `s` is a bare twelve-digit account id (IAM accepts it in `Principal`
/// as shorthand for `arn:aws:iam::ID:root`).
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The account a principal string belongs to: a bare account id, or the
/// account part of an IAM/STS ARN. `None` for `*`, services and wildcards.
pub fn principal_account(s: &str) -> Option<String> {
    if is_account_id(s) {
        return Some(s.to_string());
    }
    let a = parse(s)?;
    if is_account_id(a.account) {
        Some(a.account.to_string())
    } else {
        None
    }
}

/// For `arn:aws:sts::ACCT:assumed-role/NAME/SESSION`, the role it is a session
/// of, as `(account, role name)`.
pub fn assumed_role(s: &str) -> Option<(&str, &str)> {
    let a = parse(s)?;
    if a.service != "sts" {
        return None;
    }
    let rest = a.resource.strip_prefix("assumed-role/")?;
    let name = rest.split('/').next()?;
    Some((a.account, name))
}

/// For `arn:aws:iam::ACCT:role/path/NAME`, `(account, role name)`.
pub fn role(s: &str) -> Option<(&str, &str)> {
    let a = parse(s)?;
    if a.service != "iam" {
        return None;
    }
    let rest = a.resource.strip_prefix("role/")?;
    let name = rest.rsplit('/').next()?;
    Some((a.account, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arn_condition_operators_compare_each_component_separately() {
        assert!(arn_like(
            "arn:aws:iam::*:role/Admin",
            "arn:aws:iam::111122223333:role/Admin"
        ));
        // `*` in the account part must not swallow the colon before the resource.
        assert!(!arn_like(
            "arn:aws:iam::*",
            "arn:aws:iam::111122223333:role/Admin"
        ));
        assert!(arn_like(
            "arn:aws:s3:::bucket/*",
            "arn:aws:s3:::bucket/a:b:c"
        ));
        assert!(!arn_like("arn:aws:s3:::bucket/*", "arn:aws:s3:::other/a"));
        assert!(arn_like("*", "anything"));
    }

    #[test]
    fn principal_bare_account_id_is_the_account() {
        assert_eq!(
            principal_account("111122223333").as_deref(),
            Some("111122223333")
        );
        assert_eq!(
            principal_account("arn:aws:iam::444455556666:user/x").as_deref(),
            Some("444455556666")
        );
        assert_eq!(principal_account("*"), None);
        assert_eq!(principal_account("11112222333"), None);
    }

    #[test]
    fn assumed_role_session_maps_to_role() {
        assert_eq!(
            assumed_role("arn:aws:sts::111122223333:assumed-role/Admin/bob"),
            Some(("111122223333", "Admin"))
        );
        assert_eq!(
            role("arn:aws:iam::111122223333:role/team/Admin"),
            Some(("111122223333", "Admin"))
        );
    }
}
