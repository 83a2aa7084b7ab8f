//! Condition operators, the request context, and policy variables.
//!
//! Semantics from the IAM User Guide:
//! - "IAM JSON policy elements: Condition operators": every operator family,
//!   the `...IfExists` suffix ("If the policy key is present in the context of
//!   the request, process the key as specified in the policy. If the key is not
//!   present, evaluate the condition element as true"), and the `Null` check;
//! - "Creating a condition with multiple keys or values": several operators and
//!   several keys are ANDed, several values for one key are ORed; for negated
//!   operators the request value must match none of them;
//! - "Single-valued vs. multivalued context keys": `ForAnyValue` is false and
//!   `ForAllValues` true when the key is missing or empty;
//! - "Condition keys are not case-sensitive";
//! - "IAM policy elements: Variables and tags": `${key}`, `${key, 'default'}`,
//!   and the special `${*}`, `${?}`, `${$}`.

use std::collections::BTreeMap;

use serde::Serialize;

use super::arn;
use super::scalar;
use super::wildcard::{self, LITERAL_QUESTION, LITERAL_STAR};

/// The operator without its `IfExists` suffix or set prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[allow(missing_docs)]
pub enum BaseOp {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

const ALL_OPS: [(&str, BaseOp); 27] = [
    ("StringEquals", BaseOp::StringEquals),
    ("StringNotEquals", BaseOp::StringNotEquals),
    ("StringEqualsIgnoreCase", BaseOp::StringEqualsIgnoreCase),
    (
        "StringNotEqualsIgnoreCase",
        BaseOp::StringNotEqualsIgnoreCase,
    ),
    ("StringLike", BaseOp::StringLike),
    ("StringNotLike", BaseOp::StringNotLike),
    ("NumericEquals", BaseOp::NumericEquals),
    ("NumericNotEquals", BaseOp::NumericNotEquals),
    ("NumericLessThan", BaseOp::NumericLessThan),
    ("NumericLessThanEquals", BaseOp::NumericLessThanEquals),
    ("NumericGreaterThan", BaseOp::NumericGreaterThan),
    ("NumericGreaterThanEquals", BaseOp::NumericGreaterThanEquals),
    ("DateEquals", BaseOp::DateEquals),
    ("DateNotEquals", BaseOp::DateNotEquals),
    ("DateLessThan", BaseOp::DateLessThan),
    ("DateLessThanEquals", BaseOp::DateLessThanEquals),
    ("DateGreaterThan", BaseOp::DateGreaterThan),
    ("DateGreaterThanEquals", BaseOp::DateGreaterThanEquals),
    ("Bool", BaseOp::Bool),
    ("BinaryEquals", BaseOp::BinaryEquals),
    ("IpAddress", BaseOp::IpAddress),
    ("NotIpAddress", BaseOp::NotIpAddress),
    ("ArnEquals", BaseOp::ArnEquals),
    ("ArnLike", BaseOp::ArnLike),
    ("ArnNotEquals", BaseOp::ArnNotEquals),
    ("ArnNotLike", BaseOp::ArnNotLike),
    ("Null", BaseOp::Null),
];

impl BaseOp {
    /// Negated operators are true when the key is missing and require that no
    /// policy value matches.
    pub fn is_negated(self) -> bool {
        matches!(
            self,
            BaseOp::StringNotEquals
                | BaseOp::StringNotEqualsIgnoreCase
                | BaseOp::StringNotLike
                | BaseOp::NumericNotEquals
                | BaseOp::DateNotEquals
                | BaseOp::NotIpAddress
                | BaseOp::ArnNotEquals
                | BaseOp::ArnNotLike
        )
    }

    /// Operators whose policy values are wildcard patterns.
    pub fn is_pattern(self) -> bool {
        matches!(
            self,
            BaseOp::StringLike
                | BaseOp::StringNotLike
                | BaseOp::ArnEquals
                | BaseOp::ArnLike
                | BaseOp::ArnNotEquals
                | BaseOp::ArnNotLike
        )
    }
}

/// `ForAnyValue:` / `ForAllValues:` set operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SetOp {
    /// No prefix: single-valued comparison.
    Single,
    /// At least one request value must satisfy the operator.
    ForAnyValue,
    /// Every request value must satisfy the operator (vacuously true).
    ForAllValues,
}

