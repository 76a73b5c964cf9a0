//! What the customer asked, in their own words: the sentence or two of their new text that is
//! their question, and the one or two that carry their request, so that the `question` and
//! `request` drafts can restate it ("You asked: > Can we pay annually by bank transfer?")
//! rather than say "your question". Only whole sentences are taken, never cut, and only from
//! the new text (quoted history and the signature are not theirs to ask). A wrong quote reads
//! worse than none, so a sentence counts only when its shape says so: a question ends with a
//! question mark, with its language's question ending (か, 吗, 까요), or opens with one of its
//! question words and ends without a full stop; a request holds one of its language's request
//! phrases. Pleasantries, stock lines, politeness about the reply ("let me know once it's
//! done"), sentences that lean on an earlier one ("Can you send it as a PDF?") and questions
//! too short or too generic to be worth quoting ("Can you help?") are never taken. The items of a numbered or bulleted list that
//! holds a question (or a request) are all quoted, each whole on one line with its number, up
//! to [`MAX_ITEMS`]; a statement inside an item ("Our contracts require it.") and the line
//! that introduces the list ("I'd like to check two points:") are not. Every phrase is data:
//! `[signals.asked]` of `rules/<lang>.toml`.

use serde::Deserialize;

use super::phrases::{Phrases, Union};
use crate::rules::{is_cjk, normalize};

/// At most this many characters are quoted back: a longer sentence is left out, not cut.
pub const MAX_CHARS: usize = 300;
/// At most this many sentences outside a list are quoted back.
const MAX_SENTENCES: usize = 2;
/// At most this many items of a list are quoted back: a customer who numbers their questions
/// rarely asks more than five at once, and a longer list is a form, not a question.
pub const MAX_ITEMS: usize = 5;
/// At most this many characters are quoted back in all (a line stays within [`MAX_CHARS`]).
pub const MAX_QUOTE: usize = 1_000;
/// Only this much of the new text is read: the ask comes early, and a pasted log does not
/// need to be split into sentences.
const MAX_SCAN: usize = 8_000;
/// A line at least this wide (ideographs count twice) and not ending in punctuation was
/// wrapped by a mail client: the next line goes on with the same sentence.
const WRAPPED: usize = 40;

/// `[signals.asked]` of one rule file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAsked {
    /// Words a question opens with ("how", "can you", "wie", "kas", "איך"): a sentence that
    /// opens with one and ends without a full stop is a question even without '?'.
    #[serde(default)]
    question_words: Vec<String>,
    /// Endings that make a sentence a question where the language marks it with a particle
    /// ("ますか", "吗", "습니까"), before any final punctuation.
    #[serde(default)]
    question_endings: Vec<String>,
    /// Phrases that make a sentence a request ("please", "could you", "bitte", "お願い").
    #[serde(default)]
    request: Vec<String>,
    /// Phrases that make a sentence one never quoted: pleasantries ("how are you"), stock
    /// lines ("please find attached", "よろしくお願い"), thanks.
    #[serde(default)]
    not: Vec<String>,
    /// Whole sentences (without final punctuation) too generic to restate ("can you help
    /// me", "is that possible").
    #[serde(default)]
    generic: Vec<String>,
    /// Phrases of a sentence that only asks to hear back once the work is done ("let me know
    /// once it's done", "처리되면 회신", "完了しましたらご連絡"): politeness about the reply,
    /// not a request, so it is never quoted as one.
    #[serde(default)]
    courtesy: Vec<String>,
    /// Phrases that point back at an earlier sentence ("send it", "add her", "me lo",
    /// "אותה"): the sentence goes on with a request already made and reads broken alone, so it
    /// is never quoted.
    #[serde(default)]
    refers_back: Vec<String>,
    /// Phrases of a line that introduces what is asked rather than asking it ("the following",
    /// "two questions", "以下の", "두 가지"): such a sentence outside a list is never quoted.
    #[serde(default)]
    lead_in: Vec<String>,
    /// Phrases that make a sentence ask about something rather than for it ("how much",
    /// "whether", "is it possible", "비용"): a cancellation or an extra licence named only in
    /// such sentences is a question to answer, not a change to make.
    #[serde(default)]
    inquiry: Vec<String>,
    /// Phrases of a question that asks how to do something ("how do i", "wie kann ich",
    /// "어디서", "怎么"): a message that is only such a question is a how-to question, not a
    /// fault report, however much its words sound like one ("two-factor", "cambio").
    #[serde(default)]
    how_to: Vec<String>,
    /// Words that mark a second, separate ask ("also", "außerdem", "另外", "あわせて"): a
    /// complaint draft restates only such lines, since its other quotable sentences are the
    /// complaint itself or a plea ("please have someone actually call me back this time").
    #[serde(default)]
    also: Vec<String>,
}

/// One language's compiled lists.
#[derive(Debug, Default)]
struct Lists {
    question_words: Phrases,
    question_endings: Vec<String>,
    generic: Vec<String>,
    inquiry: Phrases,
    how_to: Phrases,
    also: Phrases,
    /// The lead-in, not-worth-quoting and request phrases in one automaton, lists
    /// [`LEAD_IN`], [`NOT`] and [`REQUEST`] ([`Said`]): each sentence is tested against all
    /// three, and one scan answers.
    said: Union,
}

/// The lists of [`Lists::said`].
const LEAD_IN: usize = 0;
const NOT: usize = 1;
const REQUEST: usize = 2;

/// Which of the lists every sentence is tested against hold a phrase of it.
#[derive(Debug, Clone, Copy, Default)]
struct Said {
    lead_in: bool,
    not: bool,
    request: bool,
}

impl Said {
    /// What `norm` (a normalised sentence) holds, in the lists of any of `lists`.
    fn of(lists: &[&Lists], norm: &str) -> Said {
        let mut said = Said::default();
        for l in lists {
            let found = l.said.found(norm);
            let has = |list: usize| found.get(list).copied().unwrap_or(false);
            said.lead_in |= has(LEAD_IN);
            said.not |= has(NOT);
            said.request |= has(REQUEST);
        }
        said
    }
}

/// The compiled `[signals.asked]` of every language.
#[derive(Debug, Default)]
pub struct Asked {
    languages: Vec<Lists>,
}

/// What the customer asked, as written: up to two whole sentences each, whitespace collapsed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Found {
    pub question: Option<String>,
    pub request: Option<String>,
    /// The details they listed ([`listed`]) that neither quote holds.
    pub listed: Vec<String>,
    /// All they asked is one how-to question: the only sentence worth quoting is a question
    /// holding a `how_to` phrase, and it is not negated (`negated`: "how do I log in when
    /// the code doesn't come?" is a fault).
    pub how_to: bool,
    /// The quoted lines (of `question` and `request`) marked as a second ask by an `also`
    /// phrase, as quoted.
    pub also: Vec<String>,
}

