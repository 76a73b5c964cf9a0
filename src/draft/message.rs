//! Builds the reply as a threaded RFC 5322 message, separately from rendering (as lettre
//! does): no CR, LF or NUL from customer input reaches a header. The clock and the Message-ID
//! nonce are injected ([`DraftEnv`]), so tests compare exact bytes.

use std::sync::LazyLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Utc};
use lettre::message::header::{
    self, ContentTransferEncoding, ContentType, Header, HeaderName, HeaderValue,
};
use lettre::message::{Body, Mailbox};
use regex::Regex;
use serde::Serialize;

use crate::config::Identity;
use crate::parse::{Parsed, Person};

/// One line of at most `max` characters: every control and line/paragraph separator becomes a
/// space, runs of spaces collapse. This is what makes customer text safe in a header.
///
/// Kept characters are copied a run at a time rather than one by one (the same output: a
/// pending space goes in before the run, a run stops at `max`).
pub fn clean_line(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max * 4));
    let mut count = 0;
    let mut space = false;
    // Start of the run of kept characters not yet copied to `out`.
    let mut run: Option<usize> = None;
    for (i, ch) in s.char_indices() {
        if is_blank(ch) {
            if let Some(start) = run.take() {
                out.push_str(&s[start..i]);
            }
            space = !out.is_empty();
            continue;
        }
        if count >= max {
            if let Some(start) = run.take() {
                out.push_str(&s[start..i]);
            }
            out.push('…');
            return out;
        }
        if space {
            // A run has just been copied (a blank ended it), so the space goes after it.
            out.push(' ');
            count += 1;
            space = false;
        }
        run.get_or_insert(i);
        count += 1;
    }
    if let Some(start) = run {
        out.push_str(&s[start..]);
    }
    out
}

/// What [`clean_line`] turns into a space: controls, line and paragraph separators, direction
/// marks and overrides, the BOM and whitespace.
fn is_blank(ch: char) -> bool {
    if ch.is_ascii() {
        return !ch.is_ascii_graphic();
    }
    ch.is_control()
        || matches!(ch, '\u{2028}' | '\u{2029}' | '\u{85}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
        || ch.is_whitespace()
}

/// Reply and forward prefixes of the common clients and languages.
static PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:(?:re|aw|sv|vs|antw|antwort|wg|fw|fwd|tr|rv|enc|odp|ynt|vá|ref|回复|回覆|答复|答覆|转发|轉寄|返信|転送|답장|회신|전달|השב|תשובה|הועבר|vast)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*)+")
        .expect("static regex")
});

/// The subject without any Re:/Fwd:/AW:/回复: prefixes, then cut to 200 characters: a long
/// "Re: Re: …" chain is stripped before the cut, so it never eats the subject itself.
pub fn strip_prefixes(subject: &str) -> String {
    let s = clean_line(subject, 4000);
    clean_line(PREFIX.replace(&s, "").trim(), 200)
}

/// Exactly one "Re:".
pub fn reply_subject(subject: &str) -> String {
    re(&strip_prefixes(subject))
}

/// "Re: " and a subject already through [`strip_prefixes`].
fn re(stripped: &str) -> String {
    if stripped.is_empty() {
        "Re: (no subject)".into()
    } else {
        format!("Re: {stripped}")
    }
}

/// A Message-ID we can put in In-Reply-To: printable ASCII, no spaces or brackets, sane length.
pub fn safe_msg_id(id: &str) -> Option<&str> {
    let id = id.trim().trim_start_matches('<').trim_end_matches('>');
    (!id.is_empty()
        && id.len() <= 250
        && id
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'<' && b != b'>'))
    .then_some(id)
}

/// The time and randomness a draft uses, injected so tests get exact bytes.
#[derive(Debug, Clone, Copy)]
pub struct DraftEnv {
    pub now: DateTime<Utc>,
    pub nonce: u64,
}

impl DraftEnv {
    /// The real clock and a nonce unique enough for Message-IDs.
    pub fn now() -> DraftEnv {
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
                .as_nanos(),
        );
        h.write_u32(std::process::id());
        DraftEnv {
            now: Utc::now(),
            nonce: h.finish(),
        }
    }
}

