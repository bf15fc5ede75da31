//! Diagnostic log, off unless asked for: `TINCAN_LOG=tincan_core=info tincan chat Ben`
//! prints what the core decides (attempts, relay asks, what was passed on) on standard
//! error. The chat screen stays as it is without it; a person reporting a problem, or a
//! test that must explain a failure, turns it on.

use tracing_subscriber::EnvFilter;

/// The variable holding the filter, in `tracing_subscriber`'s `EnvFilter` syntax.
pub const LOG_ENV: &str = "TINCAN_LOG";

/// Starts the log when [`LOG_ENV`] is set to a filter that parses; otherwise nothing.
pub fn init_from_env() {
    let Ok(filter) = std::env::var(LOG_ENV) else {
        return;
    };
    match EnvFilter::try_new(&filter) {
        Ok(filter) => tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_ansi(false)
            .with_writer(std::io::stderr)
            .init(),
        Err(e) => eprintln!("tincan: {LOG_ENV} ignored, not a log filter ({e})"),
    }
}
