//! Every remediation, on the demo and on the test server: apply → the
//! finding it fixes is gone → undo → the configuration is what it was
//! (normalised JSON equality), each step journaled. The server is private
//! and seeded with the lab, because these writes would disturb the lab the
//! other tests read from the shared one.

mod common;
mod remedy_support;

use std::sync::Arc;

use remedy_support::*;
use serde_json::Value;
use vigil::cloud::Cloud;
use vigil::cloud::demo::DemoCloud;
use vigil::lab::Lab;
use vigil::model::s3::VersioningStatus;
use vigil::remedy::{self, Actor, Inputs, Journal};

/// One remediation on one resource, and the finding that must go.
struct Case {
    remediation: &'static str,
    inputs: Inputs,
    rule: &'static str,
}

fn bucket(name: &str) -> Inputs {
    Inputs {
        bucket: Some(name.into()),
        ..Inputs::default()
    }
}

fn cases(access_key_of_ci_deploy: &str) -> Vec<Case> {
    vec![
        Case {
            remediation: "bucket-bpa-on",
            inputs: bucket("vigil-lab-public-policy"),
            rule: "s3-bucket-bpa-off",
        },
        Case {
            remediation: "bucket-bpa-on",
            inputs: bucket("vigil-lab-bpa-partial"),
            rule: "s3-public-read",
        },
        Case {
            remediation: "account-bpa-on",
            inputs: Inputs::default(),
            rule: "s3-account-bpa-off",
        },
        Case {
            remediation: "bucket-encryption-sse-s3",
            inputs: bucket("vigil-lab-no-encryption"),
            rule: "s3-no-default-encryption",
        },
        Case {
            remediation: "bucket-encryption-sse-kms",
            inputs: Inputs {
                kms_key: Some(
                    "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
                        .into(),
                ),
                ..bucket("vigil-lab-public-write")
            },
            rule: "s3-not-kms-encrypted",
        },
        Case {
            remediation: "bucket-deny-insecure-transport",
            inputs: bucket("vigil-lab-public-policy"),
            rule: "s3-insecure-transport",
        },
        Case {
            remediation: "bucket-deny-insecure-transport",
            inputs: bucket("vigil-lab-tls-objects-only"),
            rule: "s3-insecure-transport",
        },
        Case {
            remediation: "bucket-deny-insecure-transport",
            inputs: bucket("vigil-lab-eu-no-bpa"),
            rule: "s3-insecure-transport",
        },
        Case {
            remediation: "bucket-remove-public-statements",
            inputs: bucket("vigil-lab-public-policy"),
            rule: "s3-public-read",
        },
        Case {
            remediation: "bucket-remove-public-statements",
            inputs: bucket("vigil-lab-public-write"),
            rule: "s3-public-write",
        },
        Case {
            remediation: "bucket-acl-private",
            inputs: bucket("vigil-lab-acl-allusers"),
            rule: "s3-public-read",
        },
        Case {
            remediation: "bucket-acl-private",
            inputs: bucket("vigil-lab-acl-authenticated"),
            rule: "s3-public-write",
        },
        Case {
            remediation: "bucket-ownership-enforced",
            inputs: bucket("vigil-lab-acl-allusers"),
            rule: "s3-acls-enabled",
        },
        Case {
            remediation: "bucket-ownership-enforced",
            inputs: bucket("vigil-lab-eu-no-bpa"),
            rule: "s3-acls-enabled",
        },
        Case {
            remediation: "bucket-versioning-on",
            inputs: bucket("vigil-lab-versioning-suspended"),
            rule: "s3-versioning-off",
        },
        Case {
            remediation: "bucket-logging-on",
            inputs: Inputs {
                target_bucket: Some("vigil-lab-access-logs".into()),
                ..bucket("vigil-lab-cloudtrail")
            },
            rule: "s3-logging-off",
        },
        Case {
            remediation: "access-key-deactivate",
            inputs: Inputs {
                access_key: Some(access_key_of_ci_deploy.into()),
                ..Inputs::default()
            },
            rule: "iam-multiple-active-keys",
        },
        Case {
            remediation: "user-require-mfa",
            inputs: Inputs {
                user: Some("bob-developer".into()),
                ..Inputs::default()
            },
            rule: "iam-console-user-without-mfa",
        },
    ]
}

