//! The daemon against a real Dovecot: drafts exactly once, threading, keywords, nothing \Seen,
//! TLS and STARTTLS, bad passwords, oversized mail, IDLE, restarts and SIGTERM.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::util::daemon::Daemon;
use crate::util::dovecot::{Dovecot, Options, PASSWORD};
use crate::util::{fixtures, mailtriage, path_str};

/// A small mixed-language inbox from the fixture corpus: (file, expected keyword).
pub(crate) const INBOX: &[(&str, &str)] = &[
    ("lat-en-billing-charged-twice.eml", "triage:billing"),
    ("lat-de-login-gesperrt-helpdesk.eml", "triage:login"),
    ("cjk-ko-outage.eml", "triage:outage"),
    ("cjk-ja-instructions.eml", "triage:instructions"),
    (
        "lat-fr-staff-complaint-conseiller.eml",
        "triage:staff_complaint",
    ),
    ("cjk-he-billing.eml", "triage:billing"),
    (
        "lat-skip-auto-replied-vacation.eml",
        "triage:skip-auto-reply",
    ),
    ("lat-skip-bounce-postfix.eml", "triage:skip-bounce"),
];

fn load_inbox(dv: &Dovecot) {
    for (file, _) in INBOX {
        dv.deliver(
            "INBOX",
            &std::fs::read(fixtures().join(file)).expect("fixture"),
        );
    }
}

fn once(config: &Path) -> std::process::Output {
    mailtriage(&["--config", &path_str(config), "once"], b"")
}

fn assert_ok(out: &std::process::Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn once_drafts_each_message_exactly_once_and_never_marks_seen() {
    let dv = Dovecot::start();
    load_inbox(&dv);
    let cfg = dv.config("plain", "");
    assert_ok(&once(&cfg));

    let flags = dv.flags("INBOX");
    assert_eq!(flags.len(), INBOX.len());
    for ((uid, f), (file, keyword)) in flags.iter().zip(INBOX) {
        assert!(f.contains("$Triaged"), "uid {uid} ({file}): {f}");
        assert!(
            f.contains(keyword),
            "uid {uid} ({file}): expected {keyword}, got {f}"
        );
        assert!(
            !f.contains("\\Seen"),
            "uid {uid} ({file}) became \\Seen: {f}"
        );
    }
    let drafts = INBOX.iter().filter(|(_, k)| !k.contains("skip")).count();
    assert_eq!(dv.count("Drafts"), drafts);
    for (_, f) in dv.flags("Drafts") {
        assert!(
            f.contains("\\Draft") && f.contains("\\Seen"),
            "draft flags: {f}"
        );
    }

    // A second pass finds nothing to do.
    assert_ok(&once(&cfg));
    assert_eq!(dv.count("Drafts"), drafts);

    // A crash between APPEND and STORE: the keyword is gone but the draft is there.
    dv.remove_flags("INBOX", "$Triaged");
    let out = once(&cfg);
    assert_ok(&out);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&format!("{drafts} already in Drafts")),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(dv.count("Drafts"), drafts, "no second draft");
    assert!(dv
        .flags("INBOX")
        .iter()
        .all(|(_, f)| f.contains("$Triaged")));
}

