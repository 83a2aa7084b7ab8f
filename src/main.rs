use clap::Parser;

use vigil::cli::{Cli, run};

fn main() {
    let cli = Cli::parse();
    let console = matches!(cli.command, None | Some(vigil::cli::Command::Demo));
    if !console {
        die_quietly_on_broken_pipe();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("vigil: cannot start: {e}");
            std::process::exit(2);
        }
    };
    vigil::logging::init();
    let code = match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(fatal) => {
            eprintln!("vigil: {}", fatal.message);
            if let Some(hint) = fatal.hint {
                eprintln!("  hint: {hint}");
            }
            2
        }
    };
    std::process::exit(code);
}

/// `vigil scan | head` should end like any Unix filter when `head` stops
/// reading: silently. Rust ignores SIGPIPE, so every write after that fails
/// and `println!` panics; the default action ends the process instead. Not
/// for the console, whose terminal is never a pipe that closes under it.
fn die_quietly_on_broken_pipe() {
    #[cfg(unix)]
    // SAFETY: called before any other thread exists; SIG_DFL is a valid
    // disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
