//! Untrusted text made safe for a terminal (DESIGN.md, "Untrusted text").
//!
//! Names, tags, policy text and log lines may be written by an attacker. A
//! terminal obeys escape sequences (OSC 52 writes the clipboard, CSI 2J clears
//! the screen) and bidi overrides reorder what a reader sees, so every such
//! character is replaced by a visible escape (`\x1b`, `\u{202e}`) before the
//! string reaches the model. Printable text, including non-Latin scripts,
//! passes unchanged.

use std::borrow::Cow;
use std::fmt::Write;

/// Whether `c` must not reach a terminal as itself.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        // bidi embeddings, overrides and isolates
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
        || c == '\u{200e}' // LRM
        || c == '\u{200f}' // RLM
        || c == '\u{061c}' // ALM
        // zero-width and invisible characters that hide or join text
        || ('\u{200b}'..='\u{200d}').contains(&c)
        || c == '\u{2060}'
        || c == '\u{feff}'
        || c == '\u{00ad}'
        || ('\u{fff9}'..='\u{fffb}').contains(&c)
        // Unicode tag characters (invisible "ASCII smuggling")
        || ('\u{e0000}'..='\u{e007f}').contains(&c)
}

/// `s` with every control, bidi and invisible character shown escaped.
/// A backslash is left alone, so the output is for reading, not for parsing back.
pub fn sanitize(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if !is_unsafe(c) {
            out.push(c);
        } else if (c as u32) < 0x80 {
            let _ = write!(out, "\\x{:02x}", c as u32);
        } else {
            let _ = write!(out, "\\u{{{:04x}}}", c as u32);
        }
    }
    Cow::Owned(out)
}

/// `sanitize` into an owned string.
pub fn safe(s: &str) -> String {
    sanitize(s).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_passes_unchanged_and_unallocated() {
        assert!(matches!(sanitize("logs-bucket.eu"), Cow::Borrowed(_)));
        assert_eq!(sanitize("Zürich 東京"), "Zürich 東京");
    }

    #[test]
    fn osc52_clipboard_write_is_escaped() {
        let hostile = "\x1b]52;c;ZWNobyBwd25lZA==\x07";
        let out = sanitize(hostile);
        assert!(!out.contains('\x1b') && !out.contains('\x07'));
        assert_eq!(out, "\\x1b]52;c;ZWNobyBwd25lZA==\\x07");
    }

    #[test]
    fn clear_screen_newline_and_del_are_escaped() {
        assert_eq!(sanitize("a\x1b[2Jb\nc\x7f"), "a\\x1b[2Jb\\x0ac\\x7f");
    }

    #[test]
    fn bidi_override_and_zero_width_are_escaped() {
        assert_eq!(sanitize("inv\u{202e}fdp.exe"), "inv\\u{202e}fdp.exe");
        assert_eq!(sanitize("a\u{200b}b"), "a\\u{200b}b");
        assert_eq!(sanitize("x\u{e0041}"), "x\\u{e0041}");
    }

    #[test]
    fn c1_controls_are_escaped() {
        // U+009B is a one-character CSI on some terminals.
        assert_eq!(sanitize("a\u{9b}2J"), "a\\u{009b}2J");
    }
}