/// A draft, as in the brief's JSON; `raw` is the full message for APPEND.
#[derive(Debug, Clone, Serialize)]
pub struct Draft {
    pub from: String,
    pub to: String,
    /// The To header as appended: the name and the address.
    #[serde(skip)]
    pub to_mailbox: String,
    pub subject: String,
    pub in_reply_to: Option<String>,
    pub references: Option<String>,
    pub language: String,
    pub template: String,
    pub body: String,
    #[serde(skip)]
    pub message_id: String,
    /// [`source_digest`] of the message answered, in X-Mailtriage-Source-Digest.
    #[serde(skip)]
    pub source_digest: String,
    /// [`body_digest`] of the body as made, in X-Mailtriage-Digest: a draft whose body no
    /// longer matches it was edited, and is never removed.
    #[serde(skip)]
    pub digest: String,
    #[serde(skip)]
    pub raw: Vec<u8>,
}

/// Why a draft could not be built.
#[derive(Debug, thiserror::Error)]
pub enum DraftError {
    #[error("no valid address to reply to (From and Reply-To are both unusable)")]
    NoRecipient,
    /// The template's name, then `:line:column: what` (or `: what`).
    #[error("template {0}{1}")]
    Render(String, String),
    #[error("building the message: {0}")]
    Build(String),
}

/// The person to reply to: the first valid Reply-To that is not ours, else From.
/// Warnings for the agent say when Reply-To was odd.
pub fn recipient(msg: &Parsed, own: &[String]) -> (Option<Person>, Vec<String>) {
    let mut warnings = Vec::new();
    if msg.reply_to.len() > 1 {
        warnings.push(format!(
            "reply-to lists {} addresses; drafted to the first usable one",
            msg.reply_to.len()
        ));
    }
    if msg.reply_to_odd {
        warnings.push("reply-to holds a group or an invalid entry".to_string());
    }
    let valid = |p: &&Person| p.address.parse::<lettre::Address>().is_ok();
    let mut chosen = None;
    for p in msg.reply_to.iter().filter(valid) {
        if own.contains(&p.address) {
            warnings.push(format!(
                "reply-to {} is one of our own addresses; ignored",
                p.address
            ));
            continue;
        }
        chosen = Some(p.clone());
        break;
    }
    if let Some(p) = &chosen {
        // `"support@example.com" <someone@else.example>`: a name dressed as another address.
        if let Some(shown) = p.name.as_deref().filter(|n| n.contains('@')) {
            if !shown.to_lowercase().contains(&p.address.to_lowercase()) {
                warnings.push(format!(
                    "reply-to shows the name {:?} but goes to {}",
                    clean_line(shown, 80),
                    p.address
                ));
            }
        }
        let domain = |a: &str| a.rsplit_once('@').map(|(_, d)| d.to_lowercase());
        if let Some(from) = msg
            .from
            .as_ref()
            .filter(|f| domain(&f.address) != domain(&p.address))
        {
            warnings.push(format!(
                "drafted to the Reply-To {}, in another domain than the sender {}",
                p.address, from.address
            ));
        }
    }
    if chosen.is_none() {
        chosen = msg.from.iter().find(valid).cloned();
    }
    if chosen
        .as_ref()
        .is_some_and(|p| !p.address.split('@').next().unwrap_or("").is_ascii())
    {
        warnings.push("the recipient's address has a non-ASCII local part: the mail server must support SMTPUTF8".into());
    }
    (chosen, warnings)
}

/// The address with its domain in ASCII (IDNA punycode: `kim@bücher.example` →
/// `kim@xn--bcher-kva.example`), as every mail system can carry it; unchanged if it is not
/// a valid international domain.
fn ascii_domain(address: &str) -> String {
    match address.rsplit_once('@') {
        Some((local, domain)) if !domain.is_ascii() => match idna::domain_to_ascii(domain) {
            Ok(ascii) => format!("{local}@{ascii}"),
            Err(_) => address.to_string(),
        },
        _ => address.to_string(),
    }
}

/// Names of the headers only mailtriage writes.
const X_SOURCE: HeaderName = HeaderName::new_from_ascii_str("X-Mailtriage-Source");
const X_SOURCE_DIGEST: HeaderName = HeaderName::new_from_ascii_str("X-Mailtriage-Source-Digest");
const X_CATEGORY: HeaderName = HeaderName::new_from_ascii_str("X-Mailtriage-Category");
const X_FACTS: HeaderName = HeaderName::new_from_ascii_str("X-Mailtriage-Facts");
const X_LANGUAGE: HeaderName = HeaderName::new_from_ascii_str("X-Mailtriage-Language");
const X_PRIORITY: HeaderName = HeaderName::new_from_ascii_str("X-Mailtriage-Priority");

