//! Times of day as customers write them ("3 pm", "15 Uhr", "15h30", "午後3時半", "오후 3시",
//! "下午三点"), read into a clock time for the time a deadline falls at (`deadline_time`) and
//! for the times of a call window ([`super::call`]). The words for the halves of the day and
//! for "half past" are data (`[signals] hours` of each rule file); digits and Chinese numerals
//! are read here.
//!
//! Precision first: a time that could be read two ways is none. An hour from 1 to 6 with
//! nothing saying which half of the day it is ("bis 3 Uhr", "3時まで") is more likely the
//! afternoon than the night, but that is a guess; in a language that writes the 12-hour clock
//! (`twelve_hour`), any hour up to 12 without "am"/"pm" is one.

use chrono::NaiveTime;
use serde::Deserialize;

/// `hours` in `[signals]`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHours {
    /// Words that put an hour in the morning ("am", "午前", "오전", "上午").
    #[serde(default)]
    pub am: Vec<String>,
    /// Words that put an hour in the afternoon or evening ("pm", "午後", "오후", "下午").
    #[serde(default)]
    pub pm: Vec<String>,
    /// Words for half past the hour ("半", "반").
    #[serde(default)]
    pub half: Vec<String>,
    /// The language writes the 12-hour clock: an hour up to 12 needs "am" or "pm".
    #[serde(default)]
    pub twelve_hour: bool,
}

/// Which half of the day a time was said to be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Meridiem {
    Am,
    Pm,
}

/// A time as written, before its half of the day is settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Written {
    hour: u32,
    minute: u32,
    meridiem: Option<Meridiem>,
}

/// One language's words for times of day, normalised as the text is.
#[derive(Debug, Default, Clone)]
pub struct Hours {
    am: Vec<String>,
    pm: Vec<String>,
    half: Vec<String>,
    twelve_hour: bool,
}

/// The value of a Chinese numeral up to 99 ("三", "十二", "二十三", "两").
fn cjk_number(s: &str) -> Option<u32> {
    let digit = |c: char| {
        "零一二三四五六七八九"
            .chars()
            .position(|d| d == c)
            .map(|d| d as u32)
    };
    let digit = |c: char| match c {
        '〇' => Some(0),
        '两' | '兩' => Some(2),
        c => digit(c),
    };
    let chars: Vec<char> = s.chars().collect();
    match chars.iter().position(|&c| c == '十') {
        Some(i) => {
            let tens = match &chars[..i] {
                [] => 1,
                [c] => digit(*c)?,
                _ => return None,
            };
            let ones = match &chars[i + 1..] {
                [] => 0,
                [c] => digit(*c)?,
                _ => return None,
            };
            Some(tens * 10 + ones)
        }
        None if chars.len() == 1 => digit(chars[0]),
        None => None,
    }
}

/// The numbers of a clock text in order: runs of digits and runs of Chinese numerals.
fn numbers(s: &str) -> Vec<u32> {
    let is_cjk = |c: char| "零〇一二三四五六七八九十两兩".contains(c);
    let mut out = Vec::new();
    let mut run = String::new();
    let mut cjk = false;
    let flush = |run: &mut String, cjk: bool, out: &mut Vec<u32>| {
        if !run.is_empty() {
            let n = if cjk {
                cjk_number(run)
            } else {
                run.parse().ok()
            };
            out.extend(n);
            run.clear();
        }
    };
    for c in s.chars() {
        let kind = if c.is_ascii_digit() {
            Some(false)
        } else if is_cjk(c) {
            Some(true)
        } else {
            None
        };
        match kind {
            Some(k) if run.is_empty() || k == cjk => {
                cjk = k;
                run.push(c);
            }
            Some(k) => {
                flush(&mut run, cjk, &mut out);
                cjk = k;
                run.push(c);
            }
            None => flush(&mut run, cjk, &mut out),
        }
    }
    flush(&mut run, cjk, &mut out);
    out
}

impl Hours {
    /// Adds one rule file's words.
    pub fn add(&mut self, raw: &RawHours) {
        let norm = |list: &[String]| -> Vec<String> {
            list.iter()
                .map(|w| crate::rules::normalize(w.trim()))
                .filter(|w| !w.is_empty())
                .collect()
        };
        self.am.extend(norm(&raw.am));
        self.pm.extend(norm(&raw.pm));
        self.half.extend(norm(&raw.half));
        self.twelve_hour |= raw.twelve_hour;
    }

