//! The list views: which rows each pane shows, in which order, after the
//! filter, the sort and the severity floor. Recomputed once when something
//! they depend on changed (`App::views_stale`), never while drawing.

use crate::model::finding::{Finding, Status};

use super::app::{App, FindingRef, FindingRow, Grouping, ListView, Pane};

impl App {
    /// Recompute every list's rows (after data, filter, sort or floor
    /// changed), keeping the selected item selected where it still shows.
    pub fn refresh_views(&mut self) {
        if !self.views_stale {
            return;
        }
        self.views_stale = false;
        let h = self.list_height();

        // Buckets
        let v = &self.views[&Pane::Buckets];
        let keep = v.rows.get(v.selected).copied();
        let (filter, sort, reverse) = (v.filter.clone(), v.sort, v.reverse);
        let mut rows: Vec<usize> = (0..self.buckets.len())
            .filter(|i| {
                let b = &self.buckets[*i];
                filter.keeps(&b.bucket.name)
                    && self
                        .severity_floor
                        .is_none_or(|f| b.counts.worst().is_some_and(|w| w >= f))
            })
            .collect();
        let bs = &self.buckets;
        rows.sort_by(|a, b| {
            let (x, y) = (&bs[*a], &bs[*b]);
            let o = match sort {
                1 => x.region.cmp(&y.region),
                2 => y.public.rank().cmp(&x.public.rank()),
                3 => x.encryption.cmp(&y.encryption),
                4 => x.bpa.cmp(&y.bpa),
                5 => x.versioning.cmp(&y.versioning),
                6 => x.logging.cmp(&y.logging),
                7 => y.counts.score().cmp(&x.counts.score()),
                _ => std::cmp::Ordering::Equal,
            };
            o.then_with(|| x.bucket.name.cmp(&y.bucket.name))
        });
        if reverse {
            rows.reverse();
        }
        set_rows(self.view_mut(Pane::Buckets), rows, keep, h);

        // Findings
        self.finding_rows = self.build_finding_rows();
        let v = &self.views[&Pane::Findings];
        let keep = v.rows.get(v.selected).copied();
        let n = self.finding_rows.len();
        set_rows(self.view_mut(Pane::Findings), (0..n).collect(), keep, h);
        self.skip_group_rows(true);

        // Principals
        let v = &self.views[&Pane::Principals];
        let keep = v.rows.get(v.selected).copied();
        let (filter, sort, reverse) = (v.filter.clone(), v.sort, v.reverse);
        let ps = self.principals();
        let mut rows: Vec<usize> = (0..ps.len())
            .filter(|i| {
                filter.keeps(&format!(
                    "{} {} {}",
                    ps[*i].kind.as_str(),
                    ps[*i].name,
                    ps[*i].arn
                ))
            })
            .collect();
        rows.sort_by(|a, b| {
            let (x, y) = (&ps[*a], &ps[*b]);
            let o = match sort {
                0 => x.kind.cmp(&y.kind),
                2 => x.mfa.label().cmp(y.mfa.label()),
                3 => y.console().cmp(&x.console()),
                4 => y.oldest_active_key().cmp(&x.oldest_active_key()),
                5 => y.admin().cmp(&x.admin()),
                6 => y.privesc().cmp(&x.privesc()),
                _ => std::cmp::Ordering::Equal,
            };
            o.then_with(|| x.kind.cmp(&y.kind))
                .then_with(|| x.name.cmp(&y.name))
        });
        if reverse {
            rows.reverse();
        }
        set_rows(self.view_mut(Pane::Principals), rows, keep, h);

        // Tail: arrival order; following sticks to the newest.
        let v = &self.views[&Pane::Tail];
        let keep = v.rows.get(v.selected).copied();
        let filter = v.filter.clone();
        let floor = self.severity_floor;
        let rows: Vec<usize> = (0..self.tail.rows.len())
            .filter(|i| {
                let r = &self.tail.rows[*i];
                // 50,000 rows: build the searchable text only when a
                // filter needs it.
                (filter.is_empty()
                    || filter.keeps(&format!(
                        "{} {} {} {} {}",
                        r.actor,
                        r.event,
                        r.target(),
                        r.source_ip,
                        r.result()
                    )))
                    && floor.is_none_or(|f| r.detection.as_ref().is_some_and(|d| d.severity >= f))
            })
            .collect();
        let following = self.tail.following;
        let view = self.view_mut(Pane::Tail);
        set_rows(view, rows, keep, h);
        if following {
            view.selected = view.rows.len().saturating_sub(1);
            view.clamp(h);
        }
    }

    fn build_finding_rows(&self) -> Vec<FindingRow> {
        let filter = &self.views[&Pane::Findings].filter;
        let mut items: Vec<(FindingRef, &Finding)> = Vec::new();
        for (i, f) in self.account_findings.iter().enumerate() {
            items.push((FindingRef::Account(i), f));
        }
        for (b, v) in self.buckets.iter().enumerate() {
            for (i, f) in v.findings.iter().enumerate() {
                items.push((FindingRef::Bucket(b, i), f));
            }
        }
        items.retain(|(_, f)| {
            f.status != Status::Pass
                && self.above_floor(f.severity)
                && filter.keeps(&format!(
                    "{} {} {} {}",
                    f.rule,
                    f.resource,
                    f.reason.as_deref().unwrap_or(""),
                    f.status.as_str()
                ))
        });
        let mut rows = Vec::new();
        match self.grouping {
            Grouping::Severity => {
                items.sort_by(|(_, a), (_, b)| {
                    b.severity
                        .cmp(&a.severity)
                        .then_with(|| status_rank(a.status).cmp(&status_rank(b.status)))
                        .then_with(|| a.rule.cmp(&b.rule))
                        .then_with(|| a.resource.cmp(&b.resource))
                });
                let mut i = 0;
                while i < items.len() {
                    let s = items[i].1.severity;
                    let n = items[i..]
                        .iter()
                        .take_while(|(_, f)| f.severity == s)
                        .count();
                    rows.push(FindingRow::Group {
                        label: s.as_str().to_uppercase(),
                        count: n,
                        severity: Some(s),
                    });
                    rows.extend(items[i..i + n].iter().map(|(r, _)| FindingRow::Item(*r)));
                    i += n;
                }
            }
            Grouping::Rule => {
                items.sort_by(|(_, a), (_, b)| {
                    a.rule
                        .cmp(&b.rule)
                        .then_with(|| a.resource.cmp(&b.resource))
                });
                let mut i = 0;
                while i < items.len() {
                    let rule = items[i].1.rule.clone();
                    let n = items[i..]
                        .iter()
                        .take_while(|(_, f)| f.rule == rule)
                        .count();
                    rows.push(FindingRow::Group {
                        label: rule,
                        count: n,
                        severity: Some(items[i].1.severity),
                    });
                    rows.extend(items[i..i + n].iter().map(|(r, _)| FindingRow::Item(*r)));
                    i += n;
                }
            }
        }
        rows
    }
}

fn status_rank(s: Status) -> u8 {
    match s {
        Status::Fail => 0,
        Status::Unknown => 1,
        Status::Pass => 2,
    }
}

fn set_rows(view: &mut ListView, rows: Vec<usize>, keep: Option<usize>, height: usize) {
    if let Some(k) = keep
        && let Some(pos) = rows.iter().position(|r| *r == k)
    {
        view.selected = pos;
    }
    view.rows = rows;
    view.clamp(height);
}