/// The longest line lettre's header encoder writes before folding (email-encoding's
/// `MAX_LINE_LEN`).
const FOLD_AT: usize = 76;

/// `value` encoded exactly as lettre's `HeaderValue::new` would encode it, when it is printable
/// ASCII (space to `~`): such a value needs no RFC 2047 encoding, only folding at spaces, and the
/// folding below mirrors email-encoding's `FoldingEmailWriter` step by step (a `\r\n` goes
/// before a word, ahead of the spaces that preceded it, when the line would pass 76 bytes).
/// `None` for anything else — it then goes through lettre's encoder, which is also what keeps
/// CR, LF and NUL out of headers. A unit test compares both on many values.
fn fold_printable_ascii(name: &str, value: &str) -> Option<String> {
    if !value.bytes().all(|b| matches!(b, b' '..=b'~')) {
        return None;
    }
    let mut line_len = name.len() + ": ".len();
    if line_len + value.len() <= FOLD_AT {
        // Nothing can fold: the whole header fits on its first line.
        return Some(value.to_string());
    }
    let mut out = String::with_capacity(value.len() + value.len() / 32 * 3);
    let mut spaces = 0;
    let mut can_fold = false;
    let mut rest = value;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix(' ') {
            spaces += 1;
            rest = r;
            continue;
        }
        let (word, r) = rest.split_at(rest.find(' ').unwrap_or(rest.len()));
        if can_fold && spaces >= 1 && line_len + spaces + word.len() > FOLD_AT {
            out.push_str("\r\n");
            line_len = 0;
        }
        out.extend(std::iter::repeat_n(' ', spaces));
        line_len += spaces + word.len();
        spaces = 0;
        out.push_str(word);
        can_fold = true;
        rest = r;
    }
    out.extend(std::iter::repeat_n(' ', spaces));
    Some(out)
}

/// A header with a text value, as lettre's text headers (`Subject` and the like) make it, but
/// without running the encoder over values that are plain printable ASCII.
fn text_header(name: HeaderName, value: String) -> HeaderValue {
    match fold_printable_ascii(&name, &value) {
        Some(encoded) => HeaderValue::dangerous_new_pre_encoded(name, value, encoded),
        None => HeaderValue::new(name, value),
    }
}

/// What every draft from one identity shares, encoded once per engine instead of per draft.
pub struct Sender {
    /// The `From` header, as lettre's `MessageBuilder::from` encodes it.
    from_header: HeaderValue,
    /// `Content-Type: text/plain; charset=utf-8`.
    content_type: HeaderValue,
    /// `MIME-Version: 1.0`.
    mime_version: HeaderValue,
    /// The From address, for the envelope.
    address: lettre::Address,
    /// The From mailbox as text (`Draft::from`).
    from: String,
    /// The domain of Message-IDs.
    domain: String,
}

impl Sender {
    /// Encodes the identity's headers.
    pub fn new(identity: &Identity) -> Sender {
        let from = header::From::from(lettre::message::Mailboxes::from(identity.from.clone()));
        Sender {
            from_header: from.display(),
            content_type: ContentType::TEXT_PLAIN.display(),
            mime_version: header::MIME_VERSION_1_0.display(),
            address: identity.from.email.clone(),
            from: identity.from.to_string(),
            domain: identity.from.email.domain().to_string(),
        }
    }
}

/// The body as `MessageBuilder::body(String)` would encode it, with less work: lettre's
/// `Body::new` picks the encoding (`body_encoding`, the same rule), then turns LF into CRLF by
/// inserting a `\r` before each bare `\n` — one `String::insert`, so one move of the rest of the
/// body, per line. Here the CRLF copy is made in one pass and handed to lettre as bytes with the
/// encoding chosen, which lettre then encodes exactly as it would have. A unit test compares
/// both on many bodies.
fn encoded_body(text: &str) -> Body {
    let encoding = body_encoding(text);
    if encoding == ContentTransferEncoding::SevenBit {
        // Rare (templates have long lines) and cheap: left to lettre, which would check a 7bit
        // body's CRLF copy against line lengths one byte longer than the rule above measures.
        return Body::new(text.to_string());
    }
    let mut crlf = Vec::with_capacity(text.len() + text.len() / 32 + 8);
    let mut start = 0;
    for (i, _) in text.match_indices('\n') {
        crlf.extend_from_slice(&text.as_bytes()[start..i]);
        if !crlf.ends_with(b"\r") {
            crlf.push(b'\r');
        }
        crlf.push(b'\n');
        start = i + 1;
    }
    crlf.extend_from_slice(&text.as_bytes()[start..]);
    // Quoted-printable and base64 accept any bytes, so lettre never refuses them; should that
    // change, its own path gives the same message.
    Body::new_with_encoding(crlf, encoding).unwrap_or_else(|_| Body::new(text.to_string()))
}

