//! The follower on the demo and on a scripted fake `Cloud`, in tokio's
//! paused time: backoff, budget and reconnects are checked by what happens,
//! not by how long it takes.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use futures::StreamExt as _;
use serde_json::json;

use super::*;
use crate::cloud::demo::DemoCloud;
use crate::cloud::{BucketListing, LiveTailFrame, LiveTailStream};
use crate::model::iam::IamInventory;
use crate::model::logs::{LogEventPage, LogGroup};
use crate::model::s3::{Bucket, PublicAccessBlock};
use crate::model::{CallerIdentity, Facet};

const GROUP: &str = "aws-cloudtrail-logs-test";
const NOW: i64 = 1_800_000_000_000;

/// A CloudTrail record with the given id and time.
fn record(id: &str, ts: i64) -> String {
    json!({
        "eventVersion": "1.08",
        "userIdentity": {"type": "IAMUser", "userName": "alice", "accountId": "111122223333"},
        "eventTime": crate::lab::iso8601(ts),
        "eventSource": "s3.amazonaws.com", "eventName": "GetObject",
        "eventID": id, "recipientAccountId": "111122223333"
    })
    .to_string()
}

fn fixed_clock(at: Arc<AtomicI64>) -> Clock {
    Arc::new(move || at.load(Ordering::SeqCst))
}

fn options(clock: Clock) -> TailOptions {
    TailOptions {
        live: false,
        clock,
        ..TailOptions::default()
    }
}

/// Updates until `done` says so (or a generous paused-time deadline).
async fn collect(
    rx: &mut mpsc::Receiver<TailUpdate>,
    mut done: impl FnMut(&[TailUpdate]) -> bool,
) -> Vec<TailUpdate> {
    let mut out = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3600);
    while !done(&out) {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(u)) => out.push(u),
            Ok(None) | Err(_) => break,
        }
    }
    out
}

fn ids(updates: &[TailUpdate]) -> Vec<String> {
    updates
        .iter()
        .flat_map(|u| match u {
            TailUpdate::Events(es) => es.iter().map(|e| e.event_id.clone()).collect(),
            _ => Vec::new(),
        })
        .collect()
}

fn statuses(updates: &[TailUpdate]) -> Vec<&TailStatus> {
    updates
        .iter()
        .filter_map(|u| match u {
            TailUpdate::Status(s) => Some(s),
            _ => None,
        })
        .collect()
}

fn has_ids(want: usize) -> impl FnMut(&[TailUpdate]) -> bool {
    move |u| ids(u).len() >= want
}

fn demo_with_group() -> Arc<DemoCloud> {
    let demo = DemoCloud::embedded(NOW).unwrap();
    demo.create_log_group(GROUP);
    Arc::new(demo)
}

