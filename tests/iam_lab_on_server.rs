//! The lab's IAM expectations on the test server: the lab seeded through
//! the SDK, read back through the AWS backend, judged by the IAM rules.
//!
//! What the server cannot express is named here, rule by rule, and checked
//! for what the server *does* say instead (lab notes, TEST-SERVER.md): a
//! seeded access key is created now and never used, a seeded password never
//! used, and the server has no root user (no root row in its credential
//! report; its account summary says no MFA and no root keys).

mod common;
mod lab_expectations;

use std::sync::Arc;

use lab_expectations::{iam_findings, mismatches};
use vigil::cloud::Cloud;
use vigil::cloud::collect::read_inventory;
use vigil::model::finding::{Finding, Status};

/// The rules whose lab verdicts the server cannot reproduce, and why.
const NOT_ON_SERVER: &[(&str, &str)] = &[
    (
        "iam-access-key-old",
        "key ages cannot be set through any API: every seeded key is new",
    ),
    (
        "iam-credentials-unused",
        "last use cannot be set: every seeded key and password is new and unused",
    ),
    (
        "iam-root-access-keys",
        "the server has no root user; its account summary reports no root keys",
    ),
    (
        "iam-root-recently-used",
        "the server has no root user: its credential report has no root row",
    ),
];

async fn server_findings() -> (vigil::lab::Lab, Vec<Finding>) {
    let (cloud, lab) = common::seeded().await;
    let cloud: Arc<dyn Cloud> = Arc::new(cloud);
    let inventory = read_inventory(cloud, 16).await.unwrap();
    let findings = vigil::rules::evaluate(&inventory, vigil::cli::now_ms());
    (lab, findings)
}

fn status_of<'a>(findings: &'a [Finding], rule: &str, resource: &str) -> Option<&'a Finding> {
    findings
        .iter()
        .find(|f| f.rule == rule && f.resource == resource)
}

#[tokio::test]
async fn every_lab_principal_on_the_server_fails_exactly_the_iam_rules_the_lab_lists() {
    let (lab, findings) = server_findings().await;
    let bad = mismatches(&lab, &findings, NOT_ON_SERVER);
    assert!(
        bad.is_empty(),
        "\n{}\n(not checked on the server: {:?})",
        bad.join("\n"),
        NOT_ON_SERVER
    );
}

#[tokio::test]
async fn what_the_server_cannot_express_reads_as_the_server_says() {
    let (lab, findings) = server_findings().await;
    let acct = &lab.account_id;
    let root = format!("arn:aws:iam::{acct}:root");
    // No root row: recent use is unknown, never a pass.
    let used = status_of(&findings, "iam-root-recently-used", &root).unwrap();
    assert_eq!(used.status, Status::Unknown, "{used:?}");
    assert!(
        used.reason
            .as_deref()
            .unwrap()
            .contains("no row for the root user")
    );
    // The account summary stands in for the missing row.
    let keys = status_of(&findings, "iam-root-access-keys", &root).unwrap();
    assert_eq!(
        keys.status,
        Status::Pass,
        "AccountAccessKeysPresent is 0: {keys:?}"
    );
    // Every seeded credential is new: none is old or unused.
    let by = iam_findings(&findings);
    for u in &lab.iam.users {
        let arn = format!("arn:aws:iam::{acct}:user/{}", u.name);
        for rule in ["iam-access-key-old", "iam-credentials-unused"] {
            let f = by[&arn].iter().find(|f| f.rule == rule).unwrap();
            assert_eq!(f.status, Status::Pass, "{} {rule}: {f:?}", u.name);
        }
    }
}
