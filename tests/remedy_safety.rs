//! Refusals that protect the account: a malformed policy is never
//! rewritten, a plan made from a stale read is refused, undo does not
//! overwrite someone else's later change — and none of them writes.
//! Merging keeps five unrelated statements exactly, on the test server too.

mod common;
mod remedy_support;

use std::sync::Arc;

use remedy_support::*;
use vigil::cloud::Cloud;
use vigil::cloud::demo::DemoCloud;
use vigil::lab::Lab;
use vigil::model::change::Change;
use vigil::model::s3::VersioningStatus;
use vigil::policy::Policy;
use vigil::remedy::{self, Actor, Inputs, Journal, RemedyError};

fn demo() -> (Arc<Recording>, tempfile::TempDir, Journal, Actor) {
    let cloud = Recording::new(Arc::new(DemoCloud::embedded(0).unwrap()));
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::open(dir.path(), "123456789012").unwrap();
    let actor = Actor {
        operator: vigil::cloud::demo::DEMO_CALLER.into(),
        role_arn: None,
        session_name: None,
    };
    (cloud, dir, journal, actor)
}

fn bucket(name: &str) -> Inputs {
    Inputs {
        bucket: Some(name.into()),
        ..Inputs::default()
    }
}

#[tokio::test]
async fn a_malformed_policy_is_a_clear_refusal_and_nothing_is_written() {
    let (cloud, _dir, journal, _) = demo();
    for id in [
        "bucket-deny-insecure-transport",
        "bucket-remove-public-statements",
    ] {
        let err = remedy::plan_live(cloud.as_ref(), id, &bucket("vigil-lab-malformed-policy"))
            .await
            .expect_err("a malformed policy cannot be planned");
        assert!(
            matches!(err, RemedyError::MalformedState { .. }),
            "{id}: {err}"
        );
        let text = err.to_string();
        assert!(
            text.contains("vigil-lab-malformed-policy") && text.contains("by hand"),
            "{text}"
        );
    }
    assert!(cloud.writes().is_empty());
    assert!(journal.read().unwrap().entries.is_empty());
}

#[tokio::test]
async fn a_plan_made_from_a_stale_read_is_refused_before_anything_is_journaled() {
    let (cloud, _dir, journal, actor) = demo();
    let plan = remedy::plan_live(
        cloud.as_ref(),
        "bucket-versioning-on",
        &bucket("vigil-lab-versioning-suspended"),
    )
    .await
    .unwrap();
    // Someone enables it by hand between the preview and the confirm.
    cloud
        .inner
        .apply(&Change::BucketVersioning {
            bucket: "vigil-lab-versioning-suspended".into(),
            status: VersioningStatus::Enabled,
        })
        .await
        .unwrap();
    let err = remedy::apply(cloud.as_ref(), &journal, &actor, &plan)
        .await
        .unwrap_err();
    assert!(matches!(err, RemedyError::Changed { .. }), "{err}");
    assert!(err.to_string().contains("plan again"), "{err}");
    assert!(cloud.writes().is_empty());
    assert!(journal.read().unwrap().entries.is_empty());
}

#[tokio::test]
async fn nothing_to_do_writes_nothing() {
    let (cloud, _dir, journal, actor) = demo();
    let plan = remedy::plan_live(
        cloud.as_ref(),
        "bucket-deny-insecure-transport",
        &bucket("vigil-lab-tls-enforced"),
    )
    .await
    .unwrap();
    assert!(plan.is_noop());
    assert!(plan.preview().to_text().contains("Nothing to do"));
    let err = remedy::apply(cloud.as_ref(), &journal, &actor, &plan)
        .await
        .unwrap_err();
    assert!(matches!(err, RemedyError::NothingToDo(_)), "{err}");
    assert!(cloud.writes().is_empty());
}

