//! The fixture corpus: every `tests/fixtures/*.eml` with its expected `.json` subset, run through
//! the pipeline. Reports accuracy per language and fails on any mismatch.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::util::{engine, fixed_env, fixtures};
use mailtriage::pipeline::Outcome;

struct Case {
    name: String,
    raw: Vec<u8>,
    expected: Value,
}

fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    let dir = fixtures();
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures dir")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    entries.sort();
    for eml in entries {
        let json = eml.with_extension("json");
        let expected: Value = serde_json::from_slice(
            &std::fs::read(&json).unwrap_or_else(|e| panic!("{}: {e}", json.display())),
        )
        .unwrap_or_else(|e| panic!("{}: {e}", json.display()));
        out.push(Case {
            name: eml
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned(),
            raw: std::fs::read(&eml).expect("read eml"),
            expected,
        });
    }
    out
}

/// The fields of an outcome that a fixture's `.json` may pin, as JSON.
fn observed(o: &Outcome) -> BTreeMap<&'static str, Value> {
    let v = serde_json::to_value(o).expect("outcome serialises");
    let kinds: BTreeSet<String> = o.facts.iter().map(|f| f.kind().to_string()).collect();
    let mut m = BTreeMap::new();
    m.insert("action", v["action"].clone());
    m.insert("skip_reason", v["skip_reason"].clone());
    m.insert("category", v["category"].clone());
    m.insert("language", v["language"].clone());
    m.insert("facts", serde_json::to_value(kinds).expect("set"));
    m.insert("to", v["draft"]["to"].clone());
    m.insert("subject", v["draft"]["subject"].clone());
    m
}

fn normalise_expected(key: &str, v: &Value) -> Value {
    if key == "facts" {
        let set: BTreeSet<String> = v
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect();
        serde_json::to_value(set).expect("set")
    } else {
        v.clone()
    }
}

