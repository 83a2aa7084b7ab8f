//! Request evaluation: explicit deny, then allow, then implicit deny.
//!
//! IAM User Guide, "Policy evaluation logic" → "Determining whether a request is
//! allowed or denied within an account": "an explicit deny in any policy
//! overrides any allows"; with no applicable statement the request is
//! implicitly denied. A statement applies when its principal, action, resource
//! and every condition match; a statement holding an unresolvable policy
//! variable does not match ("IAM policy elements: Variables and tags").

use serde::Serialize;

use super::arn;
use super::condition::{self, Context};
use super::document::{
    ActionBlock, Effect, Policy, PrincipalBlock, Principals, ResourceBlock, Statement,
};
use super::wildcard;

/// The kind of caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PrincipalKind {
    /// IAM user, role session, or account root (ARN in `arn`).
    Aws,
    /// AWS service principal (`arn` holds e.g. `cloudtrail.amazonaws.com`).
    Service,
    /// Federated identity provider (`arn` holds the provider).
    Federated,
    /// S3 canonical user id (`arn` holds the id).
    CanonicalUser,
    /// Unsigned request; only `*` principals match.
    Anonymous,
}

/// Who makes the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestPrincipal {
    /// ARN (or service name / provider / canonical id, per `kind`).
    pub arn: String,
    /// Account of the caller, when known.
    pub account: Option<String>,
    /// Kind of caller.
    pub kind: PrincipalKind,
}

impl RequestPrincipal {
    /// An IAM principal; the account is taken from the ARN.
    pub fn aws(arn: &str) -> Self {
        RequestPrincipal {
            arn: arn.to_string(),
            account: arn::principal_account(arn),
            kind: PrincipalKind::Aws,
        }
    }
}

/// One request to evaluate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Request {
    /// The caller.
    pub principal: RequestPrincipal,
    /// `service:Action`.
    pub action: String,
    /// Resource ARN.
    pub resource: String,
    /// Condition keys and their values.
    pub context: Context,
}

/// The outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// At least one Allow applied and no Deny.
    Allow,
    /// A Deny applied.
    ExplicitDeny,
    /// Nothing applied.
    ImplicitDeny,
}

/// A pointer to a statement, for evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementRef {
    /// Index of the policy in the slice given to the analysis.
    pub policy: usize,
    /// Index of the statement in its policy.
    pub index: usize,
    /// `Sid`, if any.
    pub sid: Option<String>,
    /// JSON path, e.g. `Statement[2]`.
    pub path: String,
}

impl StatementRef {
    /// Reference to `st` in policy number `policy`.
    pub fn new(policy: usize, st: &Statement) -> Self {
        StatementRef {
            policy,
            index: st.index,
            sid: st.sid.clone(),
            path: st.path.clone(),
        }
    }

    /// `Statement[2] (Sid "X")`, for reasons.
    pub fn describe(&self) -> String {
        match &self.sid {
            Some(s) if !s.is_empty() => format!("{} (Sid {s:?})", self.path),
            _ => self.path.clone(),
        }
    }
}

/// The decision and the statements that decided it (the denies for
/// `ExplicitDeny`, the allows for `Allow`, none for `ImplicitDeny`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    /// The decision.
    pub decision: Decision,
    /// Deciding statements.
    pub statements: Vec<StatementRef>,
}

/// Evaluates `request` against all `policies` together (e.g. a bucket policy,
/// or every identity policy of one principal).
pub fn evaluate(policies: &[&Policy], request: &Request) -> Evaluation {
    let mut allows = Vec::new();
    let mut denies = Vec::new();
    for (pi, policy) in policies.iter().enumerate() {
        for st in &policy.statements {
            if statement_applies(st, request) {
                let r = StatementRef::new(pi, st);
                match st.effect {
                    Effect::Allow => allows.push(r),
                    Effect::Deny => denies.push(r),
                }
            }
        }
    }
    if !denies.is_empty() {
        Evaluation {
            decision: Decision::ExplicitDeny,
            statements: denies,
        }
    } else if !allows.is_empty() {
        Evaluation {
            decision: Decision::Allow,
            statements: allows,
        }
    } else {
        Evaluation {
            decision: Decision::ImplicitDeny,
            statements: Vec::new(),
        }
    }
}

/// Whether one statement applies to the request (effect not considered).
pub fn statement_applies(st: &Statement, request: &Request) -> bool {
    principal_matches(st.principal.as_ref(), &request.principal)
        && action_matches(&st.action, &request.action)
        && resource_matches(
            st.resource.as_ref(),
            &request.resource,
            &request.context,
            st.variables,
        ) == Some(true)
        && conditions_hold(st, &request.context) == Some(true)
}

