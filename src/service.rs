//! Running as a service: Unix signals (SIGTERM/SIGINT stop after the message in flight, SIGHUP
//! reloads), the systemd notify protocol (READY, STATUS, WATCHDOG, RELOADING, STOPPING), and
//! reloading config, facts and templates — on SIGHUP or when the facts file changes — keeping
//! the old ones when a new file is bad.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use crate::config::Config;
use crate::daemon::{Observer, SharedEngine, Stats};
use crate::imap::ImapError;
use crate::notify::Notifier;
use crate::pipeline::Engine;
use crate::shutdown::Trigger;

/// Installs the signal handlers: the first SIGTERM or SIGINT fires `trigger`; SIGHUP sets the
/// returned flag, which the loop checks between passes.
pub fn signals(trigger: Trigger) -> std::io::Result<Arc<AtomicBool>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    let mut hup = signal(SignalKind::hangup())?;
    let reload = Arc::new(AtomicBool::new(false));
    let flag = reload.clone();
    let notifier = Notifier::from_env();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = term.recv() => { tracing::info!("SIGTERM: finishing the message in flight, then exiting"); notifier.send("STOPPING=1"); trigger.fire(); }
                _ = int.recv() => { tracing::info!("SIGINT: finishing the message in flight, then exiting"); notifier.send("STOPPING=1"); trigger.fire(); }
                _ = hup.recv() => { tracing::info!("SIGHUP: reloading config, facts and templates"); flag.store(true, Ordering::SeqCst); trigger.wake(); }
            }
        }
    });
    Ok(reload)
}

/// The daemon's observer under systemd.
///
/// READY=1 goes out as soon as config, rules, model and templates are loaded, before any
/// connection: a server that is down at boot is retried with backoff while STATUS says so,
/// and never holds up `systemctl start`. WATCHDOG=1 is sent by the loop itself on every sign
/// of life (at most every eighth of WatchdogSec), and the loop gives one at least every third
/// of WatchdogSec, so a loop that stalls is restarted within WatchdogSec of its last sign of life.
pub struct Service {
    pub notifier: Notifier,
    pub engine: SharedEngine,
    pub config_path: PathBuf,
    pub reload: Arc<AtomicBool>,
    /// `host:port`, as the status line names the server.
    server: String,
    /// WatchdogSec, when systemd asked for pings.
    watchdog: Option<Duration>,
    last_ping: Option<Instant>,
    facts_mtime: Option<SystemTime>,
}

impl Service {
    pub fn new(
        notifier: Notifier,
        engine: SharedEngine,
        config_path: PathBuf,
        reload: Arc<AtomicBool>,
        server: String,
    ) -> Service {
        let facts_mtime = facts_mtime(&engine);
        Service {
            notifier,
            engine,
            config_path,
            reload,
            server,
            watchdog: Notifier::watchdog_limit(),
            last_ping: None,
            facts_mtime,
        }
    }

    /// Tells systemd the service is up: everything is loaded; the connection comes next.
    pub fn ready(&mut self, imap_timeout: Duration) {
        if let Some(limit) = self.watchdog {
            if imap_timeout > limit / 2 {
                tracing::warn!(
                    timeout_s = imap_timeout.as_secs(),
                    watchdog_s = limit.as_secs(),
                    "imap.timeout is longer than half of WatchdogSec: a command the server never answers gets the service restarted by the watchdog before it times out"
                );
            }
        }
        self.notifier
            .send(&format!("READY=1\nSTATUS=connecting to {}", self.server));
        self.ping();
    }

    fn ping(&mut self) {
        let Some(limit) = self.watchdog else {
            return;
        };
        // Pings closer than limit/8 are dropped; with waits cut to limit/3 (longest_quiet) a gap
        // between two pings is at most limit/3 + limit/8 plus one IDLE round trip, about half
        // of WatchdogSec, so a busy machine has the other half before systemd restarts us.
        if self.last_ping.is_some_and(|t| t.elapsed() < limit / 8) {
            return;
        }
        self.last_ping = Some(Instant::now());
        self.notifier.send("WATCHDOG=1");
    }

    fn reload_now(&mut self) {
        self.notifier
            .send(&format!("RELOADING=1\nMONOTONIC_USEC={}", monotonic_usec()));
        let result = Config::load(&self.config_path)
            .map_err(|e| e.to_string())
            .and_then(|c| Engine::load(c).map_err(|e| e.to_string()));
        match (result, self.engine.write()) {
            (Ok(new), Ok(mut engine)) => {
                *engine = new;
                tracing::info!("reloaded config, facts and templates");
            }
            (Err(e), _) => {
                tracing::error!(error = %e, "reload failed; keeping the previous config, facts and templates")
            }
            (_, Err(_)) => tracing::error!("reload failed: engine lock poisoned"),
        }
        self.facts_mtime = facts_mtime(&self.engine);
        self.notifier.send("READY=1");
    }
}

fn monotonic_usec() -> u64 {
    // systemd wants CLOCK_MONOTONIC; Instant has no public epoch, /proc/uptime has the same one.
    std::fs::read_to_string("/proc/uptime")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0, |s| (s * 1_000_000.0) as u64)
}

fn facts_mtime(engine: &SharedEngine) -> Option<SystemTime> {
    let engine = engine.read().ok()?;
    let path = engine.config.triage.facts.clone()?;
    std::fs::metadata(path).ok()?.modified().ok()
}

impl Observer for Service {
    fn connected(&mut self) {
        self.ping();
        self.notifier.send(&format!(
            "STATUS=logged in to {}; looking for new mail",
            self.server
        ));
    }

    fn retrying(&mut self, error: &ImapError, wait: Duration, first: bool) {
        self.ping();
        let what = if first {
            "cannot connect to"
        } else {
            "lost the connection to"
        };
        let mut reason = error.to_string();
        if reason.chars().count() > 200 {
            reason = reason.chars().take(200).collect::<String>() + "…";
        }
        self.notifier.send(&format!(
            "STATUS={what} {} ({}); retrying in {} s",
            self.server,
            reason.replace(['\n', '\r'], " "),
            wait.as_secs().max(1)
        ));
    }

    fn alive(&mut self) {
        self.ping();
    }

    fn longest_quiet(&self) -> Option<Duration> {
        self.watchdog.map(|w| w / 3)
    }

    fn progress(&mut self, s: &Stats) {
        self.ping();
        let last = s
            .last_draft
            .as_deref()
            .map(|t| format!("; last draft {t}"))
            .unwrap_or_default();
        self.notifier.send(&format!(
            "STATUS=idle; {} triaged ({} drafts, {} skipped, {} errors){last}",
            group(s.triaged),
            group(s.drafts),
            group(s.skipped),
            group(s.errors)
        ));
    }

    fn tick(&mut self) {
        self.ping();
        let changed = facts_mtime(&self.engine) != self.facts_mtime;
        if self.reload.swap(false, Ordering::SeqCst) || changed {
            if changed {
                tracing::info!("facts file changed");
            }
            self.reload_now();
        }
    }
}

/// 1204 → "1,204", for status lines people read.
pub fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn groups_thousands() {
        assert_eq!(super::group(1204), "1,204");
        assert_eq!(super::group(12), "12");
        assert_eq!(super::group(1_000_000), "1,000,000");
    }
}