impl Asked {
    /// Adds one rule file's lists; `language` is its index.
    pub fn add(&mut self, raw: &RawAsked, language: usize) {
        if self.languages.len() <= language {
            self.languages.resize_with(language + 1, Lists::default);
        }
        let plain = |list: &[String]| -> Vec<String> {
            list.iter()
                .map(|p| normalize(p.trim()))
                .filter(|p| !p.is_empty())
                .collect()
        };
        let l = &mut self.languages[language];
        l.question_words.extend(&raw.question_words);
        l.question_endings.extend(plain(&raw.question_endings));
        l.said.extend(REQUEST, &raw.request);
        l.said.extend(
            NOT,
            raw.not.iter().chain(&raw.courtesy).chain(&raw.refers_back),
        );
        l.said.extend(LEAD_IN, &raw.lead_in);
        l.generic.extend(plain(&raw.generic));
        l.inquiry.extend(&raw.inquiry);
        l.how_to.extend(&raw.how_to);
        l.also.extend(&raw.also);
    }

    /// The compiled lists of `languages`.
    fn lists(&self, languages: &[usize]) -> Vec<&Lists> {
        languages
            .iter()
            .filter_map(|&l| self.languages.get(l))
            .collect()
    }

    /// The sentences of `subject` and `body` (as [`Asked::read`] reads them), each with
    /// whether it asks about something rather than for it: it holds an inquiry phrase ("how
    /// much", "whether"), or it is a question with no request phrase that opens with a
    /// question word ("How do I cancel?"), not a polite request ("Can you cancel it?").
    pub fn inquiries(&self, languages: &[usize], subject: &str, body: &str) -> Vec<(String, bool)> {
        let lists = self.lists(languages);
        std::iter::once(collapse(subject))
            .filter(|s| !s.is_empty())
            .chain(marked_sentences(scanned(body)).into_iter().map(|s| s.text))
            .map(|text| {
                let asks_about = holds(&lists, |l| &l.inquiry, &normalize(&text));
                (text, asks_about)
            })
            .collect()
    }

    /// The question and the request of a message: `body` is the customer's new text (no
    /// quoted history, no signature), `subject` its subject without "Re:", read for a
    /// question only when the body has none. `languages` are the rule-file indexes whose
    /// lists apply (the message's language and English). `covered` says a sentence carries
    /// an ask the drafts restate in our own words (a copy, a refund, a new user, "email only"):
    /// such a sentence is never quoted as well.
    pub fn read(
        &self,
        languages: &[usize],
        subject: &str,
        body: &str,
        covered: impl Fn(&str) -> bool,
        negated: impl Fn(&str) -> bool,
    ) -> Found {
        let lists = self.lists(languages);
        if lists.is_empty() {
            return Found::default();
        }
        let judged: Vec<(Sentence, Option<Kind>)> = marked_sentences(scanned(body))
            .into_iter()
            .map(|s| {
                let norm = normalize(&s.text);
                let said = Said::of(&lists, &norm);
                let lead_in = s.list.is_none() && said.lead_in;
                let kind = (!lead_in)
                    .then(|| judge_said(&lists, &s.text, &norm, said))
                    .flatten()
                    .filter(|_| !covered(&s.text));
                (s, kind)
            })
            .collect();
        let mut question = quote(&lines(&judged, |k| k.question));
        if question.is_none() {
            let subject = collapse(subject);
            if judge(&lists, &subject).is_some_and(|k| k.question)
                && normalize(&subject).ends_with('?')
                && !covered(&subject)
            {
                question = quote(&[Line::plain(subject)]);
            }
        }
        let request = quote(&lines(&judged, |k| k.request));
        let worth: Vec<&(Sentence, Option<Kind>)> =
            judged.iter().filter(|(_, k)| k.is_some()).collect();
        let how_to = match worth.as_slice() {
            [(s, Some(k))] => {
                let norm = normalize(&s.text);
                k.question && holds(&lists, |l| &l.how_to, &norm) && !negated(&norm)
            }
            _ => false,
        };
        let quoted = |line: &String| {
            [&question, &request]
                .into_iter()
                .flatten()
                .any(|q| q.contains(line.as_str()))
        };
        let introduces = |line: &str| Said::of(&lists, &normalize(line)).lead_in;
        let listed = listed(scanned(body), introduces)
            .into_iter()
            .filter(|l| !quoted(l))
            .collect();
        let also = [&question, &request]
            .into_iter()
            .flatten()
            .flat_map(|q| q.lines())
            .filter(|line| holds(&lists, |l| &l.also, &normalize(line)))
            .map(str::to_string)
            .collect();
        Found {
            question,
            request,
            listed,
            how_to,
            also,
        }
    }
}

/// At most this many listed details are named back: a longer list is a form or a log.
pub const MAX_LISTED: usize = 6;
/// A listed detail longer than this is left out, never cut.
const MAX_LISTED_CHARS: usize = 160;
/// Labels of a forwarded message's header block, which is no detail of theirs.
const HEADER_LABELS: &[&str] = &[
    "from",
    "to",
    "cc",
    "bcc",
    "subject",
    "date",
    "sent",
    "von",
    "an",
    "betreff",
    "datum",
    "gesendet",
    "de",
    "para",
    "asunto",
    "fecha",
    "enviado",
    "objet",
    "envoyé",
    "à",
    "kellelt",
    "kellele",
    "teema",
    "saatja",
    "מאת",
    "אל",
    "נושא",
    "差出人",
    "宛先",
    "件名",
    "送信日時",
    "보낸 사람",
    "받는 사람",
    "제목",
    "发件人",
    "收件人",
    "主题",
    "时间",
];

/// Labels of a signature's contact lines: a run of nothing else is how to reach them, which
/// the draft does not name back.
const CONTACT_LABELS: &[&str] = &[
    "tel",
    "phone",
    "mobile",
    "mob",
    "cell",
    "fax",
    "web",
    "website",
    "www",
    "email",
    "e-mail",
    "mail",
    "telefon",
    "handy",
    "mobil",
    "téléphone",
    "tél",
    "portable",
    "teléfono",
    "móvil",
    "טלפון",
    "נייד",
    "電話",
    "携帯",
    "전화",
    "휴대폰",
    "电话",
    "手机",
    "邮箱",
];

