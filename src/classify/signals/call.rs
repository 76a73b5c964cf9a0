//! When a customer who asks for a call would like it (`call_window`): a span of the clock
//! ("between 2 and 4 pm", "zwischen 14 und 16 Uhr", "오후 2시에서 4시 사이"), one end of it
//! ("after 17:00", "before 4 pm"), or a part of the day ("this afternoon", "明日の午前中"),
//! with the day it is on when that is today or tomorrow. Each language writes its patterns as
//! data (`[signals.call_window]` of its rule file).
//!
//! Precision first: a window is read only in a sentence that asks for the call (one of the
//! `asks.callback` phrases) or says when they can be reached (`cues`), only when the message
//! asks for a call at all, and only when its times read one way ([`super::clock`]): a time
//! alone ("the error started at 2 pm") is no window.

use chrono::{Days, NaiveDate, NaiveTime};
use regex::Regex;
use serde::{Deserialize, Serialize};

use super::clock::{self, Hours};

/// `call_window` in `[signals]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCallWindow {
    /// A time of day, as regex alternatives: `{t}` in `ranges` ("[0-9]{1,2} ?(?:am|pm)").
    #[serde(default)]
    time: Vec<String>,
    /// Regexes with a group `(?P<from>…)`, `(?P<to>…)` or both: "between {from} and
    /// {to}", "after {from}", "before {to}"; `{t}` stands for a time of day of `time`, `{n}`
    /// for a bare hour ("14", "9.30"), for the end a range leaves unmarked ("zwischen 14 und
    /// 16 Uhr").
    #[serde(default)]
    ranges: Vec<String>,
    /// Regexes for the parts of the day.
    #[serde(default)]
    morning: Vec<String>,
    #[serde(default)]
    afternoon: Vec<String>,
    #[serde(default)]
    evening: Vec<String>,
    /// Regexes for today and tomorrow, read in the clause of a window.
    #[serde(default)]
    today: Vec<String>,
    #[serde(default)]
    tomorrow: Vec<String>,
    /// Regexes for days before the message's ("yesterday"): a window in their clause is when
    /// something happened ("I called yesterday between 2 and 4"), not when to call.
    #[serde(default)]
    yesterday: Vec<String>,
    /// Regexes for a request for a call written around its window, which a phrase cannot
    /// hold: the German verb at the end ("könnten sie mich morgen zwischen 9 und 11 uhr
    /// anrufen"), a number to be reached on ("010-1234-5678로 연락 주시면"). A match asks for a
    /// call unless a negation stands in it or just before it.
    #[serde(default)]
    pub asks: Vec<String>,
    /// Phrases that tie a sentence to the call besides the `asks.callback` phrases ("I'm
    /// available", "erreichbar"); read by the signal phrase matcher.
    #[serde(default)]
    pub cues: Vec<String>,
}

/// `{n}` in `ranges`: an hour in figures, with minutes or without.
const BARE_HOUR: &str = "(?:[0-9]{1,2}(?:[:.][0-9]{2})?)";

/// The parts of the day a window may name.
pub const PARTS: &[&str] = &["morning", "afternoon", "evening"];

/// The window a customer asked to be called in: the ISO day ("today" or a date), a part of
/// the day, and the clock times ("14:00") it starts and ends at. At least a part or a time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CallWindow {
    pub day: Option<String>,
    pub part: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// One language's compiled patterns. The parts of the day and the day words are one regex
/// each (an alternation, a group per pattern) rather than a regex per pattern: a hundred small
/// regexes over nine languages cost megabytes of compiled automata for a rare signal.
#[derive(Debug, Default)]
struct Lang {
    ranges: Vec<Regex>,
    /// One group per part pattern.
    parts: Option<Regex>,
    /// (group of `parts`, index into [`PARTS`]) for each part pattern, looked up once at load
    /// so a match maps back to its part without naming groups.
    part_of: Vec<(usize, usize)>,
    /// The index into [`PARTS`] of the `k`-th part pattern (group `p{k}`), kept across the
    /// rule files of the language.
    part_index: Vec<usize>,
    /// Days after the message's (0 today, 1 tomorrow): a regex matching any of its patterns.
    days: [Option<Regex>; 2],
    /// A day before the message's ("yesterday"): a window in its clause was, not is.
    past: Option<Regex>,
    /// Requests for a call written around their window (`asks`).
    asks: Option<Regex>,
}

