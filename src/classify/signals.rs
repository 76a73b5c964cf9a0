//! What the customer already told us, read from their own text so that a draft never advises
//! what they did nor asks for what they gave: what they tried, the references they quoted,
//! what they ask for, when they need an answer and since when their problem has lasted
//! ([`when`]), their phone number, attachments and their UTC offset. The phrases are data
//! (`[signals]` in `rules/<lang>.toml`); precision comes first, so a phrase preceded by one of
//! its language's negations does not count.

mod when;

use std::collections::BTreeMap;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::draft::locale::parse_offset;
use crate::facts::phone_numbers;
use crate::rules::{normalize, parse_phrase};
pub use when::{Day, Deadline, Week};

/// The ids `tried` may hold (PRODUCT.md); a rule file naming another is refused.
pub const TRIED: &[&str] = &[
    "password_reset",
    "reset_mail_missing",
    "two_factor",
    "restart",
    "reinstall",
    "clear_cache",
    "other_device",
    "followed_guide",
];
/// The ids `asks` may hold.
pub const ASKS: &[&str] = &["callback", "refund", "cancel", "copy", "escalation"];
/// What a sign-in problem is about, beyond a wrong password: the login draft answers each
/// differently (a reset link does nothing for a lost authenticator or a locked account).
pub const ABOUT: &[&str] = &["two_factor", "locked", "sso"];
/// The kinds of reference.
pub const REFS: &[&str] = &["invoice", "order", "ticket", "error", "step"];

/// A reference the customer gave, verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ref {
    pub kind: String,
    pub value: String,
}

/// Everything the customer told us that a draft must not ask for again.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Signals {
    pub tried: Vec<String>,
    pub refs: Vec<Ref>,
    pub asks: Vec<String>,
    /// What their sign-in problem is about ([`ABOUT`]).
    pub about: Vec<String>,
    /// "today", the date they need it by ("2026-12-11", in their offset), or null.
    pub deadline: Option<String>,
    /// The day they say their problem started ("2026-12-08", in their offset), or null.
    pub since: Option<String>,
    pub phone: Option<String>,
    pub attachments: usize,
    pub utc_offset: Option<String>,
    /// They say they phoned us (for `callback_missing` on a repeat contact).
    #[serde(skip)]
    pub called: bool,
}

impl Signals {
    /// They need an answer today.
    pub fn today(&self) -> bool {
        self.deadline.as_deref() == Some("today")
    }

    /// The date they need it by, when it is a date (not today).
    pub fn deadline_date(&self) -> Option<NaiveDate> {
        iso_date(self.deadline.as_deref()?)
    }

    /// When the day they say their problem started began, in their offset (UTC when unknown).
    pub fn since_start(&self) -> Option<DateTime<Utc>> {
        let day = iso_date(self.since.as_deref()?)?;
        let offset = self
            .utc_offset
            .as_deref()
            .and_then(parse_offset)
            .or_else(|| chrono::FixedOffset::east_opt(0))?;
        let midnight = day.and_hms_opt(0, 0, 0)?;
        Some(
            offset
                .from_local_datetime(&midnight)
                .single()?
                .with_timezone(&Utc),
        )
    }
}

fn iso_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// When the message was written: its Date header and the sender's own offset ("+09:00"),
/// against which "tomorrow", "Friday" and "since yesterday" are read.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sent<'a> {
    pub date: Option<DateTime<Utc>>,
    pub utc_offset: Option<&'a str>,
}

impl Sent<'_> {
    /// The day it was written on, where the sender was (UTC when the offset is unknown).
    pub fn local_date(&self) -> Option<NaiveDate> {
        let offset = self
            .utc_offset
            .and_then(parse_offset)
            .or_else(|| chrono::FixedOffset::east_opt(0))?;
        Some(self.date?.with_timezone(&offset).date_naive())
    }
}

/// `[signals]` of one rule file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSignals {
    #[serde(default)]
    negations: Vec<String>,
    #[serde(default)]
    tried: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    asks: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    about: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    deadline: when::RawDeadline,
    /// How the language names days, for `deadline` and `since`.
    #[serde(default)]
    days: when::RawDays,
    /// Regexes with one `{day}`: the day their problem started ("since {day}").
    #[serde(default)]
    since: Vec<String>,
    #[serde(default)]
    refs: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    phone: Vec<String>,
    /// Phrases saying they phoned us ("I called", "angerufen").
    #[serde(default)]
    calls: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Tried(usize),
    Asks(usize),
    About(usize),
    Today,
    PhoneWord,
    Called,
}