/// A parsed condition operator name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Operator {
    /// As written in the policy.
    pub name: String,
    /// The operator family.
    pub base: BaseOp,
    /// `...IfExists` suffix.
    pub if_exists: bool,
    /// Set prefix.
    pub set: SetOp,
}

impl Operator {
    /// Parses e.g. `ForAnyValue:StringLikeIfExists`. Unknown operators, and
    /// `NullIfExists`, are an error (IAM rejects them).
    pub fn parse(name: &str) -> Result<Operator, String> {
        let (set, rest) = if let Some(r) = strip_prefix_ci(name, "ForAnyValue:") {
            (SetOp::ForAnyValue, r)
        } else if let Some(r) = strip_prefix_ci(name, "ForAllValues:") {
            (SetOp::ForAllValues, r)
        } else {
            (SetOp::Single, name)
        };
        let (if_exists, base_name) = match rest
            .len()
            .checked_sub(8)
            .and_then(|i| rest.get(i..).map(|s| (i, s)))
        {
            Some((i, suffix)) if suffix.eq_ignore_ascii_case("IfExists") => {
                (true, rest.get(..i).unwrap_or(""))
            }
            _ => (false, rest),
        };
        let base = ALL_OPS
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(base_name))
            .map(|(_, op)| *op)
            .ok_or_else(|| format!("unknown condition operator {name:?}"))?;
        if base == BaseOp::Null && (if_exists || set != SetOp::Single) {
            return Err(format!(
                "operator {name:?}: Null takes no IfExists suffix or set prefix"
            ));
        }
        Ok(Operator {
            name: name.to_string(),
            base,
            if_exists,
            set,
        })
    }
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix) {
        s.get(prefix.len()..)
    } else {
        None
    }
}

/// One operator/key pair with its policy values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Condition {
    /// The operator.
    pub operator: Operator,
    /// The condition key as written (compare case-insensitively).
    pub key: String,
    /// The policy values, booleans and numbers as their string forms.
    pub values: Vec<String>,
    /// JSON path, e.g. `Statement[0].Condition.Bool.aws:SecureTransport`.
    pub path: String,
}

impl Condition {
    /// Whether this condition is on `key` (case-insensitive, as IAM compares).
    pub fn is_key(&self, key: &str) -> bool {
        self.key.eq_ignore_ascii_case(key)
    }
}

/// The request context: condition keys (case-insensitive) to one or more values.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Context {
    values: BTreeMap<String, Vec<String>>,
}

impl Context {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a value to `key` (multi-valued keys get several calls).
    pub fn insert(&mut self, key: &str, value: impl Into<String>) -> &mut Self {
        self.values
            .entry(key.to_ascii_lowercase())
            .or_default()
            .push(value.into());
        self
    }

    /// Builder form of [`Context::insert`].
    pub fn with(mut self, key: &str, value: impl Into<String>) -> Self {
        self.insert(key, value);
        self
    }

    /// The values of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&[String]> {
        self.values
            .get(&key.to_ascii_lowercase())
            .map(Vec::as_slice)
    }
}

/// Substitutes `${...}` policy variables from `ctx`. Substituted request values
/// keep any `*`/`?` literal. `None` when a variable has no value and no default
/// (the element then does not match).
pub fn substitute(s: &str, ctx: &Context) -> Option<String> {
    if !s.contains("${") {
        return Some(s.to_string());
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        out.push_str(rest.get(..start).unwrap_or(""));
        let after = rest.get(start + 2..).unwrap_or("");
        let Some(end) = after.find('}') else {
            out.push_str(rest.get(start..).unwrap_or(""));
            return Some(out);
        };
        let inner = after.get(..end).unwrap_or("").trim();
        match inner {
            "*" => out.push(LITERAL_STAR),
            "?" => out.push(LITERAL_QUESTION),
            "$" => out.push('$'),
            _ => {
                let (key, default) = match inner.split_once(',') {
                    Some((k, d)) => {
                        let d = d.trim();
                        let d = d
                            .strip_prefix('\'')
                            .and_then(|x| x.strip_suffix('\''))
                            .unwrap_or(d);
                        (k.trim(), Some(d))
                    }
                    None => (inner, None),
                };
                let value = ctx
                    .get(key)
                    .and_then(|v| v.first())
                    .map(String::as_str)
                    .or(default)?;
                out.extend(value.chars().map(|c| match c {
                    '*' => LITERAL_STAR,
                    '?' => LITERAL_QUESTION,
                    c => c,
                }));
            }
        }
        rest = after.get(end + 1..).unwrap_or("");
    }
    out.push_str(rest);
    Some(out)
}

