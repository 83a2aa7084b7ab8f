//! `vigil policy check` end to end: the shared cases through the binary,
//! and a malformed policy refused with its position.

mod common;

use std::path::Path;

use serde_json::Value;

fn cases(kind: &str) -> Vec<(String, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let case: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        if case["kind"] == kind {
            out.push((
                path.file_name().unwrap().to_string_lossy().into_owned(),
                case,
            ));
        }
    }
    assert!(!out.is_empty(), "no {kind} cases");
    out
}

fn write(dir: &Path, name: &str, v: &Value) -> String {
    let p = dir.join(name);
    std::fs::write(&p, v.to_string()).unwrap();
    p.to_string_lossy().into_owned()
}

/// A case field, the CLI flag that takes it, a file name, and its AWS CLI shape.
type OptionalInput = (
    &'static str,
    &'static str,
    &'static str,
    fn(&Value) -> Value,
);

#[test]
fn bucket_public_cases_through_the_cli() {
    for (name, case) in cases("bucket_public") {
        let dir = tempfile::tempdir().unwrap();
        let input = &case["input"];
        let policy = if input["policy"].is_null() {
            "none".to_string()
        } else {
            // The AWS CLI's shape: the policy as a string inside {"Policy": ...}.
            write(
                dir.path(),
                "policy.json",
                &serde_json::json!({"Policy": input["policy"].to_string()}),
            )
        };
        let mut cmd = common::vigil();
        cmd.args([
            "policy", "check", &policy, "--as", "bucket", "--format", "json",
        ]);
        cmd.args(["--account", input["account_id"].as_str().unwrap()]);
        // Each optional input goes to the CLI in the shape the AWS CLI prints it.
        let optional: [OptionalInput; 3] = [
            (
                "acl_grants",
                "--acl",
                "acl.json",
                |g| serde_json::json!({"Grants": g}),
            ),
            (
                "bucket_bpa",
                "--bucket-bpa",
                "bbpa.json",
                |b| serde_json::json!({"PublicAccessBlockConfiguration": b}),
            ),
            ("account_bpa", "--account-bpa", "abpa.json", |b| b.clone()),
        ];
        for (field, flag, file, shape) in optional {
            if let Some(v) = input.get(field).filter(|v| !v.is_null()) {
                cmd.args([flag, &write(dir.path(), file, &shape(v))]);
            }
        }
        if let Some(o) = input.get("object_ownership").and_then(Value::as_str) {
            cmd.args([
                "--ownership",
                match o {
                    "BucketOwnerEnforced" => "bucket-owner-enforced",
                    "BucketOwnerPreferred" => "bucket-owner-preferred",
                    _ => "object-writer",
                },
            ]);
        }
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            report["public"], case["expected"]["public"],
            "{name}: {}",
            case["why"]
        );
        assert_eq!(
            report["public_via"], case["expected"]["via"],
            "{name}: {}",
            case["why"]
        );
    }
}

#[test]
fn trust_cases_through_the_cli() {
    for (name, case) in cases("trust_requires_mfa") {
        let dir = tempfile::tempdir().unwrap();
        let policy = write(dir.path(), "trust.json", &case["input"]["trust_policy"]);
        let out = common::vigil()
            .args([
                "policy",
                "check",
                &policy,
                "--as",
                "trust",
                "--format",
                "json",
                "--account",
            ])
            .arg(case["input"]["account_id"].as_str().unwrap())
            .output()
            .unwrap();
        assert!(out.status.success(), "{name}");
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            report["requires_mfa"], case["expected"]["requires_mfa"],
            "{name}: {}",
            case["why"]
        );
        assert_eq!(
            report["mfa_bypass"].is_null(),
            case["expected"]["requires_mfa"] == true,
            "{name}"
        );
    }
}

#[test]
fn malformed_policy_exits_2_with_the_position() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.json");
    std::fs::write(&p, "{\"Version\":\"2012-10-17\",\n \"Statement\": [ {\"Effect\": \"Allow\" \"Action\": \"*\"} ]}").unwrap();
    let out = common::vigil()
        .args(["policy", "check"])
        .arg(&p)
        .args(["--as", "identity"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 2"), "{err}");

    std::fs::write(
        &p,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}"#,
    )
    .unwrap();
    let out = common::vigil()
        .args(["policy", "check"])
        .arg(&p)
        .args(["--as", "identity"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Statement[0].Effect"), "{err}");
}
