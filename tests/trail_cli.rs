//! `vigil trail parse`, `vigil trail detections` and `vigil --demo tail`
//! through the binary: what a script sees on stdout, stderr and the exit
//! code. No test server needed.

mod common;

use std::io::Write;
use std::process::{Output, Stdio};

use common::vigil;
use serde_json::Value;

fn record(id: &str, name: &str, ua: &str) -> Value {
    serde_json::json!({
        "eventVersion": "1.08",
        "userIdentity": {"type": "IAMUser", "userName": "bob", "accountId": "111122223333",
                         "arn": "arn:aws:iam::111122223333:user/bob"},
        "eventTime": "2025-04-16T12:01:00Z",
        "eventSource": "s3.amazonaws.com", "eventName": name,
        "userAgent": ua,
        "requestParameters": {"bucketName": "example-bucket"},
        "eventID": id, "recipientAccountId": "111122223333"
    })
}

fn parse_file(contents: &str, args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("records.json");
    std::fs::write(&path, contents).unwrap();
    vigil()
        .args(["trail", "parse"])
        .arg(&path)
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn one_record_prints_one_line_with_its_detections_and_exits_0() {
    let case: Value = serde_json::from_str(include_str!(
        "cases/064-ct-putbucketpolicy-object-with-userid.json"
    ))
    .unwrap();
    let out = parse_file(&case["input"]["record"].to_string(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("s3:PutBucketPolicy") && stdout.contains("example-bucket"),
        "{stdout}"
    );
    assert!(stdout.contains("bucket-policy-change"), "{stdout}");
    assert!(
        !stdout.contains("bucket-made-public"),
        "case 064 is not public: {stdout}"
    );
}

#[test]
fn a_records_file_prints_a_json_array_of_normalised_events() {
    let envelope = serde_json::json!({"Records": [
        record("a", "DeleteBucketPolicy", "aws-cli/2"),
        record("b", "GetBucketAcl", "aws-cli/2")
    ]});
    let out = parse_file(&envelope.to_string(), &["--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let events: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["event_id"], "a");
    assert_eq!(events[0]["detections"][0], "bucket-policy-change");
    assert_eq!(events[1]["detections"].as_array().unwrap().len(), 0);
    assert_eq!(events[0]["principal"]["type"], "IAMUser");
    assert_eq!(events[0]["bucket"], "example-bucket");
}

#[test]
fn json_lines_with_a_bad_line_print_the_rest_name_the_line_and_exit_1() {
    let lines = format!(
        "{}\nnot a record\n{}\n",
        record("a", "GetObject", "x"),
        record("b", "GetObject", "y")
    );
    let out = parse_file(&lines, &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let events: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(events.len(), 2);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("line/record 2: not a CloudTrail record: not JSON"),
        "{stderr}"
    );
}

#[test]
fn hostile_text_reaches_the_terminal_escaped() {
    let out = parse_file(
        &record(
            "a",
            "GetObject",
            "Boto3 \u{1b}]52;c;ZWNobyBwd25lZA==\u{7} \u{202e}",
        )
        .to_string(),
        &[],
    );
    let stdout = text(&out.stdout);
    assert!(
        !stdout.contains('\u{1b}') && !stdout.contains('\u{7}') && !stdout.contains('\u{202e}')
    );
    let json = parse_file(
        &record("a", "GetObject", "Boto3 \u{1b}]52;c;x\u{7}").to_string(),
        &["--format", "json"],
    );
    let events: Vec<Value> = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(events[0]["user_agent"], "Boto3 \\x1b]52;c;x\\x07");
}

#[test]
fn stdin_is_read_with_a_dash() {
    let mut child = vigil()
        .args(["trail", "parse", "-", "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(record("a", "GetObject", "x").to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        serde_json::from_slice::<Vec<Value>>(&out.stdout)
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn an_empty_file_exits_1_and_a_missing_one_exits_2() {
    let out = parse_file("\n\n", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("holds no CloudTrail record"));
    let out = vigil()
        .args(["trail", "parse", "/nonexistent/records.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read /nonexistent/records.json"));
}

#[test]
fn the_detection_catalogue_lists_every_id_with_severity_and_why() {
    let out = vigil()
        .args(["trail", "detections", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let list: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list.len(), 15);
    for d in &list {
        assert!(
            d["id"].is_string() && d["severity"].is_string() && d["why"].is_string(),
            "{d}"
        );
    }
}

#[test]
fn the_demo_tail_shows_the_lab_events_as_json_lines() {
    let out = vigil()
        .env("VIGIL_CONFIG_DIR", tempfile::tempdir().unwrap().path())
        .args(["--demo", "tail", "--format", "json"])
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let events: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let lab = vigil::lab::Lab::embedded().unwrap();
    assert_eq!(events.len(), lab.log_groups[0].events.len() - 1);
    assert!(stderr.contains("1 unparsed"), "{stderr}");
    let vigils: Vec<&Value> = events.iter().filter(|e| e["by_vigil"] == true).collect();
    assert_eq!(vigils.len(), 2);
    assert!(
        vigils
            .iter()
            .all(|e| e["detections"].as_array().unwrap().is_empty())
    );
}

#[test]
fn the_demo_tail_of_a_missing_group_exits_2() {
    let out = vigil()
        .env("VIGIL_CONFIG_DIR", tempfile::tempdir().unwrap().path())
        .args(["--demo", "tail", "--log-group", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("nope: gave up"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn the_config_names_the_groups_when_the_command_line_does_not() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        "[tail]\nlog_groups = [\"from-the-config\"]\nsince = \"2h\"\n",
    )
    .unwrap();
    let out = vigil()
        .env("VIGIL_CONFIG_DIR", dir.path())
        .args(["--demo", "tail"])
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("tailing from-the-config from 2h ago"),
        "{stderr}"
    );
}
