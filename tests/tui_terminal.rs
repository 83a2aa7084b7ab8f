//! The real binary in a real terminal: tmux runs `vigil demo`, the test
//! types keys and reads the screen as a person would (`capture-pane`), and
//! reads the raw bytes vigil wrote (`pipe-pane`) for what must never be
//! there: escape sequences from AWS strings, mouse tracking, or anything at
//! all while idle. After quit the terminal must be as it was.
//!
//! Needs tmux (`.ci/run` installs it).

mod tui_support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use tui_support::{Tmux, contains};

#[test]
fn a_person_switches_panes_filters_drills_down_goes_back_reads_help_and_quits() {
    let t = Tmux::start("demo", 100, 30);
    let s = t.wait_for("buckets 29 ·");
    assert!(
        s.contains("123456789012") && s.contains("arn:aws:iam::123456789012:user/demo-operator"),
        "{s}"
    );
    assert!(s.contains("vigil-lab-public-policy"), "{s}");
    assert!(
        s.contains("q quit") && s.contains("? help"),
        "the key bar: {s}"
    );

    t.keys(&["2"]);
    let s = t.wait_for("findings [");
    assert!(s.contains("s3-public-read") && s.contains("CRIT"), "{s}");
    t.keys(&["4"]);
    let s = t.wait_for("tail [");
    assert!(
        s.contains("DeleteBucketPolicy") && s.contains("203.0.113.50"),
        "{s}"
    );
    t.keys(&[":"]);
    t.type_text("pri");
    t.keys(&["Tab"]);
    t.wait_for(":principals");
    t.keys(&["Enter"]);
    let s = t.wait_for("principals [");
    assert!(s.contains("bob-developer") && s.contains("ADMIN"), "{s}");
    t.keys(&[":"]);
    t.type_text("b");
    t.keys(&["Enter"]);
    t.wait_for("buckets [29]");

    t.keys(&["/"]);
    t.type_text("public");
    t.keys(&["Enter"]);
    let s = t.wait_for("[3/29]");
    assert!(
        s.contains("/public") && !s.contains("vigil-lab-sse-kms"),
        "{s}"
    );

    t.keys(&["Enter"]);
    let s = t.wait_for("── Configuration");
    assert!(
        s.contains("buckets › vigil-lab-eu-public"),
        "breadcrumbs: {s}"
    );
    assert!(s.contains("read (via policy)"), "{s}");
    t.keys(&["Escape"]);
    t.wait_for("[3/29]");

    t.keys(&["?"]);
    let s = t.wait_for("help — esc or ? to close");
    assert!(s.contains("Everywhere") && s.contains("quit"), "{s}");
    t.keys(&["Escape"]);
    let s = t.wait_for("[3/29]");
    assert!(!s.contains("Everywhere"), "{s}");

    t.keys(&["q"]);
    t.assert_restored();
    let out = t.output();
    assert!(
        !contains(&out, b"\x1b[?1000h") && !contains(&out, b"\x1b[?1003h"),
        "mouse tracking stays off"
    );
    assert!(
        contains(&out, b"\x1b[?2026h"),
        "frames are drawn inside synchronized output"
    );
}

#[test]
fn ctrl_c_quits_and_restores_the_terminal() {
    let t = Tmux::start("demo", 80, 24);
    t.wait_for("buckets 29");
    t.keys(&["C-c"]);
    t.assert_restored();
}

#[test]
fn works_at_80x24_resizes_and_says_when_too_small() {
    let t = Tmux::start("demo --readonly", 80, 24);
    let s = t.wait_for("buckets 29");
    assert!(s.contains("READ-ONLY"), "{s}");
    assert!(
        s.lines().any(|l| l.starts_with('└')),
        "the whole frame fits: {s}"
    );
    t.tmux(&["resize-window", "-t", "t", "-x", "50", "-y", "12"]);
    let s = t.wait_for("terminal too small");
    assert!(s.contains("50x12"), "{s}");
    t.tmux(&["resize-window", "-t", "t", "-x", "120", "-y", "40"]);
    let s = t.wait_for("vigil-lab-sse-kms");
    assert!(!s.contains("too small"), "{s}");
    assert!(
        s.lines().nth(2).is_some_and(|l| l.chars().count() == 120),
        "redrawn at the new width: {s}"
    );
    t.keys(&["q"]);
    t.assert_restored();
}

