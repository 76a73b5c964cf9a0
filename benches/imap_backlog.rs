//! The IMAP side against a real local Dovecot: a generated backlog (10,000 messages by
//! default, 5% with a 100 KB attachment) processed by `mailtriage once`, compared with the
//! floor (a bare batched `UID FETCH BODY.PEEK[]` of the same messages) and with imapfilter
//! doing only the keyword search and flag (when installed); then the floor for saving the
//! drafts: the same drafts appended again by a bare client, as mailtriage appends them.
//!
//! `cargo bench --bench imap_backlog [-- COUNT]`; `MAILTRIAGE_BENCH_BATCH` sets mailtriage's
//! `imap.batch_size` (default 500); `MAILTRIAGE_BENCH_WRAP` runs each `mailtriage once` under
//! a command, such as `heaptrack -o /tmp/hb` with the `system-alloc` feature.

#[path = "../tests/integration/util/mod.rs"]
#[allow(dead_code)]
mod util;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use futures::TryStreamExt;
use util::dovecot::{Dovecot, PASSWORD, USER};

fn backlog(dv: &Dovecot, count: usize) -> usize {
    let fixtures: Vec<Vec<u8>> = {
        let mut v: Vec<_> = std::fs::read_dir(util::fixtures())
            .expect("fixtures")
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.extension().is_some_and(|e| e == "eml")
                    && p.metadata().map(|m| m.len() < 64 * 1024).unwrap_or(false)
            })
            .collect();
        v.sort();
        v.iter().map(|p| std::fs::read(p).expect("read")).collect()
    };
    // One message through doveadm creates the maildir with the right owner; the rest are
    // written straight into new/, as an MTA's local delivery would.
    dv.deliver("INBOX", b"From: a@example.org\r\nSubject: first\r\nMessage-ID: <bench-0@example.org>\r\n\r\nhello\r\n");
    let new = dv.dir.path().join("mail").join(USER).join("new");
    let attachment: String = {
        let line =
            "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\r\n";
        line.repeat(100 * 1024 / line.len())
    };
    let mut bytes = 0;
    for n in 1..count {
        let raw = &fixtures[n % fixtures.len()];
        let text = String::from_utf8_lossy(raw);
        // A unique Message-ID and sender per copy: drafts are matched by the one, and the
        // same sender on the same subject would be a follow-up (this backlog has none).
        let mut out = format!("Message-ID: <bench-{n}@example.org>\r\n");
        for line in text.split_inclusive('\n') {
            let lower = line.to_ascii_lowercase();
            if lower.starts_with("from:") {
                out.push_str(&format!(
                    "From: Customer {n} <customer{n}@bench.example>\r\n"
                ));
            } else if !lower.starts_with("message-id:") {
                out.push_str(line);
            }
        }
        if n % 20 == 0 {
            out = format!(
                "Message-ID: <bench-{n}@example.org>\r\nFrom: Kim <kim{n}@example.org>\r\nTo: support@example.com\r\nSubject: Invoice attached, charged twice\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nI was charged twice, see the attached invoice.\r\n--b\r\nContent-Type: application/pdf; name=\"invoice.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{attachment}--b--\r\n"
            );
        }
        bytes += out.len();
        let path = new.join(format!("1700000000.bench{n}.localhost"));
        let mut f = std::fs::File::create(&path).expect("create");
        f.write_all(out.as_bytes()).expect("write");
    }
    let _ = Command::new("chmod")
        .args(["-R", "a+rwX", &new.display().to_string()])
        .status();
    // Let Dovecot index the new mail once, outside the timed runs.
    let _ = dv.count("INBOX");
    bytes
}

type Session = async_imap::Session<tokio::net::TcpStream>;

async fn login(port: u16) -> Session {
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    let mut client = async_imap::Client::new(tcp);
    let _ = client.read_response().await;
    client
        .login(USER, PASSWORD)
        .await
        .map_err(|(e, _)| e)
        .expect("login")
}

async fn bare_fetch(port: u16) -> (usize, usize) {
    let mut s = login(port).await;
    let mbox = s.select("INBOX").await.expect("select");
    let n = mbox.exists;
    let mut bytes = 0;
    let mut start = 1;
    while start <= n {
        let end = (start + 199).min(n);
        let fetches: Vec<_> = s
            .fetch(format!("{start}:{end}"), "(UID BODY.PEEK[])")
            .await
            .expect("fetch")
            .try_collect()
            .await
            .expect("fetch");
        bytes += fetches
            .iter()
            .filter_map(|f| f.body())
            .map(<[u8]>::len)
            .sum::<usize>();
        start = end + 1;
    }
    let _ = s.logout().await;
    (n as usize, bytes)
}

/// The floor for saving drafts: the drafts mailtriage made, fetched back and appended to a
/// fresh folder the way mailtriage appends them (MULTIAPPEND, 100 a command, LITERAL+).
/// Returns (drafts, seconds spent appending).
async fn bare_append(port: u16) -> (usize, Duration) {
    let mut s = login(port).await;
    s.select("Drafts").await.expect("select Drafts");
    let drafts: Vec<Vec<u8>> = s
        .fetch("1:*", "BODY.PEEK[]")
        .await
        .expect("fetch drafts")
        .try_collect::<Vec<_>>()
        .await
        .expect("fetch drafts")
        .iter()
        .filter_map(|f| f.body().map(<[u8]>::to_vec))
        .collect();
    s.create("BenchAppend").await.expect("create BenchAppend");
    let t = Instant::now();
    for chunk in drafts.chunks(100) {
        let mut cmd = String::from("APPEND BenchAppend");
        for d in chunk {
            let text = String::from_utf8_lossy(d);
            cmd.push_str(&format!(" (\\Draft \\Seen) {{{}+}}\r\n{text}", text.len()));
        }
        s.run_command_and_check_ok(&cmd).await.expect("MULTIAPPEND");
    }
    let spent = t.elapsed();
    let _ = s.logout().await;
    (drafts.len(), spent)
}

