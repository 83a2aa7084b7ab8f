//! The preview page of a remediation: for each write the setting's
//! before/after as a diff, the API calls and the read-back, the IAM
//! permissions, the warnings, what undo can and cannot put back, and what
//! going ahead will ask for (elevation with MFA, the confirmation). Every
//! line of the preview was sanitised by `remedy::preview`; what this adds
//! (the role, the device) is sanitised here.

use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

use super::detail::{kv, section};
use crate::model::text::safe;
use crate::remedy::preview::{DiffKind, Preview};
use crate::session::Status;
use crate::tui::action::{Action, Context};
use crate::tui::app::App;
use crate::tui::fix::{countdown, role_name};

/// Words of `text` in lines of at most `width` characters, each after
/// `indent` (a word longer than the width is cut).
pub(super) fn wrapped(text: &str, width: usize, indent: &str) -> Vec<String> {
    let width = width.saturating_sub(indent.chars().count()).max(16);
    let mut out = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let n = line.chars().count();
        let w = word.chars().count();
        if n > 0 && n + 1 + w > width {
            out.push(format!("{indent}{line}"));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        if w > width {
            line.extend(word.chars().take(width));
        } else {
            line.push_str(word);
        }
    }
    if !line.is_empty() || out.is_empty() {
        out.push(format!("{indent}{line}"));
    }
    out
}

/// The key the fix action is on, for "F apply".
fn fix_key(app: &App) -> Option<String> {
    app.keymap
        .effective(&[Context::Detail, Context::Global])
        .into_iter()
        .find(|(a, _)| *a == Action::Fix)
        .map(|(_, k)| k[0].to_string())
}

/// Every line of the preview page.
pub fn lines(app: &App) -> Vec<Line<'static>> {
    let t = &app.theme;
    let Some(flow) = &app.remedy.flow else {
        return vec![Line::styled(" no remediation is being planned", t.muted)];
    };
    let width = usize::from(app.size.0.saturating_sub(4));
    let p: &Preview = &flow.preview;
    let mut out = vec![
        Line::from(vec![
            Span::styled(
                format!(" {}", p.remediation),
                t.header.add_modifier(Modifier::BOLD),
            ),
            Span::raw(format!(" — {}", p.title)),
        ]),
        kv(t, "on", Span::raw(p.resource.clone())),
    ];
    let fixes = safe(&format!(
        "{} ({})",
        flow.finding.rule,
        flow.finding.reason.as_deref().unwrap_or("")
    ));
    for (i, l) in wrapped(&fixes, width.saturating_sub(22), "")
        .into_iter()
        .enumerate()
    {
        let key = if i == 0 { "fixes" } else { "" };
        out.push(kv(t, key, Span::raw(l)));
    }
    if let Some(note) = &flow.note {
        out.push(Line::raw(""));
        for l in wrapped(note, width, " ! ") {
            out.push(Line::styled(l, t.unknown));
        }
    }
    if let Some(why) = &p.nothing_to_do {
        out.push(Line::raw(""));
        out.push(section(t, "Nothing to do"));
        for l in wrapped(why, width, "   ") {
            out.push(Line::styled(l, t.pass));
        }
        out.push(Line::raw(""));
        out.push(Line::styled(
            "   Applying would change nothing, so there is nothing to apply. esc goes back.",
            t.muted,
        ));
        return out;
    }
    out.push(Line::raw(""));
    out.push(section(t, "Changes (before → after)"));
    for (i, s) in p.steps.iter().enumerate() {
        out.push(Line::from(vec![
            Span::styled(format!(" [{}] ", i + 1), t.muted),
            Span::styled(s.api_call.clone(), t.accent),
            Span::raw(format!(" — {}", s.setting)),
        ]));
        for d in &s.diff {
            let (mark, style) = match d.kind {
                DiffKind::Same => ("  ", t.muted),
                DiffKind::Removed => ("- ", t.fail),
                DiffKind::Added => ("+ ", t.pass),
            };
            out.push(Line::styled(format!("     {mark}{}", d.text), style));
        }
    }
    out.push(Line::raw(""));
    out.push(section(t, "API calls"));
    out.push(kv(t, "writes", Span::raw(p.api_calls.join(", "))));
    out.push(kv(t, "reads back with", Span::raw(p.read_calls.join(", "))));
    out.push(Line::raw(""));
    out.push(section(t, "Permissions the role needs"));
    for l in wrapped(&p.permissions.join(", "), width, "   ") {
        out.push(Line::raw(l));
    }
    if !p.warnings.is_empty() {
        out.push(Line::raw(""));
        out.push(section(t, "Warnings"));
        for w in &p.warnings {
            for (i, l) in wrapped(w, width, "     ").into_iter().enumerate() {
                let l = if i == 0 {
                    format!("   ! {}", l.trim_start())
                } else {
                    l
                };
                out.push(Line::styled(l, t.unknown));
            }
        }
    }
    out.push(Line::raw(""));
    out.push(section(t, "Undo"));
    let undo = match &p.undo_caveat {
        None => "restores the prior configuration exactly (:journal, then u on the entry)".into(),
        Some(c) => format!("only partly: {c}"),
    };
    for l in wrapped(&undo, width, "   ") {
        out.push(Line::raw(l));
    }
    out.push(Line::raw(""));
    out.push(section(t, "Next"));
    for l in next_steps(app, width) {
        out.push(l);
    }
    out
}

