//! Each detection, both ways: a record where it fires and ones where it
//! must not.

use serde_json::{Value, json};

use super::*;
use crate::model::trail::RecordOrigin;
use crate::tail::parse::normalise;

const ACCOUNT: &str = "111122223333";

fn user(name: &str) -> Value {
    json!({"type": "IAMUser", "principalId": "AIDAEXAMPLE",
           "arn": format!("arn:aws:iam::{ACCOUNT}:user/{name}"),
           "accountId": ACCOUNT, "userName": name})
}

fn root() -> Value {
    json!({"type": "Root", "principalId": ACCOUNT, "arn": format!("arn:aws:iam::{ACCOUNT}:root"), "accountId": ACCOUNT})
}

fn role_session(role: &str, session: &str) -> Value {
    json!({"type": "AssumedRole",
           "arn": format!("arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}"),
           "accountId": ACCOUNT,
           "sessionContext": {"sessionIssuer": {"type": "Role", "arn": format!("arn:aws:iam::{ACCOUNT}:role/{role}")}}})
}

/// A record of `name` on `source` by `who`, with `extra` merged over it.
fn rec(source: &str, name: &str, who: Value, extra: Value) -> Value {
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

fn fired(record: Value) -> Vec<String> {
    normalise(record, RecordOrigin::default())
        .expect("the test record parses")
        .detections
}

fn alert(record: Value, id: &str) -> Option<Alert> {
    normalise(record, RecordOrigin::default())
        .expect("the test record parses")
        .alerts
        .into_iter()
        .find(|a| a.id == id)
}

fn has(record: Value, id: &str) -> bool {
    fired(record).iter().any(|d| d == id)
}

fn denied() -> Value {
    json!({"errorCode": "AccessDenied", "errorMessage": "denied"})
}

fn login(who: Value, outcome: &str, mfa: Option<&str>) -> Value {
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
fn console_login_without_mfa_fires_for_users_and_root_without_mfa() {
    assert!(has(
        login(user("bob"), "Success", Some("No")),
        "console-login-without-mfa"
    ));
    assert!(has(
        login(user("bob"), "Success", None),
        "console-login-without-mfa"
    ));
    let root_alert = alert(
        login(root(), "Success", Some("No")),
        "console-login-without-mfa",
    )
    .unwrap();
    assert_eq!(root_alert.severity, Severity::Critical);
}

#[test]
fn console_login_without_mfa_does_not_fire_with_mfa_on_failure_or_federated() {
    for mfa in ["Yes", "YES", "yes"] {
        assert!(
            !has(
                login(user("bob"), "Success", Some(mfa)),
                "console-login-without-mfa"
            ),
            "{mfa}"
        );
    }
    assert!(!has(
        login(user("bob"), "Failure", Some("No")),
        "console-login-without-mfa"
    ));
    assert!(!has(
        login(
            role_session("sso-admin", "alice@example.com"),
            "Success",
            Some("No")
        ),
        "console-login-without-mfa"
    ));
}

#[test]
fn console_login_failure_fires_on_failure_only() {
    let a = alert(
        login(user("bob"), "Failure", Some("No")),
        "console-login-failure",
    )
    .unwrap();
    assert!(a.detail.contains("Failed authentication"), "{}", a.detail);
    assert!(!has(
        login(user("bob"), "Success", Some("Yes")),
        "console-login-failure"
    ));
    assert!(!has(
        rec("s3.amazonaws.com", "GetObject", user("bob"), denied()),
        "console-login-failure"
    ));
}

#[test]
fn root_activity_fires_on_root_but_not_for_services_or_others() {
    assert!(has(
        rec("iam.amazonaws.com", "ListUsers", root(), json!({})),
        "root-activity"
    ));
    assert!(has(login(root(), "Success", Some("Yes")), "root-activity"));
    let mut invoked = root();
    invoked["invokedBy"] = json!("support.amazonaws.com");
    assert!(!has(
        rec("iam.amazonaws.com", "ListUsers", invoked, json!({})),
        "root-activity"
    ));
    assert!(!has(
        rec(
            "iam.amazonaws.com",
            "ListUsers",
            root(),
            json!({"eventType": "AwsServiceEvent"})
        ),
        "root-activity"
    ));
    assert!(!has(
        rec("iam.amazonaws.com", "ListUsers", user("bob"), json!({})),
        "root-activity"
    ));
}

#[test]
fn unauthorized_api_call_fires_on_cis_error_codes() {
    for code in [
        "AccessDenied",
        "AccessDeniedException",
        "Client.UnauthorizedOperation",
    ] {
        assert!(
            has(
                rec(
                    "ec2.amazonaws.com",
                    "RunInstances",
                    user("bob"),
                    json!({"errorCode": code})
                ),
                "unauthorized-api-call"
            ),
            "{code}"
        );
    }
}

#[test]
fn unauthorized_api_call_ignores_other_errors_and_the_cis_exclusions() {
    assert!(!has(
        rec(
            "s3.amazonaws.com",
            "GetBucketPolicy",
            user("bob"),
            json!({"errorCode": "NoSuchBucketPolicy"})
        ),
        "unauthorized-api-call"
    ));
    assert!(!has(
        rec("s3.amazonaws.com", "HeadBucket", user("bob"), denied()),
        "unauthorized-api-call"
    ));
    assert!(!has(
        rec(
            "s3.amazonaws.com",
            "PutObject",
            user("bob"),
            json!({"errorCode": "AccessDenied", "sourceIPAddress": "delivery.logs.amazonaws.com"})
        ),
        "unauthorized-api-call"
    ));
    assert!(!has(
        rec("s3.amazonaws.com", "GetObject", user("bob"), json!({})),
        "unauthorized-api-call"
    ));
}

fn iam_call(name: &str, params: Value) -> Value {
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

fn cloudtrail(name: &str) -> Value {
    rec(
        "cloudtrail.amazonaws.com",
        name,
        user("mallory"),
        json!({"requestParameters": {"name": "main-trail"}}),
    )
}

#[test]
fn trail_tampering_fires_on_stop_delete_update_and_selectors() {
    assert_eq!(
        alert(cloudtrail("StopLogging"), "trail-tampering")
            .unwrap()
            .severity,
        Severity::Critical
    );
    assert_eq!(
        alert(cloudtrail("DeleteTrail"), "trail-tampering")
            .unwrap()
            .severity,
        Severity::Critical
    );
    assert_eq!(
        alert(cloudtrail("UpdateTrail"), "trail-tampering")
            .unwrap()
            .severity,
        Severity::High
    );
    assert_eq!(
        alert(cloudtrail("PutEventSelectors"), "trail-tampering")
            .unwrap()
            .severity,
        Severity::High
    );
    assert!(
        alert(cloudtrail("StopLogging"), "trail-tampering")
            .unwrap()
            .detail
            .contains("main-trail")
    );
}

#[test]
fn trail_tampering_ignores_reads_starts_and_failures() {
    for name in [
        "StartLogging",
        "DescribeTrails",
        "GetTrailStatus",
        "CreateTrail",
    ] {
        assert!(!has(cloudtrail(name), "trail-tampering"), "{name}");
    }
    let mut failed = cloudtrail("StopLogging");
    failed["errorCode"] = json!("AccessDenied");
    assert!(!has(failed, "trail-tampering"));
}

fn s3_call(name: &str, params: Value) -> Value {
    rec(
        "s3.amazonaws.com",
        name,
        user("bob"),
        json!({"requestParameters": params}),
    )
}

fn public_policy() -> Value {
    json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]})
}