#[derive(Debug, Clone, Copy)]
struct Meta {
    target: Target,
    language: usize,
    start_boundary: bool,
    end_boundary: bool,
}

/// The compiled signal rules of every language.
pub struct SignalRules {
    matcher: AhoCorasick,
    meta: Vec<Vec<Meta>>,
    /// Per language index, normalised negation words.
    negations: Vec<Vec<String>>,
    /// (kind, language index, pattern).
    refs: Vec<(usize, usize, Regex)>,
    /// Deadlines and starts.
    when: when::When,
}

/// Collects the `[signals]` sections while rule files load.
#[derive(Default)]
pub struct Builder {
    phrases: Vec<String>,
    index: BTreeMap<String, usize>,
    meta: Vec<Vec<Meta>>,
    negations: Vec<Vec<String>>,
    refs: Vec<(usize, usize, Regex)>,
    when: when::Builder,
}

impl Builder {
    fn phrase(&mut self, phrase: &str, target: Target, language: usize) {
        let Some((p, start_boundary, end_boundary)) = parse_phrase(phrase) else {
            return;
        };
        let i = match self.index.get(&p) {
            Some(&i) => i,
            None => {
                self.phrases.push(p.clone());
                self.meta.push(Vec::new());
                self.index.insert(p, self.phrases.len() - 1);
                self.phrases.len() - 1
            }
        };
        self.meta[i].push(Meta {
            target,
            language,
            start_boundary,
            end_boundary,
        });
    }

    /// Adds one rule file's `[signals]`; `language` is its index. Errors name the key.
    pub fn add(&mut self, raw: &RawSignals, language: usize) -> Result<(), (String, String)> {
        let id = |list: &[&str], key: &str, id: &str| {
            list.iter().position(|x| *x == id).ok_or_else(|| {
                (
                    format!("signals.{key}.{id}"),
                    format!("`{id}` is not one of {}", list.join(", ")),
                )
            })
        };
        for (k, phrases) in &raw.tried {
            let t = Target::Tried(id(TRIED, "tried", k)?);
            phrases.iter().for_each(|p| self.phrase(p, t, language));
        }
        for (k, phrases) in &raw.asks {
            let t = Target::Asks(id(ASKS, "asks", k)?);
            phrases.iter().for_each(|p| self.phrase(p, t, language));
        }
        for (k, phrases) in &raw.about {
            let t = Target::About(id(ABOUT, "about", k)?);
            phrases.iter().for_each(|p| self.phrase(p, t, language));
        }
        for p in &raw.deadline.today {
            self.phrase(p, Target::Today, language);
        }
        self.when
            .add(&raw.days, &raw.deadline, &raw.since, language)?;
        for p in &raw.phone {
            self.phrase(p, Target::PhoneWord, language);
        }
        for p in &raw.calls {
            self.phrase(p, Target::Called, language);
        }
        for (k, patterns) in &raw.refs {
            let kind = id(REFS, "refs", k)?;
            for p in patterns {
                let re = Regex::new(&format!("(?i){p}"))
                    .map_err(|e| (format!("signals.refs.{k}"), crate::rules::bad_regex(p, &e)))?;
                if !re.capture_names().any(|n| n == Some("v")) {
                    return Err((
                        format!("signals.refs.{k}"),
                        format!("{p:?} has no group (?P<v>…) for the value"),
                    ));
                }
                self.refs.push((kind, language, re));
            }
        }
        if self.negations.len() <= language {
            self.negations.resize(language + 1, Vec::new());
        }
        self.negations[language].extend(raw.negations.iter().map(|n| normalize(n.trim())));
        Ok(())
    }

    pub fn build(self) -> SignalRules {
        // A contiguous NFA, not a DFA: the several thousand signal phrases of nine languages
        // made an 80 MB DFA for a few microseconds per message.
        let matcher = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(&self.phrases)
            .or_else(|_| AhoCorasick::new(&self.phrases))
            .unwrap_or_else(|_| AhoCorasick::new(Vec::<String>::new()).expect("empty automaton"));
        SignalRules {
            matcher,
            meta: self.meta,
            negations: self.negations,
            refs: self.refs,
            when: self.when.build(),
        }
    }
}

/// True when `c` belongs to a word for the boundary checks: scripts written with spaces
/// only. Korean is one of them: its signal phrases are whole words (with `*` for endings).
fn wordish(c: char) -> bool {
    c.is_alphanumeric()
        && !matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF)
}

