//! Bad setups end with one clear line, a hint and exit code 2 — never a
//! panic, a stack trace or a hang.

mod common;

use std::time::{Duration, Instant};

use common::vigil;

fn run(cmd: &mut std::process::Command) -> (i32, String, String, Duration) {
    let started = Instant::now();
    let out = cmd.output().expect("vigil runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        started.elapsed(),
    )
}

fn assert_clear_failure(stderr: &str) {
    assert!(stderr.starts_with("vigil: "), "{stderr}");
    assert!(stderr.contains("hint: "), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.lines().count() <= 3, "{stderr}");
}

#[test]
fn unreachable_endpoint_fails_within_seconds() {
    // Port 9 on loopback: nothing listens, the connection is refused.
    let (code, stdout, stderr, took) = run(vigil()
        .args(["--endpoint-url", "http://127.0.0.1:9", "inventory"])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing"));
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("cannot reach AWS"), "{stderr}");
    assert_clear_failure(&stderr);
    assert!(took < Duration::from_secs(20), "took {took:?}");
}

#[test]
fn unknown_profile_is_named() {
    let home = tempfile::tempdir().unwrap();
    let (code, _, stderr, _) = run(vigil()
        .args(["--profile", "no-such-profile", "inventory"])
        .env("HOME", home.path())
        .env_remove("AWS_CONFIG_FILE")
        .env_remove("AWS_SHARED_CREDENTIALS_FILE"));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("profile 'no-such-profile' is not defined"),
        "{stderr}"
    );
    assert_clear_failure(&stderr);
}

#[test]
fn missing_credentials_say_how_to_fix_them() {
    let home = tempfile::tempdir().unwrap();
    let (code, _, stderr, took) = run(vigil()
        .args(["--endpoint-url", "http://127.0.0.1:9", "inventory"])
        .env("HOME", home.path())
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_CONFIG_FILE")
        .env_remove("AWS_SHARED_CREDENTIALS_FILE")
        .env_remove("AWS_WEB_IDENTITY_TOKEN_FILE")
        .env_remove("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
        .env_remove("AWS_CONTAINER_CREDENTIALS_FULL_URI"));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("credentials"), "{stderr}");
    assert!(stderr.contains("vigil demo"), "{stderr}");
    assert_clear_failure(&stderr);
    assert!(took < Duration::from_secs(20), "took {took:?}");
}

#[test]
fn region_typo_is_caught_before_any_request() {
    let (code, _, stderr, _) = run(vigil().args(["--region", "eu-wset-1", "inventory"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown region 'eu-wset-1'"), "{stderr}");
    assert!(stderr.contains("eu-west-1"), "{stderr}");
}

#[test]
fn demo_inventory_needs_no_account_and_no_network() {
    let home = tempfile::tempdir().unwrap();
    let (code, stdout, stderr, _) = run(vigil()
        .args(["--demo", "inventory"])
        .env("HOME", home.path())
        .env_remove("AWS_ACCESS_KEY_ID")
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9"));
    assert_eq!(code, 0, "{stderr}");
    let inv: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(inv["account"]["account_id"], "123456789012");
    assert!(inv["buckets"].as_array().unwrap().len() >= 24);
}

#[test]
fn inventory_out_writes_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("evidence.json");
    let (code, stdout, stderr, _) = run(vigil().args(["--demo", "inventory", "--out"]).arg(&path));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.is_empty());
    let inv: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert!(inv["iam"]["value"]["users"].as_array().unwrap().len() >= 6);
}
