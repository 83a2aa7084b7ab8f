//! The console's state: what was read, what is on screen, and where the
//! operator is. Owned by one task (the event loop); drawing is a pure
//! function of it (`draw::frame`).

use std::collections::{HashMap, VecDeque};

use crate::model::finding::{Finding, Severity};

use super::action::Context;
use super::analysis::BucketView;
use super::filter::Filter;
use super::keymap::Keymap;
use super::message::ToastLevel;
use super::principal_view::PrincipalView;
use super::tail_view::TailRow;
use super::theme::Theme;
use super::widgets::Modal;
use super::widgets::prompt::Prompt;

/// The most trail events the Tail pane keeps (the oldest are dropped):
/// 50,000 rows of CloudTrail stay well under 150 MB (README, Benchmarks;
/// `benches/tail.rs` measures this pane).
pub const TAIL_CAPACITY: usize = 50_000;

/// The smallest terminal the console draws in.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 15;

/// The four panes, and the journal's slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    Buckets,
    Findings,
    Principals,
    Tail,
    /// The remediation journal (`tui::fix`).
    Journal,
}

impl Pane {
    /// The panes `next_pane` cycles through.
    pub const CYCLE: [Pane; 4] = [Pane::Buckets, Pane::Findings, Pane::Principals, Pane::Tail];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Buckets => "buckets",
            Pane::Findings => "findings",
            Pane::Principals => "principals",
            Pane::Tail => "tail",
            Pane::Journal => "journal",
        }
    }
}

/// One page of the stack: a pane or a detail view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    Pane(Pane),
    Bucket(String),
    Principal(String),
    Event(String),
    /// The preview of the remediation being planned (`App::remedy.flow`).
    Preview,
    /// One journal entry, by id.
    Entry(String),
}

/// A page and how far it is scrolled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageState {
    pub page: Page,
    pub scroll: usize,
}

/// Selection, scroll, filter and sort of one list pane.
#[derive(Debug, Clone, Default)]
pub struct ListView {
    pub selected: usize,
    pub offset: usize,
    pub filter: Filter,
    pub sort: usize,
    pub reverse: bool,
    /// Indices of the rows shown, in order (recomputed when data, filter or
    /// sort change, never while drawing).
    pub rows: Vec<usize>,
}

impl ListView {
    /// Keep the selection inside the rows and on screen.
    pub fn clamp(&mut self, height: usize) {
        let n = self.rows.len();
        if n == 0 {
            self.selected = 0;
            self.offset = 0;
            return;
        }
        self.selected = self.selected.min(n - 1);
        let h = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + h {
            self.offset = self.selected + 1 - h;
        }
        self.offset = self.offset.min(n.saturating_sub(h));
    }
}

/// The columns the Buckets pane sorts by, in `sort_column` order.
pub const BUCKET_COLUMNS: [&str; 8] = [
    "NAME",
    "REGION",
    "PUBLIC",
    "ENCRYPTION",
    "BPA",
    "VERSIONING",
    "LOGGING",
    "FINDINGS",
];

/// The columns the Principals pane sorts by.
pub const PRINCIPAL_COLUMNS: [&str; 7] = [
    "KIND", "NAME", "MFA", "CONSOLE", "KEY AGE", "ADMIN", "PRIVESC",
];

/// How the Findings pane groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    Severity,
    Rule,
}

/// A finding, wherever it lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingRef {
    Account(usize),
    Bucket(usize, usize),
}

/// One row of the Findings pane: a group heading or a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FindingRow {
    Group {
        label: String,
        count: usize,
        severity: Option<Severity>,
    },
    Item(FindingRef),
}

/// The elevated session's badge (set from the session by `tui::fix` on
/// each timer tick; redrawn only when the seconds shown change).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Elevation {
    /// The role's name (the last part of its ARN).
    pub role: String,
    pub remaining_secs: i64,
    /// Near the end: the badge says so and re-elevation is offered.
    pub renew_soon: bool,
}

/// The header's facts.
#[derive(Debug, Clone, Default)]
pub struct Header {
    pub account_id: Option<String>,
    pub account_alias: Option<String>,
    pub caller_arn: Option<String>,
    pub region: Option<String>,
    pub backend: String,
    pub readonly: bool,
    pub elevation: Option<Elevation>,
    pub identity_error: Option<String>,
}

/// How far the scan is.
#[derive(Debug, Clone, Default)]
pub struct Scan {
    pub listed: Option<usize>,
    pub read: usize,
    pub done: bool,
    pub error: Option<String>,
}

/// IAM as the Principals pane knows it.
#[derive(Debug, Clone)]
pub enum IamState {
    Loading,
    Failed(String),
    Loaded(Vec<PrincipalView>),
}

/// The live tail.
#[derive(Debug, Clone)]
pub struct Tail {
    pub rows: VecDeque<TailRow>,
    pub following: bool,
    /// Events that arrived while paused.
    pub unseen: usize,
    pub status: String,
}

