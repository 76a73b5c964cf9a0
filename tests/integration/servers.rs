//! The end-to-end tests on servers other than Dovecot: Courier-IMAP without custom keywords
//! (PERMANENTFLAGS has no `\*`, so mailtriage keeps its local state file), Courier with
//! keywords, and Cyrus IMAP (SPECIAL-USE Drafts, keywords). What mailtriage did is read back
//! with an independent hand-written client (util::raw_imap).

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::imap::INBOX;
use crate::util::courier::{self, Courier};
use crate::util::cyrus::{self, Cyrus};
use crate::util::daemon::Daemon;
use crate::util::raw_imap::Server;
use crate::util::{fixtures, mailtriage, path_str};

fn once(config: &Path) -> std::process::Output {
    mailtriage(&["--config", &path_str(config), "once"], b"")
}

fn assert_ok(out: &std::process::Output, server_log: impl FnOnce() -> String) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}\nserver: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        server_log()
    );
}

fn fixture(file: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(file)).expect("fixture")
}

/// Delivers the mixed [`INBOX`] to `server` and runs `once` over it, which must succeed.
fn deliver_inbox_and_run_once(server: &impl Server, cfg: &Path, log: impl FnOnce() -> String) {
    for (file, _) in INBOX {
        server.deliver("INBOX", &fixture(file));
    }
    assert_ok(&once(cfg), log);
}

/// How many of [`INBOX`] get a draft (the skipped ones do not).
fn expected_drafts() -> usize {
    INBOX.iter().filter(|(_, k)| !k.contains("skip")).count()
}

/// The categories of the expected drafts, as `X-Mailtriage-Category` spells them.
fn expected_categories() -> Vec<String> {
    let mut v: Vec<String> = INBOX
        .iter()
        .filter(|(_, k)| !k.contains("skip"))
        .map(|(_, k)| k.trim_start_matches("triage:").to_string())
        .collect();
    v.sort();
    v
}

/// The `X-Mailtriage-Category` of each draft, sorted.
fn draft_categories(headers: &[String]) -> Vec<String> {
    let mut v: Vec<String> = headers
        .iter()
        .map(|h| {
            h.lines()
                .find_map(|l| l.strip_prefix("X-Mailtriage-Category: "))
                .unwrap_or_else(|| panic!("a draft without X-Mailtriage-Category: {h}"))
                .trim()
                .to_string()
        })
        .collect();
    v.sort();
    v
}

/// The one state file in `dir`: (UIDVALIDITY, handled UIDs).
fn read_state(dir: &Path) -> (u32, BTreeSet<u32>) {
    let files: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("state dir {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "state"))
        .collect();
    assert_eq!(files.len(), 1, "one state file: {files:?}");
    let text = std::fs::read_to_string(&files[0]).expect("read state file");
    let mut lines = text.lines();
    let validity = lines
        .next()
        .and_then(|l| l.strip_prefix("uidvalidity "))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no uidvalidity line: {text}"));
    let uids = lines
        .map(|l| l.parse().unwrap_or_else(|_| panic!("bad line {l:?}")))
        .collect();
    (validity, uids)
}

/// The local state files (UIDs handled) in a state directory; the journal does not count.
fn local_state_files(dir: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "state"))
                .collect()
        })
        .unwrap_or_default()
}