#[tokio::test]
async fn undo_refuses_to_overwrite_a_later_change_by_someone_else() {
    let (cloud, _dir, journal, actor) = demo();
    let plan = remedy::plan_live(
        cloud.as_ref(),
        "bucket-bpa-on",
        &bucket("vigil-lab-public-policy"),
    )
    .await
    .unwrap();
    let applied = remedy::apply(cloud.as_ref(), &journal, &actor, &plan)
        .await
        .unwrap();
    let other = Change::BucketPublicAccessBlock {
        bucket: "vigil-lab-public-policy".into(),
        value: Some(vigil::model::s3::PublicAccessBlock {
            block_public_acls: true,
            ..Default::default()
        }),
    };
    cloud.inner.apply(&other).await.unwrap();
    let writes_before = cloud.writes().len();
    let err = remedy::undo(cloud.as_ref(), &journal, &actor, &applied.entry_id)
        .await
        .unwrap_err();
    assert!(matches!(err, RemedyError::Conflict { .. }), "{err}");
    assert_eq!(
        cloud.writes().len(),
        writes_before,
        "undo wrote despite the conflict"
    );
    let now = cloud.inner.current_state(&other).await.unwrap();
    assert_eq!(now, other, "someone else's change was overwritten");
}

#[tokio::test]
async fn missing_inputs_and_unknown_ids_say_which_flag_is_needed() {
    let (cloud, ..) = demo();
    let e = remedy::plan_live(
        cloud.as_ref(),
        "bucket-logging-on",
        &bucket("vigil-lab-cloudtrail"),
    )
    .await
    .unwrap_err();
    assert!(e.to_string().contains("--target-bucket"), "{e}");
    let e = remedy::plan_live(
        cloud.as_ref(),
        "bucket-encryption-sse-kms",
        &bucket("vigil-lab-cloudtrail"),
    )
    .await
    .unwrap_err();
    assert!(e.to_string().contains("--kms-key"), "{e}");
    let e = remedy::plan_live(cloud.as_ref(), "bucket-versioning-on", &Inputs::default())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("--bucket"), "{e}");
    let e = remedy::plan_live(cloud.as_ref(), "bucket-make-safe", &Inputs::default())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("vigil remediations"), "{e}");
    let e = remedy::plan_live(
        cloud.as_ref(),
        "access-key-deactivate",
        &Inputs {
            access_key: Some("AKIANOSUCHKEY".into()),
            ..Inputs::default()
        },
    )
    .await
    .unwrap_err();
    assert!(e.to_string().contains("AKIANOSUCHKEY"), "{e}");
}

const FIVE: [&str; 5] = [
    r#"{"Sid":"PartnerRead","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::five-statements","arn:aws:s3:::five-statements/*"]}"#,
    r#"{"Sid":"LogDelivery","Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::five-statements/logs/*"}"#,
    r#"{"Sid":"OnlyFromVpc","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::five-statements/*","Condition":{"StringNotEquals":{"aws:SourceVpc":"vpc-0a1b2c3d"}}}"#,
    r#"{"Sid":"OrgList","Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::five-statements","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}"#,
    r#"{"Sid":"MaxKeys","Effect":"Deny","Principal":{"AWS":"arn:aws:iam::123456789012:role/batch"},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::five-statements","Condition":{"NumericGreaterThan":{"s3:max-keys":1000}}}"#,
];
const PUBLIC: &str = r#"{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::five-statements/*"}"#;

/// The statements of a stored policy, as written, in order.
fn statements_as_written(text: &str) -> Vec<String> {
    let v: serde_json::Map<String, serde_json::Value> = serde_json::from_str(text).unwrap();
    let raw: std::collections::BTreeMap<String, Box<serde_json::value::RawValue>> =
        serde_json::from_str(text).unwrap();
    assert!(v.contains_key("Statement"));
    let list: Vec<Box<serde_json::value::RawValue>> =
        serde_json::from_str(raw["Statement"].get()).unwrap();
    list.iter().map(|s| s.get().to_string()).collect()
}

