//! The journal: every change vigil made to an account, as JSON lines in the
//! data directory, one file per account (`journal/<account>.jsonl`).
//!
//! An entry is two records: the *intent* (who, which role, what, the exact
//! prior state) is appended and synced to disk before anything changes; the
//! *outcome* (result and read-back verification) is appended after. An
//! intent without an outcome means vigil stopped in between: the next start
//! finds it with [`Journal::unfinished`] and offers verify or undo. Records
//! of other kinds (findings seen, events) can be appended for the incident
//! report. Never credentials or codes: nothing secret is in these types.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::plan::Step;
use crate::model::change::Change;
use crate::model::finding::Finding;

/// Who made a change, and through which role session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// The caller's ARN before elevation (`GetCallerIdentity`).
    pub operator: String,
    /// The role elevated into; `None` when the current credentials wrote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_name: Option<String>,
}

/// Apply a remediation, or undo an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Apply,
    Undo,
}

/// Written and synced before the first write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intent {
    pub id: String,
    /// RFC 3339, UTC.
    pub time: String,
    pub account_id: String,
    pub actor: Actor,
    pub action: Action,
    pub remediation: String,
    pub title: String,
    pub resource: String,
    /// For an undo: the entry it undoes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undoes: Option<String>,
    /// In order; each `before` is the state read just before writing.
    pub steps: Vec<Step>,
    #[serde(default)]
    pub warnings: Vec<String>,
    /// The failing findings the change was meant to fix.
    #[serde(default)]
    pub findings: Vec<Finding>,
}

/// How an entry ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Result {
    /// Every step was written and read back as expected.
    Applied,
    /// Every step was written but the read-back differs.
    Unverified,
    /// A write failed; `applied_steps` were made before it.
    Failed,
    /// Nothing was written (found after a restart: the state is still `before`).
    NotApplied,
}

/// One step read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepCheck {
    pub expected: Change,
    /// `None` when it could not be read back.
    pub observed: Option<Change>,
    pub matches: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The read-back after applying.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    pub verified: bool,
    pub steps: Vec<StepCheck>,
}

/// Appended after the writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub id: String,
    pub time: String,
    pub result: Result,
    pub applied_steps: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub verification: Verification,
    /// Set when the outcome was established later (after a restart).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovered: Option<String>,
}

/// Something seen, for the incident report (a finding, a live event, a
/// note). The console appends these; the CLI appends the findings it fixes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observation {
    pub time: String,
    /// `finding`, `event`, `note`.
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    pub summary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<serde_json::Value>,
}

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum Record {
    Intent(Intent),
    Outcome(Outcome),
    Observation(Observation),
}

/// An intent with what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    #[serde(flatten)]
    pub intent: Intent,
    /// The latest outcome; `None` while unfinished.
    pub outcome: Option<Outcome>,
    /// The undo entry that reversed this one, when it succeeded.
    pub undone_by: Option<String>,
}

impl Entry {
    pub fn id(&self) -> &str {
        &self.intent.id
    }

    /// No outcome was ever recorded: vigil stopped between intent and outcome.
    pub fn is_unfinished(&self) -> bool {
        self.outcome.is_none()
    }

    /// A short status word for tables.
    pub fn status(&self) -> &'static str {
        match (&self.outcome, &self.undone_by) {
            (None, _) => "unfinished",
            (Some(_), Some(_)) => "undone",
            (Some(o), None) => match o.result {
                Result::Applied => "applied",
                Result::Unverified => "unverified",
                Result::Failed => "failed",
                Result::NotApplied => "not-applied",
            },
        }
    }
}

/// A line that could not be read back (a torn write, a hand edit). Kept in
/// the file untouched and reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Damaged {
    pub line: usize,
    pub error: String,
}

/// Everything in one journal file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Contents {
    pub entries: Vec<Entry>,
    pub observations: Vec<Observation>,
    pub damaged: Vec<Damaged>,
}

/// Journal errors.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("no data directory: set VIGIL_DATA_DIR or HOME")]
    NoDataDir,
    #[error("account id {0:?} cannot name a journal file")]
    BadAccount(String),
    #[error("cannot write the journal {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read the journal {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no journal entry {0}")]
    NoSuchEntry(String),
    #[error("{0:?} matches several journal entries: {1}")]
    Ambiguous(String, String),
}

/// The journal of one account.
#[derive(Debug, Clone)]
pub struct Journal {
    path: PathBuf,
}