/// All conditions of `st` hold; `None` when a policy variable is unresolvable.
pub fn conditions_hold(st: &Statement, ctx: &Context) -> Option<bool> {
    for c in &st.conditions {
        if !condition::evaluate(c, ctx, st.variables)? {
            return Some(false);
        }
    }
    Some(true)
}

/// `Action` matches when any pattern matches; `NotAction` when none does.
/// Action names are case-insensitive.
pub fn action_matches(block: &ActionBlock, action: &str) -> bool {
    match block {
        ActionBlock::Action(p) => p.iter().any(|p| wildcard::matches_ignore_case(p, action)),
        ActionBlock::NotAction(p) => !p.iter().any(|p| wildcard::matches_ignore_case(p, action)),
    }
}

/// `Resource`/`NotResource` against one ARN, with policy variables substituted.
/// An absent element (role trust policies) matches. `None` when a variable is
/// unresolvable.
pub fn resource_matches(
    block: Option<&ResourceBlock>,
    resource: &str,
    ctx: &Context,
    variables: bool,
) -> Option<bool> {
    let (patterns, negate) = match block {
        None => return Some(true),
        Some(ResourceBlock::Resource(p)) => (p, false),
        Some(ResourceBlock::NotResource(p)) => (p, true),
    };
    let mut any = false;
    for p in patterns {
        let p = if variables {
            condition::substitute(p, ctx)?
        } else {
            p.clone()
        };
        if arn::arn_like(&p, resource) {
            any = true;
        }
    }
    Some(any != negate)
}

/// `Principal`/`NotPrincipal` against the caller. An absent element (identity
/// policies) matches: the policy is attached to the caller.
pub fn principal_matches(block: Option<&PrincipalBlock>, who: &RequestPrincipal) -> bool {
    match block {
        None => true,
        Some(PrincipalBlock::Principal(p)) => principals_contain(p, who),
        Some(PrincipalBlock::NotPrincipal(p)) => !principals_contain(p, who),
    }
}

/// Whether `who` is one of `set` ("AWS JSON policy elements: Principal":
/// an account root stands for every principal of that account; a role ARN
/// covers its sessions).
pub fn principals_contain(set: &Principals, who: &RequestPrincipal) -> bool {
    if set.is_everyone() {
        return true;
    }
    match who.kind {
        PrincipalKind::Aws => set.aws.iter().any(|entry| aws_entry_matches(entry, who)),
        PrincipalKind::Service => set.service.iter().any(|s| s.eq_ignore_ascii_case(&who.arn)),
        PrincipalKind::Federated => set.federated.iter().any(|f| f == &who.arn),
        PrincipalKind::CanonicalUser => set.canonical_user.iter().any(|c| c == &who.arn),
        PrincipalKind::Anonymous => false,
    }
}

