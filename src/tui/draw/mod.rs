//! Drawing: a pure function of the state. It reads `App` and writes cells;
//! it never changes state, never allocates per row beyond what is visible,
//! and clips whatever does not fit.

pub mod detail;
pub mod event_detail;
pub mod fix;
pub mod help;
pub mod journal;
pub mod lists;
pub mod policy;
pub mod principal_detail;

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::app::{App, MIN_HEIGHT, MIN_WIDTH, Page, Pane};
use super::message::ToastLevel;
use super::widgets::Modal;
use super::widgets::prompt::{PromptKind, candidates};
use crate::model::text::safe;

/// Draw the whole screen.
pub fn frame(f: &mut Frame<'_>, app: &App) {
    let area = f.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(f, area);
        return;
    }
    let [head, body, message, keys] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    header(f, head, app);
    match &app.page().page {
        Page::Pane(Pane::Buckets) => lists::buckets(f, body, app),
        Page::Pane(Pane::Findings) => lists::findings(f, body, app),
        Page::Pane(Pane::Principals) => lists::principals(f, body, app),
        Page::Pane(Pane::Tail) => lists::tail(f, body, app),
        Page::Pane(Pane::Journal) => journal::pane(f, body, app),
        page => detail::render(f, body, app, page),
    }
    message_line(f, message, app);
    key_bar(f, keys, app);
    if let Some(scroll) = app.help {
        help::render(f, body, app, scroll);
    }
    match &app.modal {
        Some(Modal::Confirm(d)) => d.render(f, body, &app.theme),
        Some(Modal::Mfa(p)) => p.render(f, body, &app.theme),
        Some(Modal::Message { title, lines }) => {
            let mut text: Vec<Line<'_>> = lines.iter().map(|l| Line::raw(safe(l))).collect();
            text.push(Line::raw(""));
            text.push(Line::styled("enter or esc to close", app.theme.muted));
            let width = 72.min(body.width.saturating_sub(2)).max(20);
            // Lines wrap (an error says what failed and what to do).
            let rows = super::widgets::wrapped_rows(&text, width.saturating_sub(2));
            let height = u16::try_from(rows + 2).unwrap_or(u16::MAX);
            let rect = super::widgets::centred(body, width, height);
            f.render_widget(ratatui::widgets::Clear, rect);
            f.render_widget(
                Paragraph::new(text)
                    .wrap(ratatui::widgets::Wrap { trim: false })
                    .block(
                        Block::default()
                            .borders(Borders::ALL)
                            .border_style(app.theme.border)
                            .title(format!(" {} ", safe(title))),
                    ),
                rect,
            );
        }
        None => {}
    }
}

fn too_small(f: &mut Frame<'_>, area: Rect) {
    let text = vec![
        Line::raw("terminal too small"),
        Line::raw(format!(
            "{}x{}: vigil needs {MIN_WIDTH}x{MIN_HEIGHT}",
            area.width, area.height
        )),
        Line::raw("enlarge the window, or q to quit"),
    ];
    let y = area.height.saturating_sub(3) / 2;
    let rect = Rect {
        x: area.x,
        y: area.y + y,
        width: area.width,
        height: area.height.saturating_sub(y).min(3),
    };
    f.render_widget(Paragraph::new(text).alignment(Alignment::Center), rect);
}

/// Two lines: who and where (with the mode badges), then the breadcrumbs
/// and the progress of what is being read.
/// The caller's ARN in the header line's spans.
const CALLER_SPAN: usize = 4;

