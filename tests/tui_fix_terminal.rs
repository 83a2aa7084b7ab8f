//! Remediation end to end in a real terminal on the demo (tmux, as
//! `tui_terminal.rs`): a finding → fix → the preview → elevate (a wrong
//! code first, then a TOTP from the README's demo secret) → confirm by
//! typing the bucket's name → the finding is gone on screen → `:journal` →
//! undo → the finding is back. While elevated the countdown draws at most
//! once a second. Afterwards nothing vigil wrote — the journal in its data
//! directory, the `VIGIL_LOG` file — holds either code.
//!
//! Needs tmux (`.ci/run` installs it).

mod tui_support;

use std::time::{Duration, Instant};

use tui_support::Tmux;

const ROLE: &str = "arn:aws:iam::123456789012:role/vigil-lab-remediation";
const BUCKET: &str = "vigil-lab-bpa-partial";
/// The README's demo MFA secret.
const DEMO_SECRET: &str = "VIGILDEMOVIGILDEMOVIGILDEMOVIGIL";

fn totp(steps: i64) -> String {
    let secret = totp_rs::Secret::try_from_base32(DEMO_SECRET)
        .map(|s| s.as_ref().to_vec())
        .unwrap();
    let totp = totp_rs::Builder::new()
        .with_secret(totp_rs::Secret::from(secret))
        .build_noncompliant();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    totp.generate((now + steps * 30) as u64).to_string()
}

/// A code the device refuses whichever nearby step it checks.
fn wrong_code() -> String {
    let near: Vec<String> = (-2..=2).map(totp).collect();
    ["314159", "271828", "161803", "141421"]
        .into_iter()
        .map(str::to_string)
        .find(|c| !near.contains(c))
        .unwrap()
}

/// `code` as a token of its own in `text` (not inside an account id or a
/// time stamp).
fn holds_code(text: &str, code: &str) -> bool {
    text.match_indices(code).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + code.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric())
            && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

fn frames(bytes: &[u8]) -> usize {
    bytes.windows(8).filter(|w| *w == b"\x1b[?2026h").count()
}

#[test]
fn finding_fix_elevate_confirm_gone_journal_undo_back_in_a_real_terminal() {
    let logs = tempfile::tempdir().unwrap();
    let log = logs.path().join("vigil.log");
    let program = format!(
        "env VIGIL_LOG={} RUST_LOG=vigil=debug {}",
        log.display(),
        env!("CARGO_BIN_EXE_vigil")
    );
    let t = Tmux::start_program(
        &program,
        &format!("demo --demo-replay 0 --remediation-role {ROLE}"),
        120,
        36,
    );
    t.wait_for("buckets 29 ·");
    t.keys(&["2", "/"]);
    t.type_text(&format!("s3-bucket-bpa-off arn:aws:s3:::{BUCKET}"));
    t.keys(&["Enter"]);
    let s = t.wait_for("findings [1/");
    assert!(s.contains("s3-bucket-bpa-off") && s.contains(BUCKET), "{s}");

    // The fix key: the preview.
    t.keys(&["F"]);
    let s = t.wait_for("── Changes (before → after)");
    assert!(s.contains("findings › fix bucket-bpa-on"), "{s}");
    assert!(
        s.contains("+   \"RestrictPublicBuckets\": true"),
        "the diff: {s}"
    );
    assert!(
        s.contains("s3:PutPublicAccessBlock") && s.contains("── Warnings"),
        "{s}"
    );

    // Going ahead: not elevated, so the offer; then the MFA prompt.
    t.keys(&["F"]);
    let s = t.wait_for("Elevate now?");
    assert!(s.contains("Elevate into vigil-lab-remediation?"), "{s}");
    t.keys(&["Tab", "Enter"]);
    let s = t.wait_for("0/6 digits");
    assert!(
        s.contains("device arn:aws:iam::123456789012:mfa/demo-operator"),
        "{s}"
    );

    // A wrong code: refused, said so, asked again.
    let wrong = wrong_code();
    t.type_text(&wrong);
    t.wait_for("6/6 digits");
    assert!(!t.screen().contains(&wrong), "the code is never drawn");
    t.keys(&["Enter"]);
    let s = t.wait_for("the MFA code was refused");
    assert!(s.contains("0/6 digits"), "a new prompt: {s}");

    // The right one: elevated, and the confirmation asks for the name.
    let code = totp(0);
    t.type_text(&code);
    t.wait_for("6/6 digits");
    t.keys(&["Enter"]);
    let s = t.wait_for(&format!("Type {BUCKET} to confirm"));
    assert!(s.contains("ELEVATED vigil-lab-remediation"), "{s}");
    assert!(
        s.contains("Apply bucket-bpa-on to vigil-lab-bpa-partial?"),
        "{s}"
    );

    // While elevated the countdown ticks, at most once a second.
    let before = t.output().len();
    std::thread::sleep(Duration::from_secs(3));
    let ticking = t.output()[before..].to_vec();
    let n = frames(&ticking);
    assert!(
        (1..=4).contains(&n),
        "{n} frames in 3 elevated seconds ({} bytes)",
        ticking.len()
    );

    t.type_text(BUCKET);
    t.keys(&["Tab", "Enter"]);
    let s = t.wait_for("s3-bucket-bpa-off now passes");
    assert!(s.contains("findings [0/"), "the finding is gone: {s}");
    assert!(s.contains("applied, verified"), "{s}");

    // The journal: the entry, then its page, then undo.
    t.keys(&[":"]);
    t.type_text("journal");
    t.keys(&["Enter"]);
    let s = t.wait_for("journal [1]");
    assert!(
        s.contains("bucket-bpa-on") && s.contains("applied") && s.contains("demo-operator"),
        "{s}"
    );
    t.keys(&["Enter"]);
    let s = t.wait_for("── Steps (before → after)");
    assert!(
        s.contains("APPLIED") && s.contains("read back: as expected"),
        "{s}"
    );
    t.keys(&["u"]);
    t.wait_for("puts back the Block Public Access of bucket");
    // Undo too wants the name typed.
    t.type_text(BUCKET);
    t.keys(&["Tab", "Enter"]);
    let s = t.wait_for("s3-bucket-bpa-off fails");
    assert!(s.contains("UNDONE"), "{s}");

    // The finding is back.
    t.keys(&["2"]);
    let s = t.wait_for("findings [1/");
    assert!(s.contains("s3-bucket-bpa-off") && s.contains(BUCKET), "{s}");

    t.keys(&["q"]);
    t.assert_restored();

    // Nothing vigil wrote holds a code: the journal and the log.
    let journal = std::fs::read_to_string(t.path("data/journal/123456789012.jsonl")).unwrap();
    assert!(journal.contains("\"action\":\"undo\""), "{journal}");
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut logged = String::new();
    while Instant::now() < deadline {
        logged = std::fs::read_to_string(&log).unwrap_or_default();
        if logged.contains("journaling outcome") {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(logged.contains("elevated"), "the log is written: {logged}");
    for c in [&code, &wrong] {
        assert!(!holds_code(&journal, c), "the journal holds {c}");
        assert!(!holds_code(&logged, c), "the log holds {c}");
        assert!(
            !holds_code(&String::from_utf8_lossy(&t.output()), c),
            "the terminal received {c}"
        );
    }
    assert!(!logged.contains(DEMO_SECRET) && !journal.contains(DEMO_SECRET));
}