fn aws_entry_matches(entry: &str, who: &RequestPrincipal) -> bool {
    if let Some(a) = arn::parse(entry)
        && a.service == "iam"
        && a.resource == "root"
    {
        return who.account.as_deref() == Some(a.account);
    }
    if let (Some(role), Some(session)) = (arn::role(entry), arn::assumed_role(&who.arn))
        && role == session
    {
        return true;
    }
    wildcard::matches(entry, &who.arn)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(principal: &str, action: &str, resource: &str, ctx: Context) -> Request {
        Request {
            principal: RequestPrincipal::aws(principal),
            action: action.into(),
            resource: resource.into(),
            context: ctx,
        }
    }

    const BOB: &str = "arn:aws:iam::111122223333:user/bob";

    #[test]
    fn policy_evaluation_explicit_deny_beats_allow() {
        let p = Policy::parse(
            r#"{"Version":"2012-10-17","Statement":[
            {"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},
            {"Sid":"D","Effect":"Deny","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::b/*"}]}"#,
        )
        .unwrap();
        let e = evaluate(
            &[&p],
            &req(BOB, "s3:deleteobject", "arn:aws:s3:::b/k", Context::new()),
        );
        assert_eq!(e.decision, Decision::ExplicitDeny);
        assert_eq!(e.statements[0].sid.as_deref(), Some("D"));
        let e = evaluate(
            &[&p],
            &req(BOB, "s3:GetObject", "arn:aws:s3:::b/k", Context::new()),
        );
        assert_eq!(e.decision, Decision::Allow);
        let e = evaluate(&[&p], &req(BOB, "iam:GetUser", "*", Context::new()));
        assert_eq!(e.decision, Decision::ImplicitDeny);
    }

    #[test]
    fn policy_evaluation_deny_with_false_condition_does_not_apply() {
        let p = Policy::parse(
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
            {"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#,
        )
        .unwrap();
        let https = Context::new().with("aws:SecureTransport", "true");
        let http = Context::new().with("aws:SecureTransport", "false");
        assert_eq!(
            evaluate(&[&p], &req(BOB, "s3:GetObject", "x", https)).decision,
            Decision::Allow
        );
        assert_eq!(
            evaluate(&[&p], &req(BOB, "s3:GetObject", "x", http)).decision,
            Decision::ExplicitDeny
        );
    }

    #[test]
    fn principal_account_root_covers_its_principals_and_role_covers_sessions() {
        let p = Policy::parse(
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":["444455556666","arn:aws:iam::111122223333:role/r"]},"Action":"s3:GetObject","Resource":"*"}]}"#,
        )
        .unwrap();
        let ok = |arn: &str| {
            evaluate(&[&p], &req(arn, "s3:GetObject", "x", Context::new())).decision
                == Decision::Allow
        };
        assert!(ok("arn:aws:iam::444455556666:user/x"));
        assert!(ok("arn:aws:sts::111122223333:assumed-role/r/session"));
        assert!(!ok(BOB));
        let anon = Request {
            principal: RequestPrincipal {
                arn: "anonymous".into(),
                account: None,
                kind: PrincipalKind::Anonymous,
            },
            action: "s3:GetObject".into(),
            resource: "x".into(),
            context: Context::new(),
        };
        assert_eq!(evaluate(&[&p], &anon).decision, Decision::ImplicitDeny);
    }

    #[test]
    fn notprincipal_notaction_notresource() {
        let p = Policy::parse(
            r#"{"Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:user/bob"},
            "NotAction":"s3:Delete*","NotResource":"arn:aws:s3:::secret/*"}]}"#,
        )
        .unwrap();
        let alice = "arn:aws:iam::111122223333:user/alice";
        let d =
            |who: &str, a: &str, r: &str| evaluate(&[&p], &req(who, a, r, Context::new())).decision;
        assert_eq!(
            d(alice, "s3:GetObject", "arn:aws:s3:::b/k"),
            Decision::Allow
        );
        assert_eq!(
            d(BOB, "s3:GetObject", "arn:aws:s3:::b/k"),
            Decision::ImplicitDeny
        );
        assert_eq!(
            d(alice, "s3:DeleteObject", "arn:aws:s3:::b/k"),
            Decision::ImplicitDeny
        );
        assert_eq!(
            d(alice, "s3:GetObject", "arn:aws:s3:::secret/k"),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn policy_variables_in_resource_and_unresolvable_statement_does_not_match() {
        let p = Policy::parse(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/home/${aws:username}/*"}]}"#,
        )
        .unwrap();
        let ctx = Context::new().with("aws:username", "bob");
        assert_eq!(
            evaluate(
                &[&p],
                &req(
                    BOB,
                    "s3:GetObject",
                    "arn:aws:s3:::b/home/bob/f",
                    ctx.clone()
                )
            )
            .decision,
            Decision::Allow
        );
        assert_eq!(
            evaluate(
                &[&p],
                &req(BOB, "s3:GetObject", "arn:aws:s3:::b/home/eve/f", ctx)
            )
            .decision,
            Decision::ImplicitDeny
        );
        assert_eq!(
            evaluate(
                &[&p],
                &req(
                    BOB,
                    "s3:GetObject",
                    "arn:aws:s3:::b/home/bob/f",
                    Context::new()
                )
            )
            .decision,
            Decision::ImplicitDeny
        );
        // Version 2008-10-17 treats ${...} literally.
        let old = Policy::parse(r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${x}"}]}"#).unwrap();
        assert_eq!(
            evaluate(
                &[&old],
                &req(BOB, "s3:GetObject", "arn:aws:s3:::b/${x}", Context::new())
            )
            .decision,
            Decision::Allow
        );
    }

    #[test]
    fn ten_thousand_statements_evaluate_in_bounded_time() {
        let st = r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*a*a*a*a*a*b","Condition":{"StringLike":{"aws:userid":"*a*a*a*a*b"}}}"#;
        let text = format!(
            "{{\"Version\":\"2012-10-17\",\"Statement\":[{}]}}",
            vec![st; 10_000].join(",")
        );
        let p = Policy::parse(&text).unwrap();
        let long = "a".repeat(2_000);
        let start = std::time::Instant::now();
        let e = evaluate(
            &[&p],
            &req(
                BOB,
                "s3:GetObject",
                &format!("arn:aws:s3:::b/{long}"),
                Context::new().with("aws:userid", long.clone()),
            ),
        );
        assert_eq!(e.decision, Decision::ImplicitDeny);
        assert!(start.elapsed().as_secs() < 20);
    }
}