/// What going ahead will ask for.
fn next_steps(app: &App, width: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let key = fix_key(app).unwrap_or_else(|| "fix".into());
    let disruptive = app
        .remedy
        .flow
        .as_ref()
        .and_then(|f| f.plan.definition())
        .is_some_and(|d| d.disruptive);
    let confirm = if disruptive {
        "confirm (default No; type the name: this one cuts off access someone may rely on)"
    } else {
        "confirm (default No)"
    };
    let session = app.remedy.session.as_ref();
    let text = match session.map(|s| s.status()) {
        Some(Status::Elevated {
            role,
            remaining_secs,
            ..
        }) => format!(
            "{key}: {confirm}, then apply as {} (elevated, {} left)",
            safe(role_name(&role)),
            countdown(remaining_secs)
        ),
        Some(Status::NotElevated { role: Some(role) }) | Some(Status::Expired { role }) => {
            let device = session
                .and_then(|s| s.mfa_serial())
                .map(|d| format!(" (MFA device {})", safe(d)))
                .unwrap_or_default();
            format!(
                "{key}: elevate into {} with MFA{device}, {confirm}, then apply",
                safe(&role)
            )
        }
        Some(Status::NotElevated { role: None }) => format!(
            "no remediation role is configured, so this cannot be applied from here. {}",
            safe(app.remedy.no_role_hint())
        ),
        Some(Status::ReadOnly) => "read-only: vigil will not apply it".into(),
        Some(Status::CurrentCredentials) => format!("{key}: {confirm}, then apply"),
        None if app.remedy.wired() => "vigil is still finding out who you are".into(),
        None => "remediation is not wired into this console".into(),
    };
    let mut out: Vec<Line<'static>> = wrapped(&text, width, "   ")
        .into_iter()
        .map(|l| Line::styled(l, t.header))
        .collect();
    if let Some(b) = &app.remedy.busy {
        out.push(Line::styled(format!("   {}", b.describe()), t.accent));
    }
    for l in wrapped(
        "The journal records the prior state (synced to disk) before the write; vigil reads the result back and re-evaluates the finding. esc: back · r: re-read and plan again.",
        width,
        "   ",
    ) {
        out.push(Line::styled(l, t.muted));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_words_and_the_indent() {
        let w = wrapped("one two three four five six", 20, "  ");
        assert_eq!(w, vec!["  one two three four", "  five six"]);
        assert_eq!(wrapped("", 20, " "), vec![" "]);
        let long = wrapped(&"x".repeat(50), 20, "");
        assert_eq!(long, vec!["x".repeat(20)]);
    }
}
