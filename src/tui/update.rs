//! How the state changes on a key: it resolves through the keymap to an
//! action, the state changes, and the slow work it calls for goes out as
//! [`Effect`]s (messages from tasks are `incoming`). Nothing here awaits.

use crossterm::event::KeyEvent;

use super::action::Action;
use super::app::{
    App, BUCKET_COLUMNS, FindingRef, Grouping, PRINCIPAL_COLUMNS, Page, PageState, Pane,
};
use super::filter::Filter;
use super::keys::Key;
use super::message::{Effect, ToastLevel};
use super::widgets::prompt::{self, Command, Prompt, PromptKind};
use super::widgets::{self, Intent, Modal, Outcome};
use crate::model::finding::Severity;

impl App {
    /// A key from the terminal.
    pub fn on_key(&mut self, ev: KeyEvent) -> Vec<Effect> {
        let Some(key) = Key::from_event(&ev) else {
            return Vec::new();
        };
        let action = self.keymap.resolve(&self.contexts(), key);
        // Below the minimum size nothing is drawn but the "too small"
        // screen: no key may reach a prompt or dialog the user cannot see,
        // and q quits, as that screen says.
        if self.size.0 < super::app::MIN_WIDTH || self.size.1 < super::app::MIN_HEIGHT {
            if action == Some(Action::Quit) || matches!(key_char(&ev), Some('q')) {
                self.quit = true;
            }
            return Vec::new();
        }
        if self.modal.is_some() {
            return self.modal_key(action, &ev);
        }
        if self.prompt.is_some() {
            return self.prompt_key(action, &ev);
        }
        match action {
            Some(a) => {
                self.dirty = true;
                self.act(a)
            }
            None => Vec::new(),
        }
    }

    fn modal_key(&mut self, action: Option<Action>, ev: &KeyEvent) -> Vec<Effect> {
        let Some(modal) = self.modal.as_mut() else {
            return Vec::new();
        };
        self.dirty = true;
        match (action, modal) {
            (Some(Action::Quit), _) => {
                self.quit = true;
                Vec::new()
            }
            (Some(Action::Cancel), _) => {
                self.modal = None;
                Vec::new()
            }
            (Some(Action::Complete), Modal::Confirm(d)) => {
                d.toggle();
                Vec::new()
            }
            (Some(Action::Submit), Modal::Confirm(d)) => match d.submit() {
                Outcome::Pending => {
                    self.toast(ToastLevel::Warn, "type the name exactly to confirm");
                    Vec::new()
                }
                Outcome::Cancelled => {
                    self.modal = None;
                    Vec::new()
                }
                Outcome::Confirmed(intent) => {
                    self.modal = None;
                    self.run_intent(intent)
                }
            },
            (Some(Action::Submit), Modal::Mfa(p)) => match p.take() {
                // The code goes straight into the elevation job.
                Some((code, intent)) => {
                    self.modal = None;
                    self.mfa_submitted(code, intent)
                }
                None => {
                    self.toast(ToastLevel::Warn, "the code has 6 digits");
                    Vec::new()
                }
            },
            (Some(Action::Submit), Modal::Message { .. }) => {
                self.modal = None;
                Vec::new()
            }
            (_, Modal::Confirm(d)) => {
                d.edit(ev);
                Vec::new()
            }
            (_, Modal::Mfa(p)) => {
                p.edit(ev);
                Vec::new()
            }
            (_, Modal::Message { .. }) => Vec::new(),
        }
    }

    /// Carry out a confirmed dialog's intent (the remediation console's).
    pub(crate) fn run_intent(&mut self, intent: Intent) -> Vec<Effect> {
        match intent {
            Intent::Elevate { then } => self.start_elevation(then, None),
            Intent::Apply => self.apply_confirmed(),
            Intent::Undo { entry } => self.undo_confirmed(&entry),
            Intent::Verify { entry } => self.verify_confirmed(&entry),
            Intent::Dismiss => Vec::new(),
        }
    }

