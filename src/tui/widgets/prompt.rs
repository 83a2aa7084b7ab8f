//! The one-line prompt: `:` commands (with aliases and completion), `/`
//! filters (applied as you type), and the values a remediation asks for
//! (a target bucket, a KMS key).

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
    /// A value the remediation being planned needs (`tui::fix`): `label`
    /// says what, `choices` complete with tab.
    Input {
        label: String,
        choices: Vec<String>,
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
    /// Elevate into the remediation role (the MFA prompt).
    Elevate,
    /// End the elevated session now.
    Drop,
    Help,
    Quit,
}

impl Command {
    /// Part of writing to the account: not registered in read-only mode,
    /// as the keys of writing actions are not.
    pub fn writes(self) -> bool {
        matches!(self, Command::Elevate | Command::Drop)
    }
}

/// Every palette command: its names (the first is the full one) and what
/// it does. Commands that write ([`Command::writes`]) are not registered
/// in read-only mode: [`command`], [`candidates`] and [`available`] skip
/// them.
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
        "the journal: every change vigil made to this account; undo",
    ),
    (
        &["elevate", "e"],
        Command::Elevate,
        "elevate into the remediation role with MFA",
    ),
    (&["drop"], Command::Drop, "end the elevated session now"),
    (&["help", "h"], Command::Help, "the key bindings"),
    (&["quit", "q", "q!"], Command::Quit, "leave vigil"),
];

/// The commands registered (all, or in read-only mode those that do not write).
pub fn available(
    readonly: bool,
) -> impl Iterator<Item = &'static (&'static [&'static str], Command, &'static str)> {
    COMMANDS
        .iter()
        .filter(move |(_, c, _)| !(readonly && c.writes()))
}

/// The command a typed name stands for.
pub fn command(typed: &str, readonly: bool) -> Option<Command> {
    let t = typed.trim();
    available(readonly)
        .find(|(names, _, _)| names.contains(&t))
        .map(|(_, c, _)| *c)
}

/// Full command names that start with what was typed.
pub fn candidates(typed: &str, readonly: bool) -> Vec<&'static str> {
    let t = typed.trim();
    available(readonly)
        .filter(|(names, _, _)| names.iter().any(|n| n.starts_with(t)))
        .map(|(names, _, _)| names[0])
        .collect()
}

/// Tab completion: the only candidate, or the longest prefix all share.
pub fn complete(typed: &str, readonly: bool) -> Option<String> {
    shared_prefix(typed, &candidates(typed, readonly))
}

/// Tab completion among `choices`: the only one that starts with what was
/// typed, or the longest prefix those share.
pub fn complete_from<S: AsRef<str>>(typed: &str, choices: &[S]) -> Option<String> {
    let t = typed.trim();
    let c: Vec<&str> = choices
        .iter()
        .map(|c| c.as_ref())
        .filter(|c| c.starts_with(t))
        .collect();
    shared_prefix(typed, &c)
}

/// The only one of `matches`, or the longest prefix they share when it
/// is longer than what was typed.
fn shared_prefix(typed: &str, matches: &[&str]) -> Option<String> {
    match matches {
        [] => None,
        [one] => Some((*one).to_string()),
        many => {
            // By characters, not bytes: a name may hold any character.
            let mut prefix: &str = many[0];
            for m in &many[1..] {
                let end = prefix
                    .char_indices()
                    .zip(m.chars())
                    .find(|((_, a), b)| a != b)
                    .map_or(prefix.len().min(m.len()), |((i, _), _)| i);
                prefix = &prefix[..end];
            }
            (prefix.chars().count() > typed.trim().chars().count()).then(|| prefix.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_resolve() {
        assert_eq!(command("b", false), Some(Command::Pane(Pane::Buckets)));
        assert_eq!(
            command("findings", false),
            Some(Command::Pane(Pane::Findings))
        );
        assert_eq!(command(" p ", false), Some(Command::Pane(Pane::Principals)));
        assert_eq!(command("t", false), Some(Command::Pane(Pane::Tail)));
        assert_eq!(command("q", false), Some(Command::Quit));
        assert_eq!(command("j", false), Some(Command::Pane(Pane::Journal)));
        assert_eq!(command("bucketz", false), None);
    }

    #[test]
    fn completion_finishes_a_unique_prefix() {
        assert_eq!(complete("pri", false).as_deref(), Some("principals"));
        assert_eq!(complete("bu", false).as_deref(), Some("buckets"));
        assert_eq!(complete("ele", false).as_deref(), Some("elevate"));
        assert_eq!(complete("zzz", false), None);
        assert_eq!(candidates("h", false), vec!["help"]);
        assert_eq!(
            complete_from("vigil-lab-a", &["vigil-lab-access-logs", "vigil-lab-acl-x"]).as_deref(),
            Some("vigil-lab-ac")
        );
    }

    #[test]
    fn readonly_registers_no_elevation_command() {
        assert_eq!(command("elevate", false), Some(Command::Elevate));
        assert_eq!(command("drop", false), Some(Command::Drop));
        assert_eq!(command("elevate", true), None);
        assert_eq!(command("e", true), None);
        assert_eq!(command("drop", true), None);
        assert!(
            candidates("", true)
                .iter()
                .all(|c| *c != "elevate" && *c != "drop")
        );
        assert_eq!(complete("ele", true), None);
        assert_eq!(command("journal", true), Some(Command::Pane(Pane::Journal)));
    }
}
