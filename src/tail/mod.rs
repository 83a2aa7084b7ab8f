//! The live tail: follow CloudWatch Logs groups, parse CloudTrail records,
//! run detections, feed events to the console and name the buckets and
//! principals to re-read (DESIGN.md, layer 6).
//!
//! - [`parse`]: CloudTrail records (one per log message, or a `Records`
//!   envelope) into [`TrailEvent`](crate::model::trail::TrailEvent)s;
//!   what does not parse is kept raw and counted.
//! - [`detect`]: the built-in detections ([`detect::CATALOGUE`]).

pub mod detect;
pub mod parse;
pub mod record;