    /// What a clock text (normalised) says: its hour, minutes and half of the day.
    fn read(&self, s: &str) -> Option<Written> {
        let has = |list: &[String]| list.iter().any(|w| s.contains(w.as_str()));
        // "pm" before "am": no pm word holds an am word, but "a.m." holds no "pm" either.
        let meridiem = if has(&self.pm) {
            Some(Meridiem::Pm)
        } else if has(&self.am) {
            Some(Meridiem::Am)
        } else {
            None
        };
        let n = numbers(s);
        let hour = *n.first()?;
        let minute = match n.get(1) {
            Some(&m) => m,
            None if has(&self.half) => 30,
            None => 0,
        };
        (n.len() <= 2 && hour <= 24 && minute <= 59).then_some(Written {
            hour,
            minute,
            meridiem,
        })
    }

    /// The clock time a written time stands for; `None` when it could be read two ways.
    fn settle(&self, w: Written) -> Option<NaiveTime> {
        let hour = match (w.meridiem, w.hour) {
            (Some(Meridiem::Pm), 1..=11) => w.hour + 12,
            (Some(Meridiem::Pm), 12..=23) => w.hour,
            (Some(Meridiem::Am), 0..=11) => w.hour,
            (Some(_), _) => return None,
            (None, 0 | 13..=23) => w.hour,
            (None, _) if self.twelve_hour => return None,
            (None, 7..=12) => w.hour,
            (None, _) => return None,
        };
        NaiveTime::from_hms_opt(hour, w.minute, 0)
    }

    /// The clock time of one time of day (normalised text).
    pub fn time(&self, s: &str) -> Option<NaiveTime> {
        self.settle(self.read(s)?)
    }

