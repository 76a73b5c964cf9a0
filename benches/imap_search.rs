//! Finding pending work in a huge inbox (#14 finding 9): a real local Dovecot holding COUNT
//! small unhandled messages (1,000,000 by default); `mailtriage once` is timed from its start
//! to its "messages to triage" log line (connect, SELECT and the `UNKEYWORD $Triaged` search)
//! with the search in one piece and in ranges of 50,000 UIDs (the default), then stopped.
//! A bare async-imap `UID SEARCH` of the whole inbox is timed as well, for comparison.
//!
//! `cargo bench --bench imap_search [-- COUNT]`

#[path = "../tests/integration/util/mod.rs"]
#[allow(dead_code)]
mod util;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use util::dovecot::{Dovecot, PASSWORD, USER};

/// Writes `count` small messages straight into the inbox's maildir, as local delivery would.
fn inbox(dv: &Dovecot, count: usize) {
    dv.deliver(
        "INBOX",
        b"From: a@example.org\r\nSubject: first\r\nMessage-ID: <search-0@example.org>\r\n\r\nhello\r\n",
    );
    let new = dv.dir.path().join("mail").join(USER).join("new");
    for n in 1..count {
        let path = new.join(format!("1700000000.search{n}.localhost"));
        let mut f = std::fs::File::create(&path).expect("create");
        write!(
            f,
            "From: Kim <kim{n}@example.org>\r\nTo: support@example.com\r\nSubject: Sync stopped {n}\r\nMessage-ID: <search-{n}@example.org>\r\n\r\nThe sync stopped this morning.\r\n"
        )
        .expect("write");
    }
    let _ = Command::new("chmod")
        .args(["-R", "a+rwX", &new.display().to_string()])
        .status();
    // Dovecot indexes the new mail once, outside the timed runs.
    let _ = dv.count("INBOX");
}

/// Seconds from the start of `mailtriage once` to its "messages to triage" line, and the
/// count that line gives; the process is stopped there.
fn time_to_pending(dv: &Dovecot, search_range: u32) -> Option<(Duration, String)> {
    let cfg = dv.config("plain", &format!("search_range = {search_range}\n"));
    let text = std::fs::read_to_string(&cfg)
        .expect("config")
        .replace("timeout = \"10s\"", "timeout = \"600s\"");
    std::fs::write(&cfg, text).expect("config");
    let t = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_mailtriage"))
        .args(["--config", &cfg.display().to_string(), "once"])
        .env("RUST_LOG", "mailtriage=info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run mailtriage");
    let stderr = child.stderr.take().expect("stderr");
    let mut found = None;
    let mut tail = Vec::new();
    for line in BufReader::new(stderr).lines().map_while(Result::ok) {
        tail.push(line.clone());
        if tail.len() > 5 {
            tail.remove(0);
        }
        if line.contains("messages to triage") {
            let count = line
                .split("count=")
                .nth(1)
                .and_then(|s| s.split_whitespace().next())
                .unwrap_or("?")
                .to_string();
            found = Some((t.elapsed(), count));
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    if found.is_none() {
        let log = dv.log();
        let server: Vec<&str> = log.lines().rev().take(8).collect();
        eprintln!(
            "mailtriage's last log lines:\n{}\nDovecot's:\n{}",
            tail.join("\n"),
            server.into_iter().rev().collect::<Vec<_>>().join("\n")
        );
    }
    found
}

async fn bare_search(port: u16) -> (usize, Duration) {
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    let mut client = async_imap::Client::new(tcp);
    let _ = client.read_response().await;
    let mut s = client
        .login(USER, PASSWORD)
        .await
        .map_err(|(e, _)| e)
        .expect("login");
    s.select("INBOX").await.expect("select");
    let t = Instant::now();
    let uids = s
        .uid_search("UNKEYWORD $Triaged UNDELETED")
        .await
        .expect("search");
    let spent = t.elapsed();
    let _ = s.logout().await;
    (uids.len(), spent)
}

fn main() {
    let count: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let dv = Dovecot::start();
    // A million-message maildir needs more than the imap process's default 256 MB to SELECT.
    let mut conf = std::fs::read_to_string(&dv.conf).expect("dovecot.conf");
    conf.push_str("default_vsz_limit = 2G\n");
    std::fs::write(&dv.conf, conf).expect("dovecot.conf");
    dv.restart();
    let t = Instant::now();
    inbox(&dv, count);
    println!(
        "inbox: {count} messages written and indexed in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (n, spent) = rt.block_on(bare_search(dv.port));
    println!(
        "bare async-imap UID SEARCH, one answer line: {n} UIDs in {:.3} s",
        spent.as_secs_f64()
    );
    for (name, range) in [("in one piece", u32::MAX), ("in ranges of 50,000", 50_000)] {
        match time_to_pending(&dv, range) {
            Some((d, n)) => println!(
                "mailtriage once, search {name}: {n} pending found {:.3} s after start",
                d.as_secs_f64()
            ),
            None => println!("mailtriage once, search {name}: no \"messages to triage\" line"),
        }
    }
}
