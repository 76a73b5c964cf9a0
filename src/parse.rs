//! Turns the raw bytes of one message into a [`Parsed`] message: decoded headers (any charset
//! mail-parser knows), the body as plain text (HTML converted), and the customer's **new** text
//! with quoted history, signatures and legal footers removed (see [`newtext`]). Never panics on
//! any input; bytes that are not a message at all are a [`ParseError`].

pub mod html;
pub mod newtext;

use chrono::{DateTime, TimeZone, Utc};
use mail_parser::{
    Address, HeaderName, HeaderValue, Message, MessageParser, MimeHeaders, PartType,
};

use std::sync::LazyLock;

use crate::rules::RuleSet;

/// Body text beyond this many bytes is not read: nobody writes a support request that long,
/// and it bounds the work per message.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// A name and address as written in a header (address lower-cased, name decoded).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Person {
    pub name: Option<String>,
    pub address: String,
}

/// The header facts `screen` decides on, extracted once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScreenHeaders {
    /// `Auto-Submitted`, lower-cased.
    pub auto_submitted: Option<String>,
    /// `X-Autoreply` or `X-Autorespond` set to anything but "no".
    pub x_autoreply: bool,
    /// Outlook's `X-Auto-Response-Suppress`: on auto-replies, but also on some people's mail.
    pub auto_response_suppress: bool,
    /// Exchange's `X-MS-Exchange-Message-Is-Ndr`: a non-delivery report.
    pub exchange_ndr: bool,
    pub precedence: Option<String>,
    pub list_header: bool,
    pub report: bool,
    pub null_return_path: bool,
}

/// One parsed message, everything later stages need and nothing more.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// Without angle brackets.
    pub message_id: Option<String>,
    pub from: Option<Person>,
    pub reply_to: Vec<Person>,
    /// True when Reply-To held something that is not a plain address (a group, garbage).
    pub reply_to_odd: bool,
    pub to: Vec<Person>,
    pub cc: Vec<Person>,
    /// Decoded; may still hold control characters (sanitised where it reaches a header).
    pub subject: String,
    pub date: Option<DateTime<Utc>>,
    /// The Date header's own zone, as "+09:00": the customer's local time.
    pub utc_offset: Option<String>,
    /// Message-IDs from References, without angle brackets.
    pub references: Vec<String>,
    /// Message-IDs from In-Reply-To, without angle brackets.
    pub in_reply_to: Vec<String>,
    pub screen: ScreenHeaders,
    /// The customer's own text: quoted history removed, signature kept (phone numbers live there).
    pub own_text: String,
    /// `own_text` normalised line by line, as `new_norm` is.
    pub own_norm: String,
    /// The customer's new text: no quotes, signature or footer. What classification reads.
    pub new_text: String,
    /// `new_text` as [`normalize`](crate::rules::normalize) makes it, each line trimmed:
    /// the line checks already normalised every line, so classification need not again.
    pub new_norm: String,
    pub attachments: usize,
}

/// Input that is not an email message.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ParseError {
    #[error("empty input")]
    Empty,
    #[error("not an email message: no header fields found")]
    NoHeaders,
}

/// Parses only the headers the pipeline reads; every other header is kept raw (screen reads
/// those with `header_raw`), which spares decoding Received, DKIM and the like.
static PARSER: LazyLock<MessageParser> = LazyLock::new(|| {
    MessageParser::new()
        .with_minimal_headers()
        .header_address(HeaderName::Sender)
        .with_message_ids()
});

