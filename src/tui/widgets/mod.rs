//! Dialogs and inputs, generic over what they are for: a confirmation
//! (destructive flag, default No, optionally "type the name to confirm"),
//! a masked 6-digit MFA code input, a message box, and the `:`/`/` prompt.
//!
//! A dialog carries an [`Intent`]: what happens when it is confirmed. The
//! update step carries a confirmed intent out (the remediation console,
//! `tui::fix`: elevate → confirm → apply; undo; verify), usually as an
//! `Effect` for a spawned task.

pub mod confirm;
pub mod mfa;
pub mod prompt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use tui_input::{Input, InputRequest};

pub use confirm::{ConfirmDialog, Outcome};
pub use mfa::{MfaCode, MfaPrompt};

/// What a confirmed dialog does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intent {
    /// Elevate into the remediation role (the MFA prompt next, when the
    /// role has an MFA device), then carry on with `then`.
    Elevate { then: crate::tui::fix::After },
    /// Apply the remediation whose preview is open.
    Apply,
    /// Undo this journal entry.
    Undo { entry: String },
    /// Read back an entry a previous run left unfinished.
    Verify { entry: String },
    /// Nothing beyond closing (a message box, a widget demonstration).
    Dismiss,
}

/// The dialog on top of everything, if any.
#[derive(Debug)]
pub enum Modal {
    Confirm(ConfirmDialog),
    Mfa(MfaPrompt),
    /// A message box: a title and lines, dismissed with submit or cancel.
    Message {
        title: String,
        lines: Vec<String>,
    },
}

/// Apply a text-editing key to an input; `true` when it was one.
/// `accept` filters inserted characters.
pub fn edit(input: &mut Input, key: &KeyEvent, accept: impl Fn(char) -> bool) -> bool {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let req = match key.code {
        KeyCode::Char(c) if !ctrl && accept(c) => InputRequest::InsertChar(c),
        KeyCode::Char('w') if ctrl => InputRequest::DeletePrevWord,
        KeyCode::Char('u') if ctrl => InputRequest::DeleteLine,
        KeyCode::Char('a') if ctrl => InputRequest::GoToStart,
        KeyCode::Char('e') if ctrl => InputRequest::GoToEnd,
        KeyCode::Backspace => InputRequest::DeletePrevChar,
        KeyCode::Delete => InputRequest::DeleteNextChar,
        KeyCode::Left => InputRequest::GoToPrevChar,
        KeyCode::Right => InputRequest::GoToNextChar,
        KeyCode::Home => InputRequest::GoToStart,
        KeyCode::End => InputRequest::GoToEnd,
        _ => return false,
    };
    input.handle(req);
    true
}

/// Rows `lines` take when word-wrapped to `width` columns (as a
/// `Paragraph` with `Wrap` draws them), so a dialog is sized to show all.
pub fn wrapped_rows(lines: &[ratatui::text::Line<'_>], width: u16) -> usize {
    let width = usize::from(width).max(1);
    lines
        .iter()
        .map(|l| {
            let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
            let mut rows = 1;
            let mut used = 0usize;
            for word in text.split(' ') {
                let w = unicode_width(word);
                let need = if used == 0 { w } else { used + 1 + w };
                if need <= width {
                    used = need;
                } else if w <= width {
                    rows += 1;
                    used = w;
                } else {
                    // A word longer than a row is broken across rows.
                    rows += usize::from(used > 0) + (w - 1) / width;
                    used = w % width;
                }
            }
            rows
        })
        .sum()
}

fn unicode_width(s: &str) -> usize {
    ratatui::text::Span::raw(s).width()
}

/// A rectangle of `w`×`h` centred in `area` (clipped to it).
pub fn centred(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}