    fn prompt_key(&mut self, action: Option<Action>, ev: &KeyEvent) -> Vec<Effect> {
        let Some(p) = self.prompt.as_mut() else {
            return Vec::new();
        };
        self.dirty = true;
        match action {
            Some(Action::Quit) => {
                self.quit = true;
                Vec::new()
            }
            Some(Action::Cancel) => {
                let kind = p.kind.clone();
                self.prompt = None;
                match kind {
                    PromptKind::Filter { pane, previous } => self.set_filter(pane, previous),
                    PromptKind::Input { .. } => self.remedy_input_cancelled(),
                    PromptKind::Command => {}
                }
                Vec::new()
            }
            Some(Action::Complete) => {
                let done = match &p.kind {
                    PromptKind::Command => prompt::complete(p.input.value(), self.header.readonly),
                    PromptKind::Input { choices, .. } => {
                        prompt::complete_from(p.input.value(), choices)
                    }
                    PromptKind::Filter { .. } => None,
                };
                if let Some(done) = done {
                    p.input = tui_input::Input::new(done);
                }
                Vec::new()
            }
            Some(Action::Submit) => {
                let Some(p) = self.prompt.take() else {
                    return Vec::new();
                };
                match p.kind {
                    PromptKind::Filter { .. } => Vec::new(),
                    PromptKind::Command => self.run_command(p.input.value()),
                    PromptKind::Input { .. } => {
                        self.remedy_input(p.input.value());
                        Vec::new()
                    }
                }
            }
            _ => {
                widgets::edit(&mut p.input, ev, |c| !c.is_control());
                if let PromptKind::Filter { pane, .. } = &p.kind {
                    let (pane, f) = (*pane, Filter::parse(p.input.value()));
                    self.set_filter(pane, f);
                }
                Vec::new()
            }
        }
    }

    fn run_command(&mut self, typed: &str) -> Vec<Effect> {
        let readonly = self.header.readonly;
        match prompt::command(typed, readonly) {
            Some(Command::Pane(p)) => {
                self.go_pane(p);
                if p == Pane::Journal {
                    return self.reload_journal();
                }
            }
            Some(Command::Elevate) => return self.elevate_command(),
            Some(Command::Drop) => self.drop_command(),
            Some(Command::Help) => self.help = Some(0),
            Some(Command::Quit) => self.quit = true,
            None => {
                let hint = match prompt::candidates(typed, readonly).as_slice() {
                    [] => String::new(),
                    c => format!(" (did you mean :{}?)", c.join(", :")),
                };
                self.toast(
                    ToastLevel::Warn,
                    format!(
                        "unknown command :{}{hint}",
                        crate::model::text::safe(typed.trim())
                    ),
                );
            }
        }
        Vec::new()
    }

    fn set_filter(&mut self, pane: Pane, f: Filter) {
        let v = self.view_mut(pane);
        v.filter = f;
        v.selected = 0;
        v.offset = 0;
        self.views_stale = true;
    }

    fn go_pane(&mut self, pane: Pane) {
        self.pages = vec![PageState {
            page: Page::Pane(pane),
            scroll: 0,
        }];
        self.help = None;
    }

    fn push(&mut self, page: Page) {
        self.pages.push(PageState { page, scroll: 0 });
    }

    fn on_list(&self) -> Option<Pane> {
        match self.page().page {
            Page::Pane(p) => Some(p),
            _ => None,
        }
    }

