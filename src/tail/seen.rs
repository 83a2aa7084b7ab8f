//! What the tail has already delivered, so that nothing is shown twice —
//! with a bounded memory.
//!
//! Polling re-reads an overlap window on every pass, and a Live Tail session
//! and the `FilterLogEvents` backfill that covers its start see the same
//! events, so every event is checked here before it is shown. Events are
//! known by key: CloudWatch's event id for `FilterLogEvents` events, and a
//! digest of (stream, timestamp, message) for Live Tail events, which have
//! no id. The content digest is also recorded for polled events, and a polled
//! event is checked against the digests Live Tail recorded, so the two
//! sources agree — without two distinct polled events that happen to be
//! identical ever being merged.
//!
//! Memory is bounded by time and by count: entries older than the oldest
//! window the tail will read again are forgotten ([`SeenEvents::forget_before`]),
//! and past `capacity` the oldest go first. Forgetting raises
//! [`SeenEvents::floor_ms`]; the tail never reads below the floor again,
//! so a forgotten event can never come back as a duplicate.

use std::collections::hash_map::RandomState;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{BuildHasher, Hash};

use crate::model::logs::LogEvent;

/// How many events one group's memory holds by default: more than an
/// overlap window of a busy trail holds.
pub const DEFAULT_CAPACITY: usize = 200_000;

/// Where a key came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Polled,
    Live,
}

/// The events one group has delivered.
#[derive(Debug)]
pub struct SeenEvents {
    /// Keyed digests (random per process: an attacker who writes log
    /// messages cannot aim for a collision).
    hasher: RandomState,
    ids: HashSet<u64>,
    contents: HashMap<u64, Source>,
    /// Every key by event timestamp, for forgetting oldest first.
    by_time: BTreeMap<i64, Vec<Key>>,
    len: usize,
    capacity: usize,
    floor_ms: i64,
}

#[derive(Debug, Clone, Copy)]
enum Key {
    Id(u64),
    Content(u64),
}

impl SeenEvents {
    pub fn new(capacity: usize) -> SeenEvents {
        SeenEvents {
            hasher: RandomState::new(),
            ids: HashSet::new(),
            contents: HashMap::new(),
            by_time: BTreeMap::new(),
            len: 0,
            capacity: capacity.max(1),
            floor_ms: i64::MIN,
        }
    }

    fn digest(&self, parts: impl Hash) -> u64 {
        self.hasher.hash_one(parts)
    }

    fn content(&self, e: &LogEvent) -> u64 {
        self.digest(("content", &e.log_stream, e.timestamp, &e.message))
    }

    /// A `FilterLogEvents` event: `true` if it is new (and now remembered).
    pub fn first_polled(&mut self, e: &LogEvent) -> bool {
        let id = self.digest(("id", &e.event_id));
        let content = self.content(e);
        if self.ids.contains(&id) || self.contents.get(&content) == Some(&Source::Live) {
            return false;
        }
        self.ids.insert(id);
        self.remember(e.timestamp, Key::Id(id));
        if self.contents.insert(content, Source::Polled).is_none() {
            self.remember(e.timestamp, Key::Content(content));
        }
        self.enforce_capacity();
        true
    }

    /// A Live Tail event (no id): `true` if it is new (and now remembered).
    pub fn first_live(&mut self, e: &LogEvent) -> bool {
        let content = self.content(e);
        if self.contents.contains_key(&content) {
            return false;
        }
        self.contents.insert(content, Source::Live);
        self.remember(e.timestamp, Key::Content(content));
        self.enforce_capacity();
        true
    }

    fn remember(&mut self, ts: i64, key: Key) {
        self.by_time.entry(ts).or_default().push(key);
        self.len += 1;
    }

    fn forget(&mut self, keys: Vec<Key>) {
        for k in keys {
            match k {
                Key::Id(id) => {
                    self.ids.remove(&id);
                }
                Key::Content(c) => {
                    self.contents.remove(&c);
                }
            }
            self.len -= 1;
        }
    }

    /// Forget every event older than `ts_ms`: the tail will not read before
    /// it again.
    pub fn forget_before(&mut self, ts_ms: i64) {
        while let Some(entry) = self.by_time.first_entry() {
            if *entry.key() >= ts_ms {
                break;
            }
            let keys = entry.remove();
            self.forget(keys);
        }
        self.floor_ms = self.floor_ms.max(ts_ms);
    }

    fn enforce_capacity(&mut self) {
        while self.len > self.capacity {
            let Some((ts, keys)) = self.by_time.pop_first() else {
                break;
            };
            self.forget(keys);
            self.floor_ms = self.floor_ms.max(ts.saturating_add(1));
        }
    }

    /// Events before this were forgotten: reading before it could show one
    /// twice, so the tail does not.
    pub fn floor_ms(&self) -> i64 {
        self.floor_ms
    }

    /// Keys remembered (ids and digests).
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(id: &str, ts: i64, message: &str) -> LogEvent {
        LogEvent {
            event_id: id.into(),
            log_stream: "s".into(),
            timestamp: ts,
            message: message.into(),
        }
    }

    #[test]
    fn a_polled_event_is_new_once_by_id() {
        let mut seen = SeenEvents::new(100);
        assert!(seen.first_polled(&ev("a", 1, "m")));
        assert!(!seen.first_polled(&ev("a", 1, "m")));
        // two distinct events with the same content and time are both shown
        assert!(seen.first_polled(&ev("b", 1, "m")));
    }

    #[test]
    fn live_and_polled_copies_of_one_event_are_shown_once_either_way() {
        let mut seen = SeenEvents::new(100);
        assert!(seen.first_live(&ev("", 5, "x")));
        assert!(
            !seen.first_polled(&ev("cw-1", 5, "x")),
            "the backfill's copy of a live event"
        );
        assert!(seen.first_polled(&ev("cw-2", 6, "y")));
        assert!(
            !seen.first_live(&ev("", 6, "y")),
            "the live copy of a polled event"
        );
        assert!(!seen.first_live(&ev("", 5, "x")));
    }

    #[test]
    fn forgetting_by_time_raises_the_floor() {
        let mut seen = SeenEvents::new(100);
        for ts in 0..10 {
            seen.first_polled(&ev(&ts.to_string(), ts, "m"));
        }
        seen.forget_before(5);
        assert_eq!(seen.floor_ms(), 5);
        assert_eq!(seen.len(), 10, "5 events, each with an id and a digest");
        assert!(!seen.first_polled(&ev("7", 7, "m")));
    }

    #[test]
    fn capacity_forgets_oldest_first_and_never_drops_below_the_floor() {
        let mut seen = SeenEvents::new(10);
        for ts in 0..20 {
            assert!(seen.first_polled(&ev(&ts.to_string(), ts, &ts.to_string())));
        }
        assert!(seen.len() <= 10);
        assert_eq!(seen.floor_ms(), 15, "the 5 newest events are remembered");
        assert!(!seen.first_polled(&ev("19", 19, "19")));
    }
}
