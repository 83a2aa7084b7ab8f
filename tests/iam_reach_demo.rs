//! "Who can reach this bucket" on the demo account's lab buckets: identity
//! policies and bucket policies together, as AWS decides within one account.

use std::collections::BTreeSet;
use std::sync::Arc;

use vigil::cloud::Cloud;
use vigil::cloud::collect::read_inventory;
use vigil::cloud::demo::DemoCloud;
use vigil::model::Inventory;
use vigil::policy::reach::Capability;
use vigil::policy::{BucketReach, IamAnalysis};

async fn demo() -> Inventory {
    let demo: Arc<dyn Cloud> = Arc::new(DemoCloud::embedded(vigil::cli::now_ms()).unwrap());
    read_inventory(demo, 8).await.unwrap()
}

fn reach_of(inv: &Inventory, bucket: &str) -> BucketReach {
    let iam = inv.iam.present().unwrap();
    let b = inv.buckets.iter().find(|b| b.name == bucket).unwrap();
    IamAnalysis::new(iam, &inv.account.account_id).bucket_reach(b)
}

fn names(r: &BucketReach, c: Capability) -> BTreeSet<&str> {
    r.with(c).map(|p| p.name.as_str()).collect()
}

#[tokio::test]
async fn who_can_read_write_and_reconfigure_the_tls_enforced_bucket() {
    let inv = demo().await;
    let r = reach_of(&inv, "vigil-lab-tls-enforced");
    let set = |v: &[&'static str]| v.iter().copied().collect::<BTreeSet<&str>>();
    assert_eq!(
        names(&r, Capability::Read),
        set(&[
            "<root_account>",
            "alice-admin",
            "bob-developer",
            "vigil-lab-looks-mfa",
            "vigil-lab-replication"
        ])
    );
    assert_eq!(
        names(&r, Capability::Write),
        set(&[
            "<root_account>",
            "alice-admin",
            "bob-developer",
            "vigil-lab-looks-mfa"
        ])
    );
    assert_eq!(
        names(&r, Capability::ChangePermissions),
        set(&[
            "<root_account>",
            "alice-admin",
            "vigil-lab-looks-mfa",
            "vigil-lab-remediation"
        ])
    );
    // The deny-insecure-transport statement is the caller's to avoid, and named.
    let bob = r
        .principals
        .iter()
        .find(|p| p.name == "bob-developer")
        .unwrap();
    let put = bob
        .capabilities
        .iter()
        .flat_map(|c| &c.actions)
        .find(|a| a.action == "s3:PutObject")
        .unwrap();
    let g = &put.allowed_by[0];
    assert_eq!(
        g.summary,
        "identity: group `developers` → policy `vigil-lab-DeveloperAccess`, Statement[0] (Sid \"Build\")"
    );
    assert!(
        g.conditions
            .iter()
            .any(|c| c.contains("DenyInsecureTransport") && c.contains("aws:SecureTransport")),
        "{:?}",
        g.conditions
    );
}

#[tokio::test]
async fn a_malformed_bucket_policy_leaves_the_view_marked_incomplete() {
    let inv = demo().await;
    let r = reach_of(&inv, "vigil-lab-malformed-policy");
    assert!(r.bucket_policy.is_unknown());
    assert!(names(&r, Capability::Read).contains("alice-admin"));
}