#[test]
fn an_idle_console_writes_nothing_to_the_terminal() {
    // The demo's replay sends a lab event every few seconds to keep the
    // tail alive; idle means nothing arrives.
    let t = Tmux::start("demo --demo-replay 0", 100, 30);
    t.wait_for("buckets 29 ·");
    // Let startup toasts expire (they redraw once when they go).
    std::thread::sleep(Duration::from_secs(6));
    let before = t.output().len();
    std::thread::sleep(Duration::from_secs(2));
    let after = t.output().len();
    assert_eq!(after - before, 0, "bytes written over 2 idle seconds");
    // A key still redraws: it is idleness, not a stuck loop.
    t.keys(&["2"]);
    t.wait_for("findings [");
    assert!(t.output().len() > after);
    t.keys(&["q"]);
    t.assert_restored();
}

/// A lab whose every string is hostile: escape sequences, bidi overrides,
/// a 10 KB name, in bucket names, tags, policies and trail records.
fn hostile_lab(dir: &Path) -> PathBuf {
    let long = "x".repeat(10_000);
    let lab = format!(
        r#"
account_id = "123456789012"
owner_canonical_id = "owner\u001b]52;c;ZWNobyBwd25lZA==\u0007"

[[bucket]]
name = "evil-osc52\u001b]52;c;ZWNobyBwd25lZA==\u0007"
region = "us-east-1"
purpose = "clipboard write in a name"
tags = {{ "clear" = "\u001b[2JZAP", "bidi" = "abc\u202Efdp.exe", "long" = "{long}" }}

[[bucket]]
name = "long-{long}"
region = "us-east-1"
purpose = "a 10 KB name"
policy = '''{{"Version":"2012-10-17","Statement":[{{"Sid":"\u001b[2JZAP","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::${{bucket}}/*"}}]}}'''

[[log_group]]
name = "trail\u001b[2JZAP"
stream = "s"
events = [
  '''{{"eventVersion":"1.08","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::${{account}}:user/\u202Eevil"}},"eventTime":"${{time}}","eventSource":"s3.amazonaws.com","eventName":"GetObject\u001b[2JZAP","sourceIPAddress":"198.51.100.1\u001b]52;c;AAAA\u0007","requestParameters":{{"bucketName":"{long}"}}}}''',
]
"#
    );
    let path = dir.join("hostile.toml");
    std::fs::write(&path, lab).unwrap();
    path
}

#[test]
fn hostile_strings_reach_the_screen_only_as_printable_text() {
    let setup = tempfile::tempdir().unwrap();
    let lab = hostile_lab(setup.path());
    let t = Tmux::start(&format!("demo --demo-lab {}", lab.display()), 100, 30);
    let s = t.wait_for("buckets 2");
    assert!(
        s.contains("evil-osc52\\x1b]52;c;"),
        "the name shows, escaped: {s}"
    );
    assert!(
        s.lines().nth(2).is_some_and(|l| l.ends_with('┐')),
        "a 10 KB name is clipped, the frame intact: {s}"
    );
    // Every bucket detail, the tail and its record.
    t.keys(&["Enter"]);
    let s = t.wait_for("── Configuration");
    assert!(
        s.contains("\\x1b[2JZAP") && s.contains("abc\\u{202e}fdp.exe"),
        "{s}"
    );
    t.keys(&["Escape", "j", "Enter"]);
    t.wait_for("── Bucket policy");
    t.keys(&["End"]);
    t.keys(&["Escape", "4"]);
    let s = t.wait_for("tail [");
    assert!(s.contains("GetObject\\x1b[2JZAP"), "{s}");
    t.keys(&["Enter"]);
    t.wait_for("── Record");
    t.keys(&["End"]);
    std::thread::sleep(Duration::from_millis(300));
    t.keys(&["q"]);
    t.assert_restored();
    let out = t.output();
    for bad in [
        &b"\x1b]52;"[..],
        b"\x1b[2JZAP",
        "\u{202e}".as_bytes(),
        b"\x07",
    ] {
        assert!(!contains(&out, bad), "the terminal received {bad:?}");
    }
}
