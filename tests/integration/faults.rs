//! Faults: the daemon killed at random points of its protocol, a UIDVALIDITY change, and a
//! network that stalls or cuts — every message still ends with exactly one draft and its
//! keywords.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::dovecot::{Dovecot, USER};
use crate::util::{mailtriage, path_str};

fn customer_message(n: usize) -> Vec<u8> {
    let texts = [
        "I cannot log in, my password does not work.",
        "Your website is down and shows 502 Bad Gateway.",
        "I was charged twice this month, please refund.",
        "Ich warte seit einer Woche auf eine Antwort.",
        "ログインできません。パスワードが違うと表示されます。",
        "결제가 두 번 되었습니다. 환불 부탁드립니다.",
    ];
    format!(
        "From: Customer {n} <c{n}@example.org>\r\nTo: support@example.com\r\nSubject: Help {n}\r\nMessage-ID: <fault-{n}@example.org>\r\nDate: Sun, 15 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n",
        texts[n % texts.len()]
    )
    .into_bytes()
}

/// Every inbox message has exactly one draft and `$Triaged`; returns (drafts, duplicates, missing).
fn audit(dv: &Dovecot, count: usize) -> (usize, usize, usize) {
    let mut per_source: HashMap<String, usize> = HashMap::new();
    for d in dv.fetch("Drafts", "hdr.x-mailtriage-source") {
        let src = d
            .lines()
            .find_map(|l| l.strip_prefix("hdr.x-mailtriage-source:"))
            .unwrap_or("")
            .trim()
            .to_string();
        *per_source.entry(src).or_default() += 1;
    }
    let duplicates = per_source.values().filter(|n| **n > 1).map(|n| n - 1).sum();
    let missing = (0..count)
        .filter(|n| !per_source.contains_key(&format!("<fault-{n}@example.org>")))
        .count();
    let untagged = dv
        .flags("INBOX")
        .iter()
        .filter(|(_, f)| !f.contains("$Triaged"))
        .count();
    assert_eq!(untagged, 0, "messages without $Triaged");
    (per_source.values().sum(), duplicates, missing)
}

fn spawn_run(config: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_mailtriage"))
        .args(["--config", &path_str(config), "run"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn daemon")
}

#[test]
fn sigkill_at_random_points_makes_no_duplicate_and_loses_nothing() {
    let dv = Dovecot::start();
    let count = 300;
    for n in 0..count {
        dv.deliver("INBOX", &customer_message(n));
    }
    // Small batches so kills land between and inside every step of many batches.
    let cfg = dv.config("plain", "batch_size = 7\n");
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut kills = 0;
    let deadline = Instant::now() + Duration::from_secs(120);
    while dv
        .flags("INBOX")
        .iter()
        .any(|(_, f)| !f.contains("$Triaged"))
        && Instant::now() < deadline
    {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut child = spawn_run(&cfg);
        std::thread::sleep(Duration::from_millis(150 + seed % 400));
        let _ = child.kill(); // SIGKILL: no cleanup of any kind
        let _ = child.wait();
        kills += 1;
    }
    // Whatever is left, a clean pass finishes.
    let out = mailtriage(&["--config", &path_str(&cfg), "once"], b"");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (drafts, duplicates, missing) = audit(&dv, count);
    eprintln!("kill test: {kills} SIGKILLs, {count} messages, {drafts} drafts, {duplicates} duplicates, {missing} missing");
    assert!(
        kills >= 3,
        "the daemon finished too fast to be killed meaningfully ({kills} kills)"
    );
    assert_eq!((duplicates, missing), (0, 0));
    assert_eq!(drafts, count);
}

#[test]
fn a_uidvalidity_change_makes_no_duplicates() {
    let dv = Dovecot::start();
    for n in 0..20 {
        dv.deliver("INBOX", &customer_message(n));
    }
    let cfg = dv.config("plain", "");
    assert_eq!(
        mailtriage(&["--config", &path_str(&cfg), "once"], b"")
            .status
            .code(),
        Some(0)
    );
    // The mailbox is rebuilt under the daemon: new UIDVALIDITY, keywords lost.
    dv.remove_flags("INBOX", "$Triaged");
    let out = Command::new("doveadm")
        .arg("-c")
        .arg(&dv.conf)
        .args([
            "mailbox",
            "update",
            "-u",
            USER,
            "--uid-validity",
            "424242",
            "INBOX",
        ])
        .output()
        .expect("doveadm mailbox update");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = mailtriage(&["--config", &path_str(&cfg), "once"], b"");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("20 already in Drafts"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(audit(&dv, 20), (20, 0, 0));
}

#[test]
fn stalls_and_cuts_are_survived_with_no_loss_and_no_duplicate() {
    let dv = Dovecot::start();
    let proxy = crate::util::proxy::Proxy::start(dv.port);
    let cfg = dv.config("plain", "idle_interval = \"3s\"\n");
    // Point the daemon at the proxy instead of Dovecot.
    let text = std::fs::read_to_string(&cfg)
        .expect("config")
        .replace(
            &format!("port = {}", dv.port),
            &format!("port = {}", proxy.port),
        )
        .replace("timeout = \"10s\"", "timeout = \"2s\"");
    std::fs::write(&cfg, text).expect("config");
    let log = cfg.with_file_name("faults.log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_mailtriage"))
        .args(["--config", &path_str(&cfg), "run"])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).expect("log"))
        .spawn()
        .expect("spawn daemon");
    let drafts_reach = |n: usize, what: &str| {
        let start = Instant::now();
        while dv.count("Drafts") < n {
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "{what}: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    dv.deliver("INBOX", &customer_message(0));
    drafts_reach(1, "first draft");

    // Stall during IDLE: no bytes at all, connection open.
    proxy.stall();
    dv.deliver("INBOX", &customer_message(1));
    std::thread::sleep(Duration::from_secs(8));
    proxy.resume();
    drafts_reach(2, "draft after a stall");

    // Cut every connection.
    proxy.cut();
    dv.deliver("INBOX", &customer_message(2));
    drafts_reach(3, "draft after a cut");

    // Server restart behind the proxy.
    dv.restart();
    dv.deliver("INBOX", &customer_message(3));
    drafts_reach(4, "draft after a server restart");

    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let status = child.wait().expect("wait");
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    assert_eq!(status.code(), Some(0), "{text}");
    let reconnects = text.matches("reconnecting").count();
    eprintln!("network faults: 1 stall, 1 cut, 1 restart survived; {reconnects} reconnects");
    assert!(reconnects >= 2, "{text}");
    assert_eq!(audit(&dv, 4), (4, 0, 0));
}