fn put(demo: &DemoCloud, events: &[(&str, i64)]) {
    let batch: Vec<(i64, String)> = events
        .iter()
        .map(|(id, ts)| (*ts, record(id, *ts)))
        .collect();
    demo.put_log_events(GROUP, "s", &batch).unwrap();
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[tokio::test(start_paused = true)]
async fn without_follow_the_lab_window_is_delivered_once_and_the_tail_finishes() {
    let demo = Arc::new(DemoCloud::embedded(NOW).unwrap());
    let mut request = TailRequest::new(
        vec!["aws-cloudtrail-logs-vigil-lab".into()],
        "1h".parse().unwrap(),
        false,
    );
    request.options = options(fixed_clock(Arc::new(AtomicI64::new(NOW))));
    let (_handle, mut rx) = start(demo, request);
    let updates = collect(&mut rx, |u| {
        matches!(u.last(), Some(TailUpdate::Status(TailStatus::Finished)))
    })
    .await;
    let lab = crate::lab::Lab::embedded().unwrap();
    let n = lab.log_groups[0].events.len();
    assert_eq!(ids(&updates).len(), n - 1, "every record but the junk line");
    let unparsed: usize = updates
        .iter()
        .map(|u| match u {
            TailUpdate::Unparsed(r) => r.len(),
            _ => 0,
        })
        .sum();
    assert_eq!(unparsed, 1);
    let s = statuses(&updates);
    assert!(matches!(s[0], TailStatus::Started { .. }));
    assert!(s.iter().any(|s| matches!(s, TailStatus::CaughtUp { .. })));
    assert!(!s.iter().any(|s| matches!(s, TailStatus::Polling { .. })));
}

/// Batches arrive while the tail follows: some older than what was shown,
/// some sharing a timestamp. Every event appears exactly once.
async fn late_and_same_timestamp_batches_appear_once(live: bool) {
    let demo = demo_with_group();
    let clock = Arc::new(AtomicI64::new(NOW));
    put(&demo, &[("a1", NOW - 60_000), ("a2", NOW - 30_000)]);
    let mut request = TailRequest::new(vec![GROUP.into()], "15m".parse().unwrap(), true);
    request.options = TailOptions {
        live,
        ..options(fixed_clock(clock.clone()))
    };
    let (_handle, mut rx) = start(demo.clone(), request);
    let mut updates = collect(&mut rx, has_ids(2)).await;

    clock.store(NOW + 10_000, Ordering::SeqCst);
    put(
        &demo,
        &[
            ("b1", NOW + 5_000),
            ("b2", NOW + 5_000),
            ("b3", NOW + 5_000),
        ],
    );
    updates.extend(collect(&mut rx, has_ids(3)).await);
    // late: older than everything shown so far, but within the overlap
    put(&demo, &[("late1", NOW - 120_000), ("late2", NOW - 45_000)]);
    updates.extend(collect(&mut rx, has_ids(2)).await);
    // the same timestamp as events already shown
    put(&demo, &[("same", NOW + 5_000)]);
    updates.extend(collect(&mut rx, has_ids(1)).await);
    // several passes with nothing new: still nothing twice
    clock.store(NOW + 60_000, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_secs(30)).await;
    while let Ok(u) = rx.try_recv() {
        updates.push(u);
    }
    assert_eq!(
        sorted(ids(&updates)),
        sorted(
            ["a1", "a2", "b1", "b2", "b3", "late1", "late2", "same"]
                .map(String::from)
                .to_vec()
        )
    );
    let s = statuses(&updates);
    if live {
        assert!(
            s.iter().any(|s| matches!(s, TailStatus::Live { .. })),
            "{s:?}"
        );
    } else {
        assert!(
            s.iter()
                .any(|s| matches!(s, TailStatus::Polling { reason: None, .. }))
        );
    }
}

#[tokio::test(start_paused = true)]
async fn polling_shows_late_and_same_timestamp_events_exactly_once() {
    late_and_same_timestamp_batches_appear_once(false).await;
}

#[tokio::test(start_paused = true)]
async fn live_tail_with_its_backfill_shows_every_event_exactly_once() {
    late_and_same_timestamp_batches_appear_once(true).await;
}

#[test]
fn the_next_window_overlaps_the_newest_event_or_now_whichever_is_earlier() {
    let five = Duration::from_secs(300);
    let mut g = Group::new("g".into(), NOW - 3_600_000, 100);
    assert_eq!(g.next_window_start(NOW, five), NOW - 300_000);
    g.newest_ms = Some(NOW - 1_000_000);
    assert_eq!(g.next_window_start(NOW, five), NOW - 1_300_000);
    // a clock running ahead of the events does not skip them
    g.newest_ms = Some(NOW + 600_000);
    assert_eq!(g.next_window_start(NOW, five), NOW - 300_000);
    // never before the start window
    g.newest_ms = None;
    assert_eq!(g.next_window_start(NOW - 3_500_000, five), NOW - 3_600_000);
    // never below what the de-duplication memory covers
    g.seen.forget_before(NOW - 100_000);
    assert_eq!(g.next_window_start(NOW, five), NOW - 100_000);
}

/// How a fake endpoint answers Live Tail.
#[derive(Clone, Copy, PartialEq)]
enum Live {
    Unsupported,
    EndsAtOnce,
    Forever,
}

/// A log group behind a script: each `FilterLogEvents` call first takes
/// the next scripted failure, if any.
struct Fake {
    events: Mutex<Vec<LogEvent>>,
    failures: Mutex<VecDeque<CloudError>>,
    filter_calls: AtomicUsize,
    live: Live,
    live_starts: AtomicUsize,
}

impl Fake {
    fn new(live: Live, failures: Vec<CloudError>) -> Arc<Fake> {
        Arc::new(Fake {
            events: Mutex::new(Vec::new()),
            failures: Mutex::new(failures.into()),
            filter_calls: AtomicUsize::new(0),
            live,
            live_starts: AtomicUsize::new(0),
        })
    }

    fn put(&self, id: &str, ts: i64) {
        let mut events = self.events.lock().unwrap();
        events.push(LogEvent {
            event_id: format!("cw-{id}"),
            log_stream: "s".into(),
            timestamp: ts,
            message: record(id, ts),
        });
        events.sort_by_key(|e| e.timestamp);
    }
}

fn not_in_fake() -> CloudError {
    CloudError::Other("not in this fake".into())
}

#[async_trait]
impl Cloud for Fake {
    fn backend_name(&self) -> &'static str {
        "fake"
    }
    async fn caller_identity(&self) -> Result<CallerIdentity, CloudError> {
        Err(not_in_fake())
    }
    async fn list_buckets(&self) -> Result<Vec<BucketListing>, CloudError> {
        Err(not_in_fake())
    }
    async fn read_bucket(&self, listing: &BucketListing) -> Bucket {
        Bucket::unread(listing.name.clone())
    }
    async fn account_public_access_block(&self, _: &str) -> Facet<PublicAccessBlock> {
        Facet::Absent
    }
    async fn iam_inventory(&self) -> Result<IamInventory, CloudError> {
        Err(not_in_fake())
    }
    async fn list_log_groups(&self) -> Result<Vec<LogGroup>, CloudError> {
        Ok(vec![LogGroup {
            name: GROUP.into(),
            retention_days: None,
        }])
    }
    async fn filter_log_events(&self, query: &LogQuery) -> Result<LogEventPage, CloudError> {
        self.filter_calls.fetch_add(1, Ordering::SeqCst);
        if let Some(e) = self.failures.lock().unwrap().pop_front() {
            return Err(e);
        }
        // two events a page, so that paging is part of every test
        let offset: usize = query
            .next_token
            .as_deref()
            .map_or(0, |t| t.parse().unwrap());
        let matching: Vec<LogEvent> = self
            .events
            .lock()
            .unwrap()
            .iter()
            .filter(|e| e.timestamp >= query.start_ms)
            .cloned()
            .collect();
        let page: Vec<LogEvent> = matching.iter().skip(offset).take(2).cloned().collect();
        let next = offset + page.len();
        Ok(LogEventPage {
            next_token: (next < matching.len()).then(|| next.to_string()),
            events: page,
        })
    }
    async fn start_live_tail(&self, _: &[String]) -> Result<LiveTailStream, CloudError> {
        self.live_starts.fetch_add(1, Ordering::SeqCst);
        match self.live {
            Live::Unsupported => Err(CloudError::Unreachable(
                "dns error: failed to lookup address information (streaming-127.0.0.1)".into(),
            )),
            Live::EndsAtOnce => Ok(Box::pin(futures::stream::iter(vec![Ok(
                LiveTailFrame::Started,
            )]))),
            Live::Forever => Ok(Box::pin(
                futures::stream::iter(vec![Ok(LiveTailFrame::Started)])
                    .chain(futures::stream::pending()),
            )),
        }
    }
    async fn apply(&self, _: &crate::model::change::Change) -> Result<(), CloudError> {
        Err(not_in_fake())
    }
}

