//! The only network code. [`Mailbox`] is what the daemon loop needs from a mailbox — find
//! pending messages, fetch them, look for existing drafts, append drafts, tag originals, read
//! contact history, wait for new mail — so the loop is tested against an in-memory stub and
//! [`session::ImapMailbox`] implements it over async-imap against a real server.

pub mod connect;
pub mod session;
pub mod state;
pub mod survey;

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::time::Duration;

use crate::facts::ContactHistory;
use crate::shutdown::Shutdown;

/// Anything that can go wrong talking to the server. All of them end the connection; the
/// daemon reconnects with backoff.
#[derive(Debug, thiserror::Error)]
pub enum ImapError {
    #[error("{} timed out", server_text(.0))]
    Timeout(String),
    #[error("network: {0}")]
    Io(#[from] std::io::Error),
    #[error("TLS: {}", server_text(.0))]
    Tls(String),
    #[error("{} does not offer STARTTLS; refusing to continue in plaintext (use security = \"tls\" if it supports implicit TLS)", server_text(.0))]
    StartTlsUnavailable(String),
    #[error("authentication: {}", server_text(.0))]
    Auth(String),
    #[error("folder: {}", server_text(.0))]
    Folder(String),
    #[error("protocol: {}", server_text(.0))]
    Protocol(String),
    #[error("state file: {}", server_text(.0))]
    State(String),
    /// The server sent more for these UIDs than the partial FETCH asked for; the connection
    /// is closed, since what it sends next cannot be trusted.
    #[error("the server sent more than the bytes asked for (UIDs {0:?}); reconnecting")]
    Overrun(Vec<u32>),
}

/// The longest server or library text an error shows, in characters.
pub const MAX_SERVER_TEXT: usize = 300;

/// Text from the server or the IMAP library as it may be printed: control characters (CR, LF,
/// ANSI escapes, bidi overrides) shown as escapes so they cannot forge log lines, and cut to
/// [`MAX_SERVER_TEXT`] characters with the size of what was cut.
pub fn server_text(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    for c in chars.by_ref().take(MAX_SERVER_TEXT) {
        if c.is_control()
            || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    let rest = chars.as_str().len();
    if rest > 0 {
        out.push_str(&format!("… ({rest} more bytes)"));
    }
    out
}

impl From<async_imap::error::Error> for ImapError {
    fn from(e: async_imap::error::Error) -> Self {
        match e {
            async_imap::error::Error::Io(io) => ImapError::Io(io),
            // A bad response can carry a whole literal: keep only what an error shows.
            other => ImapError::Protocol(server_text(&other.to_string())),
        }
    }
}

impl ImapError {
    /// Login problems that retrying will not fix (a wrong password, no STARTTLS, bad TLS).
    pub fn is_permanent(&self) -> bool {
        matches!(
            self,
            ImapError::Auth(_)
                | ImapError::StartTlsUnavailable(_)
                | ImapError::Tls(_)
                | ImapError::Folder(_)
        )
    }
}

/// A message waiting for triage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pending {
    pub uid: u32,
    pub size: u64,
}

/// The keywords of some inbox messages, as [`Mailbox::keywords`] read them.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct KeywordScan {
    /// The keywords (not system flags) of each message answered; with `changed_since`, only
    /// the messages changed since.
    pub keywords: Vec<(u32, Vec<String>)>,
    /// The highest MODSEQ answered (CONDSTORE servers only).
    pub modseq: Option<u64>,
}

/// Why waiting for mail ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wake {
    /// The server reported a change (or the poll interval passed): look for work.
    Changed,
    /// Nothing happened within the wait; look anyway (cheap) and wait again.
    Timeout,
    /// Shutdown was asked for while waiting.
    Shutdown,
}

