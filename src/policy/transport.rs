//! Does the bucket policy deny requests made over plain HTTP?
//!
//! S3 User Guide, "Security best practices for Amazon S3" → "Enforce encryption
//! of data in transit": a bucket policy Deny for `"Principal": "*"`,
//! `"Action": "s3:*"`, the bucket and its objects, when `aws:SecureTransport`
//! is `false`. `aws:SecureTransport` is always present in the request context
//! (IAM User Guide, "AWS global condition context keys" → aws:SecureTransport),
//! so `BoolIfExists` is equivalent to `Bool`. A Deny on `s3:TlsVersion`
//! below a version (`NumericLessThan`) is AWS's documented way to require a
//! minimum TLS version, and AWS states that this policy "enforces HTTPS" (AWS
//! Knowledge Center, "s3-enforce-modern-tls"; its HTTP-tolerant variant adds
//! `Bool aws:SecureTransport true`, an extra condition, and so does not
//! count here). Only an explicit Deny enforces TLS: an
//! Allow conditioned on `SecureTransport: true` still lets principals
//! authorised by identity policies use HTTP.
//!
//! A statement counts only when the deny applies to every plain-HTTP request:
//! all principals, every S3 action, the whole resource, and no other condition
//! ANDed in (an extra condition lets requests that fail it through).

use serde::Serialize;

use super::condition::{BaseOp, Condition, SetOp};
use super::document::{ActionBlock, Effect, Policy, PrincipalBlock, ResourceBlock, Statement};
use super::eval::StatementRef;
use super::{arn, scalar, wildcard};

/// The transport verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TransportReport {
    /// Both object and bucket requests over HTTP are denied.
    pub denies_insecure_transport: bool,
    /// HTTP requests on `arn:aws:s3:::BUCKET/*` (every object) are denied.
    pub object_requests_denied: bool,
    /// HTTP requests on `arn:aws:s3:::BUCKET` are denied.
    pub bucket_requests_denied: bool,
    /// The statement that denies object requests.
    pub object_statement: Option<StatementRef>,
    /// The statement that denies bucket requests.
    pub bucket_statement: Option<StatementRef>,
    /// Human-readable reasons.
    pub reasons: Vec<String>,
}

/// Checks `policy` (None = no bucket policy) for bucket `bucket`.
pub fn insecure_transport(policy: Option<&Policy>, bucket: &str) -> TransportReport {
    let bucket_arn = format!("arn:aws:s3:::{bucket}");
    let object_prefix = format!("arn:aws:s3:::{bucket}/");
    let mut object_statement = None;
    let mut bucket_statement = None;
    for st in policy.map(|p| p.statements.as_slice()).unwrap_or_default() {
        if !denies_all_http(st) {
            continue;
        }
        if object_statement.is_none() && covers_objects(st, &object_prefix) {
            object_statement = Some(StatementRef::new(0, st));
        }
        if bucket_statement.is_none() && covers_bucket(st, &bucket_arn) {
            bucket_statement = Some(StatementRef::new(0, st));
        }
    }
    let mut reasons = Vec::new();
    for (what, r) in [("object", &object_statement), ("bucket", &bucket_statement)] {
        reasons.push(match r {
            Some(r) => format!(
                "{what} requests over plain HTTP are denied by {}",
                r.describe()
            ),
            None => {
                format!("no Deny statement refuses plain-HTTP {what} requests from every principal")
            }
        });
    }
    TransportReport {
        denies_insecure_transport: object_statement.is_some() && bucket_statement.is_some(),
        object_requests_denied: object_statement.is_some(),
        bucket_requests_denied: bucket_statement.is_some(),
        object_statement,
        bucket_statement,
        reasons,
    }
}

/// A Deny for everyone, on every S3 action, whose only condition is an
/// insecure-transport test.
fn denies_all_http(st: &Statement) -> bool {
    if st.effect != Effect::Deny {
        return false;
    }
    let everyone = matches!(&st.principal, Some(PrincipalBlock::Principal(p)) if p.is_everyone());
    let all_s3 = match &st.action {
        ActionBlock::Action(p) => p
            .iter()
            .any(|p| wildcard::covers_all_with_prefix(p, "s3:", true)),
        // NotAction: every S3 action is denied when no excluded pattern can
        // match an S3 action name.
        ActionBlock::NotAction(p) => p.iter().all(|p| {
            let head: String = p
                .chars()
                .take_while(|c| *c != '*' && *c != '?')
                .collect::<String>()
                .to_lowercase();
            !"s3:".starts_with(&head) && !head.starts_with("s3:")
        }),
    };
    everyone
        && all_s3
        && st.conditions.len() == 1
        && st.conditions.iter().all(is_insecure_transport_test)
}

