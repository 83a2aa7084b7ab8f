//! A principal: credentials (MFA, console, keys), a role's trust and its
//! MFA verdict, admin-equivalence and escalation methods with the chain of
//! each permission (group → policy → statement), every identity policy,
//! its findings and its recent trail events — all from the IAM analysis's
//! principal report.

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::detail::{document_lines, finding_lines, kv, section};
use crate::model::finding::Finding;
use crate::model::text::safe;
use crate::policy::principals::{Fact, Provenance};
use crate::tui::app::App;
use crate::tui::principal_view::{Mfa, PrincipalView};

fn chains(t: &crate::tui::theme::Theme, label: &str, from: &[Provenance]) -> Vec<Line<'static>> {
    from.iter()
        .map(|p| {
            Line::from(vec![
                Span::raw(format!("     {label} ← ")),
                Span::styled(safe(&p.chain), t.muted),
            ])
        })
        .collect()
}

/// The lines of a principal's detail page.
pub fn lines(app: &App, p: &PrincipalView) -> Vec<Line<'static>> {
    let t = &app.theme;
    let r = &p.report;
    let mut out = vec![Line::from(vec![
        Span::styled(
            format!(" {} {}", r.kind.as_str(), p.name),
            t.header.add_modifier(Modifier::BOLD),
        ),
        Span::styled(format!("   {}", p.arn), t.muted),
    ])];
    if !r.groups.is_empty() {
        let label = if r.kind == crate::policy::PrincipalKind::Group {
            "members"
        } else {
            "groups"
        };
        out.push(kv(
            t,
            label,
            Span::raw(
                r.groups
                    .iter()
                    .map(|g| safe(g))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        ));
    }
    if let Some(c) = &r.credentials {
        let (mfa, style) = match &p.mfa {
            Mfa::Yes => ("yes".to_string(), t.pass),
            Mfa::No => ("NO".to_string(), t.fail),
            Mfa::Unknown(why) => (format!("unknown ({})", safe(why)), t.unknown),
            Mfa::NotApplicable => ("-".to_string(), t.muted),
        };
        out.push(kv(t, "MFA", Span::styled(mfa, style)));
        let console = match &c.console_password {
            Fact::Known(true) => {
                let used = match &c.password_last_used {
                    Fact::Known(Some(m)) => format!(", last used {} days ago", m.days_ago),
                    Fact::Known(None) => ", never used".into(),
                    Fact::Unknown(_) => String::new(),
                };
                format!("yes{used}")
            }
            Fact::Known(false) => "no".into(),
            Fact::Unknown(why) => format!("unknown ({})", safe(why)),
        };
        out.push(kv(t, "console password", Span::raw(console)));
        match &c.access_keys {
            Fact::Known(keys) if keys.is_empty() => {
                out.push(kv(t, "access keys", Span::styled("none", t.muted)))
            }
            Fact::Known(keys) => {
                for (i, k) in keys.iter().enumerate() {
                    let age = k
                        .created
                        .as_ref()
                        .map(|m| format!(", {} days old", m.days_ago))
                        .unwrap_or_default();
                    let used = match &k.last_used {
                        Fact::Known(Some(m)) => format!(", last used {} days ago", m.days_ago),
                        Fact::Known(None) => ", never used".into(),
                        Fact::Unknown(_) => String::new(),
                    };
                    let old = k.active && k.created.as_ref().is_some_and(|m| m.days_ago > 90);
                    out.push(kv(
                        t,
                        if i == 0 { "access keys" } else { "" },
                        Span::styled(
                            format!(
                                "{} {}{age}{used}",
                                safe(k.id.as_deref().unwrap_or("(key)")),
                                if k.active { "Active" } else { "Inactive" }
                            ),
                            if old { t.fail } else { Style::default() },
                        ),
                    ));
                }
            }
            Fact::Unknown(why) => out.push(kv(
                t,
                "access keys",
                Span::styled(format!("unknown ({})", safe(why)), t.unknown),
            )),
        }
    }
    if let Some(trust) = &r.trust {
        out.push(Line::raw(""));
        out.push(section(t, "Trust policy"));
        match trust {
            Fact::Known(tr) => {
                let needs = tr.iam_principal_mfa_bypass.is_none();
                out.push(kv(
                    t,
                    "requires MFA",
                    if !tr.assumed_by_iam_principals {
                        Span::styled("not applicable (no IAM principal may assume it)", t.muted)
                    } else if needs {
                        Span::styled("yes", t.pass)
                    } else {
                        Span::styled("NO", t.fail)
                    },
                ));
                if let Some(b) = &tr.iam_principal_mfa_bypass {
                    out.push(kv(t, "  bypass", Span::styled(safe(b), t.fail)));
                }
                if tr.analysis.public {
                    out.push(kv(t, "anyone may assume", Span::styled("YES", t.critical)));
                }
                if !tr.analysis.external_without_external_id.is_empty() {
                    let who: Vec<String> = tr
                        .analysis
                        .external_without_external_id
                        .iter()
                        .map(|s| safe(s))
                        .collect();
                    out.push(kv(
                        t,
                        "no sts:ExternalId for",
                        Span::styled(who.join(", "), t.high),
                    ));
                }
                for reason in &tr.analysis.reasons {
                    out.push(Line::styled(format!("   · {}", safe(reason)), t.muted));
                }
            }
            Fact::Unknown(why) => out.push(Line::styled(format!(" ! {}", safe(why)), t.unknown)),
        }
        if let Some(doc) = &p.trust_policy {
            out.extend(document_lines(doc, "     "));
        }
    }
    out.push(Line::raw(""));
    out.push(section(t, "Effective permissions"));
    match &r.permissions {
        Fact::Known(perm) => {
            out.push(kv(
                t,
                "admin-equivalent",
                if perm.admin_equivalent {
                    Span::styled("YES", t.critical)
                } else {
                    Span::styled("no", t.pass)
                },
            ));
            out.extend(chains(t, "*:*", &perm.admin_via));
            if perm.admin_equivalent && !perm.privilege_escalation.is_empty() {
                out.push(kv(
                    t,
                    "privilege escalation",
                    Span::styled(
                        format!(
                            "moot: already admin-equivalent ({} methods apply)",
                            perm.privilege_escalation.len()
                        ),
                        t.muted,
                    ),
                ));
            } else if perm.privilege_escalation.is_empty() {
                out.push(kv(
                    t,
                    "privilege escalation",
                    Span::styled("none found", t.pass),
                ));
            } else {
                for (i, m) in perm.privilege_escalation.iter().enumerate() {
                    out.push(kv(
                        t,
                        if i == 0 { "privilege escalation" } else { "" },
                        Span::styled(safe(&m.method), t.high),
                    ));
                    for a in &m.actions {
                        out.extend(chains(t, &safe(&a.action), &a.allowed_by));
                    }
                }
            }
        }
        Fact::Unknown(why) => out.push(Line::styled(format!(" unknown: {}", safe(why)), t.unknown)),
    }
    if let Some(b) = &r.permissions_boundary {
        out.push(kv(t, "permissions boundary", Span::raw(safe(b))));
    }
    out.push(Line::raw(""));
    out.push(section(t, "Policies"));
    if r.policies.is_empty() {
        out.push(Line::styled(" none", t.muted));
    }
    for (applied, doc) in r.policies.iter().zip(p.documents.iter()) {
        out.push(Line::styled(
            format!(" {}", safe(&applied.origin.describe())),
            t.header,
        ));
        if let Some(e) = &applied.error {
            out.push(Line::styled(format!("   ! {}", safe(e)), t.unknown));
        }
        if let Some(d) = doc {
            out.extend(document_lines(d, "     "));
        }
    }
    out.push(Line::raw(""));
    out.push(section(t, "Findings"));
    let mine: Vec<Finding> = app
        .account_findings
        .iter()
        .filter(|f| f.resource == r.arn)
        .cloned()
        .collect();
    out.extend(finding_lines(app, &mine));
    out.extend(super::detail::recent_events(app, |e| {
        e.principal_arn.as_deref() == Some(r.arn.as_str())
    }));
    out
}