#[test]
fn drafts_read_back_with_threading_headers_and_utf8_bodies() {
    let dv = Dovecot::start();
    dv.deliver(
        "INBOX",
        &std::fs::read(fixtures().join("cjk-ko-outage.eml")).expect("fixture"),
    );
    let cfg = dv.config("plain", "");
    assert_ok(&once(&cfg));
    let original = dv.fetch("INBOX", "hdr.message-id");
    let msgid = original[0]
        .lines()
        .find_map(|l| l.strip_prefix("hdr.message-id:"))
        .expect("message-id")
        .trim()
        .to_string();
    let draft = dv.fetch("Drafts", "hdr body");
    assert_eq!(draft.len(), 1);
    let d = &draft[0];
    assert!(d.contains(&format!("In-Reply-To: {msgid}")), "{d}");
    assert!(d.contains("References: ") && d.contains(&msgid), "{d}");
    assert!(d.contains(&format!("X-Mailtriage-Source: {msgid}")), "{d}");
    assert!(d.contains("X-Mailtriage-Category: outage"), "{d}");
    assert!(
        d.contains("X-Mailtriage-Facts: incident_confirmed INC-8"),
        "{d}"
    );
    assert!(d.contains("Content-Type: text/plain; charset=utf-8"), "{d}");
    assert!(d.contains("Subject: Re: "), "{d}");
    // The body, decoded by an independent parser, is Korean and links the incident.
    let raw = dv.fetch("Drafts", "text");
    let text = raw[0].strip_prefix("text:").unwrap_or(&raw[0]).trim_start();
    let parsed = mail_parser::MessageParser::default()
        .parse(text.as_bytes())
        .expect("draft parses");
    let body = parsed.body_text(0).expect("text body");
    assert!(
        body.contains("https://status.example.com/incidents/INC-8"),
        "{body}"
    );
    assert!(
        body.chars().any(|c| ('\u{AC00}'..='\u{D7AF}').contains(&c)),
        "not Korean: {body}"
    );
}

#[test]
fn implicit_tls_with_a_private_ca_works() {
    let dv = Dovecot::start_with(Options { tls: true });
    load_inbox(&dv);
    let cfg = dv.config("tls", "");
    assert_ok(&once(&cfg));
    assert_eq!(dv.count("Drafts"), 6);
    let out = mailtriage(&["--config", &path_str(&cfg), "check"], b"");
    assert_ok(&out);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("logged in"), "{said}");
    // Dovecot has UIDPLUS: check says that stale drafts can be removed.
    assert!(
        said.contains("stale untouched drafts are removed (UIDPLUS)"),
        "{said}"
    );
}

#[test]
fn starttls_works_when_offered_and_is_refused_when_not() {
    let dv = Dovecot::start_with(Options { tls: true });
    load_inbox(&dv);
    assert_ok(&once(&dv.config("starttls", "")));
    assert_eq!(dv.count("Drafts"), 6);

    let plain = Dovecot::start();
    let out = once(&plain.config("starttls", ""));
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("does not offer STARTTLS"), "{err}");
}

#[test]
fn a_wrong_password_is_a_clear_error() {
    let dv = Dovecot::start();
    let cfg = dv.config("plain", "");
    std::fs::write(dv.dir.path().join("imap-password"), "wrong\n").expect("write");
    let out = once(&cfg);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("refused the login") && err.contains("support@example.com"),
        "{err}"
    );
    assert!(
        !err.contains("wrong"),
        "the password must never be printed: {err}"
    );
}

#[test]
fn a_message_over_the_size_limit_is_tagged_without_download() {
    let dv = Dovecot::start();
    let mut big = b"From: Big <big@example.org>\r\nTo: support@example.com\r\nSubject: Logs\r\nMessage-ID: <big@example.org>\r\n\r\n".to_vec();
    let line = [b'A'; 998];
    while big.len() < 30 * 1024 * 1024 {
        big.extend_from_slice(&line);
        big.extend_from_slice(b"\r\n");
    }
    dv.deliver("INBOX", &big);
    assert_ok(&once(&dv.config("plain", "")));
    let flags = dv.flags("INBOX");
    assert!(
        flags[0].1.contains("triage:too-large") && flags[0].1.contains("$Triaged"),
        "{:?}",
        flags
    );
    assert!(!flags[0].1.contains("\\Seen"));
    assert_eq!(dv.count("Drafts"), 0);
}

fn wait_for(what: &str, limit: Duration, mut cond: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
    start.elapsed()
}

