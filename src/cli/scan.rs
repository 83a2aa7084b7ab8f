//! `vigil scan`: read the account (or the demo), evaluate every rule, print
//! the findings — a table for people, JSON or CSV for pipelines — and exit
//! 0, 1 (something at or above `--fail-on` fails) or 2 (an error).
//!
//! Buckets stream in as they are read (`cloud::collect::stream_buckets`) and
//! are judged one by one; the listing starts before the caller's identity is
//! known, so the first request leaves at once. The account rules run once,
//! after their facts are in. `--only s3` never reads IAM; `--only iam` never
//! reads a bucket.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::sync::Arc;

use clap::{Args, ValueEnum};
use serde::Serialize;

use super::{Fatal, GlobalArgs, backend, now_ms};
use crate::cloud::collect::{BucketProgress, stream_buckets};
use crate::cloud::{Cloud, CloudError};
use crate::model::finding::{Evidence, Finding, Severity, Status};
use crate::model::{CallerIdentity, Facet, Inventory, UnknownReason};
use crate::rules::{self, BucketContext, Rule, Service};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    /// Failing and undecided checks, for people.
    Table,
    /// Every finding, with the account and a summary.
    Json,
    /// Every finding, one row each.
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Critical,
    High,
    Medium,
    Low,
}

impl FailOn {
    fn severity(self) -> Severity {
        match self {
            FailOn::Critical => Severity::Critical,
            FailOn::High => Severity::High,
            FailOn::Medium => Severity::Medium,
            FailOn::Low => Severity::Low,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Only {
    S3,
    Iam,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    #[arg(long, value_enum, default_value = "table")]
    pub format: ScanFormat,
    /// Exit 1 when a check of this severity or higher fails (informational
    /// findings never do).
    #[arg(long, value_enum, default_value = "low", value_name = "SEVERITY")]
    pub fail_on: FailOn,
    /// Only the S3 rules (IAM is not read) or only the IAM rules (no bucket
    /// is read).
    #[arg(long, value_enum)]
    pub only: Option<Only>,
    /// Scan only these buckets (repeatable, or several after one --bucket):
    /// only their bucket rules run, and IAM is not read.
    #[arg(long = "bucket", value_name = "NAME", num_args = 1..)]
    pub buckets: Vec<String>,
}

/// A finding as `--format json` prints it: every key always present.
#[derive(Debug, Serialize)]
struct FindingOut<'a> {
    rule: &'a str,
    resource: &'a str,
    region: &'a str,
    severity: Severity,
    status: Status,
    reason: Option<&'a str>,
    evidence: &'a [Evidence],
    remediation: Option<&'a str>,
    frameworks: &'a [String],
}

impl<'a> From<&'a Finding> for FindingOut<'a> {
    fn from(f: &'a Finding) -> Self {
        FindingOut {
            rule: &f.rule,
            resource: &f.resource,
            region: &f.region,
            severity: f.severity,
            status: f.status,
            reason: f.reason.as_deref(),
            evidence: &f.evidence,
            remediation: f.remediation.as_deref(),
            frameworks: &f.frameworks,
        }
    }
}

/// Counts over the whole scan.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub buckets: usize,
    pub findings: usize,
    pub fail: usize,
    pub pass: usize,
    pub unknown: usize,
    /// Failing findings per severity.
    pub failed_by_severity: BTreeMap<&'static str, usize>,
    pub fail_on: &'static str,
    /// Failing findings at or above `fail_on`: the exit code is 1 when > 0.
    pub failing_at_or_above: usize,
}

impl Summary {
    pub fn of(findings: &[Finding], buckets: usize, fail_on: Severity) -> Self {
        let count = |s: Status| findings.iter().filter(|f| f.status == s).count();
        let mut failed_by_severity = BTreeMap::new();
        for f in findings.iter().filter(|f| f.status == Status::Fail) {
            *failed_by_severity.entry(f.severity.as_str()).or_insert(0) += 1;
        }
        Summary {
            buckets,
            findings: findings.len(),
            fail: count(Status::Fail),
            pass: count(Status::Pass),
            unknown: count(Status::Unknown),
            failed_by_severity,
            fail_on: fail_on.as_str(),
            failing_at_or_above: findings
                .iter()
                .filter(|f| f.status == Status::Fail && f.severity >= fail_on)
                .count(),
        }
    }
}

#[derive(Debug, Serialize)]
struct ReportOut<'a> {
    account: &'a CallerIdentity,
    findings: Vec<FindingOut<'a>>,
    summary: &'a Summary,
}

/// Writes the JSON report.
pub fn write_json(
    out: &mut impl Write,
    account: &CallerIdentity,
    findings: &[Finding],
    summary: &Summary,
) -> Result<(), Fatal> {
    let report = ReportOut {
        account,
        findings: findings.iter().map(FindingOut::from).collect(),
        summary,
    };
    serde_json::to_writer_pretty(&mut *out, &report)
        .map_err(|e| Fatal::new(format!("cannot write the report: {e}")))?;
    writeln!(out)?;
    Ok(())
}

