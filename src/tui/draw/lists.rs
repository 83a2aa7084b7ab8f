//! The list panes: Buckets, Findings, Principals, Tail (the journal's is
//! `draw::journal`). Only the visible rows are built, so a frame costs the
//! same with ten buckets or ten thousand.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};

use crate::model::finding::Status;
use crate::model::text::safe;
use crate::tui::action::{Action, Context};
use crate::tui::analysis::{Counts, Public};
use crate::tui::app::{App, FINDING_PREVIEW_LINES, FindingRow, Grouping, IamState, ListView, Pane};
use crate::tui::principal_view::Mfa;
use crate::tui::theme::{Theme, severity_label};

/// The pane's frame: its name, the filter, the sort and the count.
pub(super) fn block<'a>(
    app: &'a App,
    pane: Pane,
    shown: usize,
    total: usize,
    extra: String,
) -> Block<'a> {
    let t = &app.theme;
    let v = app.view(pane);
    let mut title = vec![Span::styled(format!(" {} ", pane.title()), t.header)];
    if shown == total {
        title.push(Span::styled(format!("[{total}] "), t.muted));
    } else {
        title.push(Span::styled(format!("[{shown}/{total}] "), t.muted));
    }
    if !v.filter.is_empty() {
        title.push(Span::styled(
            format!("/{} ", safe(&v.filter.text)),
            t.accent,
        ));
    }
    if let Some(s) = app.severity_floor {
        title.push(Span::styled(format!("sev≥{} ", s.as_str()), t.accent));
    }
    if !extra.is_empty() {
        title.push(Span::styled(format!("{extra} "), t.muted));
    }
    Block::default()
        .borders(Borders::ALL)
        .border_style(t.border)
        .title(Line::from(title))
}

pub(super) fn header_row<'a>(
    names: &[&'a str],
    sorted: Option<(usize, bool)>,
    t: &Theme,
) -> Row<'a> {
    Row::new(names.iter().enumerate().map(|(i, n)| {
        let mark = match sorted {
            Some((c, false)) if c == i => "▲",
            Some((c, true)) if c == i => "▼",
            _ => "",
        };
        Cell::from(format!("{n}{mark}"))
    }))
    .style(t.header.add_modifier(Modifier::BOLD))
}

/// A cell's own style, or none on the selected row: there the selection
/// style alone must show (a green "on" over a cyan bar is unreadable).
pub(super) fn cell_style(selected: bool, style: Style) -> Style {
    if selected { Style::default() } else { style }
}

/// The visible window of a list.
pub(super) fn window(v: &ListView, height: usize) -> std::ops::Range<usize> {
    let start = v.offset.min(v.rows.len());
    start..(start + height).min(v.rows.len())
}

fn counts_cell<'a>(c: &Counts, t: &Theme, selected: bool) -> Cell<'a> {
    let mut spans = Vec::new();
    for (n, s, letter) in [
        (c.critical, crate::model::finding::Severity::Critical, "C"),
        (c.high, crate::model::finding::Severity::High, "H"),
        (c.medium, crate::model::finding::Severity::Medium, "M"),
        (c.low, crate::model::finding::Severity::Low, "L"),
    ] {
        if n > 0 {
            spans.push(Span::styled(
                format!("{letter}{n} "),
                cell_style(selected, t.severity(s)),
            ));
        }
    }
    if c.unknown > 0 {
        spans.push(Span::styled(
            format!("?{}", c.unknown),
            cell_style(selected, t.unknown),
        ));
    }
    if spans.is_empty() {
        spans.push(Span::styled("-", cell_style(selected, t.pass)));
    }
    Cell::from(Line::from(spans))
}

pub(super) fn table<'a>(
    rows: Vec<Row<'a>>,
    header: Row<'a>,
    widths: &[Constraint],
    block: Block<'a>,
) -> Table<'a> {
    Table::new(rows, widths.to_vec())
        .header(header)
        .block(block)
        .column_spacing(1)
}