#[test]
fn bucket_policy_change_fires_on_put_and_delete_and_cis_configuration_events() {
    assert!(has(
        s3_call(
            "PutBucketPolicy",
            json!({"bucketName": "b", "bucketPolicy": public_policy()})
        ),
        "bucket-policy-change"
    ));
    assert!(has(
        s3_call("DeleteBucketPolicy", json!({"bucketName": "b"})),
        "bucket-policy-change"
    ));
    assert_eq!(
        alert(
            s3_call("PutBucketReplication", json!({"bucketName": "b"})),
            "bucket-policy-change"
        )
        .unwrap()
        .severity,
        Severity::Low
    );
    assert!(!has(
        s3_call("GetBucketPolicy", json!({"bucketName": "b"})),
        "bucket-policy-change"
    ));
    assert!(!has(
        iam_call("PutUserPolicy", json!({"userName": "x"})),
        "bucket-policy-change"
    ));
}

#[test]
fn bucket_made_public_by_a_public_policy_object_or_string() {
    let object = s3_call(
        "PutBucketPolicy",
        json!({"bucketName": "b", "bucketPolicy": public_policy()}),
    );
    let a = alert(object, "bucket-made-public").unwrap();
    assert_eq!(a.severity, Severity::Critical);
    assert!(a.detail.contains("public policy"), "{}", a.detail);
    let string = s3_call(
        "PutBucketPolicy",
        json!({"bucketName": "b", "bucketPolicy": public_policy().to_string()}),
    );
    assert!(has(string, "bucket-made-public"));
}