/// The details a customer set out line by line, as written, for a draft to name back ("Name:
/// Sarah Kim", "Role: Editor", or the three documents a formal letter lists): the first run
/// of two or more "label: value" lines ("氏名：小林 葵", "- 이름: 정하늘"), or the first list of
/// two or more bulleted or numbered items under a line that ends in a colon ("we request the
/// following:") or holding a phrase that `introduces` a list ("下記", "folgende"). Markers and a
/// closing comma or semicolon are dropped; an item over [`MAX_LISTED_CHARS`] is left out; a
/// forwarded header block is no detail. Mostly language-free: the shape of the lines is the
/// signal.
pub fn listed(body: &str, introduces: impl Fn(&str) -> bool) -> Vec<String> {
    let lines: Vec<&str> = body.lines().map(str::trim).collect();
    let mut i = 0;
    while i < lines.len() {
        // A run of label lines, blank lines ending it.
        let run: Vec<&str> = lines[i..]
            .iter()
            .map(|l| unlisted(l).0)
            .take_while(|l| field(l).is_some())
            .collect();
        let labels = || run.iter().filter_map(|l| field(l)).map(str::to_lowercase);
        let header = labels().any(|l| HEADER_LABELS.contains(&l.as_str()));
        let contact = labels().all(|l| CONTACT_LABELS.contains(&l.trim_end_matches('.')));
        if run.len() >= 2 && !header && !contact {
            return kept(&run);
        }
        // A list under a line that introduces it.
        let intro = lines[i].ends_with([':', '：']) || !lines[i].is_empty() && introduces(lines[i]);
        if intro && unlisted(lines[i]).1.is_none() && field(lines[i]).is_none() {
            let items: Vec<&str> = lines[i + 1..]
                .iter()
                .filter(|l| !l.is_empty())
                .map(|l| unlisted(l))
                .take_while(|(_, m)| m.is_some())
                .map(|(l, _)| l)
                .collect();
            if items.len() >= 2 {
                return kept(&items);
            }
        }
        i += run.len().max(1);
    }
    Vec::new()
}

/// A "label: value" line's label, when it is one: a label of one to three words without a
/// digit before the colon (not "10:30", not a sentence), and a value after it.
fn field(line: &str) -> Option<&str> {
    let at = line.find([':', '：'])?;
    let (label, value) = (
        line[..at].trim(),
        line[at..].trim_start_matches([':', '：']).trim(),
    );
    let ok = !label.is_empty()
        && !value.is_empty()
        && label.chars().count() <= 30
        && label.split_whitespace().count() <= 3
        && !label.chars().any(|c| c.is_ascii_digit())
        && !value.starts_with("//");
    ok.then_some(label)
}

/// The lines named back: markers gone, collapsed, a closing comma or semicolon dropped, none
/// too long, at most [`MAX_LISTED`].
fn kept(lines: &[&str]) -> Vec<String> {
    lines
        .iter()
        .map(|l| {
            collapse(l)
                .trim_end_matches([',', ';', '，', '；', '、'])
                .to_string()
        })
        .filter(|l| !l.is_empty() && l.chars().count() <= MAX_LISTED_CHARS)
        .take(MAX_LISTED)
        .collect()
}

/// What a sentence is.
#[derive(Debug, Clone, Copy)]
struct Kind {
    question: bool,
    request: bool,
}

/// Whether a sentence is a question, a request, both, neither (an item of a list that holds
/// one is still quoted with it), or not worth quoting at all (`None`).
fn judge(lists: &[&Lists], sentence: &str) -> Option<Kind> {
    let norm = normalize(sentence);
    judge_said(lists, sentence, &norm, Said::of(lists, &norm))
}

/// [`judge`] of a sentence already normalised (`norm`) and tested against the lists (`said`).
fn judge_said(lists: &[&Lists], sentence: &str, norm: &str, said: Said) -> Option<Kind> {
    let chars = sentence.chars().count();
    // Over long, or only the lead-in to what follows ("I have two questions:").
    if chars > MAX_CHARS || sentence.trim_end().ends_with([':', '：']) {
        return None;
    }
    // Too short to be worth restating: "Any news?", "可以吗？".
    let cjk = norm.chars().any(is_cjk);
    let letters = norm
        .chars()
        .filter(|c| crate::rules::alphanumeric(*c))
        .count();
    let words = norm.split_whitespace().count();
    if (cjk && letters < 6) || (!cjk && (words < 3 || letters < 10)) {
        return None;
    }
    let bare = norm
        .trim_end_matches(|c: char| !c.is_alphanumeric())
        .trim_start_matches(|c: char| !c.is_alphanumeric());
    if said.not || lists.iter().any(|l| l.generic.iter().any(|g| g == bare)) {
        return None;
    }
    let last = norm
        .trim_end_matches(|c: char| CLOSERS.contains(&c) || c.is_whitespace())
        .chars()
        .next_back();
    let marked = last == Some('?');
    let open_end = last.is_some_and(|c| c.is_alphanumeric());
    let question = marked
        || norm.starts_with('¿')
        || lists.iter().any(|l| {
            (open_end && l.question_words.opens(bare))
                || l.question_endings
                    .iter()
                    .any(|e| bare.ends_with(e.as_str()))
        });
    Some(Kind {
        question,
        request: said.request,
    })
}

/// Whether the normalised `norm` holds a phrase of the list `pick` takes from any of `lists`.
fn holds(lists: &[&Lists], pick: fn(&Lists) -> &Phrases, norm: &str) -> bool {
    lists.iter().any(|l| pick(l).found_in(norm))
}

/// Closing quotes and brackets that may follow a sentence's final punctuation.
const CLOSERS: &[char] = &[
    ')', ']', '"', '\'', '»', '”', '’', '」', '』', '）', '】', '›',
];

/// One line of a quote: a sentence outside a list, or a list item's asking sentences.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Line {
    text: String,
    /// The item's number, for a numbered item.
    number: Option<u8>,
    /// Whether it is a list item (counted against [`MAX_ITEMS`], not [`MAX_SENTENCES`]).
    item: bool,
}

impl Line {
    fn plain(text: String) -> Line {
        Line {
            text,
            number: None,
            item: false,
        }
    }

    /// The line with its item's number, as it is quoted beside another numbered item.
    fn shown(&self) -> String {
        match self.number {
            Some(n) => format!("{n}. {}", self.text),
            None => self.text.clone(),
        }
    }
}

/// The lines to quote of the sentences `judged` for what `want` picks: each sentence
/// outside a list that `want` picks, and every item of a list one of whose sentences it
/// picks, in the order written. An item is quoted by its questions and requests only, so a
/// reason inside it ("Our contracts require it.") is left out; an item with neither is quoted
/// when it is a bare topic without a full stop ("Pricing for 40 users"), never a statement.
fn lines(judged: &[(Sentence, Option<Kind>)], want: fn(&Kind) -> bool) -> Vec<Line> {
    let asks = |k: &Option<Kind>| k.is_some_and(|k| k.question || k.request);
    let wanted_lists: Vec<usize> = judged
        .iter()
        .filter(|(s, k)| s.list.is_some() && k.as_ref().is_some_and(want))
        .filter_map(|(s, _)| s.list)
        .collect();
    let mut out: Vec<Line> = Vec::new();
    let mut i = 0;
    while i < judged.len() {
        let (s, kind) = &judged[i];
        let Some(item) = s
            .item
            .filter(|_| s.list.is_some_and(|l| wanted_lists.contains(&l)))
        else {
            if kind.as_ref().is_some_and(want) {
                out.push(Line::plain(s.text.clone()));
            }
            i += 1;
            continue;
        };
        let end = judged[i..]
            .iter()
            .position(|(t, _)| t.item != Some(item))
            .map_or(judged.len(), |n| i + n);
        let part = &judged[i..end];
        let mut kept: Vec<&str> = part
            .iter()
            .filter(|(_, k)| asks(k))
            .map(|(t, _)| t.text.as_str())
            .collect();
        if kept.is_empty() && kind.is_some() && open_ended(&s.text) {
            kept.push(&s.text);
        }
        if !kept.is_empty() {
            out.push(Line {
                text: join(&kept),
                number: s.number,
                item: true,
            });
        }
        i = end;
    }
    out
}

