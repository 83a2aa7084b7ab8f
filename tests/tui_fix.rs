//! The remediation console's flow on the demo account, as the event loop
//! runs it (keys in, effects spawned, reports applied): finding → fix →
//! preview → elevate (a wrong code re-prompts) → confirm → apply → the
//! finding re-evaluated → the journal → undo; expiry and renewal; what
//! `--readonly` removes; a plan the account changed under; an entry a
//! previous run left unfinished.

mod tui_fix_support;

use crossterm::event::KeyCode;
use vigil::model::change::Change;
use vigil::model::finding::Status;
use vigil::model::s3::PublicAccessBlock;
use vigil::remedy::journal::{Action, Actor, Intent as JournalIntent, Record};
use vigil::remedy::{Journal, Step};
use vigil::session::{Clock, Status as SessionStatus};
use vigil::tui::app::{Page, Pane};
use vigil::tui::fix::After;
use vigil::tui::message::Effect;
use vigil::tui::widgets::{Intent, Modal};

use tui_fix_support::{Console, console, console_in, holds_code, totp_now, wrong_code};

const BUCKET: &str = "vigil-lab-bpa-partial";
const RULE: &str = "s3-bucket-bpa-off";

fn modal_title(c: &Console) -> String {
    match &c.app.modal {
        Some(Modal::Confirm(d)) => d.title.clone(),
        Some(Modal::Mfa(p)) => p.title.clone(),
        Some(Modal::Message { title, .. }) => title.clone(),
        None => String::new(),
    }
}

/// Select the bpa finding and press F, F: the elevation offer is open.
async fn to_elevation_offer(c: &mut Console) {
    c.findings(&format!("{RULE} arn:aws:s3:::{BUCKET}"));
    c.key(KeyCode::Char('F')).await;
    assert_eq!(c.app.page().page, Page::Preview);
    c.key(KeyCode::Char('F')).await;
    assert!(
        matches!(&c.app.modal, Some(Modal::Confirm(d)) if matches!(d.intent(), Intent::Elevate { then: After::ConfirmApply })),
        "{}",
        c.screen()
    );
}

/// Yes on the elevation offer, then the code.
async fn elevate_with(c: &mut Console, code: &str) {
    if matches!(c.app.modal, Some(Modal::Confirm(_))) {
        c.keys(&[KeyCode::Tab, KeyCode::Enter]).await;
    }
    assert!(matches!(c.app.modal, Some(Modal::Mfa(_))), "{}", c.screen());
    c.type_text(code).await;
    c.key(KeyCode::Enter).await;
}