fn fake_request(follow: bool, live: bool) -> TailRequest {
    let mut r = TailRequest::new(vec![GROUP.into()], "1h".parse().unwrap(), follow);
    r.options = TailOptions {
        live,
        ..options(fixed_clock(Arc::new(AtomicI64::new(NOW))))
    };
    r
}

#[tokio::test(start_paused = true)]
async fn throttling_backs_off_with_growing_delays_and_never_stops_the_tail() {
    let throttled = || CloudError::Throttled("ThrottlingException: Rate exceeded".into());
    let fake = Fake::new(Live::Unsupported, (0..6).map(|_| throttled()).collect());
    for i in 0..5 {
        fake.put(&format!("e{i}"), NOW - 10_000 + i);
    }
    let (_handle, mut rx) = start(fake.clone(), fake_request(false, false));
    let updates = collect(&mut rx, |u| {
        matches!(u.last(), Some(TailUpdate::Status(TailStatus::Finished)))
    })
    .await;
    assert_eq!(ids(&updates).len(), 5, "every event, after six throttles");
    let delays: Vec<Duration> = statuses(&updates)
        .iter()
        .filter_map(|s| match s {
            TailStatus::Throttled { retry_in, .. } => Some(*retry_in),
            _ => None,
        })
        .collect();
    assert_eq!(delays.len(), 6);
    for (i, d) in delays.iter().enumerate() {
        let full = Backoff::THROTTLED.delay(i as u32, 1.0);
        assert!(
            *d >= full / 2 && *d <= full,
            "throttle {i}: {d:?} not in [{:?}, {full:?}]",
            full / 2
        );
    }
    assert!(
        statuses(&updates)
            .iter()
            .any(|s| matches!(s, TailStatus::Resumed { .. }))
    );
    assert!(
        !statuses(&updates)
            .iter()
            .any(|s| matches!(s, TailStatus::Failed { .. }))
    );
}

