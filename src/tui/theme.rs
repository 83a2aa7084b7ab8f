//! Themes: styles named for what they mean (`severity.critical`,
//! `ui.selection`), never for a colour (STYLE.md, after atuin).
//!
//! Four themes ship in the binary (`themes/*.toml`); `--theme` or the
//! config's `[console] theme` picks one, or a path to a file of the same
//! shape. A token a theme leaves out falls back to the default theme's.
//! Colours are reduced to what the terminal can show: 24-bit only when
//! `COLORTERM` says `truecolor`/`24bit`, else the 256-colour palette when
//! `TERM` says so, else the 16 ANSI colours; with `NO_COLOR` or
//! `--no-color`, none at all — then the selection is reverse video and
//! severities are bold, and every severity is also spelled out in text.

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

use crate::model::finding::{Severity, Status};

/// The shipped themes, by name.
pub const BUILTIN: &[(&str, &str)] = &[
    ("default", include_str!("../../themes/default.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("mono", include_str!("../../themes/mono.toml")),
];

/// What colours the terminal can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorMode {
    None,
    Ansi16,
    Indexed256,
    TrueColor,
}

impl ColorMode {
    /// From the command line's `--no-color` and the environment's
    /// `NO_COLOR` (any non-empty value, <https://no-color.org>),
    /// `COLORTERM` and `TERM`.
    pub fn detect(
        no_color_flag: bool,
        no_color: Option<&str>,
        colorterm: Option<&str>,
        term: Option<&str>,
    ) -> ColorMode {
        if no_color_flag || no_color.is_some_and(|v| !v.is_empty()) {
            return ColorMode::None;
        }
        if colorterm.is_some_and(|c| {
            let c = c.to_ascii_lowercase();
            c == "truecolor" || c == "24bit"
        }) {
            return ColorMode::TrueColor;
        }
        if term.is_some_and(|t| t.contains("256color")) {
            return ColorMode::Indexed256;
        }
        ColorMode::Ansi16
    }
}

/// One token as a theme file writes it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StyleSpec {
    fg: Option<String>,
    bg: Option<String>,
    #[serde(default)]
    bold: bool,
    #[serde(default)]
    dim: bool,
    #[serde(default)]
    italic: bool,
    #[serde(default)]
    underline: bool,
    #[serde(default)]
    reverse: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeveritySpec {
    critical: Option<StyleSpec>,
    high: Option<StyleSpec>,
    medium: Option<StyleSpec>,
    low: Option<StyleSpec>,
    info: Option<StyleSpec>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusSpec {
    pass: Option<StyleSpec>,
    fail: Option<StyleSpec>,
    unknown: Option<StyleSpec>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct UiSpec {
    selection: Option<StyleSpec>,
    border: Option<StyleSpec>,
    header: Option<StyleSpec>,
    badge: Option<StyleSpec>,
    muted: Option<StyleSpec>,
    accent: Option<StyleSpec>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    #[serde(default)]
    severity: SeveritySpec,
    #[serde(default)]
    status: StatusSpec,
    #[serde(default)]
    ui: UiSpec,
}

/// Every style the console draws with.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    pub mode: ColorMode,
    pub critical: Style,
    pub high: Style,
    pub medium: Style,
    pub low: Style,
    pub info: Style,
    pub pass: Style,
    pub fail: Style,
    pub unknown: Style,
    pub selection: Style,
    pub border: Style,
    pub header: Style,
    pub badge: Style,
    pub muted: Style,
    /// Highlighted parts of a document (a public statement).
    pub accent: Style,
}

impl Theme {
    /// A shipped theme by name, or a theme file's text (`name` is then its
    /// path, for messages).
    pub fn load(name: &str, file_text: Option<&str>, mode: ColorMode) -> Result<Theme, String> {
        let text = match file_text {
            Some(t) => t,
            None => BUILTIN
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, t)| *t)
                .ok_or_else(|| {
                    let names: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
                    format!(
                        "unknown theme {name:?} (shipped: {}; or give a path to a theme file)",
                        names.join(", ")
                    )
                })?,
        };
        let file: ThemeFile = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
                .unwrap_or(1);
            format!("{name}:{line}: {}", e.message().trim())
        })?;
        let base: ThemeFile = toml::from_str(BUILTIN[0].1).unwrap_or_default();
        let pick = |own: &Option<StyleSpec>, fallback: &Option<StyleSpec>, token: &str| {
            let spec = own
                .as_ref()
                .or(fallback.as_ref())
                .cloned()
                .unwrap_or_default();
            to_style(&spec, mode).map_err(|e| format!("{name}: {token}: {e}"))
        };
        let mut t = Theme {
            name: name.to_string(),
            mode,
            critical: pick(
                &file.severity.critical,
                &base.severity.critical,
                "severity.critical",
            )?,
            high: pick(&file.severity.high, &base.severity.high, "severity.high")?,
            medium: pick(
                &file.severity.medium,
                &base.severity.medium,
                "severity.medium",
            )?,
            low: pick(&file.severity.low, &base.severity.low, "severity.low")?,
            info: pick(&file.severity.info, &base.severity.info, "severity.info")?,
            pass: pick(&file.status.pass, &base.status.pass, "status.pass")?,
            fail: pick(&file.status.fail, &base.status.fail, "status.fail")?,
            unknown: pick(&file.status.unknown, &base.status.unknown, "status.unknown")?,
            selection: pick(&file.ui.selection, &base.ui.selection, "ui.selection")?,
            border: pick(&file.ui.border, &base.ui.border, "ui.border")?,
            header: pick(&file.ui.header, &base.ui.header, "ui.header")?,
            badge: pick(&file.ui.badge, &base.ui.badge, "ui.badge")?,
            muted: pick(&file.ui.muted, &base.ui.muted, "ui.muted")?,
            accent: pick(&file.ui.accent, &base.ui.accent, "ui.accent")?,
        };
        if mode == ColorMode::None {
            // Without colour, meaning must survive in the modifiers.
            t.selection = t.selection.add_modifier(Modifier::REVERSED);
            t.badge = t.badge.add_modifier(Modifier::REVERSED);
            t.critical = t.critical.add_modifier(Modifier::BOLD);
            t.high = t.high.add_modifier(Modifier::BOLD);
            t.fail = t.fail.add_modifier(Modifier::BOLD);
            t.accent = t.accent.add_modifier(Modifier::BOLD);
        }
        Ok(t)
    }

    /// The style of a severity.
    pub fn severity(&self, s: Severity) -> Style {
        match s {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::Info => self.info,
        }
    }

    /// The style of a verdict.
    pub fn status(&self, s: Status) -> Style {
        match s {
            Status::Pass => self.pass,
            Status::Fail => self.fail,
            Status::Unknown => self.unknown,
        }
    }
}