impl Journal {
    /// The journal of `account_id` under `data_dir` (`config::data_dir()`).
    /// Nothing is created until the first record.
    pub fn open(data_dir: &Path, account_id: &str) -> std::result::Result<Journal, JournalError> {
        let ok = !account_id.is_empty()
            && account_id.len() <= 64
            && account_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !ok {
            return Err(JournalError::BadAccount(account_id.to_string()));
        }
        Ok(Journal {
            path: data_dir.join("journal").join(format!("{account_id}.jsonl")),
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Append one record and sync it (and, for a new file, its directory)
    /// to disk before returning. Appends are serialised with an exclusive
    /// lock, so two vigils on one account do not interleave lines.
    pub fn append(&self, record: &Record) -> std::result::Result<(), JournalError> {
        let err = |source| JournalError::Write {
            path: self.path.clone(),
            source,
        };
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let created = !self.path.exists();
        std::fs::create_dir_all(dir).map_err(err)?;
        let mut line = serde_json::to_string(record).map_err(|e| err(std::io::Error::other(e)))?;
        line.push('\n');
        let mut options = OpenOptions::new();
        options.create(true).append(true);
        // Prior policies and who changed what: the operator's eyes only.
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&self.path).map_err(err)?;
        // A journal an older vigil created under a looser umask is
        // tightened too.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            file.set_permissions(std::fs::Permissions::from_mode(0o600))
                .map_err(err)?;
        }
        file.lock().map_err(err)?;
        let written = file
            .write_all(line.as_bytes())
            .and_then(|()| file.sync_all());
        let _ = file.unlock();
        written.map_err(err)?;
        if created {
            // The new file's name is durable only once its directory is.
            File::open(dir).and_then(|d| d.sync_all()).map_err(err)?;
        }
        Ok(())
    }

    /// Every record, folded into entries. A missing file is an empty journal.
    pub fn read(&self) -> std::result::Result<Contents, JournalError> {
        let file = match File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Contents::default()),
            Err(source) => {
                return Err(JournalError::Read {
                    path: self.path.clone(),
                    source,
                });
            }
        };
        let mut contents = Contents::default();
        let mut outcomes: Vec<Outcome> = Vec::new();
        for (i, line) in BufReader::new(file).lines().enumerate() {
            let line = line.map_err(|source| JournalError::Read {
                path: self.path.clone(),
                source,
            })?;
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Record>(&line) {
                Ok(Record::Intent(intent)) => contents.entries.push(Entry {
                    intent,
                    outcome: None,
                    undone_by: None,
                }),
                Ok(Record::Outcome(o)) => outcomes.push(o),
                Ok(Record::Observation(o)) => contents.observations.push(o),
                Err(e) => contents.damaged.push(Damaged {
                    line: i + 1,
                    error: e.to_string(),
                }),
            }
        }
        for o in outcomes {
            if let Some(e) = contents.entries.iter_mut().find(|e| e.intent.id == o.id) {
                e.outcome = Some(o);
            }
        }
        let undone: Vec<(String, String)> = contents
            .entries
            .iter()
            .filter(|e| e.intent.action == Action::Undo)
            .filter(|e| {
                e.outcome
                    .as_ref()
                    .is_some_and(|o| o.result == Result::Applied)
            })
            .filter_map(|e| Some((e.intent.undoes.clone()?, e.intent.id.clone())))
            .collect();
        for (target, by) in undone {
            if let Some(e) = contents.entries.iter_mut().find(|e| e.intent.id == target) {
                e.undone_by = Some(by);
            }
        }
        Ok(contents)
    }

    /// Entries vigil started and never finished (it stopped in between).
    pub fn unfinished(&self) -> std::result::Result<Vec<Entry>, JournalError> {
        Ok(self
            .read()?
            .entries
            .into_iter()
            .filter(Entry::is_unfinished)
            .collect())
    }

    /// The entry with this id, or the one entry whose id starts with it.
    pub fn entry(&self, id: &str) -> std::result::Result<Entry, JournalError> {
        let entries = self.read()?.entries;
        if let Some(e) = entries.iter().find(|e| e.intent.id == id) {
            return Ok(e.clone());
        }
        let matching: Vec<&Entry> = entries
            .iter()
            .filter(|e| e.intent.id.starts_with(id))
            .collect();
        match matching[..] {
            [one] if !id.is_empty() => Ok(one.clone()),
            [] | [_] => Err(JournalError::NoSuchEntry(id.to_string())),
            _ => Err(JournalError::Ambiguous(
                id.to_string(),
                matching
                    .iter()
                    .map(|e| e.intent.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            )),
        }
    }

    /// Append an observation for the incident report.
    pub fn observe(&self, observation: Observation) -> std::result::Result<(), JournalError> {
        self.append(&Record::Observation(observation))
    }
}