#[tokio::test(start_paused = true)]
async fn a_network_error_mid_tail_resumes_without_a_gap_or_a_duplicate() {
    let fake = Fake::new(Live::Unsupported, Vec::new());
    fake.put("before", NOW - 1_000);
    let (_handle, mut rx) = start(fake.clone(), fake_request(true, false));
    let mut updates = collect(&mut rx, has_ids(1)).await;
    // the endpoint goes away for three passes; events arrive meanwhile
    {
        let mut f = fake.failures.lock().unwrap();
        for _ in 0..3 {
            f.push_back(CloudError::Unreachable("connection refused".into()));
        }
    }
    fake.put("during1", NOW - 500);
    fake.put("during2", NOW - 2_000);
    updates.extend(
        collect(&mut rx, |u| {
            statuses(u)
                .iter()
                .any(|s| matches!(s, TailStatus::Resumed { .. }))
                && ids(u).len() >= 2
        })
        .await,
    );
    tokio::time::sleep(Duration::from_secs(20)).await;
    while let Ok(u) = rx.try_recv() {
        updates.push(u);
    }
    assert_eq!(
        sorted(ids(&updates)),
        ["before", "during1", "during2"].map(String::from).to_vec()
    );
    let retries = statuses(&updates)
        .iter()
        .filter(|s| matches!(s, TailStatus::Retrying { .. }))
        .count();
    assert_eq!(retries, 3);
}