/// A support mailbox as the daemon loop sees it.
pub trait Mailbox: Send {
    /// Messages in the inbox not yet triaged, in UID order.
    fn pending(&mut self) -> impl Future<Output = Result<Vec<Pending>, ImapError>> + Send;
    /// Raw bytes of the given messages, without setting \Seen. Missing UIDs (expunged) are absent.
    fn fetch(
        &mut self,
        uids: &[u32],
    ) -> impl Future<Output = Result<Vec<(u32, Vec<u8>)>, ImapError>> + Send;
    /// Which of `keys` are X-Mailtriage-Source values of drafts in Drafts (message-ids without
    /// brackets). Only the keys asked come back: a copy of every draft's would be a mailbox's
    /// worth of strings for every batch.
    fn drafted(
        &mut self,
        keys: &[&str],
    ) -> impl Future<Output = Result<HashSet<String>, ImapError>> + Send;
    /// Appends drafts to Drafts with \Draft \Seen, in order.
    fn append_drafts(
        &mut self,
        drafts: &[&[u8]],
    ) -> impl Future<Output = Result<(), ImapError>> + Send;
    /// Our drafts answering these messages (Message-IDs without brackets) whose body still
    /// matches their X-Mailtriage-Digest, i.e. no agent or client changed them: (UID in
    /// Drafts, the Message-ID answered).
    fn untouched_drafts(
        &mut self,
        sources: &HashSet<String>,
    ) -> impl Future<Output = Result<Vec<(u32, String)>, ImapError>> + Send;
    /// The Message-IDs our drafts in Drafts answer.
    fn drafted_sources(&mut self) -> impl Future<Output = Result<Vec<String>, ImapError>> + Send;
    /// For each (sender address, subject): the Message-IDs answered by our drafts to that
    /// address on that subject (reply prefixes aside), dated within `days` — a follow-up that
    /// does not name the earlier message.
    fn drafts_to(
        &mut self,
        keys: &[(String, String)],
        days: u32,
    ) -> impl Future<Output = Result<Vec<Vec<String>>, ImapError>> + Send;
    /// Removes these drafts (`UID STORE +FLAGS (\Deleted)`, `UID EXPUNGE` of exactly them);
    /// returns how many, 0 on a server without UIDPLUS (never a plain EXPUNGE).
    fn remove_drafts(
        &mut self,
        uids: &[u32],
    ) -> impl Future<Output = Result<usize, ImapError>> + Send;
    /// Which of these messages got an answer another way: `\Answered` on the original, or a
    /// reply in Sent naming it in In-Reply-To or References.
    fn answered(
        &mut self,
        sources: &[String],
    ) -> impl Future<Output = Result<HashSet<String>, ImapError>> + Send;
    /// Marks an original as handled with these keywords (and \Flagged when `flagged`).
    fn mark(
        &mut self,
        uids: &[u32],
        keywords: &[String],
        flagged: bool,
    ) -> impl Future<Output = Result<(), ImapError>> + Send;
    /// The inbox's UIDVALIDITY when the server stores our keywords, so agents can correct
    /// them; None on a server without keywords (corrections are off there).
    fn keyword_validity(&mut self) -> impl Future<Output = Result<Option<u32>, ImapError>> + Send;
    /// The keywords of these inbox messages; with CONDSTORE and `changed_since`, only of
    /// those changed since that MODSEQ (else all of them: the caller bounds the set).
    fn keywords(
        &mut self,
        uids: &[u32],
        changed_since: Option<u64>,
    ) -> impl Future<Output = Result<KeywordScan, ImapError>> + Send;
    /// Each sender's contact history over the last `days` days, in one round of searches.
    fn history(
        &mut self,
        senders: &[String],
        days: u32,
    ) -> impl Future<Output = Result<HashMap<String, ContactHistory>, ImapError>> + Send;
    /// Waits up to `max` for new mail (IDLE or a poll interval), or until shutdown.
    fn wait(
        &mut self,
        max: Duration,
        shutdown: &mut Shutdown,
    ) -> impl Future<Output = Result<Wake, ImapError>> + Send;
    /// Ends the session politely.
    fn logout(&mut self) -> impl Future<Output = ()> + Send;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_text_cannot_forge_log_lines_or_flood_them() {
        let forged = "NO refused\r\n2026-12-04 INFO login ok \u{1b}[31mred\u{202e}";
        let shown = ImapError::Auth(forged.into()).to_string();
        assert!(
            !shown.contains(['\r', '\n', '\u{1b}', '\u{202e}']),
            "{shown}"
        );
        assert!(
            shown.contains("\\r\\n") && shown.contains("\\u{1b}"),
            "{shown}"
        );
        let huge = "x".repeat(50 << 20);
        let shown = ImapError::Protocol(huge).to_string();
        assert!(shown.len() < 400, "{} bytes", shown.len());
        assert!(shown.ends_with(&format!("… ({} more bytes)", (50 << 20) - MAX_SERVER_TEXT)));
    }
}