    /// The times of a window from `from` to `to` (either may be absent, not both): a half
    /// of the day said once holds for both ends when that makes the window run forward
    /// ("between 2 and 4 pm", "오후 2시에서 4시 사이"); `None` when an end is unclear or the
    /// window runs backwards.
    ///
    /// A window with no half of the day at either end is read in business hours ("between 2
    /// and 4", "between 9 and 11", "2点到4点"): an hour from 1 to 6 (and 12) is the afternoon,
    /// from 7 to 11 the morning. Unlike a time alone, a span someone asks to be called in is
    /// in the working day: nobody asks for a call between 2 and 4 at night.
    pub fn window(
        &self,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Option<(Option<NaiveTime>, Option<NaiveTime>)> {
        let (from, to) = match (from, to) {
            (Some(f), Some(t)) => (self.read(f)?, self.read(t)?),
            (Some(f), None) => return Some((Some(self.time(f)?), None)),
            (None, Some(t)) => return Some((None, Some(self.time(t)?))),
            (None, None) => return None,
        };
        let shared = |w: Written, m: Option<Meridiem>| {
            let other = match m? {
                Meridiem::Am => Meridiem::Pm,
                Meridiem::Pm => Meridiem::Am,
            };
            Some([m, Some(other)].map(|m| Written { meridiem: m, ..w }))
        };
        let candidates: Vec<(Written, Written)> = match (from.meridiem, to.meridiem) {
            (None, Some(_)) if from.hour <= 12 => shared(from, to.meridiem)?
                .into_iter()
                .map(|f| (f, to))
                .collect(),
            (Some(_), None) if to.hour <= 12 => shared(to, from.meridiem)?
                .into_iter()
                .map(|t| (from, t))
                .collect(),
            (None, None) => vec![(business(from), business(to))],
            _ => vec![(from, to)],
        };
        candidates.into_iter().find_map(|(f, t)| {
            let (f, t) = (self.settle(f)?, self.settle(t)?);
            (f < t).then_some((Some(f), Some(t)))
        })
    }
}

/// An hour with no half of the day, read in business hours: 1 to 6 and 12 in the afternoon,
/// 7 to 11 in the morning; other hours (the 24-hour clock) as written.
fn business(w: Written) -> Written {
    let meridiem = match w.hour {
        1..=6 | 12 => Some(Meridiem::Pm),
        7..=11 => Some(Meridiem::Am),
        _ => None,
    };
    Written { meridiem, ..w }
}

/// A clock time as the signals hold it: "15:00".
pub fn text(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hours(am: &[&str], pm: &[&str], half: &[&str], twelve_hour: bool) -> Hours {
        let v = |l: &[&str]| l.iter().map(|s| s.to_string()).collect();
        let mut h = Hours::default();
        h.add(&RawHours {
            am: v(am),
            pm: v(pm),
            half: v(half),
            twelve_hour,
        });
        h
    }

    fn at(s: &str) -> Option<String> {
        Some(s.to_string())
    }

    #[test]
    fn times_are_read_in_each_script_and_ambiguous_hours_are_none() {
        let en = hours(&["am", "a.m."], &["pm", "p.m."], &[], true);
        let t = |h: &Hours, s: &str| h.time(s).map(text);
        assert_eq!(t(&en, "3 pm"), at("15:00"));
        assert_eq!(t(&en, "3:30pm"), at("15:30"));
        assert_eq!(t(&en, "11 a.m."), at("11:00"));
        assert_eq!(t(&en, "17:00"), at("17:00"));
        assert_eq!(t(&en, "3:00"), None, "am or pm?");
        assert_eq!(t(&en, "12 am"), None);
        let de = hours(&[], &[], &[], false);
        assert_eq!(t(&de, "15 uhr"), at("15:00"));
        assert_eq!(t(&de, "9.30 uhr"), at("09:30"));
        assert_eq!(t(&de, "3 uhr"), None, "night or afternoon?");
        let fr = hours(&[], &[], &[], false);
        assert_eq!(t(&fr, "15h30"), at("15:30"));
        let ja = hours(&["午前"], &["午後"], &["半"], false);
        assert_eq!(t(&ja, "午後3時半"), at("15:30"));
        assert_eq!(t(&ja, "15時"), at("15:00"));
        let ko = hours(&["오전"], &["오후"], &["반"], false);
        assert_eq!(t(&ko, "오후 3시"), at("15:00"));
        assert_eq!(t(&ko, "오전 10시 30분"), at("10:30"));
        let zh = hours(&["上午"], &["下午", "晚上"], &["半"], false);
        assert_eq!(t(&zh, "下午三点"), at("15:00"));
        assert_eq!(t(&zh, "晚上九点半"), at("21:30"));
        assert_eq!(t(&zh, "十二点"), at("12:00"));
        assert_eq!(t(&zh, "下午两点十五分"), at("14:15"));
    }

    #[test]
    fn a_half_of_the_day_said_once_holds_for_both_ends_of_a_window() {
        let en = hours(&["am"], &["pm"], &[], true);
        let w = |h: &Hours, f: Option<&str>, t: Option<&str>| {
            h.window(f, t).map(|(f, t)| (f.map(text), t.map(text)))
        };
        assert_eq!(
            w(&en, Some("2"), Some("4 pm")),
            Some((at("14:00"), at("16:00")))
        );
        assert_eq!(
            w(&en, Some("10 am"), Some("2")),
            Some((at("10:00"), at("14:00")))
        );
        // No am or pm at either end: business hours.
        assert_eq!(
            w(&en, Some("2"), Some("4")),
            Some((at("14:00"), at("16:00")))
        );
        assert_eq!(
            w(&en, Some("9"), Some("11")),
            Some((at("09:00"), at("11:00")))
        );
        assert_eq!(
            w(&en, Some("10"), Some("2")),
            Some((at("10:00"), at("14:00")))
        );
        assert_eq!(w(&en, Some("4"), Some("2")), None, "backwards");
        // A time alone stays unread without am or pm.
        assert_eq!(en.time("2"), None);
        assert_eq!(w(&en, Some("17:00"), None), Some((at("17:00"), None)));
        let de = hours(&[], &[], &[], false);
        assert_eq!(
            w(&de, Some("14"), Some("16 uhr")),
            Some((at("14:00"), at("16:00")))
        );
        assert_eq!(w(&de, Some("16"), Some("14 uhr")), None, "backwards");
        let ko = hours(&["오전"], &["오후"], &[], false);
        assert_eq!(
            w(&ko, Some("오후 2시"), Some("5시")),
            Some((at("14:00"), at("17:00")))
        );
    }
}