/// The transfer encoding lettre gives a `String` body (email-encoding's `Encoding::choose` for
/// a server without SMTPUTF8): 7bit for ASCII whose lines are under 76 bytes, else
/// quoted-printable if at most a third of the bytes need escaping, else base64.
fn body_encoding(text: &str) -> ContentTransferEncoding {
    let bytes = text.as_bytes();
    // As email-encoding measures lines: the first from 0 to its `\n`, the others from the
    // previous `\n` (included), the last to the end.
    let mut last = 0;
    let mut too_long = false;
    for (i, _) in text.match_indices('\n') {
        too_long |= i - last >= 76;
        last = i;
    }
    too_long |= bytes.len() - last >= 76;
    if !too_long && text.is_ascii() {
        return ContentTransferEncoding::SevenBit;
    }
    let escaped = bytes
        .iter()
        .filter(|&&b| !matches!(b, b'\t' | b' '..=b'~'))
        .count();
    if escaped <= bytes.len() / 3 {
        ContentTransferEncoding::QuotedPrintable
    } else {
        ContentTransferEncoding::Base64
    }
}

/// Everything the draft message needs besides the rendered body.
pub struct DraftInput<'a> {
    pub msg: &'a Parsed,
    /// The message's subject through [`strip_prefixes`], as [`crate::pipeline::Engine::read`]
    /// already made it.
    pub subject: &'a str,
    pub to: &'a Person,
    pub sender: &'a Sender,
    pub category: &'a str,
    pub priority: &'a str,
    pub language: &'a str,
    pub template: &'a str,
    pub body: String,
    /// Short agent-facing summary for X-Mailtriage-Facts.
    pub facts_summary: &'a str,
}

/// What identifies the message we answer besides its Message-ID, which any sender can reuse:
/// a SHA-256 over its sender, date, subject, own text and attachment count (first 16 bytes, in
/// hex). The same message delivered twice has the same digest; another message reusing its
/// Message-ID does not.
pub fn source_digest(msg: &Parsed) -> String {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    let from = msg.from.as_ref().map(|f| f.address.to_lowercase());
    let date = msg.date.map(|d| d.to_rfc3339());
    let attachments = msg.attachments.to_string();
    for part in [
        from.as_deref().unwrap_or(""),
        date.as_deref().unwrap_or(""),
        &msg.subject,
        &msg.own_text,
        &attachments,
    ] {
        ctx.update(&(part.len() as u64).to_be_bytes());
        ctx.update(part.as_bytes());
    }
    hex(&first_128_bits(&ctx.finish()))
}

/// The first 128 bits of a SHA-256: the width of every digest mailtriage keeps (a message's
/// source and body digests, and what the mailbox indexes keep of strings they only compare).
pub type Fingerprint = [u8; 16];

/// The [`Fingerprint`] of `bytes`.
pub fn fingerprint(bytes: &[u8]) -> Fingerprint {
    first_128_bits(&ring::digest::digest(&ring::digest::SHA256, bytes))
}

fn first_128_bits(digest: &ring::digest::Digest) -> Fingerprint {
    let mut out = [0; 16];
    out.copy_from_slice(&digest.as_ref()[..16]);
    out
}

fn hex(f: &Fingerprint) -> String {
    f.iter().map(|b| format!("{b:02x}")).collect()
}

/// A SHA-256 (first 16 bytes, hex) of a message body as stored: line ends and trailing
/// blank lines do not count, since servers and clients may change those without an edit.
pub fn body_digest(body: &[u8]) -> String {
    let text: Vec<u8> = body.iter().copied().filter(|&b| b != b'\r').collect();
    let end = text
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |i| i + 1);
    hex(&fingerprint(&text[..end]))
}