async fn five_statements_survive(cloud: &dyn Cloud, who: &str) {
    let dir = tempfile::tempdir().unwrap();
    let me = cloud.caller_identity().await.unwrap();
    let journal = Journal::open(dir.path(), &me.account_id).unwrap();
    let actor = Actor {
        operator: me.caller_arn,
        role_arn: None,
        session_name: None,
    };
    let mut with_public = FIVE.to_vec();
    with_public.insert(3, PUBLIC);
    let original = format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        with_public.join(",")
    );
    cloud
        .apply(&Change::BucketPolicy {
            bucket: "five-statements".into(),
            value: Some(original.clone()),
        })
        .await
        .unwrap();
    let inputs = bucket("five-statements");
    let stored = |b: vigil::model::s3::Bucket| b.policy.present().cloned().unwrap();

    let plan = remedy::plan_live(cloud, "bucket-remove-public-statements", &inputs)
        .await
        .unwrap();
    remedy::apply(cloud, &journal, &actor, &plan).await.unwrap();
    let after_remove = stored(cloud.read_bucket(&listing("five-statements")).await);
    assert_eq!(
        statements_as_written(&after_remove),
        FIVE.map(str::to_string).to_vec(),
        "{who}: removing"
    );

    let plan = remedy::plan_live(cloud, "bucket-deny-insecure-transport", &inputs)
        .await
        .unwrap();
    remedy::apply(cloud, &journal, &actor, &plan).await.unwrap();
    let after_tls = stored(cloud.read_bucket(&listing("five-statements")).await);
    let now = statements_as_written(&after_tls);
    assert_eq!(now.len(), 6, "{who}");
    assert_eq!(&now[..5], &FIVE.map(str::to_string)[..], "{who}: merging");
    // Equal in meaning too: the engine reads the same five statements.
    let a = Policy::parse(&after_remove).unwrap();
    let b = Policy::parse(&after_tls).unwrap();
    for i in 0..5 {
        assert_eq!(a.statements[i].action, b.statements[i].action, "{who}");
        assert_eq!(
            a.statements[i].principal, b.statements[i].principal,
            "{who}"
        );
        assert_eq!(
            a.statements[i].conditions, b.statements[i].conditions,
            "{who}"
        );
    }
    assert!(
        vigil::policy::insecure_transport(Some(&b), "five-statements").denies_insecure_transport
    );
}

#[tokio::test]
async fn five_unrelated_statements_are_kept_in_meaning_and_text_on_both_backends() {
    const LAB: &str = r#"
account_id = "123456789012"
owner_canonical_id = "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a"
[[bucket]]
name = "five-statements"
region = "us-east-1"
purpose = "a policy with five statements that have nothing to do with the remediations"
"#;
    let lab = Lab::from_toml(LAB).unwrap();
    five_statements_survive(&DemoCloud::from_lab(&lab, 0), "demo").await;
    let server = common::PrivateServer::start();
    let cloud = common::aws_at(&server.endpoint).await;
    vigil::cloud::aws::seed::seed(&cloud, &lab, 0)
        .await
        .expect("seeds");
    five_statements_survive(&cloud, "server").await;
}