/// Everything a case can change, normalised.
async fn snapshot(cloud: &dyn Cloud, case: &Case) -> Value {
    let me = cloud.caller_identity().await.unwrap();
    match case.inputs.bucket.as_deref() {
        Some(b) => normalised_bucket(&cloud.read_bucket(&listing(b)).await),
        None if case.remediation == "account-bpa-on" => {
            serde_json::to_value(cloud.account_public_access_block(&me.account_id).await).unwrap()
        }
        None => {
            let iam = cloud.iam_inventory().await.unwrap();
            let mut users = serde_json::to_value(&iam.users).unwrap();
            for u in users.as_array_mut().unwrap() {
                u.as_object_mut().unwrap().remove("create_date");
            }
            users
        }
    }
}

/// Whether the case's finding fails now.
async fn fails(cloud: &dyn Cloud, case: &Case, plan_resource: &str) -> bool {
    let me = cloud.caller_identity().await.unwrap();
    let account_bpa = cloud.account_public_access_block(&me.account_id).await;
    match case.inputs.bucket.as_deref() {
        Some(b) => bucket_fails(
            case.rule,
            &cloud.read_bucket(&listing(b)).await,
            &me.account_id,
            &account_bpa,
        ),
        None if case.remediation == "user-require-mfa" => {
            // The user still has no MFA device, so the rule's finding stays;
            // what the remediation changes is that the user's own policies
            // now deny everything but MFA set-up without MFA.
            let iam = cloud.iam_inventory().await.unwrap();
            let u = iam.users.iter().find(|u| u.arn == plan_resource).unwrap();
            !denies_without_mfa(u)
        }
        None => {
            let iam = cloud.iam_inventory().await.unwrap();
            account_fails(case.rule, plan_resource, &me.account_id, &account_bpa, &iam)
        }
    }
}

async fn round_trip(cloud: Arc<dyn Cloud>, who: &str) {
    let dir = tempfile::tempdir().unwrap();
    let me = cloud.caller_identity().await.unwrap();
    let journal = Journal::open(dir.path(), &me.account_id).unwrap();
    let actor = Actor {
        operator: me.caller_arn.clone(),
        role_arn: None,
        session_name: None,
    };
    let iam = cloud.iam_inventory().await.unwrap();
    let ci = iam.users.iter().find(|u| u.name == "ci-deploy").unwrap();
    let key = ci.access_keys.present().unwrap()[0].id.clone();
    for case in cases(&key) {
        let label = format!("{who}: {} {:?}", case.remediation, case.inputs);
        let before = snapshot(cloud.as_ref(), &case).await;
        let plan = remedy::plan_live(cloud.as_ref(), case.remediation, &case.inputs)
            .await
            .unwrap_or_else(|e| panic!("{label}: plan: {e}"));
        assert!(
            !plan.is_noop(),
            "{label}: nothing to do: {:?}",
            plan.nothing_to_do
        );
        assert!(
            fails(cloud.as_ref(), &case, &plan.resource).await,
            "{label}: {} does not fail before",
            case.rule
        );
        let preview = plan.preview().to_text();
        for call in plan.api_calls() {
            assert!(
                preview.contains(&call),
                "{label}: preview lacks {call}:\n{preview}"
            );
            let def = remedy::remediation(case.remediation).unwrap();
            assert!(
                def.writes.contains(&call.as_str()),
                "{label}: {call} not in the catalogue"
            );
        }
        for p in plan.permissions() {
            let def = remedy::remediation(case.remediation).unwrap();
            assert!(
                def.permissions.contains(&p.as_str())
                    || p.ends_with("DeleteBucketPolicy")
                    || p.ends_with("DeleteUserPolicy"),
                "{label}: needs {p}, the catalogue does not list it"
            );
        }

        let applied = remedy::apply(cloud.as_ref(), &journal, &actor, &plan)
            .await
            .unwrap_or_else(|e| panic!("{label}: apply: {e}"));
        assert!(applied.succeeded(), "{label}: {:?}", applied.outcome);
        assert!(
            !fails(cloud.as_ref(), &case, &plan.resource).await,
            "{label}: {} still fails after apply",
            case.rule
        );
        // Planning again: nothing left to do.
        let again = remedy::plan_live(cloud.as_ref(), case.remediation, &case.inputs)
            .await
            .unwrap();
        assert!(
            again.is_noop(),
            "{label}: still something to do after apply: {:?}",
            again.steps
        );

        let undone = remedy::undo(cloud.as_ref(), &journal, &actor, &applied.entry_id)
            .await
            .unwrap_or_else(|e| panic!("{label}: undo: {e}"));
        assert!(undone.succeeded(), "{label}: undo {:?}", undone.outcome);
        assert_eq!(
            snapshot(cloud.as_ref(), &case).await,
            before,
            "{label}: not restored exactly"
        );
        assert!(
            fails(cloud.as_ref(), &case, &plan.resource).await,
            "{label}: undo did not bring {} back",
            case.rule
        );

        let entry = journal.entry(&applied.entry_id).unwrap();
        assert_eq!(entry.status(), "undone", "{label}");
        assert_eq!(entry.undone_by.as_deref(), Some(undone.entry_id.as_str()));
    }
    let contents = journal.read().unwrap();
    assert!(contents.damaged.is_empty());
    assert!(contents.entries.iter().all(|e| !e.is_unfinished()));
}

