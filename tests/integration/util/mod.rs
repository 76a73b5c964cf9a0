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
    mailtriage_with_env(args, stdin, &[])
}

/// [`mailtriage`] with extra environment variables.
pub fn mailtriage_with_env(args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_mailtriage"))
        .args(args)
        .env_remove("MAILTRIAGE_CONFIG")
        .envs(env.iter().copied())
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

/// A free TCP port on loopback, for a server the test starts.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A mailtriage config for a plaintext server on a loopback port, in `dir` (with the fixture
/// facts, the password in a file and the state directory `state-mailtriage` beside it).
pub fn plain_config(
    dir: &Path,
    port: u16,
    user: &str,
    password: &str,
    extra_imap: &str,
) -> PathBuf {
    std::fs::write(dir.join("imap-password"), format!("{password}\n")).expect("password file");
    std::fs::copy(fixtures().join("facts.toml"), dir.join("facts.toml")).expect("facts");
    let path = dir.join("config.toml");
    std::fs::write(
        &path,
        format!(
            "[identity]\nfrom = \"Example Cloud Support <support@example.com>\"\nown_addresses = [\"noc@example.com\"]\n\n[imap]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"plain\"\nusername = \"{user}\"\npassword_file = \"imap-password\"\ntimeout = \"10s\"\nstate_dir = \"state-mailtriage\"\n{extra_imap}\n[triage]\nfacts = \"facts.toml\"\n"
        ),
    )
    .expect("config");
    path
}

/// Where scripts/unpack-test-servers puts the server packages that cannot be installed beside
/// Dovecot (courier-imap, cyrus-imapd): `target/test-servers`, or `MAILTRIAGE_TEST_SERVERS`.
pub fn test_servers() -> PathBuf {
    std::env::var_os("MAILTRIAGE_TEST_SERVERS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/test-servers"))
}

/// Stops a server started as the leader of its own process group: SIGTERM to the group, up
/// to 5 s for the leader to go, then SIGKILL to whatever is left (worker children, helpers).
pub fn stop_group(leader: &mut std::process::Child) {
    use std::time::{Duration, Instant};
    let group = format!("-{}", leader.id());
    let signal = |sig: &str| {
        let _ = Command::new("kill")
            .args([sig, "--", &group])
            .stderr(Stdio::null())
            .status();
    };
    signal("-TERM");
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline && matches!(leader.try_wait(), Ok(None)) {
        std::thread::sleep(Duration::from_millis(20));
    }
    signal("-KILL");
    let _ = leader.wait();
}

pub mod courier;
pub mod cyrus;
pub mod daemon;
pub mod dovecot;
pub mod proxy;
pub mod raw_imap;

/// Runs the binary under `/usr/bin/time -v`, for its peak RSS ([`kib`]).
pub fn peak_rss(args: &[&str], stdin: &[u8]) -> std::process::Output {
    use std::io::Write;
    let mut child = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(env!("CARGO_BIN_EXE_mailtriage"))
        .args(args)
        .env_remove("MAILTRIAGE_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("/usr/bin/time — scripts/test installs the `time` package");
    if let Some(mut s) = child.stdin.take() {
        s.write_all(stdin).expect("write stdin");
    }
    child.wait_with_output().expect("wait")
}

/// The peak RSS `/usr/bin/time -v` reported, in KiB.
pub fn kib(out: &std::process::Output) -> u64 {
    let log = String::from_utf8_lossy(&out.stderr);
    log.lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak RSS in: {log}"))
}
