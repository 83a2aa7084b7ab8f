//! Detail views: a bucket (every facet, the policy with the statements
//! that make it public or insecure highlighted and explained, the ACL, who
//! can reach it, its findings, its trail events), a principal (policies and
//! where each permission comes from, trust and its MFA verdict), and one
//! trail record.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::lists::{clock, fix_line, short_arn};
use crate::model::Facet;
use crate::model::finding::{Finding, Status};
use crate::model::s3::{Grantee, PublicAccessBlock};
use crate::model::text::safe;
use crate::policy::PublicVia;
use crate::tui::analysis::BucketView;
use crate::tui::app::{App, Page};
use crate::tui::tail_view::TailRow;
use crate::tui::theme::{Theme, severity_label};

/// Draw a detail page, scrolled.
pub fn render(f: &mut Frame<'_>, area: Rect, app: &App, page: &Page) {
    let lines = lines(app, page);
    let h = area.height.saturating_sub(2) as usize;
    let scroll = app.page().scroll.min(lines.len().saturating_sub(h));
    let title = match page {
        Page::Bucket(_) => " bucket ",
        Page::Principal(_) => " principal ",
        Page::Event(_) => " event ",
        Page::Preview => " preview ",
        Page::Entry(_) => " journal entry ",
        Page::Pane(_) => " ",
    };
    let more = if lines.len() > h {
        format!(
            " {}-{}/{} ",
            scroll + 1,
            (scroll + h).min(lines.len()),
            lines.len()
        )
    } else {
        String::new()
    };
    let visible: Vec<Line<'static>> = lines.into_iter().skip(scroll).take(h).collect();
    f.render_widget(
        Paragraph::new(visible).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(app.theme.border)
                .title(Span::styled(title, app.theme.header))
                .title_bottom(Line::styled(more, app.theme.muted).right_aligned()),
        ),
        area,
    );
}

/// The lines of a detail page (also what scrolling counts).
pub fn lines(app: &App, page: &Page) -> Vec<Line<'static>> {
    match page {
        Page::Bucket(name) => match app.bucket(name) {
            Some(v) => bucket(app, v),
            None => vec![Line::raw(format!(
                " bucket {} is not in the scan",
                safe(name)
            ))],
        },
        Page::Principal(arn) => match app.principal(arn) {
            Some(p) => super::principal_detail::lines(app, p),
            None => vec![Line::raw(format!(" {} is not loaded", safe(arn)))],
        },
        Page::Event(id) => match app.event(id) {
            Some(e) => super::event_detail::lines(app, e),
            None => vec![Line::raw(" this event has left the buffer")],
        },
        Page::Preview => super::fix::lines(app),
        Page::Entry(id) => match app.journal_entry(id) {
            Some(e) => super::journal::entry_lines(app, e),
            None => vec![Line::raw(format!(
                " journal entry {} is not in the journal",
                safe(id)
            ))],
        },
        Page::Pane(_) => Vec::new(),
    }
}

pub(super) fn section(t: &Theme, title: &str) -> Line<'static> {
    Line::from(vec![
        Span::styled("── ", t.border),
        Span::styled(title.to_string(), t.header.add_modifier(Modifier::BOLD)),
    ])
}

pub(super) fn kv(t: &Theme, k: &str, v: Span<'static>) -> Line<'static> {
    Line::from(vec![Span::styled(format!(" {k:<22}"), t.muted), v])
}

fn facet<T>(
    t: &Theme,
    f: &Facet<T>,
    show: impl Fn(&T) -> (String, Style),
    absent: (&str, Style),
) -> Span<'static> {
    match f {
        Facet::Present(v) => {
            let (s, st) = show(v);
            Span::styled(s, st)
        }
        Facet::Absent => Span::styled(absent.0.to_string(), absent.1),
        Facet::Unknown(u) => Span::styled(format!("unknown ({})", safe(&u.to_string())), t.unknown),
    }
}

fn bpa_text(b: &PublicAccessBlock) -> String {
    if b.all_on() {
        return "all four on".into();
    }
    let flag = |on: bool, n: &str| format!("{n} {}", if on { "on" } else { "OFF" });
    [
        flag(b.block_public_acls, "BlockPublicAcls"),
        flag(b.ignore_public_acls, "IgnorePublicAcls"),
        flag(b.block_public_policy, "BlockPublicPolicy"),
        flag(b.restrict_public_buckets, "RestrictPublicBuckets"),
    ]
    .join(", ")
}

