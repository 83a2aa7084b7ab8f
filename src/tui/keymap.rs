//! The keymap: which key does what, in which context.
//!
//! Two keymaps ship in the binary (`keymaps/default.toml`: arrows and
//! k9s-like letters; `keymaps/vim.toml`); a user `keymap.toml` is merged
//! over the chosen one, action by action (its list of keys replaces the
//! base's, an empty list unbinds). Unknown contexts or actions, unparseable
//! keys, an action in a context it does not belong to, and two actions on
//! one key in one context are all reported with file and line, and the
//! console refuses to start.
//!
//! The resulting table is the only source of the bindings, the key bar and
//! the `?` help.

use std::collections::BTreeMap;

use toml::Spanned;

use super::action::{Action, Context};
use super::keys::Key;

/// The default keymap, as shipped.
pub const DEFAULT_TOML: &str = include_str!("../../keymaps/default.toml");
/// The vim-flavoured keymap, as shipped.
pub const VIM_TOML: &str = include_str!("../../keymaps/vim.toml");

/// Keys no shipped keymap may bind: tmux's prefix, terminal flow control
/// (XOFF/XON), job control, SIGQUIT, and the SSH escape character.
pub const RESERVED_KEYS: &[&str] = &["ctrl-b", "ctrl-s", "ctrl-q", "ctrl-z", "ctrl-\\", "~"];

/// Ctrl-C always quits, whatever the keymap says (it is also SIGINT's key
/// outside raw mode, and a person reaches for it when lost).
pub const ALWAYS_QUIT: Key = Key::ctrl('c');

/// Where a binding was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    pub line: usize,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// One binding of the effective keymap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub context: Context,
    pub action: Action,
    pub keys: Vec<Key>,
    pub origin: Origin,
}

/// Every mistake found in the keymap files, one line each.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.join("\n"))]
pub struct KeymapError(pub Vec<String>);

/// One keymap source: a name for messages (a path) and its text.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    pub file: &'a str,
    pub text: &'a str,
}

/// The shipped keymap called `name`.
pub fn builtin(name: &str) -> Option<Source<'static>> {
    match name {
        "default" => Some(Source {
            file: "keymaps/default.toml",
            text: DEFAULT_TOML,
        }),
        "vim" => Some(Source {
            file: "keymaps/vim.toml",
            text: VIM_TOML,
        }),
        _ => None,
    }
}

/// The effective keymap.
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: Vec<Binding>,
    lookup: BTreeMap<(Context, Key), Action>,
}

type RawFile =
    BTreeMap<Spanned<String>, Spanned<BTreeMap<Spanned<String>, Spanned<Vec<Spanned<String>>>>>>;

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

