//! A bucket policy as the bucket detail shows it: pretty-printed statement
//! by statement, each statement the engine found public (in effect or
//! neutralised), granting outside the account, or denying plain HTTP marked
//! and followed by why (`policy::analyze_bucket`'s statement references).

use std::collections::BTreeMap;

use ratatui::style::{Modifier, Style};
use ratatui::text::Line;

use crate::model::text::safe;
use crate::tui::analysis::BucketView;
use crate::tui::theme::Theme;

/// The policy pretty-printed, statement by statement, each flagged one
/// highlighted and followed by why.
pub fn lines(t: &Theme, text: &str, v: &BucketView) -> Vec<Line<'static>> {
    let Ok(doc) = serde_json::from_str::<serde_json::Value>(text) else {
        return text
            .lines()
            .map(|l| Line::raw(format!("   {}", safe(l))))
            .collect();
    };
    let mut notes: BTreeMap<usize, Vec<(String, Style)>> = BTreeMap::new();
    if let Some(r) = &v.report {
        for pf in &r.publicity.findings {
            if let Some(st) = &pf.statement {
                let access: Vec<&str> = pf
                    .access
                    .iter()
                    .map(|a| match a {
                        crate::policy::AccessKind::Read => "read",
                        crate::policy::AccessKind::Write => "write",
                    })
                    .collect();
                let (label, style) = match &pf.neutralised_by {
                    None => (
                        format!("PUBLIC ({}): {}", access.join(", "), safe(&pf.reason)),
                        t.fail,
                    ),
                    Some(by) => (
                        format!(
                            "public ({}) but neutralised by {}: {}",
                            access.join(", "),
                            safe(by),
                            safe(&pf.reason)
                        ),
                        t.unknown,
                    ),
                };
                notes.entry(st.index).or_default().push((label, style));
            }
        }
        for g in &r.access.grants {
            if g.to != "public" {
                notes.entry(g.statement.index).or_default().push((
                    format!("EXTERNAL: {} — {}", safe(&g.to), safe(&g.reason)),
                    t.medium,
                ));
            }
        }
        for (what, st) in [
            ("objects", &r.transport.object_statement),
            ("bucket", &r.transport.bucket_statement),
        ] {
            if let Some(st) = st {
                notes
                    .entry(st.index)
                    .or_default()
                    .push((format!("denies plain HTTP ({what} requests)"), t.pass));
            }
        }
    }
    let pretty = |v: &serde_json::Value| -> Vec<String> {
        serde_json::to_string_pretty(v)
            .unwrap_or_default()
            .lines()
            .map(safe)
            .collect()
    };
    let mut out = Vec::new();
    let statements: Vec<serde_json::Value> = match doc.get("Statement") {
        Some(serde_json::Value::Array(a)) => a.clone(),
        Some(one) => vec![one.clone()],
        None => Vec::new(),
    };
    out.push(Line::raw("   {"));
    if let Some(obj) = doc.as_object() {
        for (k, val) in obj.iter().filter(|(k, _)| k.as_str() != "Statement") {
            out.push(Line::raw(format!(
                "     {}: {},",
                safe(&serde_json::to_string(k).unwrap_or_default()),
                safe(&val.to_string())
            )));
        }
    }
    out.push(Line::raw("     \"Statement\": ["));
    for (i, st) in statements.iter().enumerate() {
        let flagged = notes.get(&i);
        let style = match flagged {
            Some(n) if n.iter().any(|(_, s)| *s == t.fail) => t.accent,
            _ => Style::default(),
        };
        let body = pretty(st);
        let last = body.len().saturating_sub(1);
        for (j, l) in body.into_iter().enumerate() {
            let comma = if j == last && i + 1 < statements.len() {
                ","
            } else {
                ""
            };
            out.push(Line::styled(format!("       {l}{comma}"), style));
        }
        if let Some(n) = flagged {
            for (text, s) in n {
                out.push(Line::styled(
                    format!("         ▲ Statement[{i}]: {text}"),
                    s.add_modifier(Modifier::BOLD),
                ));
            }
        }
    }
    out.push(Line::raw("     ]"));
    out.push(Line::raw("   }"));
    out
}