#[test]
fn bucket_made_public_not_by_a_restricted_policy_or_a_failed_put() {
    // case 064: Principal AWS * pinned to a fixed aws:userId is not public
    let pinned = json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::b","Condition":{"StringLike":{"aws:userId":"AROAEXAMPLE:job"}}}]});
    assert!(!has(
        s3_call(
            "PutBucketPolicy",
            json!({"bucketName": "b", "bucketPolicy": pinned})
        ),
        "bucket-made-public"
    ));
    let account_only = json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:*","Resource":"arn:aws:s3:::b/*"}]});
    assert!(!has(
        s3_call(
            "PutBucketPolicy",
            json!({"bucketName": "b", "bucketPolicy": account_only})
        ),
        "bucket-made-public"
    ));
    let mut rejected = s3_call(
        "PutBucketPolicy",
        json!({"bucketName": "b", "bucketPolicy": public_policy()}),
    );
    rejected["errorCode"] = json!("AccessDenied");
    assert!(!has(rejected, "bucket-made-public"));
    assert!(!has(
        s3_call(
            "PutBucketPolicy",
            json!({"bucketName": "b", "bucketPolicy": "{not json"})
        ),
        "bucket-made-public"
    ));
}

#[test]
fn bucket_made_public_by_acl_grant_list_canned_acl_or_grant_header() {
    let list = s3_call(
        "PutBucketAcl",
        json!({"bucketName": "b", "AccessControlPolicy": {"AccessControlList": {"Grant": [
            {"Grantee": {"xsi:type": "CanonicalUser", "ID": "abc"}, "Permission": "FULL_CONTROL"},
            {"Grantee": {"xsi:type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"}, "Permission": "READ"}
        ]}}}),
    );
    assert!(has(list, "bucket-made-public"));
    let single = s3_call(
        "PutBucketAcl",
        json!({"bucketName": "b", "AccessControlPolicy": {"AccessControlList": {"Grant":
        {"Grantee": {"URI": "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"}, "Permission": "WRITE"}}}}),
    );
    assert!(has(single, "bucket-made-public"));
    assert!(has(
        s3_call(
            "PutBucketAcl",
            json!({"bucketName": "b", "x-amz-acl": ["public-read"]})
        ),
        "bucket-made-public"
    ));
    assert!(has(
        s3_call(
            "CreateBucket",
            json!({"bucketName": "b", "x-amz-acl": "public-read-write"})
        ),
        "bucket-made-public"
    ));
    assert!(has(
        s3_call(
            "PutBucketAcl",
            json!({"bucketName": "b", "x-amz-grant-read": "id=\"abc\", uri=\"http://acs.amazonaws.com/groups/global/AllUsers\""})
        ),
        "bucket-made-public"
    ));
}

#[test]
fn bucket_made_public_not_by_private_acls_or_log_delivery() {
    assert!(!has(
        s3_call(
            "PutBucketAcl",
            json!({"bucketName": "b", "x-amz-acl": ["private"]})
        ),
        "bucket-made-public"
    ));
    assert!(!has(
        s3_call(
            "PutBucketAcl",
            json!({"bucketName": "b", "x-amz-grant-write": "uri=\"http://acs.amazonaws.com/groups/s3/LogDelivery\""})
        ),
        "bucket-made-public"
    ));
    assert!(!has(
        s3_call("CreateBucket", json!({"bucketName": "b"})),
        "bucket-made-public"
    ));
}

#[test]
fn bucket_made_public_by_block_public_access_removed_or_turned_off() {
    let deleted = alert(
        s3_call("DeleteBucketPublicAccessBlock", json!({"bucketName": "b"})),
        "bucket-made-public",
    )
    .unwrap();
    assert_eq!(deleted.severity, Severity::High);
    let off = json!({"BlockPublicAcls": false, "IgnorePublicAcls": true, "BlockPublicPolicy": "false", "RestrictPublicBuckets": true});
    let a = alert(
        s3_call(
            "PutBucketPublicAccessBlock",
            json!({"bucketName": "b", "PublicAccessBlockConfiguration": off}),
        ),
        "bucket-made-public",
    )
    .unwrap();
    assert!(
        a.detail.contains("BlockPublicAcls, BlockPublicPolicy"),
        "{}",
        a.detail
    );
    let account = rec(
        "s3.amazonaws.com",
        "DeleteAccountPublicAccessBlock",
        user("bob"),
        json!({}),
    );
    assert!(
        alert(account, "bucket-made-public")
            .unwrap()
            .detail
            .contains("the account")
    );
}

#[test]
fn bucket_made_public_not_by_block_public_access_fully_on() {
    let on = json!({"BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": true, "RestrictPublicBuckets": true});
    assert!(!has(
        s3_call(
            "PutBucketPublicAccessBlock",
            json!({"bucketName": "b", "PublicAccessBlockConfiguration": on})
        ),
        "bucket-made-public"
    ));
    assert!(!has(
        s3_call("GetBucketPublicAccessBlock", json!({"bucketName": "b"})),
        "bucket-made-public"
    ));
}

#[test]
fn bucket_acl_change_fires_on_put_bucket_acl_only() {
    assert!(has(
        s3_call(
            "PutBucketAcl",
            json!({"bucketName": "b", "x-amz-acl": ["private"]})
        ),
        "bucket-acl-change"
    ));
    assert!(!has(
        s3_call("GetBucketAcl", json!({"bucketName": "b"})),
        "bucket-acl-change"
    ));
    assert!(!has(
        s3_call("PutObjectAcl", json!({"bucketName": "b", "key": "k"})),
        "bucket-acl-change"
    ));
}

#[test]
fn bucket_encryption_removed_fires_on_delete_only() {
    assert!(has(
        s3_call("DeleteBucketEncryption", json!({"bucketName": "b"})),
        "bucket-encryption-removed"
    ));
    assert!(!has(
        s3_call("PutBucketEncryption", json!({"bucketName": "b"})),
        "bucket-encryption-removed"
    ));
}

#[test]
fn versioning_suspended_fires_on_suspended_not_enabled() {
    let a = alert(s3_call("PutBucketVersioning", json!({"bucketName": "b", "VersioningConfiguration": {"Status": "Suspended", "MfaDelete": "Disabled"}})), "versioning-suspended").unwrap();
    assert!(a.detail.contains("disabled MFA Delete"), "{}", a.detail);
    assert!(!has(
        s3_call(
            "PutBucketVersioning",
            json!({"bucketName": "b", "VersioningConfiguration": {"Status": "Enabled"}})
        ),
        "versioning-suspended"
    ));
    assert!(!has(
        s3_call("PutBucketVersioning", json!({"bucketName": "b"})),
        "versioning-suspended"
    ));
}

fn assume(who: Value, role_account: &str, session: &str) -> Value {
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

#[test]
fn kms_key_disabled_fires_on_disable_and_scheduled_deletion() {
    let kms = |name: &str| {
        rec(
            "kms.amazonaws.com",
            name,
            user("bob"),
            json!({"requestParameters": {"keyId": "k-1", "pendingWindowInDays": 7}}),
        )
    };
    assert!(has(kms("DisableKey"), "kms-key-disabled"));
    assert!(
        alert(kms("ScheduleKeyDeletion"), "kms-key-disabled")
            .unwrap()
            .detail
            .contains("7 days")
    );
    assert!(!has(kms("EnableKey"), "kms-key-disabled"));
    assert!(!has(kms("Decrypt"), "kms-key-disabled"));
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
