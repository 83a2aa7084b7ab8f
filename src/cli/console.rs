//! `vigil` and `vigil demo`: the interactive console. Reads what the
//! console needs from files and the environment (the keymap, the theme, the
//! tail's settings) and hands it down; the console reads no file itself.

use std::io::IsTerminal;

use super::config::{self, Config};
use super::{Fatal, GlobalArgs, backend};
use crate::cloud::demo::DEMO_REMEDIATION_ROLE;
use crate::tui::keymap::{Keymap, Source};
use crate::tui::theme::{ColorMode, Theme};
use crate::tui::{self, ConsoleOptions};

/// The effective keymap: the shipped base the config names, with the
/// user's `keymap.toml` merged over it. A mistake refuses to start.
pub fn keymap(config: &Config, readonly: bool) -> Result<Keymap, Fatal> {
    let base = config.console.keymap.as_deref().unwrap_or("default");
    let user = match config::config_dir() {
        Some(dir) => {
            let path = dir.join("keymap.toml");
            match std::fs::read_to_string(&path) {
                Ok(text) => Some((path.display().to_string(), text)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(Fatal::new(format!("cannot read {}: {e}", path.display()))),
            }
        }
        None => None,
    };
    let source = user.as_ref().map(|(file, text)| Source { file, text });
    Keymap::load(base, source, readonly).map_err(|e| Fatal {
        message: format!("the keymap is not usable:\n{e}"),
        hint: Some("fix what is named above; `vigil keys` prints the effective keymap".into()),
    })
}

/// The theme: `--theme`, else the config's, else `default`; a name of a
/// shipped theme or a path to a theme file.
pub fn theme(global: &GlobalArgs, config: &Config) -> Result<Theme, Fatal> {
    let name = global
        .theme
        .clone()
        .or_else(|| config.console.theme.clone())
        .unwrap_or_else(|| "default".into());
    let env = |k: &str| std::env::var(k).ok();
    let mode = ColorMode::detect(
        global.no_color,
        env("NO_COLOR").as_deref(),
        env("COLORTERM").as_deref(),
        env("TERM").as_deref(),
    );
    let is_path = name.contains('/') || name.ends_with(".toml");
    let text = if is_path {
        Some(
            std::fs::read_to_string(&name)
                .map_err(|e| Fatal::new(format!("cannot read theme {name}: {e}")))?,
        )
    } else {
        None
    };
    Theme::load(&name, text.as_deref(), mode).map_err(|e| Fatal {
        message: format!("theme: {e}"),
        hint: Some("shipped themes: default, light, high-contrast, mono".into()),
    })
}

/// What the console needs for remediation: the role (`--remediation-role`,
/// `[remediation]`, or an AWS profile; in the demo its MFA device is the
/// demo's, as for `vigil --demo fix`), the journal's directory, and how to
/// configure a role when there is none.
pub async fn remediation_setup(global: &GlobalArgs) -> tui::fix::Setup {
    // A broken [remediation] setting must not keep the console from
    // auditing: it starts without a role and the fix flow says why.
    let (role, broken) = if global.readonly {
        (None, None)
    } else {
        match super::fix::remediation_role(global).await {
            Ok(role) => (role, None),
            Err(e) => (None, Some(e.message)),
        }
    };
    let config_file = config::config_dir()
        .map(|d| d.join("config.toml").display().to_string())
        .unwrap_or_else(|| "config.toml".into());
    let no_role_hint = if let Some(why) = broken {
        format!("The remediation role is misconfigured: {why}.")
    } else if global.demo {
        format!(
            "The demo has one: start it with --remediation-role {DEMO_REMEDIATION_ROLE} (its MFA device takes codes from the demo secret in the README)."
        )
    } else {
        format!(
            "Start vigil with --remediation-role ARN, or set role_arn (and mfa_serial) or profile in the [remediation] section of {config_file}."
        )
    };
    tui::fix::Setup {
        role,
        data_dir: config::data_dir(),
        clock: std::sync::Arc::new(crate::session::SystemClock),
        no_role_hint,
    }
}

/// Open the console.
pub async fn run(global: &GlobalArgs) -> Result<i32, Fatal> {
    let config = config::load()?;
    let keymap = keymap(&config, global.readonly)?;
    let theme = theme(global, &config)?;
    // --log-group / --since over [tail] over the defaults, as `vigil tail`.
    let tail = super::tail::selection(global, &config.tail)?;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(Fatal {
            message: "the console needs a terminal".into(),
            hint: Some(
                "for a pipeline use `vigil inventory`; for the console run vigil in a terminal"
                    .into(),
            ),
        });
    }
    let cloud = backend(global).await?;
    let remediation = remediation_setup(global).await;
    tui::run(
        cloud,
        ConsoleOptions {
            keymap,
            theme,
            readonly: global.readonly,
            concurrency: usize::from(global.concurrency),
            log_groups: tail.groups,
            since: tail.since,
            remediation: Some(remediation),
        },
    )
    .await
    .map_err(|e| Fatal::new(format!("the console stopped: {e}")))?;
    Ok(0)
}
