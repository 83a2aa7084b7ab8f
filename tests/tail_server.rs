//! The tail against the test server (moto): events put in batches while a
//! tail follows — some older than events already shown, some sharing a
//! timestamp — each appear exactly once; a network outage mid-tail resumes
//! without a gap or a duplicate; and `vigil tail` through the binary on the
//! seeded lab. The server cannot stream Live Tail (TEST-SERVER.md), so the
//! tail must notice and poll.

mod common;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_cloudwatchlogs::Client as Logs;
use aws_sdk_cloudwatchlogs::types::InputLogEvent;
use serde_json::Value;
use tokio::sync::mpsc::Receiver;
use vigil::cloud::Cloud;
use vigil::tail::follow::{self, TailOptions, TailRequest};
use vigil::tail::update::{TailStatus, TailUpdate};

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn logs_client(endpoint: &str) -> Logs {
    let conf = aws_sdk_cloudwatchlogs::config::Builder::new()
        .behavior_version(aws_sdk_cloudwatchlogs::config::BehaviorVersion::latest())
        .region(aws_sdk_cloudwatchlogs::config::Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(aws_sdk_cloudwatchlogs::config::Credentials::new(
            "testing", "testing", None, None, "test",
        ))
        .build();
    Logs::from_conf(conf)
}

/// A fresh group with one stream, named for the test.
async fn fresh_group(logs: &Logs, test: &str) -> String {
    let name = format!("tail-test-{test}-{}", now_ms());
    logs.create_log_group()
        .log_group_name(&name)
        .send()
        .await
        .unwrap();
    logs.create_log_stream()
        .log_group_name(&name)
        .log_stream_name("s")
        .send()
        .await
        .unwrap();
    name
}

fn record(id: &str, ts: i64) -> String {
    serde_json::json!({
        "eventVersion": "1.08",
        "userIdentity": {"type": "IAMUser", "userName": "alice", "accountId": "123456789012"},
        "eventTime": vigil::lab::iso8601(ts),
        "eventSource": "s3.amazonaws.com", "eventName": "GetObject",
        "eventID": id, "recipientAccountId": "123456789012"
    })
    .to_string()
}

/// `PutLogEvents`, one batch (the API wants it in time order).
async fn put(logs: &Logs, group: &str, events: &[(&str, i64)]) {
    let mut events = events.to_vec();
    events.sort_by_key(|(_, ts)| *ts);
    let mut call = logs
        .put_log_events()
        .log_group_name(group)
        .log_stream_name("s");
    for (id, ts) in events {
        call = call.log_events(
            InputLogEvent::builder()
                .timestamp(ts)
                .message(record(id, ts))
                .build()
                .unwrap(),
        );
    }
    call.send().await.unwrap();
}

fn quick_options() -> TailOptions {
    TailOptions {
        poll_every: Duration::from_millis(300),
        ..TailOptions::default()
    }
}

/// What a tail delivered so far.
#[derive(Default)]
struct Seen {
    ids: BTreeMap<String, usize>,
    statuses: Vec<TailStatus>,
}

impl Seen {
    fn total(&self) -> usize {
        self.ids.values().sum()
    }

    fn has(&self, want: &[&str]) -> bool {
        want.iter().all(|id| self.ids.contains_key(*id))
    }

    fn status(&self, f: impl Fn(&TailStatus) -> bool) -> bool {
        self.statuses.iter().any(f)
    }
}

/// Read updates until `done`, failing the test after `within`.
async fn until(
    rx: &mut Receiver<TailUpdate>,
    seen: &mut Seen,
    within: Duration,
    done: impl Fn(&Seen) -> bool,
) {
    let deadline = tokio::time::Instant::now() + within;
    while !done(seen) {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(TailUpdate::Events(events))) => {
                for e in events {
                    *seen.ids.entry(e.event_id).or_default() += 1;
                }
            }
            Ok(Some(TailUpdate::Status(s))) => seen.statuses.push(s),
            Ok(Some(TailUpdate::Unparsed(u))) => panic!("unexpected unparsed records: {u:?}"),
            Ok(None) => panic!("the tail ended"),
            Err(_) => panic!(
                "not done within {within:?}: ids {:?}, statuses {:?}",
                seen.ids, seen.statuses
            ),
        }
    }
}

