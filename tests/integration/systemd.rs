//! The systemd side: the two unit files are hardened to an exposure of 1.5 or lower and clean
//! under `systemd-analyze verify`, keep the contract settings and agree with
//! config.example.toml; and `mailtriage run` speaks the notify protocol end to end (READY,
//! STATUS, WATCHDOG, RELOADING, STOPPING) against a real Dovecot.
//!
//! systemd-analyze comes from the Debian package `systemd`, which scripts/test installs: these
//! tests fail, not skip, when it is missing.

use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::util::dovecot::{Dovecot, PASSWORD};
use crate::util::proxy::Proxy;
use crate::util::{path_str, root};

/// The highest overall exposure `systemd-analyze security` may report (issue 4).
const MAX_EXPOSURE: f64 = 1.5;

/// The binary the units start, replaced by the built one where a real file is needed.
const INSTALLED_BINARY: &str = "/usr/local/bin/mailtriage";

fn unit_source(name: &str) -> PathBuf {
    root().join("systemd").join(name)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The `Key=Value` settings of a unit file, in order, comments and sections left out.
fn settings(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with(';'))
        .filter(|l| !l.starts_with('['))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

fn values<'a>(settings: &'a [(String, String)], key: &str) -> Vec<&'a str> {
    settings
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .collect()
}

fn one<'a>(settings: &'a [(String, String)], key: &str, unit: &str) -> &'a str {
    match values(settings, key).as_slice() {
        [v] => v,
        other => panic!("{unit}: expected one {key}=, found {other:?}"),
    }
}

fn systemd_analyze(args: &[&str]) -> Output {
    Command::new("systemd-analyze")
        .args(args)
        .env("SYSTEMD_COLORS", "0")
        .env("SYSTEMD_PAGER", "")
        .env("SYSTEMD_LOG_COLOR", "0")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "systemd-analyze {args:?}: {e} — it is in the Debian package `systemd`; \
                 scripts/test installs it"
            )
        })
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The two units as an administrator installs them, copied into a temp dir whose name
/// contains "mailtriage" (so every message about a path names it too): `mailtriage.service`,
/// and the template instantiated as `mailtriage@example.service`. With `binary`, ExecStart
/// points at that file instead of /usr/local/bin/mailtriage.
fn installed_units(binary: Option<&str>) -> (tempfile::TempDir, Vec<PathBuf>) {
    let dir = tempfile::Builder::new()
        .prefix("mailtriage-units")
        .tempdir()
        .expect("tempdir");
    let mut paths = Vec::new();
    for (source, installed) in [
        ("mailtriage.service", "mailtriage.service"),
        ("mailtriage@.service", "mailtriage@example.service"),
    ] {
        let mut unit = read(&unit_source(source));
        if let Some(binary) = binary {
            unit = unit.replace(
                &format!("ExecStart={INSTALLED_BINARY} "),
                &format!("ExecStart={binary} "),
            );
        }
        let path = dir.path().join(installed);
        std::fs::write(&path, unit).expect("write unit");
        paths.push(path);
    }
    (dir, paths)
}

/// The number in "→ Overall exposure level for mailtriage.service: 1.2 OK 🙂".
fn overall_exposure(report: &str) -> Option<f64> {
    let line = report
        .lines()
        .find(|l| l.contains("Overall exposure level for"))?;
    let (_, rest) = line.rsplit_once(": ")?;
    rest.split_whitespace().next()?.parse().ok()
}

#[test]
fn overall_exposure_is_parsed() {
    assert_eq!(
        overall_exposure("…\n→ Overall exposure level for mailtriage.service: 1.2 OK 🙂\n"),
        Some(1.2)
    );
    assert_eq!(
        overall_exposure("→ Overall exposure level for a@b.service: 9.6 UNSAFE 😨"),
        Some(9.6)
    );
    assert_eq!(overall_exposure("no summary"), None);
}

