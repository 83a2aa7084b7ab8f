//! The lab's IAM expectations on the demo account: for every principal the
//! IAM rules that fail are exactly the ones `lab/lab.toml` lists, the ones
//! it says pass do, nothing is unknown, and every IAM rule fails somewhere
//! (so each can be demonstrated).

mod lab_expectations;

use std::sync::Arc;

use lab_expectations::{expectations, iam_rule_ids, mismatches};
use vigil::cloud::Cloud;
use vigil::cloud::collect::read_inventory;
use vigil::cloud::demo::DemoCloud;
use vigil::lab::Lab;
use vigil::model::finding::{Finding, Status};

async fn demo_findings(lab: &Lab) -> Vec<Finding> {
    let now = vigil::cli::now_ms();
    let demo: Arc<dyn Cloud> = Arc::new(DemoCloud::from_lab(lab, now));
    let inventory = read_inventory(demo, 8).await.unwrap();
    vigil::rules::evaluate(&inventory, now)
}

#[tokio::test]
async fn every_lab_principal_fails_exactly_the_iam_rules_the_lab_lists() {
    let lab = Lab::embedded().unwrap();
    let findings = demo_findings(&lab).await;
    let bad = mismatches(&lab, &findings, &[]);
    assert!(bad.is_empty(), "\n{}", bad.join("\n"));
}

#[tokio::test]
async fn every_iam_rule_is_demonstrated_by_a_failing_lab_principal() {
    let lab = Lab::embedded().unwrap();
    let findings = demo_findings(&lab).await;
    for id in iam_rule_ids() {
        assert!(
            findings
                .iter()
                .any(|f| f.rule == id && f.status == Status::Fail),
            "no lab principal fails {id}"
        );
    }
}

#[test]
fn lab_expectations_name_only_iam_rules_of_the_catalogue() {
    let lab = Lab::embedded().unwrap();
    let ids = iam_rule_ids();
    for e in expectations(&lab) {
        for id in e.fail.iter().chain(&e.pass) {
            assert!(ids.contains(id), "{}: {id} is not an IAM rule", e.label);
        }
        assert!(
            e.fail.is_disjoint(&e.pass),
            "{}: both fail and pass",
            e.label
        );
    }
}