impl Keymap {
    /// Merge `sources` in order (later ones override earlier ones, action by
    /// action) and check the result. In read-only mode actions that write
    /// are not registered at all.
    pub fn build(sources: &[Source<'_>], readonly: bool) -> Result<Keymap, KeymapError> {
        let mut errors = Vec::new();
        let mut merged: BTreeMap<(Context, Action), Binding> = BTreeMap::new();
        for src in sources {
            let raw: RawFile = match toml::from_str(src.text) {
                Ok(r) => r,
                Err(e) => {
                    let line = e.span().map(|s| line_of(src.text, s.start)).unwrap_or(1);
                    errors.push(format!("{}:{line}: {}", src.file, e.message().trim()));
                    continue;
                }
            };
            for (section, actions) in raw {
                let at = |offset: usize| Origin {
                    file: src.file.to_string(),
                    line: line_of(src.text, offset),
                };
                let Some(context) = Context::parse(section.get_ref()) else {
                    errors.push(format!(
                        "{}: unknown section [{}] (sections: global, list, detail, tail, prompt)",
                        at(section.span().start),
                        section.get_ref()
                    ));
                    continue;
                };
                for (name, keys) in actions.into_inner() {
                    let origin = at(name.span().start);
                    let Some(action) = Action::parse(name.get_ref()) else {
                        errors.push(format!(
                            "{origin}: unknown action {:?} in [{}]{}",
                            name.get_ref(),
                            context.as_str(),
                            suggestion(name.get_ref())
                        ));
                        continue;
                    };
                    if !action.contexts().contains(&context) {
                        let allowed: Vec<&str> =
                            action.contexts().iter().map(|c| c.as_str()).collect();
                        errors.push(format!(
                            "{origin}: {} does not belong in [{}] (it goes in [{}])",
                            name.get_ref(),
                            context.as_str(),
                            allowed.join("], [")
                        ));
                        continue;
                    }
                    let mut parsed = Vec::new();
                    for k in keys.into_inner() {
                        match Key::parse(k.get_ref()) {
                            Ok(key) if !parsed.contains(&key) => parsed.push(key),
                            Ok(_) => {}
                            Err(why) => errors.push(format!(
                                "{}: cannot parse key for {}: {why}",
                                at(k.span().start),
                                name.get_ref()
                            )),
                        }
                    }
                    merged.insert(
                        (context, action),
                        Binding {
                            context,
                            action,
                            keys: parsed,
                            origin,
                        },
                    );
                }
            }
        }
        let bindings: Vec<Binding> = merged
            .into_values()
            .filter(|b| !(readonly && b.action.writes()))
            .filter(|b| !b.keys.is_empty())
            .collect();
        let mut lookup: BTreeMap<(Context, Key), Action> = BTreeMap::new();
        let mut first_at: BTreeMap<(Context, Key), &Binding> = BTreeMap::new();
        for b in &bindings {
            for key in &b.keys {
                if *key == ALWAYS_QUIT {
                    errors.push(format!(
                        "{}: ctrl-c always quits and cannot be bound to {}",
                        b.origin,
                        b.action.name()
                    ));
                    continue;
                }
                match first_at.get(&(b.context, *key)) {
                    Some(other) => errors.push(format!(
                        "{}: key {key} is bound to both {} ({}) and {} in [{}]; unbind one (an empty list unbinds)",
                        b.origin,
                        other.action.name(),
                        other.origin,
                        b.action.name(),
                        b.context.as_str()
                    )),
                    None => {
                        first_at.insert((b.context, *key), b);
                        lookup.insert((b.context, *key), b.action);
                    }
                }
            }
        }
        if !errors.is_empty() {
            return Err(KeymapError(errors));
        }
        Ok(Keymap { bindings, lookup })
    }

    /// A shipped keymap, optionally with a user file merged over it.
    pub fn load(
        base: &str,
        user: Option<Source<'_>>,
        readonly: bool,
    ) -> Result<Keymap, KeymapError> {
        let Some(base_src) = builtin(base) else {
            return Err(KeymapError(vec![format!(
                "unknown keymap {base:?} (the shipped keymaps are default and vim): set [console] keymap in config.toml to one of them"
            )]));
        };
        let mut sources = vec![base_src];
        sources.extend(user);
        Keymap::build(&sources, readonly)
    }

    /// The action `key` does in the first of `contexts` that binds it.
    pub fn resolve(&self, contexts: &[Context], key: Key) -> Option<Action> {
        if key == ALWAYS_QUIT {
            return Some(Action::Quit);
        }
        contexts
            .iter()
            .find_map(|c| self.lookup.get(&(*c, key)).copied())
    }

    /// Every binding, in file order of contexts and actions.
    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    /// Whether `action` is registered at all (write actions are not, in
    /// read-only mode).
    pub fn is_registered(&self, action: Action) -> bool {
        self.bindings.iter().any(|b| b.action == action)
    }

    /// The keys that do each action when `contexts` are active, most
    /// specific first: a key bound in a more specific context shadows the
    /// same key in a general one, and the result says so.
    pub fn effective(&self, contexts: &[Context]) -> Vec<(Action, Vec<Key>)> {
        let mut seen: BTreeMap<Key, Action> = BTreeMap::new();
        for c in contexts {
            for ((ctx, key), action) in &self.lookup {
                if ctx == c {
                    seen.entry(*key).or_insert(*action);
                }
            }
        }
        let mut out: Vec<(Action, Vec<Key>)> = Vec::new();
        for action in Action::ALL {
            // Keys in the binding's written order, not the map's.
            let mut keys: Vec<Key> = Vec::new();
            for c in contexts {
                for b in self
                    .bindings
                    .iter()
                    .filter(|b| b.context == *c && b.action == action)
                {
                    for k in &b.keys {
                        if seen.get(k) == Some(&action) && !keys.contains(k) {
                            keys.push(*k);
                        }
                    }
                }
            }
            if !keys.is_empty() {
                out.push((action, keys));
            }
        }
        out
    }

    /// The key bar for `contexts`: `(first key, description)` of each key-bar
    /// action, in help order.
    pub fn key_bar(&self, contexts: &[Context]) -> Vec<(String, &'static str)> {
        self.effective(contexts)
            .into_iter()
            .filter(|(a, _)| a.in_key_bar())
            .map(|(a, keys)| (keys[0].to_string(), a.describe()))
            .collect()
    }

    /// The keymap as a keymap file (what `vigil keys` prints): it parses
    /// back to the same bindings.
    pub fn to_toml(&self) -> String {
        let mut out = String::from(
            "# The effective keymap: copy what you want to change into keymap.toml\n\
             # in vigil's config directory. ctrl-c always quits.\n",
        );
        for c in Context::ALL {
            out.push_str(&format!("\n[{}]\n", c.as_str()));
            for b in self.bindings.iter().filter(|b| b.context == c) {
                let keys: Vec<String> = b
                    .keys
                    .iter()
                    .map(|k| format!("{:?}", k.to_string()))
                    .collect();
                out.push_str(&format!(
                    "{:<16} = [{}]  # {}\n",
                    b.action.name(),
                    keys.join(", "),
                    b.action.describe()
                ));
            }
        }
        out
    }
}

impl Keymap {
    /// The keymap as Markdown tables, one per context (the README's key
    /// bindings section; a test keeps the two equal).
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        for c in Context::ALL {
            let rows: Vec<&Binding> = self.bindings.iter().filter(|b| b.context == c).collect();
            if rows.is_empty() {
                continue;
            }
            out.push_str(&format!(
                "\n**{}**\n\n| keys | action |\n|---|---|\n",
                c.as_str()
            ));
            if c == Context::Global {
                out.push_str(&format!(
                    "| `{ALWAYS_QUIT}` | quit (always; not rebindable) |\n"
                ));
            }
            for b in rows {
                let keys: Vec<String> = b.keys.iter().map(|k| format!("`{k}`")).collect();
                let write = if b.action.writes() {
                    " (not registered with `--readonly`)"
                } else {
                    ""
                };
                out.push_str(&format!(
                    "| {} | {} (`{}`){write} |\n",
                    keys.join(" "),
                    b.action.describe(),
                    b.action.name()
                ));
            }
        }
        out
    }
}

