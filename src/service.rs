//! Running as a service: Unix signals (SIGTERM/SIGINT stop after the message in flight, SIGHUP
//! reloads), the systemd notify protocol (READY, STATUS, WATCHDOG, RELOADING, STOPPING), and
//! reloading config, facts and templates — on SIGHUP or when the facts file changes — keeping
//! the old ones when a new file is bad.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::config::Config;
use crate::daemon::{Observer, SharedEngine, Stats};
use crate::notify::Notifier;
use crate::pipeline::Engine;
use crate::shutdown::Trigger;

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

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
pub struct Service {
    pub notifier: Notifier,
    pub engine: SharedEngine,
    pub config_path: PathBuf,
    pub reload: Arc<AtomicBool>,
    /// Seconds since the epoch of the loop's last sign of life, read by the watchdog task.
    pub heartbeat: Arc<AtomicU64>,
    ready: bool,
    facts_mtime: Option<SystemTime>,
}

impl Service {
    pub fn new(
        notifier: Notifier,
        engine: SharedEngine,
        config_path: PathBuf,
        reload: Arc<AtomicBool>,
    ) -> Service {
        let facts_mtime = facts_mtime(&engine);
        Service {
            notifier,
            engine,
            config_path,
            reload,
            heartbeat: Arc::new(AtomicU64::new(now_secs())),
            ready: false,
            facts_mtime,
        }
    }

    /// Pings WATCHDOG=1 while the loop shows signs of life within `stale` seconds.
    pub fn spawn_watchdog(&self, stale: Duration) {
        let Some(every) = Notifier::watchdog_interval() else {
            return;
        };
        let heartbeat = self.heartbeat.clone();
        let notifier = Notifier::from_env();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                if now_secs().saturating_sub(heartbeat.load(Ordering::Relaxed)) <= stale.as_secs() {
                    notifier.send("WATCHDOG=1");
                }
            }
        });
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
        self.heartbeat.store(now_secs(), Ordering::Relaxed);
        if !self.ready {
            self.ready = true;
            self.notifier
                .send("READY=1\nSTATUS=logged in; looking for new mail");
        }
    }

    fn progress(&mut self, s: &Stats) {
        self.heartbeat.store(now_secs(), Ordering::Relaxed);
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
        self.heartbeat.store(now_secs(), Ordering::Relaxed);
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