/// A line in the message area until `until_ms`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    pub level: ToastLevel,
    pub text: String,
    pub until_ms: i64,
}

/// Everything the console knows and shows.
pub struct App {
    pub keymap: Keymap,
    pub theme: Theme,
    pub header: Header,
    pub scan: Scan,
    pub account_bpa: crate::model::Facet<crate::model::s3::PublicAccessBlock>,
    pub buckets: Vec<BucketView>,
    pub bucket_index: HashMap<String, usize>,
    pub account_findings: Vec<Finding>,
    pub iam: IamState,
    pub tail: Tail,
    pub pages: Vec<PageState>,
    pub views: HashMap<Pane, ListView>,
    pub finding_rows: Vec<FindingRow>,
    pub grouping: Grouping,
    pub severity_floor: Option<Severity>,
    pub prompt: Option<Prompt>,
    pub modal: Option<Modal>,
    pub help: Option<usize>,
    pub toast: Option<Toast>,
    /// The remediation console: session, journal, the fix in progress.
    pub remedy: super::fix::RemedyConsole,
    /// IAM as read, for the per-bucket reach analysis.
    pub iam_inventory: Option<std::sync::Arc<crate::model::iam::IamInventory>>,
    /// Who can reach each bucket whose detail was opened.
    pub reach: HashMap<String, Box<crate::policy::reach::BucketReach>>,
    pub reach_pending: std::collections::HashSet<String>,
    /// Buckets the operator asked to re-read (`r`), so their re-read is
    /// announced even when nothing changed.
    pub refresh_requested: std::collections::HashSet<String>,
    pub last_iam_recheck_ms: i64,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    pub now_ms: i64,
    pub quit: bool,
    /// Something on screen changed since the last draw.
    pub dirty: bool,
    /// Rows of some list need recomputing before the next draw.
    pub views_stale: bool,
}

impl App {
    /// A console with nothing read yet.
    pub fn new(
        keymap: Keymap,
        theme: Theme,
        backend: &str,
        readonly: bool,
        size: (u16, u16),
        now_ms: i64,
    ) -> App {
        let mut views = HashMap::new();
        for p in [
            Pane::Buckets,
            Pane::Findings,
            Pane::Principals,
            Pane::Tail,
            Pane::Journal,
        ] {
            views.insert(p, ListView::default());
        }
        App {
            keymap,
            theme,
            header: Header {
                backend: backend.to_string(),
                readonly,
                ..Header::default()
            },
            scan: Scan::default(),
            account_bpa: crate::model::Facet::unknown(
                crate::model::UnknownReason::Other,
                "not read yet",
            ),
            buckets: Vec::new(),
            bucket_index: HashMap::new(),
            account_findings: Vec::new(),
            iam: IamState::Loading,
            tail: Tail {
                rows: VecDeque::new(),
                following: true,
                unseen: 0,
                status: "starting".into(),
            },
            pages: vec![PageState {
                page: Page::Pane(Pane::Buckets),
                scroll: 0,
            }],
            views,
            finding_rows: Vec::new(),
            grouping: Grouping::Severity,
            severity_floor: None,
            prompt: None,
            modal: None,
            help: None,
            toast: None,
            remedy: super::fix::RemedyConsole::default(),
            iam_inventory: None,
            reach: HashMap::new(),
            reach_pending: Default::default(),
            refresh_requested: Default::default(),
            last_iam_recheck_ms: i64::MIN / 2,
            size,
            now_ms,
            quit: false,
            dirty: true,
            views_stale: true,
        }
    }

    /// The page on top of the stack.
    pub fn page(&self) -> &PageState {
        // The stack is never empty: `back` stops at the last page.
        &self.pages[self.pages.len() - 1]
    }

    pub fn page_mut(&mut self) -> &mut PageState {
        let n = self.pages.len();
        &mut self.pages[n - 1]
    }

    /// The pane at the bottom of the stack.
    pub fn pane(&self) -> Pane {
        match &self.pages[0].page {
            Page::Pane(p) => *p,
            _ => Pane::Buckets,
        }
    }

    /// The keymap contexts in force, most specific first.
    pub fn contexts(&self) -> Vec<Context> {
        if self.prompt.is_some() || self.modal.is_some() {
            return vec![Context::Prompt];
        }
        if self.help.is_some() {
            return vec![Context::Detail, Context::Global];
        }
        match &self.page().page {
            Page::Pane(Pane::Tail) => vec![Context::Tail, Context::List, Context::Global],
            Page::Pane(_) => vec![Context::List, Context::Global],
            Page::Event(_) => vec![Context::Detail, Context::Global],
            _ => vec![Context::Detail, Context::Global],
        }
    }

    /// Rows a list shows: the body less borders and its header row.
    pub fn list_height(&self) -> usize {
        let body = self.size.1.saturating_sub(2 + 2) as usize; // header lines, message + key bar
        let extra = match self.pane() {
            Pane::Findings => FINDING_PREVIEW_LINES,
            _ => 0,
        };
        body.saturating_sub(3 + extra)
    }