#[tokio::test(start_paused = true)]
async fn without_follow_an_access_denied_group_fails_and_the_tail_finishes() {
    let fake = Fake::new(
        Live::Unsupported,
        vec![CloudError::AccessDenied(
            "FilterLogEvents: not authorized".into(),
        )],
    );
    let (_handle, mut rx) = start(fake, fake_request(false, false));
    let updates = collect(&mut rx, |u| {
        matches!(u.last(), Some(TailUpdate::Status(TailStatus::Finished)))
    })
    .await;
    let s = statuses(&updates);
    assert!(
        matches!(s[s.len() - 2], TailStatus::Failed { error, .. } if error.contains("not authorized")),
        "{s:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn with_follow_an_error_is_retried_and_never_ends_the_tail() {
    let fake = Fake::new(
        Live::Unsupported,
        vec![
            CloudError::Expired("ExpiredToken".into()),
            CloudError::AccessDenied("denied".into()),
        ],
    );
    fake.put("x", NOW - 1_000);
    let (handle, mut rx) = start(fake, fake_request(true, false));
    let updates = collect(&mut rx, has_ids(1)).await;
    assert_eq!(ids(&updates), ["x"]);
    assert!(!handle.is_finished());
}

#[tokio::test(start_paused = true)]
async fn an_endpoint_without_live_tail_is_polled_and_says_why() {
    let fake = Fake::new(Live::Unsupported, Vec::new());
    fake.put("x", NOW - 1_000);
    let (_handle, mut rx) = start(fake.clone(), fake_request(true, true));
    let updates = collect(&mut rx, |u| {
        statuses(u)
            .iter()
            .any(|s| matches!(s, TailStatus::Polling { .. }))
    })
    .await;
    assert_eq!(ids(&updates), ["x"]);
    let reason = statuses(&updates).iter().find_map(|s| match s {
        TailStatus::Polling { reason, .. } => reason.clone(),
        _ => None,
    });
    assert!(reason.unwrap().contains("Live Tail unavailable"));
    assert_eq!(fake.live_starts.load(Ordering::SeqCst), 1);
    fake.put("y", NOW - 500);
    let more = collect(&mut rx, has_ids(1)).await;
    assert_eq!(ids(&more), ["y"]);
}

#[tokio::test(start_paused = true)]
async fn live_sessions_that_end_at_once_fall_back_to_polling() {
    let fake = Fake::new(Live::EndsAtOnce, Vec::new());
    fake.put("x", NOW - 1_000);
    let (_handle, mut rx) = start(fake.clone(), fake_request(true, true));
    let updates = collect(&mut rx, |u| {
        statuses(u)
            .iter()
            .any(|s| matches!(s, TailStatus::Polling { .. }))
    })
    .await;
    assert_eq!(
        ids(&updates),
        ["x"],
        "the backfill of both sessions showed x once"
    );
    assert_eq!(fake.live_starts.load(Ordering::SeqCst), 2);
    let reason = statuses(&updates).iter().find_map(|s| match s {
        TailStatus::Polling { reason, .. } => reason.clone(),
        _ => None,
    });
    assert!(reason.unwrap().contains("end as soon as they open"));
}

#[tokio::test(start_paused = true)]
async fn a_live_session_is_reopened_before_its_limit_and_the_gap_is_read() {
    let fake = Fake::new(Live::Forever, Vec::new());
    fake.put("x", NOW - 1_000);
    let mut request = fake_request(true, true);
    request.options.live_session = Duration::from_secs(60);
    let (_handle, mut rx) = start(fake.clone(), request);
    let mut updates = collect(&mut rx, has_ids(1)).await;
    // an event the stream never sends (it arrived between two sessions)
    fake.put("between", NOW - 500);
    tokio::time::sleep(Duration::from_secs(61)).await;
    updates.extend(collect(&mut rx, has_ids(1)).await);
    assert_eq!(fake.live_starts.load(Ordering::SeqCst), 2);
    assert_eq!(
        sorted(ids(&updates)),
        ["between", "x"].map(String::from).to_vec()
    );
}

#[tokio::test(start_paused = true)]
async fn the_filter_is_applied_on_the_client() {
    let demo = demo_with_group();
    put(&demo, &[("keep-me", NOW - 2_000), ("drop", NOW - 1_000)]);
    let mut request = TailRequest::new(vec![GROUP.into()], "15m".parse().unwrap(), false);
    request.options = options(fixed_clock(Arc::new(AtomicI64::new(NOW))));
    request.filter = Some("keep-me".into());
    let (_handle, mut rx) = start(demo, request);
    let updates = collect(&mut rx, |u| {
        matches!(u.last(), Some(TailUpdate::Status(TailStatus::Finished)))
    })
    .await;
    assert_eq!(ids(&updates), ["keep-me"]);
}

#[tokio::test(start_paused = true)]
async fn every_group_shares_one_request_budget() {
    let fake = Fake::new(Live::Unsupported, Vec::new());
    for i in 0..20 {
        fake.put(&format!("e{i}"), NOW - 100_000 + i);
    }
    let mut request = fake_request(false, false);
    // the fake answers every group name with its one group
    request.groups = vec!["g1".into(), "g2".into()];
    request.options.requests_per_second = 2.0;
    let began = tokio::time::Instant::now();
    let (_handle, mut rx) = start(fake.clone(), request);
    collect(&mut rx, |u| {
        matches!(u.last(), Some(TailUpdate::Status(TailStatus::Finished)))
    })
    .await;
    // 20 events at 2 a page, for each of two groups: 20 requests, 2 at
    // once, then 2 a second for both together
    assert_eq!(fake.filter_calls.load(Ordering::SeqCst), 20);
    assert_eq!(began.elapsed(), Duration::from_secs(9));
}
