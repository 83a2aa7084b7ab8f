//! The journal as an incident-report timeline in Markdown: the findings
//! seen, the events and notes observed, every change with who made it and
//! through which role, its before/after and how it was verified. Built only
//! from what the journal holds; the console adds findings and events to the
//! journal as observations and they appear here.

use std::fmt::Write;

use super::journal::{Action, Contents, Entry};
use super::state;
use crate::model::text::safe;

/// Text for a Markdown table cell: safe, one line, no column breaks.
fn cell(s: &str) -> String {
    safe(s).replace('|', "\\|")
}

fn who(e: &Entry) -> (String, String) {
    let a = &e.intent.actor;
    let role = match (&a.role_arn, &a.session_name) {
        (Some(r), Some(s)) => format!("{r} (session {s})"),
        (Some(r), None) => r.clone(),
        (None, _) => "current credentials (no elevation)".into(),
    };
    (a.operator.clone(), role)
}

/// One row of the timeline.
struct Row {
    time: String,
    what: String,
    resource: String,
    who: String,
    role: String,
    result: String,
}

/// The report for one account's journal.
pub fn markdown(account_id: &str, contents: &Contents, generated: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Incident report: AWS account {}\n", cell(account_id));
    let _ = writeln!(
        out,
        "Generated {generated} by vigil from its journal. Times are UTC. Credentials and MFA codes are never journaled.\n"
    );

    let changes: Vec<&Entry> = contents.entries.iter().collect();
    let count = |s: &str| changes.iter().filter(|e| e.status() == s).count();
    let mut operators: Vec<String> = changes.iter().map(|e| who(e).0).collect();
    operators.sort();
    operators.dedup();
    let mut roles: Vec<String> = changes
        .iter()
        .filter_map(|e| e.intent.actor.role_arn.clone())
        .collect();
    roles.sort();
    roles.dedup();
    let _ = writeln!(out, "## Summary\n");
    let _ = writeln!(
        out,
        "- {} journaled changes: {} applied, {} undone, {} failed, {} unverified, {} unfinished",
        changes.len(),
        count("applied"),
        count("undone"),
        count("failed"),
        count("unverified"),
        count("unfinished")
    );
    let _ = writeln!(
        out,
        "- Operators: {}",
        if operators.is_empty() {
            "none".into()
        } else {
            operators
                .iter()
                .map(|o| cell(o))
                .collect::<Vec<_>>()
                .join(", ")
        }
    );
    let _ = writeln!(
        out,
        "- Roles used: {}",
        if roles.is_empty() {
            "none".into()
        } else {
            roles.iter().map(|o| cell(o)).collect::<Vec<_>>().join(", ")
        }
    );
    if !contents.damaged.is_empty() {
        let lines: Vec<String> = contents
            .damaged
            .iter()
            .map(|d| d.line.to_string())
            .collect();
        let _ = writeln!(
            out,
            "- Damaged journal lines (kept, not read): {}",
            lines.join(", ")
        );
    }

    let _ = writeln!(out, "\n## Findings seen\n");
    let mut findings: Vec<(String, String, String, String, String)> = Vec::new();
    for e in &changes {
        for f in &e.intent.findings {
            findings.push((
                e.intent.time.clone(),
                f.rule.clone(),
                f.resource.clone(),
                f.severity.as_str().to_string(),
                f.reason.clone().unwrap_or_default(),
            ));
        }
    }
    for o in contents.observations.iter().filter(|o| o.kind == "finding") {
        findings.push((
            o.time.clone(),
            String::new(),
            o.resource.clone().unwrap_or_default(),
            String::new(),
            o.summary.clone(),
        ));
    }
    findings.sort();
    if findings.is_empty() {
        let _ = writeln!(out, "None recorded.");
    } else {
        let _ = writeln!(
            out,
            "| time | rule | resource | severity | why |\n|---|---|---|---|---|"
        );
        for (t, r, res, sev, why) in &findings {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                cell(t),
                cell(r),
                cell(res),
                cell(sev),
                cell(why)
            );
        }
    }

    let mut rows: Vec<Row> = Vec::new();
    for o in &contents.observations {
        rows.push(Row {
            time: o.time.clone(),
            what: format!("{}: {}", o.kind, o.summary),
            resource: o.resource.clone().unwrap_or_default(),
            who: String::new(),
            role: String::new(),
            result: String::new(),
        });
    }
    for e in &changes {
        let (operator, role) = who(e);
        let what = match e.intent.action {
            Action::Apply => format!("{} ({})", e.intent.remediation, e.intent.id),
            Action::Undo => format!(
                "undo of {} ({})",
                e.intent.undoes.as_deref().unwrap_or("?"),
                e.intent.id
            ),
        };
        rows.push(Row {
            time: e.intent.time.clone(),
            what,
            resource: e.intent.resource.clone(),
            who: operator,
            role,
            result: e.status().to_string(),
        });
    }
    rows.sort_by(|a, b| a.time.cmp(&b.time));
    let _ = writeln!(out, "\n## Timeline\n");
    if rows.is_empty() {
        let _ = writeln!(out, "Nothing journaled.");
    } else {
        let _ = writeln!(
            out,
            "| time | what | resource | who | role | result |\n|---|---|---|---|---|---|"
        );
        for r in &rows {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                cell(&r.time),
                cell(&r.what),
                cell(&r.resource),
                cell(&r.who),
                cell(&r.role),
                cell(&r.result)
            );
        }
    }

    let _ = writeln!(out, "\n## Changes\n");
    for e in &changes {
        let (operator, role) = who(e);
        let _ = writeln!(
            out,
            "### {} — {}\n",
            cell(&e.intent.id),
            cell(&e.intent.title)
        );
        let _ = writeln!(out, "- Resource: {}", cell(&e.intent.resource));
        let _ = writeln!(out, "- Remediation: {}", cell(&e.intent.remediation));
        let _ = writeln!(out, "- Started: {}", cell(&e.intent.time));
        let _ = writeln!(out, "- Operator: {}", cell(&operator));
        let _ = writeln!(out, "- Role: {}", cell(&role));
        if let Some(u) = &e.intent.undoes {
            let _ = writeln!(out, "- Undoes: {}", cell(u));
        }
        if let Some(by) = &e.undone_by {
            let _ = writeln!(out, "- Undone by: {}", cell(by));
        }
        match &e.outcome {
            None => {
                let _ = writeln!(
                    out,
                    "- Outcome: **unfinished** — vigil stopped after journaling the intent; verify or undo it"
                );
            }
            Some(o) => {
                let _ = writeln!(
                    out,
                    "- Outcome: {} at {}, {} of {} steps written, read back {}",
                    e.status(),
                    cell(&o.time),
                    o.applied_steps,
                    e.intent.steps.len(),
                    if o.verification.verified {
                        "as expected"
                    } else {
                        "NOT as expected"
                    }
                );
                if let Some(err) = &o.error {
                    let _ = writeln!(out, "- Error: {}", cell(err));
                }
                if let Some(r) = &o.recovered {
                    let _ = writeln!(out, "- Note: {}", cell(r));
                }
            }
        }
        for (i, s) in e.intent.steps.iter().enumerate() {
            let _ = writeln!(
                out,
                "\n{}. `{}` — {}\n\n   Before:\n\n```json\n{}\n```\n\n   After:\n\n```json\n{}\n```",
                i + 1,
                s.after.api_call(),
                cell(&state::setting_name(&s.after)),
                safe(&state::render_value(&s.before)).replace("```", "'''"),
                safe(&state::render_value(&s.after)).replace("```", "'''"),
            );
        }
        let _ = writeln!(out);
    }
    out
}
