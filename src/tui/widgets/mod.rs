//! Dialogs and inputs, generic over what they are for: a confirmation
//! (destructive flag, default No, optionally "type the name to confirm"),
//! a masked 6-digit MFA code input, a message box, and the `:`/`/` prompt.
//!
//! A dialog carries an [`Intent`]: what happens when it is confirmed. The
//! update step turns a confirmed intent into an `Effect` for a spawned task;
//! the remediation console adds its intents here (preview → elevate →
//! confirm → apply → verify → undo).

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
    /// Start the remediation `remediation` on `resource`.
    Remediate {
        remediation: String,
        resource: String,
    },
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
