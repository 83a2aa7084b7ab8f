//! What crosses the channel between the UI task and the tasks it spawns.
//!
//! A key handler never awaits anything slow: it returns [`Effect`]s, the
//! event loop hands each to `tasks::spawn`, and the spawned task reports
//! back with a [`Msg`] on the loop's channel (STYLE.md, after stu: one
//! request, one completion message).

use std::sync::Arc;

use crate::model::CallerIdentity;
use crate::model::Facet;
use crate::model::finding::Finding;
use crate::model::iam::IamInventory;
use crate::model::s3::Bucket;
use crate::model::s3::PublicAccessBlock;
use crate::policy::reach::BucketReach;

use super::analysis::BucketView;
use super::principal_view::PrincipalView;
use super::tail_view::TailRow;

/// A completion, reported by a spawned task to the UI task.
#[derive(Debug)]
pub enum Msg {
    Identity(Result<CallerIdentity, String>),
    AccountBpa(Facet<PublicAccessBlock>),
    /// `ListBuckets` answered: this many buckets to read.
    Listed(usize),
    /// A batch of buckets, read and analysed.
    Buckets(Vec<BucketView>),
    ScanDone,
    ScanFailed(String),
    /// One bucket re-read (after `r`, or after a trail event changed it).
    BucketRefreshed(Box<BucketView>),
    BucketRefreshFailed {
        bucket: String,
        error: String,
    },
    /// IAM read and analysed: the principals (or why not), and the
    /// account-level findings (which run even when IAM could not be read).
    Iam {
        principals: Result<Vec<PrincipalView>, String>,
        account_findings: Vec<Finding>,
        /// What was read, for the per-bucket reach analysis.
        inventory: Option<Arc<IamInventory>>,
    },
    /// Who in the account can reach a bucket (`policy::reach`).
    Reach {
        bucket: String,
        reach: Box<BucketReach>,
    },
    /// New trail events, oldest first.
    Tail(Vec<TailRow>),
    TailStatus(String),
    /// The account's Block Public Access re-read, and every bucket
    /// analysed again with it (after `account-bpa-on` or its undo).
    AccountRefreshed {
        account_bpa: Facet<PublicAccessBlock>,
        buckets: Vec<BucketView>,
    },
    /// A remediation task's report (`tui::fix`).
    Remedy(super::fix::jobs::RemedyMsg),
    /// A line for the message area (a task's outcome).
    Toast(ToastLevel, String),
}

/// How a toast is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToastLevel {
    Info,
    Warn,
    Error,
}

/// Slow work a key (or a message) asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Re-read one bucket and re-run its analysis.
    RefreshBucket(String),
    /// Re-read IAM and re-run the principal analyses.
    RefreshIam,
    /// Work out who in the account can reach a bucket.
    BucketReach {
        bucket: Box<Bucket>,
        iam: Arc<IamInventory>,
        account_id: String,
    },
    /// Re-read the account's Block Public Access, then IAM and the
    /// account rules, and analyse these buckets again with it.
    RefreshAccount { buckets: Vec<Bucket> },
    /// Remediation work (`tui::fix`): elevate, apply, undo, verify, read
    /// the journal.
    Remedy(super::fix::jobs::Job),
}