/// Let a few more polling passes run; collect whatever they deliver.
async fn settle(rx: &mut Receiver<TailUpdate>, seen: &mut Seen) {
    let end = tokio::time::Instant::now() + Duration::from_secs(2);
    while let Ok(Some(u)) = tokio::time::timeout_at(end, rx.recv()).await {
        match u {
            TailUpdate::Events(events) => {
                for e in events {
                    *seen.ids.entry(e.event_id).or_default() += 1;
                }
            }
            TailUpdate::Status(s) => seen.statuses.push(s),
            TailUpdate::Unparsed(_) => {}
        }
    }
}

const WITHIN: Duration = Duration::from_secs(60);

#[tokio::test]
async fn batches_with_late_and_same_timestamp_events_each_appear_exactly_once() {
    let endpoint = common::endpoint();
    let logs = logs_client(&endpoint);
    let group = fresh_group(&logs, "batches").await;
    let t = now_ms();
    put(&logs, &group, &[("a1", t - 60_000), ("a2", t - 30_000)]).await;

    let cloud: Arc<dyn Cloud> = Arc::new(common::aws_at(&endpoint).await);
    let mut request = TailRequest::new(vec![group.clone()], "15m".parse().unwrap(), true);
    request.options = quick_options();
    let (_tail, mut rx) = follow::start(cloud, request);
    let mut seen = Seen::default();
    until(&mut rx, &mut seen, WITHIN, |s| s.has(&["a1", "a2"])).await;

    put(&logs, &group, &[("b1", t), ("b2", t), ("b3", t)]).await;
    until(&mut rx, &mut seen, WITHIN, |s| s.has(&["b1", "b2", "b3"])).await;
    // older than everything shown so far
    put(
        &logs,
        &group,
        &[("late1", t - 120_000), ("late2", t - 45_000)],
    )
    .await;
    until(&mut rx, &mut seen, WITHIN, |s| s.has(&["late1", "late2"])).await;
    // the same timestamp as events already shown
    put(&logs, &group, &[("same", t)]).await;
    until(&mut rx, &mut seen, WITHIN, |s| s.has(&["same"])).await;
    settle(&mut rx, &mut seen).await;

    assert_eq!(seen.total(), 8, "{:?}", seen.ids);
    assert!(seen.ids.values().all(|n| *n == 1), "{:?}", seen.ids);
    // the test server cannot stream: the tail said so and polled
    assert!(
        seen.status(
            |s| matches!(s, TailStatus::Polling { reason: Some(r), .. } if r.contains("Live Tail"))
        ),
        "{:?}",
        seen.statuses
    );
}

/// A TCP proxy in front of the test server whose connections can be cut
/// and refused, then let through again: a network outage the tail cannot
/// tell from a real one, while the server keeps its state.
struct Outage {
    endpoint: String,
    up: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
}

impl Outage {
    fn start(upstream: &str) -> Outage {
        let upstream = upstream.trim_start_matches("http://").to_string();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let up = Arc::new(AtomicBool::new(true));
        let open: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let (up2, open2) = (up.clone(), open.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                if !up2.load(Ordering::SeqCst) {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(server) = TcpStream::connect(&upstream) else {
                    continue;
                };
                {
                    let mut open = open2.lock().unwrap();
                    open.push(client.try_clone().unwrap());
                    open.push(server.try_clone().unwrap());
                }
                for (mut from, mut to) in [
                    (client.try_clone().unwrap(), server.try_clone().unwrap()),
                    (server, client),
                ] {
                    std::thread::spawn(move || {
                        let mut buf = [0u8; 16 * 1024];
                        while let Ok(n) = from.read(&mut buf) {
                            if n == 0 || to.write_all(&buf[..n]).is_err() {
                                break;
                            }
                        }
                        let _ = to.shutdown(Shutdown::Both);
                    });
                }
            }
        });
        Outage { endpoint, up, open }
    }

    /// Every open connection dropped, new ones refused.
    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for s in self.open.lock().unwrap().drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

