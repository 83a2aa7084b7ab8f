//! The tail pane's memory: the newest rows, at most a fixed number.
//!
//! The console applies each [`TailUpdate`] to a [`TailBuffer`] and draws
//! from it. Rows keep the order they arrived in; each has a sequence number
//! that never changes, so a selection survives older rows falling off the
//! front. 50,000 rows of CloudTrail events take well under 150 MB (README,
//! Benchmarks).

use std::collections::VecDeque;

use super::posture::{Recheck, rechecks};
use super::update::{TailStatus, TailUpdate};
use crate::model::trail::{TrailEvent, UnparsedRecord};

/// The default number of rows kept.
pub const DEFAULT_CAPACITY: usize = 50_000;

/// One row of the tail pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TailRow {
    Event(Box<TrailEvent>),
    /// A message that is not a CloudTrail record, shown raw (sanitised).
    Unparsed(Box<UnparsedRecord>),
}

impl TailRow {
    /// The event, for rows that are one.
    pub fn event(&self) -> Option<&TrailEvent> {
        match self {
            TailRow::Event(e) => Some(e),
            TailRow::Unparsed(_) => None,
        }
    }
}

/// What applying one update changed, for the console to act on.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Applied {
    /// Rows added.
    pub rows: usize,
    /// The update was a status: the new status line.
    pub status: Option<TailStatus>,
    /// Buckets and principals the new events changed: re-read them
    /// (deduplicated within the update).
    pub rechecks: Vec<Recheck>,
}

/// A bounded ring of tail rows.
#[derive(Debug, Clone)]
pub struct TailBuffer {
    rows: VecDeque<TailRow>,
    capacity: usize,
    /// The sequence number of `rows[0]`.
    first_seq: u64,
    events_seen: u64,
    unparsed_seen: u64,
    alerts_seen: u64,
}

impl Default for TailBuffer {
    fn default() -> Self {
        TailBuffer::new(DEFAULT_CAPACITY)
    }
}

impl TailBuffer {
    /// A buffer that keeps the newest `capacity` rows (at least one).
    pub fn new(capacity: usize) -> TailBuffer {
        let capacity = capacity.max(1);
        TailBuffer {
            rows: VecDeque::with_capacity(capacity.min(4096)),
            capacity,
            first_seq: 0,
            events_seen: 0,
            unparsed_seen: 0,
            alerts_seen: 0,
        }
    }

    /// Add a row, dropping the oldest when full; its sequence number.
    pub fn push(&mut self, row: TailRow) -> u64 {
        match &row {
            TailRow::Event(e) => {
                self.events_seen += 1;
                if !e.detections.is_empty() {
                    self.alerts_seen += 1;
                }
            }
            TailRow::Unparsed(_) => self.unparsed_seen += 1,
        }
        if self.rows.len() == self.capacity {
            self.rows.pop_front();
            self.first_seq += 1;
        }
        self.rows.push_back(row);
        self.next_seq() - 1
    }

    /// Take in one update from the tail.
    pub fn apply(&mut self, update: TailUpdate) -> Applied {
        let mut applied = Applied::default();
        match update {
            TailUpdate::Events(events) => {
                for e in events {
                    for r in rechecks(&e) {
                        if !applied.rechecks.contains(&r) {
                            applied.rechecks.push(r);
                        }
                    }
                    self.push(TailRow::Event(Box::new(e)));
                    applied.rows += 1;
                }
            }
            TailUpdate::Unparsed(records) => {
                for r in records {
                    self.push(TailRow::Unparsed(Box::new(r)));
                    applied.rows += 1;
                }
            }
            TailUpdate::Status(s) => applied.status = Some(s),
        }
        applied
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The sequence number of the oldest row kept.
    pub fn first_seq(&self) -> u64 {
        self.first_seq
    }

    /// The sequence number the next row will get.
    pub fn next_seq(&self) -> u64 {
        self.first_seq + self.rows.len() as u64
    }

    /// The row with this sequence number, if still kept.
    pub fn get(&self, seq: u64) -> Option<&TailRow> {
        let i = seq.checked_sub(self.first_seq)?;
        self.rows.get(usize::try_from(i).ok()?)
    }

    /// Rows oldest first, with their sequence numbers.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (u64, &TailRow)> + ExactSizeIterator {
        let first = self.first_seq;
        self.rows
            .iter()
            .enumerate()
            .map(move |(i, r)| (first + i as u64, r))
    }

    /// Events received since the start (kept or not).
    pub fn events_seen(&self) -> u64 {
        self.events_seen
    }

    /// Unparsed records received since the start: the console shows the count.
    pub fn unparsed_seen(&self) -> u64 {
        self.unparsed_seen
    }

    /// Events with at least one detection, since the start.
    pub fn alerts_seen(&self) -> u64 {
        self.alerts_seen
    }

    /// Rows that fell off the front.
    pub fn dropped(&self) -> u64 {
        self.first_seq
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::trail::RecordOrigin;
    use crate::tail::parse::normalise;

    fn event(name: &str, bucket: &str) -> TrailEvent {
        normalise(
            serde_json::json!({
                "eventVersion": "1.08", "eventTime": "2025-01-01T00:00:00Z",
                "eventSource": "s3.amazonaws.com", "eventName": name,
                "userIdentity": {"type": "IAMUser", "userName": "bob", "accountId": "1"},
                "requestParameters": {"bucketName": bucket}, "eventID": name
            }),
            RecordOrigin::default(),
        )
        .unwrap()
    }

    fn unparsed() -> UnparsedRecord {
        UnparsedRecord {
            origin: RecordOrigin::default(),
            reason: "not JSON".into(),
            raw: "junk".into(),
            raw_len: 4,
        }
    }

    #[test]
    fn the_oldest_rows_fall_off_and_sequence_numbers_stay() {
        let mut b = TailBuffer::new(3);
        for i in 0..5 {
            assert_eq!(
                b.push(TailRow::Event(Box::new(event(&format!("E{i}"), "b")))),
                i
            );
        }
        assert_eq!(b.len(), 3);
        assert_eq!((b.first_seq(), b.next_seq(), b.dropped()), (2, 5, 2));
        assert!(b.get(1).is_none());
        assert_eq!(b.get(4).and_then(TailRow::event).unwrap().event_name, "E4");
        let names: Vec<_> = b
            .iter()
            .map(|(s, r)| (s, r.event().unwrap().event_name.clone()))
            .collect();
        assert_eq!(
            names,
            [(2, "E2".into()), (3, "E3".into()), (4, "E4".into())]
        );
        assert_eq!(b.events_seen(), 5);
    }

    #[test]
    fn applying_updates_counts_unparsed_and_names_what_to_reread() {
        let mut b = TailBuffer::default();
        assert_eq!(b.capacity(), 50_000);
        let applied = b.apply(TailUpdate::Events(vec![
            event("PutBucketPolicy", "a"),
            event("GetObject", "a"),
            event("DeleteBucketPolicy", "a"),
            event("PutBucketVersioning", "c"),
        ]));
        assert_eq!(applied.rows, 4);
        assert_eq!(
            applied.rechecks,
            [Recheck::Bucket("a".into()), Recheck::Bucket("c".into())]
        );
        assert_eq!(b.alerts_seen(), 2, "the two policy changes");
        let applied = b.apply(TailUpdate::Unparsed(vec![unparsed()]));
        assert_eq!((applied.rows, b.unparsed_seen(), b.len()), (1, 1, 5));
        let applied = b.apply(TailUpdate::Status(TailStatus::Finished));
        assert_eq!(applied.status, Some(TailStatus::Finished));
        assert_eq!(b.len(), 5);
    }
}
