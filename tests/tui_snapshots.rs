//! Every pane and detail view of the console on the demo account, drawn on
//! ratatui's TestBackend and compared with reviewed snapshots (times, which
//! move with the clock, are filtered), plus explicit checks of what colour
//! and reverse video mean (STYLE.md, after gitui and stu).

use std::sync::Arc;
use std::time::Duration;

use ratatui::style::{Color, Modifier};
use vigil::cloud::demo::DemoCloud;
use vigil::tui::action::Action;
use vigil::tui::app::{App, Page, Pane};
use vigil::tui::filter::Filter;
use vigil::tui::theme::{ColorMode, Theme};
use vigil::tui::widgets::{ConfirmDialog, Intent, MfaPrompt, Modal};
use vigil::tui::{ConsoleOptions, Keymap, headless};

fn options(readonly: bool, mode: ColorMode) -> ConsoleOptions {
    ConsoleOptions {
        keymap: Keymap::load("default", None, readonly).unwrap(),
        theme: Theme::load("default", None, mode).unwrap(),
        readonly,
        concurrency: 8,
        log_groups: Vec::new(),
        since: vigil::tail::window::Since(Duration::from_secs(3600)),
        remediation: None,
    }
}

async fn demo_with(size: (u16, u16), readonly: bool, mode: ColorMode) -> App {
    let now = vigil::cli::now_ms();
    let cloud = Arc::new(DemoCloud::embedded(now).unwrap());
    headless::loaded(
        cloud,
        options(readonly, mode),
        size,
        now,
        Duration::from_secs(20),
    )
    .await
}

async fn demo(size: (u16, u16)) -> App {
    demo_with(size, false, ColorMode::Ansi16).await
}

/// Let the page's background work (who can reach the bucket) finish.
async fn settle(app: &mut App) {
    let cloud = Arc::new(DemoCloud::embedded(vigil::cli::now_ms()).unwrap());
    let sources = vigil::tui::sources(cloud, &options(false, ColorMode::Ansi16));
    headless::settle(app, &sources, Duration::from_secs(20)).await;
}

fn screen(app: &mut App) -> String {
    headless::text(&headless::render(app))
}