/// S3 refuses a logging target that does not exist or is in another Region
/// (S3 User Guide, "Enabling Amazon S3 server access logging"), so the plan
/// refuses it before anything is written; a target in the same Region plans.
#[tokio::test]
async fn a_logging_target_s3_would_refuse_is_refused_by_the_plan() {
    let (cloud, ..) = demo();
    let with_target = |bucket_name: &str, target: &str| Inputs {
        target_bucket: Some(target.into()),
        ..bucket(bucket_name)
    };
    let e = remedy::plan_live(
        cloud.as_ref(),
        "bucket-logging-on",
        &with_target("vigil-lab-acl-allusers", "no-such-bucket"),
    )
    .await
    .unwrap_err();
    assert!(
        e.to_string().contains("InvalidTargetBucketForLogging"),
        "{e}"
    );
    // vigil-lab-eu-public is in eu-west-1, the access-log bucket in us-east-1.
    let e = remedy::plan_live(
        cloud.as_ref(),
        "bucket-logging-on",
        &with_target("vigil-lab-eu-public", "vigil-lab-access-logs"),
    )
    .await
    .unwrap_err();
    assert!(
        e.to_string().contains("CrossLocationLoggingProhibitted"),
        "{e}"
    );
    let plan = remedy::plan_live(
        cloud.as_ref(),
        "bucket-logging-on",
        &with_target("vigil-lab-acl-allusers", "vigil-lab-access-logs"),
    )
    .await
    .expect("a target in the same Region plans");
    assert_eq!(plan.steps.len(), 1);
    assert!(cloud.writes().is_empty(), "planning wrote");
}

/// A KMS key of another Region breaks every upload; one of another account
/// depends on that account's key policy. Both are said before the write; a
/// key of the bucket's own Region and account is not warned about.
#[tokio::test]
async fn a_kms_key_from_another_region_or_account_is_warned_about() {
    let (cloud, ..) = demo();
    let with_key = |key: &str| Inputs {
        kms_key: Some(key.into()),
        ..bucket("vigil-lab-access-logs")
    };
    let foreign = "arn:aws:kms:eu-west-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let plan = remedy::plan_live(
        cloud.as_ref(),
        "bucket-encryption-sse-kms",
        &with_key(foreign),
    )
    .await
    .unwrap();
    let warned = |p: &remedy::Plan, what: &str| p.warnings.iter().any(|w| w.contains(what));
    assert!(
        warned(&plan, "every upload that needs the key would fail"),
        "{:?}",
        plan.warnings
    );
    assert!(
        warned(&plan, "belongs to account 999999999999"),
        "{:?}",
        plan.warnings
    );
    let own = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let plan = remedy::plan_live(cloud.as_ref(), "bucket-encryption-sse-kms", &with_key(own))
        .await
        .unwrap();
    assert!(
        !warned(&plan, "would fail") && !warned(&plan, "belongs to account"),
        "{:?}",
        plan.warnings
    );
}

/// Two of vigil's own changes to one setting: undoing the older is refused
/// (it would overwrite the newer) and names the newer entry to undo first,
/// rather than blaming "someone else"; undone newest first, both succeed.
#[tokio::test]
async fn undo_under_a_later_vigil_entry_names_that_entry() {
    let (cloud, _dir, journal, actor) = demo();
    let name = "vigil-lab-no-encryption";
    let first = remedy::plan_live(cloud.as_ref(), "bucket-encryption-sse-s3", &bucket(name))
        .await
        .unwrap();
    let first = remedy::apply(cloud.as_ref(), &journal, &actor, &first)
        .await
        .unwrap();
    let kms = Inputs {
        kms_key: Some(
            "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab".into(),
        ),
        ..bucket(name)
    };
    let second = remedy::plan_live(cloud.as_ref(), "bucket-encryption-sse-kms", &kms)
        .await
        .unwrap();
    let second = remedy::apply(cloud.as_ref(), &journal, &actor, &second)
        .await
        .unwrap();
    let err = remedy::undo(cloud.as_ref(), &journal, &actor, &first.entry_id)
        .await
        .unwrap_err();
    match &err {
        RemedyError::LaterEntry { later, .. } => assert_eq!(later, &second.entry_id),
        other => panic!("expected the later entry to be named: {other}"),
    }
    remedy::undo(cloud.as_ref(), &journal, &actor, &second.entry_id)
        .await
        .unwrap();
    remedy::undo(cloud.as_ref(), &journal, &actor, &first.entry_id)
        .await
        .expect("with the newer undone, the older undoes");
}
