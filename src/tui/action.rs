//! What a key can do: the closed vocabulary of the keymap files.
//!
//! An action name in a keymap file is one of these variants in snake_case
//! (`select_next = ["down", "j"]`); an unknown name refuses to start. Each
//! action carries its own description, the contexts it may be bound in and
//! whether it writes to the account, so the key bar, the `?` help and the
//! bindings all come from one table (STYLE.md, "One table for keys, help and
//! the key bar").

use serde::{Deserialize, Serialize};

/// A section of a keymap file: where a binding applies. A key is looked up
/// in the most specific context first (`prompt` alone while a prompt or a
/// dialog is open; otherwise `tail`, then `list` or `detail`, then `global`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Context {
    Global,
    List,
    Detail,
    Tail,
    Prompt,
}

impl Context {
    /// Every context, in keymap-file order.
    pub const ALL: [Context; 5] = [
        Context::Global,
        Context::List,
        Context::Detail,
        Context::Tail,
        Context::Prompt,
    ];

    /// The section name in a keymap file.
    pub fn as_str(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::List => "list",
            Context::Detail => "detail",
            Context::Tail => "tail",
            Context::Prompt => "prompt",
        }
    }

    /// The context a section name stands for.
    pub fn parse(s: &str) -> Option<Context> {
        Context::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Everything a key can be bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Quit,
    Help,
    CommandPalette,
    Filter,
    Back,
    PaneBuckets,
    PaneFindings,
    PanePrincipals,
    PaneTail,
    NextPane,
    PrevPane,
    Refresh,
    SeverityFilter,
    /// Remediate the selected finding (preview, elevate, confirm, apply);
    /// on the preview, go ahead.
    Fix,
    SelectNext,
    SelectPrev,
    PageDown,
    PageUp,
    First,
    Last,
    Open,
    SortColumn,
    SortReverse,
    GroupBy,
    ScrollDown,
    ScrollUp,
    Follow,
    JumpBucket,
    JumpPrincipal,
    /// Undo the selected journal entry (elevate, confirm, put back).
    Undo,
    /// Read back a journal entry a previous run left unfinished.
    Verify,
    Submit,
    Cancel,
    Complete,
}

impl Action {
    /// Every action, in the order help lists them.
    pub const ALL: [Action; 34] = [
        Action::Quit,
        Action::Help,
        Action::CommandPalette,
        Action::Filter,
        Action::Back,
        Action::PaneBuckets,
        Action::PaneFindings,
        Action::PanePrincipals,
        Action::PaneTail,
        Action::NextPane,
        Action::PrevPane,
        Action::Refresh,
        Action::SeverityFilter,
        Action::Fix,
        Action::SelectNext,
        Action::SelectPrev,
        Action::PageDown,
        Action::PageUp,
        Action::First,
        Action::Last,
        Action::Open,
        Action::SortColumn,
        Action::SortReverse,
        Action::GroupBy,
        Action::ScrollDown,
        Action::ScrollUp,
        Action::Follow,
        Action::JumpBucket,
        Action::JumpPrincipal,
        Action::Undo,
        Action::Verify,
        Action::Submit,
        Action::Cancel,
        Action::Complete,
    ];

    /// The name in a keymap file.
    pub fn name(self) -> String {
        // serde's snake_case is the vocabulary; one source of truth.
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    /// The action a keymap-file name stands for.
    pub fn parse(name: &str) -> Option<Action> {
        serde_json::from_value(serde_json::Value::String(name.to_string())).ok()
    }

    /// What it does, for the help and the key bar.
    pub fn describe(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Help => "help",
            Action::CommandPalette => "command",
            Action::Filter => "filter",
            Action::Back => "back",
            Action::PaneBuckets => "buckets",
            Action::PaneFindings => "findings",
            Action::PanePrincipals => "principals",
            Action::PaneTail => "tail",
            Action::NextPane => "next pane",
            Action::PrevPane => "previous pane",
            Action::Refresh => "refresh",
            Action::SeverityFilter => "severity",
            Action::Fix => "fix",
            Action::Undo => "undo",
            Action::Verify => "verify",
            Action::SelectNext => "down",
            Action::SelectPrev => "up",
            Action::PageDown => "page down",
            Action::PageUp => "page up",
            Action::First => "first",
            Action::Last => "last",
            Action::Open => "open",
            Action::SortColumn => "sort",
            Action::SortReverse => "reverse sort",
            Action::GroupBy => "group",
            Action::ScrollDown => "scroll down",
            Action::ScrollUp => "scroll up",
            Action::Follow => "follow/pause",
            Action::JumpBucket => "to bucket",
            Action::JumpPrincipal => "to principal",
            Action::Submit => "submit",
            Action::Cancel => "cancel",
            Action::Complete => "complete / next choice",
        }
    }

    /// The contexts a keymap may bind it in.
    pub fn contexts(self) -> &'static [Context] {
        use Context::*;
        match self {
            Action::Quit
            | Action::Help
            | Action::CommandPalette
            | Action::Filter
            | Action::Back
            | Action::PaneBuckets
            | Action::PaneFindings
            | Action::PanePrincipals
            | Action::PaneTail
            | Action::NextPane
            | Action::PrevPane
            | Action::Refresh
            | Action::SeverityFilter => &[Global, List, Detail, Tail],
            Action::Fix => &[Global, List, Detail],
            Action::Undo | Action::Verify => &[List, Detail],
            Action::SelectNext
            | Action::SelectPrev
            | Action::PageDown
            | Action::PageUp
            | Action::First
            | Action::Last => &[List, Detail, Tail],
            Action::Open => &[List, Tail],
            Action::SortColumn | Action::SortReverse | Action::GroupBy => &[List],
            Action::ScrollDown | Action::ScrollUp => &[Detail],
            Action::Follow => &[Tail],
            Action::JumpBucket | Action::JumpPrincipal => &[Detail, Tail],
            Action::Submit | Action::Cancel | Action::Complete => &[Prompt],
        }
    }

    /// It changes the account. Such actions are not registered at all in
    /// read-only mode (STYLE.md, after k9s `--readonly`): no binding, no key
    /// bar entry, no help line, no command.
    pub fn writes(self) -> bool {
        matches!(self, Action::Fix | Action::Undo)
    }

    /// Shown in the key bar (the rest are in `?` help).
    pub fn in_key_bar(self) -> bool {
        matches!(
            self,
            Action::Open
                | Action::Back
                | Action::Filter
                | Action::CommandPalette
                | Action::SortColumn
                | Action::GroupBy
                | Action::SeverityFilter
                | Action::Refresh
                | Action::Fix
                | Action::Undo
                | Action::Verify
                | Action::Follow
                | Action::JumpBucket
                | Action::JumpPrincipal
                | Action::Help
                | Action::Quit
                | Action::Submit
                | Action::Cancel
                | Action::Complete
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_in_snake_case() {
        for a in Action::ALL {
            assert_eq!(Action::parse(&a.name()), Some(a), "{a:?}");
        }
        assert_eq!(Action::SelectNext.name(), "select_next");
        assert_eq!(Action::parse("selectNext"), None);
    }

    #[test]
    fn all_lists_every_variant_once() {
        let set: std::collections::BTreeSet<_> = Action::ALL.iter().collect();
        assert_eq!(set.len(), Action::ALL.len());
    }

    #[test]
    fn only_fix_and_undo_write() {
        let writes: Vec<_> = Action::ALL.into_iter().filter(|a| a.writes()).collect();
        assert_eq!(writes, vec![Action::Fix, Action::Undo]);
    }
}
