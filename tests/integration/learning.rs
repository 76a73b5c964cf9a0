//! Agents teach it (#12) against a real Dovecot: an agent's change of the category keyword on
//! an original is recorded once in the journal with the text, `mailtriage learn` trains the
//! local model on it, and the next similar message is classified as the agents corrected.

use crate::util::dovecot::Dovecot;
use crate::util::{mailtriage, path_str};

const OPENINGS: [&str; 5] = [
    "Hello,",
    "Hi team,",
    "Good morning,",
    "Dear support,",
    "Hi there,",
];
const CLOSINGS: [&str; 5] = [
    "Thanks, {n}",
    "Best regards, {n}",
    "Kind regards,\r\n{n}",
    "Cheers, {n}",
    "Many thanks\r\n{n}",
];
const NAMES: [&str; 10] = [
    "Maria", "Tom", "Anil", "Sofia", "Jonas", "Lea", "Pedro", "Yuki", "Omar", "Ines",
];
const SUBJECTS: [&str; 5] = [
    "VAT number on invoices",
    "Invoice details",
    "Tax ID",
    "Please add VAT number",
    "Company details for invoices",
];
/// How customers ask for their VAT number on invoices, in the mail the agents corrected.
const ASKS: [&str; 5] = [
    "could you please add our VAT number {v} to all future invoices?",
    "please put our company VAT ID {v} on the invoices from now on.",
    "our accountant needs the VAT number {v} printed on every invoice; can you add it?",
    "we would like our tax number {v} shown on the invoices going forward.",
    "can the VAT registration {v} be included on our next invoices?",
];
/// Other wordings of the same request, never corrected: the "next similar messages".
const NEW_ASKS: [&str; 3] = [
    "would it be possible to print our VAT number {v} on the invoices you send us?",
    "for our bookkeeping we need VAT ID {v} on each invoice, please add it.",
    "kindly include our VAT number {v} on future invoices.",
];

fn message(i: usize, ask: &str, id: &str) -> Vec<u8> {
    let n = NAMES[i % NAMES.len()];
    let body = format!(
        "{}\r\n\r\n{}\r\n\r\n{}\r\n",
        OPENINGS[i % 5],
        ask.replace("{v}", &format!("GB{}", 100_000_000 + i * 7919)),
        CLOSINGS[(i + i / 5) % 5].replace("{n}", n)
    );
    format!(
        "From: {n} <{}{i}@customer{i}.example>\r\nTo: support@example.com\r\nSubject: {}\r\n\
         Message-ID: <{id}{i}@customer.example>\r\nDate: Thu, 03 Dec 2026 10:00:00 +0000\r\n\r\n{body}",
        n.to_lowercase(),
        SUBJECTS[i % 5]
    )
    .into_bytes()
}

/// The category `triage --json` gives each file, with whatever model the config leads to.
fn categories(cfg: &str, files: &[String]) -> Vec<String> {
    let mut args = vec!["--config", cfg, "triage", "--json"];
    args.extend(files.iter().map(String::as_str));
    let out = mailtriage(&args, b"");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("json");
            v["category"].as_str().unwrap_or("").to_string()
        })
        .collect()
}

fn run(cfg: &str, cmd: &str) -> String {
    let out = mailtriage(&["--config", cfg, cmd], b"");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{cmd}: {text}");
    text
}

fn corrections_in_journal(dv: &Dovecot) -> usize {
    let dir = dv.dir.path().join("state-mailtriage");
    std::fs::read_dir(&dir)
        .expect("state dir")
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "journal"))
        .map(|e| {
            std::fs::read_to_string(e.path())
                .expect("journal")
                .lines()
                .filter(|l| l.contains("\"event\":\"corrected\""))
                .count()
        })
        .sum()
}

#[test]
fn fifty_keyword_corrections_are_recorded_once_learned_and_move_the_next_similar_message() {
    let dv = Dovecot::start();
    let cfg = path_str(&dv.config("plain", ""));
    // The built-in model already files about half of these wordings as requests (its corpus
    // has invoice requests); of 130, enough are still filed as billing for 50 corrections.
    for i in 0..130 {
        dv.deliver("INBOX", &message(i, ASKS[(i / 5) % ASKS.len()], "vat"));
    }
    run(&cfg, "once");
    let tagged = dv.flags("INBOX");
    let billing: Vec<u32> = tagged
        .iter()
        .filter(|(_, f)| f.split_whitespace().any(|k| k == "triage:billing"))
        .map(|(u, _)| *u)
        .collect();
    assert!(
        billing.len() >= 50,
        "the built-in model should file most VAT-number requests as billing: {tagged:?}"
    );

    // The team files these as requests: agents change the keyword in their mail client.
    let uids: Vec<String> = billing.iter().take(50).map(u32::to_string).collect();
    dv.change_keyword(&uids.join(","), "triage:billing", "triage:request");
    run(&cfg, "once");
    assert_eq!(corrections_in_journal(&dv), 50);
    run(&cfg, "once");
    assert_eq!(
        corrections_in_journal(&dv),
        50,
        "each correction is recorded once"
    );
    let check = run(&cfg, "check");
    assert!(
        check.contains("50 corrections by agents recorded, 0 of them learned"),
        "{check}"
    );

    // Before learning, new wordings of the same request are billing; after, requests.
    let dir = dv.dir.path().join("next");
    std::fs::create_dir_all(&dir).expect("dir");
    let files: Vec<String> = (0..9)
        .map(|i| {
            let path = dir.join(format!("{i}.eml"));
            std::fs::write(&path, message(100 + i, NEW_ASKS[i % 3], "next")).expect("write");
            path_str(&path)
        })
        .collect();
    let count = |cats: &[String], c: &str| cats.iter().filter(|x| *x == c).count();
    let before = categories(&cfg, &files);
    let learned = run(&cfg, "learn");
    assert!(learned.contains("billing → request: 50"), "{learned}");
    let after = categories(&cfg, &files);
    eprintln!("{learned}before learning: {before:?}\nafter: {after:?}");
    assert!(
        count(&after, "request") >= 7 && count(&after, "request") > count(&before, "request") + 4,
        "before learning {before:?}, after {after:?}"
    );
    let check = run(&cfg, "check");
    assert!(check.contains("model: local"), "{check}");
    assert!(check.contains("50 of them learned"), "{check}");

    // The daemon picks it up: the next similar message in the inbox is tagged as corrected.
    dv.deliver("INBOX", &message(200, NEW_ASKS[0], "later"));
    run(&cfg, "once");
    let last = dv.flags("INBOX").into_iter().max_by_key(|(u, _)| *u);
    assert!(
        last.as_ref()
            .is_some_and(|(_, f)| f.split_whitespace().any(|k| k == "triage:request")),
        "{last:?}"
    );
}
