//! The daemon loop, a thin driver around the pipeline: take the pending messages of a
//! [`Mailbox`] in UID batches, triage each (isolated, so a panic is one `triage:error`), append
//! the drafts that are not in Drafts yet, then tag the originals. APPEND comes before STORE and
//! the Drafts lookup before APPEND, so a crash anywhere makes neither a duplicate nor a gap.
//! [`run`] adds waiting (IDLE or poll) and reconnecting with [`backoff`].
//!
//! A pass is [`process_pending`] (`pass`): its stages, with the pipeline's CPU work overlapped
//! with the network. `cleanup` keeps Drafts current; `corrections` notices agents' keyword
//! changes.

mod cleanup;
mod corrections;
mod pass;
mod worker;

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

pub use pass::process_pending;

use crate::imap::{ImapError, Mailbox, Wake};
use crate::journal::{Event, Journal};
use crate::pipeline::{Engine, Outcome};
use crate::shutdown::Shutdown;

/// The keyword every handled message gets.
pub const TRIAGED: &str = "$Triaged";

/// Tries before a message whose triage keeps failing is given up and tagged `triage:error`.
pub const MAX_TRIES: u32 = 3;

/// How the daemon paces itself; [`Settings::from_config`] for real use, shorter in tests.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The account and folder, as logs name them (`support@example.com/INBOX`).
    pub mailbox: String,
    pub batch_size: usize,
    pub max_message_size: u64,
    pub history_days: u32,
    /// Longest single IDLE (re-issued after); also bounds how long a dead connection goes unnoticed.
    pub idle_max: Duration,
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    /// Read and triage, but write nothing: no drafts, no keywords (`once --dry-run`).
    pub dry_run: bool,
    /// Where the journal goes (tagged, drafted, removed, corrected); None: no journal and no
    /// corrections (dry runs, tests).
    pub journal: Option<std::path::PathBuf>,
}

impl Settings {
    pub fn from_config(c: &crate::config::ImapConfig) -> Settings {
        Settings {
            mailbox: format!("{}/{}", c.username, c.inbox),
            batch_size: c.batch_size as usize,
            max_message_size: c.max_message_size,
            history_days: c.history_days,
            idle_max: c.idle_interval,
            backoff_base: Duration::from_secs(1),
            backoff_cap: c.reconnect_max,
            dry_run: false,
            journal: Some(crate::journal::path_of(c)),
        }
    }
}

/// Running totals, for logs and the systemd status line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    pub triaged: u64,
    pub drafts: u64,
    pub skipped: u64,
    pub errors: u64,
    pub too_large: u64,
    /// Drafts already in Drafts from an earlier, interrupted run.
    pub already_drafted: u64,
    /// Passes paused because messages tagged `$Triaged` came back untagged.
    pub keyword_pauses: u64,
    /// Untouched drafts removed: superseded by a follow-up, or answered another way.
    pub drafts_removed: u64,
    pub last_draft: Option<String>,
    /// Time spent per stage, for logs and benchmarks.
    pub timings: Timings,
}

/// Wall time per stage of [`process_pending`], summed over batches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Timings {
    pub search: Duration,
    pub fetch: Duration,
    pub pipeline: Duration,
    pub history: Duration,
    pub drafts_lookup: Duration,
    pub append: Duration,
    pub store: Duration,
    /// Keeping Drafts current: follow-ups found, drafts superseded, answered drafts removed.
    pub upkeep: Duration,
    /// Reading keywords for agents' corrections.
    pub corrections: Duration,
}

impl std::fmt::Display for Timings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        write!(
            f,
            "search {:.0} ms, fetch {:.0} ms, pipeline {:.0} ms, history {:.0} ms, drafts lookup {:.0} ms, append {:.0} ms, store {:.0} ms, upkeep {:.0} ms, corrections {:.0} ms",
            ms(self.search),
            ms(self.fetch),
            ms(self.pipeline),
            ms(self.history),
            ms(self.drafts_lookup),
            ms(self.append),
            ms(self.store),
            ms(self.upkeep),
            ms(self.corrections)
        )
    }
}