/// The CSV columns, in order.
pub const CSV_HEADER: [&str; 9] = [
    "rule",
    "resource",
    "region",
    "severity",
    "status",
    "reason",
    "evidence",
    "remediation",
    "frameworks",
];

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab,
/// carriage return first) gets a leading `'` (OWASP, "CSV Injection").
fn csv_cell(s: &str) -> std::borrow::Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}").into(),
        _ => s.into(),
    }
}

/// Writes the findings as CSV (quoting by the `csv` crate: cells with commas,
/// quotes or line breaks are quoted, quotes doubled).
pub fn write_csv(out: &mut impl Write, findings: &[Finding]) -> Result<(), Fatal> {
    let bad = |e: csv::Error| Fatal::new(format!("cannot write the report: {e}"));
    let mut w = csv::Writer::from_writer(out);
    w.write_record(CSV_HEADER).map_err(bad)?;
    for f in findings {
        let evidence = f
            .evidence
            .iter()
            .map(|e| match &e.path {
                Some(p) => format!("{} [{p}]", e.summary),
                None => e.summary.clone(),
            })
            .collect::<Vec<_>>()
            .join(" | ");
        let frameworks = f.frameworks.join(" ");
        let row = [
            f.rule.as_str(),
            f.resource.as_str(),
            f.region.as_str(),
            f.severity.as_str(),
            f.status.as_str(),
            f.reason.as_deref().unwrap_or(""),
            evidence.as_str(),
            f.remediation.as_deref().unwrap_or(""),
            frameworks.as_str(),
        ];
        w.write_record(row.iter().map(|c| csv_cell(c).into_owned()))
            .map_err(bad)?;
    }
    w.flush()?;
    Ok(())
}

/// What a person reads: failing and undecided checks, one per line.
fn write_table_rows(out: &mut impl Write, findings: &[Finding]) -> std::io::Result<()> {
    for f in findings.iter().filter(|f| f.status != Status::Pass) {
        let resource = f
            .resource
            .strip_prefix("arn:aws:s3:::")
            .unwrap_or(&f.resource);
        writeln!(
            out,
            "{:<8}  {:<7}  {:<26}  {:<32}  {}",
            f.severity.as_str(),
            f.status.as_str(),
            f.rule,
            resource,
            f.reason.as_deref().unwrap_or("")
        )?;
    }
    Ok(())
}

/// The progress line on stderr (only when stderr is a terminal).
struct Progress {
    on: bool,
    shown: bool,
}

impl Progress {
    fn new() -> Self {
        Progress {
            on: std::io::stderr().is_terminal(),
            shown: false,
        }
    }

    fn show(&mut self, text: &str) {
        if self.on {
            eprint!("\r{text:<72.72}");
            self.shown = true;
        }
    }

    fn clear(&mut self) {
        if self.on && self.shown {
            eprint!("\r{:72}\r", "");
            self.shown = false;
        }
    }
}

/// Whole-service reads that fail on permissions or throttling make the
/// facet unknown; anything that stops everything stays an error.
fn facet_or_fatal<T>(r: Result<T, CloudError>) -> Result<Facet<T>, Fatal> {
    match r {
        Ok(v) => Ok(Facet::Present(v)),
        Err(CloudError::AccessDenied(d)) => Ok(Facet::unknown(UnknownReason::AccessDenied, d)),
        Err(CloudError::Throttled(d)) => Ok(Facet::unknown(UnknownReason::Throttled, d)),
        Err(CloudError::Other(d)) => Ok(Facet::unknown(UnknownReason::Other, d)),
        Err(e) => Err(e.into()),
    }
}

fn joined(what: &str, e: tokio::task::JoinError) -> Fatal {
    Fatal::new(format!("{what} stopped: {e}"))
}

/// What to read.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    pub only: Option<Only>,
    /// Read only these buckets (all when empty).
    pub buckets: Vec<String>,
    /// Buckets read at once.
    pub concurrency: usize,
}

/// What a scan reports as it goes, for a progress line and streamed rows.
#[derive(Debug)]
pub enum ScanEvent<'a> {
    /// The buckets to read are known.
    Listed(usize),
    /// One bucket was read and judged (`done` of `listed` so far).
    Bucket {
        done: usize,
        listed: usize,
        findings: &'a [Finding],
    },
    /// The buckets are done; IAM is still being read.
    ReadingIam,
}

/// Every finding of a scan: the account's first, then each bucket's (by
/// name), each in catalogue order.
#[derive(Debug, Clone)]
pub struct ScanResult {
    pub account: CallerIdentity,
    pub findings: Vec<Finding>,
    pub buckets: usize,
}

