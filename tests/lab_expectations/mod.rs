//! What `lab/lab.toml` expects of the IAM rules, principal by principal, and
//! the comparison of a run of the rules against it. Shared by the demo and
//! the test-server tests.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};

use vigil::lab::Lab;
use vigil::model::finding::{Finding, Status};
use vigil::rules::{self, Service};

/// One lab principal (or the password policy) and what it expects.
pub struct Expected {
    pub label: String,
    pub resource: String,
    pub fail: BTreeSet<String>,
    pub pass: BTreeSet<String>,
}

/// Every lab principal with its expectations, root and password policy
/// included.
pub fn expectations(lab: &Lab) -> Vec<Expected> {
    let acct = &lab.account_id;
    let set = |v: &[String]| v.iter().cloned().collect::<BTreeSet<_>>();
    let mut out = Vec::new();
    if let Some(r) = &lab.iam.root {
        out.push(Expected {
            label: "root".into(),
            resource: format!("arn:aws:iam::{acct}:root"),
            fail: set(&r.expect_fail),
            pass: set(&r.expect_pass),
        });
    }
    if let Some(p) = &lab.iam.password_policy {
        out.push(Expected {
            label: "password policy".into(),
            resource: format!("arn:aws:iam::{acct}:account-password-policy"),
            fail: set(&p.expect_fail),
            pass: set(&p.expect_pass),
        });
    }
    for u in &lab.iam.users {
        out.push(Expected {
            label: format!("user {}", u.name),
            resource: format!("arn:aws:iam::{acct}:user/{}", u.name),
            fail: set(&u.expect_fail),
            pass: set(&u.expect_pass),
        });
    }
    for g in &lab.iam.groups {
        out.push(Expected {
            label: format!("group {}", g.name),
            resource: format!("arn:aws:iam::{acct}:group/{}", g.name),
            fail: set(&g.expect_fail),
            pass: set(&g.expect_pass),
        });
    }
    for r in &lab.iam.roles {
        out.push(Expected {
            label: format!("role {}", r.name),
            resource: format!("arn:aws:iam::{acct}:role/{}", r.name),
            fail: set(&r.expect_fail),
            pass: set(&r.expect_pass),
        });
    }
    out
}

/// The ids of the IAM rules in the catalogue.
pub fn iam_rule_ids() -> BTreeSet<String> {
    rules::catalogue()
        .into_iter()
        .filter(|r| r.service == Service::Iam)
        .map(|r| r.id.to_string())
        .collect()
}

/// IAM findings by resource.
pub fn iam_findings(findings: &[Finding]) -> BTreeMap<String, Vec<&Finding>> {
    let ids = iam_rule_ids();
    let mut by: BTreeMap<String, Vec<&Finding>> = BTreeMap::new();
    for f in findings.iter().filter(|f| ids.contains(&f.rule)) {
        by.entry(f.resource.clone()).or_default().push(f);
    }
    by
}

/// Compares the findings with the lab, leaving out the rules in `skip`
/// (each with why it cannot be checked there). Returns every mismatch.
pub fn mismatches(lab: &Lab, findings: &[Finding], skip: &[(&str, &str)]) -> Vec<String> {
    let skipped: BTreeSet<&str> = skip.iter().map(|(id, _)| *id).collect();
    let by = iam_findings(findings);
    let mut bad = Vec::new();
    for e in expectations(lab) {
        let got = by.get(&e.resource).cloned().unwrap_or_default();
        let with = |s: Status| -> BTreeSet<String> {
            got.iter()
                .filter(|f| f.status == s && !skipped.contains(f.rule.as_str()))
                .map(|f| f.rule.clone())
                .collect()
        };
        let fail_expected: BTreeSet<String> = e
            .fail
            .iter()
            .filter(|id| !skipped.contains(id.as_str()))
            .cloned()
            .collect();
        let failing = with(Status::Fail);
        if failing != fail_expected {
            bad.push(format!(
                "{}: failing {:?}, the lab expects exactly {:?}",
                e.label, failing, fail_expected
            ));
        }
        let passing = with(Status::Pass);
        for id in e.pass.iter().filter(|id| !skipped.contains(id.as_str())) {
            if !passing.contains(id) {
                let status = got
                    .iter()
                    .find(|f| &f.rule == id)
                    .map(|f| format!("{:?}: {}", f.status, f.reason.clone().unwrap_or_default()))
                    .unwrap_or_else(|| "no finding".into());
                bad.push(format!("{}: {id} should pass, got {status}", e.label));
            }
        }
        for f in got
            .iter()
            .filter(|f| f.status == Status::Unknown && !skipped.contains(f.rule.as_str()))
        {
            bad.push(format!(
                "{}: {} is unknown: {}",
                e.label,
                f.rule,
                f.reason.clone().unwrap_or_default()
            ));
        }
    }
    bad
}