/// The full text of a detail page, every line (not just the first screen).
fn detail_text(app: &App) -> String {
    let page = app.page().page.clone();
    vigil::tui::draw::detail::lines(app, &page)
        .iter()
        .map(|l| {
            l.spans
                .iter()
                .map(|s| s.content.as_ref())
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

macro_rules! snap {
    ($name:expr, $value:expr) => {
        insta::with_settings!({filters => vec![
            (r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", "[iso-time]"),
            (r"\b\d{2}:\d{2}:\d{2}\b", "[hh:mm:ss]"),
        ]}, {
            insta::assert_snapshot!($name, $value);
        });
    };
}

fn select(app: &mut App, pane: Pane, text: &str) {
    app.act(match pane {
        Pane::Buckets => Action::PaneBuckets,
        Pane::Findings => Action::PaneFindings,
        Pane::Principals => Action::PanePrincipals,
        _ => Action::PaneTail,
    });
    app.view_mut(pane).filter = Filter::parse(text);
    app.views_stale = true;
    app.refresh_views();
}

#[tokio::test]
async fn buckets_pane() {
    let mut app = demo((100, 34)).await;
    assert_eq!(app.buckets.len(), 29, "the whole demo scan is in");
    snap!("buckets_100x34", screen(&mut app));
}

#[tokio::test]
async fn buckets_pane_at_80x24() {
    let mut app = demo((80, 24)).await;
    snap!("buckets_80x24", screen(&mut app));
}

#[tokio::test]
async fn buckets_sorted_by_findings_then_reversed() {
    let mut app = demo((100, 34)).await;
    for _ in 0..7 {
        app.act(Action::SortColumn);
    }
    app.toast = None;
    snap!("buckets_by_findings", screen(&mut app));
    app.act(Action::SortReverse);
    app.toast = None;
    let s = screen(&mut app);
    assert!(s.contains("FINDINGS▼"), "{s}");
}

#[tokio::test]
async fn findings_pane_by_severity_and_by_rule() {
    let mut app = demo((100, 34)).await;
    app.act(Action::PaneFindings);
    snap!("findings_by_severity", screen(&mut app));
    app.act(Action::GroupBy);
    snap!("findings_by_rule", screen(&mut app));
}

#[tokio::test]
async fn principals_pane() {
    let mut app = demo((100, 34)).await;
    app.act(Action::PanePrincipals);
    snap!("principals", screen(&mut app));
}

#[tokio::test]
async fn tail_pane() {
    let mut app = demo((120, 34)).await;
    app.act(Action::PaneTail);
    snap!("tail", screen(&mut app));
}

#[tokio::test]
async fn journal_slot() {
    let mut app = demo((100, 20)).await;
    app.act(Action::CommandPalette);
    for c in "journal".chars() {
        app.on_key(crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::Char(c),
        ));
    }
    app.on_key(crossterm::event::KeyEvent::from(
        crossterm::event::KeyCode::Enter,
    ));
    assert_eq!(app.page().page, Page::Pane(Pane::Journal));
    snap!("journal", screen(&mut app));
}

#[tokio::test]
async fn bucket_detail_public_policy() {
    let mut app = demo((100, 34)).await;
    select(&mut app, Pane::Buckets, "public-policy");
    app.act(Action::Open);
    settle(&mut app).await;
    assert_eq!(
        app.page().page,
        Page::Bucket("vigil-lab-public-policy".into())
    );
    snap!("bucket_public_policy_screen", screen(&mut app));
    let text = detail_text(&app);
    assert!(text.contains("▲ Statement[0]: PUBLIC"), "{text}");
    snap!("bucket_public_policy_full", text);
}

#[tokio::test]
async fn bucket_detail_every_lab_bucket_kind() {
    let mut app = demo((100, 34)).await;
    for name in [
        "vigil-lab-acl-allusers",
        "vigil-lab-tls-enforced",
        "vigil-lab-cross-account",
        "vigil-lab-hostile-tags",
        "vigil-lab-malformed-policy",
        "vigil-lab-policy-neutralised",
    ] {
        select(&mut app, Pane::Buckets, name);
        app.act(Action::Open);
        settle(&mut app).await;
        snap!(
            format!("bucket_{}", name.trim_start_matches("vigil-lab-")),
            detail_text(&app)
        );
    }
}

#[tokio::test]
async fn principal_details_user_and_role() {
    let mut app = demo((100, 34)).await;
    for name in [
        "bob-developer",
        "carol-escalator",
        "vigil-lab-looks-mfa",
        "<root>",
    ] {
        select(&mut app, Pane::Principals, &format!(" {name} "));
        app.act(Action::Open);
        assert!(matches!(app.page().page, Page::Principal(_)), "{name}");
        snap!(
            format!("principal_{}", name.trim_matches(|c| c == '<' || c == '>')),
            detail_text(&app)
        );
    }
}

#[tokio::test]
async fn event_detail_and_jumps() {
    let mut app = demo((100, 34)).await;
    select(&mut app, Pane::Tail, "DeleteBucketPolicy");
    app.act(Action::Open);
    assert!(matches!(app.page().page, Page::Event(_)));
    let text = detail_text(&app);
    // The record's user agent carries an OSC 52 clipboard write: escaped.
    assert!(text.contains("]52;c;") && !text.contains('\x1b'), "{text}");
    snap!("event_delete_bucket_policy", text);
    app.act(Action::JumpBucket);
    assert_eq!(
        app.page().page,
        Page::Bucket("vigil-lab-tls-enforced".into())
    );
    app.act(Action::Back);
    app.act(Action::JumpPrincipal);
    assert_eq!(
        app.page().page,
        Page::Principal("arn:aws:iam::123456789012:role/vigil-lab-looks-mfa".into())
    );
    let s = screen(&mut app);
    assert!(
        s.contains("tail › DeleteBucketPolicy › vigil-lab-looks-mfa"),
        "breadcrumbs: {s}"
    );
}

#[tokio::test]
async fn help_is_generated_from_the_keymap() {
    let mut app = demo((100, 60)).await;
    app.act(Action::Help);
    let s = screen(&mut app);
    snap!("help", s.clone());
    for b in app.keymap.bindings() {
        for k in &b.keys {
            assert!(
                s.contains(&k.to_string()),
                "help lacks {k} ({:?})",
                b.action
            );
        }
    }
}

#[tokio::test]
async fn readonly_shows_the_lock_and_offers_no_fix() {
    let mut app = demo_with((100, 24), true, ColorMode::Ansi16).await;
    select(&mut app, Pane::Findings, "s3-versioning-off");
    let s = screen(&mut app);
    assert!(s.contains("🔒") && s.contains("READ-ONLY"), "{s}");
    assert!(!s.contains(" fix"), "{s}");
    assert!(s.contains("read-only: not offered"), "{s}");
    snap!("findings_readonly", s);
}

#[tokio::test]
async fn too_small_says_so() {
    let mut app = demo((50, 10)).await;
    let s = screen(&mut app);
    assert!(s.contains("terminal too small"), "{s}");
    snap!("too_small", s);
}

#[tokio::test]
async fn dialogs_confirm_destructive_and_mfa() {
    let mut app = demo((100, 30)).await;
    app.modal = Some(Modal::Confirm(
        ConfirmDialog::new(
            "Remove public statements",
            vec!["bucket-remove-public-statements on vigil-lab-public-policy".into()],
            Intent::Dismiss,
        )
        .destructive()
        .require_typing("vigil-lab-public-policy"),
    ));
    snap!("confirm_destructive", screen(&mut app));
    app.modal = Some(Modal::Mfa(MfaPrompt::new(
        "MFA code",
        "arn:aws:iam::123456789012:mfa/alice",
        Intent::Dismiss,
    )));
    for c in "123".chars() {
        app.on_key(crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::Char(c),
        ));
    }
    let s = screen(&mut app);
    assert!(s.contains("• • • _ _ _"), "{s}");
    let code_line = s.lines().find(|l| l.contains("code:")).unwrap();
    let code_line = code_line
        .split("code:")
        .nth(1)
        .unwrap()
        .split('│')
        .next()
        .unwrap();
    assert!(
        !code_line.chars().any(|c| c.is_ascii_digit()),
        "the code is never drawn: {code_line}"
    );
    snap!("mfa_input", s);
}

#[tokio::test]
async fn selection_and_severity_styles() {
    let mut app = demo((100, 34)).await;
    let buf = headless::render(&mut app);
    // Row 4: the first bucket (header 2 lines, border, column header).
    let sel = &buf[(5, 4)];
    assert_eq!(sel.bg, Color::Cyan, "selection is the theme's selection");
    assert_ne!(buf[(5, 5)].bg, Color::Cyan, "only one row is selected");

    app.act(Action::PaneFindings);
    let buf = headless::render(&mut app);
    let text = headless::text(&buf);
    let mut med = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("  CRIT "));
    // The first finding is selected: the selection style alone shows there,
    // so that a coloured label never sits unreadably on the selection bar.
    let (y, line) = med.next().unwrap();
    let x = line.chars().position(|c| c == 'C').unwrap() as u16;
    let cell = &buf[(x, y as u16)];
    assert_eq!(
        (cell.fg, cell.bg),
        (Color::Black, Color::Cyan),
        "selected row: {line}"
    );
    let (y, line) = med.next().unwrap();
    let x = line.chars().position(|c| c == 'C').unwrap() as u16;
    assert_eq!(
        buf[(x, y as u16)].fg,
        Color::LightRed,
        "critical is light red in the default theme: {line}"
    );
}

#[tokio::test]
async fn without_colour_selection_is_reverse_video_and_severity_is_text() {
    let mut app = demo_with((100, 34), false, ColorMode::None).await;
    let buf = headless::render(&mut app);
    let sel = &buf[(5, 4)];
    assert!(sel.modifier.contains(Modifier::REVERSED));
    assert_eq!(sel.bg, Color::Reset);
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let c = &buf[(x, y)];
            assert!(
                c.fg == Color::Reset && c.bg == Color::Reset,
                "colour at {x},{y}"
            );
        }
    }
    app.act(Action::PaneFindings);
    assert!(screen(&mut app).contains("CRIT"));
}

