//! The live tail: follow CloudWatch Logs groups, parse CloudTrail records,
//! run detections, feed events to the console and name the buckets and
//! principals to re-read (DESIGN.md, layer 6).
//!
//! What the console uses:
//!
//! - [`follow::start`]`(cloud, TailRequest)` → a [`follow::TailHandle`]
//!   (drop it to stop) and a bounded channel of [`update::TailUpdate`]s:
//!   event batches, unparsed records, and statuses for the status line
//!   (`Display` gives the text: "live", "polling every 2 s", "throttled,
//!   retrying in 3 s", "sampled", …).
//! - [`posture::rechecks`]: the buckets and principals an event changed.
//! - [`groups::discover`]: the region's log groups, CloudTrail first, for
//!   the group picker.
//! - [`detect::CATALOGUE`]: every detection's id, severity and why.
//!
//! ```no_run
//! # async fn tail_pane(cloud: std::sync::Arc<dyn vigil::cloud::Cloud>) {
//! use vigil::tail::follow::{self, TailRequest};
//!
//! let since = "15m".parse().expect("a window");
//! let request = TailRequest::new(vec!["aws-cloudtrail-logs-prod".into()], since, true);
//! let (handle, mut updates) = follow::start(cloud, request);
//! while let Some(update) = updates.recv().await {
//!     // events become rows (the console keeps the newest 50,000); each
//!     // event's `posture::rechecks` names what to re-read
//! }
//! drop(handle); // stops the tail
//! # }
//! ```
//!
//! Inside: [`parse`] (records into events; what does not parse is kept raw
//! and counted), [`record`] (secrets masked, strings sanitised), [`detect`],
//! [`seen`] (de-duplication with bounded memory), [`budget`] (the shared
//! request budget, backoff with jitter), [`window`] (`--since 15m`), and
//! the followers themselves (polling in [`follow`], Live Tail in `live`).

pub mod budget;
pub mod detect;
pub mod follow;
pub mod groups;
mod live;
pub mod parse;
pub mod posture;
pub mod record;
pub mod seen;
pub mod update;
pub mod window;