/// Whether a sentence ends without final punctuation: a topic, not a statement.
fn open_ended(sentence: &str) -> bool {
    sentence
        .trim_end_matches(|c: char| CLOSERS.contains(&c) || c.is_whitespace())
        .chars()
        .next_back()
        .is_some_and(char::is_alphanumeric)
}

/// Sentences of one item on one line: a space between them, none after full-width
/// punctuation ("按月付费？还是…").
fn join(sentences: &[&str]) -> String {
    let mut out = String::new();
    for s in sentences {
        if out
            .chars()
            .next_back()
            .is_some_and(|c| !matches!(c, '？' | '！' | '。'))
        {
            out.push(' ');
        }
        out.push_str(s);
    }
    out
}

/// The lines of `found` that fit, one a line: at most [`MAX_SENTENCES`] outside a list and
/// [`MAX_ITEMS`] items, none over [`MAX_CHARS`] (left out, never cut), at most [`MAX_QUOTE`]
/// in all; `None` when none fits. Items of a numbered list keep their numbers when more than
/// one is quoted ("1. …", "2. …").
fn quote(found: &[Line]) -> Option<String> {
    let mut taken: Vec<&Line> = Vec::new();
    let (mut len, mut items, mut loose) = (0, 0, 0);
    for l in found {
        let chars = l.shown().chars().count();
        let add = usize::from(!taken.is_empty()) + chars;
        let room = if l.item {
            items < MAX_ITEMS
        } else {
            loose < MAX_SENTENCES
        };
        if !room || chars > MAX_CHARS || len + add > MAX_QUOTE {
            continue;
        }
        len += add;
        if l.item {
            items += 1;
        } else {
            loose += 1;
        }
        taken.push(l);
    }
    let numbered = taken.iter().filter(|l| l.number.is_some()).count() > 1;
    let lines: Vec<String> = taken
        .iter()
        .map(|l| if numbered { l.shown() } else { l.text.clone() })
        .collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// The part of `body` read: all of it, or up to the last line break within [`MAX_SCAN`]
/// bytes, so that no sentence is read half.
fn scanned(body: &str) -> &str {
    if body.len() <= MAX_SCAN {
        return body;
    }
    let mut end = MAX_SCAN;
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    body[..end].rfind('\n').map_or("", |i| &body[..i])
}

/// Whitespace runs as one space, trimmed.
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Display width: ideographs, kana and Hangul count twice.
fn width(s: &str) -> usize {
    s.chars().map(|c| if is_cjk(c) { 2 } else { 1 }).sum()
}

/// How a line was marked as a list item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    Bullet,
    Number(u8),
}

/// A line without its list marker ("- ", "• ", "1. ", "2) ", "(3) ", "①"), and the marker.
fn unlisted(line: &str) -> (&str, Option<Marker>) {
    for bullet in ["- ", "* ", "• ", "· ", "– ", "・"] {
        if let Some(rest) = line.strip_prefix(bullet) {
            return (rest.trim_start(), Some(Marker::Bullet));
        }
    }
    // Circled numbers, as Japanese, Chinese and Korean lists are written ("① 11月分請求書…").
    if let Some(c) = line.chars().next().filter(|c| ('①'..='⑳').contains(c)) {
        let n = (u32::from(c) - u32::from('①') + 1) as u8;
        return (line[c.len_utf8()..].trim_start(), Some(Marker::Number(n)));
    }
    let inner = line.strip_prefix('(').unwrap_or(line);
    let digits = inner.len() - inner.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if (1..=2).contains(&digits) {
        let rest = &inner[digits..];
        for mark in [". ", ") ", "、", "．", "）"] {
            if let Some(rest) = rest.strip_prefix(mark) {
                let n = inner[..digits].parse().unwrap_or_default();
                return (rest.trim_start(), Some(Marker::Number(n)));
            }
        }
    }
    (line, None)
}

/// One sentence of the new text, and the list it is an item of.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Sentence {
    text: String,
    /// Which list of the message (counted from 0) it belongs to, if any.
    list: Option<usize>,
    /// Which list item of the message (counted from 0) it belongs to, if any.
    item: Option<usize>,
    /// Its item's number, on the item's first sentence only.
    number: Option<u8>,
}

/// The sentences of the new text as plain strings.
#[cfg(test)]
fn sentences(body: &str) -> Vec<String> {
    marked_sentences(body).into_iter().map(|s| s.text).collect()
}

/// The sentences of the new text, each whole and with its whitespace collapsed: lines a mail
/// client wrapped are joined again; a blank line, a list item, a short line (a greeting, a
/// sign-off) and a line ending in punctuation end a sentence. Items in a row (blank lines
/// between them allowed) are one list.
fn marked_sentences(body: &str) -> Vec<Sentence> {
    // Each unit with its list and item number.
    let mut units: Vec<(String, Option<usize>, Option<u8>)> = Vec::new();
    let mut open = false;
    // Whether the line before was part of a list item (a blank line ends it).
    let mut in_item = false;
    let mut lists = 0;
    for raw in body.lines() {
        let line = raw.trim();
        if line.is_empty() {
            open = false;
            in_item = false;
            continue;
        }
        let (line, marker) = unlisted(line);
        // An indented line under an item is the item's body: "1. Retention" (a topic) and
        // below it "   Can we keep month-end backups for a year?" are one item, the topic
        // a sentence of its own unless the body goes on in lower case.
        let body_of_item =
            in_item && raw.starts_with([' ', '\t', '\u{3000}']) && !line.starts_with('>');
        match units.last_mut() {
            Some((unit, _, _)) if (open || body_of_item) && marker.is_none() => {
                let joins_ideographs = unit.chars().next_back().is_some_and(is_cjk)
                    && line.chars().next().is_some_and(is_cjk);
                if !open && !line.chars().next().is_some_and(char::is_lowercase) {
                    unit.push(TOPIC_END);
                } else if !joins_ideographs {
                    unit.push(' ');
                }
                unit.push_str(line);
            }
            last => {
                let list = marker.map(|_| match last {
                    Some((_, Some(l), _)) => *l,
                    _ => {
                        lists += 1;
                        lists - 1
                    }
                });
                let number = match marker {
                    Some(Marker::Number(n)) => Some(n),
                    _ => None,
                };
                units.push((line.to_string(), list, number));
            }
        }
        in_item = units.last().is_some_and(|(_, list, _)| list.is_some());
        let last = line.chars().next_back();
        // A line ending in a colon introduces what follows ("a new user for her:" and the
        // name on the next line): the two are one sentence.
        open = matches!(last, Some(':' | '：'))
            || width(line) >= WRAPPED
                && last.is_some_and(|c| {
                    !matches!(
                        c,
                        '.' | '!' | '?' | ':' | ';' | '。' | '！' | '？' | '：' | '；'
                    )
                });
    }
    units
        .iter()
        .enumerate()
        .flat_map(|(at, (u, list, number))| {
            split(u)
                .into_iter()
                .enumerate()
                .map(move |(i, text)| Sentence {
                    text,
                    list: *list,
                    item: list.map(|_| at),
                    number: number.filter(|_| i == 0),
                })
        })
        .collect()
}

