//! Shared helpers: paths, a fixed clock, the engine over the fixture config, the binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use chrono::{TimeZone, Utc};
use mailtriage::draft::DraftEnv;
use mailtriage::pipeline::{load_engine, Engine};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixtures() -> PathBuf {
    root().join("tests/fixtures")
}

/// The clock every fixture draft is made with: noon, 2026-11-22 UTC.
pub fn fixed_env() -> DraftEnv {
    DraftEnv {
        now: Utc
            .with_ymd_and_hms(2026, 11, 22, 12, 0, 0)
            .single()
            .expect("valid date"),
        nonce: 0x5eed,
    }
}

/// The engine over the fixture config, loaded once for the whole suite.
pub fn engine() -> &'static Engine {
    static ENGINE: std::sync::LazyLock<Engine> = std::sync::LazyLock::new(|| {
        load_engine(&fixtures().join("config.toml")).expect("fixture config loads")
    });
    &ENGINE
}

/// Runs the built binary with `args`, feeding `stdin`.
pub fn mailtriage(args: &[&str], stdin: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_mailtriage"))
        .args(args)
        .env_remove("MAILTRIAGE_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn mailtriage");
    if let Some(mut s) = child.stdin.take() {
        s.write_all(stdin).expect("write stdin");
    }
    child.wait_with_output().expect("wait mailtriage")
}

pub fn path_str(p: &Path) -> String {
    p.display().to_string()
}

pub mod dovecot;
pub mod proxy;