    /// Do what an action says.
    pub fn act(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Quit => self.quit = true,
            Action::Help => {
                self.help = match self.help {
                    Some(_) => None,
                    None => Some(0),
                }
            }
            Action::CommandPalette => {
                self.prompt = Some(Prompt {
                    kind: PromptKind::Command,
                    input: tui_input::Input::default(),
                })
            }
            Action::Filter => match self.on_list() {
                Some(pane) if pane != Pane::Journal => {
                    let previous = self.view(pane).filter.clone();
                    self.prompt = Some(Prompt {
                        input: tui_input::Input::new(previous.text.clone()),
                        kind: PromptKind::Filter { pane, previous },
                    })
                }
                _ => self.toast(ToastLevel::Info, "filter works in the lists"),
            },
            Action::Back => {
                if self.help.is_some() {
                    self.help = None;
                } else if self.pages.len() > 1 {
                    self.leave_preview();
                    self.pages.pop();
                } else if let Some(pane) = self.on_list()
                    && !self.view(pane).filter.is_empty()
                {
                    self.set_filter(pane, Filter::default());
                }
            }
            Action::PaneBuckets => self.go_pane(Pane::Buckets),
            Action::PaneFindings => self.go_pane(Pane::Findings),
            Action::PanePrincipals => self.go_pane(Pane::Principals),
            Action::PaneTail => self.go_pane(Pane::Tail),
            Action::NextPane | Action::PrevPane => {
                let i = Pane::CYCLE
                    .iter()
                    .position(|p| *p == self.pane())
                    .unwrap_or(0);
                let n = Pane::CYCLE.len();
                let j = if action == Action::NextPane {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                };
                self.go_pane(Pane::CYCLE[j]);
            }
            Action::Refresh => return self.refresh(),
            Action::SeverityFilter => {
                self.severity_floor = match self.severity_floor {
                    None => Some(Severity::Low),
                    Some(Severity::Info) | Some(Severity::Low) => Some(Severity::Medium),
                    Some(Severity::Medium) => Some(Severity::High),
                    Some(Severity::High) => Some(Severity::Critical),
                    Some(Severity::Critical) => None,
                };
                self.views_stale = true;
                let text = match self.severity_floor {
                    Some(s) => format!("showing {} and above", s.as_str()),
                    None => "showing every severity".into(),
                };
                self.toast(ToastLevel::Info, text);
            }
            Action::Fix => return self.fix_key(),
            Action::Undo => return self.undo_key(),
            Action::Verify => return self.verify_key(),
            Action::SelectNext
            | Action::SelectPrev
            | Action::PageDown
            | Action::PageUp
            | Action::First
            | Action::Last
            | Action::ScrollDown
            | Action::ScrollUp => self.motion(action),
            Action::Open => self.open(),
            Action::SortColumn | Action::SortReverse => self.sort(action),
            Action::GroupBy => {
                if self.on_list() == Some(Pane::Findings) {
                    self.grouping = match self.grouping {
                        Grouping::Severity => Grouping::Rule,
                        Grouping::Rule => Grouping::Severity,
                    };
                    let v = self.view_mut(Pane::Findings);
                    v.selected = 0;
                    v.offset = 0;
                    self.views_stale = true;
                }
            }
            Action::Follow => {
                self.tail.following = !self.tail.following;
                if self.tail.following {
                    self.tail.unseen = 0;
                }
                self.views_stale = true;
            }
            Action::JumpBucket => self.jump_bucket(),
            Action::JumpPrincipal => self.jump_principal(),
            Action::Submit | Action::Cancel | Action::Complete => {}
        }
        Vec::new()
    }

    fn motion(&mut self, action: Action) {
        let page = self.list_height().max(1);
        if let Some(scroll) = self.help.as_mut() {
            *scroll = step(*scroll, action, self.size.1 as usize);
            return;
        }
        match self.on_list() {
            Some(pane) => {
                let h = self.list_height();
                let v = self.view_mut(pane);
                let last = v.rows.len().saturating_sub(1);
                v.selected = step(v.selected, action, page).min(last);
                v.clamp(h);
                let at_end = v.selected == last;
                if pane == Pane::Findings {
                    let forward = !matches!(action, Action::SelectPrev | Action::PageUp);
                    self.skip_group_rows(forward);
                }
                if pane == Pane::Tail {
                    // Moving off the newest event pauses; going to the end follows.
                    self.tail.following = at_end && (action == Action::Last || self.tail.following);
                    if self.tail.following {
                        self.tail.unseen = 0;
                    }
                }
            }
            None => {
                let n = super::draw::detail::lines(self, &self.page().page.clone()).len();
                let h = self.detail_height();
                let max = n.saturating_sub(h);
                let p = self.page_mut();
                p.scroll = step(p.scroll, action, h).min(max);
            }
        }
    }

    /// Findings headings are not selectable: step over them.
    pub(crate) fn skip_group_rows(&mut self, forward: bool) {
        let h = self.list_height();
        let is_group = |app: &App, i: usize| {
            let v = app.view(Pane::Findings);
            v.rows
                .get(i)
                .and_then(|r| app.finding_rows.get(*r))
                .is_some_and(|r| matches!(r, super::app::FindingRow::Group { .. }))
        };
        let n = self.view(Pane::Findings).rows.len();
        let mut i = self.view(Pane::Findings).selected;
        while is_group(self, i) {
            if forward && i + 1 < n {
                i += 1;
            } else if !forward && i > 0 {
                i -= 1;
            } else if forward {
                break;
            } else {
                // Above the first heading there is nothing: go down instead.
                return self.skip_group_rows(true);
            }
        }
        let v = self.view_mut(Pane::Findings);
        v.selected = i;
        v.clamp(h);
    }

    fn open(&mut self) {
        let Some(pane) = self.on_list() else { return };
        match pane {
            Pane::Buckets => {
                if let Some(b) = self.selected_bucket() {
                    let name = b.bucket.name.clone();
                    self.push(Page::Bucket(name));
                }
            }
            Pane::Principals => {
                if let Some(p) = self.selected_principal() {
                    let arn = p.arn.clone();
                    self.push(Page::Principal(arn));
                }
            }
            Pane::Tail => {
                if let Some(e) = self.selected_event() {
                    let id = e.id.clone();
                    self.push(Page::Event(id));
                }
            }
            Pane::Findings => {
                let Some(r) = self.selected_finding() else {
                    return;
                };
                let Some(f) = self.finding(r) else { return };
                let resource = f.resource.clone();
                self.open_resource(&resource, r);
            }
            Pane::Journal => self.open_entry(),
        }
    }

    /// Drill from a finding to the resource it is about.
    fn open_resource(&mut self, arn: &str, r: FindingRef) {
        if let FindingRef::Bucket(b, _) = r
            && let Some(v) = self.buckets.get(b)
        {
            let name = v.bucket.name.clone();
            self.push(Page::Bucket(name));
            return;
        }
        if let Some(name) = arn.strip_prefix("arn:aws:s3:::")
            && self.bucket(name).is_some()
        {
            self.push(Page::Bucket(name.to_string()));
        } else if self.principal(arn).is_some() {
            self.push(Page::Principal(arn.to_string()));
        } else {
            self.toast(
                ToastLevel::Info,
                format!("{arn} is the account itself; nothing to open"),
            );
        }
    }

    fn sort(&mut self, action: Action) {
        let Some(pane) = self.on_list() else { return };
        let columns: &[&str] = match pane {
            Pane::Buckets => &BUCKET_COLUMNS,
            Pane::Principals => &PRINCIPAL_COLUMNS,
            _ => {
                self.toast(ToastLevel::Info, "this pane keeps its own order");
                return;
            }
        };
        let v = self.view_mut(pane);
        if action == Action::SortColumn {
            v.sort = (v.sort + 1) % columns.len();
            v.reverse = false;
        } else {
            v.reverse = !v.reverse;
        }
        let text = format!(
            "sorted by {}{}",
            columns[v.sort].to_lowercase(),
            if v.reverse { ", reversed" } else { "" }
        );
        self.views_stale = true;
        self.toast(ToastLevel::Info, text);
    }

    /// The event the tail pane or the event page is about.
    fn current_event(&self) -> Option<&super::tail_view::TailRow> {
        match &self.page().page {
            Page::Event(id) => self.event(id),
            Page::Pane(Pane::Tail) => self.selected_event(),
            _ => None,
        }
    }

    fn jump_bucket(&mut self) {
        let Some(e) = self.current_event() else {
            return;
        };
        match e.bucket.clone() {
            Some(b) if self.bucket(&b).is_some() => self.push(Page::Bucket(b)),
            Some(b) => self.toast(
                ToastLevel::Info,
                format!("bucket {b} is not in this account's scan"),
            ),
            None => self.toast(ToastLevel::Info, "this event names no bucket"),
        }
    }

    fn jump_principal(&mut self) {
        let Some(e) = self.current_event() else {
            return;
        };
        let Some(arn) = e.principal_arn.clone() else {
            let actor = e.actor.clone();
            self.toast(
                ToastLevel::Info,
                format!("{actor}: the record names no principal"),
            );
            return;
        };
        if self.principal(&arn).is_some() {
            self.push(Page::Principal(arn));
        } else {
            self.toast(
                ToastLevel::Info,
                format!("{arn} is not a principal of this account"),
            );
        }
    }

    fn refresh(&mut self) -> Vec<Effect> {
        let effect = match &self.page().page {
            Page::Bucket(name) => Some(Effect::RefreshBucket(name.clone())),
            Page::Principal(_) | Page::Pane(Pane::Principals) => Some(Effect::RefreshIam),
            Page::Pane(Pane::Buckets) => self
                .selected_bucket()
                .map(|b| Effect::RefreshBucket(b.bucket.name.clone())),
            Page::Pane(Pane::Findings) => self.selected_finding().and_then(|r| match r {
                FindingRef::Bucket(b, _) => self
                    .buckets
                    .get(b)
                    .map(|v| Effect::RefreshBucket(v.bucket.name.clone())),
                FindingRef::Account(_) => Some(Effect::RefreshIam),
            }),
            Page::Pane(Pane::Tail) | Page::Event(_) => {
                self.toast(
                    ToastLevel::Info,
                    "the tail follows the log groups live; nothing to re-read",
                );
                None
            }
            Page::Preview => return self.replan(),
            Page::Pane(Pane::Journal) | Page::Entry(_) => {
                self.toast(ToastLevel::Info, "re-reading the journal…");
                return self.reload_journal();
            }
        };
        match &effect {
            Some(Effect::RefreshBucket(b)) => {
                self.toast(ToastLevel::Info, format!("re-reading {b}…"))
            }
            Some(Effect::RefreshIam) => self.toast(ToastLevel::Info, "re-reading IAM…"),
            _ => {}
        }
        effect.into_iter().collect()
    }
}

/// Move a position by one motion.
fn step(pos: usize, action: Action, page: usize) -> usize {
    match action {
        Action::SelectNext | Action::ScrollDown => pos.saturating_add(1),
        Action::SelectPrev | Action::ScrollUp => pos.saturating_sub(1),
        Action::PageDown => pos.saturating_add(page.max(1)),
        Action::PageUp => pos.saturating_sub(page.max(1)),
        Action::First => 0,
        Action::Last => usize::MAX / 2,
        _ => pos,
    }
}

/// The character a plain key press types, if any.
fn key_char(ev: &KeyEvent) -> Option<char> {
    match ev.code {
        crossterm::event::KeyCode::Char(c)
            if !ev.modifiers.intersects(
                crossterm::event::KeyModifiers::CONTROL | crossterm::event::KeyModifiers::ALT,
            ) =>
        {
            Some(c)
        }
        _ => None,
    }
}