/// One regex matching `before` (an alternation this built for an earlier rule file of the
/// language) or any of `sources`, the `k`-th of them as group `p{first + k}` when `groups`.
/// It is compiled once; only when it fails are the patterns compiled alone, to name the one
/// at fault.
fn alternation(
    before: Option<&Regex>,
    first: usize,
    sources: &[String],
    groups: bool,
) -> Result<Option<Regex>, String> {
    let alternatives: Vec<String> = before
        .map(|re| re.as_str().to_string())
        .into_iter()
        .chain(sources.iter().enumerate().map(|(k, p)| {
            let p = crate::rules::ascii_boundaries(p);
            if groups {
                format!("(?P<p{}>{p})", first + k)
            } else {
                format!("(?:{p})")
            }
        }))
        .collect();
    if alternatives.is_empty() {
        return Ok(None);
    }
    Regex::new(&alternatives.join("|")).map(Some).map_err(|e| {
        sources
            .iter()
            .find_map(|p| {
                Regex::new(&crate::rules::ascii_boundaries(p))
                    .err()
                    .map(|e| crate::rules::bad_regex(p, &e))
            })
            .unwrap_or_else(|| e.to_string())
    })
}

/// The call window patterns of every language.
#[derive(Debug, Default)]
pub struct CallRules {
    langs: Vec<Lang>,
}

impl CallRules {
    /// Adds one rule file's patterns for `language`; errors name the key.
    pub fn add(&mut self, raw: &RawCallWindow, language: usize) -> Result<(), (String, String)> {
        let err = |key: &str, reason: String| (format!("signals.call_window.{key}"), reason);
        let compile = |key: &str, p: &str| {
            Regex::new(&crate::rules::ascii_boundaries(p))
                .map_err(|e| err(key, crate::rules::bad_regex(p, &e)))
        };
        if self.langs.len() <= language {
            self.langs.resize_with(language + 1, Lang::default);
        }
        let time = raw
            .time
            .iter()
            .map(|t| format!("(?:{t})"))
            .collect::<Vec<_>>()
            .join("|");
        let l = &mut self.langs[language];
        for p in &raw.ranges {
            if p.contains("{t}") && time.is_empty() {
                return Err(err(
                    "ranges",
                    format!("{p:?} uses {{t}} but `time` is empty"),
                ));
            }
            let re = compile(
                "ranges",
                &p.replace("{t}", &format!("(?:{time})"))
                    .replace("{n}", BARE_HOUR),
            )?;
            if !re
                .capture_names()
                .any(|n| n == Some("from") || n == Some("to"))
            {
                return Err(err(
                    "ranges",
                    format!("{p:?} has neither (?P<from>…) nor (?P<to>…)"),
                ));
            }
            l.ranges.push(re);
        }
        let parts = [&raw.morning, &raw.afternoon, &raw.evening];
        let sources: Vec<String> = parts.iter().flat_map(|l| l.iter().cloned()).collect();
        // A bad part pattern is named under its own key.
        let key_of = |e: String| {
            let key = ["morning", "afternoon", "evening"]
                .into_iter()
                .zip(parts)
                .find(|(_, list)| {
                    list.iter()
                        .any(|p| Regex::new(&crate::rules::ascii_boundaries(p)).is_err())
                })
                .map_or("morning", |(k, _)| k);
            err(key, e)
        };
        let first = l.part_index.len();
        l.parts = alternation(l.parts.as_ref(), first, &sources, true).map_err(key_of)?;
        l.part_index.extend(
            parts
                .iter()
                .enumerate()
                .flat_map(|(i, list)| std::iter::repeat_n(i, list.len())),
        );
        let part_index = &l.part_index;
        l.part_of = l.parts.as_ref().map_or_else(Vec::new, |re| {
            re.capture_names()
                .enumerate()
                .filter_map(|(g, name)| {
                    let k: usize = name?.strip_prefix('p')?.parse().ok()?;
                    Some((g, *part_index.get(k)?))
                })
                .collect()
        });
        for (n, key, list) in [(0, "today", &raw.today), (1, "tomorrow", &raw.tomorrow)] {
            l.days[n] = alternation(l.days[n].as_ref(), 0, list, false).map_err(|e| err(key, e))?;
        }
        l.asks = alternation(l.asks.as_ref(), 0, &raw.asks, false).map_err(|e| err("asks", e))?;
        l.past = alternation(l.past.as_ref(), 0, &raw.yesterday, false)
            .map_err(|e| err("yesterday", e))?;
        Ok(())
    }