/// The engine, swappable on reload while the loop runs.
pub type SharedEngine = Arc<RwLock<Engine>>;

/// Capped exponential backoff with jitter: attempt 0 waits about `base`, each further attempt
/// doubles it up to `cap`; the wait is drawn from [½·d, d] so restarted daemons do not reconnect
/// in lockstep. `seed` supplies the jitter (any changing number).
pub fn backoff(attempt: u32, base: Duration, cap: Duration, seed: u64) -> Duration {
    let d = base.saturating_mul(1u32 << attempt.min(20)).min(cap);
    let half = d / 2;
    // splitmix64: a cheap, well-spread hash of the seed.
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    half + Duration::from_nanos(z % (half.as_nanos().max(1) as u64))
}

/// How many overrun batches `once` reconnects for: each splits a batch or condemns one
/// message, so this bounds a server that overruns everything.
const MAX_OVERRUNS: usize = 64;

/// What the daemon remembers between passes, across reconnects.
#[derive(Debug, Default)]
pub struct Memory {
    /// Triage failures per UID, retried up to [`MAX_TRIES`].
    pub failures: HashMap<u32, u32>,
    /// UIDs of a batch whose FETCH overran the read budget: fetched one by one next time.
    pub suspects: HashSet<u32>,
    /// UIDs whose FETCH overran alone: tagged `triage:too-large` without downloading.
    pub oversized: HashSet<u32>,
    /// UIDs tagged `$Triaged` by the last pass: seen pending again, the server drops the keyword.
    pub marked: HashSet<u32>,
    /// The journal, when one could be opened.
    pub journal: Option<Journal>,
    /// When the keywords were last read for corrections (without CONDSTORE this is paced).
    pub last_scan: Option<Instant>,
}

impl Memory {
    /// The memory of a fresh start: the journal of `settings` opened (a journal that cannot
    /// be opened is logged and done without; drafting never depends on it).
    pub fn new(settings: &Settings) -> Memory {
        let journal = settings
            .journal
            .as_deref()
            .filter(|_| !settings.dry_run)
            .and_then(|p| match Journal::open(p) {
                Ok(j) => Some(j),
                Err(e) => {
                    tracing::error!(error = %e, "cannot open the journal; drafting goes on, but reports and corrections miss this run");
                    None
                }
            });
        Memory {
            journal,
            ..Memory::default()
        }
    }

    /// Appends to the journal; a failure is logged, never fatal.
    fn record(&mut self, events: Vec<Event>) {
        if let Some(j) = self.journal.as_mut() {
            if let Err(e) = j.append(&events) {
                tracing::error!(error = %e, "cannot write the journal; drafting goes on");
            }
        }
    }
}

/// Connects, processes everything pending, logs out. For `mailtriage once`.
pub async fn once<M, C, F>(
    connect: C,
    engine: &SharedEngine,
    settings: &Settings,
    shutdown: &Shutdown,
    observer: &mut dyn Observer,
) -> Result<Stats, ImapError>
where
    M: Mailbox,
    C: Fn() -> F,
    F: Future<Output = Result<M, ImapError>>,
{
    let mut mb = connect().await?;
    let mut stats = Stats::default();
    let mut memory = Memory::new(settings);
    // A message failing with a panic is retried within the pass, up to MAX_TRIES; a batch a
    // server overran is fetched again on a new connection, one message at a time.
    let mut overruns = 0;
    let mut passes = 0;
    loop {
        match process_pending(
            &mut mb,
            engine,
            settings,
            &mut memory,
            &mut stats,
            shutdown,
            observer,
        )
        .await
        {
            Err(e @ ImapError::Overrun(_)) if overruns < MAX_OVERRUNS => {
                tracing::warn!(error = %e, "connection closed");
                overruns += 1;
                mb = connect().await?;
                continue;
            }
            other => other?,
        }
        passes += 1;
        if memory.failures.is_empty() || passes >= MAX_TRIES || shutdown.is_shutdown() {
            break;
        }
    }
    mb.logout().await;
    Ok(stats)
}

