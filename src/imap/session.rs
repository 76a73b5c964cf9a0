//! [`ImapMailbox`]: the [`Mailbox`] of a real server over async-imap. Folders come from
//! SPECIAL-USE (or the config); pending work is a UID SEARCH for messages without `$Triaged`
//! (or the local state file where the server has no keywords); bodies are fetched with
//! `BODY.PEEK[]` so nothing becomes \Seen; drafts go in with MULTIAPPEND + LITERAL+ where
//! offered, else one APPEND each.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use async_imap::extensions::idle::IdleResponse;
use async_imap::imap_proto::NameAttribute;
use chrono::Utc;
use futures::TryStreamExt;

use super::connect::{login, timed, ImapSession, ReadBudget};
use super::state::LocalState;
use super::{ImapError, KeywordScan, Mailbox, Pending, Wake};
use crate::config::{ImapConfig, Mode};
use crate::draft::Fingerprint;
use crate::facts::ContactHistory;
use crate::shutdown::Shutdown;

/// Most drafts sent in one MULTIAPPEND command, and most bytes.
const MULTIAPPEND_DRAFTS: usize = 100;
const MULTIAPPEND_BYTES: usize = 4 * 1024 * 1024;

/// What the server can do, read once after login.
#[derive(Debug, Clone, Copy, Default)]
pub struct Caps {
    pub idle: bool,
    pub multiappend: bool,
    pub literal_plus: bool,
    /// `UID EXPUNGE` (RFC 4315): without it no draft is ever removed.
    pub uidplus: bool,
    /// CONDSTORE (RFC 7162): keyword changes are asked for by MODSEQ, not read in full.
    pub condstore: bool,
}

/// What a FETCH response may add to each body it carries (the FETCH line, flags, UID).
const FETCH_OVERHEAD: u64 = 16 * 1024;

/// A logged-in mailbox.
pub struct ImapMailbox {
    pub(super) cfg: ImapConfig,
    session: Option<ImapSession>,
    /// Bounds what a FETCH of bodies may read, whatever the server announced.
    budget: ReadBudget,
    pub caps: Caps,
    /// Encoded (modified UTF-7) names.
    pub(super) inbox: String,
    pub drafts: String,
    pub sent: Option<String>,
    inbox_selected: bool,
    /// Drafts' UIDVALIDITY while Drafts is the selected mailbox.
    drafts_selected: Option<u32>,
    /// The server stores custom keywords (PERMANENTFLAGS has `\*`).
    pub keywords: bool,
    pub uid_validity: u32,
    state: Option<LocalState>,
    /// The keys of the messages drafted ([`source_of`]), each as its [`Fingerprint`].
    drafted: HashSet<Fingerprint>,
    /// Our drafts in Drafts by UID: the Message-ID they answer and X-Mailtriage-Digest.
    ours: HashMap<u32, OurDraft>,
    drafts_validity: u32,
    drafts_last_uid: u32,
    /// "No UIDPLUS: drafts are never removed" is said once per connection.
    said_no_uidplus: bool,
    /// Message-IDs of the inbox messages seen `\Answered`, by UID, for this UIDVALIDITY.
    answered_ids: (u32, HashMap<u32, String>),
    /// Who wrote when, per folder (inbox, archives: From; Sent: To and Cc), kept up to date by UID.
    indexes: HashMap<String, AddressIndex>,
}

/// One of our drafts in Drafts, as its headers say. Kept for every draft of ours for as long
/// as the connection lives, so kept small: strings that are only ever compared are kept as
/// their [`Fingerprint`].
#[derive(Debug, Clone)]
struct OurDraft {
    /// The Message-ID it answers (X-Mailtriage-Source, no brackets).
    source: Box<str>,
    /// X-Mailtriage-Digest: absent on a draft made before digests, never removed.
    digest: Option<Box<str>>,
    /// The lower-case address in To and the subject without reply prefixes ([`thread_key`]):
    /// a follow-up from the same customer on the same subject replaces it. None without a
    /// subject.
    thread: Option<Fingerprint>,
    date: Option<chrono::DateTime<Utc>>,
}

/// What the Drafts and address indexes keep of a string they only compare.
fn fingerprint(text: &str) -> Fingerprint {
    crate::draft::fingerprint(text.as_bytes())
}

/// The thread a draft or a follow-up belongs to: its customer's address and subject, as
/// [`thread_subject`] has it; None without a subject.
fn thread_key(to: &str, subject: &str) -> Option<Fingerprint> {
    let subject = thread_subject(subject);
    (!subject.is_empty()).then(|| fingerprint(&format!("{}\n{subject}", to.to_lowercase())))
}

/// The dates on which each address appears in one folder, built incrementally by UID, so
/// contact history costs one FETCH of new headers rather than a SEARCH per sender.
#[derive(Debug, Default)]
struct AddressIndex {
    validity: u32,
    last_uid: u32,
    /// By the [`Fingerprint`] of each lower-case address: an index of the whole inbox lives
    /// as long as the connection.
    dates: HashMap<Fingerprint, Vec<chrono::NaiveDate>>,
    /// Fingerprints of the Message-IDs the folder's messages reply to (In-Reply-To,
    /// References), where those headers were asked for: in Sent, what has been answered from
    /// there.
    replied: HashSet<Fingerprint>,
}

/// The header fields Sent is indexed by: its recipients (contact history) and what its
/// messages answer (answered elsewhere).
const SENT_FIELDS: &str = "TO CC IN-REPLY-TO REFERENCES";

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Compresses sorted UIDs into an IMAP set: `1:3,7,9:10`.
pub fn uid_set(uids: &[u32]) -> String {
    let mut sorted = uids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut out = String::new();
    let mut i = 0;
    while i < sorted.len() {
        let start = sorted[i];
        let mut end = start;
        while i + 1 < sorted.len() && sorted[i + 1] == end + 1 {
            i += 1;
            end = sorted[i];
        }
        if !out.is_empty() {
            out.push(',');
        }
        if start == end {
            out.push_str(&start.to_string());
        } else {
            out.push_str(&format!("{start}:{end}"));
        }
        i += 1;
    }
    out
}