fn bucket(app: &App, v: &BucketView) -> Vec<Line<'static>> {
    let t = &app.theme;
    let b = &v.bucket;
    let mut out = vec![Line::from(vec![
        Span::styled(
            format!(" {}", safe(&b.name)),
            t.header.add_modifier(Modifier::BOLD),
        ),
        Span::styled(format!("   {}", v.region), t.muted),
    ])];
    let public_style = match v.public {
        crate::tui::analysis::Public::No => t.pass,
        crate::tui::analysis::Public::Unknown(_) => t.unknown,
        _ => t.fail,
    };
    let via = v
        .report
        .as_ref()
        .map(|r| r.public_via)
        .unwrap_or(PublicVia::None);
    let public = match &v.public {
        crate::tui::analysis::Public::Unknown(why) => format!("unknown: {why}"),
        p if via != PublicVia::None => format!("{} (via {})", p.label(), via.as_str()),
        p => p.label().to_string(),
    };
    out.push(kv(t, "public", Span::styled(public, public_style)));
    if let Facet::Present(s) = &b.policy_status {
        out.push(kv(
            t,
            "S3 says IsPublic",
            Span::raw(s.is_public.to_string()),
        ));
    }
    out.push(Line::raw(""));
    out.push(section(t, "Configuration"));
    let ok = t.pass;
    let bad = t.fail;
    out.push(kv(
        t,
        "block public access",
        facet(
            t,
            &b.public_access_block,
            |x| (bpa_text(x), if x.all_on() { ok } else { bad }),
            ("not configured", bad),
        ),
    ));
    out.push(kv(
        t,
        "  account level",
        facet(
            t,
            &app.account_bpa,
            |x| (bpa_text(x), if x.all_on() { ok } else { bad }),
            ("not configured", bad),
        ),
    ));
    out.push(kv(
        t,
        "object ownership",
        facet(
            t,
            &b.ownership,
            |x| (x.as_str().to_string(), Style::default()),
            ("not configured (ACLs apply)", Style::default()),
        ),
    ));
    out.push(kv(
        t,
        "default encryption",
        facet(
            t,
            &b.encryption,
            |e| {
                let key = e
                    .kms_key_id
                    .as_deref()
                    .map(|k| format!(" key {}", safe(k)))
                    .unwrap_or_default();
                let bk = if e.bucket_key_enabled {
                    ", bucket key on"
                } else {
                    ""
                };
                (format!("{}{key}{bk}", e.algorithm.label()), ok)
            },
            ("none", bad),
        ),
    ));
    out.push(kv(
        t,
        "versioning",
        facet(
            t,
            &b.versioning,
            |x| {
                (
                    format!(
                        "{:?}, MFA Delete {}",
                        x.status,
                        if x.mfa_delete { "on" } else { "off" }
                    ),
                    Style::default(),
                )
            },
            ("never enabled", bad),
        ),
    ));
    out.push(kv(
        t,
        "access logging",
        facet(
            t,
            &b.logging,
            |l| {
                (
                    format!("to {}/{}", safe(&l.target_bucket), safe(&l.target_prefix)),
                    ok,
                )
            },
            ("off", bad),
        ),
    ));
    out.push(kv(
        t,
        "lifecycle",
        facet(
            t,
            &b.lifecycle,
            |rules| {
                let parts: Vec<String> = rules
                    .iter()
                    .map(|r| {
                        let exp = r
                            .expiration_days
                            .map(|d| format!(", expire {d}d"))
                            .unwrap_or_default();
                        format!(
                            "{} ({}{exp})",
                            safe(&r.id),
                            if r.enabled { "on" } else { "off" }
                        )
                    })
                    .collect();
                (parts.join("; "), Style::default())
            },
            ("none", t.muted),
        ),
    ));
    out.push(kv(
        t,
        "replication",
        facet(
            t,
            &b.replication,
            |r| {
                (
                    format!(
                        "{} → {}",
                        safe(short_arn(&r.role)),
                        r.destinations
                            .iter()
                            .map(|d| safe(short_arn(d)))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    Style::default(),
                )
            },
            ("none", t.muted),
        ),
    ));
    out.push(kv(
        t,
        "object lock",
        facet(
            t,
            &b.object_lock,
            |o| {
                let mode = match (&o.default_mode, o.default_days) {
                    (Some(m), Some(d)) => format!(", default {} {d}d", safe(m)),
                    (Some(m), None) => format!(", default {}", safe(m)),
                    _ => String::new(),
                };
                (
                    format!("{}{mode}", if o.enabled { "enabled" } else { "disabled" }),
                    Style::default(),
                )
            },
            ("none", t.muted),
        ),
    ));
    match &b.tags {
        Facet::Present(tags) if !tags.is_empty() => {
            for (i, tag) in tags.iter().enumerate() {
                let label = if i == 0 { "tags" } else { "" };
                out.push(kv(
                    t,
                    label,
                    Span::raw(format!("{} = {}", safe(&tag.key), safe(&tag.value))),
                ));
            }
        }
        other => out.push(kv(
            t,
            "tags",
            facet(t, other, |_| ("none".into(), t.muted), ("none", t.muted)),
        )),
    }

    out.push(Line::raw(""));
    out.push(section(t, "Bucket policy"));
    match &b.policy {
        Facet::Present(text) => out.extend(super::policy::lines(t, text, v)),
        Facet::Absent => out.push(Line::styled(" no bucket policy", t.muted)),
        Facet::Unknown(u) => out.push(Line::styled(
            format!(" unreadable: {}", safe(&u.to_string())),
            t.unknown,
        )),
    }
    if let Some(p) = &v.policy_problem {
        out.push(Line::styled(format!(" ! {p}"), t.unknown));
    }
    if let Some(r) = &v.report {
        for reason in &r.reasons {
            out.push(Line::styled(format!("   · {}", safe(reason)), t.muted));
        }
    }

    out.push(Line::raw(""));
    out.push(section(t, "ACL"));
    match &b.acl {
        Facet::Present(acl) => {
            out.push(kv(t, "owner", Span::raw(safe(&acl.owner_id))));
            for g in &acl.grants {
                let (who, public) = match &g.grantee {
                    Grantee::CanonicalUser { id, display_name } => {
                        let own = if *id == acl.owner_id { " (owner)" } else { "" };
                        (
                            format!("{}{own}", safe(display_name.as_deref().unwrap_or(id))),
                            false,
                        )
                    }
                    Grantee::Group { uri } => {
                        let short = uri.rsplit('/').next().unwrap_or(uri);
                        (
                            format!("group {}", safe(short)),
                            short == "AllUsers" || short == "AuthenticatedUsers",
                        )
                    }
                    Grantee::AmazonCustomerByEmail { email } => (safe(email), false),
                };
                let mut spans = vec![Span::raw(format!("   {:<40} {}", who, safe(&g.permission)))];
                if public {
                    spans.push(Span::styled("  PUBLIC", t.fail));
                }
                out.push(Line::from(spans));
            }
        }
        Facet::Absent => out.push(Line::styled(" none", t.muted)),
        Facet::Unknown(u) => out.push(Line::styled(
            format!(" unreadable: {}", safe(&u.to_string())),
            t.unknown,
        )),
    }

    out.push(Line::raw(""));
    out.push(section(t, "Who can reach it"));
    match &v.report {
        Some(r) if r.public => out.push(Line::styled(
            " anyone on the internet (see the policy and ACL above)",
            t.fail,
        )),
        _ => {}
    }
    if let Some(r) = &v.report {
        for g in &r.access.grants {
            out.push(Line::raw(format!(
                "   {} — {} ({})",
                safe(&g.to),
                safe(&g.reason),
                g.statement.describe()
            )));
        }
        if r.access.grants.is_empty() && !r.public {
            out.push(Line::styled(
                " no one outside the account, by the bucket policy",
                t.muted,
            ));
        }
    }
    out.extend(reach_lines(app, &b.name));

    out.push(Line::raw(""));
    out.push(section(t, "Findings"));
    out.extend(finding_lines(app, &v.findings));

    out.extend(recent_events(app, |e| {
        e.bucket.as_deref() == Some(b.name.as_str())
    }));
    out
}