/// Callbacks the daemon loop reports to (systemd notify, reloads, metrics).
pub trait Observer: Send {
    /// Logged in and about to look for work.
    fn connected(&mut self) {}
    /// Connecting failed or the connection was lost; the loop tries again after `wait`.
    /// `first` is true while no connection has ever worked (the server may be down at boot).
    fn retrying(&mut self, _error: &ImapError, _wait: Duration, _first: bool) {}
    /// A sign of life from the loop, given at least every [`Observer::longest_quiet`].
    fn alive(&mut self) {}
    /// The longest the loop may go without calling [`Observer::alive`]: waits for mail and
    /// between reconnections are cut to it. `None`: no limit.
    fn longest_quiet(&self) -> Option<Duration> {
        None
    }
    /// What became of one message (before its draft is appended and it is tagged).
    fn outcome(&mut self, _uid: u32, _outcome: Result<&Outcome, &String>, _already: bool) {}
    /// A message over `max_message_size`, tagged `triage:too-large` unread.
    fn too_large(&mut self, _uid: u32, _size: u64) {}
    /// A pass finished; `idle` is true when it is about to wait for mail.
    fn progress(&mut self, _stats: &Stats) {}
    /// Called between passes; the place to reload facts and templates.
    fn tick(&mut self) {}
}

impl Observer for () {}

/// The daemon: connect, process, wait for mail, repeat; reconnect with [`backoff`] after any
/// error. Returns on shutdown, or with the error when logging in fails for a reason retrying
/// cannot fix and nothing ever worked.
pub async fn run<M, C, F>(
    connect: C,
    engine: &SharedEngine,
    settings: &Settings,
    mut shutdown: Shutdown,
    observer: &mut dyn Observer,
) -> Result<Stats, ImapError>
where
    M: Mailbox,
    C: Fn() -> F,
    F: Future<Output = Result<M, ImapError>>,
{
    let mut stats = Stats::default();
    let mut memory = Memory::new(settings);
    let mut attempt = 0u32;
    let mut ever_connected = false;
    while !shutdown.is_shutdown() {
        let mut logged_in = false;
        let result = async {
            let mut mb = connect().await?;
            logged_in = true;
            ever_connected = true;
            crate::metrics::up(true);
            observer.connected();
            let started = Instant::now();
            loop {
                observer.tick();
                process_pending(
                    &mut mb,
                    engine,
                    settings,
                    &mut memory,
                    &mut stats,
                    &shutdown,
                    observer,
                )
                .await?;
                crate::metrics::pass_finished();
                observer.progress(&stats);
                if started.elapsed() > Duration::from_secs(60) {
                    attempt = 0;
                }
                if shutdown.is_shutdown() {
                    break;
                }
                let wait = observer
                    .longest_quiet()
                    .map_or(settings.idle_max, |q| q.min(settings.idle_max));
                match mb.wait(wait, &mut shutdown).await? {
                    Wake::Shutdown => break,
                    Wake::Changed | Wake::Timeout => {}
                }
            }
            mb.logout().await;
            Ok::<_, ImapError>(())
        }
        .await;
        match result {
            Ok(()) => break,
            Err(e) if e.is_permanent() && !ever_connected => return Err(e),
            Err(e) => {
                let seed = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap_or_default()
                    .as_nanos() as u64;
                let wait = backoff(attempt, settings.backoff_base, settings.backoff_cap, seed);
                let retry_in_ms = wait.as_millis() as u64;
                if logged_in {
                    tracing::warn!(error = %e, retry_in_ms, "connection lost; reconnecting");
                } else if ever_connected {
                    tracing::warn!(error = %e, retry_in_ms, "cannot reconnect to the IMAP server; retrying");
                } else {
                    tracing::warn!(error = %e, retry_in_ms, "cannot connect to the IMAP server (never connected since start); retrying");
                }
                crate::metrics::up(false);
                crate::metrics::error();
                observer.retrying(&e, wait, !ever_connected);
                attempt = attempt.saturating_add(1);
                if !pause(wait, observer, &mut shutdown).await {
                    break;
                }
            }
        }
    }
    Ok(stats)
}