/// ", did you mean X?" for a near miss.
fn suggestion(name: &str) -> String {
    let best = Action::ALL
        .iter()
        .map(|a| a.name())
        .min_by_key(|n| strsim_distance(n, name));
    match best {
        Some(b) if strsim_distance(&b, name) <= 3 => format!("; did you mean {b}?"),
        _ => String::new(),
    }
}

fn strsim_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keys::KeyName;

    fn shipped(name: &str) -> Keymap {
        Keymap::load(name, None, false).unwrap()
    }

    #[test]
    fn every_action_is_reachable_in_each_shipped_keymap() {
        for name in ["default", "vim"] {
            let km = shipped(name);
            for action in Action::ALL {
                let reachable = action.contexts().iter().any(|c| {
                    let stack = stack_for(*c);
                    km.effective(&stack).iter().any(|(a, _)| *a == action)
                });
                assert!(reachable, "{name}: {} has no reachable key", action.name());
            }
        }
    }

    /// The contexts active when `c` is the innermost one.
    fn stack_for(c: Context) -> Vec<Context> {
        match c {
            Context::Prompt => vec![Context::Prompt],
            Context::Tail => vec![Context::Tail, Context::List, Context::Global],
            Context::Global => vec![Context::Global],
            c => vec![c, Context::Global],
        }
    }

    #[test]
    fn shipped_keymaps_avoid_tmux_flow_control_and_ssh_escapes() {
        let reserved: Vec<Key> = RESERVED_KEYS
            .iter()
            .map(|k| Key::parse(k).unwrap())
            .collect();
        for name in ["default", "vim"] {
            for b in shipped(name).bindings() {
                for k in &b.keys {
                    assert!(!reserved.contains(k), "{name}: {k} bound to {:?}", b.action);
                }
            }
        }
    }

    #[test]
    fn writes_sit_on_a_key_that_opens_a_confirmation_not_a_bare_letter_alone() {
        // Fix opens a preview and a default-No confirmation; it is the
        // only write, and it is never on Enter, space or a navigation key.
        for name in ["default", "vim"] {
            for b in shipped(name)
                .bindings()
                .iter()
                .filter(|b| b.action.writes())
            {
                for k in &b.keys {
                    assert!(
                        !matches!(
                            k.name(),
                            KeyName::Enter | KeyName::Char(' ') | KeyName::Up | KeyName::Down
                        ),
                        "{name}: {k}"
                    );
                }
            }
        }
    }

    #[test]
    fn readonly_does_not_register_writes() {
        let km = Keymap::load("default", None, true).unwrap();
        assert!(!km.is_registered(Action::Fix));
        assert!(shipped("default").is_registered(Action::Fix));
        let stack = [Context::List, Context::Global];
        assert!(km.key_bar(&stack).iter().all(|(_, d)| *d != "fix"));
        for b in shipped("default")
            .bindings()
            .iter()
            .filter(|b| b.action == Action::Fix)
        {
            for k in &b.keys {
                assert_ne!(km.resolve(&stack, *k), Some(Action::Fix));
            }
        }
    }

    #[test]
    fn user_file_replaces_an_action_and_empty_list_unbinds() {
        let user = Source {
            file: "keymap.toml",
            text: "[list]\nselect_next = [\"n\"]\nlast = []\n",
        };
        let km = Keymap::load("default", Some(user), false).unwrap();
        let stack = [Context::List, Context::Global];
        assert_eq!(km.resolve(&stack, Key::char('n')), Some(Action::SelectNext));
        assert_eq!(km.resolve(&stack, Key::named(KeyName::Down)), None);
        assert!(km.effective(&stack).iter().all(|(a, _)| *a != Action::Last));
    }

    #[test]
    fn ctrl_c_always_quits() {
        let km = shipped("vim");
        assert_eq!(
            km.resolve(&[Context::Prompt], ALWAYS_QUIT),
            Some(Action::Quit)
        );
        let user = Source {
            file: "keymap.toml",
            text: "[list]\nfirst = [\"ctrl-c\"]\n",
        };
        let e = Keymap::load("default", Some(user), false).unwrap_err();
        assert!(
            e.to_string().contains("keymap.toml:2: ctrl-c always quits"),
            "{e}"
        );
    }

    #[test]
    fn vigil_keys_output_parses_back_to_the_same_bindings() {
        for name in ["default", "vim"] {
            let km = shipped(name);
            let text = km.to_toml();
            let back = Keymap::build(
                &[Source {
                    file: "x",
                    text: &text,
                }],
                false,
            )
            .unwrap();
            let strip = |k: &Keymap| -> Vec<(Context, Action, Vec<Key>)> {
                k.bindings()
                    .iter()
                    .map(|b| (b.context, b.action, b.keys.clone()))
                    .collect()
            };
            assert_eq!(strip(&km), strip(&back), "{name}");
        }
    }

    #[test]
    fn a_more_specific_context_shadows_global_and_the_bar_says_so() {
        let user = Source {
            file: "keymap.toml",
            text: "[list]\nfirst = [\"q\"]\n",
        };
        let km = Keymap::load("default", Some(user), false).unwrap();
        let stack = [Context::List, Context::Global];
        assert_eq!(km.resolve(&stack, Key::char('q')), Some(Action::First));
        let quit_keys = km
            .effective(&stack)
            .into_iter()
            .find(|(a, _)| *a == Action::Quit)
            .map(|(_, k)| k)
            .unwrap_or_default();
        assert!(!quit_keys.contains(&Key::char('q')));
    }
}
