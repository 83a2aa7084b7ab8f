//! Every configuration write (`Cloud::apply`) on both backends: a fresh
//! account on a private test server, and the demo built from the same lab.
//! Each change is applied, read back, and set back; both backends must end
//! up storing what was asked. A private server, because these writes would
//! disturb the lab the other tests read from the shared one.

mod common;

use vigil::cloud::demo::DemoCloud;
use vigil::cloud::{BucketListing, Cloud};
use vigil::lab::Lab;
use vigil::model::Facet;
use vigil::model::change::Change;
use vigil::model::s3::*;

const LAB: &str = r#"
account_id = "123456789012"
owner_canonical_id = "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a"

[[bucket]]
name = "writes-eu"
region = "eu-west-1"
purpose = "a bucket outside the client's region, to be written to"

[[bucket]]
name = "writes-logs"
region = "eu-west-1"
purpose = "log target; S3 refuses a logging target whose policy does not let the logging service write"
policy = '''{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::${bucket}/*","Condition":{"StringEquals":{"aws:SourceAccount":"${account}"}}}]}'''

[[iam.user]]
name = "kim"
purpose = "has an access key"
access_keys = [{ status = "Active", age_days = 1 }]
"#;

fn listing(name: &str) -> BucketListing {
    BucketListing {
        name: name.into(),
        creation_date: None,
        region: None,
    }
}

async fn bucket(cloud: &dyn Cloud) -> Bucket {
    cloud.read_bucket(&listing("writes-eu")).await
}

async fn apply(cloud: &dyn Cloud, change: Change) {
    let call = change.api_call();
    if let Err(e) = cloud.apply(&change).await {
        panic!("{} backend: {call} failed: {e}", cloud.backend_name());
    }
}

