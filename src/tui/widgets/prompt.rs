//! The one-line prompt: `:` commands (with aliases and completion) and
//! `/` filters (applied as you type).

use tui_input::Input;

use crate::tui::app::Pane;
use crate::tui::filter::Filter;

/// What the prompt is for.
#[derive(Debug, Clone)]
pub enum PromptKind {
    Command,
    /// Filtering `pane`; `previous` comes back on cancel.
    Filter {
        pane: Pane,
        previous: Filter,
    },
}

/// An open prompt.
#[derive(Debug, Clone)]
pub struct Prompt {
    pub kind: PromptKind,
    pub input: Input,
}

/// A palette command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Pane(Pane),
    Help,
    Quit,
}

/// Every palette command: its names (the first is the full one) and what
/// it does. Commands of actions that write are not registered in read-only
/// mode, as their keys are not; none is yet.
pub const COMMANDS: &[(&[&str], Command, &str)] = &[
    (
        &["buckets", "b", "s3"],
        Command::Pane(Pane::Buckets),
        "the Buckets pane",
    ),
    (
        &["findings", "f"],
        Command::Pane(Pane::Findings),
        "the Findings pane",
    ),
    (
        &["principals", "p", "iam"],
        Command::Pane(Pane::Principals),
        "the Principals pane",
    ),
    (
        &["tail", "t"],
        Command::Pane(Pane::Tail),
        "the live CloudTrail tail",
    ),
    (
        &["journal", "j"],
        Command::Pane(Pane::Journal),
        "changes made in this session",
    ),
    (&["help", "h"], Command::Help, "the key bindings"),
    (&["quit", "q", "q!"], Command::Quit, "leave vigil"),
];

/// The command a typed name stands for.
pub fn command(typed: &str) -> Option<Command> {
    let t = typed.trim();
    COMMANDS
        .iter()
        .find(|(names, _, _)| names.contains(&t))
        .map(|(_, c, _)| *c)
}

/// Full command names that start with what was typed.
pub fn candidates(typed: &str) -> Vec<&'static str> {
    let t = typed.trim();
    COMMANDS
        .iter()
        .filter(|(names, _, _)| names.iter().any(|n| n.starts_with(t)))
        .map(|(names, _, _)| names[0])
        .collect()
}

/// Tab completion: the only candidate, or the longest prefix all share.
pub fn complete(typed: &str) -> Option<String> {
    let c = candidates(typed);
    match c.as_slice() {
        [] => None,
        [one] => Some((*one).to_string()),
        many => {
            let first = many[0];
            let n = (0..first.len())
                .take_while(|i| {
                    many.iter()
                        .all(|m| m.as_bytes().get(*i) == first.as_bytes().get(*i))
                })
                .count();
            (n > typed.trim().len()).then(|| first[..n].to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_resolve() {
        assert_eq!(command("b"), Some(Command::Pane(Pane::Buckets)));
        assert_eq!(command("findings"), Some(Command::Pane(Pane::Findings)));
        assert_eq!(command(" p "), Some(Command::Pane(Pane::Principals)));
        assert_eq!(command("t"), Some(Command::Pane(Pane::Tail)));
        assert_eq!(command("q"), Some(Command::Quit));
        assert_eq!(command("bucketz"), None);
    }

    #[test]
    fn completion_finishes_a_unique_prefix() {
        assert_eq!(complete("pri").as_deref(), Some("principals"));
        assert_eq!(complete("bu").as_deref(), Some("buckets"));
        assert_eq!(complete("zzz"), None);
        assert_eq!(candidates("h"), vec!["help"]);
    }
}