/// Parses one message. `rules` supplies the quote/sign-off/footer markers of every language.
pub fn parse(raw: &[u8], rules: &RuleSet) -> Result<Parsed, ParseError> {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(ParseError::Empty);
    }
    let msg = PARSER.parse(raw).ok_or(ParseError::NoHeaders)?;
    let known = [
        "from",
        "sender",
        "to",
        "subject",
        "date",
        "message-id",
        "content-type",
        "mime-version",
        "received",
        "return-path",
    ];
    if !msg
        .headers()
        .iter()
        .any(|h| known.iter().any(|k| h.name().eq_ignore_ascii_case(k)))
    {
        return Err(ParseError::NoHeaders);
    }
    let (from, _) = people(msg.from());
    let (reply_to, reply_to_odd) = people(msg.reply_to());
    let (to, _) = people(msg.to());
    let (cc, _) = people(msg.cc());
    let mut subject = msg.subject().unwrap_or_default().to_string();
    if subject.contains('\u{FFFD}') {
        if let Some(joined) = msg.header_raw("Subject").and_then(join_encoded_words) {
            subject = joined;
        }
    }
    let screen = screen_headers(&msg);

    let mut body = body_texts(&msg, rules);
    if body.new.trim().is_empty() {
        // A bare forward: what the customer forwarded is what they want us to read.
        if let Some(inner) = forwarded(&msg) {
            let fwd = body_texts(inner, rules);
            body.own.push_str(&fwd.own);
            body.own_norm.push_str(&fwd.own_norm);
            body.new = fwd.new;
            body.new_norm = fwd.new_norm;
        }
    }

    Ok(Parsed {
        message_id: msg.message_id().map(str::to_string),
        from: from.into_iter().next(),
        reply_to,
        reply_to_odd,
        to,
        cc,
        subject,
        date: msg.date().and_then(to_utc),
        utc_offset: msg
            .date()
            .filter(|d| to_utc(d).is_some() && d.tz_hour <= 14 && d.tz_minute < 60)
            .map(|d| {
                let sign = if d.tz_before_gmt { '-' } else { '+' };
                format!("{sign}{:02}:{:02}", d.tz_hour, d.tz_minute)
            }),
        references: text_list(msg.references()),
        in_reply_to: text_list(msg.in_reply_to()),
        screen,
        own_text: body.own,
        own_norm: body.own_norm,
        new_text: body.new,
        new_norm: body.new_norm,
        attachments: msg.attachment_count(),
    })
}

/// Decodes a header whose encoded-words split a multi-byte character between them (against
/// RFC 2047, but common): adjacent words of one charset and encoding are joined as bytes first.
fn join_encoded_words(raw: &str) -> Option<String> {
    use mail_parser::decoders::{
        base64::base64_decode, charsets::map::charset_decoder,
        quoted_printable::quoted_printable_decode,
    };
    static WORD: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=").expect("static regex")
    });
    let mut out = String::new();
    let mut pending: Option<(String, Vec<u8>)> = None;
    let mut last_end = 0;
    let flush = |pending: &mut Option<(String, Vec<u8>)>, out: &mut String| -> Option<()> {
        if let Some((charset, bytes)) = pending.take() {
            if matches!(charset.as_str(), "utf-8" | "utf8" | "us-ascii") {
                out.push_str(&String::from_utf8_lossy(&bytes));
            } else {
                out.push_str(&charset_decoder(charset.as_bytes())?(&bytes));
            }
        }
        Some(())
    };
    for c in WORD.captures_iter(raw) {
        let m = c.get(0)?;
        let between = &raw[last_end..m.start()];
        let charset = c[1].split('*').next().unwrap_or("").to_ascii_lowercase();
        let bytes = if c[2].eq_ignore_ascii_case("b") {
            base64_decode(c[3].as_bytes())?
        } else {
            quoted_printable_decode(c[3].replace('_', " ").as_bytes())?
        };
        let continues =
            between.trim().is_empty() && pending.as_ref().is_some_and(|(cs, _)| *cs == charset);
        if continues {
            if let Some((_, b)) = pending.as_mut() {
                b.extend_from_slice(&bytes);
            }
        } else {
            flush(&mut pending, &mut out)?;
            if !(between.trim().is_empty() && last_end > 0) {
                out.push_str(between);
            }
            pending = Some((charset, bytes));
        }
        last_end = m.end();
    }
    flush(&mut pending, &mut out)?;
    out.push_str(&raw[last_end..]);
    let out = out.split_whitespace().collect::<Vec<_>>().join(" ");
    (!out.is_empty()).then_some(out)
}

fn to_utc(d: &mail_parser::DateTime) -> Option<DateTime<Utc>> {
    if d.year < 1970 || d.month == 0 || d.day == 0 {
        return None;
    }
    Utc.timestamp_opt(d.to_timestamp(), 0).single()
}

fn text_list(v: &HeaderValue<'_>) -> Vec<String> {
    match v {
        HeaderValue::Text(t) => vec![t.to_string()],
        HeaderValue::TextList(l) => l.iter().map(|t| t.to_string()).collect(),
        _ => Vec::new(),
    }
}

/// Addresses of a header; the flag is set when it held groups or entries without an address.
fn people(addr: Option<&Address<'_>>) -> (Vec<Person>, bool) {
    let Some(addr) = addr else {
        return (Vec::new(), false);
    };
    let mut odd = matches!(addr, Address::Group(_));
    let mut out = Vec::new();
    for a in addr.iter() {
        match a.address() {
            Some(address) if address.contains('@') => out.push(Person {
                name: a
                    .name()
                    .map(|n| n.trim().to_string())
                    .filter(|n| !n.is_empty()),
                address: address.trim().to_lowercase(),
            }),
            _ => odd = true,
        }
    }
    (out, odd)
}

