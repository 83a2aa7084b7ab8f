//! Frame time of the console: the Buckets pane with 10,000 buckets (the
//! goal: under 5 ms a frame), and the key-to-screen path while a 1,000
//! bucket scan streams in (a key, the batch that arrived with it, one
//! frame).
//!
//! `cargo bench --bench draw`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use vigil::lab::Lab;
use vigil::model::Facet;
use vigil::tui::action::Action;
use vigil::tui::analysis::{BucketView, analyse_bucket};
use vigil::tui::app::App;
use vigil::tui::message::Msg;
use vigil::tui::theme::{ColorMode, Theme};
use vigil::tui::{Keymap, draw};

/// `n` buckets cycled from the lab's, each with its own name.
fn buckets(n: usize) -> Vec<BucketView> {
    let lab = Lab::embedded().unwrap();
    let base: Vec<_> = lab
        .buckets
        .iter()
        .map(|b| vigil::lab::materialise::bucket(&lab, b))
        .collect();
    (0..n)
        .map(|i| {
            let mut b = base[i % base.len()].clone();
            b.name = format!("{}-{i:05}", b.name);
            analyse_bucket(b, &lab.account_id, &Facet::Absent)
        })
        .collect()
}

fn app(size: (u16, u16)) -> App {
    App::new(
        Keymap::load("default", None, false).unwrap(),
        Theme::load("default", None, ColorMode::Ansi16).unwrap(),
        "demo",
        false,
        size,
        0,
    )
}

fn bench(c: &mut Criterion) {
    let size = (200, 60);
    let mut terminal = Terminal::new(TestBackend::new(size.0, size.1)).unwrap();

    let mut a = app(size);
    a.on_msg(Msg::Buckets(buckets(10_000)));
    a.refresh_views();
    c.bench_function("draw buckets pane, 10k buckets, 200x60", |b| {
        b.iter(|| {
            terminal.draw(|f| draw::frame(f, black_box(&a))).unwrap();
        })
    });

    // Scrolling: a key moves the selection, the frame follows.
    c.bench_function("key + frame, 10k buckets", |b| {
        b.iter(|| {
            a.act(Action::SelectNext);
            a.refresh_views();
            terminal.draw(|f| draw::frame(f, &a)).unwrap();
        })
    });

    // While a 1,000-bucket scan streams in: each iteration is one event-loop
    // turn with a key and the 64-bucket batch that came with it (sort,
    // filter, frame). Starts over when the scan is complete.
    let stream = buckets(1_000);
    let batches: Vec<Vec<BucketView>> = stream.chunks(64).map(|c| c.to_vec()).collect();
    let mut s = app(size);
    let mut next = 0usize;
    c.bench_function("key + 64-bucket batch + frame, scan of 1k streaming", |b| {
        b.iter(|| {
            if next == batches.len() {
                s = app(size);
                next = 0;
            }
            s.on_msg(Msg::Buckets(batches[next].clone()));
            next += 1;
            s.on_key(KeyEvent::from(KeyCode::Down));
            s.refresh_views();
            terminal.draw(|f| draw::frame(f, &s)).unwrap();
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
