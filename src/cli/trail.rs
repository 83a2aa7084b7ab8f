//! `vigil trail parse FILE`: CloudTrail records offline, normalised and
//! judged; `vigil trail detections`: the detection catalogue.
//!
//! FILE is one record, a `{"Records": [...]}` file as CloudTrail writes to
//! S3, a JSON array of records, or JSON lines (`-` reads standard input).
//! Exit codes: 0 every record parsed; 1 some lines or records are not
//! CloudTrail records (they are named on standard error, the rest is still
//! printed), or the file holds none; 2 the file cannot be read.

use std::io::{Read, Write};
use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::Fatal;
use crate::model::trail::{TrailEvent, UnparsedRecord};
use crate::tail::detect::CATALOGUE;
use crate::tail::parse::{Parsed, parse_document};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TrailFormat {
    /// One line per event, detections below it.
    Text,
    /// A JSON array of normalised events.
    Json,
}

#[derive(Debug, Subcommand)]
pub enum TrailCommand {
    /// Parse CloudTrail records and print the normalised events.
    Parse(ParseArgs),
    /// List the built-in detections: id, severity, why.
    Detections {
        #[arg(long, value_enum, default_value = "text")]
        format: TrailFormat,
    },
}

#[derive(Debug, Args)]
pub struct ParseArgs {
    /// A record, a {"Records": [...]} file, or JSON lines; `-` for stdin.
    pub file: PathBuf,
    #[arg(long, value_enum, default_value = "text")]
    pub format: TrailFormat,
}

/// The tail pane's columns as one line, then a line per detection.
pub fn event_lines(e: &TrailEvent) -> String {
    let r = e.row();
    let event = format!("{}:{}", e.service(), r.event);
    let mut out = format!(
        "{}  {:<24} {:<40} {:<40} {:<16} {}",
        r.time, r.actor, event, r.target, r.result, r.source_ip
    )
    .trim_end()
    .to_string();
    for a in &e.alerts {
        out.push_str(&format!(
            "\n    ! {:<8} {}: {}",
            a.severity.as_str(),
            a.id,
            a.detail
        ));
    }
    if e.by_vigil {
        out.push_str("\n    (vigil's own call");
        if !e.suppressed.is_empty() {
            out.push_str(&format!("; not reported: {}", e.suppressed.join(", ")));
        }
        out.push(')');
    }
    out
}

/// Where an unparsed record was, for messages.
pub fn unparsed_place(u: &UnparsedRecord) -> String {
    let o = &u.origin;
    match (&o.log_group, &o.log_stream, o.position) {
        (Some(g), Some(s), _) => format!("{g} {s}"),
        (Some(g), None, _) => g.clone(),
        (None, _, Some(p)) => format!("line/record {p}"),
        _ => "the input".into(),
    }
}

fn read_input(file: &PathBuf) -> Result<String, Fatal> {
    let mut bytes = Vec::new();
    let result = if file.as_os_str() == "-" {
        std::io::stdin().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::File::open(file).and_then(|mut f| f.read_to_end(&mut bytes).map(|_| ()))
    };
    result.map_err(|e| Fatal {
        message: format!("cannot read {}: {e}", file.display()),
        hint: Some("give a CloudTrail record, a Records file or JSON lines".into()),
    })?;
    // Invalid UTF-8 is shown replaced, not refused: it is evidence too.
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn parse(args: ParseArgs) -> Result<i32, Fatal> {
    let text = read_input(&args.file)?;
    let mut events = Vec::new();
    let mut unparsed = Vec::new();
    for p in parse_document(&text) {
        match p {
            Parsed::Event(e) => events.push(*e),
            Parsed::Unparsed(u) => unparsed.push(*u),
        }
    }
    for u in &unparsed {
        eprintln!(
            "vigil: {}: not a CloudTrail record: {}",
            unparsed_place(u),
            u.reason
        );
    }
    let mut out = std::io::stdout().lock();
    let written = match args.format {
        TrailFormat::Json => serde_json::to_string_pretty(&events)
            .map_err(std::io::Error::other)
            .and_then(|j| writeln!(out, "{j}")),
        TrailFormat::Text => events
            .iter()
            .try_for_each(|e| writeln!(out, "{}", event_lines(e))),
    };
    if let Err(e) = written
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        return Err(e.into());
    }
    if events.is_empty() && unparsed.is_empty() {
        eprintln!("vigil: {} holds no CloudTrail record", args.file.display());
    }
    Ok(if unparsed.is_empty() && !events.is_empty() {
        0
    } else {
        1
    })
}

fn detections(format: TrailFormat) -> Result<i32, Fatal> {
    let mut out = std::io::stdout().lock();
    let written = match format {
        TrailFormat::Json => serde_json::to_string_pretty(CATALOGUE)
            .map_err(std::io::Error::other)
            .and_then(|j| writeln!(out, "{j}")),
        TrailFormat::Text => CATALOGUE
            .iter()
            .try_for_each(|d| writeln!(out, "{:<28} {:<8} {}", d.id, d.severity.as_str(), d.why)),
    };
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(0),
    }
}

pub fn run(command: TrailCommand) -> Result<i32, Fatal> {
    match command {
        TrailCommand::Parse(args) => parse(args),
        TrailCommand::Detections { format } => detections(format),
    }
}
