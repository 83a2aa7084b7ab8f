//! The demo account's CloudWatch Logs: the lab's log groups in memory,
//! `FilterLogEvents` pages, a Live Tail session, and (when asked) a replay
//! that keeps the demo's tail alive by re-sending lab events with fresh ids
//! and times.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::cloud::{CloudError, LiveTailEvent, LiveTailFrame, LiveTailStream, LogQuery};
use crate::lab::{self, Lab};
use crate::model::logs::{LogEvent, LogEventPage, LogGroup};

/// Events per `FilterLogEvents` page, small so that paging is exercised.
const PAGE: usize = 100;

/// How often the demo's Live Tail session looks for new events.
const LIVE_TICK: Duration = Duration::from_millis(500);

/// Re-sends lab events, one every `every`, stamped when they are due.
#[derive(Debug)]
struct Replay {
    every: Duration,
    started: Instant,
    done: u64,
    /// (group, stream, message template with `${account}` expanded).
    templates: Vec<(String, String, String)>,
}

/// The demo's log groups and their events.
#[derive(Debug, Default)]
pub(super) struct DemoLogs {
    groups: Vec<LogGroup>,
    /// Per group, sorted by timestamp.
    events: BTreeMap<String, Vec<LogEvent>>,
    /// Everything put after the start, in ingestion order: what a Live Tail
    /// session streams.
    ingested: Vec<LiveTailEvent>,
    next_id: u64,
    replay: Option<Replay>,
}

fn wall_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn no_such_group(name: &str) -> CloudError {
    CloudError::Other(format!(
        "ResourceNotFoundException: log group {name} does not exist"
    ))
}

impl DemoLogs {
    /// The lab's groups, events stamped relative to `now_ms`.
    pub(super) fn from_lab(lab: &Lab, now_ms: i64) -> DemoLogs {
        let mut logs = DemoLogs::default();
        for g in &lab.log_groups {
            logs.groups.push(LogGroup {
                name: g.name.clone(),
                retention_days: g.retention_days,
            });
            let n = g.events.len();
            let list: Vec<LogEvent> = g
                .events
                .iter()
                .enumerate()
                .map(|(i, template)| {
                    let t = lab::event_time_ms(now_ms, i, n);
                    LogEvent {
                        event_id: logs.fresh_id(),
                        log_stream: g.stream.clone(),
                        timestamp: t,
                        message: lab.log_message(template, t),
                    }
                })
                .collect();
            logs.events.insert(g.name.clone(), list);
        }
        logs.groups.sort_by(|a, b| a.name.cmp(&b.name));
        logs
    }

    fn fresh_id(&mut self) -> String {
        self.next_id += 1;
        format!("demo-{:010}", self.next_id)
    }

    /// Start re-sending the lab's events, one every `every`.
    pub(super) fn start_replay(&mut self, lab: &Lab, every: Duration) {
        let templates = lab
            .log_groups
            .iter()
            .flat_map(|g| {
                g.events
                    .iter()
                    .map(|t| (g.name.clone(), g.stream.clone(), lab.expand(t)))
            })
            .collect();
        self.replay = Some(Replay {
            every: every.max(Duration::from_millis(100)),
            started: Instant::now(),
            done: 0,
            templates,
        });
    }

    /// Put the replays that are due by now.
    fn catch_up(&mut self) {
        let Some(replay) = &mut self.replay else {
            return;
        };
        if replay.templates.is_empty() {
            return;
        }
        let due = (replay.started.elapsed().as_millis() / replay.every.as_millis().max(1)) as u64;
        let mut batch = Vec::new();
        while replay.done < due {
            let k = replay.done;
            replay.done += 1;
            let (group, stream, template) =
                &replay.templates[(k % replay.templates.len() as u64) as usize];
            let t = wall_ms();
            let message = fresh_record(&template.replace("${time}", &lab::iso8601(t)), k);
            batch.push((group.clone(), stream.clone(), t, message));
        }
        for (group, stream, t, message) in batch {
            let _ = self.put(&group, &stream, &[(t, message)]);
        }
    }

    pub(super) fn groups(&mut self) -> Vec<LogGroup> {
        self.catch_up();
        self.groups.clone()
    }

