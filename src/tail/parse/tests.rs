use serde_json::{Value, json};

use super::*;
use crate::lab::Lab;
use crate::tail::record::MASKED;

/// A minimal valid record, with `extra` merged over it.
fn record(extra: Value) -> Value {
    let mut base = json!({
        "eventVersion": "1.08",
        "userIdentity": {
            "type": "IAMUser",
            "principalId": "AIDAEXAMPLE",
            "arn": "arn:aws:iam::111122223333:user/alice",
            "accountId": "111122223333",
            "userName": "alice"
        },
        "eventTime": "2025-04-16T12:01:00Z",
        "eventSource": "s3.amazonaws.com",
        "eventName": "GetBucketAcl",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "203.0.113.5",
        "userAgent": "aws-cli/2.15.0",
        "requestParameters": {"bucketName": "b"},
        "responseElements": null,
        "eventID": "e-1",
        "recipientAccountId": "111122223333"
    });
    if let (Some(b), Value::Object(e)) = (base.as_object_mut(), extra) {
        for (k, v) in e {
            b.insert(k, v);
        }
    }
    base
}

fn event(extra: Value) -> TrailEvent {
    normalise(record(extra), RecordOrigin::default()).expect("the record parses")
}

fn events(parsed: Vec<Parsed>) -> (Vec<TrailEvent>, Vec<UnparsedRecord>) {
    let mut ok = Vec::new();
    let mut bad = Vec::new();
    for p in parsed {
        match p {
            Parsed::Event(e) => ok.push(*e),
            Parsed::Unparsed(u) => bad.push(*u),
        }
    }
    (ok, bad)
}

#[test]
fn a_plain_record_normalises_every_field() {
    let e = event(json!({}));
    assert_eq!(e.event_id, "e-1");
    assert_eq!(e.event_name, "GetBucketAcl");
    assert_eq!(e.service(), "s3");
    assert_eq!(
        e.event_time_ms,
        parse_time_ms("2025-04-16T12:01:00Z").unwrap()
    );
    assert_eq!(e.region.as_deref(), Some("us-east-1"));
    assert!(e.success);
    assert_eq!(e.principal.kind, "IAMUser");
    assert_eq!(e.principal.user_name.as_deref(), Some("alice"));
    assert_eq!(e.actor, "alice");
    assert_eq!(e.bucket.as_deref(), Some("b"));
    assert_eq!(e.target.as_deref(), Some("b"));
    assert!(!e.cross_account);
    assert!(!e.source_is_service);
    let row = e.row();
    assert_eq!(
        (row.actor, row.event, row.target, row.result, row.source_ip),
        ("alice", "GetBucketAcl", "b", "ok", "203.0.113.5")
    );
}

#[test]
fn event_time_in_utc_parses_and_anything_else_falls_back_to_the_log_timestamp() {
    assert_eq!(parse_time_ms("1970-01-01T00:00:01.5Z"), Some(1500));
    assert_eq!(parse_time_ms("yesterday"), None);
    let origin = RecordOrigin {
        log_timestamp_ms: Some(42),
        ..RecordOrigin::default()
    };
    let e = normalise(record(json!({"eventTime": "yesterday"})), origin).unwrap();
    assert_eq!((e.event_time.as_str(), e.event_time_ms), ("yesterday", 42));
}

#[test]
fn any_minor_of_version_1_parses_and_version_2_is_kept_raw() {
    for v in ["1.0", "1.05", "1.11", "1.99"] {
        assert_eq!(event(json!({"eventVersion": v})).event_version, v);
    }
    let (ok, bad) = events(parse_message(
        &record(json!({"eventVersion": "2.0"})).to_string(),
        &RecordOrigin::default(),
    ));
    assert!(ok.is_empty());
    assert!(
        bad[0].reason.contains("eventVersion 2.0"),
        "{}",
        bad[0].reason
    );
}