#[test]
fn run_drafts_new_mail_under_idle_survives_a_restart_and_exits_0_on_sigterm() {
    let dv = Dovecot::start();
    let cfg = dv.config("plain", "");
    let daemon = Daemon::start(&cfg);
    let raw = |n: u32| {
        format!("From: Kim <kim{n}@example.org>\r\nTo: support@example.com\r\nSubject: Password\r\nMessage-ID: <idle{n}@example.org>\r\nDate: Sun, 15 Nov 2026 10:00:00 +0000\r\n\r\nI cannot log in, my password does not work.\r\n").into_bytes()
    };
    // Give the daemon time to log in and enter IDLE.
    std::thread::sleep(Duration::from_secs(2));
    dv.deliver("INBOX", &raw(1));
    let latency = wait_for("the first draft", Duration::from_secs(20), || {
        dv.count("Drafts") == 1
    });
    eprintln!("IDLE latency (delivery to draft): {latency:?}");

    // Dovecot ends the old sessions with BYE a few seconds after its master stops.
    dv.restart();
    wait_for(
        "the daemon to notice the restart",
        Duration::from_secs(60),
        || daemon.log().contains("reconnecting"),
    );
    dv.deliver("INBOX", &raw(2));
    wait_for(
        "a draft after the server restart",
        Duration::from_secs(60),
        || dv.count("Drafts") == 2,
    );

    let log_path = daemon.log.clone();
    let code = daemon.term();
    let log = std::fs::read_to_string(log_path).unwrap_or_default();
    assert_eq!(code, Some(0), "{log}");
    assert!(!log.contains(PASSWORD), "password in the log: {log}");
    assert_eq!(dv.count("Drafts"), 2);
}

#[test]
fn contact_history_comes_from_the_mailbox_and_reaches_the_agent() {
    let dv = Dovecot::start();
    let cfg = dv.config("plain", "");
    let msg = |n: u32, subject: &str, body: &str| {
        format!("From: Kim Lee <kim@example.org>\r\nTo: support@example.com\r\nSubject: {subject}\r\nMessage-ID: <hist{n}@example.org>\r\nDate: Sun, 15 Nov 2026 10:0{n}:00 +0000\r\n\r\n{body}\r\n").into_bytes()
    };
    for n in 1..=3 {
        dv.deliver(
            "INBOX",
            &msg(n, "Export question", "How do I export my invoices as CSV?"),
        );
    }
    assert_ok(&once(&cfg));
    dv.deliver("Sent", b"From: Example Cloud Support <support@example.com>\r\nTo: kim@example.org\r\nSubject: Re: Export question\r\nMessage-ID: <reply1@example.com>\r\n\r\nHere is how.\r\n");
    dv.deliver(
        "INBOX",
        &msg(
            4,
            "Nobody calls back",
            "I have called you 10 times and nobody calls me back. This is the fourth email.",
        ),
    );
    assert_ok(&once(&cfg));
    let drafts = dv.fetch("Drafts", "hdr");
    let last = drafts
        .iter()
        .find(|d| d.contains("hist4@example.org"))
        .expect("a draft for the complaint")
        .replace("\n ", " ");
    assert!(
        last.contains("X-Mailtriage-Category: repeat_contact"),
        "{last}"
    );
    assert!(
        last.contains("contact_history 4 messages, 1 reply, claimed 10"),
        "{last}"
    );
    assert!(last.contains("callback_missing"), "{last}");
}

#[test]
fn since_leaves_older_mail_alone() {
    let dv = Dovecot::start();
    load_inbox(&dv);
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1)).date_naive();
    let out = once(&dv.config("plain", &format!("since = {tomorrow}\n")));
    assert_ok(&out);
    assert_eq!(dv.count("Drafts"), 0);
    assert!(dv
        .flags("INBOX")
        .iter()
        .all(|(_, f)| !f.contains("$Triaged")));
    let yesterday = (chrono::Utc::now() - chrono::Duration::days(1)).date_naive();
    assert_ok(&once(
        &dv.config("plain", &format!("since = {yesterday}\n")),
    ));
    assert_eq!(dv.count("Drafts"), 6);
}

