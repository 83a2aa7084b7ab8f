use clap::Parser;

use vigil::cli::{Cli, run};

fn main() {
    let cli = Cli::parse();
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