/// Reads what `options` asks for through `cloud` and evaluates the rules
/// it allows, reporting each bucket through `on_event` as it is judged.
pub async fn scan(
    cloud: Arc<dyn Cloud>,
    options: &ScanOptions,
    mut on_event: impl FnMut(ScanEvent<'_>) -> std::io::Result<()>,
) -> Result<ScanResult, Fatal> {
    let read_s3 = options.only != Some(Only::Iam);
    // --bucket narrows the scan to those buckets: no IAM, no account rules.
    let whole_account = options.buckets.is_empty();
    let read_iam = options.only != Some(Only::S3) && whole_account;
    if !read_s3 && !whole_account {
        return Err(Fatal {
            message: "--bucket names buckets to read, but --only iam reads none".into(),
            hint: Some("drop --bucket, or use --only s3".into()),
        });
    }
    let keep = |r: &Rule| match r.service {
        Service::S3 => read_s3,
        Service::Iam => read_iam,
    };
    // The listing does not need the account id: start it first.
    let mut bucket_stream = read_s3
        .then(|| stream_buckets(cloud.clone(), options.concurrency, options.buckets.clone()));
    let account = cloud.caller_identity().await?;
    let iam_task = read_iam.then(|| {
        let cloud = cloud.clone();
        tokio::spawn(async move { cloud.iam_inventory().await })
    });
    let account_bpa = if read_s3 {
        cloud.account_public_access_block(&account.account_id).await
    } else {
        Facet::unknown(UnknownReason::Other, "not read (--only iam)")
    };
    let mut by_bucket: Vec<(String, Vec<Finding>)> = Vec::new();
    let mut listed = 0;
    if let Some(rx) = bucket_stream.as_mut() {
        while let Some(event) = rx.recv().await {
            match event {
                BucketProgress::Listed(list) => {
                    let missing: Vec<String> = options
                        .buckets
                        .iter()
                        .filter(|n| !list.iter().any(|l| &l.name == *n))
                        .map(|n| crate::model::text::sanitize(n).into_owned())
                        .collect();
                    if !missing.is_empty() {
                        return Err(Fatal {
                            message: format!(
                                "no such bucket in account {}: {}",
                                account.account_id,
                                missing.join(", ")
                            ),
                            hint: Some(
                                "`vigil scan --only s3` without --bucket scans them all".into(),
                            ),
                        });
                    }
                    listed = list.len();
                    on_event(ScanEvent::Listed(listed))?;
                }
                BucketProgress::Read(bucket) => {
                    let findings = rules::evaluate_bucket_with(
                        &BucketContext {
                            bucket: &bucket,
                            account_id: &account.account_id,
                            account_public_access_block: &account_bpa,
                            trail_buckets: &[],
                        },
                        keep,
                    );
                    on_event(ScanEvent::Bucket {
                        done: by_bucket.len() + 1,
                        listed,
                        findings: &findings,
                    })?;
                    by_bucket.push((bucket.name.clone(), findings));
                }
                BucketProgress::Done => break,
                BucketProgress::Failed(e) => return Err(e.into()),
            }
        }
    }
    let iam = match iam_task {
        Some(task) => {
            on_event(ScanEvent::ReadingIam)?;
            facet_or_fatal(task.await.map_err(|e| joined("the IAM read", e))?)?
        }
        None => Facet::unknown(UnknownReason::Other, "not read (--only s3)"),
    };
    let inventory = Inventory {
        account: account.clone(),
        account_public_access_block: account_bpa,
        buckets: Vec::new(),
        iam,
        log_groups: Facet::unknown(UnknownReason::Other, "not read by scan"),
    };
    let mut findings = if whole_account {
        rules::evaluate_account_with(&rules::account_context(&inventory, now_ms()), keep)
    } else {
        Vec::new()
    };
    by_bucket.sort_by(|a, b| a.0.cmp(&b.0));
    let buckets = by_bucket.len();
    findings.extend(by_bucket.into_iter().flat_map(|(_, f)| f));
    Ok(ScanResult {
        account,
        findings,
        buckets,
    })
}

pub async fn run(global: &GlobalArgs, args: ScanArgs) -> Result<i32, Fatal> {
    let options = ScanOptions {
        only: args.only,
        buckets: args.buckets.clone(),
        concurrency: usize::from(global.concurrency),
    };
    let cloud = backend(global).await?;
    let table = args.format == ScanFormat::Table;
    let mut progress = Progress::new();
    let mut out = std::io::stdout().lock();
    // The table's header comes with its first rows, so a scan that fails
    // before any prints only the error.
    let mut header = table;
    let mut header_once = |out: &mut std::io::StdoutLock<'_>| -> std::io::Result<()> {
        if std::mem::take(&mut header) {
            writeln!(
                out,
                "{:<8}  {:<7}  {:<26}  {:<32}  REASON",
                "SEVERITY", "STATUS", "RULE", "RESOURCE"
            )?;
        }
        Ok(())
    };
    progress.show("vigil: reading the account…");
    let result = scan(cloud, &options, |event| match event {
        ScanEvent::Listed(n) => {
            progress.show(&format!("vigil: 0/{n} buckets read"));
            Ok(())
        }
        ScanEvent::Bucket {
            done,
            listed,
            findings,
        } => {
            if table {
                progress.clear();
                header_once(&mut out)?;
                write_table_rows(&mut out, findings)?;
                out.flush()?;
            }
            progress.show(&format!("vigil: {done}/{listed} buckets read"));
            Ok(())
        }
        ScanEvent::ReadingIam => {
            progress.show("vigil: reading IAM…");
            Ok(())
        }
    })
    .await;
    progress.clear();
    let result = result?;
    let summary = Summary::of(&result.findings, result.buckets, args.fail_on.severity());
    match args.format {
        ScanFormat::Json => write_json(&mut out, &result.account, &result.findings, &summary)?,
        ScanFormat::Csv => write_csv(&mut out, &result.findings)?,
        ScanFormat::Table => {
            // Account findings come last in time: after the buckets' rows.
            let account_rows: Vec<Finding> = result
                .findings
                .iter()
                .filter(|f| !f.resource.starts_with("arn:aws:s3:::"))
                .cloned()
                .collect();
            header_once(&mut out)?;
            write_table_rows(&mut out, &account_rows)?;
            // Most severe first (the map is keyed by name, for the JSON).
            use crate::model::finding::Severity;
            let by_severity: Vec<String> = [
                Severity::Critical,
                Severity::High,
                Severity::Medium,
                Severity::Low,
                Severity::Info,
            ]
            .iter()
            .filter_map(|s| {
                let n = summary.failed_by_severity.get(s.as_str())?;
                Some(format!("{n} {}", s.as_str()))
            })
            .collect();
            writeln!(
                out,
                "\naccount {}: {} bucket{}, {} checks: {} fail ({}), {} pass, {} unknown",
                result.account.account_id,
                result.buckets,
                if result.buckets == 1 { "" } else { "s" },
                summary.findings,
                summary.fail,
                if by_severity.is_empty() {
                    "none".to_string()
                } else {
                    by_severity.join(", ")
                },
                summary.pass,
                summary.unknown
            )?;
        }
    }
    out.flush()?;
    if summary.unknown > 0 {
        eprintln!(
            "vigil: {} checks could not decide (a facet was unknown); they do not fail the scan",
            summary.unknown
        );
    }
    Ok(i32::from(summary.failing_at_or_above > 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(reason: &str, status: Status, severity: Severity) -> Finding {
        Finding {
            rule: "s3-public-read".into(),
            resource: "arn:aws:s3:::b".into(),
            region: "us-east-1".into(),
            severity,
            status,
            reason: Some(reason.into()),
            evidence: vec![Evidence::at("x, \"y\"", "policy:Statement[0]")],
            remediation: None,
            frameworks: vec!["FSBP:S3.2".into(), "CIS-AWS-3.0:2.1.4".into()],
        }
    }

    #[test]
    fn csv_quotes_commas_quotes_and_newlines_and_defuses_formulas() {
        let hostile = "=HYPERLINK(\"http://x\"), a\nb";
        let mut buf = Vec::new();
        write_csv(&mut buf, &[finding(hostile, Status::Fail, Severity::High)]).unwrap();
        let mut r = csv::Reader::from_reader(buf.as_slice());
        assert_eq!(r.headers().unwrap(), CSV_HEADER.as_slice());
        let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
        assert_eq!(rows.len(), 1);
        assert_eq!(&rows[0][5], format!("'{hostile}"));
        assert_eq!(&rows[0][6], "x, \"y\" [policy:Statement[0]]");
        assert_eq!(&rows[0][8], "FSBP:S3.2 CIS-AWS-3.0:2.1.4");
        assert_eq!(&rows[0][7], "");
    }

    #[test]
    fn summary_counts_only_fails_at_or_above_the_threshold() {
        let f = [
            finding("a", Status::Fail, Severity::Medium),
            finding("b", Status::Fail, Severity::Info),
            finding("c", Status::Unknown, Severity::Critical),
            finding("d", Status::Pass, Severity::Critical),
        ];
        let s = Summary::of(&f, 1, Severity::Medium);
        assert_eq!((s.fail, s.pass, s.unknown), (2, 1, 1));
        assert_eq!(s.failing_at_or_above, 1);
        assert_eq!(Summary::of(&f, 1, Severity::High).failing_at_or_above, 0);
        assert_eq!(s.failed_by_severity.get("info"), Some(&1));
    }
}
