//! Parsing a policy document exactly as IAM accepts it.
//!
//! Grammar: IAM User Guide, "Grammar of the IAM JSON policy language"
//! (reference_policies_grammar). Notable rules kept here:
//! - `Statement` is one object or an array of objects;
//! - `Action`/`NotAction`, `Resource`/`NotResource` are a string or an array;
//! - `Principal: "*"` is the same as `{"AWS": "*"}`; principal map keys are
//!   `AWS`, `Service`, `Federated`, `CanonicalUser`; a bare account id is
//!   shorthand for `arn:aws:iam::ID:root` ("AWS account principals");
//! - condition values are strings, booleans or numbers ("quotes are optional
//!   for Boolean values"), or arrays of those; booleans and numbers are
//!   compared as their string forms.

use serde::Serialize;
use serde_json::{Map, Value};

use super::arn;
use super::condition::{Condition, Operator};

/// Why a document is not an acceptable policy, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{}", self.describe())]
pub struct PolicyError {
    /// JSON path of the offending element, e.g. `Statement[2].Effect`
    /// (empty for JSON syntax errors and for the document itself).
    pub path: String,
    /// 1-based line of a JSON syntax error.
    pub line: Option<usize>,
    /// 1-based column of a JSON syntax error.
    pub column: Option<usize>,
    /// What is wrong.
    pub reason: String,
}

impl PolicyError {
    fn shape(path: &str, reason: impl Into<String>) -> Self {
        PolicyError {
            path: path.to_string(),
            line: None,
            column: None,
            reason: reason.into(),
        }
    }

    fn describe(&self) -> String {
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!(
                "invalid policy JSON at line {l}, column {c}: {}",
                self.reason
            ),
            _ if self.path.is_empty() => format!("invalid policy: {}", self.reason),
            _ => format!("invalid policy at {}: {}", self.path, self.reason),
        }
    }
}

/// `Effect` of a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Effect {
    /// Grants, unless an explicit deny applies.
    Allow,
    /// Explicit deny: beats any allow.
    Deny,
}

/// The principals named in `Principal` or `NotPrincipal`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Principals {
    /// `AWS` entries: `*`, account roots (bare ids normalised to
    /// `arn:aws:iam::ID:root`), user/role ARNs.
    pub aws: Vec<String>,
    /// `Service` entries, e.g. `cloudtrail.amazonaws.com`.
    pub service: Vec<String>,
    /// `Federated` entries (identity providers).
    pub federated: Vec<String>,
    /// `CanonicalUser` ids.
    pub canonical_user: Vec<String>,
}

impl Principals {
    /// `Principal: "*"` or `{"AWS": "*"}`: everyone, anonymous included.
    pub fn is_everyone(&self) -> bool {
        self.aws.iter().any(|a| a == "*")
    }
}

/// `Principal` versus `NotPrincipal`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum PrincipalBlock {
    /// The statement applies to these principals.
    Principal(Principals),
    /// The statement applies to everyone except these.
    NotPrincipal(Principals),
}

/// `Action` versus `NotAction` (patterns as written).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ActionBlock {
    /// Matches the listed action patterns.
    Action(Vec<String>),
    /// Matches every action except the listed patterns.
    NotAction(Vec<String>),
}

/// `Resource` versus `NotResource` (patterns as written).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ResourceBlock {
    /// Matches the listed resource patterns.
    Resource(Vec<String>),
    /// Matches every resource except the listed patterns.
    NotResource(Vec<String>),
}

/// One statement, with where it came from for evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Statement {
    /// Position in the `Statement` array (0 when `Statement` is an object).
    pub index: usize,
    /// JSON path: `Statement[3]`, or `Statement` for a single object.
    pub path: String,
    /// `Sid`, when present.
    pub sid: Option<String>,
    /// `Effect`.
    pub effect: Effect,
    /// `Principal`/`NotPrincipal`; absent in identity policies.
    pub principal: Option<PrincipalBlock>,
    /// `Action`/`NotAction`.
    pub action: ActionBlock,
    /// `Resource`/`NotResource`; absent in role trust policies.
    pub resource: Option<ResourceBlock>,
    /// Every operator/key pair of `Condition`; all must hold.
    pub conditions: Vec<Condition>,
    /// Whether `${...}` policy variables are substituted: only in
    /// `Version: 2012-10-17` ("IAM policy elements: Variables and tags").
    pub variables: bool,
}

