//! `vigil fix`, `vigil undo`, `vigil remediations`: remediation from the
//! command line, journaled exactly as the console journals it. `fix` plans
//! and prints the preview; `--dry-run` stops there; otherwise it elevates
//! when a remediation role is configured (the MFA code from `--mfa-code` or
//! asked on the terminal without echo), asks to confirm (default No) unless
//! `--yes`, applies, verifies and prints the journal entry id.

use std::io::{BufRead, IsTerminal, Write};
use std::sync::Arc;

use clap::{Args, ValueEnum};

use super::{Fatal, GlobalArgs, config};
use crate::cloud::demo::DEMO_MFA_SERIAL;
use crate::cloud::{Cloud, MfaCode};
use crate::remedy::{self, Inputs, Journal, REMEDIATIONS, RemedyError};
use crate::session::{self, RoleSettings, Session, SessionError, WriteMode};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct FixArgs {
    /// The remediation (`vigil remediations` lists them).
    pub remediation: String,
    /// The bucket to fix (the bucket remediations).
    #[arg(long, value_name = "NAME")]
    pub bucket: Option<String>,
    /// The access key to deactivate (access-key-deactivate).
    #[arg(long, value_name = "ID")]
    pub access_key: Option<String>,
    /// The IAM user (user-require-mfa; access-key-deactivate finds the
    /// key's user itself when this is left out).
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
    /// Where access logs go (bucket-logging-on).
    #[arg(long, value_name = "NAME")]
    pub target_bucket: Option<String>,
    /// The KMS key for default encryption (bucket-encryption-sse-kms).
    #[arg(long, value_name = "ARN")]
    pub kms_key: Option<String>,
    /// Print the plan (the preview) and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub yes: bool,
    /// The MFA code for elevation (otherwise asked on the terminal).
    #[arg(long, value_name = "CODE")]
    pub mfa_code: Option<String>,
    /// Output: text for people, json for scripts.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct UndoArgs {
    /// The journal entry id (or a unique prefix of it).
    pub entry: String,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub yes: bool,
    /// The MFA code for elevation (otherwise asked on the terminal).
    #[arg(long, value_name = "CODE")]
    pub mfa_code: Option<String>,
    /// Output: text for people, json for scripts.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct RemediationsArgs {
    /// Output: text for people, json for scripts.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

impl From<RemedyError> for Fatal {
    fn from(e: RemedyError) -> Self {
        let hint = match &e {
            RemedyError::Unreadable { .. } => Some("check the resource's name and the credentials' read permissions (README, Permissions)".into()),
            RemedyError::Changed { .. } => Some("run the same command again to see the new plan".into()),
            _ => None,
        };
        Fatal {
            message: e.to_string(),
            hint,
        }
    }
}

impl From<SessionError> for Fatal {
    fn from(e: SessionError) -> Self {
        Fatal {
            message: e.to_string(),
            hint: None,
        }
    }
}

impl From<remedy::JournalError> for Fatal {
    fn from(e: remedy::JournalError) -> Self {
        Fatal {
            message: e.to_string(),
            hint: None,
        }
    }
}

/// The remediation role as configured (flag, config, AWS profile).
pub async fn remediation_role(global: &GlobalArgs) -> Result<Option<session::RoleConfig>, Fatal> {
    let conf = config::load()?.remediation;
    let settings = RoleSettings {
        role_arn: conf.role_arn,
        profile: conf.profile,
        mfa_serial: conf.mfa_serial,
        external_id: conf.external_id,
        duration_seconds: conf.duration_seconds,
        role_session_name: conf.role_session_name,
    };
    let profiles = match &settings.profile {
        Some(_) => Some(session::role::load_profiles().await?),
        None => None,
    };
    let mut role = session::role::resolve(
        global.remediation_role.as_deref(),
        &settings,
        profiles.as_ref(),
    )?;
    if global.demo
        && let Some(r) = &mut role
        && r.mfa_serial.is_none()
    {
        r.mfa_serial = Some(DEMO_MFA_SERIAL.to_string());
    }
    Ok(role)
}

/// The session for a headless command, elevated when a role is configured.
async fn writing_session(
    global: &GlobalArgs,
    cloud: Arc<dyn Cloud>,
    mfa_code: Option<String>,
) -> Result<Session, Fatal> {
    let role = remediation_role(global).await?;
    let mut s = Session::start(cloud, role, WriteMode::CurrentCredentials).await?;
    if let Some(r) = s.role().cloned()
        && let Some(source) = &r.source_profile
        && global.profile.as_deref() != Some(source.as_str())
        && !global.demo
    {
        let mut g = global.clone();
        g.profile = Some(source.clone());
        s = s.with_source(Arc::new(super::aws(&g).await?));
    }
    if !s.needs_elevation() {
        return Ok(s);
    }
    let interactive = mfa_code.is_none();
    let mut given = mfa_code;
    for attempt in 1..=3 {
        let code = match (s.mfa_serial(), given.take()) {
            (None, _) => None,
            (Some(_), Some(c)) => Some(MfaCode::new(c).map_err(|e| Fatal::new(e.to_string()))?),
            (Some(serial), None) => Some(ask_code(serial)?),
        };
        match s.elevate(code).await {
            Ok(()) => return Ok(s),
            Err(SessionError::Elevation(e)) if interactive && e.is_code_error() && attempt < 3 => {
                eprintln!("vigil: {e}");
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(Fatal::new("elevation failed three times"))
}

fn ask_code(serial: &str) -> Result<MfaCode, Fatal> {
    let typed =
        rpassword::prompt_password(format!("MFA code for {serial}: ")).map_err(|e| Fatal {
            message: format!("cannot read the MFA code from the terminal: {e}"),
            hint: Some("pass --mfa-code CODE".into()),
        })?;
    MfaCode::new(typed).map_err(|e| Fatal::new(e.to_string()))
}

/// Ask "question [y/N]"; anything but y/yes is No. Without a terminal and
/// without --yes, the answer is No.
fn confirm(question: &str) -> Result<bool, Fatal> {
    if !std::io::stdin().is_terminal() {
        return Err(Fatal {
            message: "not confirmed: standard input is not a terminal".into(),
            hint: Some("pass --yes to apply without asking".into()),
        });
    }
    eprint!("{question} [y/N] ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

fn journal_for(account_id: &str) -> Result<Journal, Fatal> {
    let dir = config::data_dir()
        .ok_or_else(|| Fatal::new(remedy::JournalError::NoDataDir.to_string()))?;
    Ok(Journal::open(&dir, account_id)?)
}

/// Tell about entries a previous run left unfinished.
fn warn_unfinished(journal: &Journal) {
    if let Ok(list) = journal.unfinished()
        && !list.is_empty()
    {
        for e in &list {
            eprintln!(
                "vigil: journal entry {} ({} on {}) was never finished: `vigil journal verify {}` or `vigil undo {}`",
                e.id(),
                e.intent.remediation,
                e.intent.resource,
                e.id(),
                e.id()
            );
        }
    }
}

/// The failing findings a plan fixes (for the journal's incident report).
async fn findings_fixed(
    cloud: &dyn Cloud,
    plan: &remedy::Plan,
    inputs: &Inputs,
) -> Vec<crate::model::finding::Finding> {
    let Some(def) = plan.definition() else {
        return Vec::new();
    };
    let Some(name) = &inputs.bucket else {
        return Vec::new();
    };
    let Ok(me) = cloud.caller_identity().await else {
        return Vec::new();
    };
    let bucket = cloud
        .read_bucket(&crate::cloud::BucketListing {
            name: name.clone(),
            creation_date: None,
            region: None,
        })
        .await;
    let account_bpa = cloud.account_public_access_block(&me.account_id).await;
    crate::rules::evaluate_bucket(&crate::rules::BucketContext {
        bucket: &bucket,
        account_id: &me.account_id,
        account_public_access_block: &account_bpa,
        trail_buckets: &[],
    })
    .into_iter()
    .filter(|f| {
        f.status == crate::model::finding::Status::Fail && def.fixes.contains(&f.rule.as_str())
    })
    .collect()
}

pub async fn fix(global: &GlobalArgs, args: FixArgs) -> Result<i32, Fatal> {
    if global.readonly && !args.dry_run {
        return Err(Fatal {
            message: "--readonly: vigil fix would write, so it does nothing".into(),
            hint: Some("add --dry-run to see the plan".into()),
        });
    }
    let cloud = super::backend(global).await?;
    let inputs = Inputs {
        bucket: args.bucket.clone(),
        user: args.user.clone(),
        access_key: args.access_key.clone(),
        target_bucket: args.target_bucket.clone(),
        kms_key: args.kms_key.clone(),
    };
    let plan = remedy::plan_live(cloud.as_ref(), &args.remediation, &inputs).await?;
    let preview = plan.preview();
    let json = args.format == Format::Json;
    if args.dry_run || plan.is_noop() {
        if json {
            println!(
                "{}",
                serde_json::json!({ "plan": preview, "dry_run": args.dry_run })
            );
        } else {
            print!("{}", preview.to_text());
        }
        return Ok(0);
    }
    let findings = findings_fixed(cloud.as_ref(), &plan, &inputs).await;
    let plan = plan.with_findings(findings);
    if !json {
        print!("{}", preview.to_text());
    }
    let session = writing_session(global, cloud, args.mfa_code).await?;
    let journal = journal_for(&session.identity().account_id)?;
    warn_unfinished(&journal);
    if !args.yes && !confirm(&format!("Apply {} to {}?", plan.remediation, plan.resource))? {
        eprintln!("vigil: not applied");
        return Ok(1);
    }
    let writer = session.writer()?;
    let applied = remedy::apply(writer.cloud.as_ref(), &journal, &writer.actor, &plan).await?;
    report(&applied, json, Some(&preview))
}

fn report(
    applied: &remedy::Applied,
    json: bool,
    preview: Option<&remedy::Preview>,
) -> Result<i32, Fatal> {
    if json {
        println!(
            "{}",
            serde_json::json!({ "plan": preview, "entry_id": applied.entry_id, "outcome": applied.outcome })
        );
    } else {
        let o = &applied.outcome;
        println!(
            "\n{}: {} ({} step(s) written, read back {})",
            applied.entry_id,
            match o.result {
                remedy::journal::Result::Applied => "applied",
                remedy::journal::Result::Unverified => "written but NOT verified",
                remedy::journal::Result::Failed => "FAILED",
                remedy::journal::Result::NotApplied => "not applied",
            },
            o.applied_steps,
            if o.verification.verified {
                "as expected"
            } else {
                "differently"
            }
        );
        if let Some(e) = &o.error {
            println!("error: {e}");
        }
        println!(
            "journal entry: {} (undo with `vigil undo {}`)",
            applied.entry_id, applied.entry_id
        );
    }
    Ok(if applied.succeeded() { 0 } else { 1 })
}

pub async fn undo(global: &GlobalArgs, args: UndoArgs) -> Result<i32, Fatal> {
    if global.readonly {
        return Err(Fatal::new(
            "--readonly: vigil undo would write, so it does nothing",
        ));
    }
    let cloud = super::backend(global).await?;
    let me = cloud.caller_identity().await?;
    let journal = journal_for(&me.account_id)?;
    let entry = journal.entry(&args.entry)?;
    let json = args.format == Format::Json;
    if !json {
        println!(
            "undo {} — {} on {} ({})",
            entry.id(),
            entry.intent.remediation,
            entry.intent.resource,
            entry.status()
        );
        for s in entry.intent.steps.iter().rev() {
            println!(
                "  puts back the {}",
                crate::remedy::state::setting_name(&s.before)
            );
        }
    }
    let session = writing_session(global, cloud, args.mfa_code).await?;
    if !args.yes && !confirm(&format!("Undo {}?", entry.id()))? {
        eprintln!("vigil: not undone");
        return Ok(1);
    }
    let writer = session.writer()?;
    let applied = remedy::undo(writer.cloud.as_ref(), &journal, &writer.actor, entry.id()).await?;
    report(&applied, json, None)
}

pub fn remediations(args: RemediationsArgs) -> Result<i32, Fatal> {
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => {
            let text = serde_json::to_string_pretty(REMEDIATIONS)
                .map_err(|e| Fatal::new(format!("cannot encode the catalogue: {e}")))?;
            writeln!(out, "{text}")?;
        }
        Format::Text => {
            for r in REMEDIATIONS {
                writeln!(out, "{}\n  {}", r.id, r.title)?;
                writeln!(out, "  fixes: {}", r.fixes.join(", "))?;
                writeln!(
                    out,
                    "  calls: {} (read back: {})",
                    r.writes.join(", "),
                    r.reads.join(", ")
                )?;
                writeln!(out, "  permissions: {}", r.permissions.join(", "))?;
                let needs: Vec<&str> = r.needs.iter().map(|n| n.flag()).collect();
                if !needs.is_empty() {
                    writeln!(out, "  needs: {}", needs.join(" "))?;
                }
                match r.reversible {
                    remedy::catalogue::Reversibility::Yes => writeln!(out, "  undo: exact")?,
                    remedy::catalogue::Reversibility::Partly(c) => {
                        writeln!(out, "  undo: partly — {c}")?
                    }
                }
                writeln!(out)?;
            }
        }
    }
    Ok(0)
}
