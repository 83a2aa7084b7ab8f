//! One trail record: who, what, on what, the result, every detection that
//! fired, and the record itself (as the tail's parser kept it: secrets
//! masked, every string sanitised).

use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

use super::detail::{kv, section};
use crate::tui::app::App;
use crate::tui::tail_view::TailRow;
use crate::tui::theme::severity_label;

/// The lines of an event's detail page.
pub fn lines(app: &App, e: &TailRow) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut out = vec![Line::from(vec![
        Span::styled(
            format!(" {}", e.event),
            t.header.add_modifier(Modifier::BOLD),
        ),
        Span::styled(format!("   {}", crate::lab::iso8601(e.time_ms)), t.muted),
    ])];
    out.push(kv(t, "actor", Span::raw(e.actor.clone())));
    if let Some(p) = &e.principal_arn {
        out.push(kv(t, "principal", Span::raw(p.clone())));
    }
    out.push(kv(t, "source", Span::raw(e.source.clone())));
    out.push(kv(
        t,
        "target",
        Span::raw(if e.target().is_empty() {
            "-".into()
        } else {
            e.target().to_string()
        }),
    ));
    if let Some(b) = &e.bucket {
        out.push(kv(t, "bucket", Span::raw(b.clone())));
    }
    out.push(kv(
        t,
        "result",
        Span::styled(
            e.result().to_string(),
            if e.success { t.pass } else { t.fail },
        ),
    ));
    out.push(kv(t, "source IP", Span::raw(e.source_ip.clone())));
    out.push(kv(t, "log group", Span::styled(e.group.clone(), t.muted)));
    if e.by_vigil {
        out.push(kv(
            t,
            "by vigil",
            Span::styled("yes: vigil's own call, detections suppressed", t.muted),
        ));
    }
    let detections: Vec<_> = e.detection.iter().chain(e.more_detections.iter()).collect();
    if detections.is_empty() {
        out.push(kv(t, "detections", Span::styled("none", t.muted)));
    }
    for (i, d) in detections.iter().enumerate() {
        out.push(kv(
            t,
            if i == 0 { "detections" } else { "" },
            Span::styled(
                format!("{} {} — {}", severity_label(d.severity), d.id, d.summary),
                t.severity(d.severity),
            ),
        ));
    }
    out.push(Line::raw(""));
    out.push(section(t, "Record"));
    out.extend(e.pretty().iter().map(|l| Line::raw(format!("   {l}"))));
    out
}
