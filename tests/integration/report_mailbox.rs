//! `mailtriage report` against a real Dovecot that the test fills the way agents work: drafts
//! sent unchanged, edited, rewritten, deleted, left pending, superseded by a follow-up and
//! answered elsewhere; one category corrected. The JSON must give exactly those counts.

use std::collections::HashMap;

use crate::util::dovecot::{Dovecot, USER};
use crate::util::{mailtriage, path_str};

const TEXTS: [&str; 7] = [
    "I cannot log in since this morning: the password is rejected every time.",
    "Invoice INV-2231 charges us twice for the same month. Please correct it.",
    "The app crashes when I open the calendar since the update yesterday.",
    "Your status page says all is fine but the website is down for our whole office!",
    "How do I export all my contacts to a CSV file?",
    "Please add our new colleague Dana to our company account.",
    "The sync of shared folders stopped on every laptop in our team.",
];

fn customer(n: usize, text: &str, references: Option<usize>) -> Vec<u8> {
    let threading = references.map_or(String::new(), |r| {
        format!("In-Reply-To: <c{r}@example.org>\r\nReferences: <c{r}@example.org>\r\n")
    });
    format!(
        "From: Customer {n} <c{n}@customer{n}.example>\r\nTo: support@example.com\r\n\
         Subject: Problem {n}\r\nMessage-ID: <c{n}@example.org>\r\n{threading}\
         Date: Thu, 03 Dec 2026 09:0{n}:00 +0000\r\n\r\n{text}\r\n\r\nRegards,\r\nCustomer {n}\r\n"
    )
    .into_bytes()
}

fn sent(n: usize, body: &str) -> Vec<u8> {
    format!(
        "From: Support <support@example.com>\r\nTo: c{n}@customer{n}.example\r\n\
         Subject: Re: Problem {n}\r\nMessage-ID: <reply{n}@example.com>\r\n\
         In-Reply-To: <c{n}@example.org>\r\nReferences: <c{n}@example.org>\r\n\
         Date: Thu, 03 Dec 2026 12:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         {}\r\n",
        body.replace('\n', "\r\n")
    )
    .into_bytes()
}

