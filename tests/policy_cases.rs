//! Runs every case in `tests/cases/*.json` (see `tests/cases/README.md`) through
//! the policy engine and compares each field of `expected`.
//!
//! Kind `other` holds IAM credential-report cases, judged by the principal
//! reports and the IAM rules; `cloudtrail_parse` belongs to the tail and is
//! counted and skipped here; an unknown kind (or `other` check) fails.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use vigil::model::finding::Status;
use vigil::model::iam::{CredentialReportRow, IamInventory, User};
use vigil::model::s3::{AclGrant, ObjectOwnership, PublicAccessBlock};
use vigil::model::{Facet, UnknownReason};
use vigil::policy::{self, BucketInput, NamedPolicy, Policy};
use vigil::rules::AccountContext;

fn cases_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    if dir.exists() {
        dir
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../main/tests/cases")
    }
}

fn policy_of(v: &Value) -> Result<Option<Policy>, String> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Policy::parse(s).map(Some).map_err(|e| e.to_string()),
        other => Policy::from_value(other)
            .map(Some)
            .map_err(|e| e.to_string()),
    }
}

fn str_of<'a>(input: &'a Value, key: &str) -> &'a str {
    input.get(key).and_then(Value::as_str).unwrap_or("")
}

fn bpa_of(v: Option<&Value>) -> Result<Option<PublicAccessBlock>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(v) => serde_json::from_value(v.clone())
            .map(Some)
            .map_err(|e| e.to_string()),
    }
}

/// Runs the engine for one case and returns the verdict as JSON with the field
/// names `expected` uses. `Ok(None)` for kinds this test does not own.
fn run(kind: &str, input: &Value) -> Result<Option<Value>, String> {
    Ok(Some(match kind {
        "bucket_public" => {
            let policy = policy_of(input.get("policy").unwrap_or(&Value::Null))?;
            let grants: Vec<AclGrant> = match input.get("acl_grants") {
                None | Some(Value::Null) => Vec::new(),
                Some(g) => serde_json::from_value(g.clone()).map_err(|e| e.to_string())?,
            };
            let bucket_bpa = bpa_of(input.get("bucket_bpa"))?;
            let account_bpa = bpa_of(input.get("account_bpa"))?;
            let object_ownership = input
                .get("object_ownership")
                .and_then(Value::as_str)
                .and_then(ObjectOwnership::parse);
            let r = policy::analyze_bucket(&BucketInput {
                bucket: input
                    .get("bucket")
                    .and_then(Value::as_str)
                    .unwrap_or("example-bucket"),
                account_id: str_of(input, "account_id"),
                policy: policy.as_ref(),
                acl_grants: &grants,
                bucket_bpa: bucket_bpa.as_ref(),
                account_bpa: account_bpa.as_ref(),
                object_ownership,
            });
            json!({ "public": r.public, "via": r.public_via.as_str(), "public_for": r.public_for })
        }
        "secure_transport" => {
            let policy = policy_of(input.get("policy").unwrap_or(&Value::Null))?;
            let r = policy::insecure_transport(policy.as_ref(), str_of(input, "bucket"));
            json!({
                "denies_insecure_transport": r.denies_insecure_transport,
                "object_requests_denied": r.object_requests_denied,
                "bucket_requests_denied": r.bucket_requests_denied,
            })
        }
        "cross_account" => {
            let policy = policy_of(input.get("policy").unwrap_or(&Value::Null))?;
            let r = match &policy {
                Some(p) => policy::external_access(p, str_of(input, "account_id")),
                None => policy::ExternalAccess::none(),
            };
            json!({
                "cross_account": r.cross_account,
                "external_accounts": r.external_accounts,
                "public": r.public,
                "scope": r.scope,
                "organizations": r.organizations,
            })
        }
        "trust_requires_mfa" => {
            let policy = policy_of(input.get("trust_policy").unwrap_or(&Value::Null))?
                .ok_or("no trust_policy")?;
            let r = policy::analyze_trust(&policy, str_of(input, "account_id"));
            json!({
                "requires_mfa": r.requires_mfa,
                "bypass": r.mfa_bypass,
                "public": r.public,
                "external_accounts": r.external_accounts,
                "external_without_external_id": r.external_without_external_id,
            })
        }
        "admin_equivalent" | "privesc" => {
            let policy =
                policy_of(input.get("policy").unwrap_or(&Value::Null))?.ok_or("no policy")?;
            let boundary = policy_of(input.get("permissions_boundary").unwrap_or(&Value::Null))?;
            let r = policy::analyze_identity(
                &[NamedPolicy {
                    name: "policy",
                    policy: &policy,
                }],
                boundary.as_ref(),
            );
            let methods: Vec<&str> = r.privilege_escalation.iter().map(String::as_str).collect();
            json!({
                "admin_equivalent": r.admin_equivalent,
                "privesc": !methods.is_empty(),
                "methods": methods,
            })
        }
        "other" => other(input)?,
        "cloudtrail_parse" => return Ok(None),
        unknown => return Err(format!("unknown case kind {unknown:?}")),
    }))
}

