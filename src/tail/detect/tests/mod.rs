//! Each detection, both ways: a record where it fires and ones where it
//! must not. One file per detection module; the record builders here.

mod account;
mod evasion;
mod iam;
mod s3;

use iam::assume;
use s3::{public_policy, s3_call};

use serde_json::{Value, json};

use super::*;
use crate::model::trail::RecordOrigin;
use crate::tail::parse::normalise;

pub(super) const ACCOUNT: &str = "111122223333";

pub(super) fn user(name: &str) -> Value {
    json!({"type": "IAMUser", "principalId": "AIDAEXAMPLE",
           "arn": format!("arn:aws:iam::{ACCOUNT}:user/{name}"),
           "accountId": ACCOUNT, "userName": name})
}

pub(super) fn root() -> Value {
    json!({"type": "Root", "principalId": ACCOUNT, "arn": format!("arn:aws:iam::{ACCOUNT}:root"), "accountId": ACCOUNT})
}

pub(super) fn role_session(role: &str, session: &str) -> Value {
    json!({"type": "AssumedRole",
           "arn": format!("arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}"),
           "accountId": ACCOUNT,
           "sessionContext": {"sessionIssuer": {"type": "Role", "arn": format!("arn:aws:iam::{ACCOUNT}:role/{role}")}}})
}

/// A record of `name` on `source` by `who`, with `extra` merged over it.
pub(super) fn rec(source: &str, name: &str, who: Value, extra: Value) -> Value {
    let mut r = json!({
        "eventVersion": "1.08", "userIdentity": who,
        "eventTime": "2025-01-01T00:00:00Z",
        "eventSource": source, "eventName": name, "awsRegion": "us-east-1",
        "sourceIPAddress": "198.51.100.1", "userAgent": "aws-cli/2.15.0",
        "requestParameters": null, "responseElements": null,
        "eventID": "e", "eventType": "AwsApiCall", "recipientAccountId": ACCOUNT
    });
    if let (Some(m), Value::Object(e)) = (r.as_object_mut(), extra) {
        for (k, v) in e {
            m.insert(k, v);
        }
    }
    r
}

pub(super) fn fired(record: Value) -> Vec<String> {
    normalise(record, RecordOrigin::default())
        .expect("the test record parses")
        .detections
}

pub(super) fn alert(record: Value, id: &str) -> Option<Alert> {
    normalise(record, RecordOrigin::default())
        .expect("the test record parses")
        .alerts
        .into_iter()
        .find(|a| a.id == id)
}

pub(super) fn has(record: Value, id: &str) -> bool {
    fired(record).iter().any(|d| d == id)
}

pub(super) fn denied() -> Value {
    json!({"errorCode": "AccessDenied", "errorMessage": "denied"})
}

pub(super) fn login(who: Value, outcome: &str, mfa: Option<&str>) -> Value {
    let mut extra = json!({"responseElements": {"ConsoleLogin": outcome}});
    if let Some(m) = mfa {
        extra["additionalEventData"] =
            json!({"MFAUsed": m, "LoginTo": "https://console.aws.amazon.com"});
    }
    if outcome == "Failure" {
        extra["errorMessage"] = json!("Failed authentication");
    }
    rec("signin.amazonaws.com", "ConsoleLogin", who, extra)
}

#[test]
fn every_catalogue_id_is_unique_and_has_a_why_and_an_anchor() {
    let mut ids: Vec<&str> = CATALOGUE.iter().map(|d| d.id).collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n);
    for d in CATALOGUE {
        assert!(!d.why.is_empty() && !d.anchors.is_empty(), "{}", d.id);
        assert_eq!(info(d.id).map(|i| i.id), Some(d.id));
    }
    // the ids the team agreed on (BRIEF.md)
    for id in [
        "console-login-without-mfa",
        "console-login-failure",
        "root-activity",
        "unauthorized-api-call",
        "iam-policy-change",
        "access-key-created",
        "mfa-device-deactivated",
        "trail-tampering",
        "bucket-policy-change",
        "bucket-made-public",
        "bucket-acl-change",
        "bucket-encryption-removed",
        "versioning-suspended",
        "cross-account-assume-role",
        "kms-key-disabled",
    ] {
        assert!(info(id).is_some(), "{id}");
    }
}