/// The Buckets pane.
pub fn buckets(f: &mut Frame<'_>, area: Rect, app: &App) {
    let t = &app.theme;
    let v = app.view(Pane::Buckets);
    let h = area.height.saturating_sub(3) as usize;
    let rows: Vec<Row<'_>> = window(v, h)
        .map(|i| {
            let b = &app.buckets[v.rows[i]];
            let sel = i == v.selected;
            let public_style = match b.public {
                Public::No => t.pass,
                Public::Unknown(_) => t.unknown,
                _ => t.fail,
            };
            let onoff = |s: &str| {
                cell_style(
                    sel,
                    match s {
                        "on" | "on+mfa" => t.pass,
                        "?" => t.unknown,
                        "off" | "none" => t.fail,
                        _ => t.medium,
                    },
                )
            };
            let row = Row::new(vec![
                Cell::from(safe(&b.bucket.name)),
                Cell::from(b.region.clone()),
                Cell::from(Span::styled(
                    b.public.label(),
                    cell_style(sel, public_style),
                )),
                Cell::from(Span::styled(b.encryption.clone(), onoff(&b.encryption))),
                Cell::from(Span::styled(b.bpa.clone(), onoff(&b.bpa))),
                Cell::from(Span::styled(b.versioning.clone(), onoff(&b.versioning))),
                Cell::from(Span::styled(b.logging.clone(), onoff(&b.logging))),
                counts_cell(&b.counts, t, sel),
            ]);
            if i == v.selected {
                row.style(t.selection)
            } else {
                row
            }
        })
        .collect();
    let header = header_row(
        &[
            "NAME", "REGION", "PUBLIC", "ENC", "BPA", "VER", "LOG", "FINDINGS",
        ],
        Some((v.sort, v.reverse)),
        t,
    );
    let widths = [
        Constraint::Min(14),
        Constraint::Length(9),
        Constraint::Length(7),
        Constraint::Length(10),
        Constraint::Length(4),
        Constraint::Length(6),
        Constraint::Length(4),
        Constraint::Length(12),
    ];
    let extra = match app.buckets.is_empty() {
        true if app.scan.listed.is_none() => "listing buckets…".to_string(),
        _ => String::new(),
    };
    f.render_widget(
        table(
            rows,
            header,
            &widths,
            block(app, Pane::Buckets, v.rows.len(), app.buckets.len(), extra),
        ),
        area,
    );
}

/// The Findings pane: grouped rows, and the selected finding's evidence.
pub fn findings(f: &mut Frame<'_>, area: Rect, app: &App) {
    let t = &app.theme;
    let [list, preview] = Layout::vertical([
        Constraint::Min(3),
        Constraint::Length(FINDING_PREVIEW_LINES as u16),
    ])
    .areas(area);
    let v = app.view(Pane::Findings);
    let h = list.height.saturating_sub(3) as usize;
    let rows: Vec<Row<'_>> = window(v, h)
        .map(|i| {
            let sel = i == v.selected;
            let row = match &app.finding_rows[v.rows[i]] {
                FindingRow::Group {
                    label,
                    count,
                    severity,
                } => {
                    let style = severity
                        .map(|s| t.severity(s))
                        .unwrap_or_default()
                        .add_modifier(Modifier::BOLD);
                    let count = Span::styled(format!(" ({count})"), t.muted);
                    match app.grouping {
                        // A severity fits its own column.
                        Grouping::Severity => Row::new(vec![
                            Cell::from(Span::styled(format!("▾ {}", safe(label)), style)),
                            Cell::from(count),
                        ]),
                        // A rule id starts in the RULE column, which is
                        // wide enough for one.
                        Grouping::Rule => Row::new(vec![
                            Cell::from(Span::styled("▾", style)),
                            Cell::from(""),
                            Cell::from(Span::styled(safe(label), style)),
                            Cell::from(count),
                        ]),
                    }
                }
                FindingRow::Item(r) => match app.finding(*r) {
                    Some(fd) => Row::new(vec![
                        Cell::from(Line::from(vec![
                            Span::raw("  "),
                            Span::styled(
                                severity_label(fd.severity),
                                cell_style(sel, t.severity(fd.severity)),
                            ),
                        ])),
                        Cell::from(Span::styled(
                            fd.status.as_str().to_uppercase(),
                            cell_style(sel, t.status(fd.status)),
                        )),
                        Cell::from(safe(&fd.rule)),
                        Cell::from(safe(short_arn(&fd.resource))),
                        Cell::from(safe(fd.reason.as_deref().unwrap_or(""))),
                    ]),
                    None => Row::new(vec![Cell::from("")]),
                },
            };
            if i == v.selected {
                row.style(t.selection)
            } else {
                row
            }
        })
        .collect();
    let header = header_row(&["SEVERITY", "STATUS", "RULE", "RESOURCE", "WHY"], None, t);
    let widths = [
        Constraint::Length(10),
        Constraint::Length(7),
        // The longest rule id (iam-role-external-no-external-id) where
        // there is room; on a narrow screen the resource needs it more.
        Constraint::Length(if area.width >= 110 { 32 } else { 24 }),
        // Narrow terminals take room from the resource and the reason, never
        // from the severity and the rule.
        Constraint::Min(12),
        Constraint::Min(10),
    ];
    let total = app
        .buckets
        .iter()
        .flat_map(|b| b.findings.iter())
        .chain(app.account_findings.iter())
        .filter(|f| f.status != Status::Pass)
        .count();
    let shown = app
        .finding_rows
        .iter()
        .filter(|r| matches!(r, FindingRow::Item(_)))
        .count();
    let by = match app.grouping {
        Grouping::Severity => "by severity",
        Grouping::Rule => "by rule",
    };
    f.render_widget(
        table(
            rows,
            header,
            &widths,
            block(app, Pane::Findings, shown, total, by.to_string()),
        ),
        list,
    );
    f.render_widget(Paragraph::new(finding_preview(app)), preview);
}