#[tokio::test]
async fn finding_fix_elevate_confirm_apply_reevaluate_journal_undo() {
    let mut c = console(false, true, (120, 36)).await;
    assert_eq!(c.status(BUCKET, RULE), Status::Fail);
    to_elevation_offer(&mut c).await;
    assert!(
        c.dialog_text().contains(
            "needs the remediation role arn:aws:iam::123456789012:role/vigil-lab-remediation with MFA (device arn:aws:iam::123456789012:mfa/demo-operator)"
        ),
        "{}",
        c.dialog_text()
    );

    // A wrong code: a clear message and a new prompt.
    let wrong = wrong_code();
    elevate_with(&mut c, &wrong).await;
    match &c.app.modal {
        Some(Modal::Mfa(p)) => assert!(
            p.error.as_deref().is_some_and(|e| e.contains("refused")),
            "{p:?}"
        ),
        _ => panic!("a wrong code re-prompts: {}", c.screen()),
    }
    assert!(c.app.header.elevation.is_none());

    // The right one: elevated, and straight on to the confirmation.
    let code = totp_now();
    elevate_with(&mut c, &code).await;
    let e = c.app.header.elevation.clone().expect("elevated");
    assert_eq!(e.role, "vigil-lab-remediation");
    assert!(e.remaining_secs > 3500, "{e:?}");
    assert!(c.screen().contains("ELEVATED vigil-lab-remediation"));
    assert_eq!(
        modal_title(&c),
        "Apply bucket-bpa-on to vigil-lab-bpa-partial?"
    );

    // Disruptive: Yes counts only once the bucket's name is typed.
    c.keys(&[KeyCode::Tab, KeyCode::Enter]).await;
    assert_eq!(
        modal_title(&c),
        "Apply bucket-bpa-on to vigil-lab-bpa-partial?",
        "not yet: the name"
    );
    assert_eq!(c.status(BUCKET, RULE), Status::Fail);
    c.type_text(BUCKET).await;
    c.key(KeyCode::Enter).await;

    // Applied, read back, re-read, re-evaluated on screen.
    assert!(c.app.modal.is_none(), "{}", c.screen());
    assert_eq!(c.status(BUCKET, RULE), Status::Pass);
    assert!(
        c.toast().contains("applied, verified")
            && c.toast().contains("s3-bucket-bpa-off now passes"),
        "{}",
        c.toast()
    );
    assert_eq!(c.app.page().page, Page::Pane(Pane::Findings));
    assert!(
        c.screen().contains("findings [0/"),
        "the finding is gone: {}",
        c.screen()
    );

    // The journal: one entry, applied and verified, by the role.
    c.command("journal").await;
    assert_eq!(c.app.page().page, Page::Pane(Pane::Journal));
    let entries = c.app.journal_entries().to_vec();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].status(), "applied");
    assert!(
        entries[0].intent.actor.role_arn.as_deref()
            == Some(vigil::cloud::demo::DEMO_REMEDIATION_ROLE)
    );
    let s = c.screen();
    assert!(
        s.contains("bucket-bpa-on") && s.contains("applied") && s.contains("yes"),
        "{s}"
    );
    c.key(KeyCode::Enter).await;
    assert!(matches!(c.app.page().page, Page::Entry(_)));
    assert!(c.screen().contains("read back: as expected"));

    // Undo: confirm (default No), journaled, the finding is back.
    c.key(KeyCode::Char('u')).await;
    assert!(modal_title(&c).starts_with("Undo "), "{}", c.screen());
    c.key(KeyCode::Enter).await;
    assert!(c.app.modal.is_none());
    assert_eq!(c.status(BUCKET, RULE), Status::Pass, "No was the default");
    // Undo takes back a fix: Yes counts only once the name is typed.
    c.key(KeyCode::Char('u')).await;
    c.keys(&[KeyCode::Tab, KeyCode::Enter]).await;
    assert!(modal_title(&c).starts_with("Undo "), "not yet: the name");
    assert_eq!(c.status(BUCKET, RULE), Status::Pass);
    c.type_text(BUCKET).await;
    c.key(KeyCode::Enter).await;
    assert_eq!(c.status(BUCKET, RULE), Status::Fail);
    assert!(
        c.toast().contains("s3-bucket-bpa-off fails"),
        "{}",
        c.toast()
    );
    let entries = c.app.journal_entries().to_vec();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].status(), "undone");
    assert_eq!(entries[1].intent.action, Action::Undo);

    // Nothing vigil wrote holds the codes typed.
    let written = c.written();
    assert!(written.contains("bucket-bpa-on"), "the journal is there");
    for secret in [&code, &wrong] {
        assert!(!holds_code(&written, secret), "{secret} was written");
    }
    assert!(holds_code("{\"code\":\"123456\"}", "123456") && !holds_code("123456789012", "123456"));
}

