//! The `cloudtrail_parse` cases (tests/cases/, copied from the shared case
//! set): each distilled from a public bug report, with the fields of the
//! normalised event AWS's documented record format gives.

use std::path::PathBuf;

use serde_json::Value;
use vigil::model::trail::RecordOrigin;
use vigil::policy::{BucketInput, Policy, bucket_publicity};
use vigil::tail::parse::{Parsed, parse_message};

fn cases() -> Vec<(String, Value)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let case: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        if case["kind"] == "cloudtrail_parse" {
            out.push((
                path.file_name().unwrap().to_string_lossy().into_owned(),
                case,
            ));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn opt(v: &Option<String>) -> Value {
    v.as_ref().map_or(Value::Null, |s| Value::String(s.clone()))
}

#[test]
fn every_cloudtrail_case_gives_the_expected_fields() {
    let cases = cases();
    assert!(cases.len() >= 2, "the cases 061 and 064 are in tests/cases");
    for (name, case) in cases {
        let record = &case["input"]["record"];
        let parsed = parse_message(&record.to_string(), &RecordOrigin::default());
        let [Parsed::Event(e)] = parsed.as_slice() else {
            panic!("{name}: not one event: {parsed:?}");
        };
        let fired = |id: &str| e.detections.iter().any(|d| d == id);
        for (field, want) in case["expected"].as_object().unwrap() {
            let got = match field.as_str() {
                "event_name" => Value::String(e.event_name.clone()),
                "success" => Value::Bool(e.success),
                "principal_type" => Value::String(e.principal.kind.clone()),
                "principal_arn" => opt(&e.principal.arn),
                "user_name" => opt(&e.principal.user_name),
                "user_name_redacted" => Value::Bool(e.principal.user_name_redacted),
                "error_message" => opt(&e.error_message),
                "bucket" => opt(&e.bucket),
                "iam_user_or_root_login_without_mfa" => {
                    Value::Bool(fired("console-login-without-mfa"))
                }
                "bucket_made_public" => Value::Bool(fired("bucket-made-public")),
                "policy_field_type" => {
                    let raw: Value = serde_json::from_str(&e.raw).unwrap();
                    Value::String(
                        match &raw["requestParameters"]["bucketPolicy"] {
                            Value::Object(_) => "object",
                            Value::String(_) => "string",
                            _ => "absent",
                        }
                        .into(),
                    )
                }
                "policy_in_request_is_public" => {
                    let doc = &record["requestParameters"]["bucketPolicy"];
                    let policy = Policy::from_value(doc).unwrap();
                    let bucket = e.bucket.clone().unwrap_or_default();
                    let account = e.recipient_account_id.clone().unwrap_or_default();
                    let verdict = bucket_publicity(&BucketInput {
                        bucket: &bucket,
                        account_id: &account,
                        policy: Some(&policy),
                        acl_grants: &[],
                        bucket_bpa: None,
                        account_bpa: None,
                        object_ownership: None,
                    });
                    Value::Bool(verdict.policy_is_public)
                }
                other => panic!("{name}: expected field {other} is not checked by this test"),
            };
            assert_eq!(&got, want, "{name}: {field} (why: {})", case["why"]);
        }
    }
}