/// The "Recent trail events" section: the newest ten tail rows `keep`
/// selects (a bucket's, a principal's), newest first.
pub(super) fn recent_events(app: &App, keep: impl Fn(&TailRow) -> bool) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut out = vec![Line::raw(""), section(t, "Recent trail events")];
    let events: Vec<&TailRow> = app
        .tail
        .rows
        .iter()
        .rev()
        .filter(|e| keep(e))
        .take(10)
        .collect();
    if events.is_empty() {
        out.push(Line::styled(" none in the tail", t.muted));
    }
    out.extend(events.into_iter().map(|e| event_line(t, e)));
    out
}

/// Principals of the account that can read, write or re-permission the
/// bucket (`policy::reach`), each with the first grant that lets it.
fn reach_lines(app: &App, bucket: &str) -> Vec<Line<'static>> {
    use crate::policy::reach::Capability;
    let t = &app.theme;
    let Some(r) = app.reach.get(bucket) else {
        let why = match &app.iam {
            crate::tui::app::IamState::Loading => " principals of this account: waiting for IAM…",
            crate::tui::app::IamState::Failed(_) => {
                " principals of this account: unknown (IAM could not be read)"
            }
            crate::tui::app::IamState::Loaded(_) => " principals of this account: working it out…",
        };
        return vec![Line::styled(why, t.muted)];
    };
    let mut out = Vec::new();
    if r.principals.is_empty() {
        out.push(Line::styled(
            " no principal of this account can reach it",
            t.muted,
        ));
    }
    for p in &r.principals {
        let caps: String = [
            (Capability::Read, 'R'),
            (Capability::Write, 'W'),
            (Capability::ChangePermissions, 'P'),
        ]
        .iter()
        .map(|(c, l)| if p.can(*c) { *l } else { '-' })
        .collect();
        let first = p
            .capabilities
            .iter()
            .flat_map(|c| c.actions.iter())
            .flat_map(|a| a.allowed_by.iter())
            .next();
        let via = first
            .map(|g| {
                let cond = if g.conditions.is_empty() {
                    String::new()
                } else {
                    format!(" if {}", g.conditions.join(", "))
                };
                format!("{}{cond}", safe(&g.summary))
            })
            .unwrap_or_default();
        let style = if p.can(Capability::ChangePermissions) || p.can(Capability::Write) {
            t.high
        } else {
            Style::default()
        };
        out.push(Line::from(vec![
            Span::styled(format!("   {caps} "), style),
            Span::raw(format!("{:<5} {:<28} ", p.kind.as_str(), safe(&p.name))),
            Span::styled(via, t.muted),
        ]));
    }
    for u in &r.unknown {
        out.push(Line::styled(
            format!(
                "   ??? {} {}: {}",
                u.kind.as_str(),
                safe(&u.name),
                safe(&u.reason)
            ),
            t.unknown,
        ));
    }
    out.push(Line::styled(
        "   (R read, W write, P change the policy or ACL)",
        t.muted,
    ));
    for n in &r.notes {
        out.push(Line::styled(format!("   · {}", safe(n)), t.muted));
    }
    out
}

