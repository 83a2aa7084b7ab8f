//! The lab's declared findings, exactly: on the demo account (the lab in
//! memory), every lab bucket fails exactly its `expect_fail` S3 rules and
//! passes exactly its `expect_pass` ones. The same declarations are held
//! against the test server in `scan_server.rs`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use vigil::cloud::Cloud;
use vigil::cloud::collect::read_inventory;
use vigil::cloud::demo::DemoCloud;
use vigil::lab::Lab;
use vigil::model::finding::{Finding, Status};
use vigil::rules::{self, Service};

/// Not declared by the lab: it compares S3's own verdict, which the demo
/// computes from the engine (see lab.toml).
const NOT_DECLARED: &str = "s3-policy-status-mismatch";

type Sets = BTreeMap<String, [BTreeSet<String>; 3]>;

/// Per bucket name: the failing, passing and unknown S3 rules.
fn by_bucket(findings: &[Finding]) -> Sets {
    let s3: Vec<&str> = rules::catalogue()
        .iter()
        .filter(|r| r.service == Service::S3)
        .map(|r| r.id)
        .collect();
    let mut out = Sets::new();
    for f in findings {
        let Some(name) = f.resource.strip_prefix("arn:aws:s3:::") else {
            continue;
        };
        if !s3.contains(&f.rule.as_str()) || f.rule == NOT_DECLARED {
            continue;
        }
        let i = match f.status {
            Status::Fail => 0,
            Status::Pass => 1,
            Status::Unknown => 2,
        };
        out.entry(name.to_string()).or_default()[i].insert(f.rule.clone());
    }
    out
}

fn set(list: &[String]) -> BTreeSet<String> {
    list.iter().cloned().collect()
}

#[tokio::test]
async fn demo_every_lab_bucket_fails_and_passes_exactly_what_the_lab_declares() {
    let lab = Lab::embedded().unwrap();
    let now = vigil::cli::now_ms();
    let demo: Arc<dyn Cloud> = Arc::new(DemoCloud::from_lab(&lab, now));
    let inventory = read_inventory(demo, 8).await.unwrap();
    let findings = rules::evaluate(&inventory, now);
    let got = by_bucket(&findings);
    for b in &lab.buckets {
        let [fail, pass, unknown] = got.get(&b.name).cloned().unwrap_or_default();
        assert_eq!(fail, set(&b.expect_fail), "{}: failing rules", b.name);
        assert_eq!(pass, set(&b.expect_pass), "{}: passing rules", b.name);
        let want_unknown: BTreeSet<String> = if b.name == "vigil-lab-malformed-policy" {
            [
                "s3-public-read",
                "s3-public-write",
                "s3-external-access",
                "s3-insecure-transport",
                "s3-trail-bucket-exposed",
            ]
            .map(String::from)
            .into()
        } else {
            BTreeSet::new()
        };
        assert_eq!(unknown, want_unknown, "{}: undecided rules", b.name);
    }
    // The malformed policy's unknowns carry the parse error.
    let malformed = findings
        .iter()
        .find(|f| {
            f.resource == "arn:aws:s3:::vigil-lab-malformed-policy" && f.rule == "s3-public-read"
        })
        .unwrap();
    assert!(
        malformed
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("cannot be judged") && r.contains("line 1")),
        "{malformed:?}"
    );
    // Account-level Block Public Access is left off on purpose.
    let account = findings
        .iter()
        .find(|f| f.rule == "s3-account-bpa-off")
        .unwrap();
    assert_eq!(account.status, Status::Fail);
    assert_eq!(account.resource, "arn:aws:s3::123456789012:account");
}

#[test]
fn every_lab_expectation_names_an_s3_rule_of_the_catalogue() {
    let lab = Lab::embedded().unwrap();
    for b in &lab.buckets {
        for id in b.expect_fail.iter().chain(&b.expect_pass) {
            let rule = rules::rule(id).unwrap_or_else(|| panic!("{}: unknown rule {id}", b.name));
            assert_eq!(rule.service, Service::S3, "{}: {id}", b.name);
        }
        let overlap: Vec<&String> = b
            .expect_fail
            .iter()
            .filter(|id| b.expect_pass.contains(id))
            .collect();
        assert!(
            overlap.is_empty(),
            "{}: both fail and pass: {overlap:?}",
            b.name
        );
    }
}