/// Encodes a folder name in modified UTF-7 (RFC 3501 5.1.3), as servers expect.
pub fn utf7_encode(name: &str) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let mut pending: Vec<u16> = Vec::new();
    let flush = |pending: &mut Vec<u16>, out: &mut String| {
        if pending.is_empty() {
            return;
        }
        let bytes: Vec<u8> = pending.iter().flat_map(|u| u.to_be_bytes()).collect();
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";
        out.push('&');
        for chunk in bytes.chunks(3) {
            let n = (u32::from(chunk[0]) << 16)
                | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
                | u32::from(*chunk.get(2).unwrap_or(&0));
            let chars = chunk.len() + 1;
            for k in 0..chars {
                out.push(A[((n >> (18 - 6 * k)) & 63) as usize] as char);
            }
        }
        out.push('-');
        pending.clear();
    };
    for c in name.chars() {
        if (' '..='~').contains(&c) {
            flush(&mut pending, &mut out);
            if c == '&' {
                out.push_str("&-");
            } else {
                let _ = write!(out, "{c}");
            }
        } else {
            let mut buf = [0u16; 2];
            pending.extend_from_slice(c.encode_utf16(&mut buf));
        }
    }
    flush(&mut pending, &mut out);
    out
}

/// Decodes a modified UTF-7 folder name from the server (RFC 3501 5.1.3), for messages
/// and `check`; commands keep the encoded name. A malformed name is returned as it came.
pub fn utf7_decode(name: &str) -> String {
    fn decode(name: &str) -> Option<String> {
        let mut out = String::new();
        let mut rest = name;
        while let Some(start) = rest.find('&') {
            out.push_str(&rest[..start]);
            let after = &rest[start + 1..];
            let end = after.find('-')?;
            let b64 = &after[..end];
            rest = &after[end + 1..];
            if b64.is_empty() {
                out.push('&');
                continue;
            }
            let mut bits = 0u32;
            let mut nbits = 0;
            let mut units = Vec::new();
            for c in b64.bytes() {
                let v = match c {
                    b'A'..=b'Z' => c - b'A',
                    b'a'..=b'z' => c - b'a' + 26,
                    b'0'..=b'9' => c - b'0' + 52,
                    b'+' => 62,
                    b',' => 63,
                    _ => return None,
                };
                bits = (bits << 6) | u32::from(v);
                nbits += 6;
                if nbits >= 16 {
                    nbits -= 16;
                    units.push((bits >> nbits) as u16);
                    bits &= (1 << nbits) - 1;
                }
            }
            out.push_str(&String::from_utf16(&units).ok()?);
        }
        out.push_str(rest);
        Some(out)
    }
    decode(name).unwrap_or_else(|| name.to_string())
}

impl ImapMailbox {
    /// Brings the index of Drafts up to date: what was added since the last lookup.
    async fn refresh_drafts(&mut self) -> Result<(), ImapError> {
        let validity = match self.drafts_selected {
            // Selected since the last lookup: a NOOP has the server report what was added
            // since (our APPEND, an agent's save).
            Some(validity) => {
                timed(self.cfg.timeout, "NOOP", self.session()?.noop()).await?;
                validity
            }
            None => self.select_drafts().await?,
        };
        if validity != self.drafts_validity {
            self.drafted.clear();
            self.ours.clear();
            self.drafts_last_uid = 0;
            self.drafts_validity = validity;
        }
        let t = self.cfg.timeout * 4;
        let from = self.drafts_last_uid + 1;
        let s = self.session()?;
        let fetches = timed(
            t,
            "UID FETCH drafts",
            uid_fetch_checked(s, &format!("{from}:*"), "BODY.PEEK[HEADER]"),
        )
        .await?;
        for (uid, header) in &fetches {
            if *uid < from {
                continue;
            }
            self.drafts_last_uid = self.drafts_last_uid.max(*uid);
            if let Some(src) = source_of(header) {
                self.drafted.insert(fingerprint(&src));
            }
            let id = header_value(header, "x-mailtriage-source:").unwrap_or_default();
            let id = id.trim().trim_start_matches('<').trim_end_matches('>');
            if !id.is_empty() {
                let parsed = mail_parser::MessageParser::default().parse_headers(header.as_slice());
                let to = parsed
                    .as_ref()
                    .and_then(|m| m.to()?.first()?.address())
                    .unwrap_or_default();
                let subject = parsed
                    .as_ref()
                    .and_then(|m| m.subject())
                    .unwrap_or_default();
                let date = parsed
                    .as_ref()
                    .and_then(|m| m.date())
                    .and_then(|d| chrono::DateTime::from_timestamp(d.to_timestamp(), 0));
                self.ours.insert(
                    *uid,
                    OurDraft {
                        source: id.into(),
                        digest: header_value(header, "x-mailtriage-digest:")
                            .map(String::into_boxed_str),
                        thread: thread_key(to, subject),
                        date,
                    },
                );
            }
        }
        Ok(())
    }

