//! A panic restores the terminal and exits with its message.
//!
//! This test binary plays both parts (`harness = false`): run by cargo, it
//! starts itself under tmux as the child; the child takes the terminal the
//! way the console does (`TerminalGuard::enter`) and panics.

mod tui_support;

use std::time::Duration;

fn main() {
    if std::env::var_os("VIGIL_PANIC_CHILD").is_some() {
        let _guard = vigil::tui::terminal::TerminalGuard::enter();
        std::thread::sleep(Duration::from_millis(300));
        panic!("a deliberate panic inside the console");
    }
    // `cargo nextest` and `cargo test -- --list` ask what is here.
    if std::env::args().any(|a| a == "--list") {
        println!("a_panic_restores_the_terminal_and_prints_its_message: test");
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let t = tui_support::Tmux::start_program(
        &format!("env VIGIL_PANIC_CHILD=1 {}", exe.display()),
        "",
        100,
        30,
    );
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        t.pane("#{alternate_on}"),
        "1",
        "the child took the terminal"
    );
    t.assert_restored_with(101);
    let s = t.screen();
    assert!(
        s.contains("a deliberate panic inside the console"),
        "the message is shown: {s}"
    );
    println!("test a_panic_restores_the_terminal_and_prints_its_message ... ok");
    println!("\ntest result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out");
}
