//! Drafts stay current (#12) against a real Dovecot: a follow-up in the same thread replaces
//! our untouched earlier draft, a reply in Sent or `\Answered` on the original removes it, and
//! a draft an agent edited is never touched.

use crate::util::dovecot::{Dovecot, USER};
use crate::util::{mailtriage, path_str};

/// The body an agent gave the edited draft.
const CHECKED: &str = "Dear Kim, I have checked your laptops' sync myself: details follow.";

/// A customer message in the sync thread: `n` from 1, each naming the earlier ones.
fn message(n: u32) -> Vec<u8> {
    let refs: Vec<String> = (1..n).map(|i| format!("<sync{i}@example.org>")).collect();
    let threading = if refs.is_empty() {
        String::new()
    } else {
        format!(
            "In-Reply-To: {}\r\nReferences: {}\r\n",
            refs[refs.len() - 1],
            refs.join(" ")
        )
    };
    format!(
        "From: Kim Lee <kim@example.org>\r\nTo: support@example.com\r\nSubject: Sync stopped\r\n\
         Message-ID: <sync{n}@example.org>\r\n{threading}Date: Sun, 15 Nov 2026 1{n}:00:00 +0000\r\n\r\n\
         The file sync is down for everyone in our office since this morning (message {n}). Please help.\r\n"
    )
    .into_bytes()
}

fn once(dv: &Dovecot, extra: &str) -> String {
    let cfg = dv.config("plain", "");
    if !extra.is_empty() {
        let mut text = std::fs::read_to_string(&cfg).expect("config");
        text.push_str(extra);
        std::fs::write(&cfg, text).expect("config");
    }
    let out = mailtriage(&["--config", &path_str(&cfg), "once"], b"");
    let log = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{log}");
    log
}

/// The X-Mailtriage-Source of each draft in Drafts, in UID order.
pub(crate) fn sources(dv: &Dovecot) -> Vec<String> {
    dv.fetch("Drafts", "hdr.x-mailtriage-source")
        .iter()
        .filter_map(|d| {
            d.lines()
                .find_map(|l| l.strip_prefix("hdr.x-mailtriage-source:"))
                .map(|v| v.trim().to_string())
        })
        .collect()
}

/// What an agent's mail client does when a draft is edited and saved: the same headers, a
/// changed body, saved as a new message in Drafts and the old one expunged. The draft is
/// the first whose X-Mailtriage-Source is `source`.
pub(crate) fn edit_draft(dv: &Dovecot, source: &str, body: &str) {
    let raw = dv.fetch("Drafts", "uid hdr.x-mailtriage-source text");
    let first = raw
        .iter()
        .find(|d| d.contains(source))
        .unwrap_or_else(|| panic!("no draft for {source}"));
    let uid = first
        .lines()
        .find_map(|l| l.strip_prefix("uid:"))
        .map(|u| u.trim().to_string())
        .expect("uid");
    let text = first
        .split_once("text:")
        .map(|(_, t)| t.trim_start())
        .expect("text");
    let (head, _) = text.split_once("\n\n").expect("header and body");
    let edited = format!("{head}\n\n{body}\n");
    dv.deliver("Drafts", edited.as_bytes());
    dv.admin(&["expunge", "-u", USER, "mailbox", "Drafts", "uid", &uid]);
}

#[test]
fn three_messages_in_a_thread_leave_one_draft_answering_the_third() {
    let dv = Dovecot::start();
    for n in 1..=3 {
        dv.deliver("INBOX", &message(n));
        let log = once(&dv, "");
        if n > 1 {
            assert!(log.contains("superseded"), "{log}");
        }
        assert_eq!(
            sources(&dv),
            vec![format!("<sync{n}@example.org>")],
            "after message {n}"
        );
    }
}