#[tokio::test]
async fn every_remediation_round_trips_in_the_demo() {
    let demo: Arc<dyn Cloud> = Arc::new(DemoCloud::embedded(0).unwrap());
    round_trip(demo, "demo").await;
}

#[tokio::test]
async fn every_remediation_round_trips_on_the_test_server() {
    let server = common::PrivateServer::start();
    let cloud = common::aws_at(&server.endpoint).await;
    vigil::cloud::aws::seed::seed(&cloud, &Lab::embedded().unwrap(), 0)
        .await
        .expect("seeds");
    round_trip(Arc::new(cloud), "server").await;
}

/// A bucket that never had versioning cannot get back to that state: the
/// documented caveat, on both backends.
async fn versioning_from_never(cloud: &dyn Cloud, who: &str) {
    let dir = tempfile::tempdir().unwrap();
    let me = cloud.caller_identity().await.unwrap();
    let journal = Journal::open(dir.path(), &me.account_id).unwrap();
    let actor = Actor {
        operator: me.caller_arn.clone(),
        role_arn: None,
        session_name: None,
    };
    let inputs = bucket("vigil-lab-no-encryption");
    let plan = remedy::plan_live(cloud, "bucket-versioning-on", &inputs)
        .await
        .unwrap();
    assert!(plan.preview().to_text().contains("only suspend"), "{who}");
    let applied = remedy::apply(cloud, &journal, &actor, &plan).await.unwrap();
    assert!(applied.succeeded(), "{who}");
    let undone = remedy::undo(cloud, &journal, &actor, &applied.entry_id)
        .await
        .unwrap();
    assert!(undone.succeeded(), "{who}: {:?}", undone.outcome);
    let note = undone.outcome.verification.steps[0]
        .note
        .clone()
        .unwrap_or_default();
    assert!(note.contains("Suspended"), "{who}: {note}");
    let b = cloud.read_bucket(&listing("vigil-lab-no-encryption")).await;
    assert_eq!(
        b.versioning.present().map(|v| v.status),
        Some(VersioningStatus::Suspended),
        "{who}"
    );
}

#[tokio::test]
async fn versioning_never_enabled_comes_back_suspended_as_documented() {
    let demo = DemoCloud::embedded(0).unwrap();
    versioning_from_never(&demo, "demo").await;
    let server = common::PrivateServer::start();
    let cloud = common::aws_at(&server.endpoint).await;
    vigil::cloud::aws::seed::seed(&cloud, &Lab::embedded().unwrap(), 0)
        .await
        .expect("seeds");
    versioning_from_never(&cloud, "server").await;
}
