//! The `:journal` pane (every change vigil made to the account, newest
//! first: time, operator, role, remediation, resource, result,
//! verification) and one entry's page (before/after of each step, how it
//! was read back, who, through which role). Journal text came from AWS
//! and from the journal file: every string is sanitised here.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row};

use super::detail::{kv, section};
use super::fix::wrapped;
use super::lists::{block, cell_style, header_row, short_arn, table, window};
use crate::model::text::safe;
use crate::remedy::journal::{self, Action, Entry};
use crate::remedy::preview::{DiffKind, diff};
use crate::remedy::state;
use crate::tui::app::{App, Pane};
use crate::tui::fix::{JournalState, role_name};
use crate::tui::theme::Theme;

/// `2026-01-05T14:30:12Z` → `01-05 14:30:12`.
fn short_time(t: &str) -> String {
    match (t.get(5..10), t.get(11..19)) {
        (Some(d), Some(h)) => format!("{d} {h}"),
        _ => safe(t),
    }
}

fn status_style(t: &Theme, e: &Entry) -> Style {
    match e.status() {
        "applied" => t.pass,
        "undone" => t.muted,
        "unfinished" | "unverified" => t.unknown,
        _ => t.fail,
    }
}

fn verification(e: &Entry) -> &'static str {
    match &e.outcome {
        None => "—",
        Some(o) if o.verification.verified => "yes",
        Some(o) if o.verification.steps.is_empty() => "—",
        Some(_) => "NO",
    }
}

fn role_of(e: &Entry) -> String {
    match &e.intent.actor.role_arn {
        Some(r) => safe(role_name(r)),
        None => "(own credentials)".into(),
    }
}

/// The journal pane.
pub fn pane(f: &mut Frame<'_>, area: Rect, app: &App) {
    let t = &app.theme;
    let v = app.view(Pane::Journal);
    let entries = app.journal_entries();
    let empty = |text: String| {
        Paragraph::new(Line::styled(format!(" {text}"), t.muted)).block(block(
            app,
            Pane::Journal,
            0,
            0,
            String::new(),
        ))
    };
    match &app.remedy.entries {
        JournalState::Unavailable => {
            let why = match &app.remedy.journal_error {
                Some(e) => format!("No journal: {}", safe(e)),
                None if app.remedy.wired() => {
                    "No journal yet: vigil is finding out which account this is.".into()
                }
                None => "No journal: remediation is not wired into this console.".into(),
            };
            return f.render_widget(empty(why), area);
        }
        JournalState::Loading => {
            return f.render_widget(empty("reading the journal…".into()), area);
        }
        JournalState::Failed(e) => {
            return f.render_widget(empty(format!("cannot read the journal: {}", safe(e))), area);
        }
        JournalState::Loaded(_) if entries.is_empty() => {
            let path = app
                .remedy
                .journal
                .as_ref()
                .map(|j| j.path().display().to_string())
                .unwrap_or_default();
            return f.render_widget(
                empty(format!(
                    "No changes in this account's journal yet ({}). A fix (F on a finding) is journaled here, with undo.",
                    safe(&path)
                )),
                area,
            );
        }
        JournalState::Loaded(_) => {}
    }
    let h = area.height.saturating_sub(3) as usize;
    // Who and which role only where there is room: what was done to what
    // matters most (the entry's page has everything in full).
    let wide = area.width >= 140;
    let rows: Vec<Row<'_>> = window(v, h)
        .filter_map(|i| {
            let e = entries.get(*v.rows.get(i)?)?;
            let sel = i == v.selected;
            let what = match e.intent.action {
                Action::Apply => safe(&e.intent.remediation),
                Action::Undo => format!("undo {}", safe(&e.intent.remediation)),
            };
            let mut cells = vec![Cell::from(short_time(&e.intent.time))];
            if wide {
                cells.push(Cell::from(safe(role_name(&e.intent.actor.operator))));
                cells.push(Cell::from(role_of(e)));
            }
            cells.extend([
                Cell::from(what),
                Cell::from(safe(short_arn(&e.intent.resource))),
                Cell::from(Span::styled(
                    e.status(),
                    cell_style(sel, status_style(t, e)),
                )),
                Cell::from(verification(e)),
            ]);
            let row = Row::new(cells);
            Some(if sel { row.style(t.selection) } else { row })
        })
        .collect();
    let names: &[&str] = if wide {
        &[
            "TIME (UTC)",
            "OPERATOR",
            "ROLE",
            "REMEDIATION",
            "RESOURCE",
            "RESULT",
            "VERIFIED",
        ]
    } else {
        &[
            "TIME (UTC)",
            "REMEDIATION",
            "RESOURCE",
            "RESULT",
            "VERIFIED",
        ]
    };
    let header = header_row(names, None, t);
    let mut widths = vec![Constraint::Length(14)];
    if wide {
        widths.extend([Constraint::Length(14), Constraint::Length(21)]);
    }
    widths.extend([
        Constraint::Min(26),
        Constraint::Min(16),
        Constraint::Length(11),
        Constraint::Length(8),
    ]);
    let unfinished = entries.iter().filter(|e| e.is_unfinished()).count();
    let extra = if unfinished > 0 {
        if app.header.readonly {
            format!("{unfinished} unfinished: v verifies")
        } else {
            format!("{unfinished} unfinished: v verifies, u undoes")
        }
    } else {
        "newest first".into()
    };
    f.render_widget(
        table(
            rows,
            header,
            &widths,
            block(app, Pane::Journal, v.rows.len(), entries.len(), extra),
        ),
        area,
    );
}

