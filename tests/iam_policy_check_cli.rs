//! The `--as identity` and `--as trust` contracts of `vigil policy check`,
//! through the binary, on the shared cases.

mod common;

use std::path::Path;

use serde_json::Value;

fn cases(kinds: &[&str]) -> Vec<(String, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let case: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        if kinds.contains(&case["kind"].as_str().unwrap_or("")) {
            out.push((
                path.file_name().unwrap().to_string_lossy().into_owned(),
                case,
            ));
        }
    }
    assert!(!out.is_empty(), "no {kinds:?} cases");
    out
}

fn check(policy: &Value, kind: &str, account: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("policy.json");
    std::fs::write(&file, policy.to_string()).unwrap();
    let out = common::vigil()
        .args(["policy", "check"])
        .arg(&file)
        .args(["--as", kind, "--account", account, "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn sorted(v: &Value) -> Vec<String> {
    let mut s: Vec<String> = v
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|x| {
            x.as_str()
                .unwrap_or_else(|| panic!("not a name: {x}"))
                .to_string()
        })
        .collect();
    s.sort();
    s
}

#[test]
fn identity_gives_admin_equivalence_and_an_array_of_method_names() {
    for (name, case) in cases(&["admin_equivalent", "privesc"]) {
        let input = &case["input"];
        let r = check(
            &input["policy"],
            "identity",
            input["account_id"].as_str().unwrap(),
        );
        let expected = &case["expected"];
        assert!(r["admin_equivalent"].is_boolean(), "{name}");
        if let Some(admin) = expected.get("admin_equivalent") {
            assert_eq!(&r["admin_equivalent"], admin, "{name}: {}", case["why"]);
        }
        if let Some(methods) = expected.get("methods") {
            assert_eq!(
                sorted(&r["privilege_escalation"]),
                sorted(methods),
                "{name}: {}",
                case["why"]
            );
        }
        // The details stay available under their own key.
        assert_eq!(
            r["privilege_escalation_methods"].as_array().unwrap().len(),
            r["privilege_escalation"].as_array().unwrap().len(),
            "{name}"
        );
    }
}

#[test]
fn trust_gives_requires_mfa_bypass_external_accounts_and_public() {
    for (name, case) in cases(&["trust_requires_mfa"]) {
        let input = &case["input"];
        let r = check(
            &input["trust_policy"],
            "trust",
            input["account_id"].as_str().unwrap(),
        );
        assert_eq!(
            r["requires_mfa"], case["expected"]["requires_mfa"],
            "{name}: {}",
            case["why"]
        );
        assert!(
            r["mfa_bypass"].is_null() || r["mfa_bypass"].is_string(),
            "{name}"
        );
        assert_eq!(
            r["mfa_bypass"].is_null(),
            r["requires_mfa"] == true,
            "{name}"
        );
        assert!(r["external_accounts"].is_array(), "{name}");
        assert!(r["public"].is_boolean(), "{name}");
    }
}

#[test]
fn trust_to_everyone_is_public_and_an_external_account_is_listed() {
    let everyone = serde_json::json!({"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]});
    let r = check(&everyone, "trust", "111122223333");
    assert_eq!(r["public"], true);
    assert_eq!(r["requires_mfa"], false);
    let vendor = serde_json::json!({"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"sts:AssumeRole"}]});
    let r = check(&vendor, "trust", "111122223333");
    assert_eq!(r["public"], false);
    assert_eq!(sorted(&r["external_accounts"]), vec!["444455556666"]);
    let own = check(&vendor, "trust", "444455556666");
    assert_eq!(sorted(&own["external_accounts"]), Vec::<String>::new());
}