#[tokio::test]
async fn elevation_counts_down_offers_renewal_and_ends_in_read_only() {
    let mut c = console(false, true, (120, 36)).await;
    // Idle and not elevated, the timer never asks for a frame.
    c.app.dirty = false;
    for _ in 0..3 {
        c.clock.advance(1_000);
        let now = c.app.now_ms + 1_000;
        c.app.on_tick(now);
    }
    assert!(!c.app.dirty, "not elevated: the timer draws nothing");

    c.command("elevate").await;
    assert!(matches!(c.app.modal, Some(Modal::Mfa(_))), "{}", c.screen());
    let s = c.screen();
    assert!(
        s.contains("device arn:aws:iam::123456789012:mfa/demo-operator"),
        "the prompt names the device: {s}"
    );
    c.type_text(&totp_now()).await;
    c.key(KeyCode::Enter).await;
    let left = c.app.header.elevation.clone().unwrap().remaining_secs;
    let SessionStatus::Elevated { expires_at_ms, .. } =
        c.app.remedy.session.as_ref().unwrap().status()
    else {
        panic!("elevated");
    };

    // The badge changes once a second, not more: a tick within the same
    // second draws nothing, the tick after the second turns draws.
    let into_second = (expires_at_ms - c.clock.now_ms()) % 1000;
    c.app.dirty = false;
    c.clock.advance(into_second / 2);
    c.app.on_tick(c.app.now_ms);
    assert_eq!(
        c.app.header.elevation.as_ref().unwrap().remaining_secs,
        left
    );
    assert!(!c.app.dirty, "the seconds shown did not change: no frame");
    c.clock.advance(1_000);
    c.app.on_tick(c.app.now_ms);
    assert_eq!(
        c.app.header.elevation.as_ref().unwrap().remaining_secs,
        left - 1
    );
    assert!(c.app.dirty, "a second later the countdown moves");

    // Near the end: the badge says so, re-elevation is offered once.
    c.clock.advance((left - 4 * 60) * 1000);
    c.app.on_tick(c.app.now_ms);
    assert!(c.app.header.elevation.as_ref().unwrap().renew_soon);
    assert_eq!(modal_title(&c), "Re-elevate?");
    assert!(c.screen().contains(":elevate renews"));
    c.key(KeyCode::Esc).await;
    c.app.on_tick(c.app.now_ms);
    assert!(c.app.modal.is_none(), "offered once");

    // At the end: read-only again, and it says so.
    c.clock.advance(5 * 60 * 1000);
    c.app.on_tick(c.app.now_ms);
    assert!(c.app.header.elevation.is_none());
    assert!(c.toast().contains("read-only again"), "{}", c.toast());
    let session = c.app.remedy.session.as_ref().unwrap();
    assert!(matches!(session.status(), SessionStatus::Expired { .. }));
    assert!(session.writer().is_err());

    // A fix now asks to elevate again.
    to_elevation_offer(&mut c).await;
}

#[tokio::test]
async fn drop_ends_elevation_and_writes_are_refused_until_elevated_again() {
    let mut c = console(false, true, (120, 36)).await;
    c.command("elevate").await;
    c.type_text(&totp_now()).await;
    c.key(KeyCode::Enter).await;
    assert!(c.app.header.elevation.is_some());
    c.command("drop").await;
    assert!(c.app.header.elevation.is_none());
    assert!(c.toast().contains("read-only again"), "{}", c.toast());
    assert!(c.app.remedy.session.as_ref().unwrap().writer().is_err());
    to_elevation_offer(&mut c).await;
}

/// Below the minimum size only "terminal too small" is drawn: a digit typed
/// then must not land in the MFA prompt hidden behind it, and q quits as
/// that screen says. At the minimum size the prompt's code field shows.
#[tokio::test]
async fn a_too_small_terminal_lets_no_key_reach_a_hidden_prompt_and_q_quits() {
    let mut c = console(false, true, (120, 36)).await;
    c.command("elevate").await;
    assert!(matches!(c.app.modal, Some(Modal::Mfa(_))), "{}", c.screen());
    c.app.on_resize(50, 10);
    c.type_text("123").await;
    c.app.on_resize(60, 15);
    match &c.app.modal {
        Some(Modal::Mfa(p)) => assert_eq!(p.typed(), 0, "digits reached the hidden prompt"),
        _ => panic!("the prompt closed: {}", c.screen()),
    }
    assert!(
        c.screen().contains("code:"),
        "the code field shows at 60x15: {}",
        c.screen()
    );
    c.type_text("1").await;
    assert!(!c.app.quit);
    c.app.on_resize(50, 10);
    c.type_text("q").await;
    assert!(c.app.quit, "q quits from the too-small screen");
}