#[test]
fn optional_fields_may_all_be_missing() {
    let minimal = json!({
        "eventVersion": "1.09",
        "eventTime": "2025-01-01T00:00:00Z",
        "eventSource": "ec2.amazonaws.com",
        "eventName": "DescribeInstances"
    });
    let e = normalise(minimal, RecordOrigin::default()).unwrap();
    assert_eq!(e.principal.kind, "Unknown");
    assert_eq!(e.actor, "Unknown");
    assert!(e.success);
    assert_eq!(e.event_id, "");
    assert!(e.region.is_none() && e.source_ip.is_none() && e.bucket.is_none());
    assert_eq!(e.row().target, "-");
}

#[test]
fn required_fields_missing_or_of_the_wrong_type_are_reasons() {
    let mut r = record(json!({}));
    r.as_object_mut().unwrap().remove("eventName");
    assert_eq!(
        normalise(r, RecordOrigin::default()).unwrap_err(),
        ParseError::Missing("eventName")
    );
    assert_eq!(
        normalise(record(json!({"eventSource": 5})), RecordOrigin::default()).unwrap_err(),
        ParseError::NotAString("eventSource")
    );
}

#[test]
fn source_ip_may_be_a_service_name() {
    let e = event(json!({"sourceIPAddress": "cloudtrail.amazonaws.com"}));
    assert_eq!(e.source_ip.as_deref(), Some("cloudtrail.amazonaws.com"));
    assert!(e.source_is_service);
    assert!(event(json!({"sourceIPAddress": "AWS Internal"})).source_is_service);
    assert!(!event(json!({"sourceIPAddress": "2001:db8::1"})).source_is_service);
}

#[test]
fn mfa_used_is_compared_case_insensitively() {
    let login = |mfa: &str| {
        event(json!({
            "eventSource": "signin.amazonaws.com",
            "eventName": "ConsoleLogin",
            "responseElements": {"ConsoleLogin": "Success"},
            "additionalEventData": {"MFAUsed": mfa}
        }))
        .mfa_used
    };
    assert_eq!(login("Yes"), Some(true));
    assert_eq!(login("YES"), Some(true));
    assert_eq!(login("yes"), Some(true));
    assert_eq!(login("No"), Some(false));
    assert_eq!(login("NO"), Some(false));
    assert_eq!(login("maybe"), None);
}

#[test]
fn a_failed_login_is_a_failure_without_an_error_code() {
    let e = event(json!({
        "eventSource": "signin.amazonaws.com",
        "eventName": "ConsoleLogin",
        "errorMessage": "Failed authentication",
        "responseElements": {"ConsoleLogin": "Failure"}
    }));
    assert!(!e.success);
    assert_eq!(e.error_code, None);
    assert_eq!(e.row().result, "failed");
    let denied = event(json!({"errorCode": "AccessDenied", "errorMessage": "Access Denied"}));
    assert!(!denied.success);
    assert_eq!(denied.row().result, "AccessDenied");
}

fn sts_with_credentials(name: &str) -> Value {
    record(json!({
        "eventSource": "sts.amazonaws.com",
        "eventName": name,
        "requestParameters": {"roleArn": "arn:aws:iam::111122223333:role/r", "roleSessionName": "s"},
        "responseElements": {"credentials": {
            "accessKeyId": "ASIAEXAMPLEKEY",
            "sessionToken": "IQoJb3JpZ2luX2VjEXAMPLETOKEN",
            "secretAccessKey": "wJalrXUtnFEMIEXAMPLESECRET",
            "expiration": "Jan 1, 2030, 12:00:00 AM"
        }}
    }))
}

#[test]
fn session_tokens_and_secrets_of_sts_responses_never_reach_the_event() {
    for name in ["AssumeRole", "GetSessionToken", "GetFederationToken"] {
        let e = normalise(sts_with_credentials(name), RecordOrigin::default()).unwrap();
        let whole = serde_json::to_string(&e).unwrap();
        assert!(!whole.contains("IQoJb3JpZ2lu"), "{name}: token in {whole}");
        assert!(
            !whole.contains("wJalrXUtnFEMI"),
            "{name}: secret in {whole}"
        );
        assert!(e.raw_pretty().contains(MASKED), "{name}");
        assert!(
            e.raw.contains("ASIAEXAMPLEKEY"),
            "{name}: the key id is evidence"
        );
    }
}