/// `Bool`/`BoolIfExists` `aws:SecureTransport` `false`, or
/// `NumericLessThan[IfExists]` `s3:TlsVersion` N.
fn is_insecure_transport_test(c: &Condition) -> bool {
    let op = &c.operator;
    if op.set != SetOp::Single {
        return false;
    }
    match op.base {
        BaseOp::Bool => {
            c.is_key("aws:SecureTransport")
                && c.values
                    .iter()
                    .any(|v| v.trim().eq_ignore_ascii_case("false"))
        }
        BaseOp::NumericLessThan => {
            c.is_key("s3:TlsVersion")
                && c.values
                    .iter()
                    .any(|v| scalar::parse_number(v).is_some_and(|n| n > 1.0))
        }
        _ => false,
    }
}

fn covers_objects(st: &Statement, object_prefix: &str) -> bool {
    match &st.resource {
        None => false,
        Some(ResourceBlock::Resource(p)) => p
            .iter()
            .any(|p| wildcard::covers_all_with_prefix(p, object_prefix, false)),
        // NotResource: every object is covered when no excluded pattern can
        // match an object ARN of this bucket (literal head incompatible).
        Some(ResourceBlock::NotResource(p)) => p.iter().all(|p| {
            let head: String = p.chars().take_while(|c| *c != '*' && *c != '?').collect();
            !object_prefix.starts_with(&head) && !head.starts_with(object_prefix)
        }),
    }
}

fn covers_bucket(st: &Statement, bucket_arn: &str) -> bool {
    match &st.resource {
        None => false,
        Some(ResourceBlock::Resource(p)) => p.iter().any(|p| arn::arn_like(p, bucket_arn)),
        Some(ResourceBlock::NotResource(p)) => !p.iter().any(|p| arn::arn_like(p, bucket_arn)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(statements: &str) -> TransportReport {
        let p = Policy::parse(&format!(
            r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#
        ))
        .unwrap();
        insecure_transport(Some(&p), "b")
    }

    const BOTH: &str = r#""Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]"#;

    #[test]
    fn enforce_encryption_in_transit_deny_securetransport_false() {
        let r = check(&format!(
            r#"{{"Effect":"Deny","Principal":"*","Action":"s3:*",{BOTH},"Condition":{{"Bool":{{"aws:SecureTransport":"false"}}}}}}"#
        ));
        assert!(
            r.denies_insecure_transport && r.object_requests_denied && r.bucket_requests_denied
        );
    }

    #[test]
    fn enforce_encryption_in_transit_only_objects_covered() {
        let r = check(
            r#"{"Effect":"Deny","Principal":"*","Action":"*","Resource":"arn:aws:s3:::b/*","Condition":{"BoolIfExists":{"aws:SecureTransport":false}}}"#,
        );
        assert!(
            r.object_requests_denied && !r.bucket_requests_denied && !r.denies_insecure_transport
        );
        let r = check(
            r#"{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/logs/*","Condition":{"Bool":{"aws:SecureTransport":false}}}"#,
        );
        assert!(!r.object_requests_denied);
    }

    #[test]
    fn minimum_tls_version_numericlessthan_counts() {
        let r = check(&format!(
            r#"{{"Effect":"Deny","Principal":{{"AWS":"*"}},"Action":"s3:*",{BOTH},"Condition":{{"NumericLessThan":{{"s3:TlsVersion":1.2}}}}}}"#
        ));
        assert!(r.denies_insecure_transport);
    }

    #[test]
    fn extra_condition_narrow_principal_narrow_action_or_allow_do_not_count() {
        let extra = check(&format!(
            r#"{{"Effect":"Deny","Principal":"*","Action":"s3:*",{BOTH},"Condition":{{"Bool":{{"aws:SecureTransport":"false"}},"StringEquals":{{"aws:SourceVpc":"vpc-1"}}}}}}"#
        ));
        assert!(!extra.object_requests_denied);
        let one = check(&format!(
            r#"{{"Effect":"Deny","Principal":{{"AWS":"arn:aws:iam::111122223333:role/r"}},"Action":"s3:*",{BOTH},"Condition":{{"Bool":{{"aws:SecureTransport":"false"}}}}}}"#
        ));
        assert!(!one.object_requests_denied);
        let narrow = check(&format!(
            r#"{{"Effect":"Deny","Principal":"*","Action":"s3:GetObject",{BOTH},"Condition":{{"Bool":{{"aws:SecureTransport":"false"}}}}}}"#
        ));
        assert!(!narrow.object_requests_denied);
        let allow = check(&format!(
            r#"{{"Effect":"Allow","Principal":"*","Action":"s3:*",{BOTH},"Condition":{{"Bool":{{"aws:SecureTransport":"true"}}}}}}"#
        ));
        assert!(!allow.object_requests_denied);
        assert!(!insecure_transport(None, "b").object_requests_denied);
    }
}
