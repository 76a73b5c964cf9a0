//! Folder names outside ASCII against a real Dovecot: a drafts folder named in the config
//! (no SPECIAL-USE) and archive folders read for the contact history, all of which travel
//! in modified UTF-7 (RFC 3501 5.1.3) on the wire.

use crate::util::dovecot::{Dovecot, USER};
use crate::util::{mailtriage, path_str};

const DRAFTS: &str = "Entwürfe";
const ARCHIVES: [&str; 2] = ["已归档", "Archivé & old"];

/// Creates a folder as an administrator would (doveadm takes UTF-8 names).
fn create_folder(dv: &Dovecot, name: &str) {
    dv.admin(&["mailbox", "create", "-u", USER, name]);
}

fn message(n: u32, subject: &str, body: &str) -> Vec<u8> {
    format!("From: Kim Lee <kim@example.org>\r\nTo: support@example.com\r\nSubject: {subject}\r\nMessage-ID: <fold{n}@example.org>\r\nDate: Sun, 15 Nov 2026 10:0{n}:00 +0000\r\n\r\n{body}\r\n").into_bytes()
}

fn run(cfg: &std::path::Path, command: &str) -> String {
    let out = mailtriage(&["--config", &path_str(cfg), command], b"");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0), "{command}: {text}");
    text
}

#[test]
fn non_ascii_drafts_and_archive_folders_work() {
    let dv = Dovecot::start();
    for f in [DRAFTS].iter().chain(&ARCHIVES) {
        create_folder(&dv, f);
    }
    // Two earlier messages from the customer, filed in the archives.
    dv.deliver(
        ARCHIVES[0],
        &message(1, "Export question", "How do I export my invoices as CSV?"),
    );
    dv.deliver(
        ARCHIVES[1],
        &message(2, "Export question again", "Is there an answer yet?"),
    );
    dv.deliver(
        "INBOX",
        &message(
            3,
            "Nobody calls back",
            "I have called you 10 times and nobody calls me back. This is the third email.",
        ),
    );
    let cfg = dv.config(
        "plain",
        &format!(
            "drafts = \"{DRAFTS}\"\narchive_folders = [\"{}\", \"{}\"]\n",
            ARCHIVES[0], ARCHIVES[1]
        ),
    );

    let check = run(&cfg, "check");
    assert!(
        check.contains(&format!("drafts go to \"{DRAFTS}\"")),
        "check does not name the drafts folder readably: {check}"
    );

    run(&cfg, "once");
    // The configured folder wins over the harness's \Drafts folder.
    assert_eq!(dv.count(DRAFTS), 1, "no draft in {DRAFTS}");
    assert_eq!(dv.count("Drafts"), 0, "a draft went to the \\Drafts folder");
    let draft = dv.fetch(DRAFTS, "hdr")[0].replace("\n ", " ");
    assert!(draft.contains("fold3@example.org"), "{draft}");
    // Both archive folders were read: three messages from Kim, not the inbox's one.
    assert!(
        draft.contains("contact_history 3 messages, 0 replies, claimed 10"),
        "{draft}"
    );

    // A second pass finds the draft in the non-ASCII folder and adds nothing.
    dv.remove_flags("INBOX", "$Triaged");
    run(&cfg, "once");
    assert_eq!(dv.count(DRAFTS), 1, "a second draft in {DRAFTS}");
}
