//! Hostile mail through the whole pipeline: 1000 levels of message/rfc822 and multipart
//! nesting, 20 MB header lines, huge base64 attachments (peak RSS of `mailtriage triage`
//! measured and bounded), every legacy charset mail-parser knows, odd Reply-To (several, a
//! group, our own address), line breaks and NUL in every header that reaches a draft, and
//! template syntax or `<script>` in bodies.

use std::io::Write;
use std::process::{Command, Stdio};

use base64_encode::encode as b64;
use mail_parser::{HeaderValue, MessageParser};
use mailtriage::pipeline::{Action, Outcome};

use crate::fixtures::headers_are_safe;
use crate::util::{engine, fixed_env};

/// Small, dependency-free base64 for building test messages.
mod base64_encode {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    pub fn encode(bytes: &[u8]) -> String {
        let mut out = String::with_capacity(bytes.len() * 4 / 3 + 4);
        for chunk in bytes.chunks(3) {
            let n = (u32::from(chunk[0]) << 16)
                | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
                | u32::from(*chunk.get(2).unwrap_or(&0));
            for k in 0..4 {
                if k <= chunk.len() {
                    out.push(A[((n >> (18 - 6 * k)) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }
}

fn triage(raw: &[u8]) -> Outcome {
    engine()
        .triage(raw, "hostile", &fixed_env(), None)
        .unwrap_or_else(|e| panic!("triage failed: {e}"))
}

fn drafted(raw: &[u8]) -> (Outcome, mailtriage::draft::Draft) {
    let o = triage(raw);
    let d = o
        .draft
        .clone()
        .unwrap_or_else(|| panic!("no draft (action {:?}, skip {:?})", o.action, o.skip_reason));
    headers_are_safe(&d.raw).unwrap_or_else(|e| panic!("{e}"));
    (o, d)
}

/// The header section of a draft, as text.
fn head(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    text.split("\r\n\r\n").next().unwrap_or("").to_string()
}

/// Every decoded text of every header of a draft (names, addresses, unstructured values),
/// unfolded first (a CRLF before a space is folding, not content), so any line break left
/// came from inside an encoded word.
fn decoded_headers(raw: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let unfolded = format!(
        "{}\r\n\r\n{body}",
        head.replace("\r\n ", " ").replace("\r\n\t", "\t")
    );
    let msg = MessageParser::default()
        .parse(unfolded.as_bytes())
        .expect("the draft parses");
    let mut out = Vec::new();
    for h in msg.headers() {
        let name = h.name().to_string();
        let mut push = |s: &str| out.push((name.clone(), s.to_string()));
        match h.value() {
            HeaderValue::Address(a) => {
                for x in a.iter() {
                    x.name().into_iter().chain(x.address()).for_each(&mut push);
                }
            }
            HeaderValue::Text(t) => push(t),
            HeaderValue::TextList(l) => l.iter().for_each(|t| push(t)),
            _ => {}
        }
    }
    out
}

const CUSTOMER: &str = "From: Kim Customer <kim@example.org>\r\nTo: support@example.com\r\nDate: Sun, 15 Nov 2026 10:00:00 +0000\r\n";

#[test]
fn deeply_nested_message_rfc822_is_triaged_within_a_worker_stack() {
    // 1000 forwards, each a message/rfc822 around the last, and 1000 nested multiparts; on a
    // 2 MiB stack, the size of a tokio worker's.
    let mut forwarded = b"From: Kim <kim@example.org>\r\nSubject: Login\r\nContent-Type: text/plain\r\n\r\nI cannot log in, my password does not work.\r\n".to_vec();
    for k in 0..1000 {
        let mut outer = format!("{CUSTOMER}Subject: Fwd {k}\r\nMessage-ID: <nest-{k}@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: message/rfc822\r\n\r\n").into_bytes();
        outer.extend_from_slice(&forwarded);
        forwarded = outer;
    }
    let mut multipart =
        b"Content-Type: text/plain\r\n\r\nI cannot log in, my password does not work.\r\n".to_vec();
    for k in 0..1000 {
        let mut outer =
            format!("Content-Type: multipart/mixed; boundary=\"b{k}\"\r\n\r\n--b{k}\r\n")
                .into_bytes();
        outer.extend_from_slice(&multipart);
        outer.extend_from_slice(format!("\r\n--b{k}--\r\n").as_bytes());
        multipart = outer;
    }
    let mut multipart_msg = format!(
        "{CUSTOMER}Subject: Nested\r\nMessage-ID: <nest-mp@example.org>\r\nMIME-Version: 1.0\r\n"
    )
    .into_bytes();
    multipart_msg.extend_from_slice(&multipart);
    for (what, raw) in [("message/rfc822", forwarded), ("multipart", multipart_msg)] {
        let outcome = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || triage(&raw))
            .expect("spawn")
            .join()
            .unwrap_or_else(|_| panic!("1000 levels of {what} crashed the pipeline"));
        if let Some(d) = &outcome.draft {
            headers_are_safe(&d.raw).unwrap_or_else(|e| panic!("{what}: {e}"));
        }
        assert_eq!(outcome.action, Action::Draft, "{what}: {outcome:?}");
    }
}

#[test]
fn a_twenty_megabyte_header_line_is_clipped() {
    let big = 20 * 1024 * 1024;
    let word = "Login password reset please ";
    let subject: String = word.repeat(big / word.len());
    let refs: String = (0..big / 24)
        .map(|n| format!("<r{n:08}@example.org> "))
        .collect();
    let name: String = "Kim ".repeat(big / 4);
    let cases = [
        (
            "Subject",
            format!("From: <kim@example.org>\r\nTo: support@example.com\r\nSubject: {subject}\r\nMessage-ID: <big-subject@example.org>\r\n\r\nI cannot log in.\r\n"),
        ),
        (
            "References",
            format!("{CUSTOMER}Subject: Login\r\nMessage-ID: <big-refs@example.org>\r\nReferences: {refs}\r\n\r\nI cannot log in.\r\n"),
        ),
        (
            "From name",
            format!("From: {name}<kim@example.org>\r\nTo: support@example.com\r\nSubject: Login\r\nMessage-ID: <big-name@example.org>\r\n\r\nI cannot log in.\r\n"),
        ),
        (
            "X-Junk",
            format!("{CUSTOMER}Subject: Login\r\nMessage-ID: <big-junk@example.org>\r\nX-Junk: {subject}\r\n\r\nI cannot log in.\r\n"),
        ),
    ];
    for (what, raw) in cases {
        assert!(raw.len() >= big, "{what}: the header is 20 MB");
        let (_, d) = drafted(raw.as_bytes());
        let h = head(&d.raw);
        assert!(
            h.len() < 8 * 1024,
            "{what}: a {} byte header section",
            h.len()
        );
        assert!(d.subject.chars().count() <= 210, "{what}: {}", d.subject);
        assert_eq!(d.to, "kim@example.org", "{what}");
        if let Some(r) = &d.references {
            assert!(
                r.matches('<').count() <= 11,
                "{what}: {} references",
                r.matches('<').count()
            );
        }
    }
}

/// A multipart message with a text part and a base64 attachment of `size` random-looking bytes.
fn with_attachment(size: usize) -> Vec<u8> {
    let mut raw = format!("{CUSTOMER}Subject: Charged twice\r\nMessage-ID: <huge@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nI was charged twice for November, please refund the second payment.\r\n--b\r\nContent-Type: application/octet-stream; name=\"dump.bin\"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"dump.bin\"\r\n\r\n").into_bytes();
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let mut chunk = Vec::with_capacity(57);
    let mut written = 0;
    while written < size {
        chunk.clear();
        for _ in 0..57 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            chunk.push(x as u8);
        }
        raw.extend_from_slice(b64(&chunk).as_bytes());
        raw.extend_from_slice(b"\r\n");
        written += 57;
    }
    raw.extend_from_slice(b"--b--\r\n");
    raw
}

/// Peak RSS in KiB of `mailtriage triage --json` on `raw`, from `/usr/bin/time -v`.
fn triage_peak_rss_kib(raw: &[u8]) -> (u64, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("huge.eml");
    std::fs::write(&file, raw).expect("write message");
    let config = crate::util::fixtures().join("config.toml");
    let out = crate::util::peak_rss(
        &[
            "--config",
            &crate::util::path_str(&config),
            "triage",
            "--json",
            &crate::util::path_str(&file),
        ],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        crate::util::kib(&out),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn huge_base64_attachments_keep_memory_bounded() {
    let mut figures = Vec::new();
    for mib in [1usize, 25, 100] {
        let raw = with_attachment(mib * 1024 * 1024 * 3 / 4);
        let (kib, json) = triage_peak_rss_kib(&raw);
        assert!(json.contains("\"category\":\"billing\""), "{json}");
        figures.push((raw.len() as u64 / 1024, kib));
    }
    eprintln!("mailtriage triage peak RSS (message KiB, peak KiB): {figures:?}");
    // The baseline (engine, rules, templates) plus a small multiple of the message: the
    // message itself, its decoded attachment and the text read — never a copy per part.
    let (small_msg, small_rss) = figures[0];
    for (msg, rss) in &figures[1..] {
        let growth = rss.saturating_sub(small_rss);
        assert!(
            growth <= 3 * (msg - small_msg),
            "peak RSS grew {growth} KiB for {} KiB more message: {figures:?}",
            msg - small_msg
        );
    }
}

/// The customer's sentence in a script each legacy charset holds.
const FRENCH: &str = "Je n'arrive pas à me connecter, le mot de passe est refusé.";
const GERMAN: &str = "Ich kann mich nicht anmelden, das Passwort für mein Konto ist gesperrt.";
const RUSSIAN: &str = "Не могу войти в аккаунт, пароль не работает.";
const GREEK: &str = "Δεν μπορώ να συνδεθώ στον λογαριασμό μου, ο κωδικός δεν λειτουργεί.";
const TURKISH: &str = "Hesabıma giriş yapamıyorum, şifre çalışmıyor.";
const ARABIC: &str = "لا أستطيع تسجيل الدخول إلى حسابي، كلمة المرور لا تعمل.";
const HEBREW: &str = "אני לא מצליח להתחבר לחשבון, הסיסמה לא עובדת.";
const THAI: &str = "ฉันไม่สามารถเข้าสู่ระบบได้ รหัสผ่านใช้ไม่ได้";
const JAPANESE: &str = "ログインできません。パスワードが違うと表示されます。";
const KOREAN: &str = "로그인이 안 됩니다. 비밀번호가 맞지 않는다고 나옵니다.";
const SIMPLIFIED: &str = "我无法登录，密码不正确。";
const TRADITIONAL: &str = "我無法登入，密碼不正確。";

/// (charset label, text): every legacy charset label family mail-parser decodes.
const CHARSETS: &[(&str, &str)] = &[
    ("iso-8859-1", FRENCH),
    (
        "windows-1252",
        "“Ich kann mich nicht anmelden” – das Passwort für mein Konto.",
    ),
    ("iso-8859-2", "Nie mogę się zalogować, hasło nie działa."),
    (
        "iso-8859-3",
        "Mi ne povas ensaluti, ĉar la pasvorto ŝanĝiĝis.",
    ),
    (
        "iso-8859-4",
        "Es nevaru pieteikties, parole nedarbojas, ļoti žēl.",
    ),
    ("iso-8859-5", RUSSIAN),
    ("iso-8859-6", ARABIC),
    ("iso-8859-7", GREEK),
    ("iso-8859-8", HEBREW),
    ("iso-8859-8-i", HEBREW),
    ("iso-8859-9", TURKISH),
    (
        "iso-8859-10",
        "Eg kan ikkje logge inn, passordet virkar ikkje på kontoen min.",
    ),
    ("iso-8859-11", THAI),
    ("iso-8859-13", "Negaliu prisijungti, slaptažodis neveikia."),
    (
        "iso-8859-14",
        "Ni allaf fewngofnodi, nid yw'r cyfrinair yn gweithio ŵ ŷ.",
    ),
    (
        "iso-8859-15",
        "No puedo iniciar sesión, la contraseña no funciona; cobro de 10 €.",
    ),
    (
        "iso-8859-16",
        "Nu mă pot autentifica, parola nu funcționează.",
    ),
    ("windows-1250", "Nemohu se přihlásit, heslo nefunguje."),
    ("windows-1251", RUSSIAN),
    ("windows-1253", GREEK),
    ("windows-1254", TURKISH),
    ("windows-1255", HEBREW),
    ("windows-1256", ARABIC),
    ("windows-1257", "Ma ei saa sisse logida, parool ei tööta."),
    ("windows-1258", "Tôi không thê\u{301} đăng nhâ\u{323}p."),
    ("windows-874", THAI),
    ("tis-620", THAI),
    ("koi8-r", RUSSIAN),
    (
        "koi8-u",
        "Не можу увійти до облікового запису, пароль не працює, ґанок.",
    ),
    ("ibm866", RUSSIAN),
    ("macintosh", FRENCH),
    ("x-mac-cyrillic", RUSSIAN),
    ("shift_jis", JAPANESE),
    ("euc-jp", JAPANESE),
    ("iso-2022-jp", JAPANESE),
    ("euc-kr", KOREAN),
    ("ks_c_5601-1987", KOREAN),
    ("gb2312", SIMPLIFIED),
    ("gbk", SIMPLIFIED),
    ("gb18030", SIMPLIFIED),
    ("big5", TRADITIONAL),
    ("big5-hkscs", TRADITIONAL),
    ("utf-16le", GERMAN),
    ("utf-16be", KOREAN),
    ("utf-7", GERMAN),
    ("ibm850", GERMAN),
];

/// `text` in `label`, by encoding_rs where it knows the charset, else by hand.
fn encode(label: &str, text: &str) -> Vec<u8> {
    match label {
        "utf-16le" => text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        "utf-16be" => text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        "utf-7" => utf7(text),
        "ibm850" => text
            .chars()
            .map(|c| match c {
                'ü' => 0x81,
                'é' => 0x82,
                'ä' => 0x84,
                'ö' => 0x94,
                'ß' => 0xe1,
                c if c.is_ascii() => c as u8,
                c => panic!("no {c} in the ibm850 table here"),
            })
            .collect(),
        _ => {
            let enc = encoding_rs::Encoding::for_label(label.as_bytes())
                .unwrap_or_else(|| panic!("encoding_rs does not know {label}"));
            let (bytes, _, unmappable) = enc.encode(text);
            assert!(!unmappable, "{label} cannot hold {text:?}");
            bytes.into_owned()
        }
    }
}

/// UTF-7 (RFC 2152): ASCII as is, everything else as `+base64(UTF-16BE)-`.
fn utf7(text: &str) -> Vec<u8> {
    let mut out = String::new();
    let mut run: Vec<u16> = Vec::new();
    let flush = |run: &mut Vec<u16>, out: &mut String| {
        if run.is_empty() {
            return;
        }
        let bytes: Vec<u8> = run.iter().flat_map(|u| u.to_be_bytes()).collect();
        out.push('+');
        out.push_str(b64(&bytes).trim_end_matches('='));
        out.push('-');
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii() && c != '+' {
            flush(&mut run, &mut out);
            out.push(c);
        } else {
            let mut buf = [0u16; 2];
            run.extend_from_slice(c.encode_utf16(&mut buf));
        }
    }
    flush(&mut run, &mut out);
    out.into_bytes()
}

#[test]
fn every_legacy_charset_is_decoded_in_body_subject_and_name() {
    let mut failures = Vec::new();
    for (label, text) in CHARSETS {
        let bytes = encode(label, text);
        let name: String = text
            .split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ");
        let name = name.trim_end_matches([',', '.', '،', '，', '。']);
        let name_bytes = encode(label, name);
        let raw = format!(
            "From: =?{label}?B?{}?= <kim@example.org>\r\nTo: support@example.com\r\nSubject: =?{label}?B?{}?=\r\nMessage-ID: <cs-{label}@example.org>\r\nDate: Sun, 15 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=\"{label}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
            b64(&name_bytes),
            b64(&bytes),
            b64(&bytes)
        );
        let o = triage(raw.as_bytes());
        let Some(d) = &o.draft else {
            failures.push(format!("{label}: no draft ({:?})", o.skip_reason));
            continue;
        };
        if let Err(e) = headers_are_safe(&d.raw) {
            failures.push(format!("{label}: {e}"));
        }
        if !o.new_text.contains(text) {
            failures.push(format!("{label}: body read as {:?}", o.new_text));
        }
        if d.subject != format!("Re: {text}") {
            failures.push(format!("{label}: subject {:?}", d.subject));
        }
        let to_name = decoded_headers(&d.raw)
            .into_iter()
            .find(|(h, v)| h == "To" && !v.contains('@'))
            .map(|(_, v)| v);
        if to_name.as_deref() != Some(name) {
            failures.push(format!("{label}: name {to_name:?}, expected {name:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} charsets:\n{}",
        failures.len(),
        CHARSETS.len(),
        failures.join("\n")
    );
}

#[test]
fn charsets_without_a_decoder_never_break_the_pipeline() {
    // WHATWG's "replacement" labels and names nobody knows: the text is unreadable, the
    // message still gets an answer from its subject or a general draft, with safe headers.
    for label in ["iso-2022-kr", "hz-gb-2312", "x-unknown-42", "utf-32", ""] {
        let raw = format!("{CUSTOMER}Subject: Login problem\r\nMessage-ID: <cs-odd@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=\"{label}\"\r\n\r\n\x1b$)C\x0e\x21\x21\x0f I cannot log in.\r\n");
        let (_, d) = drafted(raw.as_bytes());
        assert_eq!(d.to, "kim@example.org", "{label}");
    }
}

/// The draft's X-Mailtriage-Facts header, decoded.
fn facts_header(raw: &[u8]) -> String {
    decoded_headers(raw)
        .into_iter()
        .find(|(h, _)| h.eq_ignore_ascii_case("X-Mailtriage-Facts"))
        .map(|(_, v)| v)
        .unwrap_or_default()
}

#[test]
fn odd_reply_to_drafts_to_one_valid_address_and_warns_the_agent() {
    // (Reply-To, the one recipient, a warning the agent must see)
    let cases = [
        (
            "Ann <ann@example.org>, Bob <bob@example.net>",
            "ann@example.org",
            "reply-to lists 2 addresses",
        ),
        (
            "team: ann@example.org, bob@example.net;",
            "ann@example.org",
            "reply-to holds a group",
        ),
        (
            "undisclosed-recipients:;",
            "kim@example.org",
            "reply-to holds a group",
        ),
        (
            "Support <SUPPORT@Example.COM>",
            "kim@example.org",
            "reply-to support@example.com is one of our own addresses",
        ),
        (
            "noc@example.com, Ann <ann@example.org>",
            "ann@example.org",
            "reply-to noc@example.com is one of our own addresses",
        ),
        (
            "not an address, <broken@>",
            "kim@example.org",
            "reply-to holds a group or an invalid entry",
        ),
    ];
    for (reply_to, to, warning) in cases {
        let raw = format!("{CUSTOMER}Reply-To: {reply_to}\r\nSubject: Login\r\nMessage-ID: <rt@example.org>\r\n\r\nI cannot log in, my password does not work.\r\n");
        let (o, d) = drafted(raw.as_bytes());
        assert_eq!(d.to, to, "Reply-To: {reply_to}");
        let recipients: Vec<String> = decoded_headers(&d.raw)
            .into_iter()
            .filter(|(h, v)| h == "To" && v.contains('@'))
            .map(|(_, v)| v)
            .collect();
        assert_eq!(recipients, [to], "Reply-To: {reply_to}");
        let facts = facts_header(&d.raw);
        assert!(
            facts.contains(&format!("warning: {warning}")),
            "Reply-To: {reply_to}: X-Mailtriage-Facts {facts:?} (warnings {:?})",
            o.warnings
        );
    }
}

/// Characters that must never reach a header of a draft.
const BREAKS: &[&str] = &[
    "\r",
    "\n",
    "\0",
    "\r\n",
    "\u{2028}",
    "\u{2029}",
    "\u{85}",
    "\r\nBcc: evil@evil.test",
];

fn encoded_word(s: &str) -> String {
    format!("=?UTF-8?B?{}?=", b64(s.as_bytes()))
}

#[test]
fn line_breaks_and_nul_in_any_header_never_reach_a_draft_header() {
    let (mut checked, mut skipped) = (0, 0);
    for bad in BREAKS {
        let ew = encoded_word(&format!("Kim{bad}Customer"));
        let raw_name = format!("Kim{bad}Customer");
        // (header that carries the break, the message)
        let variants = [
            ("From name (encoded)", format!("From: {ew} <kim@example.org>\r\nTo: support@example.com\r\nSubject: Login\r\nMessage-ID: <a@example.org>\r\n")),
            ("From name (raw)", format!("From: \"{raw_name}\" <kim@example.org>\r\nTo: support@example.com\r\nSubject: Login\r\nMessage-ID: <a@example.org>\r\n")),
            ("Subject (encoded)", format!("{CUSTOMER}Subject: {}\r\nMessage-ID: <a@example.org>\r\n", encoded_word(&format!("Login{bad}problem")))),
            ("Subject (raw)", format!("{CUSTOMER}Subject: Login{bad}problem\r\nMessage-ID: <a@example.org>\r\n")),
            ("Message-ID", format!("{CUSTOMER}Subject: Login\r\nMessage-ID: <a{bad}b@example.org>\r\n")),
            ("References", format!("{CUSTOMER}Subject: Login\r\nMessage-ID: <a@example.org>\r\nReferences: <r1@example.org> <r{bad}2@example.org>\r\n")),
            ("In-Reply-To", format!("{CUSTOMER}Subject: Login\r\nMessage-ID: <a@example.org>\r\nIn-Reply-To: <r{bad}2@example.org>\r\n")),
            ("Reply-To name", format!("{CUSTOMER}Subject: Login\r\nMessage-ID: <a@example.org>\r\nReply-To: {ew} <ann@example.org>\r\n")),
            ("Reply-To address", format!("{CUSTOMER}Subject: Login\r\nMessage-ID: <a@example.org>\r\nReply-To: <ann{bad}@example.org>\r\n")),
            ("Reply-To own address", format!("{CUSTOMER}Subject: Login\r\nMessage-ID: <a@example.org>\r\nReply-To: \"{raw_name}\" <support@example.com>, x{bad}y\r\n")),
            ("Date", format!("From: Kim <kim@example.org>\r\nTo: support@example.com\r\nDate: Sun, 15 Nov 2026{bad} 10:00:00 +0000\r\nSubject: Login\r\nMessage-ID: <a@example.org>\r\n")),
        ];
        for (what, headers) in variants {
            let raw = format!(
                "{headers}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nI cannot log in, my password does not work.\r\n"
            );
            let o = triage(raw.as_bytes());
            let Some(d) = o.draft else {
                // A raw line break inside From ends that line: the address is gone, and a
                // message without one is skipped, never drafted to a guess.
                let splits_from = what == "From name (raw)" && bad.contains('\n');
                assert!(
                    splits_from && o.skip_reason.map(|r| r.as_str()) == Some("no_reply_address"),
                    "{what} with {bad:?}: no draft: {:?} {:?}",
                    o.action,
                    o.skip_reason
                );
                skipped += 1;
                continue;
            };
            headers_are_safe(&d.raw).unwrap_or_else(|e| panic!("{what} with {bad:?}: {e}"));
            let h = head(&d.raw);
            assert!(
                h.is_ascii(),
                "{what} with {bad:?}: raw non-ASCII in the header section: {h}"
            );
            for (name, value) in decoded_headers(&d.raw) {
                assert!(
                    !value.contains(['\r', '\n', '\0', '\u{2028}', '\u{2029}', '\u{85}']),
                    "{what} with {bad:?}: {name}: {value:?}"
                );
                assert!(
                    !value.to_ascii_lowercase().contains("bcc:")
                        || name == "Subject"
                        || name == "To"
                        || name.starts_with("X-"),
                    "{what} with {bad:?}: {name}: {value:?}"
                );
            }
            checked += 1;
        }
    }
    eprintln!("hostile headers: {checked} variants drafted with clean headers, {skipped} skipped (From line broken)");
    assert_eq!(skipped, 3, "only a raw LF in From loses the address");
}

#[test]
fn template_syntax_and_script_in_bodies_stay_literal_and_inert() {
    let hostile = "{{signature}} {{{customer_name}}} {{#each facts}}x{{/each}} {{> en/greeting}} {{lookup this \"x\"}} <script>alert(1)</script> <img src=x onerror=alert(1)>";
    let subject = encoded_word(&format!("Login {hostile}"));
    for (ctype, body) in [
        ("text/plain", format!("I cannot log in. {hostile}\r\n")),
        (
            "text/html",
            format!("<html><body><p>I cannot log in.</p><p>{}</p><script>document.write('{{{{signature}}}}')</script></body></html>\r\n", hostile.replace('<', "&lt;")),
        ),
    ] {
        let raw = format!("From: {} <kim@example.org>\r\nTo: support@example.com\r\nSubject: {subject}\r\nMessage-ID: <tpl@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: {ctype}; charset=utf-8\r\n\r\n{body}", encoded_word("{{signature}} <script>x</script>"));
        let (o, d) = drafted(raw.as_bytes());
        // The customer's text reaches the agent literally…
        assert!(o.new_text.contains("{{signature}}"), "{ctype}: {}", o.new_text);
        assert!(d.subject.contains("{{signature}}"), "{ctype}: {}", d.subject);
        assert!(d.subject.contains("<script>alert(1)</script>"), "{ctype}: {}", d.subject);
        // …and is never evaluated: no template expansion, and the draft stays plain text.
        let text = String::from_utf8_lossy(&d.raw);
        assert!(
            text.contains("Content-Type: text/plain; charset=utf-8"),
            "{ctype}: {text}"
        );
        // The name, template syntax and tag included, is greeted as written, not escaped.
        assert!(
            d.body.starts_with("Hello {{signature}} <script>x</script>,"),
            "{ctype}: {}",
            d.body
        );
        assert!(!o.new_text.contains("document.write"), "{ctype}: {}", o.new_text);
    }
}

#[test]
fn the_json_report_of_hostile_mail_is_one_line() {
    // The whole CLI on the worst header: one JSON line, no raw line break from the customer.
    let raw = format!("From: {} <kim@example.org>\r\nTo: support@example.com\r\nSubject: {}\r\nMessage-ID: <j@example.org>\r\n\r\nI cannot log in.\r\n", encoded_word("Kim\r\nX: y"), encoded_word("Login\u{2028}\r\nBcc: evil@evil.test"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_mailtriage"))
        .arg("--config")
        .arg(crate::util::fixtures().join("config.toml"))
        .args(["triage", "--json", "-"])
        .env_remove("MAILTRIAGE_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(raw.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON line");
    assert_eq!(v["action"], "draft", "{stdout}");
}
