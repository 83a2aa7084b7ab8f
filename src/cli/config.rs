//! The user's configuration file and vigil's own directories.
//!
//! `config.toml` lives in the XDG config directory (`~/.config/vigil/`, or
//! `$XDG_CONFIG_HOME/vigil/`); `VIGIL_CONFIG_DIR` overrides the directory and
//! `VIGIL_DATA_DIR` the data directory (`~/.local/share/vigil/`, where the
//! journal lives), so tests and shared bastions can keep them apart. A missing
//! file is the default configuration; a file with an unknown key or a wrong
//! type refuses to start, naming the file, the line and the key, rather than
//! being half-applied.
//!
//! The layers below `cli` never read files of their own accord: the values
//! here are handed down (the theme to the console, the log groups to the
//! tail, the remediation role to the session).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::Fatal;

/// The whole `config.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub console: ConsoleConfig,
    #[serde(default)]
    pub tail: TailConfig,
    #[serde(default)]
    pub remediation: RemediationConfig,
}

/// `[console]`: how the console looks and which keys it answers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsoleConfig {
    /// A theme name (`default`, `light`, `high-contrast`, `mono`) or a path.
    pub theme: Option<String>,
    /// The base keymap (`default` or `vim`); a user `keymap.toml` in the
    /// config directory is merged over it.
    pub keymap: Option<String>,
}

/// `[tail]`: which CloudWatch Logs groups to follow.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TailConfig {
    #[serde(default)]
    pub log_groups: Vec<String>,
    /// A start window such as `15m` or `2h`.
    pub since: Option<String>,
}

/// `[remediation]`: the MFA-protected role vigil elevates into to write.
/// Either `role_arn` (with `mfa_serial` and the rest here) or `profile`, a
/// profile of the standard AWS config files that names them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemediationConfig {
    pub role_arn: Option<String>,
    pub profile: Option<String>,
    pub mfa_serial: Option<String>,
    pub external_id: Option<String>,
    pub duration_seconds: Option<i32>,
    pub role_session_name: Option<String>,
}

fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "vigil")
}

/// Where vigil's configuration lives (`VIGIL_CONFIG_DIR`, else XDG).
pub fn config_dir() -> Option<PathBuf> {
    std::env::var_os("VIGIL_CONFIG_DIR")
        .map(PathBuf::from)
        .or_else(|| project_dirs().map(|d| d.config_dir().to_path_buf()))
}

/// Where vigil keeps what it writes, the journal first (`VIGIL_DATA_DIR`,
/// else XDG).
pub fn data_dir() -> Option<PathBuf> {
    std::env::var_os("VIGIL_DATA_DIR")
        .map(PathBuf::from)
        .or_else(|| project_dirs().map(|d| d.data_dir().to_path_buf()))
}

/// The configuration from the config directory; the default when there is
/// no file (or no home directory to look in).
pub fn load() -> Result<Config, Fatal> {
    match config_dir() {
        Some(dir) => load_from(&dir.join("config.toml")),
        None => Ok(Config::default()),
    }
}

/// The configuration in `path`; the default when the file does not exist.
pub fn load_from(path: &Path) -> Result<Config, Fatal> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
        Err(e) => {
            return Err(Fatal::new(format!("cannot read {}: {e}", path.display())));
        }
    };
    parse(&text).map_err(|why| Fatal {
        message: format!("{}: {why}", path.display()),
        hint: Some(
            "fix or remove the file; vigil does not start on a half-understood configuration"
                .into(),
        ),
    })
}

/// Parse a configuration; the error names the line and what is wrong.
pub fn parse(text: &str) -> Result<Config, String> {
    toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        let message = e.message().trim().to_string();
        match line {
            Some(l) => format!("line {l}: {message}"),
            None => message,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_section_parses() {
        let c = parse(
            r#"
[console]
theme = "mono"
keymap = "vim"

[tail]
log_groups = ["aws-cloudtrail-logs-prod"]
since = "15m"

[remediation]
role_arn = "arn:aws:iam::123456789012:role/vigil-remediation"
mfa_serial = "arn:aws:iam::123456789012:mfa/alice"
duration_seconds = 900
"#,
        )
        .unwrap();
        assert_eq!(c.console.theme.as_deref(), Some("mono"));
        assert_eq!(c.tail.log_groups, vec!["aws-cloudtrail-logs-prod"]);
        assert_eq!(c.remediation.duration_seconds, Some(900));
    }

    #[test]
    fn empty_file_is_the_default() {
        assert_eq!(parse("").unwrap(), Config::default());
    }

    #[test]
    fn unknown_key_is_refused_with_line_and_name() {
        let e = parse("[console]\ntheme = \"mono\"\ncolour = \"red\"\n").unwrap_err();
        assert!(e.starts_with("line 3:"), "{e}");
        assert!(e.contains("colour"), "{e}");
    }

    #[test]
    fn wrong_type_is_refused_with_line() {
        let e = parse("[remediation]\n\nduration_seconds = \"an hour\"\n").unwrap_err();
        assert!(e.starts_with("line 3:"), "{e}");
    }

    #[test]
    fn missing_file_is_the_default_and_unreadable_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            load_from(&dir.path().join("config.toml")).unwrap(),
            Config::default()
        );
        // A directory where the file should be cannot be read as one.
        let e = load_from(dir.path()).unwrap_err();
        assert!(e.message.contains("cannot read"), "{}", e.message);
    }
}
