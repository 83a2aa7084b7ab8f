//! The remediation console's screens on ratatui's TestBackend, compared
//! with reviewed snapshots (times, entry ids, session names and the
//! countdown filtered): the preview (settings and a merged bucket policy),
//! the elevation offer, the MFA prompt, the confirmation, the journal pane
//! and an entry.

mod tui_fix_support;

use crossterm::event::KeyCode;
use vigil::tui::app::Page;
use vigil::tui::widgets::Modal;

use tui_fix_support::{console, totp_now};

const BUCKET: &str = "vigil-lab-bpa-partial";

#[tokio::test]
async fn preview_elevate_mfa_confirm_journal_and_entry() {
    let mut c = console(false, true, (120, 40)).await;
    c.findings(&format!("s3-bucket-bpa-off arn:aws:s3:::{BUCKET}"));
    c.key(KeyCode::Char('F')).await;
    assert_eq!(c.app.page().page, Page::Preview);
    snap!("fix_preview_bpa", c.screen());

    c.key(KeyCode::Char('F')).await;
    snap!("fix_elevate_offer", c.screen());

    c.keys(&[KeyCode::Tab, KeyCode::Enter]).await;
    c.type_text("12").await;
    let s = c.screen();
    assert!(s.contains("• • _ _ _ _"), "masked: {s}");
    snap!("fix_mfa_prompt", s);
    // Digits only: letters and signs do not go in.
    c.type_text("ab-").await;
    assert!(c.screen().contains("2/6 digits"));
    for _ in 0..2 {
        c.key(KeyCode::Backspace).await;
    }
    c.type_text(&totp_now()).await;
    c.key(KeyCode::Enter).await;
    assert!(matches!(c.app.modal, Some(Modal::Confirm(_))));
    c.type_text("vigil-lab-bpa").await;
    let buf = vigil::tui::headless::render(&mut c.app);
    let s = vigil::tui::headless::text(&buf);
    snap!("fix_confirm_apply", s);
    // The confirmation of a write is drawn as such (the fail style's border).
    let (x, y) = find(&s, "┌ Apply bucket-bpa-on to vigil-lab-bpa-partial?");
    assert_eq!(
        Some(buf[(x, y)].fg),
        c.app.theme.fail.fg,
        "the border of a write is in the fail style"
    );
    assert_ne!(c.app.theme.fail.fg, c.app.theme.border.fg);

    c.type_text("-partial").await;
    c.keys(&[KeyCode::Tab, KeyCode::Enter]).await;
    assert!(c.app.modal.is_none(), "{}", c.screen());
    c.command("journal").await;
    snap!("fix_journal_pane", c.screen());
    c.key(KeyCode::Enter).await;
    snap!("fix_journal_entry", c.page_text());
}

#[tokio::test]
async fn preview_of_a_merged_bucket_policy() {
    let mut c = console(false, true, (120, 60)).await;
    c.findings("s3-insecure-transport arn:aws:s3:::vigil-lab-public-policy");
    c.key(KeyCode::Char('F')).await;
    assert_eq!(c.app.page().page, Page::Preview);
    let text = c.page_text();
    // The statement is added; the public one stays as written.
    assert!(
        text.contains("+       \"Sid\": \"AllowSSLRequestsOnly\""),
        "{text}"
    );
    assert!(text.contains("        \"Sid\": \"PublicRead\","), "{text}");
    assert!(
        text.contains("\"aws:SecureTransport\": \"false\""),
        "{text}"
    );
    snap!("fix_preview_transport", text);
}

#[tokio::test]
async fn nothing_to_do_says_so_and_offers_no_apply() {
    let mut c = console(false, true, (120, 36)).await;
    // Encryption is already there on this bucket: planning SSE-S3 finds nothing.
    let mut f = c.bucket_finding(BUCKET, "s3-bucket-bpa-off");
    f.remediation = Some("bucket-encryption-sse-s3".into());
    c.app.start_fix(f);
    assert_eq!(c.app.page().page, Page::Preview);
    let text = c.page_text();
    assert!(text.contains("Nothing to do"), "{text}");
    assert!(text.contains("already has default encryption"), "{text}");
    c.key(KeyCode::Char('F')).await;
    assert!(c.app.modal.is_none());
    assert!(c.toast().starts_with("nothing to do"), "{}", c.toast());
}

fn find(screen: &str, what: &str) -> (u16, u16) {
    for (y, line) in screen.lines().enumerate() {
        if let Some(i) = line.find(what) {
            let x = line[..i].chars().count();
            return (x as u16, y as u16);
        }
    }
    panic!("{what:?} is not on the screen:\n{screen}");
}