#[test]
fn a_new_message_from_the_same_sender_on_the_same_subject_is_a_follow_up() {
    let dv = Dovecot::start();
    // Three messages with no In-Reply-To or References, as a customer writing afresh sends
    // them: the same sender and subject (once with a prefix and other capitals) make a thread.
    for n in 1..=3u32 {
        let raw = String::from_utf8_lossy(&message(1))
            .replace("sync1@", &format!("fresh{n}@"))
            .replace("(message 1)", &format!("(message {n})"))
            .replace(
                "Subject: Sync stopped",
                if n == 2 {
                    "Subject: AW: sync STOPPED"
                } else {
                    "Subject: Sync stopped"
                },
            );
        dv.deliver("INBOX", raw.as_bytes());
        once(&dv, "");
        assert_eq!(
            sources(&dv),
            vec![format!("<fresh{n}@example.org>")],
            "after message {n}"
        );
    }
    let bodies = dv.fetch("Drafts", "body");
    assert!(
        bodies
            .iter()
            .any(|b| b.contains("Thank you for following up.")),
        "the draft does not know it is a follow-up: {bodies:?}"
    );
    // Another customer on the same subject, or the same customer on another, is no follow-up.
    let other = String::from_utf8_lossy(&message(1))
        .replace("sync1@", "other@")
        .replace("kim@example.org", "lee@example.org");
    dv.deliver("INBOX", other.as_bytes());
    let changed = String::from_utf8_lossy(&message(1))
        .replace("sync1@", "invoice@")
        .replace("Subject: Sync stopped", "Subject: Invoice question");
    dv.deliver("INBOX", changed.as_bytes());
    let log = once(&dv, "");
    assert!(!log.contains("superseded"), "{log}");
    assert_eq!(sources(&dv).len(), 3);
}

#[test]
fn an_edited_draft_stays_and_the_follow_up_gets_its_own() {
    let dv = Dovecot::start();
    dv.deliver("INBOX", &message(1));
    once(&dv, "");
    edit_draft(&dv, "<sync1@example.org>", CHECKED);
    dv.deliver("INBOX", &message(2));
    let log = once(&dv, "");
    assert!(!log.contains("superseded"), "{log}");
    let mut got = sources(&dv);
    got.sort();
    assert_eq!(got, vec!["<sync1@example.org>", "<sync2@example.org>"]);
    let bodies = dv.fetch("Drafts", "body");
    assert!(
        bodies
            .iter()
            .any(|b| b.contains("I have checked your laptops")),
        "the edited draft is gone: {bodies:?}"
    );
}

#[test]
fn with_supersede_off_every_message_keeps_its_draft() {
    let dv = Dovecot::start();
    dv.deliver("INBOX", &message(1));
    once(&dv, "\n[drafts]\nsupersede = false\n");
    dv.deliver("INBOX", &message(2));
    once(&dv, "\n[drafts]\nsupersede = false\n");
    assert_eq!(sources(&dv).len(), 2);
}

#[test]
fn a_reply_in_sent_or_answered_removes_the_untouched_draft_never_an_edited_one() {
    let dv = Dovecot::start();
    // Message 1 is answered from Sent, message 2 by \Answered; both drafts untouched.
    let other = |n: u32| {
        String::from_utf8_lossy(&message(1))
            .replace("sync1@", &format!("other{n}@"))
            .replace("kim@", &format!("kim{n}@"))
            .into_bytes()
    };
    dv.deliver("INBOX", &other(1));
    dv.deliver("INBOX", &other(2));
    dv.deliver("INBOX", &other(3));
    once(&dv, "");
    assert_eq!(sources(&dv).len(), 3);
    dv.deliver(
        "Sent",
        b"From: Support <support@example.com>\r\nTo: kim1@example.org\r\nSubject: Re: Sync stopped\r\n\
          Message-ID: <reply1@example.com>\r\nIn-Reply-To: <other1@example.org>\r\n\
          References: <other1@example.org>\r\n\r\nFixed on our side.\r\n",
    );
    dv.admin(&[
        "flags",
        "add",
        "-u",
        USER,
        "\\Answered",
        "mailbox",
        "INBOX",
        "header",
        "Message-ID",
        "<other2@example.org>",
    ]);
    let log = once(&dv, "");
    assert_eq!(log.matches("answered elsewhere").count(), 2, "{log}");
    assert_eq!(sources(&dv), vec!["<other3@example.org>"]);

    // An edited draft stays even when its message is answered.
    let dv = Dovecot::start();
    dv.deliver("INBOX", &message(1));
    once(&dv, "");
    edit_draft(&dv, "<sync1@example.org>", CHECKED);
    dv.deliver(
        "Sent",
        b"From: Support <support@example.com>\r\nTo: kim@example.org\r\nSubject: Re: Sync stopped\r\n\
          Message-ID: <reply2@example.com>\r\nIn-Reply-To: <sync1@example.org>\r\n\r\nDone.\r\n",
    );
    let log = once(&dv, "");
    assert!(!log.contains("answered elsewhere"), "{log}");
    assert_eq!(sources(&dv), vec!["<sync1@example.org>"]);
}