/// The last `width` columns of `text`, the first of them `…` when cut.
fn keep_end(text: &str, width: usize) -> String {
    let columns = |s: &str| Span::raw(s).width();
    if columns(text) <= width {
        return text.to_string();
    }
    let mut out: Vec<char> = Vec::new();
    let mut used = 1; // the ellipsis
    for c in text.chars().rev() {
        let w = columns(c.encode_utf8(&mut [0; 4]));
        if used + w > width {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out.into_iter().rev().collect()
}

fn header(f: &mut Frame<'_>, area: Rect, app: &App) {
    let t = &app.theme;
    let h = &app.header;
    let [top, crumbs_line] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(area);

    let mut badges: Vec<Span<'_>> = Vec::new();
    if h.readonly {
        badges.push(Span::styled(" 🔒 READ-ONLY ", t.badge));
    }
    if let Some(e) = &h.elevation {
        badges.push(Span::raw(" "));
        badges.push(Span::styled(
            format!(
                " ELEVATED {} {} left{} ",
                safe(&e.role),
                super::fix::countdown(e.remaining_secs),
                if e.renew_soon {
                    " · :elevate renews"
                } else {
                    ""
                }
            ),
            t.fail,
        ));
    }
    let badge_width: u16 = badges.iter().map(|s| s.width() as u16).sum();
    let [left, right] =
        Layout::horizontal([Constraint::Min(1), Constraint::Length(badge_width)]).areas(top);
    let dash = || "…".to_string();
    let caller = safe(
        h.caller_arn
            .as_deref()
            .unwrap_or(h.identity_error.as_deref().unwrap_or("…")),
    );
    let mut who = vec![
        Span::styled(" vigil ", t.header),
        Span::styled(h.account_id.clone().unwrap_or_else(dash), t.header),
        Span::styled(
            h.account_alias
                .as_deref()
                .map(|a| format!(" ({})", safe(a)))
                .unwrap_or_default(),
            t.header,
        ),
        Span::styled("  ", t.muted),
        Span::raw(caller.clone()),
        Span::styled("  ", t.muted),
        Span::raw(h.region.clone().unwrap_or_else(dash)),
        Span::styled("  ", t.muted),
        Span::styled(h.backend.clone(), t.muted),
    ];
    // When the line is too long (a badge beside it), the caller's ARN gives
    // way first, keeping its end (`…user/name`): the region and backend stay.
    let width: usize = who.iter().map(Span::width).sum();
    let room = usize::from(left.width);
    if width > room {
        let keep = Span::raw(caller.as_str())
            .width()
            .saturating_sub(width - room)
            .max(12);
        who[CALLER_SPAN] = Span::raw(keep_end(&caller, keep));
    }
    f.render_widget(Paragraph::new(Line::from(who)), left);
    f.render_widget(Paragraph::new(Line::from(badges)), right);

    // Breadcrumbs, from the page stack (the same stack Esc pops).
    let mut crumbs: Vec<Span<'_>> = vec![Span::raw(" ")];
    for (i, p) in app.pages.iter().enumerate() {
        if i > 0 {
            crumbs.push(Span::styled(" › ", t.muted));
        }
        let label = match &p.page {
            Page::Pane(pane) => pane.title().to_string(),
            Page::Bucket(name) => safe(name),
            Page::Principal(arn) => app
                .principal(arn)
                .map(|p| p.name.clone())
                .unwrap_or_else(|| safe(arn)),
            Page::Event(id) => app
                .event(id)
                .map(|e| e.event.clone())
                .unwrap_or_else(|| "event".into()),
            Page::Preview => match &app.remedy.flow {
                Some(flow) => format!("fix {}", flow.plan.remediation),
                None => "fix".into(),
            },
            Page::Entry(id) => safe(id),
        };
        let style = if i + 1 == app.pages.len() {
            t.header
        } else {
            t.muted
        };
        crumbs.push(Span::styled(label, style));
    }
    if app.help.is_some() {
        crumbs.push(Span::styled(" › ", t.muted));
        crumbs.push(Span::styled("help", t.header));
    }
    let scan = match (&app.scan.error, app.scan.listed, app.scan.done) {
        (Some(_), _, _) => "buckets: scan failed".to_string(),
        (None, None, _) => "buckets: listing…".to_string(),
        (None, Some(n), true) => format!("buckets {n}"),
        (None, Some(n), false) => format!("buckets {}/{n}", app.scan.read.min(n)),
    };
    let open = app
        .buckets
        .iter()
        .flat_map(|b| b.findings.iter())
        .chain(app.account_findings.iter())
        .filter(|f| f.status == crate::model::finding::Status::Fail)
        .count();
    let progress = format!(
        "{scan} · failing {open} · {} · tail {} {} ",
        match &app.iam {
            super::app::IamState::Loading => "iam: reading…".to_string(),
            super::app::IamState::Failed(_) => "iam: failed".to_string(),
            super::app::IamState::Loaded(p) => format!("principals {}", p.len()),
        },
        app.tail.rows.len(),
        if app.tail.following { "●" } else { "‖" },
    );
    // The breadcrumbs win: the progress shrinks to the scan alone, then to nothing.
    let crumbs_width: usize = crumbs.iter().map(|s| s.width()).sum();
    let room = (crumbs_line.width as usize).saturating_sub(crumbs_width + 1);
    let progress = if progress.chars().count() <= room {
        progress
    } else if scan.chars().count() < room {
        format!("{scan} ")
    } else {
        String::new()
    };
    let pw = progress.chars().count() as u16;
    let [cl, cr] =
        Layout::horizontal([Constraint::Min(1), Constraint::Length(pw)]).areas(crumbs_line);
    f.render_widget(Paragraph::new(Line::from(crumbs)), cl);
    f.render_widget(Paragraph::new(Span::styled(progress, t.muted)), cr);
}

/// The prompt when one is open, else the latest toast.
fn message_line(f: &mut Frame<'_>, area: Rect, app: &App) {
    let t = &app.theme;
    if let Some(p) = &app.prompt {
        let (lead, hint) = match &p.kind {
            PromptKind::Command => {
                let c = candidates(p.input.value(), app.header.readonly);
                let hint = if p.input.value().is_empty() || c.is_empty() {
                    String::new()
                } else {
                    format!("   {}", c.join(" "))
                };
                (":", hint)
            }
            PromptKind::Filter { .. } => ("/", "   !inverts  -f fuzzy".to_string()),
            PromptKind::Input { label, .. } => {
                let line = Line::from(vec![
                    Span::styled(format!("{label} › "), t.header),
                    Span::raw(safe(p.input.value())),
                    Span::styled("█", t.muted),
                    Span::styled("   enter: plan  esc: cancel", t.muted),
                ]);
                f.render_widget(Paragraph::new(line), area);
                return;
            }
        };
        let line = Line::from(vec![
            Span::styled(lead, t.header),
            Span::raw(safe(p.input.value())),
            Span::styled("█", t.muted),
            Span::styled(hint, t.muted),
        ]);
        f.render_widget(Paragraph::new(line), area);
        return;
    }
    if let Some(toast) = &app.toast {
        let style = match toast.level {
            ToastLevel::Info => Style::default(),
            ToastLevel::Warn => t.unknown,
            ToastLevel::Error => t.fail,
        };
        f.render_widget(
            Paragraph::new(Span::styled(format!(" {}", toast.text), style)),
            area,
        );
    }
}

/// The keys that matter here, from the keymap, cut to the width.
fn key_bar(f: &mut Frame<'_>, area: Rect, app: &App) {
    let t = &app.theme;
    let mut spans: Vec<Span<'_>> = vec![Span::raw(" ")];
    let mut used = 1usize;
    let width = area.width as usize;
    let help_open = app.help.is_some() || app.prompt.is_some() || app.modal.is_some();
    for (action, keys) in app.keymap.effective(&app.contexts()) {
        if !action.in_key_bar() || (!help_open && !app.relevant(action)) {
            continue;
        }
        let (key, desc) = (keys[0].to_string(), action.describe());
        let w = key.chars().count() + 1 + desc.chars().count() + 2;
        if used + w > width {
            break;
        }
        used += w;
        spans.push(Span::styled(key, t.header));
        spans.push(Span::raw(" "));
        spans.push(Span::styled(desc, t.muted));
        spans.push(Span::raw("  "));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