#[tokio::test]
async fn a_network_outage_mid_tail_resumes_without_a_gap_or_a_duplicate() {
    let endpoint = common::endpoint();
    let logs = logs_client(&endpoint);
    let group = fresh_group(&logs, "outage").await;
    let t = now_ms();
    put(&logs, &group, &[("before", t - 10_000)]).await;

    let outage = Outage::start(&endpoint);
    let cloud: Arc<dyn Cloud> = Arc::new(common::aws_at(&outage.endpoint).await);
    let mut request = TailRequest::new(vec![group.clone()], "15m".parse().unwrap(), true);
    request.options = quick_options();
    let (_tail, mut rx) = follow::start(cloud, request);
    let mut seen = Seen::default();
    until(&mut rx, &mut seen, WITHIN, |s| {
        s.has(&["before"]) && s.status(|s| matches!(s, TailStatus::Polling { .. }))
    })
    .await;

    outage.cut();
    until(&mut rx, &mut seen, WITHIN, |s| {
        s.status(|s| matches!(s, TailStatus::Retrying { .. }))
    })
    .await;
    // events arrive while the tail cannot reach the server, one of them
    // older than what it has shown
    put(
        &logs,
        &group,
        &[("during1", t - 1_000), ("during2", t - 20_000)],
    )
    .await;
    std::thread::sleep(Duration::from_millis(500));
    outage.restore();
    until(&mut rx, &mut seen, WITHIN, |s| {
        s.has(&["during1", "during2"]) && s.status(|s| matches!(s, TailStatus::Resumed { .. }))
    })
    .await;
    put(&logs, &group, &[("after", now_ms())]).await;
    until(&mut rx, &mut seen, WITHIN, |s| s.has(&["after"])).await;
    settle(&mut rx, &mut seen).await;

    assert_eq!(
        seen.ids.keys().collect::<Vec<_>>(),
        ["after", "before", "during1", "during2"]
    );
    assert!(seen.ids.values().all(|n| *n == 1), "{:?}", seen.ids);
}

#[test]
fn vigil_tail_prints_the_seeded_lab_as_json_lines() {
    let endpoint = common::endpoint();
    let seed = common::vigil()
        .args(["--endpoint-url", &endpoint, "lab", "seed"])
        .output()
        .unwrap();
    assert!(
        seed.status.success(),
        "{}",
        String::from_utf8_lossy(&seed.stderr)
    );
    let no_config = tempfile::tempdir().unwrap();
    let out = common::vigil()
        .env("VIGIL_CONFIG_DIR", no_config.path())
        .args([
            "--endpoint-url",
            &endpoint,
            "tail",
            "--log-group",
            "aws-cloudtrail-logs-vigil-lab",
            "--since",
            "1d",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let events: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let lab = vigil::lab::Lab::embedded().unwrap();
    assert_eq!(events.len(), lab.log_groups[0].events.len() - 1);
    let names: Vec<&str> = events
        .iter()
        .map(|e| e["event_name"].as_str().unwrap())
        .collect();
    assert_eq!(names[0], "ConsoleLogin");
    assert!(names.contains(&"StopLogging"));
    // the OSC 52 user agent arrives escaped; the session tokens masked
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text.contains('\u{1b}') && !text.contains("\\u001b"),
        "a raw escape"
    );
    assert!(!text.contains("IQoJb3JpZ2lu"), "a session token");
    let mallory = events
        .iter()
        .find(|e| e["event_name"] == "DeleteBucketPolicy")
        .unwrap();
    assert!(
        mallory["user_agent"]
            .as_str()
            .unwrap()
            .contains("\\x1b]52;")
    );
    // every detection fires on the lab
    let fired: std::collections::BTreeSet<&str> = events
        .iter()
        .flat_map(|e| {
            e["detections"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d.as_str().unwrap())
        })
        .collect();
    assert_eq!(
        fired.len(),
        vigil::tail::detect::CATALOGUE.len(),
        "{fired:?}"
    );
    assert_eq!(
        stderr.matches("not a CloudTrail record (").count(),
        1,
        "{stderr}"
    );

    // with no group named, the lab's CloudTrail group is found
    let out = common::vigil()
        .env("VIGIL_CONFIG_DIR", no_config.path())
        .args(["--endpoint-url", &endpoint, "tail", "--since", "1d"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("CloudTrail groups found")
            && stderr.contains("aws-cloudtrail-logs-vigil-lab"),
        "{stderr}"
    );
}

#[test]
fn vigil_tail_of_a_missing_group_exits_2_saying_which() {
    let endpoint = common::endpoint();
    let out = common::vigil()
        .args([
            "--endpoint-url",
            &endpoint,
            "tail",
            "--log-group",
            "no-such-group",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no-such-group: gave up"), "{stderr}");
}