/// Evaluates one condition against the request context. `None` when a policy
/// value holds a policy variable that cannot be resolved.
pub fn evaluate(cond: &Condition, ctx: &Context, variables: bool) -> Option<bool> {
    let op = &cond.operator;
    let present = ctx.get(&cond.key).filter(|v| !v.is_empty());
    if op.base == BaseOp::Null {
        // "Null": true means the key must be absent, false that it must exist.
        return Some(cond.values.iter().any(|v| {
            let want_absent = v.eq_ignore_ascii_case("true");
            want_absent == present.is_none()
        }));
    }
    let Some(request_values) = present else {
        return Some(match op.set {
            _ if op.if_exists => true,
            SetOp::ForAllValues => true,
            SetOp::ForAnyValue => false,
            SetOp::Single => op.base.is_negated(),
        });
    };
    let mut policy_values = Vec::with_capacity(cond.values.len());
    for v in &cond.values {
        let v = if variables {
            substitute(v, ctx)?
        } else {
            v.clone()
        };
        policy_values.push(if op.base.is_pattern() {
            v
        } else {
            wildcard::unescape_literals(&v)
        });
    }
    let positive = |rv: &str| policy_values.iter().any(|pv| compare(op.base, rv, pv));
    let single = |rv: &str| {
        if op.base.is_negated() {
            !positive(rv)
        } else {
            positive(rv)
        }
    };
    Some(match op.set {
        SetOp::Single if op.base.is_negated() => !request_values.iter().any(|rv| positive(rv)),
        SetOp::Single | SetOp::ForAnyValue => request_values.iter().any(|rv| single(rv)),
        SetOp::ForAllValues => request_values.iter().all(|rv| single(rv)),
    })
}

