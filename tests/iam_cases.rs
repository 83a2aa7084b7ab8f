//! The shared cases of kinds `trust_requires_mfa`, `admin_equivalent` and
//! `privesc` (tests/cases/README.md), put into an account — a role with the
//! trust policy, a principal holding the policy — and judged end to end by
//! the principal reports and the IAM rules, not only by the engine.

use std::path::Path;

use serde_json::Value;
use vigil::model::Facet;
use vigil::model::finding::{Finding, Status};
use vigil::model::iam::{Group, IamInventory, InlinePolicy, Role, User};
use vigil::policy::principals::{Fact, PrincipalReport};
use vigil::rules::{self, AccountContext};

fn cases(kind: &str) -> Vec<(String, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut out: Vec<(String, Value)> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let path = e.unwrap().path();
            let case: Value = serde_json::from_str(&std::fs::read_to_string(&path).ok()?).ok()?;
            (case["kind"] == kind).then(|| {
                (
                    path.file_name().unwrap().to_string_lossy().into_owned(),
                    case,
                )
            })
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(!out.is_empty(), "no {kind} cases");
    out
}

fn empty() -> IamInventory {
    IamInventory {
        users: Vec::new(),
        groups: Vec::new(),
        roles: Vec::new(),
        policies: Vec::new(),
        credential_report: Facet::Present(Vec::new()),
        account_summary: Facet::Absent,
        password_policy: Facet::Absent,
    }
}

/// The reports and findings of an account holding `iam`.
fn judge(iam: IamInventory, account: &str) -> (Vec<PrincipalReport>, Vec<Finding>) {
    let reports = vigil::policy::principal_reports(&iam, account, 0);
    let iam = Facet::Present(iam);
    let findings = rules::evaluate_account(&AccountContext {
        account_id: account,
        region: "us-east-1",
        account_public_access_block: &Facet::Absent,
        iam: &iam,
        now_ms: 0,
        principals: &reports,
    });
    (reports, findings)
}

fn status<'f>(findings: &'f [Finding], rule: &str, resource: &str) -> Option<&'f Finding> {
    findings
        .iter()
        .find(|f| f.rule == rule && f.resource == resource)
}

#[test]
fn trust_cases_in_a_role_of_the_account() {
    for (name, case) in cases("trust_requires_mfa") {
        let input = &case["input"];
        let account = input["account_id"].as_str().unwrap();
        let arn = format!("arn:aws:iam::{account}:role/case-role");
        let mut iam = empty();
        iam.roles.push(Role {
            name: "case-role".into(),
            arn: arn.clone(),
            path: "/".into(),
            trust_policy: input["trust_policy"].to_string(),
            inline_policies: Vec::new(),
            attached_policies: Vec::new(),
            permissions_boundary: None,
            tags: Vec::new(),
        });
        let (reports, findings) = judge(iam, account);
        let role = reports.iter().find(|r| r.arn == arn).unwrap();
        let trust = match role.trust.as_ref().unwrap() {
            Fact::Known(t) => t,
            Fact::Unknown(why) => panic!("{name}: trust unknown: {why}"),
        };
        let requires = case["expected"]["requires_mfa"].as_bool().unwrap();
        assert_eq!(
            trust.analysis.requires_mfa, requires,
            "{name}: {}",
            case["why"]
        );
        let f = status(&findings, "iam-role-mfa-not-required", &arn).unwrap();
        assert_eq!(
            f.status,
            if requires { Status::Pass } else { Status::Fail },
            "{name}: {f:?}"
        );
        if !requires {
            // The bypass is reported in words.
            assert!(
                f.reason.as_deref().unwrap().contains(" via "),
                "{name}: {f:?}"
            );
        }
    }
}

/// A principal holding `policy` (inline), of the kind the case says.
fn holder(policy: &Value, account: &str, kind: &str) -> (IamInventory, String) {
    let doc = InlinePolicy {
        name: "case-policy".into(),
        document: policy.to_string(),
    };
    let mut iam = empty();
    let arn = format!("arn:aws:iam::{account}:{kind}/case-principal");
    match kind {
        "role" => iam.roles.push(Role {
            name: "case-principal".into(),
            arn: arn.clone(),
            path: "/".into(),
            trust_policy: r#"{"Statement":[]}"#.into(),
            inline_policies: vec![doc],
            attached_policies: Vec::new(),
            permissions_boundary: None,
            tags: Vec::new(),
        }),
        "group" => iam.groups.push(Group {
            name: "case-principal".into(),
            arn: arn.clone(),
            path: "/".into(),
            inline_policies: vec![doc],
            attached_policies: Vec::new(),
        }),
        _ => iam.users.push(User {
            name: "case-principal".into(),
            arn: arn.clone(),
            path: "/".into(),
            create_date: None,
            groups: Vec::new(),
            inline_policies: vec![doc],
            attached_policies: Vec::new(),
            permissions_boundary: None,
            mfa_devices: Facet::Present(Vec::new()),
            access_keys: Facet::Present(Vec::new()),
            tags: Vec::new(),
        }),
    }
    (iam, arn)
}

#[test]
fn admin_and_privesc_cases_held_by_a_principal() {
    for kind in ["admin_equivalent", "privesc"] {
        for (name, case) in cases(kind) {
            let input = &case["input"];
            let account = input["account_id"].as_str().unwrap();
            let attached_to = input
                .get("attached_to")
                .and_then(Value::as_str)
                .unwrap_or("user");
            let (iam, arn) = holder(&input["policy"], account, attached_to);
            let (reports, findings) = judge(iam, account);
            let report = reports.iter().find(|r| r.arn == arn).unwrap();
            let perms = report
                .permissions
                .known()
                .unwrap_or_else(|| panic!("{name}: unknown"));
            let expected = &case["expected"];
            if let Some(admin) = expected["admin_equivalent"].as_bool() {
                assert_eq!(perms.admin_equivalent, admin, "{name}: {}", case["why"]);
                let f = status(&findings, "iam-admin-equivalent", &arn).unwrap();
                assert_eq!(f.status == Status::Fail, admin, "{name}: {f:?}");
            }
            if let Some(methods) = expected["methods"].as_array() {
                let mut want: Vec<&str> = methods.iter().filter_map(Value::as_str).collect();
                let mut got: Vec<&str> = perms
                    .privilege_escalation
                    .iter()
                    .map(|m| m.method.as_str())
                    .collect();
                want.sort();
                got.sort();
                assert_eq!(got, want, "{name}: {}", case["why"]);
                let f = status(&findings, "iam-privilege-escalation", &arn);
                let fails = f.is_some_and(|f| f.status == Status::Fail);
                assert_eq!(fails, !want.is_empty(), "{name}: {f:?}");
                // Each method's actions name the statement that allows them.
                for m in &perms.privilege_escalation {
                    for a in &m.actions {
                        assert!(
                            !a.allowed_by.is_empty(),
                            "{name}: {} has no provenance",
                            a.action
                        );
                    }
                }
            }
        }
    }
}