fn screen_headers(msg: &Message<'_>) -> ScreenHeaders {
    let raw = |name: &str| {
        msg.header_raw(name)
            .map(|v| v.trim().to_ascii_lowercase())
            .filter(|v| !v.is_empty())
    };
    let list_header = msg.headers().iter().any(|h| {
        let n = h.name();
        n.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("list-"))
            && !n.eq_ignore_ascii_case("list-archive-ignored")
    });
    let report = msg.content_type().is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case("multipart")
            && ct
                .subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case("report"))
    });
    let null_return_path = msg
        .header_raw("Return-Path")
        .is_some_and(|v| v.trim() == "<>" || v.trim().is_empty());
    ScreenHeaders {
        auto_submitted: raw("Auto-Submitted"),
        x_autoreply: raw("X-Autoreply").is_some_and(|v| v != "no")
            || raw("X-Autorespond").is_some_and(|v| v != "no"),
        auto_response_suppress: raw("X-Auto-Response-Suppress").is_some(),
        exchange_ndr: msg.header_raw("X-MS-Exchange-Message-Is-Ndr").is_some(),
        precedence: raw("Precedence"),
        list_header,
        report,
        null_return_path,
    }
}

/// The first message/rfc822 part, for bare forwards.
fn forwarded<'a>(msg: &'a Message<'a>) -> Option<&'a Message<'a>> {
    msg.parts.iter().find_map(|p| match &p.body {
        PartType::Message(m) => Some(m),
        _ => None,
    })
}

/// The own and new text of a message's first text body, HTML converted.
fn body_texts(msg: &Message<'_>, rules: &RuleSet) -> newtext::Split {
    let Some(part) = msg
        .text_body
        .first()
        .and_then(|&i| msg.parts.get(i as usize))
    else {
        return newtext::Split::default();
    };
    let text = match &part.body {
        PartType::Text(t) => truncate(t, MAX_BODY_BYTES).to_string(),
        PartType::Html(h) => html::to_text(truncate(h, MAX_BODY_BYTES)),
        _ => String::new(),
    };
    newtext::split(&text, rules)
}

/// The longest prefix of `s` within `max` bytes, cut on a character boundary.
pub fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> RuleSet {
        RuleSet::load(None, &[]).expect("rules")
    }

    #[test]
    fn empty_and_garbage_are_errors_not_panics() {
        let r = rules();
        assert_eq!(parse(b"", &r).unwrap_err(), ParseError::Empty);
        assert_eq!(parse(b" \r\n", &r).unwrap_err(), ParseError::Empty);
        let _ = parse(&[0xff, 0xfe, 0x00, b':', b'\n'], &r);
    }

    #[test]
    fn decodes_encoded_word_subject_and_addresses() {
        let raw = b"From: =?UTF-8?B?6rmA66+87KSA?= <Kim@Example.ORG>\r\nTo: support@example.com\r\nSubject: =?UTF-8?B?7ISc67mE7Iqk6rCAIOuLpOyatOuQkOyWtOyalA==?=\r\nMessage-ID: <abc@example.org>\r\nDate: Sat, 21 Nov 2026 23:10:00 +0100\r\n\r\nbody\r\n";
        let p = parse(raw, &rules()).expect("parses");
        let from = p.from.expect("from");
        assert_eq!(from.address, "kim@example.org");
        assert_eq!(from.name.as_deref(), Some("김민준"));
        assert_eq!(p.subject, "서비스가 다운됐어요");
        assert_eq!(p.message_id.as_deref(), Some("abc@example.org"));
        assert_eq!(
            p.date.map(|d| d.to_rfc3339()),
            Some("2026-11-21T22:10:00+00:00".into())
        );
    }

    #[test]
    fn encoded_words_splitting_a_character_are_joined() {
        // "환불" with the bytes of 환 split across two words.
        let split = " =?UTF-8?B?7Zk=?= =?UTF-8?B?mOu2iA==?=";
        assert_eq!(join_encoded_words(split).as_deref(), Some("환불"));
    }

    #[test]
    fn html_only_body_drops_quoted_blockquote() {
        let raw = b"From: a@example.org\r\nSubject: x\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>The dashboard is <b>down</b>.</p><div class=\"gmail_quote\">On Mon someone wrote:<blockquote>Old billing question</blockquote></div></body></html>";
        let p = parse(raw, &rules()).expect("parses");
        assert!(
            p.new_text.contains("The dashboard is down"),
            "{:?}",
            p.new_text
        );
        assert!(!p.new_text.contains("billing"), "{:?}", p.new_text);
    }
}