#[test]
fn units_are_hardened_to_an_exposure_of_at_most_1_5() {
    let (_dir, units) = installed_units(None);
    for unit in &units {
        let out = systemd_analyze(&["security", "--offline=true", "--no-pager", &path_str(unit)]);
        let report = text(&out);
        let name = unit.file_name().unwrap_or_default().to_string_lossy();
        let exposure = overall_exposure(&report)
            .unwrap_or_else(|| panic!("{name}: no overall exposure in:\n{report}"));
        eprintln!("{name}: overall exposure {exposure}");
        assert!(
            exposure <= MAX_EXPOSURE,
            "{name}: exposure {exposure} > {MAX_EXPOSURE}:\n{report}"
        );
    }
}

#[test]
fn units_pass_systemd_analyze_verify() {
    // ExecStart must name an existing executable: point it at the built binary, so that any
    // output at all is about the unit's own settings.
    let (_dir, units) = installed_units(Some(env!("CARGO_BIN_EXE_mailtriage")));
    let mut args = vec!["verify".to_string(), "--no-pager".to_string()];
    args.extend(units.iter().map(|u| path_str(u)));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = systemd_analyze(&args);
    let report = text(&out);
    let about_us: Vec<&str> = report
        .lines()
        .filter(|l| l.contains("mailtriage"))
        .collect();
    assert!(
        about_us.is_empty(),
        "systemd-analyze verify complains about the units:\n{report}"
    );
    // Lines about other units on this machine (say, one that network-online.target pulls in)
    // are not ours to fix; show them but do not fail.
    if !report.trim().is_empty() {
        eprintln!("systemd-analyze verify, about other units:\n{report}");
    }
}

#[test]
fn the_units_keep_the_contract_and_agree_with_the_example_config() {
    for (source, unit, config, credential) in [
        (
            "mailtriage.service",
            "mailtriage.service",
            "/etc/mailtriage/config.toml",
            "/etc/mailtriage/imap-password",
        ),
        (
            "mailtriage@.service",
            "mailtriage@support.service",
            "/etc/mailtriage/%i.toml",
            "/etc/mailtriage/%i.imap-password",
        ),
    ] {
        let text = read(&unit_source(source));
        let s = settings(&text);
        for (key, want) in [
            ("Type", "notify"),
            ("NotifyAccess", "main"),
            ("ExecReload", "/bin/kill -HUP $MAINPID"),
            ("Restart", "on-failure"),
            ("KillSignal", "SIGTERM"),
            ("DynamicUser", "yes"),
            ("ConfigurationDirectory", "mailtriage"),
            ("NoNewPrivileges", "yes"),
            ("CapabilityBoundingSet", ""),
        ] {
            assert_eq!(one(&s, key, source), want, "{source}: {key}=");
        }
        assert_eq!(
            one(&s, "ExecStart", source),
            format!("{INSTALLED_BINARY} --config {config} run"),
            "{source}"
        );
        let state = if source.contains('@') {
            "mailtriage/%i"
        } else {
            "mailtriage"
        };
        assert_eq!(one(&s, "StateDirectory", source), state, "{source}");
        assert_eq!(
            one(&s, "LoadCredential", source),
            format!("imap-password:{credential}"),
            "{source}"
        );
        // The loop pings at least every half WatchdogSec; one IMAP command may take up to
        // imap.timeout (60 s by default), which must stay under that half.
        let watchdog = one(&s, "WatchdogSec", source);
        let minutes: u64 = watchdog
            .strip_suffix("min")
            .and_then(|m| m.parse().ok())
            .unwrap_or_else(|| panic!("{source}: WatchdogSec={watchdog}: expected N min"));
        assert!(
            (3..=10).contains(&minutes),
            "{source}: WatchdogSec={watchdog}: too short for imap.timeout or too long for a stall"
        );
        assert_eq!(one(&s, "SocketBindDeny", source), "any", "{source}");
        let example = read(&root().join("config.example.toml"));
        let port = example
            .lines()
            .find_map(|l| {
                l.trim_start_matches(['#', ' '])
                    .strip_prefix("listen = \"127.0.0.1:")
            })
            .and_then(|rest| rest.strip_suffix('"'))
            .unwrap_or_else(|| panic!("config.example.toml names no [metrics] listen"));
        assert_eq!(
            one(&s, "SocketBindAllow", source),
            format!("tcp:{port}"),
            "{source}: the metrics port of config.example.toml"
        );
        for key in ["RestartSec", "TimeoutStopSec"] {
            assert!(!one(&s, key, source).is_empty(), "{source}: {key}=");
        }
        // The comment tells the administrator where the credential appears.
        let password_file = format!("password_file = \"/run/credentials/{unit}/imap-password\"");
        assert!(
            text.contains(&password_file),
            "{source} does not document {password_file}"
        );
    }
    let example = read(&root().join("config.example.toml"));
    assert!(
        example.contains("password_file = \"/run/credentials/mailtriage.service/imap-password\""),
        "config.example.toml does not point password_file at the unit's credential"
    );
}