#[tokio::test]
async fn filter_invert_fuzzy_and_escape_clears() {
    let mut app = demo((100, 34)).await;
    let key = |c| crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Char(c));
    app.act(Action::Filter);
    for c in "eu-".chars() {
        app.on_key(key(c));
    }
    app.on_key(crossterm::event::KeyEvent::from(
        crossterm::event::KeyCode::Enter,
    ));
    app.refresh_views();
    assert_eq!(app.view(Pane::Buckets).rows.len(), 4);
    assert!(screen(&mut app).contains("[4/29]"));
    app.act(Action::Filter);
    app.on_key(crossterm::event::KeyEvent::from(
        crossterm::event::KeyCode::Home,
    ));
    app.on_key(key('!'));
    app.refresh_views();
    assert_eq!(app.view(Pane::Buckets).rows.len(), 25);
    app.on_key(crossterm::event::KeyEvent::from(
        crossterm::event::KeyCode::Esc,
    ));
    app.refresh_views();
    assert_eq!(
        app.view(Pane::Buckets).rows.len(),
        4,
        "cancel restores the previous filter"
    );
    app.act(Action::Back);
    app.refresh_views();
    assert_eq!(
        app.view(Pane::Buckets).rows.len(),
        29,
        "esc on a list clears its filter"
    );
}
