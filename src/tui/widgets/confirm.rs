//! The confirmation dialog: default No; a destructive one is drawn as such
//! and may require typing a name (the bucket's) before Yes can be chosen
//! (STYLE.md, "Destructive actions are data").

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use tui_input::Input;

use super::{Intent, centred, edit};
use crate::model::text::safe;
use crate::tui::theme::Theme;

/// What submitting the dialog did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Still open: Yes was chosen but the typed name does not match.
    Pending,
    Confirmed(Intent),
    Cancelled,
}

/// A yes/no question about an intent.
#[derive(Debug)]
pub struct ConfirmDialog {
    pub title: String,
    pub lines: Vec<String>,
    pub destructive: bool,
    /// The text to type before Yes counts, and what was typed.
    typed: Option<(String, Input)>,
    yes: bool,
    intent: Intent,
}

impl ConfirmDialog {
    /// A question with No selected.
    pub fn new(title: impl Into<String>, lines: Vec<String>, intent: Intent) -> Self {
        ConfirmDialog {
            title: safe(&title.into()),
            lines: lines.iter().map(|l| safe(l)).collect(),
            destructive: false,
            typed: None,
            yes: false,
            intent,
        }
    }

    /// Drawn in the fail style, with a warning.
    pub fn destructive(mut self) -> Self {
        self.destructive = true;
        self
    }

    /// Yes counts only once `expected` has been typed exactly.
    pub fn require_typing(mut self, expected: impl Into<String>) -> Self {
        self.typed = Some((expected.into(), Input::default()));
        self
    }

    /// What confirming it does.
    pub fn intent(&self) -> &Intent {
        &self.intent
    }

    /// Whether Yes is the selected choice.
    pub fn yes_selected(&self) -> bool {
        self.yes
    }

    /// Move between No and Yes.
    pub fn toggle(&mut self) {
        self.yes = !self.yes;
    }

    /// Typing (when a name is required) or left/right to choose.
    pub fn edit(&mut self, key: &KeyEvent) -> bool {
        match &mut self.typed {
            Some((_, input)) => edit(input, key, |c| !c.is_control()),
            None => {
                use crossterm::event::KeyCode;
                if matches!(key.code, KeyCode::Left | KeyCode::Right) {
                    self.toggle();
                    true
                } else {
                    false
                }
            }
        }
    }

    /// Whether the typed name matches (or none is required).
    pub fn typed_ok(&self) -> bool {
        self.typed
            .as_ref()
            .is_none_or(|(want, input)| input.value() == want)
    }

    /// Submit the selected choice.
    pub fn submit(&self) -> Outcome {
        if !self.yes {
            return Outcome::Cancelled;
        }
        if !self.typed_ok() {
            return Outcome::Pending;
        }
        Outcome::Confirmed(self.intent.clone())
    }

    /// Draw centred over `area`.
    pub fn render(&self, f: &mut Frame<'_>, area: Rect, theme: &Theme) {
        let width = 72.min(area.width.saturating_sub(2)).max(20);
        let mut body: Vec<Line<'_>> = self.lines.iter().map(|l| Line::raw(l.as_str())).collect();
        if self.destructive {
            body.push(Line::raw(""));
            body.push(Line::styled("This changes the account.", theme.fail));
        }
        if let Some((want, input)) = &self.typed {
            body.push(Line::raw(""));
            body.push(Line::raw(format!("Type {} to confirm:", safe(want))));
            let ok = input.value() == want;
            body.push(Line::from(vec![
                Span::raw("> "),
                Span::styled(
                    safe(input.value()),
                    if ok { theme.pass } else { Style::default() },
                ),
                Span::styled("_", theme.muted),
            ]));
        }
        body.push(Line::raw(""));
        let chosen = theme.selection.add_modifier(Modifier::BOLD);
        let yes_style = if self.yes { chosen } else { theme.muted };
        let no_style = if self.yes { theme.muted } else { chosen };
        body.push(Line::from(vec![
            Span::raw("  "),
            Span::styled(" No ", no_style),
            Span::raw("   "),
            Span::styled(
                if self.typed_ok() {
                    " Yes "
                } else {
                    " Yes (type first) "
                },
                yes_style,
            ),
        ]));
        // Lines wrap: count the rows they take, so the choices always show.
        let rows = super::wrapped_rows(&body, width.saturating_sub(2));
        let needed = u16::try_from(rows + 2).unwrap_or(u16::MAX);
        let height = needed.min(area.height);
        // On a small screen the end stays in view: the question, the typed
        // name and the choices matter more than the explanation's start.
        let scroll = needed - height;
        let rect = centred(area, width, height);
        let border = if self.destructive {
            theme.fail
        } else {
            theme.border
        };
        f.render_widget(Clear, rect);
        f.render_widget(
            Paragraph::new(body)
                .wrap(Wrap { trim: false })
                .scroll((scroll, 0))
                .block(
                    Block::default()
                        .borders(Borders::ALL)
                        .border_style(border)
                        .title(Span::styled(format!(" {} ", self.title), theme.header)),
                ),
            rect,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyModifiers};

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    fn intent() -> Intent {
        Intent::Undo {
            entry: "20260105T143012Z-1a2b3c4d".into(),
        }
    }

    #[test]
    fn default_is_no() {
        let d = ConfirmDialog::new("Apply?", vec![], intent());
        assert!(!d.yes_selected());
        assert_eq!(d.submit(), Outcome::Cancelled);
    }

    #[test]
    fn yes_confirms_the_intent() {
        let mut d = ConfirmDialog::new("Apply?", vec![], intent());
        d.toggle();
        assert_eq!(d.submit(), Outcome::Confirmed(intent()));
    }

    #[test]
    fn typed_name_must_match_before_yes_counts() {
        let mut d = ConfirmDialog::new("Apply?", vec![], intent())
            .destructive()
            .require_typing("b1");
        d.toggle();
        assert_eq!(d.submit(), Outcome::Pending);
        d.edit(&key(KeyCode::Char('b')));
        assert_eq!(d.submit(), Outcome::Pending);
        d.edit(&key(KeyCode::Char('1')));
        assert_eq!(d.submit(), Outcome::Confirmed(intent()));
        d.edit(&key(KeyCode::Char('x')));
        assert_eq!(d.submit(), Outcome::Pending);
    }
}