    /// One page, oldest first; the token is the offset of the next page.
    pub(super) fn filter(&mut self, query: &LogQuery) -> Result<LogEventPage, CloudError> {
        self.catch_up();
        let events = self
            .events
            .get(&query.group)
            .ok_or_else(|| no_such_group(&query.group))?;
        let matching: Vec<&LogEvent> = events
            .iter()
            .filter(|e| e.timestamp >= query.start_ms)
            .filter(|e| query.end_ms.is_none_or(|end| e.timestamp <= end))
            .collect();
        let offset = match &query.next_token {
            Some(t) => t.parse::<usize>().map_err(|_| {
                CloudError::Other(format!("InvalidParameterException: bad nextToken {t}"))
            })?,
            None => 0,
        };
        let page: Vec<LogEvent> = matching
            .iter()
            .skip(offset)
            .take(PAGE)
            .map(|e| (*e).clone())
            .collect();
        let next = offset + page.len();
        Ok(LogEventPage {
            next_token: (next < matching.len()).then(|| next.to_string()),
            events: page,
        })
    }

    /// Add events to a group (`PutLogEvents`): any timestamps, late ones
    /// included, each with a fresh id.
    pub(super) fn put(
        &mut self,
        group: &str,
        stream: &str,
        events: &[(i64, String)],
    ) -> Result<(), CloudError> {
        if !self.events.contains_key(group) {
            return Err(no_such_group(group));
        }
        for (timestamp, message) in events {
            let event = LogEvent {
                event_id: self.fresh_id(),
                log_stream: stream.to_string(),
                timestamp: *timestamp,
                message: message.clone(),
            };
            let list = self.events.entry(group.to_string()).or_default();
            let at = list.partition_point(|e| e.timestamp <= *timestamp);
            list.insert(at, event.clone());
            self.ingested.push(LiveTailEvent {
                group: group.to_string(),
                event: LogEvent {
                    event_id: String::new(),
                    ..event
                },
            });
        }
        Ok(())
    }

    /// Create a group (for tests that need an empty one).
    pub(super) fn create_group(&mut self, name: &str) {
        if !self.events.contains_key(name) {
            self.events.insert(name.to_string(), Vec::new());
            self.groups.push(LogGroup {
                name: name.to_string(),
                retention_days: None,
            });
            self.groups.sort_by(|a, b| a.name.cmp(&b.name));
        }
    }
}

/// A replayed record gets its own `eventID` (so it is a new event, not a
/// duplicate); a message that is not JSON is sent as it is.
fn fresh_record(message: &str, k: u64) -> String {
    match serde_json::from_str::<serde_json::Value>(message) {
        Ok(serde_json::Value::Object(mut map)) if map.contains_key("eventID") => {
            map.insert(
                "eventID".into(),
                format!("{k:08x}-d3e0-4000-8000-{k:012x}").into(),
            );
            serde_json::Value::Object(map).to_string()
        }
        _ => message.to_string(),
    }
}

fn lock(logs: &Mutex<DemoLogs>) -> MutexGuard<'_, DemoLogs> {
    match logs.lock() {
        Ok(l) => l,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// A Live Tail session on the demo: what is put from now on, every
/// [`LIVE_TICK`].
pub(super) fn live_tail(
    logs: &Arc<Mutex<DemoLogs>>,
    groups: &[String],
) -> Result<LiveTailStream, CloudError> {
    let cursor = {
        let mut l = lock(logs);
        l.catch_up();
        if let Some(missing) = groups.iter().find(|g| !l.events.contains_key(*g)) {
            return Err(no_such_group(missing));
        }
        l.ingested.len()
    };
    let state = (Arc::clone(logs), groups.to_vec(), cursor, false);
    let stream = futures::stream::unfold(state, |(logs, groups, cursor, started)| async move {
        if !started {
            return Some((Ok(LiveTailFrame::Started), (logs, groups, cursor, true)));
        }
        let mut cursor = cursor;
        loop {
            tokio::time::sleep(LIVE_TICK).await;
            let (events, next) = {
                let mut l = lock(&logs);
                l.catch_up();
                let events: Vec<LiveTailEvent> = l.ingested[cursor.min(l.ingested.len())..]
                    .iter()
                    .filter(|e| groups.contains(&e.group))
                    .cloned()
                    .collect();
                (events, l.ingested.len())
            };
            cursor = next;
            if !events.is_empty() {
                let frame = LiveTailFrame::Events {
                    events,
                    sampled: false,
                };
                return Some((Ok(frame), (logs, groups, cursor, true)));
            }
        }
    });
    Ok(Box::pin(stream))
}
