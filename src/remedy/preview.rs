//! What the operator sees before confirming: for each write, the setting's
//! before and after as a line diff, the API call, and the permissions the
//! whole plan needs. Every line is sanitised (a policy may hold
//! attacker-written text); the console draws the structured form, the CLI
//! prints [`Preview::to_text`].

use serde::Serialize;
use similar::{ChangeTag, TextDiff};

use super::catalogue::Reversibility;
use super::plan::Plan;
use super::state;
use crate::model::text::safe;

/// How a diff line changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DiffKind {
    Same,
    Removed,
    Added,
}

/// One line of a before/after diff, safe for a terminal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffLine {
    pub kind: DiffKind,
    pub text: String,
}

/// One write of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepPreview {
    /// `s3:PutBucketPolicy`, …
    pub api_call: String,
    /// `policy of bucket b`, …
    pub setting: String,
    pub diff: Vec<DiffLine>,
}

/// The whole preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Preview {
    pub remediation: String,
    pub title: String,
    pub resource: String,
    pub steps: Vec<StepPreview>,
    /// Write calls, then read-back calls.
    pub api_calls: Vec<String>,
    pub read_calls: Vec<String>,
    pub permissions: Vec<String>,
    pub warnings: Vec<String>,
    /// `None` when undo restores everything; otherwise what it cannot.
    pub undo_caveat: Option<String>,
    pub nothing_to_do: Option<String>,
}

/// A line diff of two texts, whole (settings and policies are short).
pub fn diff(before: &str, after: &str) -> Vec<DiffLine> {
    TextDiff::from_lines(before, after)
        .iter_all_changes()
        .map(|c| DiffLine {
            kind: match c.tag() {
                ChangeTag::Equal => DiffKind::Same,
                ChangeTag::Delete => DiffKind::Removed,
                ChangeTag::Insert => DiffKind::Added,
            },
            text: safe(c.value().trim_end_matches(['\n', '\r'])),
        })
        .collect()
}

impl Plan {
    /// The preview of this plan.
    pub fn preview(&self) -> Preview {
        let undo_caveat = match self.definition().map(|d| d.reversible) {
            Some(Reversibility::Partly(c)) => Some(c.to_string()),
            _ => None,
        };
        Preview {
            remediation: self.remediation.clone(),
            title: self.title.clone(),
            resource: safe(&self.resource),
            steps: self
                .steps
                .iter()
                .map(|s| StepPreview {
                    api_call: s.after.api_call().to_string(),
                    setting: safe(&state::setting_name(&s.after)),
                    diff: diff(
                        &state::render_value(&s.before),
                        &state::render_value(&s.after),
                    ),
                })
                .collect(),
            api_calls: self.api_calls(),
            read_calls: self.read_calls(),
            permissions: self.permissions(),
            warnings: self.warnings.iter().map(|w| safe(w)).collect(),
            undo_caveat,
            nothing_to_do: self.nothing_to_do.as_deref().map(safe),
        }
    }
}

impl Preview {
    /// The preview as plain text, `-`/`+` marking removed and added lines.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "{} on {}\n  {}\n",
            self.remediation, self.resource, self.title
        );
        if let Some(why) = &self.nothing_to_do {
            out.push_str(&format!("\nNothing to do: {why}\n"));
            return out;
        }
        for (i, s) in self.steps.iter().enumerate() {
            out.push_str(&format!("\n[{}] {} — {}\n", i + 1, s.api_call, s.setting));
            for l in &s.diff {
                let mark = match l.kind {
                    DiffKind::Same => ' ',
                    DiffKind::Removed => '-',
                    DiffKind::Added => '+',
                };
                out.push_str(&format!("  {mark} {}\n", l.text));
            }
        }
        out.push_str(&format!("\nAPI calls: {}", self.api_calls.join(", ")));
        out.push_str(&format!(
            " (read back with {})\n",
            self.read_calls.join(", ")
        ));
        out.push_str(&format!(
            "Permissions needed: {}\n",
            self.permissions.join(", ")
        ));
        for w in &self.warnings {
            out.push_str(&format!("Warning: {w}\n"));
        }
        match &self.undo_caveat {
            None => out.push_str("Undo: restores the prior configuration exactly.\n"),
            Some(c) => out.push_str(&format!("Undo: partly — {c}.\n")),
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_marks_added_and_removed_lines_and_escapes_hostile_text() {
        let d = diff("a\nb\n", "a\nc\u{202e}\n");
        assert_eq!(
            d[0],
            DiffLine {
                kind: DiffKind::Same,
                text: "a".into()
            }
        );
        assert!(
            d.iter()
                .any(|l| l.kind == DiffKind::Removed && l.text == "b")
        );
        let added = d.iter().find(|l| l.kind == DiffKind::Added).unwrap();
        assert_eq!(added.text, "c\\u{202e}");
    }
}
