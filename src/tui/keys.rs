//! Keys as a keymap file writes them (`j`, `G`, `ctrl-d`, `shift-tab`,
//! `pagedown`) and as the terminal reports them.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// One key with its modifiers, normalised so that a file's `G` and the
/// terminal's shift+g are the same value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    code: KeyName,
    ctrl: bool,
    alt: bool,
}

/// The key without modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KeyName {
    Char(char),
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Delete,
    Insert,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    F(u8),
}

const NAMED: &[(&str, KeyName)] = &[
    ("enter", KeyName::Enter),
    ("esc", KeyName::Esc),
    ("tab", KeyName::Tab),
    ("backtab", KeyName::BackTab),
    ("backspace", KeyName::Backspace),
    ("delete", KeyName::Delete),
    ("insert", KeyName::Insert),
    ("up", KeyName::Up),
    ("down", KeyName::Down),
    ("left", KeyName::Left),
    ("right", KeyName::Right),
    ("pageup", KeyName::PageUp),
    ("pagedown", KeyName::PageDown),
    ("home", KeyName::Home),
    ("end", KeyName::End),
    ("space", KeyName::Char(' ')),
];

impl Key {
    /// A plain character key.
    pub const fn char(c: char) -> Key {
        Key {
            code: KeyName::Char(c),
            ctrl: false,
            alt: false,
        }
    }

    /// Ctrl + a character.
    pub const fn ctrl(c: char) -> Key {
        Key {
            code: KeyName::Char(c),
            ctrl: true,
            alt: false,
        }
    }

    /// A key without modifiers.
    pub const fn named(code: KeyName) -> Key {
        Key {
            code,
            ctrl: false,
            alt: false,
        }
    }

    /// The key without modifiers.
    pub fn name(&self) -> KeyName {
        self.code
    }

    /// Whether ctrl or alt is held.
    pub fn has_modifier(&self) -> bool {
        self.ctrl || self.alt
    }