/// An `other` case: what vigil makes of one credential-report row (the
/// user's MFA devices and keys unreadable, so the row alone decides).
fn other(input: &Value) -> Result<Value, String> {
    match input.get("check").and_then(Value::as_str) {
        Some("principal_lacks_mfa") => {}
        other => return Err(format!("unknown `other` check {other:?}")),
    }
    let row: CredentialReportRow = serde_json::from_value(
        input
            .get("credential_report_row")
            .cloned()
            .ok_or("no credential_report_row")?,
    )
    .map_err(|e| e.to_string())?;
    let name = row.get("user").cloned().ok_or("the row has no user")?;
    let arn = row.get("arn").cloned().ok_or("the row has no arn")?;
    let account = arn.split(':').nth(4).unwrap_or("").to_string();
    let iam = IamInventory {
        users: vec![User {
            name,
            arn: arn.clone(),
            path: "/".into(),
            create_date: None,
            groups: Vec::new(),
            inline_policies: Vec::new(),
            attached_policies: Vec::new(),
            permissions_boundary: None,
            mfa_devices: Facet::unknown(UnknownReason::AccessDenied, "not in the case"),
            access_keys: Facet::unknown(UnknownReason::AccessDenied, "not in the case"),
            tags: Vec::new(),
        }],
        groups: Vec::new(),
        roles: Vec::new(),
        policies: Vec::new(),
        credential_report: Facet::Present(vec![row]),
        account_summary: Facet::Absent,
        password_policy: Facet::Absent,
    };
    let reports = vigil::policy::principal_reports(&iam, &account, 0);
    let report = reports
        .iter()
        .find(|r| r.arn == arn)
        .ok_or("no report for the user")?;
    let c = report.credentials.as_ref().ok_or("no credentials")?;
    let iam = Facet::Present(iam);
    let findings = vigil::rules::evaluate_account(&AccountContext {
        account_id: &account,
        region: "us-east-1",
        account_public_access_block: &Facet::Absent,
        iam: &iam,
        now_ms: 0,
        principals: &reports,
    });
    let console_finding = findings
        .iter()
        .find(|f| f.rule == "iam-console-user-without-mfa" && f.resource == arn)
        .ok_or("no console-MFA finding")?;
    Ok(json!({
        "principal": report.arn,
        "console_access": c.console_password.known(),
        "lacks_mfa": c.mfa.known().map(|m| !m),
        "console_mfa_finding": console_finding.status == Status::Fail,
    }))
}

/// Compares one expected field. Lists compare as sets; `bypass` compares
/// presence (the words are for people, not for equality).
fn field_ok(key: &str, expected: &Value, actual: Option<&Value>) -> bool {
    match (key, expected, actual) {
        ("bypass", Value::Null, a) => a.is_none_or(Value::is_null),
        ("bypass", Value::String(_), Some(a)) => a.is_string(),
        (_, Value::Array(e), Some(Value::Array(a))) => {
            let mut e: Vec<String> = e.iter().map(|v| v.to_string()).collect();
            let mut a: Vec<String> = a.iter().map(|v| v.to_string()).collect();
            e.sort();
            a.sort();
            e == a
        }
        (_, e, Some(a)) => e == a,
        _ => false,
    }
}

#[test]
fn policy_cases() {
    let dir = cases_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "no case files found in {}",
        dir.display()
    );
    let (mut passed, mut skipped) = (0usize, 0usize);
    let mut failures = Vec::new();
    for path in &files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let case: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: not JSON: {e}"));
        let kind = case.get("kind").and_then(Value::as_str).unwrap_or("");
        let why = case.get("why").and_then(Value::as_str).unwrap_or("");
        let input = case.get("input").cloned().unwrap_or(Value::Null);
        let expected = case
            .get("expected")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        match run(kind, &input) {
            Ok(None) => skipped += 1,
            Err(e) => failures.push(format!("{name}: error: {e}\n    why: {why}")),
            Ok(Some(actual)) => {
                let bad: Vec<String> = expected
                    .iter()
                    .filter(|(k, v)| !field_ok(k, v, actual.get(k.as_str())))
                    .map(|(k, v)| {
                        format!(
                            "{k}: expected {v}, got {}",
                            actual.get(k.as_str()).unwrap_or(&Value::Null)
                        )
                    })
                    .collect();
                if bad.is_empty() {
                    passed += 1;
                } else {
                    failures.push(format!(
                        "{name}: {}\n    why: {why}\n    engine: {actual}",
                        bad.join("; ")
                    ));
                }
            }
        }
    }
    println!(
        "policy cases: {passed} passed, {skipped} skipped (cloudtrail_parse), {} failed",
        failures.len()
    );
    for f in &failures {
        println!("FAIL {f}");
    }
    assert!(passed > 0, "no policy case ran");
    assert!(
        failures.is_empty(),
        "{} policy case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
