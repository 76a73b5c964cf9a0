//! Secrets never reach the log, whatever `RUST_LOG` opens: async-imap traces every command it
//! encodes, LOGIN and AUTHENTICATE included, so its records are capped (#14, finding 1).

use crate::util::dovecot::{Dovecot, Options, PASSWORD};
use crate::util::{fixtures, mailtriage_with_env, path_str};

/// Every level for every target, the IMAP library named explicitly.
pub const TRACE_ALL: &str = "trace,async_imap=trace,imap_proto=trace";

#[test]
fn the_password_is_not_logged_at_trace_level() {
    let dv = Dovecot::start_with(Options { tls: true });
    dv.deliver(
        "INBOX",
        &std::fs::read(fixtures().join("lat-en-billing-charged-twice.eml")).expect("fixture"),
    );
    let cfg = dv.config("tls", "");
    let out = mailtriage_with_env(
        &["--config", &path_str(&cfg), "once"],
        b"",
        &[("RUST_LOG", TRACE_ALL)],
    );
    let log = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{log}");
    assert_eq!(dv.count("Drafts"), 1, "{log}");
    // The filter really was open: the TLS library's handshake trace is in the log.
    assert!(
        log.contains("TRACE") && log.contains("rustls::"),
        "no trace output at all: {log}"
    );
    assert!(!log.contains(PASSWORD), "the password is in the log: {log}");
    assert!(
        !log.contains("async_imap"),
        "async-imap's trace is in the log"
    );
}