    /// The byte spans of the requests for a call (`asks`) of `language` in the normalised
    /// `text`.
    pub fn asks(&self, language: usize, text: &str) -> Vec<(usize, usize)> {
        self.langs
            .get(language)
            .and_then(|l| l.asks.as_ref())
            .map(|re| re.find_iter(text).map(|m| (m.start(), m.end())).collect())
            .unwrap_or_default()
    }

    /// The first window of `language` in the normalised `text` that stands in a sentence
    /// holding one of `cues` (byte spans of call phrases), for a message written on `base`,
    /// with the byte span of its words in `text` (a time in it is no deadline). Where the
    /// cues are only their phone number (`negated` given: a call offered, not asked for),
    /// only a span of the clock is a window, not a part of the day, and not in a clause
    /// `negated` finds a negation in.
    pub fn read(
        &self,
        language: usize,
        text: &str,
        hours: &Hours,
        cues: &[(usize, usize)],
        negated: Option<&dyn Fn(&str) -> bool>,
        base: Option<NaiveDate>,
    ) -> Option<(CallWindow, (usize, usize))> {
        let l = self.langs.get(language)?;
        for (from, to) in sentences(text) {
            if !cues.iter().any(|&(s, e)| s >= from && e <= to) {
                continue;
            }
            let sentence = &text[from..to];
            let window = l
                .window(sentence, hours)
                .or_else(|| negated.is_none().then(|| l.part(sentence)).flatten());
            let Some((start, end, mut w)) = window else {
                continue;
            };
            let (cf, ct) = clause(sentence, start, end);
            let clause_text = &sentence[cf..ct];
            // "I called yesterday between 2 and 4": when they tried, not when to call.
            if l.past.as_ref().is_some_and(|re| re.is_match(clause_text))
                || negated.is_some_and(|n| n(clause_text))
            {
                continue;
            }
            let names = |n: usize| {
                l.days[n]
                    .as_ref()
                    .is_some_and(|re| re.is_match(clause_text))
            };
            // "Today or tomorrow between 2 and 4": either day suits them, so the window
            // names none and the draft promises the hours alone.
            let day = match (names(0), names(1)) {
                (true, false) => Some(0),
                (false, true) => Some(1),
                _ => None,
            };
            if let Some(n) = day.map(|n| n as u64) {
                w.day = match n {
                    0 => Some("today".into()),
                    _ => match base.and_then(|b| b.checked_add_days(Days::new(n))) {
                        Some(d) => Some(d.format("%Y-%m-%d").to_string()),
                        // "Tomorrow" of an undated message: no day to name.
                        None => continue,
                    },
                };
            }
            return Some((w, (from + start, from + end)));
        }
        None
    }
}

impl Lang {
    /// The first span of the clock in `sentence` whose times read one way, with where it is.
    fn window(&self, sentence: &str, hours: &Hours) -> Option<(usize, usize, CallWindow)> {
        let mut best: Option<(usize, usize, CallWindow)> = None;
        for re in &self.ranges {
            for c in re.captures_iter(sentence) {
                let Some(whole) = c.get(0) else { continue };
                if best.as_ref().is_some_and(|(s, _, _)| *s <= whole.start()) {
                    continue;
                }
                let text = |n: &str| c.name(n).map(|m| m.as_str());
                let Some((f, t)) = hours.window(text("from"), text("to")) else {
                    continue;
                };
                let show = |t: Option<NaiveTime>| t.map(clock::text);
                best = Some((
                    whole.start(),
                    whole.end(),
                    CallWindow {
                        from: show(f),
                        to: show(t),
                        ..CallWindow::default()
                    },
                ));
            }
        }
        best
    }

    /// The first part of the day named in `sentence`.
    fn part(&self, sentence: &str) -> Option<(usize, usize, CallWindow)> {
        let c = self.parts.as_ref()?.captures(sentence)?;
        let whole = c.get(0)?;
        let part = self
            .part_of
            .iter()
            .find_map(|&(g, part)| c.get(g).map(|_| part))?;
        let window = CallWindow {
            part: Some(PARTS[part].to_string()),
            ..CallWindow::default()
        };
        Some((whole.start(), whole.end(), window))
    }
}