fn imapfilter(dv: &Dovecot) -> Option<Duration> {
    Command::new("imapfilter").arg("-V").output().ok()?;
    let conf = dv.dir.path().join("imapfilter.lua");
    std::fs::write(
        &conf,
        format!(
            "options.timeout = 300\noptions.create = false\noptions.info = false\naccount = IMAP {{ server = '127.0.0.1', port = {}, username = '{USER}', password = '{PASSWORD}' }}\nlocal todo = account.INBOX:has_unkeyword('$Triaged')\ntodo:add_flags({{ '$Triaged' }})\n",
            dv.port
        ),
    )
    .expect("imapfilter config");
    let t = Instant::now();
    let status = Command::new("imapfilter")
        .arg("-c")
        .arg(&conf)
        .stdout(Stdio::null())
        .status()
        .ok()?;
    status.success().then(|| t.elapsed())
}

fn main() {
    let count: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(10_000);
    let dv = Dovecot::start();
    let t = Instant::now();
    let bytes = backlog(&dv, count);
    println!(
        "backlog: {count} messages, {:.1} MB, written in {:.1} s",
        bytes as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut fetch_floor = Duration::MAX;
    for round in 0..2 {
        let t = Instant::now();
        let (n, b) = rt.block_on(bare_fetch(dv.port));
        let spent = t.elapsed();
        fetch_floor = fetch_floor.min(spent);
        println!("bare UID FETCH BODY.PEEK[] (batches of 200), run {}: {n} messages, {:.1} MB in {:.3} s", round + 1, b as f64 / 1e6, spent.as_secs_f64());
    }

    match imapfilter(&dv) {
        Some(d) => {
            println!(
                "imapfilter, keyword search + flag only: {:.3} s",
                d.as_secs_f64()
            );
            dv.remove_flags("INBOX", "$Triaged");
        }
        None => {
            println!("imapfilter: not installed (apt-get install imapfilter) — peer run skipped")
        }
    }

    let batch: u32 = std::env::var("MAILTRIAGE_BENCH_BATCH")
        .ok()
        .and_then(|b| b.parse().ok())
        .unwrap_or(500);
    println!("mailtriage imap.batch_size = {batch} (MAILTRIAGE_BENCH_BATCH)");
    let cfg = dv.config("plain", &format!("batch_size = {batch}\n"));
    let with_cleanup = once(&cfg, "with supersede and remove_answered (the default)");
    let drafts = dv.count("Drafts");
    println!("drafts in Drafts: {drafts}");
    let (n, spent) = rt.block_on(bare_append(dv.port));
    println!(
        "bare MULTIAPPEND of the same {n} drafts (100 a command, LITERAL+): {:.3} s",
        spent.as_secs_f64()
    );
    let floor = fetch_floor + spent;
    println!(
        "once against the floor (faster bare fetch + bare MULTIAPPEND, {:.3} s): {:.2}x (#12's target: 1.25x)",
        floor.as_secs_f64(),
        with_cleanup.as_secs_f64() / floor.as_secs_f64()
    );

    // The same backlog again with the drafts features off: what supersede and cleanup cost.
    dv.admin(&["expunge", "-u", USER, "mailbox", "Drafts", "all"]);
    dv.remove_flags("INBOX", "$Triaged");
    let _ = std::fs::remove_dir_all(dv.dir.path().join("state-mailtriage"));
    let mut text = std::fs::read_to_string(&cfg).expect("config");
    text.push_str("\n[drafts]\nsupersede = false\nremove_answered = false\n");
    std::fs::write(&cfg, text).expect("config");
    let without = once(&cfg, "with supersede and remove_answered off");
    println!(
        "drafts features' cost on a backlog without follow-ups: {:+.1}%",
        100.0 * (with_cleanup.as_secs_f64() / without.as_secs_f64() - 1.0)
    );
}

/// `mailtriage once` with `cfg`, timed; prints its summary and stage timings.
fn once(cfg: &std::path::Path, what: &str) -> Duration {
    let t = Instant::now();
    let bin = env!("CARGO_BIN_EXE_mailtriage");
    let wrap = std::env::var("MAILTRIAGE_BENCH_WRAP").unwrap_or_default();
    let mut command: Vec<&str> = wrap.split_whitespace().collect();
    command.push(bin);
    let out = Command::new(command[0])
        .args(&command[1..])
        .args(["--config", &cfg.display().to_string(), "once"])
        .env("RUST_LOG", "mailtriage=info")
        .output()
        .expect("run mailtriage");
    let wall = t.elapsed();
    let log = String::from_utf8_lossy(&out.stderr);
    println!(
        "mailtriage once, {what}: {:.3} s wall, exit {:?}",
        wall.as_secs_f64(),
        out.status.code()
    );
    println!("  {}", String::from_utf8_lossy(&out.stdout).trim());
    if let Some(line) = log.lines().find(|l| l.contains("pass finished")) {
        println!(
            "  {}",
            line.split("pass finished").nth(1).unwrap_or(line).trim()
        );
    }
    wall
}