/// The text with lines that a mail client wrapped mid-sentence joined again, so that a phrase
/// broken over two lines ("j'ai essayé la" / "réinitialisation") still counts. A line break
/// after sentence punctuation, and a blank line, stay: they end a sentence. Scripts written
/// without spaces are joined without one. The first line is the subject: it stays apart.
fn unwrap_lines(norm: &str) -> String {
    let chars: Vec<char> = norm.chars().collect();
    let mut out = String::with_capacity(norm.len());
    let subject_end = chars.iter().position(|c| *c == '\n');
    for (i, &c) in chars.iter().enumerate() {
        if c != '\n' || Some(i) == subject_end {
            out.push(c);
            continue;
        }
        let before = chars[..i].iter().rev().find(|c| **c != ' ' && **c != '\t');
        let after = chars.get(i + 1);
        let ends_sentence = before.is_none_or(|b| {
            matches!(
                b,
                '.' | '!' | '?' | ':' | ';' | '。' | '！' | '？' | '：' | '\n'
            )
        });
        if ends_sentence || after.is_none_or(|a| *a == '\n') {
            out.push('\n');
        } else if before.is_some_and(|b| !wordish(*b) && b.is_alphanumeric())
            && after.is_some_and(|a| !wordish(*a) && a.is_alphanumeric())
        {
            // Between two ideographs or kana: no space.
        } else {
            out.push(' ');
        }
    }
    out
}

/// The ids whose flag is set, in the list's order.
fn present(ids: &[&str], seen: &[bool]) -> Vec<String> {
    ids.iter()
        .zip(seen)
        .filter(|(_, seen)| **seen)
        .map(|(id, _)| id.to_string())
        .collect()
}

/// True when `rest` (the text after a number) continues it into a range: "–3", "- 3", "〜3".
fn is_range_start(rest: &str) -> bool {
    let rest = rest.trim_start();
    let Some(dash) = rest.chars().next() else {
        return false;
    };
    matches!(dash, '-' | '–' | '—' | '~' | '〜' | '～')
        && rest[dash.len_utf8()..]
            .trim_start()
            .starts_with(|c: char| c.is_ascii_digit())
}

/// The last `n` words before `end` in `text`, within its clause (a comma ends one: "I cannot
/// log in, call me today" asks for the call).
fn words_before(text: &str, end: usize, n: usize) -> Vec<&str> {
    let before = &text[..end];
    let sentence = before
        .char_indices()
        .rfind(|(_, c)| {
            matches!(
                c,
                '.' | '!' | '?' | '\n' | '。' | '！' | '？' | ';' | ',' | '，' | '、'
            )
        })
        .map_or(before, |(i, c)| &before[i + c.len_utf8()..]);
    let mut words: Vec<&str> = sentence
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .collect();
    let skip = words.len().saturating_sub(n);
    words.drain(..skip);
    words
}

impl SignalRules {
    /// No signal rules at all (a rule set without `[signals]`).
    pub fn empty() -> SignalRules {
        Builder::default().build()
    }

    fn negated(&self, norm: &str, start: usize, language: usize) -> bool {
        let Some(negs) = self.negations.get(language) else {
            return false;
        };
        let before = words_before(norm, start, 3).join(" ");
        let padded = format!(" {before} ");
        negs.iter().any(|n| padded.contains(&format!(" {n} ")))
    }