/// Whether the character at byte `i` of `text` ends a sentence: "!", "?", a line break, CJK
/// full stops, and a full stop followed by white space or the end but not after a digit or
/// a single letter ("10. Dezember", "4 p.m. tomorrow"), nor after a word of two or three
/// letters with a number next ("zw. 9-11 Uhr", "kl. 14-16", "ca. 15 Uhr").
fn ends_sentence(text: &str, i: usize, c: char) -> bool {
    match c {
        '!' | '?' | '\n' | '。' | '！' | '？' => true,
        '.' => {
            let after = text[i + 1..].chars().next();
            let mut before = text[..i].chars().rev();
            let one = before.next();
            let two = before.next();
            let word = text[..i]
                .chars()
                .rev()
                .take_while(|c| c.is_alphabetic())
                .count();
            let number_next = text[i + 1..]
                .trim_start()
                .starts_with(|c: char| c.is_ascii_digit());
            let abbreviation = one.is_some_and(char::is_alphabetic)
                && (!two.is_some_and(char::is_alphanumeric) || (word <= 3 && number_next));
            after.is_none_or(char::is_whitespace)
                && !one.is_some_and(|c| c.is_ascii_digit())
                && !abbreviation
                && one != Some('.')
        }
        _ => false,
    }
}

/// The byte spans of the sentences of `text`.
pub(super) fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut from = 0;
    for (i, c) in text.char_indices() {
        if ends_sentence(text, i, c) {
            out.push((from, i));
            from = i + c.len_utf8();
        }
    }
    out.push((from, text.len()));
    out
}