/// #14 finding 3: a sender who reuses another message's Message-ID must not silence it, and a
/// message already drafted (the same sender and content) is logged as such, not as "drafted".
#[test]
fn a_reused_message_id_gets_its_own_draft_and_a_redelivery_does_not() {
    let dv = Dovecot::start();
    let msg = |from: &str, text: &str| {
        format!("From: {from}\r\nTo: support@example.com\r\nSubject: Help\r\nMessage-ID: <shared.id@example.org>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n\r\n{text}\r\n")
    };
    dv.deliver(
        "INBOX",
        msg("mallory@evil.example", "Hello, just testing.").as_bytes(),
    );
    let cfg = dv.config("plain", "");
    assert_ok(&once(&cfg));
    let legit = msg(
        "kim@example.org",
        "I cannot log in, my password does not work.",
    );
    dv.deliver("INBOX", legit.as_bytes());
    // The same message delivered again, e.g. because it was sent To and Cc us.
    dv.deliver("INBOX", legit.as_bytes());
    let out = once(&cfg);
    assert_ok(&out);
    assert_eq!(dv.count("Drafts"), 2, "one draft per distinct message");
    let drafts = dv.fetch("Drafts", "hdr");
    assert!(
        drafts.iter().any(|d| d.contains("To: kim@example.org")),
        "{drafts:?}"
    );
    assert!(
        drafts
            .iter()
            .all(|d| d.contains("X-Mailtriage-Source-Digest: ")),
        "{drafts:?}"
    );
    let log = String::from_utf8_lossy(&out.stderr);
    assert_eq!(log.matches("already drafted").count(), 1, "{log}");
    assert_eq!(log.matches(" drafted").count() - 1, 1, "{log}");
}

/// #14 finding 9: a big mailbox is searched in UID ranges (here 2 UIDs per SEARCH, so five
/// messages take three), and nothing is missed at the range edges.
#[test]
fn pending_mail_is_searched_in_uid_ranges_without_missing_any() {
    let dv = Dovecot::start();
    for n in 0..5 {
        let raw = format!("From: c{n}@example.org\r\nTo: support@example.com\r\nSubject: Login {n}\r\nMessage-ID: <range{n}@example.org>\r\n\r\nI cannot log in, my password does not work.\r\n");
        dv.deliver("INBOX", raw.as_bytes());
    }
    let cfg = dv.config("plain", "search_range = 2\n");
    let out = crate::util::mailtriage_with_env(
        &["--config", &path_str(&cfg), "once"],
        b"",
        &[("RUST_LOG", "mailtriage=debug")],
    );
    assert_ok(&out);
    let log = String::from_utf8_lossy(&out.stderr);
    let pending_ranges = log
        .lines()
        .filter(|l| l.contains("UID SEARCH range") && l.contains("UNKEYWORD $Triaged"))
        .count();
    assert_eq!(pending_ranges, 3, "{log}");
    let flags = dv.flags("INBOX");
    assert_eq!(flags.len(), 5);
    assert!(
        flags.iter().all(|(_, f)| f.contains("$Triaged")),
        "{flags:?}"
    );
    assert_eq!(dv.count("Drafts"), 5);
}

