//! Elevation against the test server, asserted on the requests it
//! received (the server accepts any code, so the point is what vigil
//! sends): AssumeRole carries SerialNumber and TokenCode, ExternalId,
//! DurationSeconds, a vigil- RoleSessionName and SourceIdentity; every
//! request carries `app/vigil`; the elevated session signs with the
//! temporary credentials and writes as the role.

mod common;
mod recording_proxy;

use std::sync::Arc;

use recording_proxy::{Proxy, form_field, xml_field};
use vigil::cloud::{Cloud, MfaCode};
use vigil::model::change::Change;
use vigil::model::s3::VersioningStatus;
use vigil::session::{RoleConfig, Session, WriteMode};

/// The lab's seed is not safe to run twice at once (it races on creating
/// the same MFA device), so the tests here take turns seeding.
static SEEDING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn seeded() {
    let _turn = SEEDING.lock().await;
    common::seeded().await;
}

#[tokio::test]
async fn assume_role_sends_the_mfa_serial_and_code_and_the_session_writes_as_the_role() {
    seeded().await;
    let proxy = Proxy::start(&common::endpoint());
    let base: Arc<dyn Cloud> = Arc::new(common::aws_at(&proxy.endpoint).await);
    let role = RoleConfig {
        role_arn: "arn:aws:iam::123456789012:role/vigil-lab-remediation".into(),
        mfa_serial: Some("arn:aws:iam::123456789012:mfa/alice-admin".into()),
        external_id: Some("incident-42".into()),
        duration_seconds: 900,
        session_name: None,
        source_profile: None,
        origin: "test".into(),
    };
    let mut s = Session::start(base, Some(role), WriteMode::RequireElevation)
        .await
        .unwrap();
    s.elevate(Some(MfaCode::new("492039".into()).unwrap()))
        .await
        .unwrap();

    let all = proxy.exchanges();
    let assume = all
        .iter()
        .find(|e| e.body.contains("Action=AssumeRole"))
        .expect("an AssumeRole request");
    assert_eq!(
        form_field(&assume.body, "SerialNumber").as_deref(),
        Some("arn:aws:iam::123456789012:mfa/alice-admin")
    );
    assert_eq!(
        form_field(&assume.body, "TokenCode").as_deref(),
        Some("492039")
    );
    assert_eq!(
        form_field(&assume.body, "ExternalId").as_deref(),
        Some("incident-42")
    );
    assert_eq!(
        form_field(&assume.body, "DurationSeconds").as_deref(),
        Some("900")
    );
    assert_eq!(
        form_field(&assume.body, "RoleArn").as_deref(),
        Some("arn:aws:iam::123456789012:role/vigil-lab-remediation")
    );
    let session_name = form_field(&assume.body, "RoleSessionName").unwrap();
    assert!(
        session_name.starts_with(vigil::model::account::VIGIL_SESSION_PREFIX),
        "{session_name}"
    );
    assert!(form_field(&assume.body, "SourceIdentity").is_some());
    for e in &all {
        let ua = e
            .head
            .lines()
            .find(|l| {
                l.to_ascii_lowercase().starts_with("x-amz-user-agent:")
                    || l.to_ascii_lowercase().starts_with("user-agent:")
            })
            .unwrap_or_default()
            .to_string();
        assert!(
            e.head.contains("app/vigil"),
            "no app/vigil in {} {}: {ua}",
            e.method,
            e.target
        );
    }

    // The elevated writer signs with the temporary key moto issued.
    let key_id =
        xml_field(&assume.response, "AccessKeyId").expect("temporary credentials in the answer");
    let writer = s.writer().unwrap();
    let me = writer.cloud.caller_identity().await.unwrap();
    assert!(
        me.caller_arn
            .contains("assumed-role/vigil-lab-remediation/vigil-"),
        "{}",
        me.caller_arn
    );
    let bucket = "vigil-lab-versioning-suspended".to_string();
    writer
        .cloud
        .apply(&Change::BucketVersioning {
            bucket: bucket.clone(),
            status: VersioningStatus::Suspended,
        })
        .await
        .unwrap();
    let write = proxy
        .exchanges()
        .iter()
        .find(|e| e.method == "PUT" && e.target.contains("versioning"))
        .cloned()
        .expect("the PutBucketVersioning request");
    assert!(
        write.head.contains(&format!("Credential={key_id}/")),
        "not signed with the role's key:\n{}",
        write.head
    );
    assert!(
        write
            .head
            .to_ascii_lowercase()
            .contains("x-amz-security-token:"),
        "no session token sent"
    );
}

#[tokio::test]
async fn readonly_sends_no_write_and_no_assume_role() {
    seeded().await;
    let proxy = Proxy::start(&common::endpoint());
    let base: Arc<dyn Cloud> = Arc::new(common::aws_at(&proxy.endpoint).await);
    let role = RoleConfig {
        role_arn: "arn:aws:iam::123456789012:role/vigil-lab-remediation".into(),
        mfa_serial: Some("arn:aws:iam::123456789012:mfa/alice-admin".into()),
        external_id: None,
        duration_seconds: 900,
        session_name: None,
        source_profile: None,
        origin: "test".into(),
    };
    let mut s = Session::start(base, Some(role), WriteMode::ReadOnly)
        .await
        .unwrap();
    assert!(
        s.elevate(Some(MfaCode::new("492039".into()).unwrap()))
            .await
            .is_err()
    );
    assert!(s.writer().is_err());
    let plan = vigil::remedy::plan_live(
        s.reader().as_ref(),
        "bucket-bpa-on",
        &vigil::remedy::Inputs {
            bucket: Some("vigil-lab-public-policy".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(!plan.is_noop());
    for e in proxy.exchanges() {
        assert!(
            e.method == "GET"
                || e.method == "HEAD"
                || e.body.contains("Action=GetCallerIdentity")
                || e.body.contains("Action=Get")
                || e.body.contains("Action=List"),
            "a request that is not a read: {} {} {}",
            e.method,
            e.target,
            e.body
        );
    }
}
