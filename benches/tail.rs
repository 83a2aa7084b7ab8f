//! The tail's cost: parse + detect throughput on one core, and the memory
//! of the console's Tail pane holding its full 50,000 rows.
//!
//! `cargo bench --bench tail`
//!
//! The corpus is the lab's CloudTrail records (every detection fires on one
//! of them; two carry session tokens to mask), each stamped with its own
//! time and event id, cycled. The memory figure counts live heap bytes with
//! a counting allocator, and reports the resident set growth as the kernel
//! sees it (`/proc/self/status`).

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};

use criterion::{Criterion, Throughput};
use vigil::lab::Lab;
use vigil::model::trail::RecordOrigin;
use vigil::tail::parse::{Parsed, parse_message};
use vigil::tui::app::{App, TAIL_CAPACITY};
use vigil::tui::message::Msg;
use vigil::tui::theme::{ColorMode, Theme};
use vigil::tui::{Keymap, tail_view};

/// The system allocator, counting the bytes it has handed out and not yet
/// had back.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged to the system allocator.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded unchanged to the system allocator.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            LIVE.fetch_add(new_size, Ordering::Relaxed);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// `n` log messages: the lab's CloudTrail records, cycled, each with its own
/// eventID and time.
fn corpus(n: usize) -> Vec<String> {
    let lab = Lab::embedded().expect("the lab parses");
    let group = &lab.log_groups[0];
    let records: Vec<&String> = group
        .events
        .iter()
        .filter(|t| t.trim_start().starts_with('{'))
        .collect();
    (0..n)
        .map(|i| {
            let t = 1_700_000_000_000 + i as i64 * 1000;
            lab.log_message(records[i % records.len()], t).replacen(
                "0b8e6c1e-1111-4c5e-9e0a-",
                &format!("{i:08x}-1111-4c5e-9e0a-"),
                1,
            )
        })
        .collect()
}

fn parse_and_detect(c: &mut Criterion) {
    let messages = corpus(2_000);
    let bytes: usize = messages.iter().map(String::len).sum();
    eprintln!(
        "corpus: {} records, {} bytes on average",
        messages.len(),
        bytes / messages.len()
    );
    let origin = RecordOrigin::default();
    let mut group = c.benchmark_group("tail");
    group.throughput(Throughput::Elements(messages.len() as u64));
    group.bench_function("parse_and_detect", |b| {
        b.iter(|| {
            for m in &messages {
                black_box(parse_message(black_box(m), &origin));
            }
        })
    });
    group.finish();
}

fn rss_kib() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Feed the console's Tail pane as the tail task does (parsed events turned
/// into rows, in batches), until it holds its full 50,000 rows and has
/// dropped as many again; report what it holds.
fn console_tail_memory() {
    let messages = corpus(TAIL_CAPACITY * 2);
    let origin = RecordOrigin {
        log_group: Some("aws-cloudtrail-logs-123456789012-0a1b2c3d".into()),
        log_stream: Some("123456789012_CloudTrail_us-east-1_1".into()),
        log_event_id: None,
        log_timestamp_ms: None,
        position: None,
    };
    let mut app = App::new(
        Keymap::load("default", None, false).expect("the shipped keymap loads"),
        Theme::load("default", None, ColorMode::Ansi16).expect("the shipped theme loads"),
        "demo",
        false,
        (120, 40),
        0,
    );
    let heap_before = LIVE.load(Ordering::Relaxed);
    let rss_before = rss_kib();
    for (n, chunk) in messages.chunks(500).enumerate() {
        let mut rows = Vec::new();
        for (i, m) in chunk.iter().enumerate() {
            let mut origin = origin.clone();
            origin.log_event_id = Some(format!("{:056}", n * 500 + i));
            for p in parse_message(m, &origin) {
                rows.push(match p {
                    Parsed::Event(e) => tail_view::from_event(&e),
                    Parsed::Unparsed(u) => tail_view::from_unparsed(&u),
                });
            }
        }
        black_box(app.on_msg(Msg::Tail(rows)));
    }
    app.refresh_views();
    let heap = LIVE.load(Ordering::Relaxed).saturating_sub(heap_before);
    let rss = rss_kib().zip(rss_before).map(|(a, b)| a.saturating_sub(b));
    let mib = |b: usize| b as f64 / (1024.0 * 1024.0);
    let held = app.tail.rows.len();
    println!(
        "console tail: {held} rows held ({} fed), {:.1} MiB of heap ({} bytes a row); resident set grew {}",
        messages.len(),
        mib(heap),
        heap / held.max(1),
        rss.map_or("(unknown)".to_string(), |k| format!(
            "{:.1} MiB",
            k as f64 / 1024.0
        ))
    );
    black_box(&app);
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    parse_and_detect(&mut c);
    c.final_summary();
    console_tail_memory();
}