    /// Lines a detail view shows.
    pub fn detail_height(&self) -> usize {
        (self.size.1.saturating_sub(4) as usize).saturating_sub(2)
    }

    pub fn view(&self, pane: Pane) -> &ListView {
        // Every pane gets a view in `new`.
        &self.views[&pane]
    }

    pub fn view_mut(&mut self, pane: Pane) -> &mut ListView {
        self.views.entry(pane).or_default()
    }

    /// A finding by reference.
    pub fn finding(&self, r: FindingRef) -> Option<&Finding> {
        match r {
            FindingRef::Account(i) => self.account_findings.get(i),
            FindingRef::Bucket(b, i) => self.buckets.get(b).and_then(|v| v.findings.get(i)),
        }
    }

    pub fn principals(&self) -> &[PrincipalView] {
        match &self.iam {
            IamState::Loaded(p) => p,
            _ => &[],
        }
    }

    pub fn bucket(&self, name: &str) -> Option<&BucketView> {
        self.bucket_index
            .get(name)
            .and_then(|i| self.buckets.get(*i))
    }

    pub fn principal(&self, arn: &str) -> Option<&PrincipalView> {
        self.principals().iter().find(|p| p.arn == arn)
    }

    pub fn event(&self, id: &str) -> Option<&TailRow> {
        self.tail.rows.iter().find(|r| r.id == id)
    }

    /// Whether a finding shows under the severity floor.
    pub(crate) fn above_floor(&self, s: Severity) -> bool {
        self.severity_floor.is_none_or(|f| s >= f)
    }

    /// The finding under the cursor in the Findings pane.
    pub fn selected_finding(&self) -> Option<FindingRef> {
        let v = self.view(Pane::Findings);
        match self.finding_rows.get(*v.rows.get(v.selected)?)? {
            FindingRow::Item(r) => Some(*r),
            FindingRow::Group { .. } => None,
        }
    }

    pub fn selected_bucket(&self) -> Option<&BucketView> {
        let v = self.view(Pane::Buckets);
        self.buckets.get(*v.rows.get(v.selected)?)
    }

    pub fn selected_principal(&self) -> Option<&PrincipalView> {
        let v = self.view(Pane::Principals);
        self.principals().get(*v.rows.get(v.selected)?)
    }

    pub fn selected_event(&self) -> Option<&TailRow> {
        let v = self.view(Pane::Tail);
        self.tail.rows.get(*v.rows.get(v.selected)?)
    }

    /// Whether an action does something on the current page (the key bar
    /// shows only those; the help shows every binding).
    pub fn relevant(&self, action: super::action::Action) -> bool {
        use super::action::Action as A;
        let page = &self.page().page;
        match action {
            A::JumpBucket | A::JumpPrincipal => {
                matches!(page, Page::Event(_) | Page::Pane(Pane::Tail))
            }
            A::Fix => matches!(
                page,
                Page::Bucket(_) | Page::Pane(Pane::Findings) | Page::Preview
            ),
            A::Undo => matches!(page, Page::Entry(_) | Page::Pane(Pane::Journal)),
            A::Verify => self.current_entry().is_some_and(|e| e.is_unfinished()),
            A::GroupBy => *page == Page::Pane(Pane::Findings),
            A::SortColumn | A::SortReverse => {
                matches!(
                    page,
                    Page::Pane(Pane::Buckets) | Page::Pane(Pane::Principals)
                )
            }
            A::Filter => matches!(page, Page::Pane(p) if *p != Pane::Journal),
            _ => true,
        }
    }

    /// Work the current page needs that no key asked for: the reach of the
    /// bucket on screen, once IAM is in.
    pub fn wants(&mut self) -> Vec<super::message::Effect> {
        let Page::Bucket(name) = &self.page().page else {
            return Vec::new();
        };
        let name = name.clone();
        if self.reach.contains_key(&name) || self.reach_pending.contains(&name) {
            return Vec::new();
        }
        let (Some(iam), Some(v)) = (self.iam_inventory.clone(), self.bucket(&name)) else {
            return Vec::new();
        };
        let bucket = Box::new(v.bucket.clone());
        self.reach_pending.insert(name);
        vec![super::message::Effect::BucketReach {
            bucket,
            iam,
            account_id: self.header.account_id.clone().unwrap_or_default(),
        }]
    }

    /// Show a line in the message area for a few seconds.
    pub fn toast(&mut self, level: ToastLevel, text: impl Into<String>) {
        let secs = if level == ToastLevel::Error {
            8_000
        } else {
            4_000
        };
        self.toast = Some(Toast {
            level,
            text: text.into(),
            until_ms: self.now_ms + secs,
        });
        self.dirty = true;
    }
}

/// Lines under the Findings list that show the selected finding's evidence.
pub const FINDING_PREVIEW_LINES: usize = 6;
