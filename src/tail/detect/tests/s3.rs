//! Bucket policies, ACLs, Block Public Access, encryption, versioning.

use serde_json::{Value, json};

use super::iam::iam_call;
use super::*;

pub(super) fn s3_call(name: &str, params: Value) -> Value {
    rec(
        "s3.amazonaws.com",
        name,
        user("bob"),
        json!({"requestParameters": params}),
    )
}

pub(super) fn public_policy() -> Value {
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

#[test]
fn a_hostile_sid_quoted_in_a_detail_is_sanitised() {
    let policy = json!({"Version":"2012-10-17","Statement":[{"Sid":"x\u{1b}]52;c;cHduZWQ=\u{7}","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]});
    let a = alert(
        s3_call(
            "PutBucketPolicy",
            json!({"bucketName": "b", "bucketPolicy": policy}),
        ),
        "bucket-made-public",
    )
    .unwrap();
    assert!(!a.detail.chars().any(char::is_control), "{}", a.detail);
    assert!(a.detail.contains("52;c;cHduZWQ="), "{}", a.detail);
}