/// Every line of an entry's page.
pub fn entry_lines(app: &App, e: &Entry) -> Vec<Line<'static>> {
    let t = &app.theme;
    let width = usize::from(app.size.0.saturating_sub(4));
    let i = &e.intent;
    let mut out = vec![
        Line::from(vec![
            Span::styled(
                format!(" {}", safe(&i.id)),
                t.header.add_modifier(Modifier::BOLD),
            ),
            Span::raw("  "),
            Span::styled(e.status().to_uppercase(), status_style(t, e)),
        ]),
        Line::raw(""),
        section(t, "Change"),
        kv(
            t,
            "remediation",
            Span::raw(format!("{} — {}", safe(&i.remediation), safe(&i.title))),
        ),
    ];
    if let Some(target) = &i.undoes {
        out.push(kv(t, "undoes", Span::raw(safe(target))));
    }
    out.push(kv(t, "resource", Span::raw(safe(&i.resource))));
    out.push(kv(t, "time (UTC)", Span::raw(safe(&i.time))));
    out.push(kv(t, "operator", Span::raw(safe(&i.actor.operator))));
    let role = match (&i.actor.role_arn, &i.actor.session_name) {
        (Some(r), Some(s)) => format!("{} (session {})", safe(r), safe(s)),
        (Some(r), None) => safe(r),
        (None, _) => "the operator's own credentials (no elevation)".into(),
    };
    out.push(kv(t, "role", Span::raw(role)));
    let result = match &e.outcome {
        None => Span::styled(
            "unfinished: vigil stopped between the intent and the outcome",
            t.unknown,
        ),
        Some(o) => Span::styled(
            format!(
                "{} · {}/{} step(s) written · {}",
                e.status(),
                o.applied_steps,
                i.steps.len(),
                if o.verification.verified {
                    "verified by reading back"
                } else {
                    "NOT verified"
                }
            ),
            status_style(t, e),
        ),
    };
    out.push(kv(t, "result", result));
    if let Some(o) = &e.outcome {
        if let Some(err) = &o.error {
            out.push(kv(t, "error", Span::styled(safe(err), t.fail)));
        }
        if let Some(r) = &o.recovered {
            out.push(kv(t, "recovered", Span::raw(safe(r))));
        }
    }
    if let Some(by) = &e.undone_by {
        out.push(kv(t, "undone by", Span::raw(safe(by))));
    }
    out.push(Line::raw(""));
    out.push(section(t, "Steps (before → after)"));
    let checks = e.outcome.as_ref().map(|o| &o.verification.steps);
    for (n, s) in i.steps.iter().enumerate() {
        out.push(Line::from(vec![
            Span::styled(format!(" [{}] ", n + 1), t.muted),
            Span::styled(s.after.api_call().to_string(), t.accent),
            Span::raw(format!(" — {}", safe(&state::setting_name(&s.after)))),
        ]));
        for d in diff(
            &state::render_value(&s.before),
            &state::render_value(&s.after),
        ) {
            let (mark, style) = match d.kind {
                DiffKind::Same => ("  ", t.muted),
                DiffKind::Removed => ("- ", t.fail),
                DiffKind::Added => ("+ ", t.pass),
            };
            out.push(Line::styled(format!("     {mark}{}", d.text), style));
        }
        let check = checks.and_then(|c| c.get(n));
        let read_back = match check {
            None => Span::styled("not read back", t.muted),
            Some(c) if c.matches => Span::styled("as expected", t.pass),
            Some(c) => Span::styled(
                format!(
                    "differs{}",
                    c.note
                        .as_deref()
                        .map(|n| format!(": {}", safe(n)))
                        .unwrap_or_default()
                ),
                t.fail,
            ),
        };
        out.push(Line::from(vec![
            Span::styled("     read back: ", t.muted),
            read_back,
        ]));
    }
    if !i.warnings.is_empty() {
        out.push(Line::raw(""));
        out.push(section(t, "Warnings (as previewed)"));
        for w in &i.warnings {
            for l in wrapped(&safe(w), width, "   ") {
                out.push(Line::styled(l, t.unknown));
            }
        }
    }
    if !i.findings.is_empty() {
        out.push(Line::raw(""));
        out.push(section(t, "Findings it was to fix"));
        for f in &i.findings {
            out.push(Line::raw(format!(
                "   {} on {}",
                safe(&f.rule),
                safe(short_arn(&f.resource))
            )));
        }
    }
    out.push(Line::raw(""));
    out.push(section(t, "Next"));
    let next = if app.header.readonly {
        if e.is_unfinished() {
            "v: read it back and record where it stands (read-only: undo is not offered)"
        } else {
            "read-only: undo is not offered"
        }
        .to_string()
    } else if e.is_unfinished() {
        "v: read it back and record where it stands · u: put back the prior state".to_string()
    } else if e.undone_by.is_some() {
        "already undone".to_string()
    } else if e
        .outcome
        .as_ref()
        .is_some_and(|o| o.result == journal::Result::NotApplied)
    {
        "nothing was written: nothing to undo".to_string()
    } else {
        "u: undo — put back the prior state (needs the elevated role; confirm default No)"
            .to_string()
    };
    out.push(Line::styled(format!("   {next}"), t.header));
    out
}