/// The same sequence of writes on any backend; every read-back asserted.
async fn exercise(cloud: &dyn Cloud) {
    let who = cloud.backend_name();
    let b = "writes-eu".to_string();
    assert_eq!(
        bucket(cloud).await.region,
        Facet::Present("eu-west-1".into()),
        "{who}"
    );

    // Block Public Access, all four on, then removed.
    let all_on = PublicAccessBlock {
        block_public_acls: true,
        ignore_public_acls: true,
        block_public_policy: true,
        restrict_public_buckets: true,
    };
    apply(
        cloud,
        Change::BucketPublicAccessBlock {
            bucket: b.clone(),
            value: Some(all_on),
        },
    )
    .await;
    assert_eq!(
        bucket(cloud).await.public_access_block,
        Facet::Present(all_on),
        "{who}"
    );
    apply(
        cloud,
        Change::BucketPublicAccessBlock {
            bucket: b.clone(),
            value: None,
        },
    )
    .await;
    assert_eq!(
        bucket(cloud).await.public_access_block,
        Facet::Absent,
        "{who}"
    );

    // Default encryption: SSE-KMS with a key, then SSE-S3.
    let kms = Encryption {
        algorithm: SseAlgorithm::AwsKms,
        kms_key_id: Some(
            "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab".into(),
        ),
        bucket_key_enabled: true,
    };
    apply(
        cloud,
        Change::BucketEncryption {
            bucket: b.clone(),
            value: Some(kms.clone()),
        },
    )
    .await;
    assert_eq!(bucket(cloud).await.encryption, Facet::Present(kms), "{who}");
    let sse_s3 = Encryption {
        algorithm: SseAlgorithm::Aes256,
        kms_key_id: None,
        bucket_key_enabled: false,
    };
    apply(
        cloud,
        Change::BucketEncryption {
            bucket: b.clone(),
            value: Some(sse_s3.clone()),
        },
    )
    .await;
    assert_eq!(
        bucket(cloud).await.encryption,
        Facet::Present(sse_s3),
        "{who}"
    );

    // A policy stored exactly as written, then deleted.
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Sid":"DenyPlainHttp","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::writes-eu","arn:aws:s3:::writes-eu/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#;
    apply(
        cloud,
        Change::BucketPolicy {
            bucket: b.clone(),
            value: Some(policy.into()),
        },
    )
    .await;
    let read: serde_json::Value = match bucket(cloud).await.policy {
        Facet::Present(p) => serde_json::from_str(&p).expect("the stored policy is JSON"),
        other => panic!("{who}: policy not read back: {other:?}"),
    };
    assert_eq!(
        read,
        serde_json::from_str::<serde_json::Value>(policy).unwrap(),
        "{who}"
    );
    apply(
        cloud,
        Change::BucketPolicy {
            bucket: b.clone(),
            value: None,
        },
    )
    .await;
    assert_eq!(bucket(cloud).await.policy, Facet::Absent, "{who}");

    // Object ownership: ObjectWriter (ACLs on), so that an ACL can be set.
    apply(
        cloud,
        Change::BucketOwnership {
            bucket: b.clone(),
            value: Some(ObjectOwnership::ObjectWriter),
        },
    )
    .await;
    assert_eq!(
        bucket(cloud).await.ownership,
        Facet::Present(ObjectOwnership::ObjectWriter),
        "{who}"
    );

    // The ACL: the owner's grant plus a public read, then the owner alone.
    let Facet::Present(acl) = bucket(cloud).await.acl else {
        panic!("{who}: ACL not readable");
    };
    let mut public = acl.clone();
    public.grants.push(AclGrant {
        grantee: Grantee::Group {
            uri: ALL_USERS_URI.into(),
        },
        permission: "READ".into(),
    });
    apply(
        cloud,
        Change::BucketAcl {
            bucket: b.clone(),
            acl: public,
        },
    )
    .await;
    let read = bucket(cloud).await.acl;
    assert!(
        read.present().is_some_and(|a| a
            .grants
            .iter()
            .any(|g| matches!(&g.grantee, Grantee::Group { uri } if uri == ALL_USERS_URI))),
        "{who}: the public grant was not stored: {read:?}"
    );
    apply(
        cloud,
        Change::BucketAcl {
            bucket: b.clone(),
            acl: acl.clone(),
        },
    )
    .await;
    let read = bucket(cloud).await.acl;
    assert!(
        read.present().is_some_and(|a| a
            .grants
            .iter()
            .all(|g| !matches!(g.grantee, Grantee::Group { .. }))),
        "{who}: the public grant survived: {read:?}"
    );
    apply(
        cloud,
        Change::BucketOwnership {
            bucket: b.clone(),
            value: None,
        },
    )
    .await;
    assert_eq!(bucket(cloud).await.ownership, Facet::Absent, "{who}");

    // Versioning on, then suspended (S3 has no way back to "never").
    apply(
        cloud,
        Change::BucketVersioning {
            bucket: b.clone(),
            status: VersioningStatus::Enabled,
        },
    )
    .await;
    assert_eq!(
        bucket(cloud).await.versioning.present().map(|v| v.status),
        Some(VersioningStatus::Enabled),
        "{who}"
    );
    apply(
        cloud,
        Change::BucketVersioning {
            bucket: b.clone(),
            status: VersioningStatus::Suspended,
        },
    )
    .await;
    assert_eq!(
        bucket(cloud).await.versioning.present().map(|v| v.status),
        Some(VersioningStatus::Suspended),
        "{who}"
    );

    // Server access logging to another bucket, then off.
    let logging = Logging {
        target_bucket: "writes-logs".into(),
        target_prefix: "writes-eu/".into(),
    };
    apply(
        cloud,
        Change::BucketLogging {
            bucket: b.clone(),
            value: Some(logging.clone()),
        },
    )
    .await;
    assert_eq!(
        bucket(cloud).await.logging,
        Facet::Present(logging),
        "{who}"
    );
    apply(
        cloud,
        Change::BucketLogging {
            bucket: b.clone(),
            value: None,
        },
    )
    .await;
    assert_eq!(bucket(cloud).await.logging, Facet::Absent, "{who}");

    // Account-level Block Public Access.
    let account = cloud.caller_identity().await.expect("caller").account_id;
    apply(
        cloud,
        Change::AccountPublicAccessBlock {
            account_id: account.clone(),
            value: Some(all_on),
        },
    )
    .await;
    assert_eq!(
        cloud.account_public_access_block(&account).await,
        Facet::Present(all_on),
        "{who}"
    );
    apply(
        cloud,
        Change::AccountPublicAccessBlock {
            account_id: account.clone(),
            value: None,
        },
    )
    .await;
    assert_eq!(
        cloud.account_public_access_block(&account).await,
        Facet::Absent,
        "{who}"
    );

    // IAM: deactivate kim's key, then an inline policy put and deleted.
    let iam = cloud.iam_inventory().await.expect("IAM readable");
    let kim = iam.users.iter().find(|u| u.name == "kim").expect("kim");
    let key_id = kim
        .access_keys
        .present()
        .and_then(|k| k.first())
        .expect("kim's key")
        .id
        .clone();
    apply(
        cloud,
        Change::AccessKeyStatus {
            user: "kim".into(),
            key_id: key_id.clone(),
            status: "Inactive".into(),
        },
    )
    .await;
    let iam = cloud.iam_inventory().await.expect("IAM readable");
    let kim = iam.users.iter().find(|u| u.name == "kim").expect("kim");
    assert_eq!(
        kim.access_keys
            .present()
            .and_then(|k| k.iter().find(|k| k.id == key_id))
            .map(|k| k.status.as_str()),
        Some("Inactive"),
        "{who}"
    );
    let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]}"#;
    apply(
        cloud,
        Change::UserInlinePolicy {
            user: "kim".into(),
            name: "require-mfa".into(),
            document: Some(doc.into()),
        },
    )
    .await;
    let iam = cloud.iam_inventory().await.expect("IAM readable");
    let kim = iam.users.iter().find(|u| u.name == "kim").expect("kim");
    let stored = kim
        .inline_policies
        .iter()
        .find(|p| p.name == "require-mfa")
        .expect("the inline policy");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&stored.document).unwrap(),
        serde_json::from_str::<serde_json::Value>(doc).unwrap(),
        "{who}"
    );
    apply(
        cloud,
        Change::UserInlinePolicy {
            user: "kim".into(),
            name: "require-mfa".into(),
            document: None,
        },
    )
    .await;
    let iam = cloud.iam_inventory().await.expect("IAM readable");
    assert!(
        iam.users
            .iter()
            .all(|u| u.inline_policies.iter().all(|p| p.name != "require-mfa")),
        "{who}"
    );
}

