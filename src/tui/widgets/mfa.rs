//! The MFA code input: six digits, drawn masked, never kept beyond the
//! dialog, never shown by `Debug`. The code leaves it as a
//! [`cloud::MfaCode`](crate::cloud::MfaCode), a secret wiped when dropped.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use tui_input::Input;

use super::{Intent, centred, edit};
pub use crate::cloud::MfaCode;
use crate::model::text::safe;
use crate::tui::theme::Theme;

/// Digits in a TOTP code.
pub const MFA_DIGITS: usize = 6;

/// Asks for the code of an MFA device.
pub struct MfaPrompt {
    pub title: String,
    /// E.g. the device's serial, so the operator knows which one.
    pub detail: String,
    /// Why the previous code was refused, shown above the input.
    pub error: Option<String>,
    input: Input,
    intent: Intent,
}

impl std::fmt::Debug for MfaPrompt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MfaPrompt")
            .field("title", &self.title)
            .field("error", &self.error)
            .field("digits_typed", &self.input.value().len())
            .field("intent", &self.intent)
            .finish()
    }
}

impl MfaPrompt {
    pub fn new(title: impl Into<String>, detail: impl Into<String>, intent: Intent) -> Self {
        MfaPrompt {
            title: safe(&title.into()),
            detail: safe(&detail.into()),
            error: None,
            input: Input::default(),
            intent,
        }
    }

    /// Say why the last code was refused (a new prompt after a wrong code).
    pub fn with_error(mut self, error: impl Into<String>) -> Self {
        self.error = Some(safe(&error.into()));
        self
    }

    /// What submitting it will do.
    pub fn intent(&self) -> &Intent {
        &self.intent
    }

    /// Digits go in (up to six); anything else is refused.
    pub fn edit(&mut self, key: &KeyEvent) -> bool {
        let full = self.input.value().len() >= MFA_DIGITS;
        edit(&mut self.input, key, |c| c.is_ascii_digit() && !full)
    }

    /// How many digits are typed.
    pub fn typed(&self) -> usize {
        self.input.value().len()
    }

    /// The code and the intent, once six digits are in; the input is
    /// emptied either way so the digits do not outlive the dialog.
    pub fn take(&mut self) -> Option<(MfaCode, Intent)> {
        if self.input.value().len() != MFA_DIGITS {
            return None;
        }
        // The typed string moves into the secret; nothing keeps a copy.
        let code = MfaCode::new(self.input.value_and_reset()).ok()?;
        Some((code, self.intent.clone()))
    }

    /// Draw centred over `area`: one dot per digit typed.
    pub fn render(&self, f: &mut Frame<'_>, area: Rect, theme: &Theme) {
        let n = self.typed();
        let mut cells = String::new();
        for i in 0..MFA_DIGITS {
            cells.push(if i < n { '•' } else { '_' });
            cells.push(' ');
        }
        let mut body = vec![Line::raw(self.detail.clone()), Line::raw("")];
        if let Some(e) = &self.error {
            body.push(Line::styled(e.clone(), theme.fail));
            body.push(Line::raw(""));
        }
        body.extend([
            Line::from(vec![Span::raw("code: "), Span::styled(cells, theme.header)]),
            Line::raw(""),
            Line::styled(
                format!("{n}/{MFA_DIGITS} digits; enter to submit, esc to cancel"),
                theme.muted,
            ),
        ]);
        let width = 64.min(area.width.saturating_sub(2)).max(20);
        // Lines wrap (a refusal is a sentence or two): count what they take.
        let rows = super::wrapped_rows(&body, width.saturating_sub(2));
        let needed = u16::try_from(rows + 2).unwrap_or(u16::MAX);
        let height = needed.min(area.height);
        // On a small screen the code field and its hint stay in view.
        let scroll = needed - height;
        let rect = centred(area, width, height);
        f.render_widget(Clear, rect);
        f.render_widget(
            Paragraph::new(body)
                .wrap(ratatui::widgets::Wrap { trim: false })
                .scroll((scroll, 0))
                .block(
                    Block::default()
                        .borders(Borders::ALL)
                        .border_style(theme.border)
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

    fn key(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    #[test]
    fn only_six_digits_go_in_and_debug_hides_them() {
        let mut p = MfaPrompt::new("MFA", "arn:aws:iam::1:mfa/alice", Intent::Dismiss);
        for c in "12a3-4567890".chars() {
            p.edit(&key(c));
        }
        assert_eq!(p.typed(), 6);
        assert!(!format!("{p:?}").contains("123456"));
        let (code, _) = p.take().unwrap();
        assert_eq!(code.expose(), "123456");
        assert_eq!(format!("{code:?}"), "MfaCode(******)");
        assert_eq!(p.typed(), 0, "the digits do not outlive the dialog");
    }

    #[test]
    fn fewer_than_six_is_not_a_code() {
        let mut p = MfaPrompt::new("MFA", "", Intent::Dismiss);
        for c in "12345".chars() {
            p.edit(&key(c));
        }
        assert!(p.take().is_none());
    }
}