    /// Reads the signals of a message: `norm` is the normalised subject and new text, `text`
    /// the same unnormalised (for verbatim references), `own_text` the customer's own text
    /// with its signature (where phone numbers live), `languages` the rule-file indexes whose
    /// reference patterns apply.
    pub fn read(
        &self,
        languages: &[usize],
        norm: &str,
        text: &str,
        own_text: &str,
        attachments: usize,
        sent: Sent<'_>,
    ) -> Signals {
        let mut s = Signals {
            attachments,
            utc_offset: sent.utc_offset.map(str::to_string),
            ..Signals::default()
        };
        let mut tried = [false; 8];
        let mut asks = [false; 5];
        let mut about = [false; 3];
        let unwrapped = unwrap_lines(norm);
        let norm = unwrapped.as_str();
        for m in self.matcher.find_overlapping_iter(norm) {
            let before = norm[..m.start()].chars().next_back();
            let after = norm[m.end()..].chars().next();
            for meta in &self.meta[m.pattern().as_usize()] {
                if meta.start_boundary && before.is_some_and(wordish) {
                    continue;
                }
                if meta.end_boundary && after.is_some_and(wordish) {
                    continue;
                }
                if self.negated(norm, m.start(), meta.language) {
                    continue;
                }
                match meta.target {
                    Target::Tried(i) => tried[i] = true,
                    Target::Asks(i) => asks[i] = true,
                    Target::About(i) => about[i] = true,
                    Target::Today => s.deadline = Some("today".into()),
                    Target::Called => s.called = true,
                    Target::PhoneWord => {}
                }
            }
        }
        if let Some(base) = sent.local_date() {
            self.read_when(languages, norm, base, &mut s);
        }
        s.tried = present(TRIED, &tried);
        s.asks = present(ASKS, &asks);
        s.about = present(ABOUT, &about);
        // References are read with the patterns of the message's language and English (the
        // words customers borrow: "invoice", "ticket", "error"), not every language's.
        let refs = self.refs.iter().filter(|(_, l, _)| languages.contains(l));
        for (kind, _, re) in refs {
            for c in re.captures_iter(text) {
                let Some(v) = c.name("v") else { continue };
                let value = v.as_str().trim_end_matches(['.', ',', ')', ':']);
                if !value.chars().any(|c| c.is_ascii_digit()) {
                    continue;
                }
                // "Steps 1–3 worked, step 4 fails": the first of a range is not their step.
                if REFS[*kind] == "step" && is_range_start(&text[v.end()..]) {
                    continue;
                }
                let r = Ref {
                    kind: REFS[*kind].to_string(),
                    value: value.to_string(),
                };
                if !s.refs.contains(&r) {
                    s.refs.push(r);
                }
            }
        }
        s.phone = self.phone(own_text, asks[0]);
        s
    }

    /// The deadline (the earliest named, "today" before any date) and the start of their
    /// problem (the earliest named), from the patterns of `languages`, for a message written
    /// on `base`. An expression after a negation ("not by Friday") does not count.
    fn read_when(&self, languages: &[usize], norm: &str, base: NaiveDate, s: &mut Signals) {
        let mut deadline = s.today().then_some(Deadline::Today);
        let mut since: Option<NaiveDate> = None;
        for &l in languages {
            for f in self.when.deadlines(l, norm) {
                if self.negated(norm, f.start, l) {
                    continue;
                }
                if let Some(d) = when::deadline(f.day, base) {
                    deadline = Some(deadline.map_or(d, |e| e.min(d)));
                }
            }
            for f in self.when.starts(l, norm) {
                if self.negated(norm, f.start, l) {
                    continue;
                }
                if let Some(d) = when::since(f.day, base, self.when.weekend_starts(l)) {
                    since = Some(since.map_or(d, |e| e.min(d)));
                }
            }
        }
        s.deadline = deadline.map(Deadline::text);
        s.since = since.map(|d| d.format("%Y-%m-%d").to_string());
    }