#[tokio::test]
async fn every_write_is_stored_on_the_test_server() {
    let server = common::PrivateServer::start();
    let cloud = common::aws_at(&server.endpoint).await;
    let lab = Lab::from_toml(LAB).expect("the test lab parses");
    vigil::cloud::aws::seed::seed(&cloud, &lab, 0)
        .await
        .expect("seeds");
    exercise(&cloud).await;
}

#[tokio::test]
async fn every_write_is_stored_in_the_demo() {
    let lab = Lab::from_toml(LAB).expect("the test lab parses");
    let demo = DemoCloud::from_lab(&lab, 0);
    exercise(&demo).await;
}

#[tokio::test]
async fn a_write_to_a_missing_bucket_is_an_error_not_a_panic() {
    let lab = Lab::from_toml(LAB).expect("the test lab parses");
    let demo = DemoCloud::from_lab(&lab, 0);
    let change = Change::BucketVersioning {
        bucket: "no-such-bucket".into(),
        status: VersioningStatus::Enabled,
    };
    let err = demo.apply(&change).await.expect_err("no such bucket");
    assert!(err.to_string().contains("NoSuchBucket"), "{err}");

    let server = common::PrivateServer::start();
    let cloud = common::aws_at(&server.endpoint).await;
    let err = cloud.apply(&change).await.expect_err("no such bucket");
    assert!(err.to_string().contains("NoSuchBucket"), "{err}");
}