/// The short label every severity carries in text, so that it reads the
/// same with no colour at all.
pub fn severity_label(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "CRIT",
        Severity::High => "HIGH",
        Severity::Medium => "MED",
        Severity::Low => "LOW",
        Severity::Info => "INFO",
    }
}

fn to_style(spec: &StyleSpec, mode: ColorMode) -> Result<Style, String> {
    let mut style = Style::default();
    if mode != ColorMode::None {
        if let Some(fg) = &spec.fg {
            style = style.fg(parse_color(fg, mode)?);
        }
        if let Some(bg) = &spec.bg {
            style = style.bg(parse_color(bg, mode)?);
        }
    }
    let mut m = Modifier::empty();
    for (on, flag) in [
        (spec.bold, Modifier::BOLD),
        (spec.dim, Modifier::DIM),
        (spec.italic, Modifier::ITALIC),
        (spec.underline, Modifier::UNDERLINED),
        (spec.reverse, Modifier::REVERSED),
    ] {
        if on {
            m |= flag;
        }
    }
    Ok(style.add_modifier(m))
}

const ANSI: [(&str, Color, (u8, u8, u8)); 16] = [
    ("black", Color::Black, (0, 0, 0)),
    ("red", Color::Red, (205, 0, 0)),
    ("green", Color::Green, (0, 205, 0)),
    ("yellow", Color::Yellow, (205, 205, 0)),
    ("blue", Color::Blue, (0, 0, 238)),
    ("magenta", Color::Magenta, (205, 0, 205)),
    ("cyan", Color::Cyan, (0, 205, 205)),
    ("gray", Color::Gray, (229, 229, 229)),
    ("darkgray", Color::DarkGray, (127, 127, 127)),
    ("lightred", Color::LightRed, (255, 0, 0)),
    ("lightgreen", Color::LightGreen, (0, 255, 0)),
    ("lightyellow", Color::LightYellow, (255, 255, 0)),
    ("lightblue", Color::LightBlue, (92, 92, 255)),
    ("lightmagenta", Color::LightMagenta, (255, 0, 255)),
    ("lightcyan", Color::LightCyan, (0, 255, 255)),
    ("white", Color::White, (255, 255, 255)),
];

/// An ANSI name (works everywhere), a 256-palette index, or `#rrggbb`
/// (reduced to the palette unless the terminal has 24-bit colour).
fn parse_color(s: &str, mode: ColorMode) -> Result<Color, String> {
    let lower = s.to_ascii_lowercase();
    if let Some((_, c, _)) = ANSI.iter().find(|(n, _, _)| *n == lower) {
        return Ok(*c);
    }
    if let Ok(i) = lower.parse::<u8>() {
        return Ok(match mode {
            ColorMode::Ansi16 if i >= 16 => nearest_ansi(palette_rgb(i)),
            _ => Color::Indexed(i),
        });
    }
    let hex = lower
        .strip_prefix('#')
        .filter(|h| h.len() == 6)
        .and_then(|h| u32::from_str_radix(h, 16).ok())
        .ok_or_else(|| format!("{s:?} is not a colour (an ANSI name, 0-255, or #rrggbb)"))?;
    let rgb = ((hex >> 16) as u8, (hex >> 8) as u8, hex as u8);
    Ok(match mode {
        ColorMode::TrueColor => Color::Rgb(rgb.0, rgb.1, rgb.2),
        ColorMode::Indexed256 => Color::Indexed(nearest_cube(rgb)),
        ColorMode::Ansi16 | ColorMode::None => nearest_ansi(rgb),
    })
}