/// At the documented minimum of 60x15 a dialog longer than the screen keeps
/// its end in view: the question and the choices.
#[tokio::test]
async fn at_60x15_the_elevation_offer_still_shows_its_choices() {
    let mut c = console(false, true, (120, 36)).await;
    to_elevation_offer(&mut c).await;
    c.app.on_resize(60, 15);
    let screen = c.screen();
    assert!(
        screen.contains(" No ") && screen.contains(" Yes"),
        "{screen}"
    );
}

#[tokio::test]
async fn readonly_f_does_nothing_and_neither_elevate_nor_undo_is_registered() {
    let mut c = console(true, true, (120, 36)).await;
    assert!(!c.app.keymap.is_registered(vigil::tui::action::Action::Fix));
    assert!(!c.app.keymap.is_registered(vigil::tui::action::Action::Undo));
    c.findings(&format!("{RULE} arn:aws:s3:::{BUCKET}"));
    let effects = c
        .app
        .on_key(crossterm::event::KeyEvent::from(KeyCode::Char('F')));
    assert!(effects.is_empty());
    assert!(c.app.remedy.flow.is_none());
    assert_eq!(c.app.page().page, Page::Pane(Pane::Findings));
    c.command("elevate").await;
    assert!(c.app.modal.is_none());
    assert!(
        c.toast().contains("unknown command :elevate"),
        "{}",
        c.toast()
    );
    c.command("drop").await;
    assert!(c.toast().contains("unknown command :drop"), "{}", c.toast());
    assert!(matches!(
        c.app.remedy.session.as_ref().unwrap().status(),
        SessionStatus::ReadOnly
    ));
    assert!(c.screen().contains("READ-ONLY"));
}

#[tokio::test]
async fn without_a_role_the_fix_explains_how_to_configure_one() {
    let mut c = console(false, false, (120, 36)).await;
    c.findings(&format!("{RULE} arn:aws:s3:::{BUCKET}"));
    c.key(KeyCode::Char('F')).await;
    let s = c.page_text();
    assert!(s.contains("no remediation role is configured"), "{s}");
    c.key(KeyCode::Char('F')).await;
    assert_eq!(modal_title(&c), "No remediation role");
    assert!(
        c.dialog_text().contains("(test hint)"),
        "{}",
        c.dialog_text()
    );
    assert_eq!(c.status(BUCKET, RULE), Status::Fail);
}

#[tokio::test]
async fn a_plan_the_account_changed_under_is_refused_and_planned_again() {
    let mut c = console(false, true, (120, 36)).await;
    to_elevation_offer(&mut c).await;
    elevate_with(&mut c, &totp_now()).await;
    assert_eq!(
        modal_title(&c),
        "Apply bucket-bpa-on to vigil-lab-bpa-partial?"
    );
    // Someone turns every setting off behind the preview's back.
    vigil::cloud::Cloud::apply(
        c.cloud.as_ref(),
        &Change::BucketPublicAccessBlock {
            bucket: BUCKET.into(),
            value: Some(PublicAccessBlock {
                block_public_acls: false,
                ignore_public_acls: false,
                block_public_policy: false,
                restrict_public_buckets: false,
            }),
        },
    )
    .await
    .unwrap();
    c.type_text(BUCKET).await;
    c.keys(&[KeyCode::Tab, KeyCode::Enter]).await;
    // Nothing written; re-read and planned again, with a note.
    assert_eq!(c.app.page().page, Page::Preview);
    let flow = c.app.remedy.flow.as_ref().unwrap();
    assert!(!flow.replanning);
    assert!(
        flow.note
            .as_deref()
            .is_some_and(|n| n.contains("changed since")),
        "{:?}",
        flow.note
    );
    let s = c.screen();
    assert!(
        s.contains("-   \"BlockPublicAcls\": false"),
        "the new diff: {s}"
    );
    assert!(c.app.journal_entries().is_empty(), "nothing journaled");
}

