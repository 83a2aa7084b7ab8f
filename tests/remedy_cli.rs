//! The headless flow end to end, the binary against a private test server
//! behind a recording proxy: `vigil fix` elevates (role from the flag, MFA
//! device from config.toml, code from --mfa-code), applies and prints the
//! entry id; `vigil undo` puts it back; `vigil journal` lists and exports.
//! Afterwards no secret access key, session token or MFA code is anywhere
//! vigil wrote: the journal, the log (at trace level), the report, its
//! output. `--readonly` sends no request that writes.

mod common;
mod recording_proxy;

use std::path::Path;

use recording_proxy::{Proxy, xml_field};
use vigil::cloud::Cloud;
use vigil::lab::Lab;

const ROLE: &str = "arn:aws:iam::123456789012:role/vigil-lab-remediation";
const CODE: &str = "318405";

fn all_text_under(dir: &Path) -> String {
    let mut out = String::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            out.push_str(&all_text_under(&p));
        } else {
            out.push_str(&String::from_utf8_lossy(&std::fs::read(&p).unwrap()));
        }
    }
    out
}

fn vigil(proxy: &Proxy, config: &Path, data: &Path, log: &Path) -> std::process::Command {
    let mut c = common::vigil();
    c.env("AWS_ENDPOINT_URL", &proxy.endpoint)
        .env("VIGIL_CONFIG_DIR", config)
        .env("VIGIL_DATA_DIR", data)
        .env("VIGIL_LOG", log)
        .env("RUST_LOG", "trace")
        .args(["--region", "us-east-1", "--max-attempts", "1"]);
    c
}

#[tokio::test]
async fn fix_undo_and_journal_leave_no_secret_anywhere() {
    let server = common::PrivateServer::start();
    let cloud = common::aws_at(&server.endpoint).await;
    vigil::cloud::aws::seed::seed(&cloud, &Lab::embedded().unwrap(), 0)
        .await
        .expect("seeds");
    let proxy = Proxy::start(&server.endpoint);
    let config = tempfile::tempdir().unwrap();
    std::fs::write(
        config.path().join("config.toml"),
        "[remediation]\nmfa_serial = \"arn:aws:iam::123456789012:mfa/alice-admin\"\nduration_seconds = 900\n",
    )
    .unwrap();
    let data = tempfile::tempdir().unwrap();
    let logs = tempfile::tempdir().unwrap();
    let log = logs.path().join("vigil.log");

    let out = vigil(&proxy, config.path(), data.path(), &log)
        .args([
            "--remediation-role",
            ROLE,
            "fix",
            "bucket-versioning-on",
            "--bucket",
            "vigil-lab-versioning-suspended",
            "--yes",
            "--mfa-code",
            CODE,
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "fix failed:\n{stdout}\n{stderr}");
    let result: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    let id = result["entry_id"].as_str().unwrap().to_string();
    assert_eq!(result["outcome"]["result"], "applied", "{stdout}");

    let assume = proxy
        .exchanges()
        .into_iter()
        .find(|e| e.body.contains("Action=AssumeRole"))
        .expect("the fix elevated");
    assert!(assume.body.contains(&format!("TokenCode={CODE}")));
    assert!(
        assume
            .body
            .contains("SerialNumber=arn%3Aaws%3Aiam%3A%3A123456789012%3Amfa%2Falice-admin"),
        "{}",
        assume.body
    );
    let secret = xml_field(&assume.response, "SecretAccessKey").unwrap();
    let token = xml_field(&assume.response, "SessionToken").unwrap();
    assert!(secret.len() > 10 && token.len() > 10);

    let out = vigil(&proxy, config.path(), data.path(), &log)
        .args([
            "--remediation-role",
            ROLE,
            "undo",
            &id,
            "--yes",
            "--mfa-code",
            "774411",
        ])
        .output()
        .unwrap();
    let undo_out = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "undo failed:\n{undo_out}");
    let b = cloud
        .read_bucket(&vigil::cloud::BucketListing {
            name: "vigil-lab-versioning-suspended".into(),
            creation_date: None,
            region: None,
        })
        .await;
    assert_eq!(
        b.versioning.present().map(|v| v.status),
        Some(vigil::model::s3::VersioningStatus::Suspended)
    );

    let report = data.path().join("report.md");
    let out = vigil(&proxy, config.path(), data.path(), &log)
        .args(["journal", "export", "--format", "md", "--out"])
        .arg(&report)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = std::fs::read_to_string(&report).unwrap();
    assert!(
        md.contains(&id) && md.contains(ROLE) && md.contains("s3-versioning-off"),
        "{md}"
    );
    let out = vigil(&proxy, config.path(), data.path(), &log)
        .args(["journal", "--format", "json"])
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        listed.contains("\"undone_by\"") && listed.contains(&id),
        "{listed}"
    );

    let everything = format!(
        "{}\n{}\n{stdout}\n{stderr}\n{undo_out}\n{listed}",
        all_text_under(data.path()),
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    assert!(
        std::fs::read_to_string(&log).unwrap_or_default().len() > 100,
        "the log is empty: nothing was checked"
    );
    for (what, value) in [
        ("secret access key", secret.as_str()),
        ("session token", token.as_str()),
        ("MFA code", CODE),
        ("second MFA code", "774411"),
    ] {
        assert!(
            !everything.contains(value),
            "the {what} was written somewhere vigil writes"
        );
    }
}

#[tokio::test]
async fn readonly_fix_sends_nothing_and_dry_run_only_reads() {
    common::seeded().await;
    let endpoint = common::endpoint();
    let proxy = Proxy::start(&endpoint);
    let config = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let log = data.path().join("vigil.log");
    let out = vigil(&proxy, config.path(), data.path(), &log)
        .args([
            "--readonly",
            "--remediation-role",
            ROLE,
            "fix",
            "bucket-bpa-on",
            "--bucket",
            "vigil-lab-public-policy",
            "--yes",
            "--mfa-code",
            CODE,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--readonly"));
    assert!(
        proxy.exchanges().is_empty(),
        "a --readonly fix sent requests"
    );
    let out = vigil(&proxy, config.path(), data.path(), &log)
        .args([
            "--readonly",
            "fix",
            "bucket-bpa-on",
            "--bucket",
            "vigil-lab-public-policy",
            "--dry-run",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for e in proxy.exchanges() {
        let read = e.method == "GET"
            || e.method == "HEAD"
            || e.body.contains("Action=Get")
            || e.body.contains("Action=List")
            || e.body.contains("Action=GenerateCredentialReport");
        assert!(
            read,
            "a request that is not a read: {} {} {}",
            e.method, e.target, e.body
        );
    }
    assert!(!data.path().join("journal").exists(), "a dry run journaled");
}
