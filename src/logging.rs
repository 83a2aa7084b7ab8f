//! Logs go to a file, never to the screen: the screen belongs to the console.
//! Set `VIGIL_LOG=/path/to/file` (and `RUST_LOG` for the level) to enable.

/// Start logging to `$VIGIL_LOG` when it is set; otherwise log nothing.
pub fn init() {
    let Some(path) = std::env::var_os("VIGIL_LOG") else {
        return;
    };
    let Ok(file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
    else {
        return;
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("vigil=info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file))
        .try_init();
}