fn run(cfg: &str, args: &[&str]) -> String {
    let mut all = vec!["--config", cfg];
    all.extend_from_slice(args);
    let out = mailtriage(&all, b"");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{args:?}: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The body of each draft made, by the Message-ID it answers, from the daemon's journal.
fn drafted_bodies(dv: &Dovecot) -> HashMap<String, String> {
    let dir = dv.dir.path().join("state-mailtriage");
    let mut out = HashMap::new();
    for entry in std::fs::read_dir(dir).expect("state dir").flatten() {
        if entry.path().extension().is_none_or(|x| x != "journal") {
            continue;
        }
        for line in std::fs::read_to_string(entry.path())
            .expect("journal")
            .lines()
        {
            let v: serde_json::Value = serde_json::from_str(line).expect("json line");
            if v["event"] == "drafted" {
                out.insert(
                    v["source"].as_str().unwrap_or("").to_string(),
                    v["body"].as_str().unwrap_or("").to_string(),
                );
            }
        }
    }
    out
}

/// What an agent's client does to a draft it sends or deletes: it leaves Drafts.
fn delete_draft(dv: &Dovecot, source: &str) {
    dv.admin(&[
        "expunge",
        "-u",
        USER,
        "mailbox",
        "Drafts",
        "header",
        "X-Mailtriage-Source",
        source,
    ]);
}

#[test]
fn report_json_counts_what_agents_did_with_the_drafts() {
    let dv = Dovecot::start();
    let cfg = path_str(&dv.config("plain", ""));
    for (i, text) in TEXTS.iter().enumerate() {
        dv.deliver("INBOX", &customer(i + 1, text, None));
    }
    run(&cfg, &["once"]);
    let bodies = drafted_bodies(&dv);
    assert_eq!(bodies.len(), 7, "{bodies:?}");
    let body = |n: usize| bodies[&format!("c{n}@example.org")].clone();

    // 1: sent unchanged (the client quotes the customer below the reply).
    dv.deliver(
        "Sent",
        &sent(
            1,
            &format!(
                "{}\n\nOn Thu, 3 Dec 2026 at 09:01, Customer 1 <c1@customer1.example> wrote:\n> {}\n",
                body(1),
                TEXTS[0]
            ),
        ),
    );
    delete_draft(&dv, "<c1@example.org>");
    // 2: edited — a paragraph of a fifth of the draft's length added.
    let words = body(2).split_whitespace().count();
    let extra: Vec<&str> =
        "I have also looked at your other invoices this year and they are correct"
            .split(' ')
            .cycle()
            .take(words / 5)
            .collect();
    dv.deliver(
        "Sent",
        &sent(2, &format!("{}\n\n{}.", body(2), extra.join(" "))),
    );
    delete_draft(&dv, "<c2@example.org>");
    // 3: rewritten from scratch.
    dv.deliver(
        "Sent",
        &sent(
            3,
            "Hi, a fix for the calendar crash is rolling out today; version 4.2.1 has it. \
             Reinstalling is not needed. Tell me if it persists after updating. Sam",
        ),
    );
    delete_draft(&dv, "<c3@example.org>");
    // 4: the customer writes again in the thread: the untouched draft is superseded.
    dv.deliver(
        "INBOX",
        &customer(8, "Still down, nothing loads at all.", Some(4)),
    );
    // 5: left pending, but an agent corrects its category.
    // 6: an agent deletes the draft without sending anything.
    delete_draft(&dv, "<c6@example.org>");
    // 7: answered from another client: the untouched draft is removed.
    dv.deliver(
        "Sent",
        &sent(7, "We restarted the sync service; it works again."),
    );
    run(&cfg, &["once"]);

    let flags = dv.flags("INBOX");
    let (uid5, from) = flags
        .iter()
        .find_map(|(u, f)| {
            let c = f
                .split_whitespace()
                .find_map(|k| k.strip_prefix("triage:"))?;
            (*u == 5).then(|| (*u, c.to_string()))
        })
        .expect("message 5 has a category");
    let to = if from == "billing" {
        "login"
    } else {
        "billing"
    };
    dv.change_keyword(
        &uid5.to_string(),
        &format!("triage:{from}"),
        &format!("triage:{to}"),
    );
    run(&cfg, &["once"]);

    let json = run(&cfg, &["report", "--json"]);
    let r: serde_json::Value = serde_json::from_str(json.trim()).expect("one JSON object");
    for key in [
        "period",
        "messages",
        "by_category",
        "by_language",
        "skips",
        "drafts",
        "templates",
        "corrections",
        "latency",
    ] {
        assert!(r.get(key).is_some(), "no {key}: {json}");
    }
    let d = &r["drafts"];
    let expected = [
        ("made", 8),
        ("pending", 2),
        ("sent_unchanged", 1),
        ("sent_edited", 1),
        ("rewritten", 1),
        ("removed", 2),
        ("discarded", 1),
    ];
    for (key, n) in expected {
        assert_eq!(d[key], n, "drafts.{key}: {json}");
    }
    assert_eq!(r["messages"]["total"], 8, "{json}");
    let by_category: u64 = r["by_category"]
        .as_object()
        .expect("object")
        .values()
        .filter_map(serde_json::Value::as_u64)
        .sum();
    assert_eq!(by_category, 8, "{json}");
    assert_eq!(r["by_language"]["en"], 8, "{json}");
    assert_eq!(
        r["corrections"],
        serde_json::json!([{"from": from, "to": to, "count": 1}]),
        "{json}"
    );
    assert!(
        r["by_category"][to].as_u64().is_some_and(|n| n >= 1),
        "{json}"
    );
    let per_template: u64 = r["templates"]
        .as_object()
        .expect("object")
        .values()
        .filter_map(|t| t["made"].as_u64())
        .sum();
    assert_eq!(per_template, 8, "{json}");
    assert_eq!(r["latency"]["to_draft"]["count"], 8, "{json}");
    assert_eq!(r["latency"]["to_answer"]["count"], 4, "{json}");

    // The same as a page, and as text.
    let page = dv.dir.path().join("report.html");
    run(&cfg, &["report", "--html", &path_str(&page)]);
    let html = std::fs::read_to_string(&page).expect("page");
    assert_eq!(html.matches("<svg").count(), 2, "{html}");
    let text = run(&cfg, &["report"]);
    assert!(
        text.contains("8 made: 2 pending, 1 sent unchanged, 1 sent edited, 1 rewritten, 2 removed, 1 discarded"),
        "{text}"
    );
}