/// Sleeps `wait` in steps no longer than the observer's quiet limit, giving a sign of life
/// after each; false when shutdown came first.
async fn pause(wait: Duration, observer: &mut dyn Observer, shutdown: &mut Shutdown) -> bool {
    let deadline = Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return true;
        }
        let step = observer.longest_quiet().map_or(left, |q| q.min(left));
        tokio::select! {
            _ = tokio::time::sleep(step) => observer.alive(),
            _ = shutdown.recv() => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::ContactHistory;
    use crate::imap::Pending;
    use std::collections::HashSet;

    /// An in-memory mailbox: messages by UID, keywords, drafts; can fail on demand.
    #[derive(Default)]
    struct Stub {
        messages: Vec<(u32, Vec<u8>)>,
        keywords: HashMap<u32, Vec<String>>,
        flagged: HashSet<u32>,
        drafts: Vec<Vec<u8>>,
        fail_append_once: bool,
        fetch_twice: bool,
        /// Accepts STORE, keeps no keyword.
        drop_keywords: bool,
        /// How often the pass looked for answered drafts (`[drafts] remove_answered`).
        answered_lookups: usize,
    }

    impl Mailbox for Stub {
        async fn pending(&mut self) -> Result<Vec<Pending>, ImapError> {
            Ok(self
                .messages
                .iter()
                .filter(|(u, _)| {
                    !self
                        .keywords
                        .get(u)
                        .is_some_and(|k| k.iter().any(|k| k == TRIAGED))
                })
                .map(|(uid, raw)| Pending {
                    uid: *uid,
                    size: raw.len() as u64,
                })
                .collect())
        }
        async fn fetch(&mut self, uids: &[u32]) -> Result<Vec<(u32, Vec<u8>)>, ImapError> {
            let once = self.messages.iter().filter(|(u, _)| uids.contains(u));
            // A misbehaving server may answer every UID twice.
            let times = if self.fetch_twice { 2 } else { 1 };
            Ok(once.cloned().cycle().take(times * uids.len()).collect())
        }
        async fn drafted(&mut self, keys: &[&str]) -> Result<HashSet<String>, ImapError> {
            Ok(self
                .drafts
                .iter()
                .filter_map(|d| crate::imap::session::source_of(d))
                .filter(|s| keys.contains(&s.as_str()))
                .collect())
        }
        async fn append_drafts(&mut self, drafts: &[&[u8]]) -> Result<(), ImapError> {
            self.drafts.extend(drafts.iter().map(|d| d.to_vec()));
            if std::mem::take(&mut self.fail_append_once) {
                return Err(ImapError::Io(std::io::Error::other(
                    "connection dropped after APPEND",
                )));
            }
            Ok(())
        }
        // Removing drafts is tested against Dovecot (tests/integration/drafts_current.rs):
        // the stub has no untouched earlier drafts and no answers.
        async fn untouched_drafts(
            &mut self,
            _sources: &HashSet<String>,
        ) -> Result<Vec<(u32, String)>, ImapError> {
            Ok(Vec::new())
        }

        async fn drafted_sources(&mut self) -> Result<Vec<String>, ImapError> {
            self.answered_lookups += 1;
            Ok(Vec::new())
        }

        async fn remove_drafts(&mut self, _uids: &[u32]) -> Result<usize, ImapError> {
            Ok(0)
        }

        async fn answered(&mut self, _sources: &[String]) -> Result<HashSet<String>, ImapError> {
            Ok(HashSet::new())
        }

        async fn mark(
            &mut self,
            uids: &[u32],
            keywords: &[String],
            flagged: bool,
        ) -> Result<(), ImapError> {
            if self.drop_keywords {
                return Ok(());
            }
            for u in uids {
                self.keywords
                    .entry(*u)
                    .or_default()
                    .extend(keywords.iter().cloned());
                if flagged {
                    self.flagged.insert(*u);
                }
            }
            Ok(())
        }
        async fn history(
            &mut self,
            senders: &[String],
            _days: u32,
        ) -> Result<HashMap<String, ContactHistory>, ImapError> {
            Ok(senders
                .iter()
                .map(|s| {
                    (
                        s.clone(),
                        ContactHistory {
                            messages: 1,
                            replies: 0,
                            first: None,
                            last: None,
                            claimed: None,
                        },
                    )
                })
                .collect())
        }
        async fn keyword_validity(&mut self) -> Result<Option<u32>, ImapError> {
            Ok(Some(1))
        }
        async fn drafts_to(
            &mut self,
            keys: &[(String, String)],
            _days: u32,
        ) -> Result<Vec<Vec<String>>, ImapError> {
            Ok(vec![Vec::new(); keys.len()])
        }
        async fn keywords(
            &mut self,
            uids: &[u32],
            _changed_since: Option<u64>,
        ) -> Result<crate::imap::KeywordScan, ImapError> {
            Ok(crate::imap::KeywordScan {
                keywords: uids
                    .iter()
                    .filter_map(|u| Some((*u, self.keywords.get(u)?.clone())))
                    .collect(),
                modseq: None,
            })
        }
        async fn wait(&mut self, _max: Duration, _s: &mut Shutdown) -> Result<Wake, ImapError> {
            Ok(Wake::Shutdown)
        }
        async fn logout(&mut self) {}
    }

    fn engine() -> SharedEngine {
        Arc::new(RwLock::new(engine_with("")))
    }

    fn engine_with(extra: &str) -> Engine {
        let cfg = crate::config::Config::parse(
            std::path::Path::new("/x/config.toml"),
            &format!("[identity]\nfrom = \"Support <support@example.com>\"\n{extra}"),
        )
        .expect("config");
        Engine::load(cfg).expect("engine")
    }

    fn settings() -> Settings {
        Settings {
            mailbox: "test/INBOX".into(),
            batch_size: 2,
            max_message_size: 10_000,
            history_days: 90,
            idle_max: Duration::from_secs(1),
            backoff_base: Duration::from_millis(1),
            backoff_cap: Duration::from_millis(10),
            dry_run: false,
            journal: None,
        }
    }

    fn msg(n: u32, text: &str) -> (u32, Vec<u8>) {
        (n, format!("From: c{n}@example.org\r\nTo: support@example.com\r\nMessage-ID: <m{n}@example.org>\r\nSubject: help\r\n\r\n{text}\r\n").into_bytes())
    }

    #[tokio::test]
    async fn every_message_is_tagged_once_and_drafted_once_even_after_a_crash() {
        let mut stub = Stub {
            messages: vec![
                msg(1, "I cannot log in, my password does not work."),
                msg(2, "The website is down!!"),
                (
                    3,
                    b"From: no-reply@example.org\r\nSubject: x\r\n\r\nauto\r\n".to_vec(),
                ),
                (4, vec![b'x'; 20_000]),
                (5, b"\0\0garbage".to_vec()),
            ],
            fail_append_once: true,
            ..Stub::default()
        };
        let (_t, shutdown) = crate::shutdown::channel();
        let engine = engine();
        let mut memory = Memory::default();
        let mut stats = Stats::default();
        // The first pass dies after APPEND, before STORE: a crash between the two.
        let first = process_pending(
            &mut stub,
            &engine,
            &settings(),
            &mut memory,
            &mut stats,
            &shutdown,
            &mut (),
        )
        .await;
        assert!(first.is_err());
        process_pending(
            &mut stub,
            &engine,
            &settings(),
            &mut memory,
            &mut stats,
            &shutdown,
            &mut (),
        )
        .await
        .expect("second pass");
        assert_eq!(stub.drafts.len(), 2, "one draft each for messages 1 and 2");
        assert_eq!(stats.already_drafted, 2);
        let kw = |u: u32| stub.keywords.get(&u).cloned().unwrap_or_default();
        assert_eq!(kw(1), vec![TRIAGED.to_string(), "triage:login".into()]);
        assert!(kw(2).contains(&"triage:outage".to_string()));
        assert!(
            stub.flagged.contains(&2),
            "an upset outage report is urgent"
        );
        assert!(kw(3).contains(&"triage:skip-no-reply-address".to_string()));
        assert_eq!(kw(4), vec![TRIAGED.to_string(), "triage:too-large".into()]);
        assert!(kw(5).contains(&"triage:error".to_string()));
        // Nothing left to do.
        assert!(stub.pending().await.expect("pending").is_empty());
    }

    async fn pass(stub: &mut Stub, stats: &mut Stats) {
        let (_t, shutdown) = crate::shutdown::channel();
        process_pending(
            stub,
            &engine(),
            &settings(),
            &mut Memory::default(),
            stats,
            &shutdown,
            &mut (),
        )
        .await
        .expect("pass");
    }

    /// `n` passes that remember between them, as the daemon's do.
    async fn passes(stub: &mut Stub, n: usize) -> Stats {
        let (_t, shutdown) = crate::shutdown::channel();
        let mut memory = Memory::default();
        let mut stats = Stats::default();
        for _ in 0..n {
            process_pending(
                stub,
                &engine(),
                &settings(),
                &mut memory,
                &mut stats,
                &shutdown,
                &mut (),
            )
            .await
            .expect("pass");
        }
        stats
    }

    #[tokio::test]
    async fn an_agents_keyword_change_is_recorded_once_with_the_text() {
        let dir = tempfile::tempdir().expect("tempdir");
        let journal = dir.path().join("state/acct.journal");
        let settings = Settings {
            journal: Some(journal.clone()),
            ..settings()
        };
        let mut stub = Stub {
            messages: vec![
                msg(1, "I cannot log in, my password does not work."),
                msg(2, "The website is down!!"),
            ],
            ..Stub::default()
        };
        let (_t, shutdown) = crate::shutdown::channel();
        let mut memory = Memory::new(&settings);
        let mut stats = Stats::default();
        let engine = engine();
        let mut pass = async |stub: &mut Stub, memory: &mut Memory| {
            process_pending(
                stub,
                &engine,
                &settings,
                memory,
                &mut stats,
                &shutdown,
                &mut (),
            )
            .await
            .expect("pass");
        };
        pass(&mut stub, &mut memory).await;
        let ours = stub.keywords[&1]
            .iter()
            .find(|k| crate::journal::category_of(k).is_some())
            .cloned()
            .expect("a category keyword");
        // The agent removes our category and adds another; a keyword that names no category
        // (a client's own tag) is not a correction.
        let kw = stub.keywords.get_mut(&1).expect("tagged");
        kw.retain(|k| *k != ours);
        kw.push("triage:billing".into());
        stub.keywords
            .get_mut(&2)
            .expect("tagged")
            .push("$label1".into());
        for _ in 0..3 {
            memory.last_scan = None;
            pass(&mut stub, &mut memory).await;
        }
        let events = crate::journal::read(&journal).expect("journal");
        let corrected: Vec<_> = events
            .iter()
            .filter_map(|e| match e {
                Event::Corrected {
                    uid,
                    from,
                    to,
                    sample,
                    ..
                } => Some((*uid, from.as_str(), to.as_str(), sample)),
                _ => None,
            })
            .collect();
        assert_eq!(corrected.len(), 1, "{events:?}");
        let (uid, from, to, sample) = corrected[0];
        assert_eq!((uid, from, to), (1, &ours["triage:".len()..], "billing"));
        assert!(sample.text.contains("password"), "{sample:?}");
        assert_eq!(sample.label, "billing");
        assert!(events
            .iter()
            .any(|e| matches!(e, Event::Drafted { source, .. } if source == "m2@example.org")));
    }

    fn from(n: u32, sender: &str, id: &str, text: &str) -> (u32, Vec<u8>) {
        (n, format!("From: {sender}\r\nTo: support@example.com\r\nMessage-ID: <{id}>\r\nSubject: help\r\n\r\n{text}\r\n").into_bytes())
    }

    #[tokio::test]
    async fn drafts_policy_follows_a_reload() {
        let engine = Arc::new(RwLock::new(engine_with(
            "[drafts]\nremove_answered = false\n",
        )));
        let mut stub = Stub {
            messages: vec![msg(1, "The website is down!!")],
            ..Stub::default()
        };
        let (_t, shutdown) = crate::shutdown::channel();
        let (mut memory, mut stats) = (Memory::default(), Stats::default());
        for expected in [0, 1] {
            process_pending(
                &mut stub,
                &engine,
                &settings(),
                &mut memory,
                &mut stats,
                &shutdown,
                &mut (),
            )
            .await
            .expect("pass");
            assert_eq!(stub.answered_lookups, expected);
            // A reload with `[drafts]` gone: remove_answered is on again (the default).
            *engine.write().expect("lock") = engine_with("");
        }
    }

    #[tokio::test]
    async fn a_reused_message_id_does_not_silence_another_message() {
        let mut stub = Stub {
            messages: vec![from(
                1,
                "mallory@evil.example",
                "x@example.org",
                "Hello, just testing.",
            )],
            ..Stub::default()
        };
        let mut stats = Stats::default();
        pass(&mut stub, &mut stats).await;
        stub.messages.push(from(
            2,
            "kim@example.org",
            "x@example.org",
            "I cannot log in, my password does not work.",
        ));
        pass(&mut stub, &mut stats).await;
        assert_eq!(
            stub.drafts.len(),
            2,
            "the legitimate message gets its own draft"
        );
        assert_eq!((stats.drafts, stats.already_drafted), (2, 0));
    }

    #[tokio::test]
    async fn one_draft_per_message_when_a_server_repeats_a_fetch_or_delivers_twice() {
        let same = "I cannot log in, my password does not work.";
        let mut stub = Stub {
            messages: vec![
                from(1, "kim@example.org", "k@example.org", same),
                // The same message delivered a second time (e.g. To and Cc both ours).
                from(2, "kim@example.org", "k@example.org", same),
                from(
                    3,
                    "lee@example.org",
                    "l@example.org",
                    "The website is down!!",
                ),
            ],
            fetch_twice: true,
            ..Stub::default()
        };
        let mut stats = Stats::default();
        pass(&mut stub, &mut stats).await;
        assert_eq!(stub.drafts.len(), 2, "one draft for kim, one for lee");
        assert_eq!(
            (stats.drafts, stats.already_drafted, stats.triaged),
            (2, 1, 3)
        );
        assert!(stub.pending().await.expect("pending").is_empty());
    }

    #[tokio::test]
    async fn a_server_that_drops_the_keyword_makes_the_daemon_pause_not_spin() {
        let mut stub = Stub {
            messages: vec![msg(1, "I cannot log in, my password does not work.")],
            drop_keywords: true,
            ..Stub::default()
        };
        let stats = passes(&mut stub, 3).await;
        assert_eq!(stats.keyword_pauses, 2, "the second and third passes pause");
        assert_eq!(stub.drafts.len(), 1, "and draft nothing twice");
        let mut kept = Stub {
            messages: vec![msg(1, "I cannot log in, my password does not work.")],
            ..Stub::default()
        };
        let stats = passes(&mut kept, 2).await;
        assert_eq!(stats.keyword_pauses, 0);
    }

    #[test]
    fn backoff_grows_to_the_cap_with_jitter() {
        let base = Duration::from_secs(1);
        let cap = Duration::from_secs(60);
        for attempt in 0..12 {
            for seed in [1u64, 99, 12345] {
                let d = backoff(attempt, base, cap, seed);
                let full = base.saturating_mul(1 << attempt).min(cap);
                assert!(d >= full / 2 && d <= full, "attempt {attempt}: {d:?}");
            }
        }
        assert_ne!(backoff(3, base, cap, 1), backoff(3, base, cap, 2));
    }
}