    /// The customer's phone number: a number of phone shape next to one of the phone words on
    /// its line, an international number (+…), or any such number when they ask to be called.
    fn phone(&self, own_text: &str, callback_asked: bool) -> Option<String> {
        for line in own_text.lines() {
            let norm = normalize(line);
            let words: Vec<(usize, usize)> = self
                .matcher
                .find_overlapping_iter(&norm)
                .filter(|m| {
                    self.meta[m.pattern().as_usize()]
                        .iter()
                        .any(|x| x.target == Target::PhoneWord)
                })
                .map(|m| (m.start(), m.end()))
                .collect();
            for m in phone_numbers(line) {
                let candidate = m.as_str().trim();
                let intl = candidate.starts_with('+') || candidate.starts_with("(+");
                // A phone word on the same line, before the number or just after it ("unter
                // 0171 2345678 erreichbar"); byte offsets of the normalised line track the
                // line's closely enough for that.
                let named = words
                    .iter()
                    .any(|&(s, e)| e <= m.start() + 4 || (s >= m.end() && s <= m.end() + 16));
                // Asked to call, the number they write is the one to call.
                let digits = candidate.chars().filter(char::is_ascii_digit).count();
                if intl || named || (callback_asked && digits >= 8) {
                    return Some(candidate.to_string());
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_of_steps_is_not_a_step() {
        assert!(is_range_start("–3 went fine"));
        assert!(is_range_start(" - 3"));
        assert!(!is_range_start(" fails"));
        assert!(!is_range_start("-"));
    }

    #[test]
    fn wrapped_lines_are_joined_but_sentences_and_paragraphs_stay_apart() {
        let cases = [
            (
                "s\nj'ai essayé la\nréinitialisation",
                "s\nj'ai essayé la réinitialisation",
            ),
            ("s\nit fails.\nI restarted", "s\nit fails.\nI restarted"),
            ("s\nfirst\n\nsecond", "s\nfirst\n\nsecond"),
            (
                "s\nパスワードを再設\n定しました",
                "s\nパスワードを再設定しました",
            ),
            // The subject is the first line: never joined to the body.
            ("login not possible\nI tried", "login not possible\nI tried"),
            ("subject\n", "subject\n"),
        ];
        for (text, want) in cases {
            assert_eq!(unwrap_lines(text), want, "{text:?}");
        }
    }

    fn rules() -> SignalRules {
        let raw: RawSignals = toml::from_str(
            r#"
negations = ["not", "haven't", "didn't", "never"]
tried.password_reset = ["reset my password", "i reset the password"]
tried.restart = ["restarted"]
asks.callback = ["call me", "call me back"]
asks.refund = ["refund"]
deadline.today = ["need it today"]
refs.invoice = ['invoice\s*(?:no\.?|#)?\s*(?P<v>[A-Z]{0,5}-?\d[\w-]*)']
refs.step = ['step\s*(?P<v>\d+)']
phone = ["call me on", "tel", "phone"]
calls = ["i called"]
"#,
        )
        .expect("toml");
        let mut b = Builder::default();
        b.add(&raw, 0).expect("adds");
        b.build()
    }

    fn read(text: &str, own: &str) -> Signals {
        rules().read(&[0], &normalize(text), text, own, 0, Sent::default())
    }

    #[test]
    fn reads_what_they_did_asked_and_gave() {
        let text = "I reset my password twice and restarted the laptop. Please call me on +44 20 7946 0321, I need it today. Invoice INV-4471, step 3 fails. I called twice.";
        let s = read(text, text);
        assert_eq!(s.tried, vec!["password_reset", "restart"]);
        assert_eq!(s.asks, vec!["callback"]);
        assert_eq!(s.deadline.as_deref(), Some("today"));
        assert_eq!(s.phone.as_deref(), Some("+44 20 7946 0321"));
        assert!(s.called);
        assert_eq!(
            s.refs,
            vec![
                Ref {
                    kind: "invoice".into(),
                    value: "INV-4471".into()
                },
                Ref {
                    kind: "step".into(),
                    value: "3".into()
                }
            ]
        );
    }

    #[test]
    fn negations_and_part_words_do_not_count() {
        let s = read(
            "I haven't reset my password yet. I did not restarted anything. Refunded? unrefundable",
            "",
        );
        assert!(s.tried.is_empty(), "{:?}", s.tried);
        assert!(s.asks.is_empty(), "{:?}", s.asks);
        // A number without a phone word on its line, and not international, is not a phone.
        let s = read("x", "Order 0301 234 5678 arrived\nTel: 030 1234567");
        assert_eq!(s.phone.as_deref(), Some("030 1234567"));
    }

    #[test]
    fn sentence_ends_in_any_script_are_safe() {
        let r = rules();
        // A negation check that starts after a multi-byte full stop.
        let s = r.read(
            &[0],
            "前两次打电话。reset my password",
            "",
            "",
            0,
            Sent::default(),
        );
        assert_eq!(s.tried, vec!["password_reset"]);
        let text = "こんにちは。 i did not";
        assert_eq!(words_before(text, text.len() - 4, 3), vec!["i", "did"]);
    }

    /// English days and patterns, as a rule file writes them.
    const WHEN: &str = r#"
negations = ["not", "no"]
deadline.today = ["need it today"]
deadline.by = ['\bby {day}\b']
deadline.until = ['\bbefore {day}\b']
deadline.need = ["need"]
since = ['\bsince {day}\b']
days.today = ['today']
days.tomorrow = ['tomorrow']
days.yesterday = ['yesterday']
days.weekdays = [['monday'], ['tuesday'], ['wednesday'], ['thursday'], ['friday'], ['saturday'], ['sunday']]
days.months = [['january'], ['february'], ['march'], ['april'], ['may'], ['june'], ['july'], ['august'], ['september'], ['october'], ['november'], ['december']]
days.dates = ['{d} {month}']
days.other_week = ['next week']
"#;

    fn when(text: &str, date: &str, offset: &str) -> (Option<String>, Option<String>) {
        let raw: RawSignals = toml::from_str(WHEN).expect("toml");
        let mut b = Builder::default();
        b.add(&raw, 0).expect("adds");
        let sent = Sent {
            date: Some(
                DateTime::parse_from_rfc3339(date)
                    .expect("date")
                    .with_timezone(&Utc),
            ),
            utc_offset: Some(offset),
        };
        let s = b.build().read(&[0], &normalize(text), text, "", 0, sent);
        (s.deadline, s.since)
    }

    #[test]
    fn deadlines_and_starts_are_read_in_the_senders_own_day() {
        let deadline = |text: &str, date: &str, offset: &str| when(text, date, offset).0;
        // Thursday 10 December 23:30 UTC is already Friday in Tokyo.
        let late = "2026-12-10T23:30:00Z";
        assert_eq!(
            deadline("s\nI need it by Friday", late, "+00:00").as_deref(),
            Some("2026-12-11")
        );
        assert_eq!(
            deadline("s\nI need it by Friday", late, "+09:00"),
            None,
            "Friday on a Friday"
        );
        assert_eq!(
            deadline("s\nby tomorrow please", late, "+09:00").as_deref(),
            Some("2026-12-12")
        );
        assert_eq!(
            deadline("s\nby tomorrow please", late, "+00:00").as_deref(),
            Some("2026-12-11")
        );
        // A date without a year, the earliest of several, and "today" before any date.
        assert_eq!(
            deadline("s\nby 20 december, or by 14 december", late, "+00:00").as_deref(),
            Some("2026-12-14")
        );
        assert_eq!(
            deadline("s\nby friday. i need it today", late, "+00:00").as_deref(),
            Some("today")
        );
        // Negated, past, beside a week it cannot place, or "before" without a need: nothing.
        assert_eq!(deadline("s\nnot by friday", late, "+00:00"), None);
        assert_eq!(deadline("s\nby 1 december", late, "+00:00"), None);
        assert_eq!(deadline("s\nby friday next week", late, "+00:00"), None);
        assert_eq!(deadline("s\nit worked before monday", late, "+00:00"), None);
        assert_eq!(
            deadline("s\nwe need it before monday", late, "+00:00").as_deref(),
            Some("2026-12-14")
        );
        // No Date header: only "today" phrases count.
        let raw: RawSignals = toml::from_str(WHEN).expect("toml");
        let mut b = Builder::default();
        b.add(&raw, 0).expect("adds");
        let s = b
            .build()
            .read(&[0], "s\nby friday", "", "", 0, Sent::default());
        assert_eq!(s.deadline, None);
        // Since: the day before the sender's date.
        let since = |text: &str, offset: &str| when(text, late, offset).1;
        assert_eq!(
            since("s\nsince yesterday it fails", "+00:00").as_deref(),
            Some("2026-12-09")
        );
        assert_eq!(
            since("s\nsince yesterday it fails", "+09:00").as_deref(),
            Some("2026-12-10")
        );
        assert_eq!(
            since("s\nsince monday it fails", "+00:00").as_deref(),
            Some("2026-12-07")
        );
        assert_eq!(
            since("s\nsince 3 december", "+00:00").as_deref(),
            Some("2026-12-03")
        );
        assert_eq!(since("s\nsince 20 december", "+00:00"), None, "a year ago");
    }

    #[test]
    fn day_data_errors_name_their_key() {
        let key = |toml_text: &str| {
            let raw: RawSignals = toml::from_str(toml_text).expect("toml");
            Builder::default().add(&raw, 0).expect_err("refused").0
        };
        assert_eq!(key("days.weekdays = [['monday']]"), "signals.days.weekdays");
        assert_eq!(key("days.dates = ['{d}']"), "signals.days.dates");
        assert_eq!(key("deadline.by = ['by']"), "signals.deadline.by");
        assert_eq!(
            key("days.today = ['(']\ndeadline.by = ['by {day}']"),
            "signals.days.today"
        );
        assert_eq!(
            key("days.today = ['x']\nsince = ['(since {day}']"),
            "signals.since"
        );
    }

    #[test]
    fn unknown_ids_and_bad_patterns_are_refused_with_their_key() {
        let raw: RawSignals = toml::from_str("tried.teleport = [\"x\"]").expect("toml");
        let err = Builder::default().add(&raw, 0).expect_err("refused");
        assert_eq!(err.0, "signals.tried.teleport");
        let raw: RawSignals = toml::from_str("refs.invoice = ['invoice (\\d+)']").expect("toml");
        let err = Builder::default().add(&raw, 0).expect_err("refused");
        assert_eq!(err.0, "signals.refs.invoice");
    }
}
