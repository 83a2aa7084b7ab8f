//! Keymap files that are wrong, one file per mistake (STYLE.md, after
//! bottom's invalid-config fixtures): each is refused with its file, its
//! line and what is wrong — by the library, and by the binary, which
//! refuses to start.

use std::path::Path;
use std::process::Command;

use vigil::tui::keymap::{Keymap, Source};

fn load(fixture: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/keymaps")
        .join(fixture);
    let text = std::fs::read_to_string(&path).unwrap();
    let file = format!("keymaps/{fixture}");
    match Keymap::load(
        "default",
        Some(Source {
            file: &file,
            text: &text,
        }),
        false,
    ) {
        Ok(_) => panic!("{fixture} was accepted"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn unknown_action_names_the_line_and_suggests() {
    let e = load("unknown_action.toml");
    assert!(
        e.starts_with("keymaps/unknown_action.toml:3: unknown action \"select_nxt\" in [list]"),
        "{e}"
    );
    assert!(e.contains("did you mean select_next?"), "{e}");
}

#[test]
fn unparseable_key_names_the_line_and_the_key() {
    let e = load("unparseable_key.toml");
    assert!(
        e.starts_with("keymaps/unparseable_key.toml:5: cannot parse key for first:"),
        "{e}"
    );
    assert!(e.contains("\"hyper-x\" is not a key"), "{e}");
}

#[test]
fn a_key_taken_by_a_default_binding_is_a_conflict_with_both_lines() {
    let e = load("duplicate_key.toml");
    assert!(e.contains("key j is bound to both"), "{e}");
    assert!(
        e.contains("keymaps/default.toml:"),
        "names the default's line: {e}"
    );
    assert!(
        e.contains("keymaps/duplicate_key.toml:3"),
        "names the user's line: {e}"
    );
    assert!(e.contains("in [list]"), "{e}");
}

#[test]
fn two_actions_on_one_key_in_one_file() {
    let e = load("two_actions_one_key.toml");
    assert!(e.contains("key home is bound to both first (keymaps/two_actions_one_key.toml:2) and last in [list]"), "{e}");
}

#[test]
fn unknown_section_is_refused() {
    let e = load("unknown_section.toml");
    assert!(
        e.starts_with("keymaps/unknown_section.toml:1: unknown section [lists]"),
        "{e}"
    );
}

#[test]
fn an_action_outside_its_context_is_refused() {
    let e = load("wrong_context.toml");
    assert!(
        e.starts_with("keymaps/wrong_context.toml:3: quit does not belong in [prompt]"),
        "{e}"
    );
}

#[test]
fn a_key_that_is_not_a_list_is_refused_with_its_line() {
    let e = load("not_a_list.toml");
    assert!(e.starts_with("keymaps/not_a_list.toml:2:"), "{e}");
}

#[test]
fn ctrl_c_cannot_be_rebound() {
    let e = load("ctrl_c.toml");
    assert!(
        e.starts_with("keymaps/ctrl_c.toml:2: ctrl-c always quits"),
        "{e}"
    );
}

#[test]
fn broken_toml_is_refused_with_its_line() {
    let e = load("broken_toml.toml");
    assert!(e.starts_with("keymaps/broken_toml.toml:2:"), "{e}");
}

/// Every fixture has a test above (a new fixture without one fails here).
#[test]
fn every_fixture_is_tested() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keymaps");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let source = include_str!("tui_keymaps.rs");
    for n in names {
        assert!(
            source.contains(&format!("load(\"{n}\")")),
            "fixture {n} has no test"
        );
    }
}

fn vigil(config_dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(args)
        .env("VIGIL_CONFIG_DIR", config_dir)
        .env_remove("NO_COLOR")
        .output()
        .unwrap()
}

#[test]
fn the_binary_refuses_to_start_on_a_bad_keymap() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keymaps/unknown_action.toml"),
        dir.path().join("keymap.toml"),
    )
    .unwrap();
    let out = vigil(dir.path(), &["keys"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("keymap.toml:3: unknown action \"select_nxt\""),
        "{err}"
    );
    assert!(err.contains("hint:"), "{err}");
}

#[test]
fn vigil_keys_prints_the_effective_keymap_with_the_user_file_merged() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        "[console]\nkeymap = \"vim\"\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("keymap.toml"), "[list]\nlast = [\"E\"]\n").unwrap();
    let out = vigil(dir.path(), &["keys"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("last             = [\"E\"]"), "{text}");
    assert!(
        text.contains("first            = [\"g\", \"home\"]"),
        "the vim base: {text}"
    );
    // And it parses back as a keymap file.
    Keymap::build(
        &[Source {
            file: "out",
            text: &text,
        }],
        false,
    )
    .unwrap();
    let out = vigil(dir.path(), &["keys", "--readonly"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        !text.contains("fix "),
        "read-only registers no write: {text}"
    );
}

/// The README's key bindings section is generated from the default keymap;
/// `VIGIL_UPDATE_README=1 cargo test --test tui_keymaps` rewrites it.
#[test]
fn readme_key_bindings_match_the_default_keymap() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let begin = "<!-- keys:begin -->\n";
    let end = "<!-- keys:end -->";
    let (Some(b), Some(e)) = (readme.find(begin), readme.find(end)) else {
        panic!("README.md has no {begin:?} … {end:?} section");
    };
    let want = Keymap::load("default", None, false).unwrap().markdown();
    let have = &readme[b + begin.len()..e];
    if have != want {
        if std::env::var_os("VIGIL_UPDATE_README").is_some() {
            let updated = format!("{}{want}{}", &readme[..b + begin.len()], &readme[e..]);
            std::fs::write(&path, updated).unwrap();
        } else {
            panic!(
                "README.md's key bindings differ from keymaps/default.toml; run VIGIL_UPDATE_README=1 cargo test --test tui_keymaps"
            );
        }
    }
}

#[test]
fn an_unknown_theme_refuses_to_start_and_so_does_a_pipe() {
    let dir = tempfile::tempdir().unwrap();
    let out = vigil(dir.path(), &["demo", "--theme", "neon"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown theme \"neon\""), "{err}");
    // Without a terminal the console says what to use instead.
    let out = vigil(dir.path(), &["demo"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("the console needs a terminal"), "{err}");
}