/// The selected finding: what, why, the evidence, and how to fix it.
fn finding_preview(app: &App) -> Vec<Line<'static>> {
    let t = &app.theme;
    let Some(fd) = app.selected_finding().and_then(|r| app.finding(r)) else {
        return vec![Line::styled(
            " select a finding to see its evidence",
            t.muted,
        )];
    };
    let title = crate::rules::rule(&fd.rule).map(|r| r.title).unwrap_or("");
    let mut lines = vec![Line::from(vec![
        Span::styled(
            format!(" {} ", safe(&fd.rule)),
            t.severity(fd.severity).add_modifier(Modifier::BOLD),
        ),
        Span::raw(title.to_string()),
        Span::styled(format!("  {}", safe(&fd.resource)), t.muted),
    ])];
    for e in fd
        .evidence
        .iter()
        .take(FINDING_PREVIEW_LINES.saturating_sub(2))
    {
        let path = e
            .path
            .as_deref()
            .map(|p| format!("  ({})", safe(p)))
            .unwrap_or_default();
        lines.push(Line::from(vec![
            Span::raw(format!("   • {}", safe(&e.summary))),
            Span::styled(path, t.muted),
        ]));
    }
    if fd.evidence.is_empty() {
        lines.push(Line::raw(format!(
            "   {}",
            safe(fd.reason.as_deref().unwrap_or(""))
        )));
    }
    lines.push(fix_line(app, fd.remediation.as_deref()));
    lines
}

/// "fix: F → bucket-versioning-on", or why not.
pub fn fix_line(app: &App, remediation: Option<&str>) -> Line<'static> {
    let t = &app.theme;
    match remediation {
        None => Line::styled("   no automatic remediation", t.muted),
        Some(id) => {
            let key = app
                .keymap
                .effective(&[Context::List, Context::Global])
                .into_iter()
                .find(|(a, _)| *a == Action::Fix)
                .map(|(_, k)| k[0].to_string());
            match key {
                Some(k) => Line::from(vec![
                    Span::raw("   fix: "),
                    Span::styled(k, t.header),
                    Span::raw(format!(" → {}", safe(id))),
                ]),
                None => Line::styled(
                    format!("   remediation {} (read-only: not offered)", safe(id)),
                    t.muted,
                ),
            }
        }
    }
}

/// `arn:aws:s3:::name` → `name`; IAM ARNs lose the partition prefix.
pub fn short_arn(arn: &str) -> &str {
    if let Some(b) = arn.strip_prefix("arn:aws:s3:::") {
        return b;
    }
    if let Some(rest) = arn
        .strip_prefix("arn:aws:iam::")
        .or_else(|| arn.strip_prefix("arn:aws:sts::"))
    {
        return rest.split_once(':').map(|(_, r)| r).unwrap_or(rest);
    }
    arn
}