#[test]
fn fixture_corpus_matches_expectations() {
    let engine = engine();
    let cases = cases();
    assert!(
        cases.len() >= 80,
        "the corpus must hold at least 80 fixtures, found {}",
        cases.len()
    );
    let mut failures = Vec::new();
    // language → (messages, category right, language right)
    let mut per_lang: BTreeMap<String, (u32, u32, u32)> = BTreeMap::new();
    for c in &cases {
        let o = match engine.triage(&c.raw, &c.name, &fixed_env(), None) {
            Ok(o) => o,
            Err(e) => {
                failures.push(format!("{}: error {e}", c.name));
                continue;
            }
        };
        let seen = observed(&o);
        let lang = c.expected["language"]
            .as_str()
            .unwrap_or("skips")
            .to_string();
        let entry = per_lang.entry(lang).or_default();
        entry.0 += 1;
        let mut ok_cat = true;
        for (key, want) in c.expected.as_object().expect("expected is an object") {
            let Some(got) = seen.get(key.as_str()) else {
                failures.push(format!("{}: unknown expected key {key}", c.name));
                continue;
            };
            let want = normalise_expected(key, want);
            if *got != want {
                if key == "category" || key == "action" || key == "skip_reason" {
                    ok_cat = false;
                }
                failures.push(format!("{}: {key} expected {want}, got {got}", c.name));
            }
        }
        entry.1 += u32::from(ok_cat);
        entry.2 += u32::from(seen["language"] == c.expected["language"]);
        if let Some(d) = &o.draft {
            if engine
                .templates
                .has(&o.language, o.category.as_deref().unwrap_or(""))
                && d.language != o.language
            {
                failures.push(format!(
                    "{}: draft in {} for a {} message",
                    c.name, d.language, o.language
                ));
            }
            if let Err(e) = headers_are_safe(&d.raw) {
                failures.push(format!("{}: unsafe draft header: {e}", c.name));
            }
        }
    }
    eprintln!("fixture accuracy per language (messages, category+action right, language right):");
    for (lang, (n, cat, lang_ok)) in &per_lang {
        let pct = |k: u32| 100.0 * k as f64 / *n as f64;
        if lang == "skips" {
            eprintln!("  {lang}: {n:3} messages, skip reason {:5.1}%", pct(*cat));
        } else {
            eprintln!(
                "  {lang}: {n:3} messages, category {:5.1}%, language {:5.1}%",
                pct(*cat),
                pct(*lang_ok)
            );
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Every header line of a draft is `Name: value` or a folded continuation, exactly one Subject
/// and To, and no header a customer could have injected.
pub fn headers_are_safe(raw: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(raw);
    let head = text.split("\r\n\r\n").next().unwrap_or("");
    let mut names = Vec::new();
    for line in head.split("\r\n") {
        if line.contains('\r') || line.contains('\n') || line.contains('\0') {
            return Err(format!("bare CR/LF/NUL in {line:?}"));
        }
        if line.starts_with(' ') || line.starts_with('\t') {
            continue;
        }
        let (name, _) = line
            .split_once(':')
            .ok_or_else(|| format!("not a header line: {line:?}"))?;
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(format!("bad header name in {line:?}"));
        }
        names.push(name.to_ascii_lowercase());
    }
    for one in ["subject", "to", "from", "message-id", "content-type"] {
        let n = names.iter().filter(|x| *x == one).count();
        if n != 1 {
            return Err(format!("{n} {one} headers"));
        }
    }
    for never in ["bcc", "cc", "reply-to"] {
        if names.iter().any(|x| x == never) {
            return Err(format!("unexpected {never} header"));
        }
    }
    Ok(())
}

#[test]
fn a_ten_megabyte_attachment_is_ignored() {
    let engine = engine();
    let mut raw = b"From: Kim <kim@example.org>\r\nTo: support@example.com\r\nSubject: Charged twice\r\nMessage-ID: <big@example.org>\r\nDate: Sun, 15 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nI was charged twice for November, please refund the second payment.\r\n--b\r\nContent-Type: application/pdf; name=\"scan.pdf\"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"scan.pdf\"\r\n\r\n".to_vec();
    let line = b"JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFIvRmlsdGVyIC9GbGF0ZURlY29k\r\n";
    while raw.len() < 10 * 1024 * 1024 {
        raw.extend_from_slice(line);
    }
    raw.extend_from_slice(b"--b--\r\n");
    let o = engine
        .triage(&raw, "big", &fixed_env(), None)
        .expect("triages");
    assert_eq!(o.category.as_deref(), Some("billing"));
    assert_eq!(o.language, "en");
}

#[test]
fn drafts_are_byte_exact_with_an_injected_clock() {
    let engine = engine();
    let raw = b"From: Kim <kim@example.org>\r\nTo: support@example.com\r\nSubject: Re: RE: Password does not work\r\nMessage-ID: <k1@example.org>\r\nReferences: <root@example.com>\r\nDate: Sun, 15 Nov 2026 10:00:00 +0000\r\n\r\nMy password does not work and I am locked out of my account.\r\n";
    let a = engine
        .triage(raw, "a", &fixed_env(), None)
        .expect("ok")
        .draft
        .expect("draft");
    let b = engine
        .triage(raw, "b", &fixed_env(), None)
        .expect("ok")
        .draft
        .expect("draft");
    assert_eq!(a.raw, b.raw);
    let text = String::from_utf8_lossy(&a.raw);
    assert!(
        text.contains("Subject: Re: Password does not work\r\n"),
        "{text}"
    );
    assert!(text.contains("In-Reply-To: <k1@example.org>\r\n"), "{text}");
    assert!(
        text.contains("References: <root@example.com> <k1@example.org>\r\n"),
        "{text}"
    );
    assert!(
        text.contains("X-Mailtriage-Source: <k1@example.org>\r\n"),
        "{text}"
    );
    assert!(text.contains("X-Mailtriage-Category: login\r\n"), "{text}");
    assert!(
        text.contains("Date: Sun, 22 Nov 2026 12:00:00 +0000\r\n"),
        "{text}"
    );
    assert!(
        text.contains("Message-ID: <mailtriage.1795348800.0000000000005eed@example.com>\r\n"),
        "{text}"
    );
    assert!(
        text.contains("Content-Type: text/plain; charset=utf-8\r\n"),
        "{text}"
    );
}

#[test]
fn header_injection_in_subject_and_name_never_reaches_a_header() {
    let engine = engine();
    let raw = "From: =?UTF-8?B?S2ltDQpCY2M6IGV2aWxAZXZpbC50ZXN0?= <kim@example.org>\r\nTo: support@example.com\r\nSubject: =?UTF-8?B?TG9naW4NCkJjYzogdmljdGltQGV2aWwudGVzdA0KDQpib2R5?=\r\nMessage-ID: <inj@example.org>\r\nDate: Sun, 15 Nov 2026 10:00:00 +0000\r\n\r\nI cannot log in {{signature}} \u{2028} <script>x</script>\r\n";
    let o = engine
        .triage(raw.as_bytes(), "inj", &fixed_env(), None)
        .expect("ok");
    let d = o.draft.expect("draft");
    headers_are_safe(&d.raw).expect("safe headers");
    assert!(!String::from_utf8_lossy(&d.raw)
        .to_ascii_lowercase()
        .contains("\r\nbcc:"));
    assert!(d.subject.starts_with("Re: Login Bcc:"), "{}", d.subject);
}