/// The notify socket as systemd holds it: collects the daemon's datagrams and when each came.
struct Notes {
    sock: UnixDatagram,
    seen: Vec<String>,
    at: Vec<Instant>,
    log: PathBuf,
}

impl Notes {
    /// Collects datagrams for `span`.
    fn gather(&mut self, span: Duration) {
        let end = Instant::now() + span;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            self.recv(left);
        }
    }

    /// When each WATCHDOG=1 came.
    fn pings(&self) -> Vec<Instant> {
        self.seen
            .iter()
            .zip(&self.at)
            .filter(|(m, _)| has_line(m, "WATCHDOG=1"))
            .map(|(_, t)| *t)
            .collect()
    }

    fn recv(&mut self, left: Duration) {
        self.sock
            .set_read_timeout(Some(left.min(Duration::from_millis(200))))
            .expect("read timeout");
        let mut buf = [0u8; 4096];
        match self.sock.recv(&mut buf) {
            Ok(n) => {
                self.seen
                    .push(String::from_utf8_lossy(&buf[..n]).into_owned());
                self.at.push(Instant::now());
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(e) => panic!("notify socket: {e}"),
        }
    }

    /// Waits up to `limit` for a datagram at index `from` or later for which `pred` holds, and
    /// returns its index.
    fn wait(
        &mut self,
        what: &str,
        from: usize,
        limit: Duration,
        pred: impl Fn(&str) -> bool,
    ) -> usize {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(i) = self.seen.iter().skip(from).position(|m| pred(m)) {
                return from + i;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                let pings = self.seen.iter().filter(|m| *m == "WATCHDOG=1").count();
                let others: Vec<&String> =
                    self.seen.iter().filter(|m| *m != "WATCHDOG=1").collect();
                panic!(
                    "timed out after {limit:?} waiting for {what}; notifications besides \
                     {pings} × WATCHDOG=1: {others:#?}\nlog:\n{}",
                    std::fs::read_to_string(&self.log).unwrap_or_default()
                );
            }
            self.recv(left);
        }
    }
}

fn has_line(datagram: &str, line: &str) -> bool {
    datagram.lines().any(|l| l == line)
}

fn status(datagram: &str) -> Option<&str> {
    datagram.lines().find_map(|l| l.strip_prefix("STATUS="))
}

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn signal(child: &Child, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "kill {sig} {}", child.id());
}

fn message(n: u32) -> Vec<u8> {
    format!(
        "From: Kim <kim{n}@example.org>\r\nTo: support@example.com\r\nSubject: Password\r\n\
         Message-ID: <notify{n}@example.org>\r\nDate: Sun, 15 Nov 2026 10:00:00 +0000\r\n\r\n\
         I cannot log in, my password does not work.\r\n"
    )
    .into_bytes()
}

/// `mailtriage run` with `cfg`, a notify socket and WatchdogSec = `watchdog_usec`, its log in
/// a temp dir.
fn start_run(cfg: &Path, watchdog_usec: u64) -> (tempfile::TempDir, Notes, KillOnDrop) {
    let dir = tempfile::tempdir().expect("tempdir");
    let socket = dir.path().join("notify");
    let log = dir.path().join("mailtriage.log");
    let notes = Notes {
        sock: UnixDatagram::bind(&socket).expect("bind the notify socket"),
        seen: Vec::new(),
        at: Vec::new(),
        log: log.clone(),
    };
    let daemon = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_mailtriage"))
            .args(["--config", &path_str(cfg), "run"])
            .env_remove("MAILTRIAGE_CONFIG")
            .env_remove("WATCHDOG_PID")
            .env("NOTIFY_SOCKET", &socket)
            .env("WATCHDOG_USEC", watchdog_usec.to_string())
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("spawn mailtriage run"),
    );
    (dir, notes, daemon)
}