/// #13: examples/demo/config.toml is the demo's config, so `triage` offline gives the demo
/// inbox the categories and facts the daemon gives it against a server (contact history
/// aside: offline there is no mailbox to look in).
#[test]
fn offline_triage_of_the_demo_inbox_matches_the_daemon() {
    let demo = crate::util::root().join("examples/demo");
    let mut inbox: Vec<std::path::PathBuf> = std::fs::read_dir(demo.join("inbox"))
        .expect("demo inbox")
        .flatten()
        .map(|e| e.path())
        .collect();
    inbox.sort();
    let config = demo.join("config.toml");
    let mut args = vec![
        "--config".to_string(),
        path_str(&config),
        "triage".into(),
        "--json".into(),
    ];
    args.extend(inbox.iter().map(|p| path_str(p)));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = mailtriage(&args, b"");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let offline: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(offline.len(), inbox.len());

    let dv = Dovecot::start();
    for p in &inbox {
        dv.deliver("INBOX", &std::fs::read(p).expect("read"));
    }
    let dir = dv.dir.path();
    std::fs::copy(demo.join("facts.toml"), dir.join("demo-facts.toml")).expect("facts");
    let cfg = dv.config("plain", "");
    let served = std::fs::read_to_string(&cfg)
        .expect("config")
        .replace("facts = \"facts.toml\"", "facts = \"demo-facts.toml\"");
    let demo_cfg = std::fs::read_to_string(&config).expect("demo config");
    let imap = served
        .split("[imap]")
        .nth(1)
        .and_then(|s| s.split("[triage]").next())
        .expect("[imap] in the harness config");
    let merged = demo_cfg.replace("facts = \"facts.toml\"", "facts = \"demo-facts.toml\"")
        + "\n[imap]"
        + imap;
    std::fs::write(&cfg, merged).expect("config");
    let run = mailtriage(&["--config", &path_str(&cfg), "once"], b"");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );

    let drafts: Vec<String> = dv
        .fetch(
            "Drafts",
            "hdr.x-mailtriage-source hdr.x-mailtriage-category hdr.x-mailtriage-facts",
        )
        .into_iter()
        .map(|d| d.replace("\n ", " ").replace("\n\t", " "))
        .collect();
    let header = |d: &str, name: &str| {
        d.lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let mut compared = 0;
    for o in offline.iter().filter(|o| o["action"] == "draft") {
        let id = o["message_id"].as_str().expect("message id");
        let draft = drafts
            .iter()
            .find(|d| header(d, "hdr.x-mailtriage-source:").contains(id))
            .unwrap_or_else(|| {
                let sources: Vec<String> = drafts
                    .iter()
                    .map(|d| header(d, "hdr.x-mailtriage-source:"))
                    .collect();
                panic!(
                    "no draft for {id} among {sources:?}\n{}",
                    String::from_utf8_lossy(&run.stdout)
                )
            });
        assert_eq!(
            header(draft, "hdr.x-mailtriage-category:"),
            o["category"].as_str().unwrap_or_default(),
            "{id}"
        );
        let facts = header(draft, "hdr.x-mailtriage-facts:");
        for f in o["facts"].as_array().into_iter().flatten() {
            let kind = f["kind"].as_str().unwrap_or_default();
            if kind == "contact_history" || kind == "callback_missing" {
                continue;
            }
            let what = f["id"].as_str().or(f["address"].as_str()).unwrap_or(kind);
            assert!(
                facts.contains(what),
                "{id}: {what} not in X-Mailtriage-Facts: {facts}"
            );
        }
        compared += 1;
    }
    assert!(compared >= 10, "{compared} drafts compared");
}

/// #12: `once --dry-run` reads and triages the backlog, prints one line per message with what
/// would happen, and writes nothing: no draft, no keyword. A real pass afterwards does what
/// the dry run said.
#[test]
fn a_dry_run_lists_what_would_happen_and_writes_nothing() {
    let dv = Dovecot::start();
    load_inbox(&dv);
    let cfg = dv.config("plain", "");
    let out = mailtriage(&["--config", &path_str(&cfg), "once", "--dry-run"], b"");
    assert_ok(&out);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(dv.count("Drafts"), 0, "a dry run appended drafts");
    for (uid, flags) in dv.flags("INBOX") {
        assert!(
            !flags.contains("$Triaged") && !flags.contains("triage:"),
            "UID {uid}: {flags}"
        );
    }
    let lines: Vec<&str> = text.lines().filter(|l| l.starts_with("UID ")).collect();
    assert_eq!(lines.len(), INBOX.len(), "{text}");
    assert!(
        text.contains(&format!("{} messages would be triaged", INBOX.len()))
            && text.contains("nothing was written"),
        "{text}"
    );
    assert_ok(&once(&cfg));
    for (uid, flags) in dv.flags("INBOX") {
        let line = lines
            .iter()
            .find(|l| l.split_whitespace().nth(1) == Some(&uid.to_string()))
            .unwrap_or_else(|| panic!("no dry-run line for UID {uid}:\n{text}"));
        let keyword = flags
            .split_whitespace()
            .find_map(|f| f.strip_prefix("triage:"))
            .unwrap_or_else(|| panic!("UID {uid} not tagged: {flags}"));
        let said = match keyword.strip_prefix("skip-") {
            Some(reason) => format!("skip   {}", reason.replace('-', "_")),
            None => format!("draft  {keyword} "),
        };
        assert!(
            line.contains(&said),
            "UID {uid}: the dry run said `{line}`, the pass did {keyword}"
        );
    }
}
