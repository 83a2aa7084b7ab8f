//! The lab, seeded into the test server through the SDK, read back through
//! the AWS backend: every facet of every bucket, the IAM inventory and the log
//! events must be what the lab defines — the same as the demo account, which
//! loads the same definition into memory.

mod common;

use std::sync::Arc;

use common::{normalise, seeded, vigil};
use vigil::cloud::collect::read_inventory;
use vigil::cloud::demo::DemoCloud;
use vigil::cloud::{Cloud, LogQuery};
use vigil::model::Facet;
use vigil::model::s3::{ALL_USERS_URI, AUTHENTICATED_USERS_URI, Grantee};

async fn demo_json(lab: &vigil::lab::Lab) -> serde_json::Value {
    let demo: Arc<dyn Cloud> = Arc::new(DemoCloud::from_lab(lab, vigil::cli::now_ms()));
    serde_json::to_value(read_inventory(demo, 8).await.unwrap()).unwrap()
}

#[tokio::test]
async fn every_bucket_facet_on_the_server_is_what_the_lab_defines() {
    let (cloud, lab) = seeded().await;
    let cloud: Arc<dyn Cloud> = Arc::new(cloud);
    let server = serde_json::to_value(read_inventory(cloud, 16).await.unwrap()).unwrap();
    let server = normalise(server);
    let demo = normalise(demo_json(&lab).await);
    let server_buckets = server["buckets"].as_array().unwrap();
    let lab_names: Vec<&str> = lab.buckets.iter().map(|b| b.name.as_str()).collect();
    let server_lab_buckets: Vec<&serde_json::Value> = server_buckets
        .iter()
        .filter(|b| lab_names.contains(&b["name"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(server_lab_buckets.len(), lab.buckets.len());
    for (got, want) in server_lab_buckets
        .iter()
        .zip(demo["buckets"].as_array().unwrap())
    {
        assert_eq!(*got, want, "bucket {} differs from the lab", want["name"]);
    }
}

#[tokio::test]
async fn bucket_facets_read_back_with_their_meaning() {
    let (cloud, _lab) = seeded().await;
    let get = |name: &str| vigil::cloud::BucketListing {
        name: name.into(),
        creation_date: None,
        region: None,
    };
    // A bucket in another region reports it.
    let eu = cloud.read_bucket(&get("vigil-lab-eu-public")).await;
    assert_eq!(eu.region, Facet::Present("eu-west-1".into()));
    // Not configured is a fact, not unknown.
    let plain = cloud.read_bucket(&get("vigil-lab-no-encryption")).await;
    assert_eq!(plain.encryption, Facet::Absent);
    assert_eq!(plain.policy, Facet::Absent);
    // ACL groups come back as groups.
    let acl = cloud.read_bucket(&get("vigil-lab-acl-authenticated")).await;
    let grants = acl.acl.present().unwrap().grants.clone();
    assert!(grants.iter().any(|g| g.grantee
        == Grantee::Group {
            uri: AUTHENTICATED_USERS_URI.into()
        }
        && g.permission == "WRITE"));
    let acl = cloud.read_bucket(&get("vigil-lab-acl-allusers")).await;
    assert!(acl.acl.present().unwrap().grants.iter().any(|g| g.grantee
        == Grantee::Group {
            uri: ALL_USERS_URI.into()
        }));
    // Versioning through the SDK (needs the harness's fix of the server).
    let v = cloud
        .read_bucket(&get("vigil-lab-versioning-suspended"))
        .await;
    assert_eq!(
        v.versioning.present().unwrap().status,
        vigil::model::s3::VersioningStatus::Suspended
    );
    // Attacker-written tags arrive escaped.
    let t = cloud.read_bucket(&get("vigil-lab-hostile-tags")).await;
    let tags = t.tags.present().unwrap();
    assert!(
        tags.iter().any(|t| t.value == "ops\\u{202e}gnp.exe"),
        "{tags:?}"
    );
    // A malformed policy is kept as written, for the engine to refuse.
    let m = cloud.read_bucket(&get("vigil-lab-malformed-policy")).await;
    assert!(m.policy.present().unwrap().starts_with("{\"Version\""));
}

#[tokio::test]
async fn iam_inventory_on_the_server_is_what_the_lab_defines() {
    let (cloud, lab) = seeded().await;
    let iam = cloud.iam_inventory().await.unwrap();
    let alice = iam.users.iter().find(|u| u.name == "alice-admin").unwrap();
    assert_eq!(alice.groups, vec!["admins".to_string()]);
    assert_eq!(alice.mfa_devices.present().unwrap().len(), 1);
    assert!(
        alice.inline_policies[0]
            .document
            .contains("\"Action\":\"*\"")
    );
    let ci = iam.users.iter().find(|u| u.name == "ci-deploy").unwrap();
    let keys = ci.access_keys.present().unwrap();
    assert_eq!(keys.iter().filter(|k| k.status == "Active").count(), 2);
    let dave = iam.users.iter().find(|u| u.name == "dave-auditor").unwrap();
    assert_eq!(dave.access_keys.present().unwrap()[0].status, "Inactive");
    let role = iam
        .roles
        .iter()
        .find(|r| r.name == "vigil-lab-looks-mfa")
        .unwrap();
    assert!(
        role.trust_policy.contains("BoolIfExists"),
        "trust policy decoded: {}",
        role.trust_policy
    );
    let report = iam.credential_report.present().unwrap();
    let bob = report
        .iter()
        .find(|r| r["user"] == "bob-developer")
        .unwrap();
    assert_eq!(bob["password_enabled"], "true");
    assert_eq!(bob["mfa_active"], "false");
    let pp = iam.password_policy.present().unwrap();
    assert_eq!(pp.minimum_length, 8);
    assert_eq!(pp.reuse_prevention, None);
    let server = normalise(serde_json::to_value(&iam).unwrap());
    let demo = demo_json(&lab).await;
    let demo_iam = normalise(serde_json::json!({"iam": demo["iam"].clone()}));
    let server_iam = normalise(serde_json::json!({"iam": {"state": "present", "value": server}}));
    assert_eq!(server_iam, demo_iam);
}

#[tokio::test]
async fn log_events_read_back_in_order() {
    let (cloud, lab) = seeded().await;
    let group = &lab.log_groups[0];
    let page = cloud
        .filter_log_events(&LogQuery {
            group: group.name.clone(),
            start_ms: 0,
            end_ms: None,
            next_token: None,
        })
        .await
        .unwrap();
    assert_eq!(page.events.len(), group.events.len());
    let first: serde_json::Value = serde_json::from_str(&page.events[0].message).unwrap();
    assert_eq!(first["eventName"], "ConsoleLogin");
    assert!(
        page.events
            .windows(2)
            .all(|w| w[0].timestamp <= w[1].timestamp)
    );
    assert_eq!(
        page.events.last().unwrap().message,
        "this line is not a CloudTrail record"
    );
}

#[tokio::test]
async fn seeding_twice_changes_nothing() {
    let (cloud, lab) = seeded().await;
    let cloud: Arc<dyn Cloud> = Arc::new(cloud);
    let before =
        normalise(serde_json::to_value(read_inventory(cloud.clone(), 16).await.unwrap()).unwrap());
    let again = common::aws_at(&common::endpoint()).await;
    let report = vigil::cloud::aws::seed::seed(&again, &lab, 0)
        .await
        .unwrap();
    assert_eq!(report.log_events_put, 0, "events are put once");
    let after = normalise(serde_json::to_value(read_inventory(cloud, 16).await.unwrap()).unwrap());
    assert_eq!(before, after);
}

#[test]
fn cli_inventory_of_server_and_demo_print_the_same_account() {
    let endpoint = common::endpoint();
    let seed = vigil()
        .args(["--endpoint-url", &endpoint, "lab", "seed"])
        .output()
        .unwrap();
    assert!(
        seed.status.success(),
        "{}",
        String::from_utf8_lossy(&seed.stderr)
    );
    let server = vigil()
        .args(["--endpoint-url", &endpoint, "inventory"])
        .output()
        .unwrap();
    assert!(
        server.status.success(),
        "{}",
        String::from_utf8_lossy(&server.stderr)
    );
    let demo = vigil().args(["inventory", "--demo"]).output().unwrap();
    assert!(demo.status.success());
    let mut server: serde_json::Value = serde_json::from_slice(&server.stdout).unwrap();
    let demo: serde_json::Value = serde_json::from_slice(&demo.stdout).unwrap();
    // Other tests may add buckets to the shared server; compare the lab's.
    if let Some(b) = server["buckets"].as_array_mut() {
        b.retain(|b| {
            b["name"]
                .as_str()
                .is_some_and(|n| n.starts_with("vigil-lab-"))
        });
    }
    assert_eq!(normalise(server), normalise(demo));
}