/// A new entry id: the UTC time to the second and 8 random hex digits,
/// e.g. `20260105T143012Z-1a2b3c4d`; sortable and short enough to type.
pub fn new_id(now_ms: i64) -> String {
    let t = super::time_text(now_ms);
    let compact: String = t
        .chars()
        .take(19)
        .filter(|c| c.is_ascii_digit() || *c == 'T')
        .collect();
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("{compact}Z-{}", &random[..8])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn intent(id: &str, action: Action, undoes: Option<&str>) -> Intent {
        Intent {
            id: id.into(),
            time: "2026-01-05T14:30:12Z".into(),
            account_id: "123456789012".into(),
            actor: Actor {
                operator: "arn:aws:iam::123456789012:user/alice".into(),
                role_arn: None,
                session_name: None,
            },
            action,
            remediation: "bucket-versioning-on".into(),
            title: "t".into(),
            resource: "arn:aws:s3:::b".into(),
            undoes: undoes.map(str::to_string),
            steps: Vec::new(),
            warnings: Vec::new(),
            findings: Vec::new(),
        }
    }

    fn outcome(id: &str, result: Result) -> Outcome {
        Outcome {
            id: id.into(),
            time: "2026-01-05T14:30:13Z".into(),
            result,
            applied_steps: 1,
            error: None,
            verification: Verification {
                verified: true,
                steps: Vec::new(),
            },
            recovered: None,
        }
    }

    #[test]
    fn intents_and_outcomes_fold_into_entries_and_unfinished_ones_are_found() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::open(dir.path(), "123456789012").unwrap();
        assert!(j.read().unwrap().entries.is_empty());
        j.append(&Record::Intent(intent("a-1", Action::Apply, None)))
            .unwrap();
        j.append(&Record::Outcome(outcome("a-1", Result::Applied)))
            .unwrap();
        j.append(&Record::Intent(intent("b-2", Action::Apply, None)))
            .unwrap();
        let c = j.read().unwrap();
        assert_eq!(c.entries.len(), 2);
        assert_eq!(c.entries[0].status(), "applied");
        let unfinished = j.unfinished().unwrap();
        assert_eq!(unfinished.len(), 1);
        assert_eq!(unfinished[0].id(), "b-2");
        j.append(&Record::Intent(intent("c-3", Action::Undo, Some("a-1"))))
            .unwrap();
        j.append(&Record::Outcome(outcome("c-3", Result::Applied)))
            .unwrap();
        assert_eq!(j.entry("a-1").unwrap().undone_by.as_deref(), Some("c-3"));
        assert_eq!(j.entry("a-1").unwrap().status(), "undone");
        assert_eq!(j.entry("c").unwrap().id(), "c-3");
        assert!(matches!(j.entry("zz"), Err(JournalError::NoSuchEntry(_))));
        j.append(&Record::Intent(intent("c-4", Action::Apply, None)))
            .unwrap();
        assert!(matches!(j.entry("c"), Err(JournalError::Ambiguous(..))));
    }

    /// The journal holds prior policies and who changed what: only its
    /// owner reads it, whatever the umask.
    #[cfg(unix)]
    #[test]
    fn the_journal_file_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::open(dir.path(), "123456789012").unwrap();
        j.append(&Record::Intent(intent("a-1", Action::Apply, None)))
            .unwrap();
        let mode = std::fs::metadata(j.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
        // One left readable by others is tightened at the next append.
        std::fs::set_permissions(j.path(), std::fs::Permissions::from_mode(0o644)).unwrap();
        j.append(&Record::Outcome(outcome("a-1", Result::Applied)))
            .unwrap();
        let mode = std::fs::metadata(j.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }

    #[test]
    fn a_damaged_line_is_reported_and_the_rest_still_read() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::open(dir.path(), "123456789012").unwrap();
        j.append(&Record::Intent(intent("a-1", Action::Apply, None)))
            .unwrap();
        let mut f = OpenOptions::new().append(true).open(j.path()).unwrap();
        f.write_all(b"{\"record\":\"intent\",\"id\":\"torn\n")
            .unwrap();
        j.append(&Record::Outcome(outcome("a-1", Result::Applied)))
            .unwrap();
        let c = j.read().unwrap();
        assert_eq!(c.entries.len(), 1);
        assert_eq!(c.entries[0].status(), "applied");
        assert_eq!(c.damaged.len(), 1);
        assert_eq!(c.damaged[0].line, 2);
    }

    #[test]
    fn account_ids_cannot_escape_the_journal_directory() {
        let dir = tempfile::tempdir().unwrap();
        for bad in ["../etc", "", "a/b", "x\u{0}"] {
            assert!(Journal::open(dir.path(), bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn ids_are_time_ordered_and_distinct() {
        let a = new_id(1_767_623_412_000);
        let b = new_id(1_767_623_412_000);
        assert!(a.starts_with("20260105T143012Z-"), "{a}");
        assert_ne!(a, b);
    }
}