/// The clause of `sentence` around `start..end`: commas end one.
fn clause(sentence: &str, start: usize, end: usize) -> (usize, usize) {
    let comma = |c: char| matches!(c, ',' | '，' | '、' | ';' | '；');
    let from = sentence[..start]
        .char_indices()
        .rev()
        .find(|&(_, c)| comma(c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let to = sentence[end..]
        .char_indices()
        .find(|&(_, c)| comma(c))
        .map_or(sentence.len(), |(i, _)| end + i);
    (from, to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_do_not_end_inside_times_or_abbreviations() {
        let t = "please call me between 2 and 4 p.m. tomorrow. thanks";
        let s: Vec<&str> = sentences(t).into_iter().map(|(f, e)| &t[f..e]).collect();
        assert_eq!(
            s,
            ["please call me between 2 and 4 p.m. tomorrow", " thanks"]
        );
        // Round 12 (de et): a short abbreviation before a time; a short word ending a
        // sentence before a word still ends it.
        let t = "erreichbar bin ich morgen zw. 9-11 uhr. danke. ok. bis dann";
        let s: Vec<&str> = sentences(t).into_iter().map(|(f, e)| &t[f..e]).collect();
        assert_eq!(
            s,
            [
                "erreichbar bin ich morgen zw. 9-11 uhr",
                " danke",
                " ok",
                " bis dann"
            ]
        );
    }
    /// (from, to, day) of the window the built-in rules read in `text`.
    fn window(lang: &str, text: &str) -> Option<(String, String, Option<String>)> {
        let w = crate::classify::signals::tests::builtin(lang, text).call_window?;
        Some((w.from?, w.to?, w.day))
    }

    /// The round-6 forms of a window of two hours, in the languages whose reviewers found
    /// them unread, with the call asked for in the words natives use.
    #[test]
    fn the_common_ways_to_give_a_window_are_read() {
        let two_to_four = |day: Option<&str>| {
            Some((
                "14:00".to_string(),
                "16:00".to_string(),
                day.map(str::to_string),
            ))
        };
        for (lang, text, day) in [
            ("de", "Bitte um Rückruf\nKönnten Sie mich unter 0421 5567 2390 zurückrufen? Am besten heute zwischen 14 und 16 Uhr.", Some("today")),
            ("de", "Rückruf\nIch bitte um Rückruf unter 0421 5567 2390, gerne von 14 bis 16 Uhr.", None),
            // Round 12 (de et zh): an abbreviation before the window, "kl" and the case
            // endings of Estonian hours, and the window said as what suits them.
            ("de", "Rückruf\nBitte um Rückruf unter 0421 5567 2390. Erreichbar bin ich zw. 14-16 Uhr.", None),
            ("et", "Helistamine\nPalun helistage mulle numbril +372 5123 4567, kl 14-16.", None),
            ("et", "Helistamine\nPalun helistage mulle numbril +372 5123 4567. Mulle sobib kella 14st 16ni.", None),
            ("zh", "回电\n请给我回个电话，13812345678。下午2点-4点都方便。", None),
            ("zh", "回电\n请给我回个电话，13812345678。14:00-16:00都可以。", None),
            ("de", "Rückruf\nBitte um Rückruf zwischen 14:00 und 16:00 unter 0421 5567 2390.", None),
            ("et", "Helistamine\nPalun helistage mulle numbril +372 5123 4567 täna kella 14 ja 16 vahel.", Some("today")),
            ("ko", "전화\n오후 2시에서 4시 사이에 010-4821-3307로 전화 부탁드립니다.", None),
            ("he", "שיחה\nאשמח שיחזרו אליי בטלפון 052-7814493 בין 14:00 ל-16:00.", None),
            ("he", "שיחה\nאשמח אם מישהו יחזור אליי בטלפון 052-7814493 היום בין 14:00 ל-16:00.", Some("today")),
            ("zh", "电话\n请今天下午2点到4点之间给我打电话，138 1234 5678。", Some("today")),
            // Either day suits them: the hours alone.
            ("en", "Call\nCould you call me on (512) 555-0148 between 2 and 4 pm Central, today or tomorrow?", None),
            ("de", "Bitte um Rückruf\nKönnten Sie mich heute oder morgen zwischen 14 und 16 Uhr zurückrufen?", None),
            ("ko", "전화\n오늘이나 내일 오후 2시에서 4시 사이에 010-4821-3307로 전화 부탁드립니다.", None),
        ] {
            assert_eq!(window(lang, text), two_to_four(day), "{lang}: {text}");
        }
        // Not a call asked for: no window.
        for (lang, text) in [
            (
                "he",
                "גיבוי\nאף אחד לא יחזור אליי בטלפון, הגיבוי נכשל בין 14:00 ל-16:00.",
            ),
            ("zh", "备份\n不要给我打电话，备份在下午2点到4点之间失败了。"),
        ] {
            assert_eq!(window(lang, text), None, "{lang}: {text}");
        }
    }

    /// Round-7 forms (de ko ja zh fr et en): a window inside a German verb-final request, a
    /// number "to be contacted on", a wish to be called back, the window in a sentence of its
    /// own, and English hours with no am or pm, read in business hours.
    #[test]
    fn windows_inside_requests_and_without_am_or_pm_are_read() {
        let w = |f: &str, t: &str, day: Option<&str>| {
            Some((f.to_string(), t.to_string(), day.map(str::to_string)))
        };
        for (lang, text, want) in [
            ("de", "Lizenzen\nKönnten Sie mich morgen zwischen 9 und 11 Uhr anrufen?", w("09:00", "11:00", Some("2026-12-10"))),
            ("de", "Rückruf\nKönnen Sie mich bitte heute zwischen 14 und 16 Uhr unter 0711 4589 2231 zurückrufen?", w("14:00", "16:00", Some("today"))),
            ("de", "Rückruf\nRufen Sie mich bitte unter 0711 4589 2231 zwischen 14 und 16 Uhr an.", w("14:00", "16:00", None)),
            ("en", "Call\nCould you call me between 2 and 4 tomorrow? My number is +44 20 7946 0321.", w("14:00", "16:00", Some("2026-12-10"))),
            ("en", "Call\nPlease call me back on +44 20 7946 0321 between 9 and 11.", w("09:00", "11:00", None)),
            ("en", "Call\nPlease call me on +44 20 7946 0321 between 10 and 2 today.", w("10:00", "14:00", Some("today"))),
            ("ko", "전화\n오늘 오후 2시에서 4시 사이에 010-4821-7730으로 연락 주시면 감사하겠습니다.", w("14:00", "16:00", Some("today"))),
            ("ko", "전화\n내일 오전 10시부터 12시 사이에 전화 주시면 좋겠습니다. 010-4821-7730입니다.", w("10:00", "12:00", Some("2026-12-10"))),
            ("ko", "전화\n오후 2시~4시 사이에 전화해 주시면 감사하겠습니다. 010-4821-7730", w("14:00", "16:00", None)),
            ("ja", "ご相談\n一度お電話でご相談させていただけないでしょうか。午後2時から4時の間でお願いします。電話番号：045-312-7788", w("14:00", "16:00", None)),
            ("zh", "电话\n麻烦今天下午2点到4点之间打我手机138 1234 5678。", w("14:00", "16:00", Some("today"))),
            ("zh", "电话\n请明天上午9点到11点之间给我打电话13812345678。", w("09:00", "11:00", Some("2026-12-10"))),
            ("zh", "电话\n我想电话沟通一下，今天下午2点到4点之间都可以，电话138 1234 5678。", w("14:00", "16:00", Some("today"))),
            ("zh", "电话\n麻烦今天下午 2 点到 4 点之间给我打个电话，139 1024 5678。", w("14:00", "16:00", Some("today"))),
            ("ja", "お電話\n午後 2 時から 4 時の間にお電話いただけますか。電話番号：045-312-7788", w("14:00", "16:00", None)),
            ("ko", "전화\n오늘 오후 2 시에서 4 시 사이에 전화 주시면 감사하겠습니다. 010-4821-7730", w("14:00", "16:00", Some("today"))),
            ("ja", "お電話\n14〜16時の間にお電話いただけますか。電話番号：045-312-7788", w("14:00", "16:00", None)),
            // Round 15: the window as when they are free, in a sentence of its own.
            ("ja", "ご相談\n一度お電話でご相談させていただけないでしょうか。明日の14時〜16時の間でしたら対応できます。電話番号は 03-5432-1098 です。", w("14:00", "16:00", Some("2026-12-10"))),
            ("ko", "전화\n오후 2~4시 사이에 전화 부탁드립니다. 010-4821-7730", w("14:00", "16:00", None)),
            ("zh", "电话\n请下午2-4点之间给我打电话，138 1234 5678。", w("14:00", "16:00", None)),
            ("fr", "Rappel\nBonjour, j'aimerais être rappelée au 06 12 34 56 78 entre 14 h et 16 h.", w("14:00", "16:00", None)),
            ("fr", "Rappel\nNous souhaiterions être rappelés demain entre 9 h et 11 h au 06 12 34 56 78.", w("09:00", "11:00", Some("2026-12-10"))),
            ("et", "Helistamine\nKas saaksite mulle täna helistada kella 14 ja 16 vahel? Minu number on +372 5123 4567.", w("14:00", "16:00", Some("today"))),
        ] {
            assert_eq!(window(lang, text), want, "{lang}: {text}");
        }
        // When they called, a refusal, or numbers that are no hours: no window.
        for (lang, text) in [
            ("en", "Call\nI called yesterday between 2 and 4 and nobody answered. Please call me back on +44 20 7946 0321."),
            ("en", "Call\nI called yesterday between 2 and 4, please call me back on +44 20 7946 0321."),
            ("en", "Call\nPlease call me on +44 20 7946 0321, we have between 2 and 4 users affected."),
            ("de", "Rückruf\nKönnten Sie mich bitte nicht zwischen 14 und 16 Uhr anrufen? Ich schreibe lieber."),
            ("de", "Rückruf\nIch habe gestern zwischen 14 und 16 Uhr angerufen, rufen Sie mich bitte zurück."),
            ("fr", "Rappel\nJe ne souhaite pas être rappelée entre 14 h et 16 h, répondez par e-mail."),
            ("et", "Helistamine\nPalun ärge helistage mulle kella 14 ja 16 vahel, number +372 5123 4567."),
            ("ko", "전화\n어제 오후 2시에서 4시 사이에 전화했는데 안 받으셨어요. 010-4821-7730으로 전화 주세요."),
            ("zh", "电话\n我昨天下午2点到4点之间打过电话，请给我回电，138 1234 5678。"),
        ] {
            assert_eq!(window(lang, text), None, "{lang}: {text}");
        }
    }

    /// A time inside the call window is when to call, not a deadline: the draft must not
    /// promise a reply by the window's start (round-7 zh review).
    #[test]
    fn a_call_window_sets_no_deadline_time() {
        for (lang, text) in [
            (
                "zh",
                "电话\n请在今天下午2点到4点之间给我打电话，号码138 1234 5678。",
            ),
            (
                "zh",
                "电话\n麻烦今天下午2点到4点之间打我手机138 1234 5678。",
            ),
            (
                "ko",
                "전화\n오늘 오후 2시에서 4시 사이에 010-4821-7730으로 전화 부탁드립니다.",
            ),
            (
                "en",
                "Call\nPlease call me on +44 20 7946 0321 today between 2 and 4 pm.",
            ),
        ] {
            let s = crate::classify::signals::tests::builtin(lang, text);
            assert!(s.call_window.is_some(), "{lang}: {s:?}");
            assert_eq!(s.deadline_time, None, "{lang}: {s:?}");
        }
        // A deadline at a time beside the window still is one.
        let s = crate::classify::signals::tests::builtin(
            "zh",
            "电话\n请今天下午2点到4点之间给我打电话，138 1234 5678。报告我们需要今天下午5点之前拿到。",
        );
        assert_eq!(s.deadline_time.as_deref(), Some("17:00"), "{s:?}");
    }
}