/// The body of a raw message: what follows the first blank line.
pub fn body_of(raw: &[u8]) -> &[u8] {
    raw.windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| &raw[i + 4..])
        .or_else(|| {
            raw.windows(2)
                .position(|w| w == b"\n\n")
                .map(|i| &raw[i + 2..])
        })
        .unwrap_or_default()
}

/// How the daemon recognises a draft it already made for a message: its Message-ID and
/// [`source_digest`].
pub fn drafted_key(source: &str, digest: &str) -> String {
    format!("{source} {digest}")
}

/// Builds the draft message.
pub fn build(d: DraftInput<'_>, env: &DraftEnv) -> Result<Draft, DraftError> {
    let to_addr: lettre::Address = ascii_domain(&d.to.address)
        .parse()
        .map_err(|_| DraftError::NoRecipient)?;
    let to_name =
        d.to.name
            .as_deref()
            .map(|n| clean_line(n, 80))
            .filter(|n| !n.is_empty());
    let to = Mailbox::new(to_name, to_addr);
    let to_text = to.email.to_string();
    let to_mailbox = to.to_string();
    let subject = re(d.subject);
    let message_id = format!(
        "mailtriage.{}.{:016x}@{}",
        env.now.timestamp(),
        env.nonce,
        d.sender.domain
    );
    let source = d.msg.message_id.as_deref().and_then(safe_msg_id);
    let (in_reply_to, references) = match source {
        Some(id) => {
            // References, then an In-Reply-To it lacks (some clients send only that).
            let mut refs: Vec<&str> = d
                .msg
                .references
                .iter()
                .chain(
                    d.msg
                        .in_reply_to
                        .iter()
                        .filter(|p| !d.msg.references.contains(p)),
                )
                .filter_map(|r| safe_msg_id(r))
                .filter(|r| *r != id)
                .collect();
            // Keep the thread root and the most recent ancestors, as RFC 5322 suggests.
            if refs.len() > 10 {
                let tail = refs.split_off(refs.len() - 9);
                refs.truncate(1);
                refs.extend(tail);
            }
            refs.push(id);
            let mut references =
                String::with_capacity(refs.iter().map(|r| r.len() + 3).sum::<usize>());
            for r in refs {
                if !references.is_empty() {
                    references.push(' ');
                }
                references.push('<');
                references.push_str(r);
                references.push('>');
            }
            (Some(format!("<{id}>")), Some(references))
        }
        None => (None, None),
    };
    let when = UNIX_EPOCH + Duration::from_secs(env.now.timestamp().max(0) as u64);
    // Given rather than derived: lettre would parse the From and To headers back to find it.
    let envelope =
        lettre::address::Envelope::new(Some(d.sender.address.clone()), vec![to.email.clone()])
            .map_err(|e| DraftError::Build(e.to_string()))?;
    // The same headers, in the same order, as the builder's own `from`, `subject`,
    // `message_id`, `header(ContentType…)` and so on; values we generate or have already cleaned
    // go in pre-encoded (see `text_header`).
    let mut b = lettre::Message::builder()
        .envelope(envelope)
        .raw_header(d.sender.from_header.clone())
        .to(to)
        .raw_header(text_header(header::Subject::name(), subject.clone()))
        .date(when)
        .raw_header(text_header(
            header::MessageId::name(),
            format!("<{message_id}>"),
        ))
        .raw_header(d.sender.content_type.clone())
        .raw_header(d.sender.mime_version.clone())
        .raw_header(text_header(X_CATEGORY, d.category.to_string()))
        .raw_header(text_header(X_LANGUAGE, d.language.to_string()))
        .raw_header(text_header(X_PRIORITY, d.priority.to_string()));
    if let (Some(irt), Some(refs)) = (&in_reply_to, &references) {
        b = b
            .raw_header(text_header(header::InReplyTo::name(), irt.clone()))
            .raw_header(text_header(header::References::name(), refs.clone()))
            .raw_header(text_header(X_SOURCE, irt.clone()));
    }
    let digest = source_digest(d.msg);
    b = b.raw_header(text_header(X_SOURCE_DIGEST, digest.clone()));
    if !d.facts_summary.is_empty() {
        b = b.raw_header(text_header(X_FACTS, clean_line(d.facts_summary, 900)));
    }
    let message = b
        .body(encoded_body(&d.body))
        .map_err(|e| DraftError::Build(e.to_string()))?;
    // The digest covers the body as encoded, so it goes in after formatting, last among the
    // headers (its value is hex: nothing to encode or fold).
    let mut raw = message.formatted();
    let digest_of_body = body_digest(body_of(&raw));
    if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
        let line = format!("\r\nX-Mailtriage-Digest: {digest_of_body}");
        raw.splice(end..end, line.into_bytes());
    }
    Ok(Draft {
        from: d.sender.from.clone(),
        to: to_text,
        to_mailbox,
        source_digest: digest,
        digest: digest_of_body,
        subject,
        in_reply_to,
        references,
        language: d.language.to_string(),
        template: d.template.to_string(),
        body: d.body,
        message_id,
        raw,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_re_prefix() {
        assert_eq!(reply_subject("Re: RE: Fwd: AW: Login"), "Re: Login");
        assert_eq!(reply_subject("回复：服务器宕机"), "Re: 服务器宕机");
        assert_eq!(reply_subject("답장: 로그인"), "Re: 로그인");
        assert_eq!(reply_subject("SV: Re[2]: Faktura"), "Re: Faktura");
        assert_eq!(reply_subject(""), "Re: (no subject)");
        assert_eq!(reply_subject("Refund please"), "Re: Refund please");
        let chain = format!("{}Invoice 4471", "Re: RE: AW: ".repeat(40));
        assert_eq!(reply_subject(&chain), "Re: Invoice 4471");
    }

    #[test]
    fn clean_line_removes_every_line_break() {
        let s = clean_line("Hi\r\nBcc: evil@x\u{0}\u{2028}there\u{2029}", 200);
        assert_eq!(s, "Hi Bcc: evil@x there");
        assert_eq!(clean_line("abcdef", 3), "abc…");
    }

    /// A header as lettre formats it, `Name: value\r\n`.
    fn formatted(v: HeaderValue) -> String {
        let mut h = lettre::message::header::Headers::new();
        h.insert_raw(v);
        h.to_string()
    }

    #[test]
    fn text_headers_fold_at_exactly_the_same_places_as_lettre() {
        let names = [X_FACTS, header::Subject::name(), header::References::name()];
        let mut compared = 0;
        for name in names {
            for first in 0..90 {
                for second in [1, 2, 5, 20, 40, 60, 70, 75, 76, 77, 90] {
                    for gap in [" ", "  ", "   "] {
                        for tail in ["", " ", "  ", " c", "  dd ee"] {
                            let value =
                                format!("{}{gap}{}{tail}", "a".repeat(first), "b".repeat(second));
                            assert_eq!(
                                formatted(text_header(name.clone(), value.clone())),
                                formatted(HeaderValue::new(name.clone(), value.clone())),
                                "{value:?}"
                            );
                            compared += 1;
                        }
                    }
                }
            }
        }
        assert!(compared > 10_000);
    }

    proptest::proptest! {
        /// The pre-encoded fast path writes exactly what lettre's encoder writes.
        #[test]
        fn text_headers_encode_as_lettre_does(
            words in proptest::collection::vec("[a-z<>@.;:=?-]{0,30}| {1,3}|é|\t|\r\n", 0..40),
            name in 0..5usize,
        ) {
            let value: String = words.concat();
            let name = [X_FACTS, X_SOURCE, header::Subject::name(), header::References::name(),
                HeaderName::new_from_ascii_str("X")][name].clone();
            proptest::prop_assert_eq!(
                formatted(text_header(name.clone(), value.clone())),
                formatted(HeaderValue::new(name, value))
            );
        }
    }

    /// lettre's own encoding of a `String` body.
    fn lettre_body(text: &str) -> (ContentTransferEncoding, Vec<u8>) {
        let b = Body::new(text.to_string());
        (b.encoding(), b.as_ref().to_vec())
    }

    #[test]
    fn bodies_encode_as_lettre_does_at_every_line_length() {
        let mut compared = 0;
        for len in 60..90 {
            for tail in ["", "\n", "\nok\n", "\r\nx", "\n\n", "\rz\n"] {
                for fill in ["a", "é", "日本", " ", "a=b"] {
                    let line: String = fill.repeat(len).chars().take(len).collect();
                    for text in [
                        format!("{line}{tail}"),
                        format!("Hi,\n{line}{tail}"),
                        format!("\n{line}"),
                    ] {
                        let ours = encoded_body(&text);
                        assert_eq!(
                            (ours.encoding(), ours.as_ref().to_vec()),
                            lettre_body(&text),
                            "{text:?}"
                        );
                        compared += 1;
                    }
                }
            }
        }
        assert!(compared > 2000);
    }

    proptest::proptest! {
        /// Any body, however mixed: the same encoding and the same bytes as `Body::new`.
        #[test]
        fn any_body_encodes_as_lettre_does(
            parts in proptest::collection::vec(
                "[a-z =.]{0,90}|\n|\r|\r\n|\t|[é日ö€]{1,40}|\u{1F4EC}", 0..30),
        ) {
            let text = parts.concat();
            let ours = encoded_body(&text);
            proptest::prop_assert_eq!((ours.encoding(), ours.as_ref().to_vec()), lettre_body(&text));
        }
    }

    /// `clean_line` as it was first written, one character at a time: the reference.
    fn clean_line_reference(s: &str, max: usize) -> String {
        let mut out = String::new();
        let mut count = 0;
        let mut space = false;
        for ch in s.chars() {
            let ch = if ch.is_control()
                || matches!(ch, '\u{2028}' | '\u{2029}' | '\u{85}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
            {
                ' '
            } else {
                ch
            };
            if ch.is_whitespace() {
                space = !out.is_empty();
                continue;
            }
            if count >= max {
                out.push('…');
                break;
            }
            if space {
                out.push(' ');
                count += 1;
                space = false;
            }
            out.push(ch);
            count += 1;
        }
        out
    }

    #[test]
    fn clean_line_keeps_every_character_class_apart() {
        for c in (0u32..0x3100)
            .chain(0xfe00..0x10000)
            .filter_map(char::from_u32)
        {
            for s in [format!("a{c}b"), format!("{c}"), format!(" {c} {c}{c}x")] {
                for max in [0, 1, 2, 3, 80] {
                    assert_eq!(clean_line(&s, max), clean_line_reference(&s, max), "{s:?}");
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn clean_line_is_the_reference(
            parts in proptest::collection::vec(
                "[a-z]{0,12}| {1,3}|\r\n|\t|\u{0}|\u{2028}|\u{202e}|\u{3000}|[é日ö€]{1,5}", 0..20),
            max in 0..40usize,
        ) {
            let s = parts.concat();
            proptest::prop_assert_eq!(clean_line(&s, max), clean_line_reference(&s, max));
        }
    }

    #[test]
    fn international_domains_go_out_as_punycode() {
        assert_eq!(
            ascii_domain("kim@bücher.example"),
            "kim@xn--bcher-kva.example"
        );
        assert_eq!(ascii_domain("kim@example.org"), "kim@example.org");
    }

    #[test]
    fn a_reply_to_dressed_as_another_address_is_drafted_with_a_warning() {
        let person = |name: Option<&str>, address: &str| Person {
            name: name.map(str::to_string),
            address: address.to_string(),
        };
        let msg = Parsed {
            from: Some(person(Some("Kim"), "kim@example.org")),
            reply_to: vec![person(Some("support@example.com"), "mallory@evil.example")],
            ..Parsed::default()
        };
        let (to, warnings) = recipient(&msg, &["support@example.com".to_string()]);
        assert_eq!(
            to.map(|p| p.address).as_deref(),
            Some("mallory@evil.example")
        );
        let all = warnings.join("\n");
        assert!(
            all.contains("shows the name \"support@example.com\" but goes to mallory@evil.example"),
            "{all}"
        );
        assert!(
            all.contains("another domain than the sender kim@example.org"),
            "{all}"
        );
        let plain = Parsed {
            from: Some(person(Some("Kim"), "kim@example.org")),
            reply_to: vec![person(Some("Kim Lee"), "kim.lee@example.org")],
            ..Parsed::default()
        };
        assert!(recipient(&plain, &[]).1.is_empty());
    }

    #[test]
    fn msg_ids_are_checked() {
        assert_eq!(safe_msg_id("<abc@x.org>"), Some("abc@x.org"));
        assert_eq!(safe_msg_id("a b@x"), None);
        assert_eq!(safe_msg_id("a\r\nb"), None);
    }
}