#[test]
fn a_record_that_fails_to_parse_is_kept_masked() {
    let mut r = sts_with_credentials("AssumeRole");
    r["eventVersion"] = json!("2.0");
    let (_, bad) = events(parse_message(&r.to_string(), &RecordOrigin::default()));
    assert!(!bad[0].raw.contains("IQoJb3JpZ2lu"), "{}", bad[0].raw);
    let cut = &r.to_string()[..r.to_string().len() - 20];
    let (_, bad) = events(parse_message(cut, &RecordOrigin::default()));
    assert!(bad[0].reason.starts_with("not JSON"));
    assert!(!bad[0].raw.contains("IQoJb3JpZ2lu"), "{}", bad[0].raw);
}

#[test]
fn hostile_text_is_sanitised_in_fields_and_raw() {
    let e = event(json!({
        "userAgent": "Boto3/1.34.0 \u{1b}]52;c;ZWNobyBwd25lZA==\u{7}",
        "requestParameters": {"bucketName": "b\u{202e}gpj.exe"}
    }));
    let ua = e.user_agent.as_deref().unwrap();
    assert!(!ua.contains('\u{1b}') && ua.contains("\\x1b]52"), "{ua}");
    assert_eq!(e.bucket.as_deref(), Some("b\\u{202e}gpj.exe"));
    assert!(!e.raw.contains('\u{1b}') && !e.raw.contains('\u{202e}'));
    let pretty = e.raw_pretty();
    assert!(pretty.contains("Boto3/1.34.0 \\x1b]52;c;"), "{pretty}");
    assert!(!pretty.chars().any(|c| c.is_control() && c != '\n'));
}

#[test]
fn a_hidden_user_name_is_not_a_user() {
    let e = event(json!({"userIdentity": {
        "type": "IAMUser", "accountId": "111122223333", "accessKeyId": "",
        "userName": "HIDDEN_DUE_TO_SECURITY_REASONS"
    }}));
    assert_eq!(e.principal.user_name, None);
    assert!(e.principal.user_name_redacted);
    assert_eq!(
        e.principal.access_key_id, None,
        "an empty key id is no key id"
    );
    assert_eq!(e.actor, "(hidden user name)");
}

#[test]
fn a_role_session_names_its_role_and_session() {
    let e = event(json!({"userIdentity": {
        "type": "AssumedRole",
        "arn": "arn:aws:sts::111122223333:assumed-role/deployer/ci-run-7",
        "accountId": "111122223333",
        "sessionContext": {
            "sessionIssuer": {"arn": "arn:aws:iam::111122223333:role/deployer"},
            "attributes": {"mfaAuthenticated": "true"}
        }
    }}));
    assert_eq!(e.actor, "deployer/ci-run-7");
    assert_eq!(e.principal.session_name.as_deref(), Some("ci-run-7"));
    assert_eq!(
        e.principal.session_issuer_arn.as_deref(),
        Some("arn:aws:iam::111122223333:role/deployer")
    );
    assert_eq!(e.principal.mfa_authenticated, Some(true));
}

#[test]
fn cross_account_from_recipient_or_the_assumed_role() {
    let other_caller = event(
        json!({"userIdentity": {"type": "AWSAccount", "accountId": "444455556666", "principalId": "AIDA"}}),
    );
    assert!(other_caller.cross_account);
    assert_eq!(other_caller.actor, "account 444455556666");
    let outbound = event(json!({
        "eventSource": "sts.amazonaws.com", "eventName": "AssumeRole",
        "requestParameters": {"roleArn": "arn:aws:iam::999988887777:role/x", "roleSessionName": "s"}
    }));
    assert!(outbound.cross_account);
    assert_eq!(
        outbound.target.as_deref(),
        Some("arn:aws:iam::999988887777:role/x")
    );
    let same = event(json!({
        "eventSource": "sts.amazonaws.com", "eventName": "AssumeRole",
        "requestParameters": {"roleArn": "arn:aws:iam::111122223333:role/x", "roleSessionName": "s"}
    }));
    assert!(!same.cross_account);
    let service =
        event(json!({"userIdentity": {"type": "AWSService", "invokedBy": "lambda.amazonaws.com"}}));
    assert!(!service.cross_account);
    assert_eq!(service.actor, "lambda.amazonaws.com");
}