pub(super) fn event_line(t: &Theme, e: &TailRow) -> Line<'static> {
    let style = e
        .detection
        .as_ref()
        .map(|d| t.severity(d.severity))
        .unwrap_or_default();
    Line::from(vec![
        Span::styled(format!(" {} ", clock(e.time_ms)), t.muted),
        Span::styled(format!("{:<24}", e.event), style),
        Span::raw(format!(" {} ", short_arn(&e.actor))),
        Span::styled(
            e.result().to_string(),
            if e.error.is_some() { t.fail } else { t.muted },
        ),
    ])
}

pub(super) fn finding_lines(app: &App, findings: &[Finding]) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut sorted: Vec<&Finding> = findings.iter().collect();
    sorted.sort_by(|a, b| {
        (a.status == Status::Pass)
            .cmp(&(b.status == Status::Pass))
            .then(b.severity.cmp(&a.severity))
    });
    let mut out = Vec::new();
    if sorted.is_empty() {
        out.push(Line::styled(" no rule applies", t.muted));
    }
    for f in sorted {
        out.push(Line::from(vec![
            Span::raw(" "),
            Span::styled(
                format!("{:<7}", f.status.as_str().to_uppercase()),
                t.status(f.status),
            ),
            Span::styled(
                format!("{:<5}", severity_label(f.severity)),
                t.severity(f.severity),
            ),
            Span::raw(format!("{:<28} ", safe(&f.rule))),
            Span::raw(safe(f.reason.as_deref().unwrap_or(""))),
        ]));
        for e in &f.evidence {
            let path = e
                .path
                .as_deref()
                .map(|p| format!("  ({})", safe(p)))
                .unwrap_or_default();
            out.push(Line::from(vec![
                Span::raw(format!("        • {}", safe(&e.summary))),
                Span::styled(path, t.muted),
            ]));
        }
        if f.status == Status::Fail && f.remediation.is_some() {
            let mut l = fix_line(app, f.remediation.as_deref());
            l.spans.insert(0, Span::raw("     "));
            out.push(l);
        }
    }
    out
}

pub(super) fn document_lines(doc: &str, indent: &str) -> Vec<Line<'static>> {
    let pretty = serde_json::from_str::<serde_json::Value>(doc)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| doc.to_string());
    pretty
        .lines()
        .map(|l| Line::raw(format!("{indent}{}", safe(l))))
        .collect()
}