#[tokio::test]
async fn an_input_the_finding_does_not_name_is_asked_for() {
    let mut c = console(false, true, (120, 36)).await;
    c.findings(&format!("s3-logging-off arn:aws:s3:::{BUCKET}"));
    c.key(KeyCode::Char('F')).await;
    assert!(c.app.prompt.is_some(), "{}", c.screen());
    assert!(c.screen().contains("target bucket for the access logs"));
    c.type_text("vigil-lab-acc").await;
    c.key(KeyCode::Tab).await;
    c.key(KeyCode::Enter).await;
    assert_eq!(c.app.page().page, Page::Preview);
    let s = c.screen();
    assert!(
        s.contains("\"target_bucket\": \"vigil-lab-access-logs\""),
        "{s}"
    );
    // Esc on the prompt would have cancelled without a plan.
    c.key(KeyCode::Esc).await;
    c.findings(&format!("s3-logging-off arn:aws:s3:::{BUCKET}"));
    c.key(KeyCode::Char('F')).await;
    c.key(KeyCode::Esc).await;
    assert!(c.app.remedy.flow.is_none() && c.app.prompt.is_none());
    assert_eq!(c.toast(), "not fixed");
}

#[tokio::test]
async fn an_unfinished_entry_is_offered_at_start_then_verified_and_undone() {
    let data = tempfile::tempdir().unwrap();
    // A previous run journaled an intent and stopped before writing.
    let j = Journal::open(data.path(), "123456789012").unwrap();
    j.append(&Record::Intent(JournalIntent {
        id: "20260105T143012Z-1a2b3c4d".into(),
        time: "2026-01-05T14:30:12Z".into(),
        account_id: "123456789012".into(),
        actor: Actor {
            operator: "arn:aws:iam::123456789012:user/demo-operator".into(),
            role_arn: Some(vigil::cloud::demo::DEMO_REMEDIATION_ROLE.into()),
            session_name: Some("vigil-demo-operator-20260105T143000Z".into()),
        },
        action: Action::Apply,
        remediation: "bucket-versioning-on".into(),
        title: "Turn on versioning".into(),
        resource: format!("arn:aws:s3:::{BUCKET}"),
        undoes: None,
        steps: vec![Step {
            before: Change::BucketVersioning {
                bucket: BUCKET.into(),
                status: vigil::model::s3::VersioningStatus::Off,
            },
            after: Change::BucketVersioning {
                bucket: BUCKET.into(),
                status: vigil::model::s3::VersioningStatus::Enabled,
            },
        }],
        warnings: Vec::new(),
        findings: Vec::new(),
    }))
    .unwrap();
    let mut c = console_in(data, false, true, (120, 36)).await;
    assert_eq!(modal_title(&c), "Unfinished change in the journal");
    let s = c.screen();
    assert!(
        s.contains("20260105T143012Z-1a2b3c4d") && s.contains("Verify it now?"),
        "{s}"
    );
    c.keys(&[KeyCode::Tab, KeyCode::Enter]).await;
    // Read back: nothing was written; it is recorded, and its page is open.
    assert_eq!(
        c.app.page().page,
        Page::Entry("20260105T143012Z-1a2b3c4d".into())
    );
    let e = c.app.journal_entry("20260105T143012Z-1a2b3c4d").unwrap();
    assert_eq!(e.status(), "not-applied");
    assert!(e.outcome.as_ref().unwrap().recovered.is_some());
    assert!(c.toast().contains("nothing was written"), "{}", c.toast());
    // Undo of it has nothing to put back, and says so (no elevation asked).
    c.key(KeyCode::Char('u')).await;
    assert!(c.app.modal.is_none());
    assert!(c.toast().contains("nothing to undo"), "{}", c.toast());
}

#[tokio::test]
async fn an_effect_carrying_a_job_runs_it_once() {
    let mut c = console(false, true, (120, 36)).await;
    c.command("elevate").await;
    c.type_text(&totp_now()).await;
    let effects = c
        .app
        .on_key(crossterm::event::KeyEvent::from(KeyCode::Enter));
    let [Effect::Remedy(job)] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(format!("{job:?}"), "Job(elevate)", "Debug shows no code");
    let copy = effects[0].clone();
    assert_eq!(copy, effects[0]);
    c.run(vec![effects[0].clone(), copy]).await;
    assert!(c.app.header.elevation.is_some());
    assert!(
        !matches!(c.app.modal, Some(Modal::Mfa(_))),
        "the copy found nothing to run (a second AssumeRole would reuse the code)"
    );
}
