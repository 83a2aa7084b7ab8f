//! What the console does when the account changes under it: a trail event
//! that reconfigures a bucket makes it re-read that bucket (in a task) and
//! the bucket's findings change on screen; `r` asks for the same re-read.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use vigil::cloud::Cloud;
use vigil::cloud::demo::DemoCloud;
use vigil::model::change::Change;
use vigil::model::finding::Status;
use vigil::model::logs::LogEvent;
use vigil::model::s3::VersioningStatus;
use vigil::tui::action::Action;
use vigil::tui::app::{App, Pane, TAIL_CAPACITY};
use vigil::tui::filter::Filter;
use vigil::tui::message::{Effect, Msg};
use vigil::tui::tasks::{self, AccountFacts};
use vigil::tui::theme::{ColorMode, Theme};
use vigil::tui::{ConsoleOptions, Keymap, headless, tail_view};

const BUCKET: &str = "vigil-lab-public-write";

fn options() -> ConsoleOptions {
    ConsoleOptions {
        keymap: Keymap::load("default", None, false).unwrap(),
        theme: Theme::load("default", None, ColorMode::Ansi16).unwrap(),
        readonly: false,
        concurrency: 8,
        log_groups: Vec::new(),
        since: vigil::tail::window::Since(Duration::from_secs(3600)),
        remediation: None,
    }
}

fn versioning(app: &App) -> Status {
    app.bucket(BUCKET)
        .unwrap()
        .findings
        .iter()
        .find(|f| f.rule == "s3-versioning-off")
        .unwrap()
        .status
}

/// Run one effect as the event loop would and apply its report.
async fn run_effect(app: &mut App, cloud: Arc<DemoCloud>, effect: Effect) {
    let (tx, mut rx) = mpsc::channel(8);
    let sources = vigil::tui::sources(cloud, &options());
    let facts = AccountFacts {
        account_id: app.header.account_id.clone().unwrap(),
        account_bpa: app.account_bpa.clone(),
    };
    tasks::spawn(effect, &sources, &facts, tx);
    let msg = tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(msg, Msg::BucketRefreshed(_)), "{msg:?}");
    app.on_msg(msg);
}

#[tokio::test]
async fn a_trail_event_that_reconfigures_a_bucket_updates_its_findings_on_screen() {
    let now = vigil::cli::now_ms();
    let cloud = Arc::new(DemoCloud::embedded(now).unwrap());
    let mut app = headless::loaded(
        cloud.clone(),
        options(),
        (100, 30),
        now,
        Duration::from_secs(20),
    )
    .await;
    assert_eq!(versioning(&app), Status::Fail);

    // Someone turns versioning on, outside vigil; CloudTrail reports it.
    cloud
        .apply(&Change::BucketVersioning {
            bucket: BUCKET.into(),
            status: VersioningStatus::Enabled,
        })
        .await
        .unwrap();
    let record = format!(
        r#"{{"eventVersion":"1.08","eventTime":"2026-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"PutBucketVersioning","userIdentity":{{"arn":"arn:aws:iam::123456789012:user/bob-developer"}},"requestParameters":{{"bucketName":"{BUCKET}"}},"sourceIPAddress":"198.51.100.23"}}"#
    );
    let rows = tail_view::rows(
        "trail",
        &LogEvent {
            event_id: "new-1".into(),
            log_stream: "s".into(),
            timestamp: now,
            message: record,
        },
    );
    let effects = app.on_msg(Msg::Tail(rows));
    assert_eq!(
        effects,
        vec![Effect::RefreshBucket(BUCKET.into())],
        "tail::posture names the bucket"
    );

    run_effect(&mut app, cloud, effects[0].clone()).await;
    assert_eq!(versioning(&app), Status::Pass);
    app.view_mut(Pane::Buckets).filter = Filter::parse(BUCKET);
    app.views_stale = true;
    let screen = headless::text(&headless::render(&mut app));
    let row = screen
        .lines()
        .find(|l| l.starts_with("│") && l.contains(BUCKET))
        .unwrap();
    let before_ver: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(
        before_ver.get(5),
        Some(&"on"),
        "the VER column shows versioning on: {row}"
    );
}

#[tokio::test]
async fn a_failed_call_in_the_trail_changes_nothing_and_r_re_reads_the_selected_bucket() {
    let now = vigil::cli::now_ms();
    let cloud = Arc::new(DemoCloud::embedded(now).unwrap());
    let mut app = headless::loaded(
        cloud.clone(),
        options(),
        (100, 30),
        now,
        Duration::from_secs(20),
    )
    .await;
    let record = format!(
        r#"{{"eventVersion":"1.08","eventTime":"2026-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"PutBucketVersioning","errorCode":"AccessDenied","requestParameters":{{"bucketName":"{BUCKET}"}}}}"#
    );
    let rows = tail_view::rows(
        "trail",
        &LogEvent {
            event_id: "new-2".into(),
            log_stream: "s".into(),
            timestamp: now,
            message: record,
        },
    );
    assert!(app.on_msg(Msg::Tail(rows)).is_empty());

    cloud
        .apply(&Change::BucketVersioning {
            bucket: BUCKET.into(),
            status: VersioningStatus::Enabled,
        })
        .await
        .unwrap();
    app.view_mut(Pane::Buckets).filter = Filter::parse(BUCKET);
    app.views_stale = true;
    app.refresh_views();
    let effects = app.act(Action::Refresh);
    assert_eq!(effects, vec![Effect::RefreshBucket(BUCKET.into())]);
    run_effect(&mut app, cloud, effects[0].clone()).await;
    assert_eq!(versioning(&app), Status::Pass);
}

/// The Tail pane is a bounded ring: past `TAIL_CAPACITY` rows the oldest go,
/// the newest stay in arrival order, and a filter still finds what is kept.
#[test]
fn the_tail_pane_keeps_the_newest_50000_rows_and_drops_the_oldest() {
    let mut app = App::new(
        Keymap::load("default", None, false).unwrap(),
        Theme::load("default", None, ColorMode::Ansi16).unwrap(),
        "demo",
        false,
        (100, 30),
        0,
    );
    let template = tail_view::rows(
        "trail",
        &LogEvent {
            event_id: "e".into(),
            log_stream: "s".into(),
            timestamp: 0,
            message: r#"{"eventVersion":"1.08","eventTime":"2026-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","userIdentity":{"arn":"arn:aws:iam::123456789012:user/bob"},"sourceIPAddress":"198.51.100.23"}"#.into(),
        },
    )
    .remove(0);
    let total = TAIL_CAPACITY + 1_234;
    let rows: Vec<_> = (0..total)
        .map(|i| {
            let mut r = template.clone();
            r.id = format!("row-{i}");
            r.source_ip = format!("ip-{i}");
            r
        })
        .collect();
    for batch in rows.chunks(5_000) {
        app.on_msg(Msg::Tail(batch.to_vec()));
    }
    assert_eq!(app.tail.rows.len(), TAIL_CAPACITY);
    assert_eq!(
        app.tail.rows.front().unwrap().id,
        "row-1234",
        "the oldest went"
    );
    assert_eq!(
        app.tail.rows.back().unwrap().id,
        format!("row-{}", total - 1)
    );
    assert!(app.event("row-1233").is_none() && app.event("row-1234").is_some());

    app.view_mut(Pane::Tail).filter = Filter::parse(&format!("ip-{}", total - 1));
    app.views_stale = true;
    app.refresh_views();
    assert_eq!(
        app.views[&Pane::Tail].rows.len(),
        1,
        "the filter finds the newest row"
    );
}