/// The Principals pane.
pub fn principals(f: &mut Frame<'_>, area: Rect, app: &App) {
    let t = &app.theme;
    let v = app.view(Pane::Principals);
    let ps = app.principals();
    let h = area.height.saturating_sub(3) as usize;
    let rows: Vec<Row<'_>> = window(v, h)
        .map(|i| {
            let p = &ps[v.rows[i]];
            let sel = i == v.selected;
            let st = |style: Style| cell_style(sel, style);
            let mfa_style = match p.mfa {
                Mfa::Yes => t.pass,
                Mfa::No => t.fail,
                Mfa::Unknown(_) => t.unknown,
                Mfa::NotApplicable => t.muted,
            };
            let open = app
                .account_findings
                .iter()
                .filter(|f| f.resource == p.arn && f.status == Status::Fail)
                .count();
            let row = Row::new(vec![
                Cell::from(p.kind.as_str()),
                Cell::from(p.name.clone()),
                Cell::from(Span::styled(p.mfa.label(), st(mfa_style))),
                Cell::from(match p.console() {
                    Some(true) => "yes",
                    Some(false) => "no",
                    None => "-",
                }),
                Cell::from(match p.oldest_active_key() {
                    Some(d) => Span::styled(
                        format!("{d}d"),
                        st(if d > 90 { t.fail } else { Style::default() }),
                    ),
                    None => Span::styled("-", st(t.muted)),
                }),
                Cell::from(if p.admin() {
                    Span::styled("ADMIN", st(t.critical))
                } else {
                    Span::raw("")
                }),
                Cell::from(match p.privesc() {
                    0 => Span::raw(""),
                    1 => Span::styled("1 path", st(t.high)),
                    n => Span::styled(format!("{n} paths"), st(t.high)),
                }),
                Cell::from(if open > 0 {
                    Span::styled(format!("{open}"), st(t.fail))
                } else {
                    Span::styled("-", st(t.muted))
                }),
            ]);
            if i == v.selected {
                row.style(t.selection)
            } else {
                row
            }
        })
        .collect();
    let header = header_row(
        &[
            "KIND", "NAME", "MFA", "CONSOLE", "KEY AGE", "ADMIN", "PRIVESC", "FINDINGS",
        ],
        Some((v.sort, v.reverse)),
        t,
    );
    let widths = [
        Constraint::Length(5),
        Constraint::Min(16),
        Constraint::Length(4),
        Constraint::Length(7),
        Constraint::Length(7),
        Constraint::Length(6),
        Constraint::Length(8),
        Constraint::Length(8),
    ];
    let extra = match &app.iam {
        IamState::Loading => "reading IAM…".to_string(),
        IamState::Failed(e) => format!("IAM unreadable: {}", safe(e)),
        IamState::Loaded(_) => String::new(),
    };
    f.render_widget(
        table(
            rows,
            header,
            &widths,
            block(app, Pane::Principals, v.rows.len(), ps.len(), extra),
        ),
        area,
    );
}

/// `HH:MM:SS` (UTC) of a time in milliseconds.
pub fn clock(ms: i64) -> String {
    crate::lab::iso8601(ms)
        .get(11..19)
        .unwrap_or("")
        .to_string()
}

/// The Tail pane.
pub fn tail(f: &mut Frame<'_>, area: Rect, app: &App) {
    let t = &app.theme;
    let v = app.view(Pane::Tail);
    let h = area.height.saturating_sub(3) as usize;
    let rows: Vec<Row<'_>> = window(v, h)
        .map(|i| {
            let e = &app.tail.rows[v.rows[i]];
            let sel = i == v.selected;
            let (det, style) = match &e.detection {
                Some(d) => (severity_label(d.severity), t.severity(d.severity)),
                None => ("", Style::default()),
            };
            let result_style = if e.error.is_some() { t.fail } else { t.muted };
            let row = Row::new(vec![
                Cell::from(clock(e.time_ms)),
                Cell::from(Span::styled(det, cell_style(sel, style))),
                Cell::from(short_arn(&e.actor).to_string()),
                Cell::from(Span::styled(e.event.clone(), cell_style(sel, style))),
                Cell::from(e.target().to_string()),
                Cell::from(Span::styled(
                    e.result().to_string(),
                    cell_style(sel, result_style),
                )),
                Cell::from(e.source_ip.clone()),
            ]);
            if i == v.selected {
                row.style(t.selection)
            } else {
                row
            }
        })
        .collect();
    let header = header_row(
        &[
            "TIME",
            "DET",
            "ACTOR",
            "EVENT",
            "TARGET",
            "RESULT",
            "SOURCE IP",
        ],
        None,
        t,
    );
    // Time, detection, result and source IP keep their width; actor, event
    // and target share the rest, the event a little more (CloudTrail's
    // names run to 30 characters).
    let widths = [
        Constraint::Length(8),
        Constraint::Length(4),
        Constraint::Fill(3),
        Constraint::Fill(4),
        Constraint::Fill(3),
        Constraint::Length(12),
        Constraint::Length(15),
    ];
    let state = if app.tail.following {
        "● following".to_string()
    } else if app.tail.unseen > 0 {
        format!("‖ paused, {} new", app.tail.unseen)
    } else {
        "‖ paused".to_string()
    };
    let extra = format!("{state} · {}", safe(&app.tail.status));
    f.render_widget(
        table(
            rows,
            header,
            &widths,
            block(app, Pane::Tail, v.rows.len(), app.tail.rows.len(), extra),
        ),
        area,
    );
}
