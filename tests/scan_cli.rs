//! `vigil scan` and `vigil rules` through the real binary on the demo
//! account (no server): formats, exit codes 0/1/2, `--fail-on`, `--bucket`,
//! `--only`, the CSV header and quoting. What `--only` reads is checked on
//! the library's `scan` with a Cloud that records its calls.

mod common;

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use serde_json::Value;
use vigil::cli::scan::{Only, ScanOptions, scan};
use vigil::cloud::demo::DemoCloud;
use vigil::cloud::{BucketListing, Cloud, CloudError, LogQuery};
use vigil::model::change::Change;
use vigil::model::iam::IamInventory;
use vigil::model::logs::{LogEventPage, LogGroup};
use vigil::model::s3::{Bucket, PublicAccessBlock};
use vigil::model::{CallerIdentity, Facet};

fn vigil_demo(args: &[&str]) -> std::process::Output {
    common::vigil()
        .arg("--demo")
        .args(args)
        .output()
        .expect("vigil runs")
}

fn json_of(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn json_has_the_account_every_finding_with_every_key_and_a_summary() {
    let out = vigil_demo(&["scan", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "the lab fails checks");
    let v = json_of(&out);
    assert_eq!(v["account"]["account_id"], "123456789012");
    let findings = v["findings"].as_array().unwrap();
    assert!(findings.len() > 300);
    for f in findings {
        for key in [
            "rule",
            "resource",
            "region",
            "severity",
            "status",
            "reason",
            "evidence",
            "remediation",
            "frameworks",
        ] {
            assert!(f.get(key).is_some(), "missing {key} in {f}");
        }
    }
    let public = findings
        .iter()
        .find(|f| {
            f["rule"] == "s3-public-read" && f["resource"] == "arn:aws:s3:::vigil-lab-public-policy"
        })
        .unwrap();
    assert_eq!(public["status"], "fail");
    assert_eq!(public["severity"], "critical");
    assert_eq!(public["region"], "us-east-1");
    assert_eq!(public["remediation"], "bucket-bpa-on");
    assert_eq!(public["evidence"][0]["path"], "policy:Statement[0]");
    assert_eq!(public["frameworks"][0], "FSBP:S3.2");
    let summary = &v["summary"];
    assert_eq!(summary["buckets"], 29);
    assert_eq!(
        summary["findings"].as_u64().unwrap() as usize,
        findings.len()
    );
    assert!(summary["failing_at_or_above"].as_u64().unwrap() > 0);
    // Account findings first, then buckets by name.
    assert_eq!(findings[0]["rule"], "s3-account-bpa-off");
    let names: Vec<&str> = findings
        .iter()
        .filter_map(|f| f["resource"].as_str()?.strip_prefix("arn:aws:s3:::"))
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
}

#[test]
fn fail_on_sets_the_exit_code_by_severity() {
    // vigil-lab-sse-kms fails only medium and lower rules...
    let one = ["--bucket", "vigil-lab-sse-kms", "--only", "s3"];
    let code = |fail_on: &str| {
        let mut args = vec!["scan", "--format", "json", "--fail-on", fail_on];
        args.extend(one);
        vigil_demo(&args).status.code()
    };
    assert_eq!(code("critical"), Some(0));
    assert_eq!(code("high"), Some(0));
    assert_eq!(code("medium"), Some(1));
    assert_eq!(code("low"), Some(1));
    // ...and a public bucket fails a critical one.
    let out = vigil_demo(&[
        "scan",
        "--fail-on",
        "critical",
        "--bucket",
        "vigil-lab-public-policy",
        "--only",
        "s3",
    ]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn exit_code_is_0_when_nothing_at_or_above_fail_on_fails() {
    // The well-configured lab bucket fails only an informational rule.
    let out = vigil_demo(&[
        "scan",
        "--only",
        "s3",
        "--bucket",
        "vigil-lab-tls-enforced",
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json_of(&out);
    let fails: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "fail")
        .collect();
    assert!(!fails.is_empty());
    assert!(fails.iter().all(|f| f["severity"] == "info"), "{fails:?}");
}

#[test]
fn bucket_reads_only_the_named_buckets() {
    let out = vigil_demo(&[
        "scan",
        "--format",
        "json",
        "--bucket",
        "vigil-lab-cloudtrail",
        "vigil-lab-cross-account",
    ]);
    let v = json_of(&out);
    let mut names: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["resource"].as_str()?.strip_prefix("arn:aws:s3:::"))
        .collect();
    names.dedup();
    assert_eq!(names, ["vigil-lab-cloudtrail", "vigil-lab-cross-account"]);
    assert_eq!(v["summary"]["buckets"], 2);
}

#[test]
fn exit_code_2_on_errors_with_one_line_saying_what() {
    let out = vigil_demo(&["scan", "--bucket", "no-such-bucket"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no such bucket") && err.contains("no-such-bucket"),
        "{err}"
    );
    assert!(
        out.stdout.is_empty(),
        "a failed scan prints no table header: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = vigil_demo(&["scan", "--only", "iam", "--bucket", "x"]);
    assert_eq!(out.status.code(), Some(2));
    let out = vigil_demo(&["scan", "--fail-on", "sometimes"]);
    assert_eq!(out.status.code(), Some(2));
    // Nothing listens on port 9: unreachable is an error, not an empty scan.
    let out = common::vigil()
        .args([
            "--endpoint-url",
            "http://127.0.0.1:9",
            "--max-attempts",
            "1",
            "scan",
        ])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn only_s3_and_only_iam_keep_to_their_rules() {
    let v = json_of(&vigil_demo(&["scan", "--format", "json", "--only", "s3"]));
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["rule"].as_str().unwrap().starts_with("s3-"))
    );
    let v = json_of(&vigil_demo(&["scan", "--format", "json", "--only", "iam"]));
    let findings = v["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .all(|f| f["rule"].as_str().unwrap().starts_with("iam-")),
        "{findings:?}"
    );
    assert_eq!(v["summary"]["buckets"], 0);
}

#[test]
fn csv_has_the_header_and_one_parseable_row_per_finding() {
    let out = vigil_demo(&["scan", "--format", "csv", "--only", "s3"]);
    assert_eq!(out.status.code(), Some(1));
    let json = json_of(&vigil_demo(&["scan", "--format", "json", "--only", "s3"]));
    let mut r = csv::Reader::from_reader(out.stdout.as_slice());
    assert_eq!(
        r.headers().unwrap(),
        vec![
            "rule",
            "resource",
            "region",
            "severity",
            "status",
            "reason",
            "evidence",
            "remediation",
            "frameworks"
        ]
    );
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    assert_eq!(rows.len(), json["findings"].as_array().unwrap().len());
    // A reason with commas and quotes survives the round trip.
    let row = rows
        .iter()
        .find(|x| &x[0] == "s3-public-read" && &x[1] == "arn:aws:s3:::vigil-lab-public-policy")
        .unwrap();
    assert!(row[5].contains("Sid \"PublicRead\""), "{row:?}");
    assert!(row[6].contains("[policy:Statement[0]]"), "{row:?}");
}

#[test]
fn table_lists_failing_and_undecided_checks_and_a_summary() {
    let out = vigil_demo(&["scan", "--only", "s3"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("SEVERITY"), "{text}");
    assert!(text.contains("vigil-lab-malformed-policy"));
    assert!(
        text.lines()
            .any(|l| l.contains("unknown") && l.contains("s3-public-read"))
    );
    assert!(
        !text.lines().any(|l| l.contains("  pass  ")),
        "passes are not listed"
    );
    assert!(text.contains("account 123456789012: 29 buckets"), "{text}");
    // The summary counts failures most severe first.
    let summary = text.lines().last().unwrap_or_default();
    let at = |s: &str| summary.find(s).unwrap_or(usize::MAX);
    assert!(
        at(" critical") < at(" high") && at(" high") < at(" medium") && at(" medium") < at(" low"),
        "{summary}"
    );
    // stderr is not a terminal here: no progress line, only the unknown note.
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("buckets read"), "{err}");
}

#[test]
fn rules_lists_the_catalogue_in_json_and_as_a_table() {
    let out = common::vigil()
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v = json_of(&out);
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), vigil::rules::catalogue().len());
    let bpa = list
        .iter()
        .find(|r| r["id"] == "s3-bucket-bpa-off")
        .unwrap();
    assert_eq!(bpa["severity"], "high");
    assert_eq!(bpa["remediation"], "bucket-bpa-on");
    assert!(
        bpa["frameworks"]
            .as_array()
            .unwrap()
            .contains(&Value::from("CIS-AWS-4.0:2.1.4"))
    );
    assert!(
        bpa["title"]
            .as_str()
            .unwrap()
            .contains("Block Public Access")
    );
    let table = common::vigil().arg("rules").output().unwrap();
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.starts_with("ID"));
    assert_eq!(text.lines().count(), list.len() + 1);
    assert!(text.contains("s3-mfa-delete-off") && text.contains("CIS-AWS-3.0:2.1.2"));
}

/// The demo, recording which reads are made.
struct Recording {
    inner: DemoCloud,
    calls: Mutex<Vec<&'static str>>,
}

impl Recording {
    fn new() -> Arc<Recording> {
        Arc::new(Recording {
            inner: DemoCloud::embedded(0).unwrap(),
            calls: Mutex::new(Vec::new()),
        })
    }
    fn note(&self, call: &'static str) {
        self.calls.lock().unwrap().push(call);
    }
    fn calls(&self) -> Vec<&'static str> {
        self.calls.lock().unwrap().clone()
    }
}

#[async_trait]
impl Cloud for Recording {
    fn backend_name(&self) -> &'static str {
        "recording"
    }
    async fn caller_identity(&self) -> Result<CallerIdentity, CloudError> {
        self.note("caller_identity");
        self.inner.caller_identity().await
    }
    async fn list_buckets(&self) -> Result<Vec<BucketListing>, CloudError> {
        self.note("list_buckets");
        self.inner.list_buckets().await
    }
    async fn read_bucket(&self, listing: &BucketListing) -> Bucket {
        self.note("read_bucket");
        self.inner.read_bucket(listing).await
    }
    async fn account_public_access_block(&self, id: &str) -> Facet<PublicAccessBlock> {
        self.note("account_public_access_block");
        self.inner.account_public_access_block(id).await
    }
    async fn iam_inventory(&self) -> Result<IamInventory, CloudError> {
        self.note("iam_inventory");
        self.inner.iam_inventory().await
    }
    async fn list_log_groups(&self) -> Result<Vec<LogGroup>, CloudError> {
        self.note("list_log_groups");
        self.inner.list_log_groups().await
    }
    async fn filter_log_events(&self, q: &LogQuery) -> Result<LogEventPage, CloudError> {
        self.note("filter_log_events");
        self.inner.filter_log_events(q).await
    }
    async fn apply(&self, change: &Change) -> Result<(), CloudError> {
        self.note("apply");
        self.inner.apply(change).await
    }
}