#[test]
fn run_speaks_the_notify_protocol_through_reload_and_stop() {
    let dv = Dovecot::start();
    let cfg = dv.config("plain", "");
    let (_dir, mut notes, daemon) = start_run(&cfg, 1_000_000);
    let secs = Duration::from_secs;

    // READY=1 once everything is loaded, with a status a person can read.
    let ready = notes.wait("READY=1", 0, secs(20), |m| has_line(m, "READY=1"));
    assert!(
        status(&notes.seen[ready]).is_some(),
        "READY=1 without STATUS=: {:?}",
        notes.seen[ready]
    );
    notes.wait("STATUS=idle", ready, secs(20), |m| {
        status(m).is_some_and(|s| s.starts_with("idle; 0 triaged"))
    });
    notes.wait("WATCHDOG=1", 0, secs(5), |m| has_line(m, "WATCHDOG=1"));

    // New mail: the status counts it and names the last draft. (Each delivery waits a moment
    // after the pass ends, so that the daemon is in IDLE: mail landing during a pass is the
    // IMAP tests' business.)
    std::thread::sleep(secs(1));
    dv.deliver("INBOX", &message(1));
    notes.wait("STATUS after the first draft", ready, secs(30), |m| {
        status(m).is_some_and(|s| s.starts_with("idle; 1 triaged") && s.contains("last draft"))
    });

    // SIGHUP (systemctl reload): RELOADING=1 with MONOTONIC_USEC=, then READY=1 again.
    let from = notes.seen.len();
    signal(&daemon.0, "-HUP");
    let reloading = notes.wait("RELOADING=1 after SIGHUP", from, secs(15), |m| {
        has_line(m, "RELOADING=1")
    });
    assert!(
        notes.seen[reloading].lines().any(|l| l
            .strip_prefix("MONOTONIC_USEC=")
            .is_some_and(|v| v.parse::<u64>().is_ok_and(|n| n > 0))),
        "RELOADING=1 without MONOTONIC_USEC=: {:?}",
        notes.seen[reloading]
    );
    notes.wait("READY=1 after the reload", reloading + 1, secs(15), |m| {
        has_line(m, "READY=1")
    });

    // A bad new config is logged and the old one kept: the daemon goes on drafting.
    let good = read(&cfg);
    std::fs::write(&cfg, "[identity\nfrom = ").expect("break the config");
    let from = notes.seen.len();
    signal(&daemon.0, "-HUP");
    let reloading = notes.wait("RELOADING=1 after a bad SIGHUP", from, secs(15), |m| {
        has_line(m, "RELOADING=1")
    });
    let ready = notes.wait(
        "READY=1 after a failed reload",
        reloading + 1,
        secs(15),
        |m| has_line(m, "READY=1"),
    );
    notes.wait("STATUS=idle after a failed reload", ready, secs(15), |m| {
        status(m).is_some_and(|s| s.starts_with("idle;"))
    });
    std::fs::write(&cfg, good).expect("restore the config");
    assert!(
        read(&notes.log).contains("reload failed"),
        "the failed reload is not logged:\n{}",
        read(&notes.log)
    );
    std::thread::sleep(secs(1));
    dv.deliver("INBOX", &message(2));
    notes.wait(
        "STATUS after a draft with the kept config",
        from,
        secs(30),
        |m| status(m).is_some_and(|s| s.starts_with("idle; 2 triaged")),
    );
    assert_eq!(dv.count("Drafts"), 2);

    // SIGTERM (systemctl stop): STOPPING=1 and exit 0.
    let from = notes.seen.len();
    signal(&daemon.0, "-TERM");
    notes.wait("STOPPING=1", from, secs(20), |m| has_line(m, "STOPPING=1"));
    let mut daemon = daemon;
    let deadline = Instant::now() + secs(20);
    let code = loop {
        if let Some(status) = daemon.0.try_wait().expect("try_wait") {
            break status.code();
        }
        assert!(Instant::now() < deadline, "no exit after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(code, Some(0), "{}", read(&notes.log));
    assert!(!read(&notes.log).contains(PASSWORD), "password in the log");
}

/// #13: an IMAP server that is down at boot does not hold up the start: READY=1 within 5 s,
/// STATUS names the server and the retry, the log says the first connection failed (not
/// "connection lost"), and the first draft comes within one backoff step (`reconnect_max`)
/// of the server coming up.
#[test]
fn a_server_down_at_start_is_retried_after_ready() {
    let dv = Dovecot::start();
    let cfg = dv.config("plain", "reconnect_max = \"2s\"\n");
    dv.deliver("INBOX", &message(1));
    dv.stop();
    let secs = Duration::from_secs;
    let started = Instant::now();
    let (_dir, mut notes, _daemon) = start_run(&cfg, 20_000_000);
    let ready = notes.wait("READY=1", 0, secs(5), |m| has_line(m, "READY=1"));
    assert!(
        started.elapsed() < secs(5),
        "READY=1 after {:?}",
        started.elapsed()
    );
    let server = format!("127.0.0.1:{}", dv.port);
    let retry = notes.wait("STATUS naming the retry", ready, secs(10), |m| {
        status(m).is_some_and(|s| s.contains("cannot connect to") && s.contains("retrying in"))
    });
    let text = status(&notes.seen[retry]).unwrap_or_default().to_string();
    assert!(text.contains(&server), "{text}");
    notes.gather(secs(3));
    let log = read(&notes.log);
    assert!(
        log.contains("cannot connect to the IMAP server (never connected since start)"),
        "{log}"
    );
    assert!(!log.contains("connection lost"), "{log}");

    dv.restart();
    let up = Instant::now();
    let from = notes.seen.len();
    notes.wait("the first draft", from, secs(20), |m| {
        status(m).is_some_and(|s| s.starts_with("idle; 1 triaged (1 drafts"))
    });
    // One backoff step (at most reconnect_max, 2 s) plus a pass on a loopback server.
    assert!(
        up.elapsed() < secs(2) + secs(3),
        "first draft {:?} after the server came up",
        up.elapsed()
    );
    assert_eq!(dv.count("Drafts"), 1);
}

/// #13: the loop itself sends WATCHDOG=1 (at least every third of WatchdogSec while it waits for
/// mail), so a loop that stalls — here stuck on a server that stopped answering, with
/// imap.timeout far beyond WatchdogSec — stops pinging at once and systemd restarts it within
/// WatchdogSec of its last sign of life; once the command times out the pings come back.
#[test]
fn the_watchdog_stops_when_the_loop_stalls() {
    let dv = Dovecot::start();
    let proxy = Proxy::start(dv.port);
    let cfg = dv.config("plain", "");
    let text = read(&cfg)
        .replace(
            &format!("port = {}", dv.port),
            &format!("port = {}", proxy.port),
        )
        .replace("timeout = \"10s\"", "timeout = \"8s\"");
    std::fs::write(&cfg, text).expect("config");
    let secs = Duration::from_secs;
    let watchdog = secs(2);
    let (_dir, mut notes, _daemon) = start_run(&cfg, watchdog.as_micros() as u64);
    let ready = notes.wait("READY=1", 0, secs(10), |m| has_line(m, "READY=1"));
    notes.wait("STATUS=idle", ready, secs(20), |m| {
        status(m).is_some_and(|s| s.starts_with("idle;"))
    });
    // Waiting for mail: pings keep coming, never WatchdogSec apart.
    let quiet_from = Instant::now();
    notes.gather(secs(6));
    let pings: Vec<Instant> = notes
        .pings()
        .into_iter()
        .filter(|t| *t >= quiet_from)
        .collect();
    assert!(pings.len() >= 4, "{} pings in 6 s", pings.len());
    let gaps = pings.windows(2).map(|w| w[1] - w[0]);
    assert!(
        gaps.clone().all(|g| g < watchdog),
        "a gap of {:?} between pings while idle",
        gaps.max()
    );

    // The server stops answering: the loop is stuck for up to imap.timeout (8 s).
    proxy.stall();
    let stalled = Instant::now();
    notes.gather(secs(6));
    let late: Vec<Duration> = notes
        .pings()
        .into_iter()
        .filter(|t| *t > stalled)
        .map(|t| t - stalled)
        .collect();
    assert!(
        late.iter().all(|d| *d < watchdog),
        "pings {late:?} after the stall: systemd would not restart a stuck loop"
    );
    assert!(
        read(&notes.log).contains("imap.timeout is longer than half of WatchdogSec"),
        "{}",
        read(&notes.log)
    );
    // The command times out, the loop reconnects, and the pings resume.
    proxy.resume();
    let from = notes.seen.len();
    notes.wait("WATCHDOG=1 after the stall", from, secs(20), |m| {
        has_line(m, "WATCHDOG=1")
    });
}

/// #13: `[metrics] listen` serves OpenMetrics text whose counters match the pass: one draft,
/// one auto-reply skipped, the message counts by category and language, IMAP command times,
/// up = 1 and the time of the last pass; other paths get 404.
#[test]
fn metrics_count_what_the_pass_did() {
    let dv = Dovecot::start();
    let cfg = dv.config("plain", "");
    let port = crate::util::free_port();
    let mut text = read(&cfg);
    text.push_str(&format!("\n[metrics]\nlisten = \"127.0.0.1:{port}\"\n"));
    std::fs::write(&cfg, text).expect("config");
    let secs = Duration::from_secs;
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs_f64();
    let (_dir, mut notes, _daemon) = start_run(&cfg, 20_000_000);
    let ready = notes.wait("READY=1", 0, secs(10), |m| has_line(m, "READY=1"));
    notes.wait("STATUS=idle", ready, secs(20), |m| {
        status(m).is_some_and(|s| s.starts_with("idle;"))
    });
    std::thread::sleep(secs(1));
    dv.deliver("INBOX", &message(1));
    dv.deliver(
        "INBOX",
        b"From: Kim <kim@example.org>\r\nTo: support@example.com\r\nSubject: Out of office\r\n\
          Auto-Submitted: auto-replied\r\nMessage-ID: <ooo@example.org>\r\n\r\nI am away.\r\n",
    );
    notes.wait("two triaged", ready, secs(30), |m| {
        status(m).is_some_and(|s| s.starts_with("idle; 2 triaged"))
    });

    let (head, body) = http_get(port, "/metrics");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(head.contains("application/openmetrics-text"), "{head}");
    let value = |name: &str| -> f64 {
        body.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {name} in\n{body}"))
    };
    assert_eq!(value("mailtriage_drafts_total"), 1.0);
    assert_eq!(
        value("mailtriage_messages_total{category=\"login\",language=\"en\"}"),
        1.0
    );
    assert_eq!(
        value("mailtriage_skipped_total{reason=\"auto_reply\"}"),
        1.0
    );
    assert_eq!(value("mailtriage_errors_total"), 0.0);
    assert_eq!(value("mailtriage_up"), 1.0);
    assert!(value("mailtriage_last_pass_timestamp_seconds") >= before);
    assert!(value("mailtriage_imap_command_seconds_count{command=\"UID SEARCH\"}") >= 2.0);
    assert!(
        value("mailtriage_imap_command_seconds_count{command=\"MULTIAPPEND\"}") >= 1.0
            || value("mailtriage_imap_command_seconds_count{command=\"APPEND\"}") >= 1.0
    );
    assert!(body.trim_end().ends_with("# EOF"), "{body}");

    let (head, _) = http_get(port, "/other");
    assert!(head.starts_with("HTTP/1.1 404"), "{head}");
}

/// A plain HTTP/1.1 GET on loopback: (status line and headers, body).
fn http_get(port: u16, path: &str) -> (String, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect to metrics");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(s, "GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").expect("request");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("response");
    match out.split_once("\r\n\r\n") {
        Some((h, b)) => (h.to_string(), b.to_string()),
        None => (out, String::new()),
    }
}