fn cube_level(v: u8) -> u8 {
    // xterm's 6x6x6 cube levels: 0, 95, 135, 175, 215, 255
    if v < 48 {
        0
    } else if v < 115 {
        1
    } else {
        (v - 35) / 40
    }
}

fn nearest_cube((r, g, b): (u8, u8, u8)) -> u8 {
    16 + 36 * cube_level(r) + 6 * cube_level(g) + cube_level(b)
}

fn palette_rgb(i: u8) -> (u8, u8, u8) {
    if i < 16 {
        return ANSI[i as usize].2;
    }
    if i >= 232 {
        let v = 8 + (i - 232) * 10;
        return (v, v, v);
    }
    let i = i - 16;
    let level = |n: u8| if n == 0 { 0 } else { 55 + n * 40 };
    (level(i / 36), level((i / 6) % 6), level(i % 6))
}

fn nearest_ansi((r, g, b): (u8, u8, u8)) -> Color {
    let d = |(x, y, z): (u8, u8, u8)| {
        let dx = i32::from(x) - i32::from(r);
        let dy = i32::from(y) - i32::from(g);
        let dz = i32::from(z) - i32::from(b);
        dx * dx + dy * dy + dz * dz
    };
    ANSI.iter()
        .min_by_key(|(_, _, rgb)| d(*rgb))
        .map(|(_, c, _)| *c)
        .unwrap_or(Color::Reset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_theme_loads_in_every_mode() {
        for (name, _) in BUILTIN {
            for mode in [
                ColorMode::None,
                ColorMode::Ansi16,
                ColorMode::Indexed256,
                ColorMode::TrueColor,
            ] {
                Theme::load(name, None, mode).unwrap();
            }
        }
    }

    #[test]
    fn default_theme_uses_only_the_16_ansi_colours() {
        let t = Theme::load("default", None, ColorMode::TrueColor).unwrap();
        for s in [
            t.critical,
            t.high,
            t.medium,
            t.low,
            t.info,
            t.pass,
            t.fail,
            t.unknown,
            t.selection,
            t.border,
            t.header,
            t.badge,
            t.muted,
            t.accent,
        ] {
            for c in [s.fg, s.bg].into_iter().flatten() {
                assert!(!matches!(c, Color::Rgb(..) | Color::Indexed(_)), "{c:?}");
            }
        }
    }

    #[test]
    fn no_colour_keeps_selection_and_severity_visible() {
        for (name, _) in BUILTIN {
            let t = Theme::load(name, None, ColorMode::None).unwrap();
            assert_eq!(t.selection.fg, None);
            assert_eq!(t.selection.bg, None);
            assert!(
                t.selection.add_modifier.contains(Modifier::REVERSED),
                "{name}"
            );
            assert!(t.critical.add_modifier.contains(Modifier::BOLD), "{name}");
            assert_eq!(t.critical.fg, None);
        }
    }

    #[test]
    fn truecolor_only_when_colorterm_says_so() {
        assert_eq!(
            ColorMode::detect(false, None, Some("truecolor"), None),
            ColorMode::TrueColor
        );
        assert_eq!(
            ColorMode::detect(false, None, None, Some("xterm-256color")),
            ColorMode::Indexed256
        );
        assert_eq!(
            ColorMode::detect(false, None, None, Some("xterm")),
            ColorMode::Ansi16
        );
        assert_eq!(
            ColorMode::detect(false, Some("1"), Some("truecolor"), None),
            ColorMode::None
        );
        assert_eq!(
            ColorMode::detect(false, Some(""), None, None),
            ColorMode::Ansi16
        );
        assert_eq!(ColorMode::detect(true, None, None, None), ColorMode::None);
        let spec = StyleSpec {
            fg: Some("#ff8700".into()),
            ..Default::default()
        };
        assert_eq!(
            to_style(&spec, ColorMode::TrueColor).unwrap().fg,
            Some(Color::Rgb(255, 135, 0))
        );
        assert_eq!(
            to_style(&spec, ColorMode::Indexed256).unwrap().fg,
            Some(Color::Indexed(208))
        );
        assert!(
            matches!(to_style(&spec, ColorMode::Ansi16).unwrap().fg, Some(c) if !matches!(c, Color::Rgb(..)))
        );
    }

    #[test]
    fn a_bad_theme_file_names_the_line() {
        let e = Theme::load(
            "my.toml",
            Some("[ui]\nselection = { fg = \"chartreuse\" }\n"),
            ColorMode::Ansi16,
        )
        .unwrap_err();
        assert!(
            e.contains("ui.selection") && e.contains("chartreuse"),
            "{e}"
        );
        let e =
            Theme::load("my.toml", Some("[ui]\n\nborders = {}\n"), ColorMode::Ansi16).unwrap_err();
        assert!(e.starts_with("my.toml:3:"), "{e}");
        assert!(
            Theme::load("neon", None, ColorMode::Ansi16)
                .unwrap_err()
                .contains("unknown theme")
        );
    }
}
