//! Logging setup: tracing to stderr, which systemd puts in the journal. Plain text for people
//! (no colours and no timestamps when stderr is the journal or not a terminal — the journal
//! stamps lines itself) or JSON lines for log shippers. `RUST_LOG` wins over the config's
//! `log_level`, except for the libraries that would log secrets (see [`secret_guard`]).

use std::io::IsTerminal;

use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

/// Output format of the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// A filter no `RUST_LOG` directive can open: async-imap traces every command it encodes
/// (`LOGIN user password`, the XOAUTH2 token) and every response it decodes (whole customer
/// messages), so its records are kept to INFO and above, which it never uses.
pub fn secret_guard() -> Targets {
    Targets::new()
        .with_default(LevelFilter::TRACE)
        .with_target("async_imap", LevelFilter::INFO)
        .with_target("imap_proto", LevelFilter::INFO)
}

/// Installs the global subscriber; `level` is the config's `log_level`, if any.
pub fn init(format: Format, level: Option<&str>) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(level.unwrap_or("info")))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let to_person = std::io::stderr().is_terminal() && std::env::var_os("JOURNAL_STREAM").is_none();
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter);
    let result = match (format, to_person) {
        (Format::Json, _) => builder
            .json()
            .with_current_span(true)
            .finish()
            .with(secret_guard())
            .try_init(),
        (Format::Text, true) => builder
            .with_ansi(true)
            .finish()
            .with(secret_guard())
            .try_init(),
        (Format::Text, false) => builder
            .with_ansi(false)
            .without_time()
            .finish()
            .with(secret_guard())
            .try_init(),
    };
    // A subscriber is already installed only in tests that call this twice; nothing to do.
    let _ = result;
}