#[test]
fn the_bucket_comes_from_a_list_or_the_resources() {
    let listed = event(json!({"requestParameters": {"bucketName": ["logs"]}}));
    assert_eq!(listed.bucket.as_deref(), Some("logs"));
    let data_event = event(json!({
        "requestParameters": {"key": "a.txt"},
        "resources": [{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::data/a.txt"},
                      {"type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::data"}]
    }));
    assert_eq!(data_event.bucket.as_deref(), Some("data"));
    let iam = event(json!({
        "eventSource": "iam.amazonaws.com", "eventName": "CreateAccessKey",
        "requestParameters": {"userName": "bob"}
    }));
    assert_eq!(
        (iam.bucket.as_deref(), iam.target.as_deref()),
        (None, Some("bob"))
    );
}

#[test]
fn the_records_envelope_gives_one_event_per_record_in_order() {
    let envelope = json!({"Records": [
        record(json!({"eventID": "a"})),
        "not a record",
        record(json!({"eventID": "b"}))
    ]});
    let (ok, bad) = events(parse_document(&envelope.to_string()));
    assert_eq!(
        ok.iter().map(|e| e.event_id.as_str()).collect::<Vec<_>>(),
        ["a", "b"]
    );
    assert_eq!(ok[1].origin.position, Some(3));
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0].origin.position, Some(2));
    assert_eq!(bad[0].reason, "not a JSON object");
    // an envelope inside a log message too
    let (ok, _) = events(parse_message(
        &envelope.to_string(),
        &RecordOrigin::default(),
    ));
    assert_eq!(ok.len(), 2);
}

#[test]
fn json_lines_and_arrays_are_documents_too() {
    let lines = format!(
        "{}\n\n{}\nnot json at all\n",
        record(json!({"eventID": "a"})),
        record(json!({"eventID": "b"}))
    );
    let (ok, bad) = events(parse_document(&lines));
    assert_eq!(ok.len(), 2);
    assert_eq!(ok[1].origin.position, Some(3));
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0].origin.position, Some(4));
    assert_eq!(bad[0].raw, "not json at all");
    let array = json!([record(json!({"eventID": "a"})), record(json!({}))]).to_string();
    assert_eq!(events(parse_document(&array)).0.len(), 2);
    let one = record(json!({})).to_string();
    assert_eq!(events(parse_document(&one)).0.len(), 1);
    assert!(parse_document("  \n").is_empty());
}

#[test]
fn junk_messages_are_kept_raw_with_a_reason_and_never_panic() {
    let junk = [
        "",
        "   ",
        "this line is not a CloudTrail record",
        "42",
        "[1,2]",
        "{\"Records\": 5}",
        "{\"eventVersion\": {}}",
        "\u{1b}[2J{",
        &"[".repeat(10_000),
    ];
    for j in junk {
        let out = parse_message(j, &RecordOrigin::default());
        let (ok, bad) = events(out);
        assert!(ok.is_empty(), "{j:?}");
        assert_eq!(bad.len(), 1, "{j:?}");
        assert!(!bad[0].reason.is_empty());
        assert!(!bad[0].raw.contains('\u{1b}'));
    }
    let huge = "x".repeat(100_000);
    let (_, bad) = events(parse_message(&huge, &RecordOrigin::default()));
    assert!(bad[0].raw.len() < 17_000 && bad[0].raw.ends_with("more bytes)"));
}

#[test]
fn every_lab_record_parses_and_the_one_junk_line_does_not() {
    let lab = Lab::embedded().unwrap();
    let group = lab
        .log_groups
        .iter()
        .find(|g| g.name == "aws-cloudtrail-logs-vigil-lab")
        .unwrap();
    let mut unparsed = Vec::new();
    for (i, template) in group.events.iter().enumerate() {
        let message = lab.log_message(template, 1_700_000_000_000 + i as i64 * 60_000);
        for p in parse_message(&message, &RecordOrigin::default()) {
            if let Parsed::Unparsed(u) = p {
                unparsed.push(u.raw);
            }
        }
    }
    assert_eq!(unparsed, ["this line is not a CloudTrail record"]);
}