async fn calls_for(only: Option<Only>, buckets: &[&str]) -> Vec<&'static str> {
    let cloud = Recording::new();
    let options = ScanOptions {
        only,
        buckets: buckets.iter().map(|s| s.to_string()).collect(),
        concurrency: 4,
    };
    let mut events = 0;
    let result = scan(cloud.clone(), &options, |_| {
        events += 1;
        Ok(())
    })
    .await
    .unwrap();
    assert!(events > 0 || only == Some(Only::Iam));
    let _ = result;
    cloud.calls()
}

#[tokio::test]
async fn only_s3_never_reads_iam_and_only_iam_never_reads_a_bucket() {
    let s3 = calls_for(Some(Only::S3), &[]).await;
    assert!(!s3.contains(&"iam_inventory"), "{s3:?}");
    assert_eq!(s3.iter().filter(|c| **c == "read_bucket").count(), 29);
    let iam = calls_for(Some(Only::Iam), &[]).await;
    assert!(
        !iam.iter().any(|c| matches!(
            *c,
            "list_buckets" | "read_bucket" | "account_public_access_block"
        )),
        "{iam:?}"
    );
    assert_eq!(iam.iter().filter(|c| **c == "iam_inventory").count(), 1);
    let both = calls_for(None, &[]).await;
    assert_eq!(both.iter().filter(|c| **c == "iam_inventory").count(), 1);
    assert_eq!(both.iter().filter(|c| **c == "read_bucket").count(), 29);
    // --bucket narrows the scan to those buckets: IAM is not read.
    let one = calls_for(None, &["vigil-lab-sse-kms"]).await;
    assert!(!one.contains(&"iam_inventory"), "{one:?}");
    assert_eq!(one.iter().filter(|c| **c == "read_bucket").count(), 1);
    assert!(
        !both
            .iter()
            .any(|c| matches!(*c, "list_log_groups" | "apply"))
    );
}