/// The journal lines of one kind of event in a state directory.
fn journal_events(dir: &Path, event: &str) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "journal"))
                .flat_map(|p| {
                    std::fs::read_to_string(p)
                        .unwrap_or_default()
                        .lines()
                        .filter(|l| l.contains(&format!("\"event\":\"{event}\"")))
                        .map(str::to_string)
                        .collect::<Vec<_>>()
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn courier_without_keywords_keeps_local_state_and_drafts_each_message_once() {
    let c = Courier::start(courier::Options { keywords: false });
    let cfg = c.config("");
    deliver_inbox_and_run_once(&c, &cfg, || c.log());

    let drafts = assert_expected_drafts(&c, courier::DRAFTS);
    let flags = c.flags("INBOX");
    assert_eq!(flags.len(), INBOX.len());
    for (uid, f) in &flags {
        assert!(!f.contains("\\Seen"), "uid {uid} became \\Seen: {f}");
        assert!(!f.contains("$Triaged"), "Courier stored a keyword: {f}");
    }
    // The server cannot hold `$Triaged`: the state file records every message as handled.
    let uids: BTreeSet<u32> = flags.iter().map(|(u, _)| *u).collect();
    let (validity, handled) = read_state(&c.state_dir());
    assert!(validity > 0);
    assert_eq!(handled, uids);

    // Drafts and outcomes are journalled for the report (corrections need keywords).
    assert_eq!(journal_events(&c.state_dir(), "drafted").len(), drafts);
    assert_eq!(journal_events(&c.state_dir(), "tagged").len(), INBOX.len());

    // A second pass finds nothing to do.
    assert_ok(&once(&cfg), || c.log());
    assert_eq!(c.count(courier::DRAFTS), drafts);

    // The state file lost (a new machine): the drafts already in Drafts prevent second ones.
    std::fs::remove_dir_all(c.state_dir()).expect("remove the state dir");
    let out = once(&cfg);
    assert_ok(&out, || c.log());
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&format!("{drafts} already in Drafts")),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(c.count(courier::DRAFTS), drafts, "no second draft");
    assert_eq!(read_state(&c.state_dir()), (validity, uids));
    assert!(c.flags("INBOX").iter().all(|(_, f)| !f.contains("\\Seen")));

    // Corrections need keywords, and `check` says so.
    let out = mailtriage(&["--config", &path_str(&cfg), "check"], b"");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("agents' corrections are not noticed (they are keywords)"),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Waits (generously: this is no latency assertion) until there are `n` drafts; returns how
/// long it took, or fails with the daemon's log.
/// `run` on `server`: two new messages become drafts in `drafts` as they arrive, and SIGTERM
/// exits 0. Returns the inbox flags, none of them `\Seen`.
fn run_drafts_new_mail(
    server: &impl Server,
    cfg: &Path,
    drafts: &str,
    name: &str,
) -> Vec<(u32, String)> {
    let daemon = Daemon::start(cfg);
    for n in 1..=2 {
        server.deliver("INBOX", &new_mail(n));
        let latency = wait_for_draft(n, &daemon, || server.count(drafts));
        eprintln!("{name}: delivery to draft {n} took {latency:?}");
    }
    let log_path = daemon.log.clone();
    let code = daemon.term();
    let log = std::fs::read_to_string(log_path).unwrap_or_default();
    assert_eq!(code, Some(0), "{log}");
    assert_eq!(server.count(drafts), 2);
    let flags = server.flags("INBOX");
    assert!(
        flags.iter().all(|(_, f)| !f.contains("\\Seen")),
        "{flags:?}"
    );
    flags
}

fn wait_for_draft(n: u32, daemon: &Daemon, count: impl Fn() -> usize) -> Duration {
    let start = Instant::now();
    while count() < n as usize {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no draft {n} after 60 s; daemon log:\n{}",
            daemon.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    start.elapsed()
}

/// A short new message, `n` making it unique.
fn new_mail(n: u32) -> Vec<u8> {
    format!("From: Kim <kim{n}@example.org>\r\nTo: support@example.com\r\nSubject: Password\r\nMessage-ID: <run{n}@example.org>\r\nDate: Sun, 15 Nov 2026 10:00:00 +0000\r\n\r\nI cannot log in, my password does not work.\r\n").into_bytes()
}

#[test]
fn courier_without_keywords_a_new_uidvalidity_makes_no_second_draft() {
    let c = Courier::start(courier::Options { keywords: false });
    let cfg = c.config("");
    deliver_inbox_and_run_once(&c, &cfg, || c.log());
    let drafts = expected_drafts();
    assert_eq!(c.count(courier::DRAFTS), drafts);
    let (validity, handled) = read_state(&c.state_dir());

    // Courier keeps UIDVALIDITY in courierimapuiddb: without it, it numbers the inbox afresh,
    // so the UIDs on file name nothing any more.
    let uiddb = c.dir.path().join("home/Maildir/courierimapuiddb");
    std::fs::remove_file(&uiddb).unwrap_or_else(|e| panic!("{}: {e}", uiddb.display()));
    let out = once(&cfg);
    assert_ok(&out, || c.log());
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&format!("{drafts} already in Drafts")),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(c.count(courier::DRAFTS), drafts, "no second draft");
    let (new_validity, new_handled) = read_state(&c.state_dir());
    assert_ne!(new_validity, validity, "the state file starts over");
    assert_eq!(new_handled.len(), handled.len());
}

#[test]
fn courier_without_keywords_run_drafts_new_mail_and_exits_0_on_sigterm() {
    let c = Courier::start(courier::Options { keywords: false });
    let flags = run_drafts_new_mail(&c, &c.config(""), courier::DRAFTS, "Courier, no keywords");
    let uids: BTreeSet<u32> = flags.iter().map(|(u, _)| *u).collect();
    assert_eq!(read_state(&c.state_dir()).1, uids);
}

#[test]
fn courier_without_keywords_records_an_oversized_message_without_downloading_it() {
    let c = Courier::start(courier::Options { keywords: false });
    let mut big = b"From: Big <big@example.org>\r\nTo: support@example.com\r\nSubject: Logs\r\nMessage-ID: <big@example.org>\r\n\r\n".to_vec();
    while big.len() < 2 * 1024 * 1024 {
        big.extend_from_slice(&[b'A'; 998]);
        big.extend_from_slice(b"\r\n");
    }
    c.deliver("INBOX", &big);
    c.deliver("INBOX", &new_mail(1));
    let out = once(&c.config("max_message_size = \"1MB\"\n"));
    assert_ok(&out, || c.log());
    // Only the small message is drafted; both are on file as handled, neither is \Seen.
    assert_eq!(c.count(courier::DRAFTS), 1);
    let flags = c.flags("INBOX");
    assert!(
        flags.iter().all(|(_, f)| !f.contains("\\Seen")),
        "{flags:?}"
    );
    let uids: BTreeSet<u32> = flags.iter().map(|(u, _)| *u).collect();
    assert_eq!(read_state(&c.state_dir()).1, uids);
    // Courier logs the bytes each session sent: the big body was never fetched.
    let sent_body: Vec<u64> = c
        .log()
        .lines()
        .filter_map(|l| l.split("body=").nth(1)?.split(',').next()?.parse().ok())
        .collect();
    assert!(
        sent_body.iter().any(|b| *b > 0),
        "no logged session fetched the small message: {sent_body:?}"
    );
    assert!(
        sent_body.iter().all(|b| *b < 1024 * 1024),
        "a session fetched the oversized body: {sent_body:?}"
    );
}

#[test]
fn courier_a_wrong_password_is_a_clear_error() {
    let c = Courier::start(courier::Options { keywords: false });
    let cfg = c.config("");
    std::fs::write(c.dir.path().join("imap-password"), "wrong\n").expect("write");
    let out = once(&cfg);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("refused the login") && err.contains(courier::USER),
        "{err}"
    );
    assert!(
        !err.contains("wrong"),
        "the password must never be printed: {err}"
    );
}

/// `folder` holds one draft per expected message, of the expected categories, each `\Draft`
/// and `\Seen`; returns how many.
fn assert_expected_drafts(server: &impl Server, folder: &str) -> usize {
    let drafts = expected_drafts();
    assert_eq!(server.count(folder), drafts);
    assert_eq!(
        draft_categories(&server.headers(folder)),
        expected_categories()
    );
    for (_, f) in server.flags(folder) {
        assert!(
            f.contains("\\Draft") && f.contains("\\Seen"),
            "draft flags: {f}"
        );
    }
    drafts
}

/// Every inbox message carries `$Triaged` and its expected keyword, and none became `\Seen`.
fn assert_tagged(flags: &[(u32, String)]) {
    for ((uid, f), (file, keyword)) in flags.iter().zip(INBOX) {
        assert!(f.contains("$Triaged"), "uid {uid} ({file}): {f}");
        assert!(
            f.contains(keyword),
            "uid {uid} ({file}): expected {keyword}, got {f}"
        );
        assert!(!f.contains("\\Seen"), "uid {uid} ({file}) became \\Seen");
    }
}

#[test]
fn courier_with_keywords_tags_the_originals_and_keeps_no_local_state() {
    let c = Courier::start(courier::Options { keywords: true });
    let cfg = c.config("");
    deliver_inbox_and_run_once(&c, &cfg, || c.log());

    let flags = c.flags("INBOX");
    assert_eq!(flags.len(), INBOX.len());
    assert_tagged(&flags);
    let drafts = expected_drafts();
    assert_eq!(c.count(courier::DRAFTS), drafts);
    assert!(
        local_state_files(&c.state_dir()).is_empty(),
        "a server with keywords needs no state file"
    );
    assert_ok(&once(&cfg), || c.log());
    assert_eq!(c.count(courier::DRAFTS), drafts);
}

#[test]
fn cyrus_finds_drafts_by_special_use_and_drafts_each_message_exactly_once() {
    let c = Cyrus::start();
    let cfg = c.config("");
    deliver_inbox_and_run_once(&c, &cfg, || c.log());

    let flags = c.flags("INBOX");
    assert_eq!(flags.len(), INBOX.len());
    assert_tagged(&flags);
    // The drafts went to the folder with the \Drafts special use ("Entwürfe"); Cyrus offers
    // MULTIAPPEND and LITERAL+, so they went in batches.
    let drafts = assert_expected_drafts(&c, cyrus::DRAFTS);
    assert!(
        local_state_files(&c.state_dir()).is_empty(),
        "a server with keywords needs no state file"
    );

    // A second pass finds nothing to do.
    assert_ok(&once(&cfg), || c.log());
    assert_eq!(c.count(cyrus::DRAFTS), drafts);

    // A crash between APPEND and STORE: the keyword is gone but the draft is there.
    let mut imap = c.imap();
    imap.cmd("SELECT INBOX");
    imap.cmd("UID STORE 1:* -FLAGS.SILENT ($Triaged)");
    imap.logout();
    let out = once(&cfg);
    assert_ok(&out, || c.log());
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&format!("{drafts} already in Drafts")),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(c.count(cyrus::DRAFTS), drafts, "no second draft");
    assert!(c.flags("INBOX").iter().all(|(_, f)| f.contains("$Triaged")));

    // An agent corrects a category: Cyrus has CONDSTORE, and the change is recorded once.
    let (uid, from) = c
        .flags("INBOX")
        .iter()
        .find_map(|(u, f)| {
            let cat = f
                .split_whitespace()
                .find_map(|k| k.strip_prefix("triage:"))
                .filter(|c| !c.starts_with("skip-") && *c != "billing")?;
            Some((*u, cat.to_string()))
        })
        .expect("a message with a category other than billing");
    let mut imap = c.imap();
    imap.cmd("SELECT INBOX");
    imap.cmd(&format!("UID STORE {uid} -FLAGS.SILENT (triage:{from})"));
    imap.cmd(&format!("UID STORE {uid} +FLAGS.SILENT (triage:billing)"));
    imap.logout();
    assert_ok(&once(&cfg), || c.log());
    assert_ok(&once(&cfg), || c.log());
    let corrected = journal_events(&c.state_dir(), "corrected");
    assert_eq!(corrected.len(), 1, "{corrected:?}");
    assert!(
        corrected[0].contains(&format!("\"from\":\"{from}\",\"to\":\"billing\"")),
        "{corrected:?}"
    );
    let out = mailtriage(&["--config", &path_str(&cfg), "check"], b"");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("corrections are noticed every pass (CONDSTORE)")
            && text.contains("1 correction by agents recorded"),
        "{text}"
    );
}

#[test]
fn cyrus_run_drafts_new_mail_under_idle_and_exits_0_on_sigterm() {
    let c = Cyrus::start();
    let flags = run_drafts_new_mail(&c, &c.config(""), cyrus::DRAFTS, "Cyrus");
    assert!(
        flags.iter().all(|(_, f)| f.contains("$Triaged")),
        "{flags:?}"
    );
}