/// Ends an item's topic line where its indented body follows (a paragraph separator, which
/// mail text does not hold and which [`collapse`] removes as whitespace).
const TOPIC_END: char = '\u{2029}';

/// One unit of text cut after each sentence's final punctuation (and the quotes or brackets
/// closing it). A full stop ends a sentence only before a space and a character that is
/// neither lower case nor a digit ("Art. 28", "Nr. 5"), and not after a number ("am 1.
/// Dezember") or an abbreviation with a dot inside ("e.g.", "z.B.").
fn split(unit: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = unit.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        let ends = match c {
            '?' | '!' | '？' | '！' | '。' | TOPIC_END => true,
            '.' => {
                let word = unit[start..at]
                    .rsplit(char::is_whitespace)
                    .next()
                    .unwrap_or_default();
                let next = chars.get(i + 1).map(|&(_, c)| c);
                let after = chars.get(i + 2).map(|&(_, c)| c);
                let abbreviation = word.contains('.')
                    || word.chars().count() == 1
                    || (!word.is_empty() && word.chars().all(|c| c.is_ascii_digit()));
                next.is_none_or(char::is_whitespace)
                    && after.is_none_or(|c| !c.is_lowercase() && !c.is_ascii_digit())
                    && !abbreviation
            }
            _ => false,
        };
        if !ends {
            i += 1;
            continue;
        }
        // Take the run of final punctuation and closers: "?!", "?)", "。」".
        let mut j = i + 1;
        while let Some(&(_, c)) = chars.get(j) {
            if matches!(c, '?' | '!' | '？' | '！' | '。' | '.') || CLOSERS.contains(&c) {
                j += 1;
            } else {
                break;
            }
        }
        // Latin punctuation ends a sentence only before a space (or the end): "v2.1", "?foo".
        let end = chars.get(j).map_or(unit.len(), |&(a, _)| a);
        let fullwidth = matches!(c, '？' | '！' | '。' | TOPIC_END);
        if fullwidth || chars.get(j).is_none_or(|&(_, c)| c.is_whitespace()) {
            let s = collapse(&unit[start..end]);
            if !s.is_empty() {
                out.push(s);
            }
            start = end;
        }
        i = j;
    }
    let s = collapse(&unit[start..]);
    if !s.is_empty() {
        out.push(s);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_colon_joins_what_it_introduces_and_a_number_after_a_full_stop_ends_nothing() {
        assert_eq!(
            sentences(
                "Could you please create a new user for her:\nAnna Berg, role Editor.\nThanks!"
            ),
            vec![
                "Could you please create a new user for her: Anna Berg, role Editor.",
                "Thanks!"
            ]
        );
        assert_eq!(
            sentences("Do you offer a contract under Art. 28 GDPR? And where is the data?"),
            vec![
                "Do you offer a contract under Art. 28 GDPR?",
                "And where is the data?"
            ]
        );
        // A lead-in whose list follows is never quoted by itself; the request joined with
        // what its colon introduces is.
        assert_eq!(
            request(
                "en",
                "Could you please send us the following:\n\n- the signed contract\n- the invoice"
            ),
            None
        );
        assert_eq!(
            request(
                "en",
                "Hello,\nplease give read access to the reports to our auditor:\nAnna Berg, Berg & Partner\n\nBest"
            ),
            Some("please give read access to the reports to our auditor: Anna Berg, Berg & Partner".to_string())
        );
    }

    #[test]
    fn sentences_are_whole_and_wrapped_lines_joined() {
        let body = "Hi Anna,\n\nWe are considering your service for our practice. We would\nlike to know whether you host data in the EU, e.g. in Frankfurt?\n1. Do you sign a DPA?\n2) Can we pay yearly?\n\nKind regards";
        assert_eq!(
            sentences(body),
            [
                "Hi Anna,",
                "We are considering your service for our practice.",
                "We would like to know whether you host data in the EU, e.g. in Frankfurt?",
                "Do you sign a DPA?",
                "Can we pay yearly?",
                "Kind regards",
            ]
        );
        assert_eq!(
            sentences("Bitte bis zum 1. Dezember erledigen. Danke!"),
            ["Bitte bis zum 1. Dezember erledigen.", "Danke!"]
        );
        assert_eq!(
            sentences("请问贵司是否支持单点登录？我们有150名用户。"),
            ["请问贵司是否支持单点登录？", "我们有150名用户。"]
        );
        assert_eq!(
            sentences("Version 8.2 broke it. What now?"),
            ["Version 8.2 broke it.", "What now?"]
        );
    }

    #[test]
    fn a_long_first_sentence_is_left_out_never_cut() {
        let long = format!("Could you {}?", "really ".repeat(60));
        let long = Line::plain(long);
        assert_eq!(quote(std::slice::from_ref(&long)), None);
        let a = Line::plain("Do you host data in the EU?".to_string());
        assert_eq!(quote(&[a.clone(), long]), Some(a.text.clone()));
        let b = Line::plain("Can we pay yearly?".to_string());
        let c = Line::plain("Is there a discount?".to_string());
        assert_eq!(
            quote(&[a, b, c]).as_deref(),
            Some("Do you host data in the EU?\nCan we pay yearly?")
        );
    }

    /// The question and request of `body` in `lang`, read with the built-in rule files.
    fn read(lang: &str, subject: &str, body: &str) -> Found {
        let rules = crate::classify::signals::tests::built_in_rules();
        rules.signals.asked.read(
            &rules.reference_languages(lang),
            subject,
            body,
            |sentence| rules.signals.asks_in(sentence),
            |_| false,
        )
    }

    fn question(lang: &str, body: &str) -> Option<String> {
        read(lang, "", body).question
    }

    /// Asserts the question quoted from each (language, body) is the one given.
    fn quotes_questions(cases: &[(&str, &str, &str)]) {
        for &(lang, body, want) in cases {
            assert_eq!(
                question(lang, body).as_deref(),
                Some(want),
                "{lang}: {body}"
            );
        }
    }

    /// Round 14: a thank-you for the answer to come is no request (ko 01 20), and a formal
    /// letter's "vous saurait gré de bien vouloir" is one (fr 15).
    #[test]
    fn courtesy_about_the_answer_is_no_request_and_formal_french_asks_are() {
        assert_eq!(
            request("ko", "연간 결제 할인이 있는지 궁금합니다. 내부 보고가 다음 주 초라서 그 전에 답변 주시면 감사하겠습니다."),
            None
        );
        let fr = "La Direction vous saurait gré de bien vouloir lui transmettre l'export des journaux d'accès de notre compte.";
        assert_eq!(request("fr", fr).as_deref(), Some(fr));
        // Saying when to answer asks for nothing more than the answer.
        for (lang, body) in [
            ("ja", "ログの保存期間はマニュアルで確認しました。急ぎではないので、お手すきの際にご返信いただけますと幸いです。"),
            ("en", "Is the audit log kept for a year? No rush, get back to me when you can."),
            ("zh", "想确认一下日志保存多久。不着急，方便的时候回复就行。"),
        ] {
            assert_eq!(request(lang, body), None, "{lang}: {body}");
        }
    }

    /// Round 13 (en de fr ja ko): the new user's name, address and role and a formal letter's
    /// documents were set out line by line and never named back.
    #[test]
    fn details_set_out_line_by_line_are_listed_as_written() {
        let cases: [(&str, &str, &[&str]); 6] = [
            ("en", "Could you please add her to our account?\n\nName: Sarah Kim\nEmail: sarah.kim@corbett.example\nRole: Editor (no admin rights)\n\nIdeally before Monday.", &["Name: Sarah Kim", "Email: sarah.kim@corbett.example", "Role: Editor (no admin rights)"]),
            ("en", "Dear Sir or Madam,\n\nWe formally request the following (reference ABC-1):\n\n1. A copy of your Data Processing Agreement;\n2. Your ISO 27001 certificate;\n3. A list of sub-processors.\n\nYours faithfully", &["A copy of your Data Processing Agreement", "Your ISO 27001 certificate", "A list of sub-processors."]),
            ("de", "bitte legen Sie einen neuen Benutzer an:\n\nName: Sophie Hartmann\nE-Mail: s.hartmann@berger.example\nRolle: Bearbeiterin", &["Name: Sophie Hartmann", "E-Mail: s.hartmann@berger.example", "Rolle: Bearbeiterin"]),
            ("fr", "Merci de lui créer un accès :\n- Nom : Amélie Girard\n- Rôle : éditrice", &["Nom : Amélie Girard", "Rôle : éditrice"]),
            ("ja", "アカウント追加をお願いいたします。\n\n氏名：小林 葵\nメールアドレス：aoi@aoba.example\n権限：編集者", &["氏名：小林 葵", "メールアドレス：aoi@aoba.example", "権限：編集者"]),
            ("ko", "사용자 한 명 추가 부탁드립니다.\n\n- 이름: 정하늘\n- 권한: 편집자(Editor)", &["이름: 정하늘", "권한: 편집자(Editor)"]),
        ];
        for (lang, body, want) in cases {
            assert_eq!(read(lang, "", body).listed, want, "{lang}: {body}");
        }
    }

    /// A forwarded header block, a signature's contact lines, one label alone, times of day
    /// and numbered questions (quoted already) are no listed details.
    #[test]
    fn headers_contacts_times_and_quoted_questions_are_not_listed() {
        let bodies = [
            ("en", "See below.\n\nFrom: Anna <a@x.example>\nSent: Monday\nSubject: Invoice"),
            ("en", "Please call me.\n\nTel: 030 1234567\nMobile: 0170 1234567"),
            ("en", "Note: the export fails since yesterday."),
            ("en", "It failed at 10:30 and again at\n11:45: twice."),
            ("en", "Two questions:\n1. Do you host data in the EU?\n2. Is there a discount for charities?"),
        ];
        for (lang, body) in bodies {
            assert_eq!(read(lang, "", body).listed, Vec::<String>::new(), "{body}");
        }
    }

    fn request(lang: &str, body: &str) -> Option<String> {
        read(lang, "", body).request
    }

    #[test]
    fn questions_are_their_own_sentences_in_every_script() {
        let cases = [
            ("en", "Hi,\n\nWe run a small accounting firm. Can we pay annually by bank\ntransfer instead of card?\n\nThanks", "Can we pay annually by bank transfer instead of card?"),
            ("en", "1. Do you host data in the EU?\n2. Is there a discount for charities?", "1. Do you host data in the EU?\n2. Is there a discount for charities?"),
            ("de", "Guten Tag,\nwir möchten ab Dezember per SEPA-Lastschrift zahlen. Was brauchen Sie dafür von uns?", "Was brauchen Sie dafür von uns?"),
            ("de", "Wie lange werden gelöschte Dateien im Papierkorb aufbewahrt", "Wie lange werden gelöschte Dateien im Papierkorb aufbewahrt"),
            ("zh", "您好！我们公司有二十名员工。请问专业版是否支持单点登录？谢谢。", "请问专业版是否支持单点登录？"),
            ("ja", "お世話になっております。\n年間契約の場合、割引はございますでしょうか。\nよろしくお願いいたします。", "年間契約の場合、割引はございますでしょうか。"),
            ("ko", "안녕하세요.\n연간 결제로 변경하면 할인을 받을 수 있나요?\n감사합니다.", "연간 결제로 변경하면 할인을 받을 수 있나요?"),
            ("he", "שלום,\nהאם אפשר לשלם על המנוי בהעברה בנקאית פעם בשנה?\nתודה", "האם אפשר לשלם על המנוי בהעברה בנקאית פעם בשנה?"),
            ("fr", "Bonjour,\nPourriez-vous nous dire si vos serveurs sont situés en France ?\nCordialement", "Pourriez-vous nous dire si vos serveurs sont situés en France ?"),
            ("et", "Tere!\nKas teie teenus toetab ühekordset sisselogimist Microsofti kontoga?\nParimate soovidega", "Kas teie teenus toetab ühekordset sisselogimist Microsofti kontoga?"),
        ];
        quotes_questions(&cases);
    }

    #[test]
    fn requests_are_the_sentences_with_the_request() {
        let cases = [
            ("en", "Hello,\nEmma Walsh starts on Monday. Please give her read access to the Finance folder.\nKind regards", "Please give her read access to the Finance folder."),
            ("de", "Guten Tag,\nunser Kollege ist ausgeschieden. Bitte stellen Sie seine Ordner zum Monatsende auf Frau Berg um.\nDanke!", "Bitte stellen Sie seine Ordner zum Monatsende auf Frau Berg um."),
            ("ja", "いつもお世話になっております。\n共有フォルダの権限を経理部にも付与していただけますでしょうか。\nよろしくお願いいたします。", "共有フォルダの権限を経理部にも付与していただけますでしょうか。"),
            ("ko", "안녕하세요.\n두 번째 라이선스를 이번 달 말에 해지해 주시기 바랍니다.\n감사합니다.", "두 번째 라이선스를 이번 달 말에 해지해 주시기 바랍니다."),
            ("zh", "你好，\n麻烦您把我们的套餐改为年付。谢谢！", "麻烦您把我们的套餐改为年付。"),
            ("he", "שלום,\nבבקשה להעביר את התיקיות שלו לדנה עד סוף החודש.\nתודה", "בבקשה להעביר את התיקיות שלו לדנה עד סוף החודש."),
        ];
        for (lang, body, want) in cases {
            assert_eq!(request(lang, body).as_deref(), Some(want), "{lang}: {body}");
        }
    }

    #[test]
    fn pleasantries_stock_lines_and_generic_asks_are_never_quoted() {
        let cases = [
            ("en", "Hi, how are you? Hope you are well? Please find attached our logo."),
            ("en", "Can you help me? Any update?"),
            ("en", "Our sync stopped after the update. The error is E-4012."),
            ("de", "Wie geht es Ihnen? Im Anhang finden Sie bitte die Rechnung."),
            ("ja", "お世話になっております。\n添付ファイルをご確認ください。\nよろしくお願いいたします。"),
            ("ko", "안녕하세요. 잘 부탁드립니다."),
            ("he", "מה שלומכם? מצורף צילום מסך. תודה מראש"),
            ("zh", "附件是截图，请查收。谢谢！"),
        ];
        for (lang, body) in cases {
            assert_eq!(read(lang, "", body), Found::default(), "{lang}: {body}");
        }
    }

    /// A sentence that carries an ask the drafts restate in our words (a copy, a new user)
    /// is not quoted as well, nor is a line of politeness ("I hope you can help"): what is
    /// quoted is the sentence with the ask we do not recognise.
    #[test]
    fn restated_asks_and_politeness_are_not_quoted_the_other_ask_is() {
        // (language, body, question, request).
        let cases = [
            (
                "en",
                "Hello,\nI hope you can help.\nPlease send me a copy of invoice INV-4471.\nWhen does the new price take effect?\nThank you for your help.",
                Some("When does the new price take effect?"),
                None,
            ),
            (
                "de",
                "Guten Tag,\nich hoffe, Sie können mir helfen.\nBitte legen Sie für Frau Krüger einen neuen Benutzer an.\nGibt es einen Rabatt für gemeinnützige Vereine?",
                Some("Gibt es einen Rabatt für gemeinnützige Vereine?"),
                None,
            ),
            (
                "zh",
                "您好！希望您能帮忙。请补发发票INV-4471。另外，专业版支持单点登录吗？",
                Some("另外，专业版支持单点登录吗？"),
                None,
            ),
            (
                "ja",
                "お世話になっております。\n請求書を再発行してください。\n削除したファイルは何日間保存されますか。\nご返信お待ちしております。",
                Some("削除したファイルは何日間保存されますか。"),
                None,
            ),
            (
                "he",
                "שלום,\nמקווה שתוכלו לעזור.\nבבקשה להוסיף משתמש חדש עבור דנה.\nהאם יש הנחה לעמותות?",
                Some("האם יש הנחה לעמותות?"),
                None,
            ),
        ];
        for (lang, body, q, r) in cases {
            let f = read(lang, "", body);
            assert_eq!(f.question.as_deref(), q, "{lang}: {body}");
            assert_eq!(f.request.as_deref(), r, "{lang}: {body}");
        }
        // "Email only" is said by the draft itself: never the quoted ask.
        assert_eq!(
            question(
                "en",
                "Please reply by email only - I can't take calls.\nCould the old file versions count towards our storage?"
            ),
            Some("Could the old file versions count towards our storage?".to_string())
        );
    }

    /// The items of a numbered list one of which is a question are quoted together, with
    /// their numbers, even the item written without a question mark.
    #[test]
    fn numbered_questions_are_kept_together() {
        let cases = [
            ("en", "Hi,\n\nTwo questions:\n1. Pricing for 40 users on the Business plan\n2. Can we keep all data in the UK?\n\nThanks", "1. Pricing for 40 users on the Business plan\n2. Can we keep all data in the UK?"),
            ("ko", "안녕하세요.\n두 가지 문의드립니다.\n1. 사용자 60명 기준 연간 계약 시 할인 적용 여부\n2. 데이터를 서울 리전에만 보관하도록 지정할 수 있나요?\n감사합니다.", "1. 사용자 60명 기준 연간 계약 시 할인 적용 여부\n2. 데이터를 서울 리전에만 보관하도록 지정할 수 있나요?"),
            ("zh", "您好：\n1）专业版是否支持单点登录？\n2）数据是否可以只保存在上海的机房？\n谢谢", "1. 专业版是否支持单点登录？\n2. 数据是否可以只保存在上海的机房？"),
            ("fr", "Bonjour,\n1. Vos serveurs sont-ils situés en France ?\n2. Proposez-vous une remise pour les associations ?\nCordialement", "1. Vos serveurs sont-ils situés en France ?\n2. Proposez-vous une remise pour les associations ?"),
        ];
        quotes_questions(&cases);
        // One item alone keeps no number.
        assert_eq!(
            question("en", "Hi,\n1. Do you host data in the EU?\n\nBest regards").as_deref(),
            Some("Do you host data in the EU?")
        );
    }

    /// A list of topics, each with its question indented below, is a list of questions: every
    /// one is quoted with its topic's number (not the first two as loose sentences); a topic's
    /// body that goes on in lower case is the same sentence.
    #[test]
    fn questions_indented_under_numbered_topics_are_the_topics_items() {
        let cases = [
            ("en", "Hello,\n\nA few points after a month of use:\n\n1. Retention\n   Can we keep only the month-end backups for a year?\n\n2. Exclusions\n   Do wildcards work in the exclusion list?\n\n3. Bandwidth\n   Can the upload rate be capped during office hours (8:00-17:00)?\n\nBest regards", "1. Can we keep only the month-end backups for a year?\n2. Do wildcards work in the exclusion list?\n3. Can the upload rate be capped during office hours (8:00-17:00)?"),
            ("ja", "お世話になっております。\n\n1. 保存期間について\n   月末の分だけを半年残すことはできますか。\n\n2. 通知について\n   失敗したときだけメールを送る設定はありますか。\n\n3. 帯域について\n   夜間（22:00～6:00）だけ帯域を広げることはできますか。\n\nよろしくお願いいたします。", "1. 月末の分だけを半年残すことはできますか。\n2. 失敗したときだけメールを送る設定はありますか。\n3. 夜間（22:00～6:00）だけ帯域を広げることはできますか。"),
        ];
        quotes_questions(&cases);
        assert_eq!(
            question(
                "en",
                "Hi,\n1. Can we export the audit log\n   to CSV every night?\n\nThanks"
            )
            .as_deref(),
            Some("Can we export the audit log to CSV every night?")
        );
    }

    /// Every item of a numbered list of questions is quoted, each once and whole on one line
    /// with its number (a question written as two sentences stays one item); the reason
    /// given inside an item and the line introducing the list are not quoted.
    #[test]
    fn every_numbered_question_is_quoted_whole_without_reasons_or_lead_in() {
        let cases = [
            ("en", "Hello,\n\nBefore signing I'd like to check two points.\n1. Are all our data, backups included, kept in the EU? Our contracts require it.\n2. Is SSO with Entra ID included in the Business price?\n\nBest regards", "1. Are all our data, backups included, kept in the EU?\n2. Is SSO with Entra ID included in the Business price?"),
            ("zh", "您好！\n我们想先确认两个问题：\n1. 团队版能不能按月付费？还是只能按年签约？\n2. 我们的数据能否存放在中国大陆境内的机房？\n谢谢", "1. 团队版能不能按月付费？还是只能按年签约？\n2. 我们的数据能否存放在中国大陆境内的机房？"),
            ("ja", "お世話になっております。\n契約前に、以下の2点を確認させていただけますでしょうか。\n1. 年間契約の途中でユーザー数を増やした場合、料金は日割りで計算されますか。\n2. データの保存先として東京リージョンを指定できますか。\nよろしくお願いいたします。", "1. 年間契約の途中でユーザー数を増やした場合、料金は日割りで計算されますか。\n2. データの保存先として東京リージョンを指定できますか。"),
            ("ko", "안녕하세요.\n도입 전에 두 가지 여쭙고 싶습니다.\n1. 고객 데이터를 국내 리전에만 보관하도록 지정할 수 있나요? 거래처 계약 조건상 데이터가 해외로 나가면 안 됩니다.\n2. 연간 요금제로 결제하면 전자세금계산서를 발행받을 수 있나요?\n감사합니다.", "1. 고객 데이터를 국내 리전에만 보관하도록 지정할 수 있나요?\n2. 연간 요금제로 결제하면 전자세금계산서를 발행받을 수 있나요?"),
            ("et", "Tere!\nEnne lepingu sõlmimist on meil kaks küsimust.\n1. Kas kõik meie andmed (sh varukoopiad) hoitakse Euroopa Liidu piires? Meie klientlepingud nõuavad seda.\n2. Kas Business-paketi hinnas sisaldub ühekordne sisselogimine Entra ID kaudu?\nParimate soovidega", "1. Kas kõik meie andmed (sh varukoopiad) hoitakse Euroopa Liidu piires?\n2. Kas Business-paketi hinnas sisaldub ühekordne sisselogimine Entra ID kaudu?"),
        ];
        quotes_questions(&cases);
        // Up to five items, each once.
        let body = "Hi,\n1. Do you host in the EU?\n2. Do you sign a DPA?\n3. Is there an annual plan?\n4. Can we pay by invoice?\n5. Do you offer SSO?\n6. Is there a mobile app?";
        let q = question("en", body).unwrap_or_default();
        assert_eq!(q.lines().count(), MAX_ITEMS, "{q}");
        assert!(q.starts_with("1. Do you host in the EU?\n2. "), "{q}");
    }

    /// A lead-in ("I'd like to check two points:") and a statement are never the question.
    #[test]
    fn lead_ins_and_statements_are_not_questions() {
        let cases = [
            ("en", "Before signing I would like to check the following points, could you help?\nDo you host in the EU?", "Do you host in the EU?"),
            ("ja", "以下の点についてご確認いただけますでしょうか。\n東京リージョンを指定できますか。", "東京リージョンを指定できますか。"),
            ("ko", "다음 두 가지를 여쭙고 싶습니다. 데이터를 국내 리전에만 보관할 수 있나요?", "데이터를 국내 리전에만 보관할 수 있나요?"),
        ];
        quotes_questions(&cases);
    }

    /// Round 18 ja 10 22: "以下について教えてください。" over a list is its lead-in, and the
    /// list is what they ask; an exasperated "how many times…?" is no question to answer.
    #[test]
    fn a_list_is_asked_not_its_lead_in_and_a_rhetorical_question_is_not_asked() {
        let f = read(
            "ja",
            "",
            "12月31日で解約したいと考えています。\n\n以下について教えてください。\n・解約手続きの方法と、手続きの締切日\n・保存しているデータを、解約前にまとめてダウンロードする方法\n",
        );
        assert_eq!((f.question, f.request), (None, None));
        assert_eq!(
            f.listed,
            [
                "解約手続きの方法と、手続きの締切日",
                "保存しているデータを、解約前にまとめてダウンロードする方法"
            ]
        );
        // Round 18 ja 11: circled numbers mark the items as "1." does.
        let f = read(
            "ja",
            "",
            "つきましては、以下2点をお願いできますでしょうか。\n ① 11月分請求書を、新社名・新住所で再発行\n ② 12月分以降の請求書も、新社名・新住所で発行\n",
        );
        assert_eq!(
            f.listed,
            [
                "11月分請求書を、新社名・新住所で再発行",
                "12月分以降の請求書も、新社名・新住所で発行"
            ]
        );
        for (lang, body) in [
            (
                "ja",
                "何度電話したと思っているんですか。もう100回は電話しています。",
            ),
            (
                "en",
                "How many times do I have to explain this? The export is still broken.",
            ),
            (
                "de",
                "Wie oft muss ich noch anrufen? Der Export geht immer noch nicht.",
            ),
            ("ko", "몇 번을 말해야 하나요? 아직도 내보내기가 안 됩니다."),
            ("zh", "到底要我说几遍？导出还是不行。"),
        ] {
            assert_eq!(question(lang, body), None, "{lang}: {body}");
        }
    }

    /// A sentence asks about a cancellation or a licence rather than for it when it asks
    /// how, whether or how much.
    #[test]
    fn inquiries_are_told_from_asks() {
        let rules = crate::classify::signals::tests::built_in_rules();
        let asks_about = |lang: &str, body: &str| -> Vec<bool> {
            rules
                .signals
                .asked
                .inquiries(&rules.reference_languages(lang), "", body)
                .into_iter()
                .map(|(_, b)| b)
                .collect()
        };
        assert_eq!(
            asks_about(
                "en",
                "Please add a user for Anna. How much would an extra licence cost?"
            ),
            [false, true]
        );
        assert_eq!(asks_about("en", "How do I cancel my subscription?"), [true]);
        assert_eq!(asks_about("en", "Please cancel my subscription."), [false]);
        assert_eq!(
            asks_about("ko", "라이선스를 하나 늘려야 하는 건지, 추가 비용이 얼마인지도 함께 알려주시면 감사하겠습니다."),
            [true]
        );
        assert_eq!(
            asks_about(
                "he",
                "האם אפשר לייצא את כל היסטוריית הפרויקטים לקובץ CSV אחד?"
            ),
            [true]
        );
        assert_eq!(
            asks_about("ja", "ライセンスを追加する場合の費用を教えてください。"),
            [true]
        );
    }

    #[test]
    fn the_subject_counts_only_when_the_body_asks_nothing() {
        let f = read(
            "en",
            "Do you support SAML single sign-on?",
            "Hi,\nsee subject.\nThanks",
        );
        assert_eq!(
            f.question.as_deref(),
            Some("Do you support SAML single sign-on?")
        );
        let f = read(
            "en",
            "Do you support SAML single sign-on?",
            "Is there an annual plan for teams?",
        );
        assert_eq!(
            f.question.as_deref(),
            Some("Is there an annual plan for teams?")
        );
        assert_eq!(
            read("en", "Pricing question", "Hi,\nsee subject.").question,
            None
        );
    }
}