/// A parsed policy document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Policy {
    /// `Version`, when present (`2012-10-17` or `2008-10-17`).
    pub version: Option<String>,
    /// `Id`, when present.
    pub id: Option<String>,
    /// The statements, in document order.
    pub statements: Vec<Statement>,
}

impl Policy {
    /// Parses policy text. JSON errors carry line and column; shape errors carry
    /// the JSON path. serde_json's recursion limit (128) bounds nesting.
    pub fn parse(text: &str) -> Result<Policy, PolicyError> {
        let value: Value = serde_json::from_str(text).map_err(|e| PolicyError {
            path: String::new(),
            line: Some(e.line()),
            column: Some(e.column()),
            reason: e.to_string(),
        })?;
        Policy::from_value(&value)
    }

    /// Reads an already-decoded JSON document (e.g. from an API response).
    pub fn from_value(value: &Value) -> Result<Policy, PolicyError> {
        let obj = value
            .as_object()
            .ok_or_else(|| PolicyError::shape("", "a policy must be a JSON object"))?;
        let mut version = None;
        let mut id = None;
        let mut statement = None;
        for (k, v) in obj {
            match k.as_str() {
                "Version" => {
                    let s = v
                        .as_str()
                        .ok_or_else(|| PolicyError::shape("Version", "must be a string"))?;
                    if s != "2012-10-17" && s != "2008-10-17" {
                        return Err(PolicyError::shape(
                            "Version",
                            format!(
                                "unsupported version {s:?} (IAM accepts 2012-10-17 or 2008-10-17)"
                            ),
                        ));
                    }
                    version = Some(s.to_string());
                }
                "Id" => {
                    let s = v
                        .as_str()
                        .ok_or_else(|| PolicyError::shape("Id", "must be a string"))?;
                    id = Some(s.to_string());
                }
                "Statement" => statement = Some(v),
                other => {
                    return Err(PolicyError::shape(
                        other,
                        format!("unknown top-level element {other:?}"),
                    ));
                }
            }
        }
        let variables = version.as_deref() == Some("2012-10-17");
        let statement =
            statement.ok_or_else(|| PolicyError::shape("Statement", "missing Statement"))?;
        let statements = match statement {
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, s)| parse_statement(s, i, format!("Statement[{i}]"), variables))
                .collect::<Result<Vec<_>, _>>()?,
            Value::Object(_) => vec![parse_statement(
                statement,
                0,
                "Statement".into(),
                variables,
            )?],
            _ => {
                return Err(PolicyError::shape(
                    "Statement",
                    "must be an object or an array of objects",
                ));
            }
        };
        Ok(Policy {
            version,
            id,
            statements,
        })
    }
}

