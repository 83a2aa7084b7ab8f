//! IAM policies, access keys, MFA devices, cross-account roles.

use serde_json::{Value, json};

use super::*;

pub(super) fn iam_call(name: &str, params: Value) -> Value {
    rec(
        "iam.amazonaws.com",
        name,
        user("carol"),
        json!({"requestParameters": params}),
    )
}

#[test]
fn iam_policy_change_fires_on_cis_events_and_judges_the_document() {
    let a = alert(iam_call("AttachUserPolicy", json!({"userName": "carol", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"})), "iam-policy-change").unwrap();
    assert_eq!(a.severity, Severity::High);
    assert!(
        a.detail.contains("full administrator access"),
        "{}",
        a.detail
    );
    let admin_doc =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    let a = alert(
        iam_call(
            "PutUserPolicy",
            json!({"userName": "carol", "policyName": "p", "policyDocument": admin_doc}),
        ),
        "iam-policy-change",
    )
    .unwrap();
    assert_eq!(a.severity, Severity::High);
    assert!(a.detail.contains("admin-equivalent"), "{}", a.detail);
    let narrow = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
    let a = alert(
        iam_call(
            "CreatePolicyVersion",
            json!({"policyArn": "arn:aws:iam::111122223333:policy/p", "policyDocument": narrow}),
        ),
        "iam-policy-change",
    )
    .unwrap();
    assert_eq!(a.severity, Severity::Medium);
    assert!(has(
        iam_call(
            "DetachRolePolicy",
            json!({"roleName": "r", "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"})
        ),
        "iam-policy-change"
    ));
}

#[test]
fn iam_policy_change_ignores_reads_failures_and_other_services() {
    assert!(!has(
        iam_call("GetUserPolicy", json!({"userName": "carol"})),
        "iam-policy-change"
    ));
    let mut failed = iam_call("PutUserPolicy", json!({"userName": "carol"}));
    failed["errorCode"] = json!("AccessDenied");
    assert!(!has(failed, "iam-policy-change"));
    assert!(!has(
        rec(
            "s3.amazonaws.com",
            "PutBucketPolicy",
            user("carol"),
            json!({})
        ),
        "iam-policy-change"
    ));
}

#[test]
fn access_key_created_flags_another_user_and_root() {
    let other = alert(
        iam_call("CreateAccessKey", json!({"userName": "alice-admin"})),
        "access-key-created",
    )
    .unwrap();
    assert_eq!(other.severity, Severity::High);
    assert!(
        other.detail.contains("another user: alice-admin"),
        "{}",
        other.detail
    );
    let own = alert(
        iam_call("CreateAccessKey", json!({"userName": "carol"})),
        "access-key-created",
    )
    .unwrap();
    assert_eq!(own.severity, Severity::Low);
    let implicit = alert(iam_call("CreateAccessKey", json!({})), "access-key-created").unwrap();
    assert_eq!(implicit.severity, Severity::Low);
    let by_role = rec(
        "iam.amazonaws.com",
        "CreateAccessKey",
        role_session("ops", "x"),
        json!({"requestParameters": {"userName": "carol"}}),
    );
    assert_eq!(
        alert(by_role, "access-key-created").unwrap().severity,
        Severity::High
    );
    let root_key = rec("iam.amazonaws.com", "CreateAccessKey", root(), json!({}));
    assert_eq!(
        alert(root_key, "access-key-created").unwrap().severity,
        Severity::Critical
    );
}

#[test]
fn access_key_created_does_not_fire_on_other_key_calls_or_failures() {
    assert!(!has(
        iam_call(
            "UpdateAccessKey",
            json!({"userName": "alice", "status": "Inactive"})
        ),
        "access-key-created"
    ));
    let mut failed = iam_call("CreateAccessKey", json!({"userName": "alice-admin"}));
    failed["errorCode"] = json!("LimitExceeded");
    assert!(!has(failed, "access-key-created"));
}

#[test]
fn mfa_device_deactivated_fires_on_deactivate_and_delete_only() {
    assert!(has(
        iam_call(
            "DeactivateMFADevice",
            json!({"userName": "bob", "serialNumber": "arn:aws:iam::111122223333:mfa/bob"})
        ),
        "mfa-device-deactivated"
    ));
    assert!(has(
        iam_call(
            "DeleteVirtualMFADevice",
            json!({"serialNumber": "arn:aws:iam::111122223333:mfa/bob"})
        ),
        "mfa-device-deactivated"
    ));
    assert!(!has(
        iam_call("EnableMFADevice", json!({"userName": "bob"})),
        "mfa-device-deactivated"
    ));
    assert!(!has(
        iam_call("ListMFADevices", json!({"userName": "bob"})),
        "mfa-device-deactivated"
    ));
}

pub(super) fn assume(who: Value, role_account: &str, session: &str) -> Value {
    rec(
        "sts.amazonaws.com",
        "AssumeRole",
        who,
        json!({"requestParameters": {
        "roleArn": format!("arn:aws:iam::{role_account}:role/vendor"), "roleSessionName": session}}),
    )
}

#[test]
fn cross_account_assume_role_fires_inbound_and_outbound() {
    let vendor =
        json!({"type": "AWSAccount", "principalId": "AIDAVENDOR", "accountId": "444455556666"});
    assert!(has(
        assume(vendor, ACCOUNT, "sync"),
        "cross-account-assume-role"
    ));
    assert!(has(
        assume(user("bob"), "999988887777", "out"),
        "cross-account-assume-role"
    ));
}

#[test]
fn cross_account_assume_role_not_within_the_account_or_by_services() {
    assert!(!has(
        assume(user("bob"), ACCOUNT, "local"),
        "cross-account-assume-role"
    ));
    let service = json!({"type": "AWSService", "invokedBy": "ec2.amazonaws.com"});
    assert!(!has(
        assume(service, ACCOUNT, "i-123"),
        "cross-account-assume-role"
    ));
}