    /// Parse a keymap-file key: `j`, `G`, `?`, `ctrl-d`, `alt-x`,
    /// `shift-tab`, `f5`, `pagedown`, `space`. Names are case-insensitive;
    /// a single character is taken as written (`G` is shift+g).
    pub fn parse(text: &str) -> Result<Key, String> {
        if text.is_empty() {
            return Err("an empty key".into());
        }
        let mut rest = text;
        let (mut ctrl, mut alt, mut shift) = (false, false, false);
        loop {
            // A lone "-" is the minus key, not a separator.
            if rest.chars().count() == 1 {
                break;
            }
            let lower = rest.to_ascii_lowercase();
            if let Some(r) = lower.strip_prefix("ctrl-") {
                ctrl = true;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower.strip_prefix("alt-") {
                alt = true;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower.strip_prefix("shift-") {
                shift = true;
                rest = &rest[rest.len() - r.len()..];
            } else {
                break;
            }
        }
        if rest.is_empty() {
            return Err(format!("{text:?} has a modifier but no key"));
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => {
                if c.is_control() {
                    return Err(format!(
                        "{text:?} is a control character; write e.g. ctrl-a"
                    ));
                }
                if shift {
                    if !c.is_alphabetic() {
                        return Err(format!(
                            "{text:?}: write the shifted character itself (e.g. ? not shift-/)"
                        ));
                    }
                    shift = false;
                    KeyName::Char(c.to_uppercase().next().unwrap_or(c))
                } else if ctrl {
                    KeyName::Char(c.to_ascii_lowercase())
                } else {
                    KeyName::Char(c)
                }
            }
            _ => {
                let lower = rest.to_ascii_lowercase();
                if let Some(n) = lower.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
                    if !(1..=12).contains(&n) {
                        return Err(format!("{text:?}: function keys are f1 to f12"));
                    }
                    KeyName::F(n)
                } else if let Some((_, k)) = NAMED.iter().find(|(n, _)| *n == lower) {
                    *k
                } else {
                    let names: Vec<&str> = NAMED.iter().map(|(n, _)| *n).collect();
                    return Err(format!(
                        "{text:?} is not a key (a character, ctrl-/alt-/shift- with a key, f1-f12, or one of {})",
                        names.join(", ")
                    ));
                }
            }
        };
        let code = match (code, shift) {
            (KeyName::Tab, true) => KeyName::BackTab,
            (c, false) => c,
            (_, true) => return Err(format!("{text:?}: shift- goes with a letter or tab")),
        };
        Ok(Key { code, ctrl, alt })
    }

    /// The key a terminal event stands for (`None` for releases and keys
    /// vigil has no name for).
    pub fn from_event(ev: &KeyEvent) -> Option<Key> {
        if ev.kind == KeyEventKind::Release {
            return None;
        }
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        let alt = ev.modifiers.contains(KeyModifiers::ALT);
        let code = match ev.code {
            KeyCode::Char(c) if ctrl => KeyName::Char(c.to_ascii_lowercase()),
            KeyCode::Char(c) => KeyName::Char(c),
            KeyCode::Enter => KeyName::Enter,
            KeyCode::Esc => KeyName::Esc,
            KeyCode::Tab if ev.modifiers.contains(KeyModifiers::SHIFT) => KeyName::BackTab,
            KeyCode::Tab => KeyName::Tab,
            KeyCode::BackTab => KeyName::BackTab,
            KeyCode::Backspace => KeyName::Backspace,
            KeyCode::Delete => KeyName::Delete,
            KeyCode::Insert => KeyName::Insert,
            KeyCode::Up => KeyName::Up,
            KeyCode::Down => KeyName::Down,
            KeyCode::Left => KeyName::Left,
            KeyCode::Right => KeyName::Right,
            KeyCode::PageUp => KeyName::PageUp,
            KeyCode::PageDown => KeyName::PageDown,
            KeyCode::Home => KeyName::Home,
            KeyCode::End => KeyName::End,
            KeyCode::F(n) => KeyName::F(n),
            _ => return None,
        };
        Some(Key { code, ctrl, alt })
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.ctrl {
            f.write_str("ctrl-")?;
        }
        if self.alt {
            f.write_str("alt-")?;
        }
        match self.code {
            KeyName::Char(' ') => f.write_str("space"),
            KeyName::Char(c) => write!(f, "{c}"),
            KeyName::F(n) => write!(f, "f{n}"),
            KeyName::BackTab => f.write_str("shift-tab"),
            other => {
                let name = NAMED
                    .iter()
                    .find(|(_, k)| *k == other)
                    .map(|(n, _)| *n)
                    .unwrap_or("?");
                f.write_str(name)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, m)
    }

    #[test]
    fn file_and_terminal_spellings_meet() {
        assert_eq!(
            Key::parse("G").unwrap(),
            Key::from_event(&ev(KeyCode::Char('G'), KeyModifiers::SHIFT)).unwrap()
        );
        assert_eq!(Key::parse("shift-g").unwrap(), Key::parse("G").unwrap());
        assert_eq!(
            Key::parse("ctrl-d").unwrap(),
            Key::from_event(&ev(KeyCode::Char('d'), KeyModifiers::CONTROL)).unwrap()
        );
        assert_eq!(
            Key::parse("shift-tab").unwrap(),
            Key::from_event(&ev(KeyCode::BackTab, KeyModifiers::SHIFT)).unwrap()
        );
        assert_eq!(
            Key::parse("PageDown").unwrap(),
            Key::named(KeyName::PageDown)
        );
        assert_eq!(Key::parse("-").unwrap(), Key::char('-'));
        assert_eq!(Key::parse("space").unwrap(), Key::char(' '));
    }

    #[test]
    fn display_is_parseable_back() {
        for s in [
            "j",
            "G",
            "ctrl-d",
            "alt-x",
            "shift-tab",
            "f5",
            "pagedown",
            "space",
            "?",
        ] {
            let k = Key::parse(s).unwrap();
            assert_eq!(Key::parse(&k.to_string()).unwrap(), k, "{s}");
        }
    }

    #[test]
    fn nonsense_is_refused_with_a_reason() {
        assert!(Key::parse("").is_err());
        assert!(Key::parse("ctrl-").unwrap_err().contains("no key"));
        assert!(Key::parse("hyper-x").unwrap_err().contains("not a key"));
        assert!(Key::parse("f13").unwrap_err().contains("f1 to f12"));
        assert!(Key::parse("shift-/").is_err());
    }
}