/// The positive form of `base` applied to one request value and one policy value.
fn compare(base: BaseOp, request: &str, policy: &str) -> bool {
    use BaseOp::*;
    let num = |f: fn(f64, f64) -> bool| match (
        scalar::parse_number(request),
        scalar::parse_number(policy),
    ) {
        (Some(a), Some(b)) => f(a, b),
        _ => false,
    };
    let date =
        |f: fn(f64, f64) -> bool| match (scalar::parse_date(request), scalar::parse_date(policy)) {
            (Some(a), Some(b)) => f(a, b),
            _ => false,
        };
    match base {
        StringEquals | StringNotEquals => request == policy,
        StringEqualsIgnoreCase | StringNotEqualsIgnoreCase => {
            request.to_lowercase() == policy.to_lowercase()
        }
        StringLike | StringNotLike => wildcard::matches(policy, request),
        NumericEquals | NumericNotEquals => num(|a, b| a == b),
        NumericLessThan => num(|a, b| a < b),
        NumericLessThanEquals => num(|a, b| a <= b),
        NumericGreaterThan => num(|a, b| a > b),
        NumericGreaterThanEquals => num(|a, b| a >= b),
        DateEquals | DateNotEquals => date(|a, b| a == b),
        DateLessThan => date(|a, b| a < b),
        DateLessThanEquals => date(|a, b| a <= b),
        DateGreaterThan => date(|a, b| a > b),
        DateGreaterThanEquals => date(|a, b| a >= b),
        Bool => request.trim().eq_ignore_ascii_case(policy.trim()),
        BinaryEquals => request == policy,
        IpAddress | NotIpAddress => {
            scalar::parse_cidr(policy).is_some_and(|c| scalar::cidr_contains(&c, request))
        }
        ArnEquals | ArnLike | ArnNotEquals | ArnNotLike => arn::arn_like(policy, request),
        Null => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(op: &str, key: &str, values: &[&str]) -> Condition {
        Condition {
            operator: Operator::parse(op).unwrap(),
            key: key.into(),
            values: values.iter().map(|s| s.to_string()).collect(),
            path: String::new(),
        }
    }

    fn eval(c: &Condition, ctx: &Context) -> bool {
        evaluate(c, ctx, true).unwrap()
    }

    #[test]
    fn operator_names_prefixes_and_ifexists() {
        let op = Operator::parse("ForAnyValue:StringLikeIfExists").unwrap();
        assert_eq!(
            (op.base, op.if_exists, op.set),
            (BaseOp::StringLike, true, SetOp::ForAnyValue)
        );
        assert!(Operator::parse("StringEqualz").is_err());
        assert!(Operator::parse("NullIfExists").is_err());
        assert!(Operator::parse("IfExists").is_err());
        assert_eq!(Operator::parse("Bool").unwrap().base, BaseOp::Bool);
    }

    #[test]
    fn missing_key_positive_false_negated_true_ifexists_true() {
        let empty = Context::new();
        assert!(!eval(
            &cond("StringEquals", "aws:SourceVpc", &["vpc-1"]),
            &empty
        ));
        assert!(eval(
            &cond("StringNotEquals", "aws:SourceVpc", &["vpc-1"]),
            &empty
        ));
        assert!(eval(
            &cond("NotIpAddress", "aws:SourceIp", &["10.0.0.0/8"]),
            &empty
        ));
        assert!(eval(
            &cond("ArnNotEquals", "aws:SourceArn", &["arn:aws:sns:::x"]),
            &empty
        ));
        assert!(eval(
            &cond("StringEqualsIfExists", "aws:SourceVpc", &["vpc-1"]),
            &empty
        ));
        assert!(eval(
            &cond("ForAllValues:StringEquals", "aws:TagKeys", &["a"]),
            &empty
        ));
        assert!(!eval(
            &cond("ForAnyValue:StringEquals", "aws:TagKeys", &["a"]),
            &empty
        ));
    }

    #[test]
    fn null_operator_checks_presence() {
        let with = Context::new().with("aws:TokenIssueTime", "2020-01-01T00:00:00Z");
        let c_true = cond("Null", "aws:TokenIssueTime", &["true"]);
        let c_false = cond("Null", "aws:tokenissuetime", &["false"]);
        assert!(eval(&c_true, &Context::new()));
        assert!(!eval(&c_true, &with));
        assert!(eval(&c_false, &with));
        assert!(!eval(&c_false, &Context::new()));
    }

    #[test]
    fn multiple_values_ored_and_negated_requires_none_match() {
        let ctx = Context::new().with("aws:SourceVpc", "vpc-2");
        assert!(eval(
            &cond("StringEquals", "aws:sourcevpc", &["vpc-1", "vpc-2"]),
            &ctx
        ));
        assert!(!eval(
            &cond("StringNotEquals", "aws:SourceVpc", &["vpc-1", "vpc-2"]),
            &ctx
        ));
        assert!(eval(
            &cond("StringNotEquals", "aws:SourceVpc", &["vpc-1", "vpc-3"]),
            &ctx
        ));
    }

    #[test]
    fn string_operators_case_and_wildcards() {
        let ctx = Context::new().with("aws:username", "Alice");
        assert!(!eval(
            &cond("StringEquals", "aws:username", &["alice"]),
            &ctx
        ));
        assert!(eval(
            &cond("StringEqualsIgnoreCase", "aws:username", &["alice"]),
            &ctx
        ));
        assert!(eval(&cond("StringLike", "aws:username", &["A*"]), &ctx));
        assert!(!eval(&cond("StringEquals", "aws:username", &["A*"]), &ctx));
        assert!(eval(&cond("StringNotLike", "aws:username", &["B*"]), &ctx));
    }

    #[test]
    fn numeric_date_bool_binary_operators() {
        let ctx = Context::new()
            .with("s3:TlsVersion", "1.1")
            .with("aws:CurrentTime", "2024-06-01T00:00:00Z")
            .with("aws:SecureTransport", "false")
            .with("k", "QmluYXJ5");
        assert!(eval(
            &cond("NumericLessThan", "s3:TlsVersion", &["1.2"]),
            &ctx
        ));
        assert!(!eval(
            &cond("NumericGreaterThanEquals", "s3:TlsVersion", &["1.2"]),
            &ctx
        ));
        assert!(!eval(
            &cond("NumericEquals", "s3:TlsVersion", &["abc"]),
            &ctx
        ));
        assert!(eval(
            &cond("DateGreaterThan", "aws:CurrentTime", &["2024-01-01"]),
            &ctx
        ));
        assert!(!eval(
            &cond("DateLessThan", "aws:CurrentTime", &["2024-01-01"]),
            &ctx
        ));
        assert!(eval(&cond("Bool", "aws:SecureTransport", &["False"]), &ctx));
        assert!(!eval(&cond("Bool", "aws:SecureTransport", &["true"]), &ctx));
        assert!(eval(&cond("BinaryEquals", "k", &["QmluYXJ5"]), &ctx));
    }

    #[test]
    fn ip_and_arn_operators() {
        let ctx = Context::new()
            .with("aws:SourceIp", "2001:db8::1")
            .with("aws:SourceArn", "arn:aws:sns:us-east-1:111122223333:topic");
        assert!(eval(
            &cond("IpAddress", "aws:SourceIp", &["2001:db8::/32"]),
            &ctx
        ));
        assert!(eval(
            &cond("NotIpAddress", "aws:SourceIp", &["10.0.0.0/8"]),
            &ctx
        ));
        assert!(eval(
            &cond(
                "ArnLike",
                "aws:SourceArn",
                &["arn:aws:sns:*:111122223333:*"]
            ),
            &ctx
        ));
        assert!(!eval(
            &cond(
                "ArnEquals",
                "aws:SourceArn",
                &["arn:aws:sns:*:444455556666:*"]
            ),
            &ctx
        ));
        assert!(eval(
            &cond(
                "ArnNotLike",
                "aws:SourceArn",
                &["arn:aws:sns:*:444455556666:*"]
            ),
            &ctx
        ));
    }

    #[test]
    fn for_any_and_for_all_values() {
        let ctx = Context::new()
            .with("aws:TagKeys", "a")
            .with("aws:TagKeys", "b");
        assert!(eval(
            &cond("ForAnyValue:StringEquals", "aws:TagKeys", &["a"]),
            &ctx
        ));
        assert!(!eval(
            &cond("ForAllValues:StringEquals", "aws:TagKeys", &["a"]),
            &ctx
        ));
        assert!(eval(
            &cond("ForAllValues:StringEquals", "aws:TagKeys", &["a", "b", "c"]),
            &ctx
        ));
        assert!(eval(
            &cond("ForAnyValue:StringNotEquals", "aws:TagKeys", &["a"]),
            &ctx
        ));
    }

    #[test]
    fn policy_variables_substitute_default_and_unresolved() {
        let ctx = Context::new().with("aws:username", "bo*b");
        assert_eq!(
            substitute("home/${aws:username}/x", &ctx).map(|s| wildcard::unescape_literals(&s)),
            Some("home/bo*b/x".into())
        );
        assert_eq!(substitute("${aws:userid}", &ctx), None);
        assert_eq!(
            substitute("${aws:userid, 'anon'}", &ctx),
            Some("anon".into())
        );
        // A substituted `*` is literal, not a wildcard.
        let c = cond("StringLike", "s3:prefix", &["home/${aws:username}/*"]);
        assert!(eval(&c, &ctx.clone().with("s3:prefix", "home/bo*b/f")));
        assert!(!eval(&c, &ctx.clone().with("s3:prefix", "home/boXXb/f")));
        let unresolved = cond("StringEquals", "s3:prefix", &["${aws:PrincipalTag/team}"]);
        assert_eq!(
            evaluate(&unresolved, &ctx.clone().with("s3:prefix", "x"), true),
            None
        );
    }
}