    /// Logs in, finds the folders and selects the inbox.
    pub async fn connect(cfg: &ImapConfig) -> Result<ImapMailbox, ImapError> {
        let budget = ReadBudget::default();
        // Nothing the daemon reads is longer than a body it may fetch (headers are shorter).
        budget.max_literal(cfg.max_message_size.saturating_add(1));
        let mut session = login(cfg, &budget).await?;
        let t = cfg.timeout;
        let caps = timed(t, "CAPABILITY", session.capabilities()).await?;
        let caps = Caps {
            idle: caps.has_str("IDLE"),
            multiappend: caps.has_str("MULTIAPPEND"),
            literal_plus: caps.has_str("LITERAL+"),
            uidplus: caps.has_str("UIDPLUS"),
            condstore: caps.has_str("CONDSTORE"),
        };
        let names: Vec<(String, bool, bool)> = timed(t, "LIST", async {
            let list = session.list(Some(""), Some("*")).await?;
            let names: Vec<_> = list.try_collect().await?;
            Ok::<_, async_imap::error::Error>(
                names
                    .iter()
                    .map(|n| {
                        let a = n.attributes();
                        (
                            n.name().to_string(),
                            a.contains(&NameAttribute::Drafts),
                            a.contains(&NameAttribute::Sent),
                        )
                    })
                    .collect(),
            )
        })
        .await?;
        let exists = |name: &str| names.iter().any(|(n, _, _)| n == name);
        let drafts = match &cfg.drafts {
            Some(d) => {
                let enc = utf7_encode(d);
                if !exists(&enc) {
                    return Err(ImapError::Folder(format!("the drafts folder {d:?} (imap.drafts) does not exist; mailtriage never creates folders")));
                }
                enc
            }
            None => names
                .iter()
                .find(|(_, d, _)| *d)
                .map(|(n, _, _)| n.clone())
                .or_else(|| exists("Drafts").then(|| "Drafts".to_string()))
                .ok_or_else(|| ImapError::Folder("no folder has the \\Drafts special-use attribute and there is no \"Drafts\"; set imap.drafts".into()))?,
        };
        let sent = match &cfg.sent {
            Some(s) => {
                let enc = utf7_encode(s);
                if !exists(&enc) {
                    return Err(ImapError::Folder(format!(
                        "the sent folder {s:?} (imap.sent) does not exist"
                    )));
                }
                Some(enc)
            }
            None => names.iter().find(|(_, _, s)| *s).map(|(n, _, _)| n.clone()),
        };
        let mut mb = ImapMailbox {
            budget,
            cfg: cfg.clone(),
            session: Some(session),
            caps,
            inbox: utf7_encode(&cfg.inbox),
            drafts,
            sent,
            inbox_selected: false,
            drafts_selected: None,
            keywords: true,
            uid_validity: 0,
            state: None,
            drafted: HashSet::new(),
            ours: HashMap::new(),
            drafts_validity: 0,
            drafts_last_uid: 0,
            said_no_uidplus: false,
            answered_ids: (0, HashMap::new()),
            indexes: HashMap::new(),
        };
        mb.select_inbox().await?;
        Ok(mb)
    }

    pub(super) fn session(&mut self) -> Result<&mut ImapSession, ImapError> {
        self.session
            .as_mut()
            .ok_or_else(|| ImapError::Protocol("session lost".into()))
    }

    pub(super) async fn select_inbox(&mut self) -> Result<(), ImapError> {
        if self.inbox_selected {
            return Ok(());
        }
        let t = self.cfg.timeout;
        let inbox = self.inbox.clone();
        self.drafts_selected = None;
        let mbox = timed(t, "SELECT inbox", self.session()?.select(&inbox)).await?;
        let validity = mbox.uid_validity.unwrap_or(0);
        self.keywords = mbox
            .permanent_flags
            .iter()
            .any(|f| matches!(f, async_imap::types::Flag::MayCreate));
        if !self.keywords
            && self
                .state
                .as_ref()
                .is_none_or(|s| s.uid_validity != validity)
        {
            let account = format!("{}@{}-{}", self.cfg.username, self.cfg.host, self.cfg.inbox);
            self.state = Some(LocalState::open(&self.cfg.state_dir, &account, validity)?);
        }
        if self.uid_validity != 0 && self.uid_validity != validity {
            tracing::warn!(old = self.uid_validity, new = validity, "inbox UIDVALIDITY changed; rescanning (drafts are matched by Message-ID, so none is duplicated)");
        }
        self.uid_validity = validity;
        self.inbox_selected = true;
        Ok(())
    }

    pub(super) async fn examine(&mut self, folder: &str) -> Result<u32, ImapError> {
        let t = self.cfg.timeout;
        self.inbox_selected = false;
        self.drafts_selected = None;
        let m = timed(t, "EXAMINE", self.session()?.examine(folder)).await?;
        Ok(m.uid_validity.unwrap_or(0))
    }

    /// Selects Drafts read-write unless it is selected already, and returns its UIDVALIDITY.
    /// Read-write, so that appending drafts (Courier refuses an APPEND to a mailbox selected
    /// read-only) and removing stale ones need no other selection: a backlog's batch looks
    /// drafts up, appends, looks up again and supersedes with one SELECT. Switching mailboxes
    /// was a sixth of `imap_backlog`'s time (SELECT of a 10,000-message inbox: 16 ms).
    async fn select_drafts(&mut self) -> Result<u32, ImapError> {
        if let Some(validity) = self.drafts_selected {
            return Ok(validity);
        }
        let t = self.cfg.timeout;
        let folder = self.drafts.clone();
        self.inbox_selected = false;
        let m = timed(t, "SELECT Drafts", self.session()?.select(&folder)).await?;
        let validity = m.uid_validity.unwrap_or(0);
        self.drafts_selected = Some(validity);
        Ok(validity)
    }

    /// `UID SEARCH` in ranges of `search_range` UIDs up to the highest UID: the IMAP library
    /// parses an answer line again from its start on every read, so one line holding a
    /// million UIDs took 14 s; ranges of 50,000 keep each line short.
    pub(super) async fn search_ranges(&mut self, query: &str) -> Result<Vec<u32>, ImapError> {
        // The highest UID in use; a server that answers this with nothing (Courier does) is
        // searched in one piece, never taken for an empty inbox.
        let Some(&last) = self.search("UID *").await?.last() else {
            return self.search(query).await;
        };
        let range = self.cfg.search_range.max(1);
        if last <= range {
            return self.search(query).await;
        }
        let mut out = Vec::new();
        let mut from = 1u32;
        while from <= last {
            let to = from.saturating_add(range - 1);
            let upper = if to >= last {
                "*".to_string()
            } else {
                to.to_string()
            };
            tracing::debug!(from, to = %upper, query, "UID SEARCH range");
            out.extend(self.search(&format!("UID {from}:{upper} {query}")).await?);
            from = match to.checked_add(1) {
                Some(next) => next,
                None => break,
            };
        }
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }

    pub(super) async fn search(&mut self, query: &str) -> Result<Vec<u32>, ImapError> {
        use async_imap::imap_proto::{MailboxDatum, Response};
        let t = self.cfg.timeout;
        let s = self.session()?;
        let mut v: Vec<u32> = Vec::new();
        timed(t, "UID SEARCH", async {
            let tag = s.run_command(format!("UID SEARCH {query}")).await?;
            until_tagged_ok(s, &tag, "UID SEARCH", |r| {
                if let Response::MailboxData(MailboxDatum::Search(ids)) = r {
                    v.extend(ids);
                }
            })
            .await
        })
        .await?;
        v.sort_unstable();
        v.dedup();
        Ok(v)
    }

    /// Brings the address index of `folder` up to date: headers `fields` of messages newer
    /// than the last seen UID (all of them after a UIDVALIDITY change).
    async fn refresh_index(&mut self, folder: &str, fields: &str) -> Result<(), ImapError> {
        let validity = if folder == self.inbox {
            self.select_inbox().await?;
            self.uid_validity
        } else {
            self.examine(folder).await?
        };
        let index = self.indexes.entry(folder.to_string()).or_default();
        if index.validity != validity {
            *index = AddressIndex {
                validity,
                ..AddressIndex::default()
            };
        }
        let from = index.last_uid + 1;
        let t = self.cfg.timeout * 4;
        let s = self
            .session
            .as_mut()
            .ok_or_else(|| ImapError::Protocol("session lost".into()))?;
        // Checked to the tagged OK: a failed read would undercount the customer's history.
        let mut fetches: Vec<(u32, Option<String>, Option<Vec<u8>>)> = Vec::new();
        timed(
            t,
            "UID FETCH addresses",
            uid_fetch_each(
                s,
                &format!("{from}:*"),
                &format!("(INTERNALDATE BODY.PEEK[HEADER.FIELDS ({fields})])"),
                |uid, attrs| {
                    use async_imap::imap_proto::AttributeValue;
                    let mut date = None;
                    let mut header = None;
                    for a in attrs {
                        match a {
                            AttributeValue::InternalDate(d) => date = Some(d.to_string()),
                            AttributeValue::BodySection { data: Some(d), .. } => {
                                header = Some(d.to_vec())
                            }
                            _ => {}
                        }
                    }
                    fetches.push((uid, date, header));
                },
            ),
        )
        .await?;
        let index = self.indexes.entry(folder.to_string()).or_default();
        for (uid, date, header) in &fetches {
            if *uid < from {
                continue;
            }
            index.last_uid = index.last_uid.max(*uid);
            let (Some(date), Some(header)) = (date.as_deref().and_then(internal_date), header)
            else {
                continue;
            };
            for field in ["in-reply-to:", "references:"] {
                if let Some(v) = header_value(header, field) {
                    index
                        .replied
                        .extend(message_ids(&v).map(|id| fingerprint(&id)));
                }
            }
            let Some(msg) = mail_parser::MessageParser::default().parse_headers(header) else {
                continue;
            };
            let addrs = msg
                .from()
                .into_iter()
                .chain(msg.to())
                .chain(msg.cc())
                .flat_map(|a| a.iter());
            for a in addrs {
                if let Some(addr) = a.address() {
                    index
                        .dates
                        .entry(fingerprint(&addr.trim().to_lowercase()))
                        .or_default()
                        .push(date);
                }
            }
        }
        Ok(())
    }
}

impl ImapMailbox {
    /// The named header fields of these messages in the selected folder.
    pub(super) async fn headers(
        &mut self,
        uids: &[u32],
        fields: &str,
    ) -> Result<Vec<(u32, Vec<u8>)>, ImapError> {
        let t = self.cfg.timeout * 4;
        let s = self.session()?;
        timed(
            t,
            "UID FETCH headers",
            uid_fetch_checked(
                s,
                &uid_set(uids),
                &format!("BODY.PEEK[HEADER.FIELDS ({fields})]"),
            ),
        )
        .await
    }

    /// UIDs in the inbox not yet handled: without `$Triaged`, or not in the local state.
    async fn pending_uids(&mut self) -> Result<Vec<u32>, ImapError> {
        self.select_inbox().await?;
        let since = self
            .cfg
            .since
            .map(|d| format!(" SINCE {}", d.format("%d-%b-%Y")))
            .unwrap_or_default();
        if self.keywords {
            return self
                .search_ranges(&format!("UNKEYWORD $Triaged UNDELETED{since}"))
                .await;
        }
        let all = self.search_ranges(&format!("UNDELETED{since}")).await?;
        let handled = self.state.as_ref().map(|s| &s.handled);
        Ok(all
            .into_iter()
            .filter(|u| handled.is_none_or(|h| !h.contains(u)))
            .collect())
    }
}