fn parse_statement(
    v: &Value,
    index: usize,
    path: String,
    variables: bool,
) -> Result<Statement, PolicyError> {
    let obj = v
        .as_object()
        .ok_or_else(|| PolicyError::shape(&path, "a statement must be an object"))?;
    let field = |name: &str| format!("{path}.{name}");
    let mut sid = None;
    let mut effect = None;
    let mut principal = None;
    let mut action = None;
    let mut resource = None;
    let mut conditions = Vec::new();
    for (k, val) in obj {
        let p = field(k);
        match k.as_str() {
            "Sid" => {
                sid = Some(
                    val.as_str()
                        .ok_or_else(|| PolicyError::shape(&p, "must be a string"))?
                        .to_string(),
                )
            }
            "Effect" => {
                effect = Some(match val.as_str() {
                    Some("Allow") => Effect::Allow,
                    Some("Deny") => Effect::Deny,
                    _ => return Err(PolicyError::shape(&p, "must be \"Allow\" or \"Deny\"")),
                })
            }
            "Principal" => set_once(
                &mut principal,
                PrincipalBlock::Principal(parse_principals(val, &p)?),
                &path,
                "Principal",
            )?,
            "NotPrincipal" => set_once(
                &mut principal,
                PrincipalBlock::NotPrincipal(parse_principals(val, &p)?),
                &path,
                "Principal",
            )?,
            "Action" => set_once(
                &mut action,
                Block::Is(string_list(val, &p)?),
                &path,
                "Action",
            )?,
            "NotAction" => set_once(
                &mut action,
                Block::Not(string_list(val, &p)?),
                &path,
                "Action",
            )?,
            "Resource" => set_once(
                &mut resource,
                Block::Is(string_list(val, &p)?),
                &path,
                "Resource",
            )?,
            "NotResource" => set_once(
                &mut resource,
                Block::Not(string_list(val, &p)?),
                &path,
                "Resource",
            )?,
            "Condition" => conditions = parse_conditions(val, &p)?,
            other => {
                return Err(PolicyError::shape(
                    &p,
                    format!("unknown statement element {other:?}"),
                ));
            }
        }
    }
    let effect = effect.ok_or_else(|| PolicyError::shape(&field("Effect"), "missing Effect"))?;
    let (action_key, actions) = match &action {
        Some(Block::Is(a)) => ("Action", a.as_slice()),
        Some(Block::Not(a)) => ("NotAction", a.as_slice()),
        None => ("Action", [].as_slice()),
    };
    // IAM: "Actions/Conditions must be prefaced by a vendor, e.g., iam,
    // sdb, ec2, etc." — every action is `*` or `vendor:name`.
    if let Some((i, a)) = actions
        .iter()
        .enumerate()
        .find(|(_, a)| a.as_str() != "*" && a.split_once(':').is_none_or(|(v, _)| v.is_empty()))
    {
        let p = if actions.len() == 1 && matches!(obj.get(action_key), Some(Value::String(_))) {
            field(action_key)
        } else {
            format!("{}[{i}]", field(action_key))
        };
        return Err(PolicyError::shape(
            &p,
            format!("action {a:?} must be \"*\" or \"service:action\""),
        ));
    }
    let action = match action {
        Some(Block::Is(a)) => ActionBlock::Action(a),
        Some(Block::Not(a)) => ActionBlock::NotAction(a),
        None => {
            return Err(PolicyError::shape(
                &field("Action"),
                "missing Action or NotAction",
            ));
        }
    };
    let resource: Option<ResourceBlock> = resource.map(|r| match r {
        Block::Is(r) => ResourceBlock::Resource(r),
        Block::Not(r) => ResourceBlock::NotResource(r),
    });
    Ok(Statement {
        index,
        path,
        sid,
        effect,
        principal,
        action,
        resource,
        conditions,
        variables,
    })
}

/// IAM rejects a statement with both `Action` and `NotAction` (and likewise for
/// `Resource` and `Principal`).
fn set_once<T>(slot: &mut Option<T>, val: T, path: &str, what: &str) -> Result<(), PolicyError> {
    if slot.is_some() {
        return Err(PolicyError::shape(
            path,
            format!("{what} given twice (e.g. both {what} and Not{what})"),
        ));
    }
    *slot = Some(val);
    Ok(())
}

enum Block {
    Is(Vec<String>),
    Not(Vec<String>),
}

/// A string or a non-empty array of strings.
fn string_list(v: &Value, path: &str) -> Result<Vec<String>, PolicyError> {
    match v {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::String(s) => out.push(s.clone()),
                    _ => {
                        return Err(PolicyError::shape(
                            &format!("{path}[{i}]"),
                            "must be a string",
                        ));
                    }
                }
            }
            if out.is_empty() {
                return Err(PolicyError::shape(path, "must not be an empty array"));
            }
            Ok(out)
        }
        _ => Err(PolicyError::shape(
            path,
            "must be a string or an array of strings",
        )),
    }
}