#[test]
fn vigils_own_calls_are_recognised_and_not_reported() {
    let mut by_agent = s3_call(
        "PutBucketPolicy",
        json!({"bucketName": "b", "bucketPolicy": public_policy()}),
    );
    by_agent["userAgent"] =
        json!("aws-sdk-rust/1.3.9 ua/2.1 api/s3/1.157.0 os/linux lang/rust/1.89.0 app/vigil");
    let e = normalise(by_agent, RecordOrigin::default()).unwrap();
    assert!(e.by_vigil);
    assert!(e.detections.is_empty() && e.alerts.is_empty());
    assert!(
        e.suppressed.contains(&"bucket-made-public".to_string()),
        "{:?}",
        e.suppressed
    );
    let session = rec(
        "s3.amazonaws.com",
        "PutBucketVersioning",
        role_session("vigil-remediation", "vigil-alice-20250101"),
        json!({}),
    );
    assert!(
        normalise(session, RecordOrigin::default())
            .unwrap()
            .by_vigil
    );
    let opening = assume(user("alice"), "999988887777", "vigil-alice-20250101");
    let e = normalise(opening, RecordOrigin::default()).unwrap();
    assert!(e.by_vigil && e.detections.is_empty());
}

#[test]
fn lookalike_agents_and_sessions_are_not_vigil() {
    for ua in ["app/vigilante", "myapp/vigil", "aws-cli/2.15 vigil"] {
        let mut r = s3_call("DeleteBucketPolicy", json!({"bucketName": "b"}));
        r["userAgent"] = json!(ua);
        let e = normalise(r, RecordOrigin::default()).unwrap();
        assert!(!e.by_vigil, "{ua}");
        assert!(!e.detections.is_empty(), "{ua}");
    }
    let session = rec(
        "s3.amazonaws.com",
        "DeleteBucketPolicy",
        role_session("ops", "not-vigil"),
        json!({}),
    );
    assert!(
        !normalise(session, RecordOrigin::default())
            .unwrap()
            .by_vigil
    );
}

#[test]
fn alerts_are_ordered_most_severe_first() {
    let r = s3_call(
        "PutBucketPolicy",
        json!({"bucketName": "b", "bucketPolicy": public_policy()}),
    );
    let e = normalise(r, RecordOrigin::default()).unwrap();
    assert_eq!(e.detections, ["bucket-made-public", "bucket-policy-change"]);
    assert_eq!(e.severity(), Some(Severity::Critical));
}

/// The demo shows every detection: each fires on at least one lab event,
/// and the lab's calls by vigil itself are recognised and not reported.
#[test]
fn every_detection_fires_on_a_lab_event_and_vigils_own_are_suppressed() {
    use crate::tail::parse::{Parsed, parse_message};
    let lab = crate::lab::Lab::embedded().unwrap();
    let group = &lab.log_groups[0];
    let mut fired = std::collections::BTreeSet::new();
    let mut by_vigil = 0;
    for template in &group.events {
        let message = lab.log_message(template, 1_700_000_000_000);
        for p in parse_message(&message, &RecordOrigin::default()) {
            if let Parsed::Event(e) = p {
                fired.extend(e.detections.iter().cloned());
                if e.by_vigil {
                    by_vigil += 1;
                    assert!(e.detections.is_empty(), "{}", e.event_name);
                }
                assert!(
                    !e.raw.contains("IQoJb3JpZ2lu"),
                    "{}: a session token",
                    e.event_name
                );
            }
        }
    }
    let missing: Vec<&str> = CATALOGUE
        .iter()
        .map(|d| d.id)
        .filter(|id| !fired.contains(*id))
        .collect();
    assert!(missing.is_empty(), "no lab event fires {missing:?}");
    assert_eq!(by_vigil, 2, "the lab holds two of vigil's own calls");
}