/// Reads the answers to the command tagged `tag` up to its tagged one, which must be OK,
/// handing every other answer to `each`. async-imap's own fetch and search end quietly on a
/// NO, a BAD or a dropped connection: a failed search would read as "no mail", a failed
/// Drafts lookup as "no drafts" (and every draft would be appended again).
async fn until_tagged_ok(
    s: &mut ImapSession,
    tag: &async_imap::imap_proto::RequestId,
    what: &str,
    mut each: impl FnMut(&async_imap::imap_proto::Response<'_>),
) -> Result<(), ImapError> {
    use async_imap::imap_proto::{Response, Status};
    loop {
        let Some(resp) = s.read_response().await? else {
            return Err(ImapError::Protocol(format!(
                "connection lost during {what}"
            )));
        };
        match resp.parsed() {
            Response::Done {
                tag: t,
                status,
                information,
                ..
            } if t == tag => {
                return match status {
                    Status::Ok => Ok(()),
                    other => Err(ImapError::Protocol(format!(
                        "{what} answered {other:?}: {}",
                        information.as_deref().unwrap_or("")
                    ))),
                };
            }
            // Untagged news about the folder or a BYE before the close go here too.
            other => each(other),
        }
    }
}

/// A UID FETCH checked by [`until_tagged_ok`]: `each` gets the UID and attributes of every
/// message answered.
pub(super) async fn uid_fetch_each(
    s: &mut ImapSession,
    set: &str,
    items: &str,
    mut each: impl FnMut(u32, &[async_imap::imap_proto::AttributeValue<'_>]),
) -> Result<(), ImapError> {
    use async_imap::imap_proto::{AttributeValue, Response};
    let tag = s.run_command(format!("UID FETCH {set} {items}")).await?;
    until_tagged_ok(s, &tag, "UID FETCH", |r| {
        if let Response::Fetch(_, attrs) = r {
            let uid = attrs.iter().find_map(|a| match a {
                AttributeValue::Uid(u) => Some(*u),
                _ => None,
            });
            if let Some(uid) = uid {
                each(uid, attrs);
            }
        }
    })
    .await
}

/// A UID FETCH of one body section, checked: (uid, section bytes) per message.
async fn uid_fetch_checked(
    s: &mut ImapSession,
    set: &str,
    section: &str,
) -> Result<Vec<(u32, Vec<u8>)>, ImapError> {
    use async_imap::imap_proto::AttributeValue;
    let mut out = Vec::new();
    uid_fetch_each(s, set, section, |uid, attrs| {
        let data = attrs.iter().find_map(|a| match a {
            AttributeValue::BodySection { data: Some(d), .. } => Some(d.to_vec()),
            _ => None,
        });
        if let Some(data) = data {
            out.push((uid, data));
        }
    })
    .await?;
    Ok(out)
}

/// The day of an IMAP INTERNALDATE ("17-Jul-2026 02:44:25 -0700").
fn internal_date(s: &str) -> Option<chrono::NaiveDate> {
    internal_datetime(s).map(|d| d.date_naive())
}

/// An IMAP INTERNALDATE ("17-Jul-2026 02:44:25 -0700") with its zone.
pub(super) fn internal_datetime(s: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    chrono::DateTime::parse_from_str(s.trim(), "%d-%b-%Y %H:%M:%S %z").ok()
}

/// The Message-IDs in a header value (Message-ID, In-Reply-To, References), without
/// brackets, whether or not spaces separate them.
pub(super) fn message_ids(value: &str) -> impl Iterator<Item = String> + '_ {
    value
        .split(|c: char| c.is_whitespace() || c == '>')
        .map(|id| id.trim_start_matches('<'))
        .filter(|id| !id.is_empty())
        .map(str::to_string)
}

/// A subject as threads are matched by it: without reply and forward prefixes, lower-case,
/// spaces collapsed.
pub fn thread_subject(subject: &str) -> String {
    crate::draft::strip_prefixes(subject)
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The X-Mailtriage-Source of a header block, without angle brackets.
pub(crate) fn source_of(header: &[u8]) -> Option<String> {
    let source = header_value(header, "x-mailtriage-source:").unwrap_or_default();
    let source = source.trim_start_matches('<').trim_end_matches('>').trim();
    match header_value(header, "x-mailtriage-source-digest:") {
        Some(digest) => Some(crate::draft::drafted_key(source, digest.trim())),
        // A draft from before digests: its Message-ID alone.
        None => (!source.is_empty()).then(|| source.to_string()),
    }
}

/// The unfolded value of the first header called `name` (lower-case, with its colon).
pub(super) fn header_value(header: &[u8], name: &str) -> Option<String> {
    let text = String::from_utf8_lossy(header);
    let mut lines = text.split("\r\n").flat_map(|l| l.split('\n')).peekable();
    while let Some(line) = lines.next() {
        if line.len() > name.len()
            && line.is_char_boundary(name.len())
            && line[..name.len()].eq_ignore_ascii_case(name)
        {
            let mut value = line[name.len()..].to_string();
            while let Some(next) = lines.peek().filter(|l| l.starts_with([' ', '\t'])) {
                value.push_str(next);
                lines.next();
            }
            return Some(value.trim().to_string());
        }
    }
    None
}

impl Mailbox for ImapMailbox {
    async fn pending(&mut self) -> Result<Vec<Pending>, ImapError> {
        let uids = self.pending_uids().await?;
        let t = self.cfg.timeout;
        let mut out = Vec::with_capacity(uids.len());
        for chunk in uids.chunks(500) {
            use async_imap::imap_proto::AttributeValue;
            let s = self.session()?;
            // Checked to the tagged OK: a NO here must not read as "nothing pending".
            let set = uid_set(chunk);
            timed(
                t,
                "UID FETCH RFC822.SIZE",
                uid_fetch_each(s, &set, "RFC822.SIZE", |uid, attrs| {
                    let size = attrs.iter().find_map(|a| match a {
                        AttributeValue::Rfc822Size(n) => Some(*n),
                        _ => None,
                    });
                    if let Some(size) = size {
                        out.push(Pending {
                            uid,
                            size: u64::from(size),
                        });
                    }
                }),
            )
            .await?;
        }
        out.sort_by_key(|p| p.uid);
        out.dedup_by_key(|p| p.uid);
        Ok(out)
    }

    async fn fetch(&mut self, uids: &[u32]) -> Result<Vec<(u32, Vec<u8>)>, ImapError> {
        self.select_inbox().await?;
        if uids.is_empty() {
            return Ok(Vec::new());
        }
        let t = self.cfg.timeout * 4;
        // At most max_message_size + 1 bytes of each body, whatever RFC822.SIZE said: one
        // byte more than allowed is how an oversized message shows.
        let want = self.cfg.max_message_size.saturating_add(1);
        let per_message = want.saturating_add(FETCH_OVERHEAD);
        self.budget.limit(
            per_message
                .saturating_mul(uids.len() as u64)
                .saturating_add(FETCH_OVERHEAD),
        );
        let s = self.session()?;
        // Checked to the tagged OK: a NO must not leave the batch quietly unprocessed.
        let result = timed(
            t,
            "UID FETCH BODY.PEEK[]",
            uid_fetch_checked(s, &uid_set(uids), &format!("BODY.PEEK[]<0.{want}>")),
        )
        .await;
        let overrun = self.budget.overrun();
        self.budget.unlimited();
        if overrun {
            self.session = None;
            return Err(ImapError::Overrun(uids.to_vec()));
        }
        let mut out = result?;
        out.retain(|(uid, _)| uids.contains(uid));
        out.sort_by_key(|(u, _)| *u);
        Ok(out)
    }

    async fn drafted(&mut self, keys: &[&str]) -> Result<HashSet<String>, ImapError> {
        self.refresh_drafts().await?;
        Ok(keys
            .iter()
            .filter(|k| self.drafted.contains(&fingerprint(k)))
            .map(|k| k.to_string())
            .collect())
    }

    async fn append_drafts(&mut self, drafts: &[&[u8]]) -> Result<(), ImapError> {
        // Courier refuses an APPEND while the selected folder is read-only ("Current box is
        // selected READ-ONLY"), as Sent would be after the history's EXAMINE. Drafts is
        // usually selected already, from the lookup just before.
        self.select_drafts().await?;
        let t = self.cfg.timeout * 4;
        let folder = quote(&self.drafts);
        if self.caps.multiappend && self.caps.literal_plus {
            let mut i = 0;
            while i < drafts.len() {
                let mut cmd = format!("APPEND {folder}");
                let mut bytes = 0;
                let start = i;
                while i < drafts.len()
                    && i - start < MULTIAPPEND_DRAFTS
                    && (bytes < MULTIAPPEND_BYTES || i == start)
                {
                    let Ok(text) = std::str::from_utf8(drafts[i]) else {
                        break;
                    };
                    cmd.push_str(&format!(
                        " (\\Draft \\Seen) {{{}+}}\r\n{text}",
                        drafts[i].len()
                    ));
                    bytes += drafts[i].len();
                    i += 1;
                }
                if i == start {
                    // Not UTF-8 (never from our builder): send it on its own.
                    let drafts_folder = self.drafts.clone();
                    let s = self.session()?;
                    timed(
                        t,
                        "APPEND",
                        s.append(&drafts_folder, Some("(\\Draft \\Seen)"), None, drafts[i]),
                    )
                    .await?;
                    i += 1;
                    continue;
                }
                let s = self.session()?;
                timed(t, "MULTIAPPEND", s.run_command_and_check_ok(&cmd)).await?;
            }
        } else {
            for d in drafts {
                let drafts_folder = self.drafts.clone();
                let s = self.session()?;
                timed(
                    t,
                    "APPEND",
                    s.append(&drafts_folder, Some("(\\Draft \\Seen)"), None, d),
                )
                .await?;
            }
        }
        Ok(())
    }

    async fn untouched_drafts(
        &mut self,
        sources: &HashSet<String>,
    ) -> Result<Vec<(u32, String)>, ImapError> {
        self.refresh_drafts().await?;
        let mut candidates: Vec<(u32, String, String)> = self
            .ours
            .iter()
            .filter(|(_, d)| sources.contains(&*d.source) && d.digest.is_some())
            .map(|(uid, d)| {
                let digest = d.digest.as_deref().unwrap_or_default();
                (*uid, d.source.to_string(), digest.to_string())
            })
            .collect();
        if candidates.is_empty() {
            return Ok(Vec::new());
        }
        candidates.sort();
        let uids: Vec<u32> = candidates.iter().map(|c| c.0).collect();
        let t = self.cfg.timeout * 4;
        let s = self.session()?;
        let bodies = timed(
            t,
            "UID FETCH draft bodies",
            uid_fetch_checked(s, &uid_set(&uids), "BODY.PEEK[TEXT]"),
        )
        .await?;
        Ok(candidates
            .into_iter()
            .filter(|(uid, _, digest)| {
                bodies
                    .iter()
                    .any(|(u, body)| u == uid && crate::draft::body_digest(body) == *digest)
            })
            .map(|(uid, id, _)| (uid, id))
            .collect())
    }

    async fn drafted_sources(&mut self) -> Result<Vec<String>, ImapError> {
        self.refresh_drafts().await?;
        let mut v: Vec<String> = self
            .ours
            .values()
            .filter(|d| d.digest.is_some())
            .map(|d| d.source.to_string())
            .collect();
        v.sort();
        v.dedup();
        Ok(v)
    }

    async fn drafts_to(
        &mut self,
        keys: &[(String, String)],
        days: u32,
    ) -> Result<Vec<Vec<String>>, ImapError> {
        self.refresh_drafts().await?;
        let since = Utc::now() - chrono::Duration::days(i64::from(days));
        // One pass over our drafts rather than one per key: a backlog's batch asks for
        // hundreds of keys, and Drafts holds thousands by its end.
        let mut by_key: HashMap<Fingerprint, Vec<&str>> = HashMap::new();
        for d in self.ours.values() {
            if let Some(thread) = d.thread.filter(|_| d.date.is_none_or(|t| t >= since)) {
                by_key.entry(thread).or_default().push(&d.source);
            }
        }
        Ok(keys
            .iter()
            .map(|(to, subject)| {
                let mut v: Vec<String> = thread_key(to, subject)
                    .and_then(|k| by_key.get(&k))
                    .into_iter()
                    .flatten()
                    .map(|s| s.to_string())
                    .collect();
                v.sort();
                v.dedup();
                v
            })
            .collect())
    }

    async fn remove_drafts(&mut self, uids: &[u32]) -> Result<usize, ImapError> {
        if uids.is_empty() {
            return Ok(0);
        }
        if !self.caps.uidplus {
            if !self.said_no_uidplus {
                self.said_no_uidplus = true;
                tracing::warn!("the server has no UIDPLUS: stale drafts are left in Drafts (mailtriage never runs a plain EXPUNGE)");
            }
            return Ok(0);
        }
        let t = self.cfg.timeout;
        self.select_drafts().await?;
        let set = uid_set(uids);
        let s = self.session()?;
        timed(
            t,
            "UID STORE",
            s.run_command_and_check_ok(&format!("UID STORE {set} +FLAGS.SILENT (\\Deleted)")),
        )
        .await?;
        timed(
            t,
            "UID EXPUNGE",
            s.run_command_and_check_ok(&format!("UID EXPUNGE {set}")),
        )
        .await?;
        for uid in uids {
            self.ours.remove(uid);
        }
        // The keys of removed drafts stay in `drafted`: their messages were handled.
        Ok(uids.len())
    }

    async fn answered(&mut self, sources: &[String]) -> Result<HashSet<String>, ImapError> {
        let wanted: HashSet<&str> = sources.iter().map(String::as_str).collect();
        let mut out = HashSet::new();
        // \Answered on the original: one SEARCH, and the Message-IDs of answered UIDs not
        // seen before (kept per UIDVALIDITY, so each is fetched once per connection).
        self.select_inbox().await?;
        let answered = self.search_ranges("ANSWERED").await?;
        if self.answered_ids.0 != self.uid_validity {
            self.answered_ids = (self.uid_validity, HashMap::new());
        }
        let unknown: Vec<u32> = answered
            .iter()
            .copied()
            .filter(|u| !self.answered_ids.1.contains_key(u))
            .collect();
        for chunk in unknown.chunks(1000) {
            for (uid, header) in self.headers(chunk, "MESSAGE-ID").await? {
                let id = header_value(&header, "message-id:")
                    .and_then(|v| message_ids(&v).next())
                    .unwrap_or_default();
                self.answered_ids.1.insert(uid, id);
            }
        }
        out.extend(
            answered
                .iter()
                .filter_map(|u| self.answered_ids.1.get(u))
                .filter(|id| wanted.contains(id.as_str()))
                .cloned(),
        );
        // A reply in Sent that names it: the Sent index, brought up to date by UID.
        if let Some(sent) = self.sent.clone() {
            self.refresh_index(&sent, SENT_FIELDS).await?;
            if let Some(index) = self.indexes.get(&sent) {
                out.extend(
                    sources
                        .iter()
                        .filter(|id| index.replied.contains(&fingerprint(id)))
                        .cloned(),
                );
            }
        }
        Ok(out)
    }

    async fn mark(
        &mut self,
        uids: &[u32],
        keywords: &[String],
        flagged: bool,
    ) -> Result<(), ImapError> {
        if uids.is_empty() {
            return Ok(());
        }
        self.select_inbox().await?;
        let mut flags: Vec<String> = if self.keywords {
            keywords.to_vec()
        } else {
            Vec::new()
        };
        if flagged {
            flags.push("\\Flagged".into());
        }
        if !flags.is_empty() {
            let t = self.cfg.timeout;
            let s = self.session()?;
            // Checked for its tagged OK: async-imap's uid_store ends quietly on a NO or a
            // dropped connection, and a message must not count as tagged when it is not.
            let cmd = format!(
                "UID STORE {} +FLAGS.SILENT ({})",
                uid_set(uids),
                flags.join(" ")
            );
            timed(t, "UID STORE", s.run_command_and_check_ok(&cmd)).await?;
        }
        if let Some(state) = self.state.as_mut().filter(|_| !self.keywords) {
            state.add(uids)?;
        }
        Ok(())
    }

    async fn keyword_validity(&mut self) -> Result<Option<u32>, ImapError> {
        self.select_inbox().await?;
        Ok(self.keywords.then_some(self.uid_validity))
    }

    async fn keywords(
        &mut self,
        uids: &[u32],
        changed_since: Option<u64>,
    ) -> Result<KeywordScan, ImapError> {
        use async_imap::imap_proto::AttributeValue;
        self.select_inbox().await?;
        let mut scan = KeywordScan::default();
        if uids.is_empty() {
            return Ok(scan);
        }
        let items = match (self.caps.condstore, changed_since) {
            (true, Some(m)) => format!("(UID FLAGS MODSEQ) (CHANGEDSINCE {m})"),
            (true, None) => "(UID FLAGS MODSEQ)".to_string(),
            (false, _) => "(UID FLAGS)".to_string(),
        };
        let t = self.cfg.timeout;
        let s = self.session()?;
        let set = uid_set(uids);
        timed(
            t,
            "UID FETCH FLAGS",
            uid_fetch_each(s, &set, &items, |uid, attrs| {
                let mut keywords = Vec::new();
                for a in attrs {
                    match a {
                        AttributeValue::Flags(f) => keywords.extend(
                            f.iter()
                                .filter(|k| !k.starts_with('\\'))
                                .map(|k| k.to_string()),
                        ),
                        AttributeValue::ModSeq(m) => {
                            scan.modseq = Some(scan.modseq.map_or(*m, |x: u64| x.max(*m)));
                        }
                        _ => {}
                    }
                }
                scan.keywords.push((uid, keywords));
            }),
        )
        .await?;
        Ok(scan)
    }

    async fn history(
        &mut self,
        senders: &[String],
        days: u32,
    ) -> Result<HashMap<String, ContactHistory>, ImapError> {
        let since = (Utc::now() - chrono::Duration::days(i64::from(days))).date_naive();
        let mut out: HashMap<String, ContactHistory> = senders
            .iter()
            .map(|s| {
                (
                    s.clone(),
                    ContactHistory {
                        messages: 0,
                        replies: 0,
                        first: None,
                        last: None,
                        claimed: None,
                    },
                )
            })
            .collect();
        // Each sender's fingerprint once, for every folder's index.
        let prints: Vec<(&String, Fingerprint)> =
            senders.iter().map(|s| (s, fingerprint(s))).collect();
        let mut wrote: HashMap<&String, Vec<chrono::NaiveDate>> = HashMap::new();
        let mut folders = vec![(self.inbox.clone(), "FROM")];
        folders.extend(
            self.cfg
                .archive_folders
                .iter()
                .map(|f| (utf7_encode(f), "FROM")),
        );
        for (folder, field) in folders {
            self.refresh_index(&folder, field).await?;
            let index = &self.indexes[&folder];
            for (s, print) in &prints {
                wrote.entry(s).or_default().extend(
                    index
                        .dates
                        .get(print)
                        .into_iter()
                        .flatten()
                        .filter(|d| **d >= since),
                );
            }
        }
        if let Some(sent) = self.sent.clone() {
            self.refresh_index(&sent, SENT_FIELDS).await?;
            let index = &self.indexes[&sent];
            for (s, print) in &prints {
                if let Some(h) = out.get_mut(*s) {
                    h.replies = index
                        .dates
                        .get(print)
                        .map_or(0, |d| d.iter().filter(|d| **d >= since).count() as u32);
                }
            }
        }
        for (s, dates) in wrote {
            if let Some(h) = out.get_mut(s) {
                h.messages = dates.len() as u32;
                h.first = dates.iter().min().map(|d| d.to_string());
                h.last = dates.iter().max().map(|d| d.to_string());
            }
        }
        Ok(out)
    }

    async fn wait(&mut self, max: Duration, shutdown: &mut Shutdown) -> Result<Wake, ImapError> {
        if shutdown.is_shutdown() {
            return Ok(Wake::Shutdown);
        }
        if self.cfg.mode == Mode::Poll || !self.caps.idle {
            let nap = max.min(self.cfg.poll_interval);
            return Ok(tokio::select! {
                _ = tokio::time::sleep(nap) => Wake::Changed,
                stop = shutdown.interrupted() => if stop { Wake::Shutdown } else { Wake::Changed },
            });
        }
        // Mail that arrived while the last pass ran was announced before IDLE began: look first.
        if !self.pending_uids().await?.is_empty() {
            return Ok(Wake::Changed);
        }
        let t = self.cfg.timeout;
        let session = self
            .session
            .take()
            .ok_or_else(|| ImapError::Protocol("session lost".into()))?;
        let mut handle = session.idle();
        timed(t, "IDLE", handle.init()).await?;
        let wake = {
            let (fut, stop) = handle.wait_with_timeout(max);
            let mut stop = Some(stop);
            tokio::pin!(fut);
            // The server's own keepalives reset async-imap's timer; ours bounds the whole wait.
            let r = tokio::select! {
                r = tokio::time::timeout(max + t, &mut fut) => r,
                quit = shutdown.interrupted() => {
                    stop.take();
                    let r = tokio::time::timeout(t, &mut fut).await;
                    // A nudge (reload) ends this IDLE like a timeout: the loop looks again.
                    if quit { r } else { r.map(|r| r.map(|_| IdleResponse::Timeout)) }
                }
            };
            drop(stop);
            match r {
                Ok(Ok(IdleResponse::NewData(_))) => Wake::Changed,
                Ok(Ok(IdleResponse::Timeout)) => Wake::Timeout,
                Ok(Ok(IdleResponse::ManualInterrupt)) => Wake::Shutdown,
                Ok(Err(e)) => return Err(e.into()),
                Err(_) => return Err(ImapError::Timeout("IDLE".into())),
            }
        };
        let session = timed(t, "DONE", handle.done()).await?;
        self.session = Some(session);
        Ok(if shutdown.is_shutdown() {
            Wake::Shutdown
        } else {
            wake
        })
    }

    async fn logout(&mut self) {
        let t = self.cfg.timeout;
        if let Some(mut s) = self.session.take() {
            let _ = tokio::time::timeout(t, s.logout()).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_is_its_customer_and_subject_as_replies_write_them() {
        let first = thread_key("Anna@Example.org", "Login  fails");
        assert!(first.is_some());
        assert_eq!(first, thread_key("anna@example.org", "AW: Re: login fails"));
        assert_ne!(first, thread_key("bob@example.org", "Login fails"));
        assert_ne!(first, thread_key("anna@example.org", "Login fails again"));
        assert_eq!(thread_key("anna@example.org", "Re: "), None);
    }

    #[test]
    fn internal_dates_with_one_or_two_digit_days() {
        let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day);
        assert_eq!(internal_date("17-Jul-2026 02:44:25 -0700"), d(2026, 7, 17));
        assert_eq!(internal_date(" 1-Dec-2025 23:59:59 +0000"), d(2025, 12, 1));
        assert_eq!(internal_date("not a date"), None);
    }

    #[test]
    fn uid_sets_compress_runs() {
        assert_eq!(uid_set(&[5, 1, 2, 3, 9, 10]), "1:3,5,9:10");
        assert_eq!(uid_set(&[7]), "7");
    }

    #[test]
    fn modified_utf7_names() {
        assert_eq!(utf7_encode("Drafts"), "Drafts");
        assert_eq!(utf7_encode("Entwürfe"), "Entw&APw-rfe");
        assert_eq!(utf7_encode("下書き"), "&Tgtm+DBN-");
        assert_eq!(utf7_encode("A&B"), "A&-B");
        assert_eq!(utf7_encode("Archivé & old"), "Archiv&AOk- &- old");
        for name in [
            "Drafts",
            "Entwürfe",
            "下書き",
            "A&B",
            "Archivé & old",
            "已归档",
            "😀 x",
        ] {
            assert_eq!(utf7_decode(&utf7_encode(name)), name);
        }
        assert_eq!(utf7_decode("&Tgtm+DBN-"), "下書き");
        // Malformed (unterminated, bad base64): shown as the server sent it.
        assert_eq!(utf7_decode("a&Tgtm"), "a&Tgtm");
        assert_eq!(utf7_decode("a&*-"), "a&*-");
    }

    #[test]
    fn finds_the_source_header() {
        let h = b"From: a\r\nX-Mailtriage-Source: <abc@x>\r\nSubject: s\r\n\r\n";
        assert_eq!(source_of(h), Some("abc@x".into()));
        assert_eq!(source_of(b"From: a\r\n\r\n"), None);
    }
}
