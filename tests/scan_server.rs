//! `vigil scan --format json --only s3` through the real binary against the
//! lab seeded into the test server: every lab bucket fails and passes exactly
//! what `lab/lab.toml` declares. What the server cannot express is said here,
//! per bucket and rule, and nowhere loosened for the others.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// The rule the lab does not declare (lab.toml): S3's own verdict beside vigil's.
const MISMATCH: &str = "s3-policy-status-mismatch";

/// (bucket, rule, status the lab declares, status on the test server, why).
const SERVER_CANNOT_EXPRESS: &[(&str, &str, &str, &str, &str)] = &[(
    "vigil-lab-mfa-delete",
    "s3-mfa-delete-off",
    "pass",
    "fail",
    "the test server never stores or reports MFA Delete (TEST-SERVER.md; lab notes)",
)];

/// The lab, seeded once for this file's tests (they run at once, and two
/// seeds racing would both create the same user's access keys).
async fn seeded_once() -> &'static vigil::lab::Lab {
    static LAB: tokio::sync::OnceCell<vigil::lab::Lab> = tokio::sync::OnceCell::const_new();
    LAB.get_or_init(|| async { common::seeded().await.1 }).await
}

fn scan_server(args: &[&str]) -> (Option<i32>, Value) {
    let out = common::vigil()
        .args(["--endpoint-url", &common::endpoint(), "--max-attempts", "1"])
        .args(["scan", "--format", "json"])
        .args(args)
        .output()
        .expect("vigil runs");
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), v)
}

type Statuses = BTreeMap<String, BTreeMap<String, String>>;

/// bucket name → rule → status.
fn statuses(report: &Value) -> Statuses {
    let mut out = Statuses::new();
    for f in report["findings"].as_array().unwrap() {
        let Some(name) = f["resource"]
            .as_str()
            .unwrap()
            .strip_prefix("arn:aws:s3:::")
        else {
            continue;
        };
        out.entry(name.to_string()).or_default().insert(
            f["rule"].as_str().unwrap().to_string(),
            f["status"].as_str().unwrap().to_string(),
        );
    }
    out
}

#[tokio::test]
async fn scan_of_the_seeded_lab_finds_exactly_what_the_lab_declares() {
    let lab = seeded_once().await;
    let (code, report) = scan_server(&["--only", "s3"]);
    assert_eq!(code, Some(1), "the lab fails checks");
    let got = statuses(&report);
    for b in &lab.buckets {
        let mut rules = got
            .get(&b.name)
            .cloned()
            .unwrap_or_else(|| panic!("{} was not scanned", b.name));
        rules.remove(MISMATCH);
        for (bucket, rule, declared, on_server, why) in SERVER_CANNOT_EXPRESS {
            if *bucket == b.name {
                assert_eq!(
                    rules.get(*rule).map(String::as_str),
                    Some(*on_server),
                    "{bucket} {rule}: {why}"
                );
                rules.insert(rule.to_string(), declared.to_string());
            }
        }
        let with = |s: &str| -> BTreeSet<String> {
            rules
                .iter()
                .filter(|(_, st)| st.as_str() == s)
                .map(|(r, _)| r.clone())
                .collect()
        };
        let set = |l: &[String]| -> BTreeSet<String> { l.iter().cloned().collect() };
        assert_eq!(
            with("fail"),
            set(&b.expect_fail),
            "{}: failing rules",
            b.name
        );
        assert_eq!(
            with("pass"),
            set(&b.expect_pass),
            "{}: passing rules",
            b.name
        );
        let unknown = with("unknown");
        if b.name == "vigil-lab-malformed-policy" {
            assert_eq!(unknown.len(), 5, "{unknown:?}");
        } else {
            assert!(unknown.is_empty(), "{}: undecided {unknown:?}", b.name);
        }
    }
    let account = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "s3-account-bpa-off")
        .unwrap();
    assert_eq!(account["status"], "fail");
}

#[tokio::test]
async fn scan_says_where_the_servers_own_policy_status_disagrees() {
    // The test server's IsPublic is a rough approximation (TEST-SERVER.md):
    // it calls a wildcard aws:SourceVpc grant not public. vigil says so on
    // the bucket, and agrees where the server is right.
    seeded_once().await;
    let (_, report) = scan_server(&[
        "--only",
        "s3",
        "--bucket",
        "vigil-lab-vpc-wildcard",
        "vigil-lab-public-policy",
        "vigil-lab-vpc-only",
    ]);
    let findings = report["findings"].as_array().unwrap();
    let mismatch = |bucket: &str| {
        findings
            .iter()
            .find(|f| {
                f["rule"] == MISMATCH && f["resource"] == format!("arn:aws:s3:::{bucket}").as_str()
            })
            .unwrap_or_else(|| panic!("no {MISMATCH} on {bucket}"))
    };
    let w = mismatch("vigil-lab-vpc-wildcard");
    assert_eq!(w["status"], "fail");
    assert_eq!(w["severity"], "info");
    assert!(
        w["reason"]
            .as_str()
            .unwrap()
            .starts_with("S3 says not public, vigil says public: "),
        "{w}"
    );
    assert_eq!(mismatch("vigil-lab-public-policy")["status"], "pass");
    assert_eq!(mismatch("vigil-lab-vpc-only")["status"], "pass");
}

#[tokio::test]
async fn csv_of_the_server_has_the_header_and_the_lab_buckets() {
    seeded_once().await;
    let endpoint = common::endpoint();
    let out = common::vigil()
        .args(["--endpoint-url", &endpoint, "--max-attempts", "1"])
        .args([
            "scan",
            "--format",
            "csv",
            "--only",
            "s3",
            "--fail-on",
            "critical",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "public lab buckets are critical"
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with(
            "rule,resource,region,severity,status,reason,evidence,remediation,frameworks\n"
        ),
        "{text}"
    );
    assert!(text.contains("arn:aws:s3:::vigil-lab-eu-public,eu-west-1,critical,fail"));
}