fn parse_principals(v: &Value, path: &str) -> Result<Principals, PolicyError> {
    match v {
        Value::String(s) if s == "*" => Ok(Principals {
            aws: vec!["*".into()],
            ..Principals::default()
        }),
        Value::String(_) => Err(PolicyError::shape(
            path,
            "a string principal must be \"*\"; use {\"AWS\": ...}",
        )),
        Value::Object(map) => parse_principal_map(map, path),
        _ => Err(PolicyError::shape(path, "must be \"*\" or an object")),
    }
}

fn parse_principal_map(map: &Map<String, Value>, path: &str) -> Result<Principals, PolicyError> {
    let mut p = Principals::default();
    for (k, v) in map {
        let kp = format!("{path}.{k}");
        let list = string_list(v, &kp)?;
        match k.as_str() {
            "AWS" => p.aws.extend(list.into_iter().map(|a| {
                if arn::is_account_id(&a) {
                    format!("arn:aws:iam::{a}:root")
                } else {
                    a
                }
            })),
            "Service" => p.service.extend(list),
            "Federated" => p.federated.extend(list),
            "CanonicalUser" => p.canonical_user.extend(list),
            other => {
                return Err(PolicyError::shape(
                    &kp,
                    format!("unknown principal type {other:?}"),
                ));
            }
        }
    }
    Ok(p)
}

fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn parse_conditions(v: &Value, path: &str) -> Result<Vec<Condition>, PolicyError> {
    let ops = v
        .as_object()
        .ok_or_else(|| PolicyError::shape(path, "must be an object of operator -> {key: value}"))?;
    let mut out = Vec::new();
    for (op_name, block) in ops {
        let op_path = format!("{path}.{op_name}");
        let operator = Operator::parse(op_name).map_err(|r| PolicyError::shape(&op_path, r))?;
        let keys = block.as_object().ok_or_else(|| {
            PolicyError::shape(&op_path, "must be an object of condition key -> value")
        })?;
        for (key, val) in keys {
            let key_path = format!("{op_path}.{key}");
            let values = match val {
                Value::Array(items) => items
                    .iter()
                    .enumerate()
                    .map(|(i, x)| {
                        scalar_string(x).ok_or_else(|| {
                            PolicyError::shape(
                                &format!("{key_path}[{i}]"),
                                "must be a string, boolean or number",
                            )
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?,
                other => vec![scalar_string(other).ok_or_else(|| {
                    PolicyError::shape(
                        &key_path,
                        "must be a string, boolean, number or an array of those",
                    )
                })?],
            };
            out.push(Condition {
                operator: operator.clone(),
                key: key.clone(),
                values,
                path: key_path,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grammar_statement_object_or_array_and_string_or_array_fields() {
        let one = Policy::parse(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#,
        )
        .unwrap();
        assert_eq!(one.statements.len(), 1);
        assert_eq!(one.statements[0].path, "Statement");
        let many = Policy::parse(
            r#"{"Statement":[{"Sid":"a","Effect":"Deny","NotAction":["s3:*","iam:*"],"NotResource":"x"}]}"#,
        )
        .unwrap();
        assert_eq!(many.statements[0].sid.as_deref(), Some("a"));
        assert_eq!(
            many.statements[0].action,
            ActionBlock::NotAction(vec!["s3:*".into(), "iam:*".into()])
        );
        assert!(!many.statements[0].variables);
    }

    #[test]
    fn principal_star_equals_aws_star_and_bare_account_is_root() {
        let p = Policy::parse(
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},
            {"Effect":"Allow","Principal":{"AWS":["111122223333"],"Service":"ec2.amazonaws.com"},"Action":"*"}]}"#,
        )
        .unwrap();
        let Some(PrincipalBlock::Principal(a)) = &p.statements[0].principal else {
            panic!()
        };
        assert!(a.is_everyone());
        let Some(PrincipalBlock::Principal(b)) = &p.statements[1].principal else {
            panic!()
        };
        assert_eq!(b.aws, vec!["arn:aws:iam::111122223333:root".to_string()]);
        assert_eq!(b.service, vec!["ec2.amazonaws.com".to_string()]);
        assert!(
            Policy::parse(r#"{"Statement":{"Effect":"Allow","Principal":"bob","Action":"*"}}"#)
                .is_err()
        );
        assert!(
            Policy::parse(
                r#"{"Statement":{"Effect":"Allow","Principal":{"Bogus":"x"},"Action":"*"}}"#
            )
            .is_err()
        );
    }

    #[test]
    fn grammar_condition_values_bool_and_number_compare_as_strings() {
        let p = Policy::parse(
            r#"{"Statement":{"Effect":"Deny","Action":"*","Resource":"*",
            "Condition":{"Bool":{"aws:SecureTransport":false},"NumericLessThan":{"s3:TlsVersion":[1.2, "1.3"]}}}}"#,
        )
        .unwrap();
        let c = &p.statements[0].conditions;
        assert_eq!(c[0].values, vec!["false".to_string()]);
        assert_eq!(c[1].values, vec!["1.2".to_string(), "1.3".to_string()]);
    }

    #[test]
    fn json_syntax_error_has_line_and_column() {
        let e = Policy::parse("{\n  \"Statement\": [\n    {\"Effect\": \"Allow\",, }\n  ]\n}")
            .unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(e.column.is_some());
        assert!(e.to_string().contains("line 3"));
    }

    #[test]
    fn shape_error_has_json_path() {
        let e = Policy::parse(
            r#"{"Statement":[{"Effect":"Allow","Action":"*"},{"Effect":"Allow","Action":"*"},{"Effect":"Permit","Action":"*"}]}"#,
        )
        .unwrap_err();
        assert_eq!(e.path, "Statement[2].Effect");
        let e = Policy::parse(r#"{"Statement":[{"Effect":"Allow","Action":"*","Condition":{"StringEqualz":{"a":"b"}}}]}"#)
            .unwrap_err();
        assert_eq!(e.path, "Statement[0].Condition.StringEqualz");
        let e = Policy::parse(r#"{"Statement":[{"Effect":"Allow","Action":"*","Condition":{"StringEquals":{"a":{"b":1}}}}]}"#)
            .unwrap_err();
        assert_eq!(e.path, "Statement[0].Condition.StringEquals.a");
        assert!(Policy::parse(r#"[1,2]"#).is_err());
        assert!(
            Policy::parse(r#"{"Statement":{"Effect":"Allow","Action":"*","NotAction":"x"}}"#)
                .is_err()
        );
        assert!(Policy::parse(r#"{"Statement":{"Effect":"Allow"}}"#).is_err());
        assert!(Policy::parse(r#"{"Statement":{"Effect":"Allow","Action":[]}}"#).is_err());
        let e = Policy::parse(
            r#"{"Statement":{"Effect":"Allow","Action":["s3:GetObject","s3GetObject"]}}"#,
        )
        .unwrap_err();
        assert_eq!(e.path, "Statement.Action[1]");
        assert!(Policy::parse(r#"{"Version":"2020-01-01","Statement":[]}"#).is_err());
    }

    #[test]
    fn deeply_nested_json_is_an_error_not_a_stack_overflow() {
        let text = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(Policy::parse(&text).is_err());
        let text = format!(
            "{{\"Statement\":{}1{}}}",
            "[".repeat(5000),
            "]".repeat(5000)
        );
        assert!(Policy::parse(&text).is_err());
    }

    #[test]
    fn ten_thousand_statements_parse_in_bounded_time() {
        let st = r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringLike":{"aws:userid":"*a*a*a*b"}}}"#;
        let text = format!(
            "{{\"Version\":\"2012-10-17\",\"Statement\":[{}]}}",
            vec![st; 10_000].join(",")
        );
        let start = std::time::Instant::now();
        let p = Policy::parse(&text).unwrap();
        assert_eq!(p.statements.len(), 10_000);
        assert_eq!(p.statements[9_999].path, "Statement[9999]");
        assert!(start.elapsed().as_secs() < 5);
    }
}
