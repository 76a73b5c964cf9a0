//! When: the day a customer needs an answer by (`deadline`) and the day they say their problem
//! started (`since`). Each language writes its days and the words around them as data in
//! `[signals]` of its rule file (`days.*`, `deadline.by`, `deadline.until`, `deadline.need`,
//! `since`, `effective`); this module compiles them into a few regexes per language and
//! resolves what a match names against the message's date in the sender's own offset. The
//! `effective` day is when something they ask for is to take effect ("cancel effective 31
//! January", "zum 31. Januar kündigen"): no deadline for our reply, and often further away.
//!
//! Precision first: a day that can be read two ways resolves to nothing — a weekday written
//! on that same weekday (today, or a week later?), a weekday next to a week the data does not
//! resolve ("Friday next week" in a language without `next_week`), a date that does not
//! exist or lies in the past, or further than [`HORIZON_DAYS`] away.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{Datelike, Days, NaiveDate, Weekday};
use regex::Regex;
use regex_automata::{hybrid, Anchored, Input, MatchKind};
use serde::Deserialize;

use super::wordish;
use crate::rules::parse_phrase;

/// How far ahead a deadline, and how far back a start, may lie: further is more likely a
/// date from something else (an order, a contract, a plan) than the time of this request.
pub const HORIZON_DAYS: u64 = 60;

/// How far ahead the day a cancellation or change takes effect may lie: a contract ends at
/// the end of a quarter or a year, so further than a deadline, but within about a year.
pub const EFFECTIVE_HORIZON_DAYS: u64 = 400;

/// `days` in `[signals]`: how a language names days, as regex alternatives on the normalised
/// (NFKC, lower-case) text.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDays {
    #[serde(default)]
    today: Vec<String>,
    /// Only for `since`: "this morning".
    #[serde(default)]
    this_morning: Vec<String>,
    #[serde(default)]
    tomorrow: Vec<String>,
    #[serde(default)]
    day_after_tomorrow: Vec<String>,
    #[serde(default)]
    yesterday: Vec<String>,
    #[serde(default)]
    day_before_yesterday: Vec<String>,
    /// Only for `since`: the weekend that last began.
    #[serde(default)]
    weekend: Vec<String>,
    /// Only for deadlines: the last day of the message's month.
    #[serde(default)]
    month_end: Vec<String>,
    /// Only for deadlines and effective days: the last day of a named month, as date shapes
    /// with `{month}` or `{m}` and optionally `{y}` ("the end of January 2027", "3月末",
    /// "fin mars"); without a year, the next such month.
    #[serde(default)]
    month_ends: Vec<String>,
    /// Seven lists, Monday first.
    #[serde(default)]
    weekdays: Vec<Vec<String>>,
    /// Twelve lists, January first.
    #[serde(default)]
    months: Vec<Vec<String>>,
    /// Date shapes with `{d}` (day), `{month}` (a month name) or `{m}` (its number), and
    /// optionally `{y}` (a four-digit year) and `{wd}` (a weekday, checked against the date).
    #[serde(default)]
    dates: Vec<String>,
    /// Written just before a weekday: that weekday of the week after the message's (deadlines).
    #[serde(default)]
    next_week: Vec<String>,
    /// Written just before a weekday: that weekday of the week before the message's (since).
    #[serde(default)]
    last_week: Vec<String>,
    /// Phrases that, next to a weekday, name a week the data does not resolve: no day is read.
    #[serde(default)]
    other_week: Vec<String>,
    /// Times of day that may follow a day before the words of a pattern (`{time}`: "の午後",
    /// "오전 중", "晚上九点"); any number of them, each after optional white space.
    #[serde(default)]
    times: Vec<String>,
    /// Only for deadlines: a time of day standing for a day ("by 2pm", "avant 17h", "15時まで"),
    /// read as today — unless another day stands next to it in its clause ("by 2pm tomorrow",
    /// "morgen bis 14 Uhr"), which the other patterns read or leave alone. The patterns give the
    /// need ("need it by 2pm"), so a time alone ("I called at 9:30") is no deadline.
    #[serde(default)]
    clock: Vec<String>,
    /// The first day of the weekend, 1 (Monday) to 7 (Sunday); Saturday when not given.
    weekend_starts: Option<u32>,
}

/// `deadline` in `[signals]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDeadline {
    /// Phrases meaning "today" (read by the phrase matcher, not here).
    #[serde(default)]
    pub today: Vec<String>,
    /// Regexes with one `{day}` that are a deadline by themselves ("by {day}").
    #[serde(default)]
    by: Vec<String>,
    /// Regexes with one `{day}` that are a deadline only when their clause also holds one
    /// of `need` ("until", "bis", "까지" also say how long something lasted).
    #[serde(default)]
    until: Vec<String>,
    /// Regexes with one `{day}` that are a deadline only when the day is today with no time
    /// of day, their clause also holds one of `need`, and no `since` pattern reads the same
    /// day: the need and "today" with the thing needed between them ("I need my files for a
    /// client today", "brauche den Zugang für die Angebote heute"), which no phrase holds.
    #[serde(default)]
    need_today: Vec<String>,
    /// Regexes with one `{day}` that open a period ("{day}から", "vom {day}", "从{day}到"): a
    /// `by` or `until` day just after one, with nothing but spaces or punctuation between,
    /// ends that period ("2026年1月1日から12月31日までのログ", "vom 20.12. bis 5.1. nicht
    /// erreichbar"); it is no deadline.
    #[serde(default)]
    range_from: Vec<String>,
    /// Phrases of needing or asking ("need", "please", "brauche").
    #[serde(default)]
    need: Vec<String>,
}

/// What a day expression names, before it is set against the message's date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Day {
    Today,
    ThisMorning,
    /// Days from the message's date: 1 tomorrow, -1 yesterday.
    Relative(i64),
    Weekday(Weekday, Week),
    Weekend,
    MonthEnd,
    /// The last day of a named month (`month` 1–12), of `year` or else the next such month.
    EndOf {
        month: u32,
        year: Option<i32>,
    },
    Date {
        day: u32,
        month: u32,
        year: Option<i32>,
        weekday: Option<Weekday>,
    },
}

/// Which week a weekday is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Week {
    /// The nearest one in the direction of the expression (the coming Friday for a deadline,
    /// the last Monday for a start).
    Nearest,
    /// The week after the message's; weeks start on Monday.
    Next,
    /// The week before the message's.
    Last,
}

/// A deadline: the string `today`, or a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Deadline {
    Today,
    On(NaiveDate),
}

impl Deadline {
    /// As `signals.deadline` holds it: "today" or "2026-12-11".
    pub fn text(self) -> String {
        match self {
            Deadline::Today => "today".into(),
            Deadline::On(d) => d.format("%Y-%m-%d").to_string(),
        }
    }
}

/// The deadline a day names, for a message written on `base` (its local date); `None` when
/// it is past, too far, or could be read two ways.
pub fn deadline(day: Day, base: NaiveDate) -> Option<Deadline> {
    ahead(day, base, HORIZON_DAYS)
}

/// The day something is to take effect, for a message written on `base`: a day after it,
/// within [`EFFECTIVE_HORIZON_DAYS`]; `None` for today ("with immediate effect" needs no date
/// named back), a past day, or one that could be read two ways.
pub fn effective(day: Day, base: NaiveDate) -> Option<NaiveDate> {
    match ahead(day, base, EFFECTIVE_HORIZON_DAYS)? {
        Deadline::On(d) => Some(d),
        Deadline::Today => None,
    }
}

/// A day ahead of `base`, at most `horizon` days away.
fn ahead(day: Day, base: NaiveDate, horizon: u64) -> Option<Deadline> {
    let date = match day {
        Day::Today => return Some(Deadline::Today),
        Day::Relative(n) if n > 0 => base.checked_add_days(Days::new(n.unsigned_abs()))?,
        Day::Weekday(w, Week::Nearest) => {
            let ahead = days_until(base.weekday(), w);
            if ahead == 0 {
                return None;
            }
            base.checked_add_days(Days::new(ahead))?
        }
        Day::Weekday(w, Week::Next) => {
            monday(base).checked_add_days(Days::new(7 + u64::from(w.num_days_from_monday())))?
        }
        Day::MonthEnd => {
            let first = NaiveDate::from_ymd_opt(base.year(), base.month(), 1)?;
            first
                .checked_add_months(chrono::Months::new(1))?
                .pred_opt()?
        }
        Day::Date {
            day,
            month,
            year,
            weekday,
        } => dated(day, month, year, weekday, base, Direction::Ahead)?,
        Day::EndOf { month, year } => {
            let last = |y: i32| {
                NaiveDate::from_ymd_opt(y, month, 1)?
                    .checked_add_months(chrono::Months::new(1))?
                    .pred_opt()
            };
            match year {
                Some(y) => last(y)?,
                None => match last(base.year()) {
                    Some(d) if d >= base => d,
                    _ => last(base.year() + 1)?,
                },
            }
        }
        Day::Relative(_) | Day::ThisMorning | Day::Weekend | Day::Weekday(_, Week::Last) => {
            return None
        }
    };
    if date == base {
        return Some(Deadline::Today);
    }
    let ahead = (date - base).num_days();
    (ahead > 0 && ahead.unsigned_abs() <= horizon).then_some(Deadline::On(date))
}

/// Which way a date without a year is read from the message's date.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    /// A deadline: this year's date if not yet past, else next year's.
    Ahead,
    /// A start: this year's date if not still to come, else last year's.
    Back,
}

/// A written date as a day of the calendar; `None` when it does not exist or its weekday is
/// not the one written with it.
fn dated(
    day: u32,
    month: u32,
    year: Option<i32>,
    weekday: Option<Weekday>,
    base: NaiveDate,
    direction: Direction,
) -> Option<NaiveDate> {
    let date = match year {
        Some(y) => NaiveDate::from_ymd_opt(y, month, day)?,
        None => {
            let this_year = NaiveDate::from_ymd_opt(base.year(), month, day);
            match (this_year, direction) {
                (Some(d), Direction::Ahead) if d >= base => d,
                (Some(d), Direction::Back) if d <= base => d,
                (_, Direction::Ahead) => NaiveDate::from_ymd_opt(base.year() + 1, month, day)?,
                (_, Direction::Back) => NaiveDate::from_ymd_opt(base.year() - 1, month, day)?,
            }
        }
    };
    (!weekday.is_some_and(|w| w != date.weekday())).then_some(date)
}

/// The day a problem started, for a message written on `base`; `None` when it is in the
/// future, too long ago, or could be read two ways.
pub fn since(day: Day, base: NaiveDate, weekend_starts: Weekday) -> Option<NaiveDate> {
    let date = match day {
        Day::Today | Day::ThisMorning => base,
        Day::Relative(n) if n < 0 => base.checked_sub_days(Days::new(n.unsigned_abs()))?,
        Day::Weekday(w, Week::Nearest) => {
            let back = days_until(w, base.weekday());
            if back == 0 {
                return None;
            }
            base.checked_sub_days(Days::new(back))?
        }
        Day::Weekday(w, Week::Last) => monday(base)
            .checked_sub_days(Days::new(7))?
            .checked_add_days(Days::new(u64::from(w.num_days_from_monday())))?,
        Day::Weekend => {
            base.checked_sub_days(Days::new(days_until(weekend_starts, base.weekday())))?
        }
        Day::Date {
            day,
            month,
            year,
            weekday,
        } => dated(day, month, year, weekday, base, Direction::Back)?,
        Day::Relative(_) | Day::MonthEnd | Day::EndOf { .. } | Day::Weekday(_, Week::Next) => {
            return None
        }
    };
    let back = (base - date).num_days();
    (back >= 0 && back.unsigned_abs() <= HORIZON_DAYS).then_some(date)
}

/// Days from weekday `from` forward to weekday `to` (0 when the same).
fn days_until(from: Weekday, to: Weekday) -> u64 {
    u64::from((7 + to.num_days_from_monday() - from.num_days_from_monday()) % 7)
}

fn monday(d: NaiveDate) -> NaiveDate {
    d.checked_sub_days(Days::new(u64::from(d.weekday().num_days_from_monday())))
        .unwrap_or(d)
}

/// What a capture group of a compiled tier stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Role {
    Today,
    Clock,
    ThisMorning,
    Relative(i64),
    Weekend,
    MonthEnd,
    EndOf,
    Weekday,
    NextWeek,
    LastWeek,
    Day,
    MonthName,
    MonthNumber,
    Year,
    DateWeekday,
}

/// Which expressions a tier reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tier {
    Deadline,
    Since,
}

/// One language's data, merged over its rule files.
#[derive(Debug, Default, Clone)]
struct Data {
    days: RawDays,
    by: Vec<String>,
    until: Vec<String>,
    need_today: Vec<String>,
    range_from: Vec<String>,
    since: Vec<String>,
    effective: Vec<String>,
    need: Vec<String>,
    /// The tiers as [`Builder::add`] compiled them to check them, from all the data so far, in
    /// [`TIERS`] order: what [`Builder::build`] would compile again.
    compiled: Option<[Option<Compiled>; 6]>,
}

/// The pattern lists of a language and the tier each is read in, in the order they share day
/// readers.
const TIERS: [(&str, Tier); 6] = [
    ("deadline.by", Tier::Deadline),
    ("deadline.until", Tier::Deadline),
    ("deadline.need_today", Tier::Deadline),
    ("deadline.range_from", Tier::Deadline),
    ("since", Tier::Since),
    ("effective", Tier::Deadline),
];

impl Data {
    /// The pattern lists, in [`TIERS`] order.
    fn lists(&self) -> [&[String]; 6] {
        [
            &self.by,
            &self.until,
            &self.need_today,
            &self.range_from,
            &self.since,
            &self.effective,
        ]
    }
}

/// The days a tier reads, shared by all its pattern lists: one copy of the day alternation,
/// with its many groups, per language and tier. Each pattern holding a copy of it made the
/// tiers' regexes, and the search state the regex engine keeps per regex and NFA state, a
/// quarter of the daemon's memory.
#[derive(Debug)]
struct DayReader {
    tier: Tier,
    /// Every day the tier reads, unanchored and without groups: where the days are.
    finder: Regex,
    /// The same days, anchored, reporting every length a day has at one place: a pattern may
    /// read a shorter or longer one than the finder's leftmost-first ("tänase" in
    /// "tänaseks", where the finder stops at "täna").
    lengths: Lengths,
    /// `^(?:{day})$` with a group for each part of a day: what a day found names.
    reader: Regex,
    /// What each group of `reader` stands for.
    roles: Vec<(usize, Role)>,
}

/// An anchored lazy DFA that reports every match end, with its search state.
#[derive(Debug)]
struct Lengths {
    dfa: hybrid::dfa::DFA,
    cache: Mutex<hybrid::dfa::Cache>,
}

impl Lengths {
    fn new(source: &str) -> Result<Lengths, String> {
        let dfa = hybrid::dfa::DFA::builder()
            .configure(hybrid::dfa::Config::new().match_kind(MatchKind::All))
            .build(source)
            .map_err(|e| e.to_string())?;
        let cache = Mutex::new(dfa.create_cache());
        Ok(Lengths { dfa, cache })
    }

    /// Where the days that start at `at` end, longest first; empty when the search gives up
    /// (it cannot, on these patterns, which hold no Unicode word boundary).
    fn ends(&self, text: &str, at: usize) -> Vec<usize> {
        let Ok(mut cache) = self.cache.lock() else {
            return Vec::new();
        };
        let input = Input::new(text).range(at..).anchored(Anchored::Yes);
        let mut state = hybrid::dfa::OverlappingState::start();
        let mut ends = Vec::new();
        while self
            .dfa
            .try_search_overlapping_fwd(&mut cache, &input, &mut state)
            .is_ok()
        {
            match state.get_match() {
                Some(m) if m.offset() > at => ends.push(m.offset()),
                Some(_) => {}
                None => break,
            }
        }
        ends.sort_unstable_by(|a, b| b.cmp(a));
        ends.dedup();
        ends
    }
}

/// One pattern of a tier, or neighbours with the same words after their day.
#[derive(Debug, Clone)]
enum Piece {
    /// Split around its `{day}`: `before` must end where a found day starts and `after` start
    /// where it ends. Each is run on the text up to the day's first character, or from its
    /// last, which it matches as `.`, so that a boundary at the day sees both sides.
    Around { before: Regex, after: Regex },
    /// A pattern whose `{day}` sits inside a group, with its day as group `day`.
    Whole { re: Regex, day: usize },
}

/// A tier's patterns: the days found once, the words around each day tested per pattern.
#[derive(Debug, Clone)]
struct Compiled {
    days: Arc<DayReader>,
    pieces: Vec<Piece>,
}

/// A day found in a text: where it starts, and its words.
#[derive(Debug, Clone, Copy)]
struct DaySpan<'t> {
    start: usize,
    words: &'t str,
}

impl<'t> DaySpan<'t> {
    fn start(&self) -> usize {
        self.start
    }

    fn end(&self) -> usize {
        self.start + self.words.len()
    }

    fn as_str(&self) -> &'t str {
        self.words
    }
}

/// A match of a tier's patterns: where the whole starts and ends, and its day.
#[derive(Debug, Clone, Copy)]
struct Hit<'t> {
    start: usize,
    end: usize,
    day: DaySpan<'t>,
}

impl DayReader {
    /// Every day in `text` a pattern could read: each the finder finds, and any other that
    /// starts inside it, in every length ("a partir del 1 de diciembre": "el 1 de diciembre"
    /// is found, the pattern reads "1 de diciembre"). The finder's own first. Found once per
    /// text for all the tier's lists.
    fn find<'t>(&self, text: &'t str) -> Vec<DaySpan<'t>> {
        let mut days: Vec<DaySpan<'t>> = Vec::new();
        for m in self.finder.find_iter(text) {
            for (offset, _) in m.as_str().char_indices() {
                let start = m.start() + offset;
                if offset == 0 {
                    days.push(DaySpan {
                        start,
                        words: m.as_str(),
                    });
                }
                for end in self.lengths.ends(text, start) {
                    if offset != 0 || end != m.end() {
                        days.push(DaySpan {
                            start,
                            words: &text[start..end],
                        });
                    }
                }
            }
        }
        days
    }
}

impl Compiled {
    /// Every match in `text` around the `days` found in it ([`DayReader::find`] of this
    /// tier), leftmost first and not overlapping, as one regex of all the patterns would find
    /// them: at the same start, the earlier pattern wins.
    fn hits<'t>(&self, text: &'t str, days: &[DaySpan<'t>]) -> Vec<Hit<'t>> {
        let mut found: Vec<(usize, usize, Hit<'t>)> = Vec::new();
        for (i, piece) in self.pieces.iter().enumerate() {
            match piece {
                Piece::Around { before, after } => {
                    for &day in days {
                        let first = text[day.start()..].chars().next().map_or(0, char::len_utf8);
                        let Some(b) = before.find(&text[..day.start() + first]) else {
                            continue;
                        };
                        let last = text[..day.end()]
                            .chars()
                            .next_back()
                            .map_or(0, char::len_utf8);
                        let from = day.end() - last;
                        let Some(a) = after.find(&text[from..]) else {
                            continue;
                        };
                        let hit = Hit {
                            start: b.start(),
                            end: from + a.end(),
                            day,
                        };
                        found.push((hit.start, i, hit));
                    }
                }
                Piece::Whole { re, day } => {
                    for caps in re.captures_iter(text) {
                        if let (Some(whole), Some(day)) = (caps.get(0), caps.get(*day)) {
                            let hit = Hit {
                                start: whole.start(),
                                end: whole.end(),
                                day: DaySpan {
                                    start: day.start(),
                                    words: day.as_str(),
                                },
                            };
                            found.push((hit.start, i, hit));
                        }
                    }
                }
            }
        }
        // The sort is stable: for one start, pattern and day start, the finder's day first.
        found.sort_by_key(|&(start, i, hit)| (start, i, hit.day.start()));
        let mut out: Vec<Hit<'t>> = Vec::new();
        let mut next = 0;
        for (start, _, hit) in found {
            if start >= next {
                next = hit.end.max(start + 1);
                out.push(hit);
            }
        }
        out
    }
}

/// One language's compiled data.
#[derive(Debug)]
struct Lang {
    by: Option<Compiled>,
    until: Option<Compiled>,
    need_today: Option<Compiled>,
    range_from: Option<Compiled>,
    since: Option<Compiled>,
    effective: Option<Compiled>,
    /// (phrase, start boundary, end boundary).
    need: Vec<(String, bool, bool)>,
    weekdays: Option<Lookup>,
    months: Option<Lookup>,
    other_week: Vec<String>,
    /// Any day but today (tomorrow, a weekday, a month): next to a time of day, the time is
    /// of that day, not today's.
    other_day: Option<Regex>,
    weekend_starts: Weekday,
}

/// A day expression found in a text, with where its whole match starts (for the negation
/// check) and what it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found<'a> {
    pub start: usize,
    pub day: Day,
    /// The time of day that stood for today ("3 pm", "15 uhr"), as written.
    pub clock: Option<&'a str>,
}

/// Collects the `days`, `deadline` and `since` data of every rule file.
#[derive(Default)]
pub struct Builder {
    langs: Vec<Data>,
}

/// Names every `{placeholder}` of a tier's regex with a unique group, and remembers its role.
struct Namer {
    keep: bool,
    roles: HashMap<String, Role>,
}

impl Namer {
    /// A named group for `role`, or a plain one when no names are kept.
    fn group(&mut self, role: Role, body: &str) -> String {
        if !self.keep {
            return format!("(?:{body})");
        }
        let name = format!("w{}", self.roles.len());
        let g = format!("(?P<{name}>{body})");
        self.roles.insert(name, role);
        g
    }
}

fn alternatives(list: &[String]) -> String {
    list.iter()
        .map(|a| format!("(?:{a})"))
        .collect::<Vec<_>>()
        .join("|")
}

/// `shape` with each of its placeholders replaced by a group of its role (the first of each).
fn fill(shape: &str, places: &[(&str, Role, String)], n: &mut Namer) -> String {
    let mut s = shape.to_string();
    for (ph, role, body) in places {
        if s.contains(ph) {
            let g = n.group(*role, body);
            s = s.replacen(ph, &g, 1);
        }
    }
    s
}

/// `{day}` of a tier: every kind of day the tier reads, each in groups of its own. Dates come
/// first, so that "Friday 11 December" is read as the date (with its weekday checked), not as
/// the bare weekday.
fn day_alternation(days: &RawDays, tier: Tier, n: &mut Namer) -> String {
    let mut parts = Vec::new();
    let weekday_names: Vec<String> = days.weekdays.iter().flatten().cloned().collect();
    let month_names: Vec<String> = days.months.iter().flatten().cloned().collect();
    for shape in &days.dates {
        if month_names.is_empty() && shape.contains("{month}")
            || weekday_names.is_empty() && shape.contains("{wd}")
        {
            continue;
        }
        let places = [
            ("{d}", Role::Day, "[0-9]{1,2}".to_string()),
            ("{m}", Role::MonthNumber, "[0-9]{1,2}".to_string()),
            ("{y}", Role::Year, "[0-9]{4}".to_string()),
            ("{month}", Role::MonthName, alternatives(&month_names)),
            ("{wd}", Role::DateWeekday, alternatives(&weekday_names)),
        ];
        parts.push(fill(shape, &places, n));
    }
    // The end of a named month, before "the end of the month" so that "fin du mois de mars"
    // is March's, not this month's. Only deadlines and effective days read it.
    if tier == Tier::Deadline {
        for shape in &days.month_ends {
            if month_names.is_empty() && shape.contains("{month}") {
                continue;
            }
            let places = [
                ("{m}", Role::MonthNumber, "[0-9]{1,2}".to_string()),
                ("{y}", Role::Year, "[0-9]{4}".to_string()),
                ("{month}", Role::MonthName, alternatives(&month_names)),
            ];
            let s = fill(shape, &places, n);
            parts.push(n.group(Role::EndOf, &s));
        }
    }
    let simple: &[(&[String], Role)] = match tier {
        Tier::Deadline => &[
            (&days.month_end, Role::MonthEnd),
            (&days.day_after_tomorrow, Role::Relative(2)),
            (&days.tomorrow, Role::Relative(1)),
            (&days.clock, Role::Clock),
            (&days.today, Role::Today),
        ],
        Tier::Since => &[
            (&days.weekend, Role::Weekend),
            (&days.day_before_yesterday, Role::Relative(-2)),
            (&days.yesterday, Role::Relative(-1)),
            (&days.this_morning, Role::ThisMorning),
            (&days.today, Role::Today),
        ],
    };
    for (list, role) in simple {
        if list.is_empty() {
            continue;
        }
        // Today's name just before a time of day is part of the time ("bis heute 15 Uhr",
        // "今天下午3点之前", "오늘 오후 3시까지"): read as the day alone, the time would be lost.
        // Before today's own group, as the leftmost alternative that matches wins.
        let body = if *role == Role::Clock && !days.today.is_empty() {
            format!(
                r"(?:(?:{})\s*)?(?:{})",
                alternatives(&days.today),
                alternatives(list)
            )
        } else {
            alternatives(list)
        };
        parts.push(n.group(*role, &body));
    }
    if !weekday_names.is_empty() {
        let (week, role) = match tier {
            Tier::Deadline => (&days.next_week, Role::NextWeek),
            Tier::Since => (&days.last_week, Role::LastWeek),
        };
        let prefix = if week.is_empty() {
            String::new()
        } else {
            format!("(?:{})?", n.group(role, &alternatives(week)))
        };
        let wd = n.group(Role::Weekday, &alternatives(&weekday_names));
        parts.push(format!("{prefix}{wd}"));
    }
    parts
        .into_iter()
        .map(|p| format!("(?:{p})"))
        .collect::<Vec<_>>()
        .join("|")
}

/// The regexes of a tier's patterns (`None` when there are none, or no days to put in them).
fn compile(days: &RawDays, tier: Tier, patterns: &[String]) -> Result<Option<Compiled>, String> {
    compile_sharing(days, tier, patterns, &mut Vec::new())
}

/// [`compile`], taking the tier's days from `readers` when they are there and leaving the ones
/// it compiles there.
fn compile_sharing(
    days: &RawDays,
    tier: Tier,
    patterns: &[String],
    readers: &mut Vec<Arc<DayReader>>,
) -> Result<Option<Compiled>, String> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut plain = Namer {
        keep: false,
        roles: HashMap::new(),
    };
    let day = day_alternation(days, tier, &mut plain);
    if day.is_empty() {
        return Ok(None);
    }
    let times = if days.times.is_empty() {
        String::new()
    } else {
        format!(r"(?:\s*(?:{}))*", alternatives(&days.times))
    };
    let build = |source: &str| {
        regex::RegexBuilder::new(source)
            .size_limit(32 << 20)
            .build()
            .map_err(|e| e.to_string())
    };
    // Neighbouring patterns with the same words after `{day}` are tested as one:
    // "(?:by|until|before) {day}". Only neighbours are merged, so at the same start the
    // earlier pattern still wins.
    let mut merged: Vec<(Vec<String>, Option<String>)> = Vec::new();
    for p in patterns {
        let p = crate::rules::ascii_boundaries(p).replace("{time}", &times);
        let split = p
            .split_once("{day}")
            .filter(|(before, after)| standalone(before) && standalone(after));
        match split {
            Some((before, after)) => match merged.last_mut() {
                Some((befores, Some(a))) if a == after => befores.push(before.to_string()),
                _ => merged.push((vec![before.to_string()], Some(after.to_string()))),
            },
            None => merged.push((vec![p], None)),
        }
    }
    let mut pieces = Vec::new();
    for (befores, after) in &merged {
        pieces.push(match after {
            Some(after) => {
                let befores: Vec<String> = befores.iter().map(|b| format!("(?:{b})")).collect();
                Piece::Around {
                    before: build(&format!(r"(?:{})(?s:.)\z", befores.join("|")))?,
                    after: build(&format!(r"\A(?s:.)(?:{after})"))?,
                }
            }
            None => {
                let re = build(
                    &befores
                        .concat()
                        .replacen("{day}", &format!("(?P<day>{day})"), 1),
                )?;
                let day = re
                    .capture_names()
                    .position(|name| name == Some("day"))
                    .ok_or("the day group is lost")?;
                Piece::Whole { re, day }
            }
        });
    }
    let days = match readers.iter().find(|r| r.tier == tier) {
        Some(r) => Arc::clone(r),
        None => {
            let mut n = Namer {
                keep: true,
                roles: HashMap::new(),
            };
            let source = format!("^(?:{})$", day_alternation(days, tier, &mut n));
            let reader = Regex::new(&source).map_err(|e| e.to_string())?;
            let roles: Vec<(usize, Role)> = reader
                .capture_names()
                .enumerate()
                .filter_map(|(i, name)| Some((i, *n.roles.get(name?)?)))
                .collect();
            let r = Arc::new(DayReader {
                tier,
                finder: build(&day)?,
                lengths: Lengths::new(&day)?,
                reader,
                roles,
            });
            readers.push(Arc::clone(&r));
            r
        }
    };
    Ok(Some(Compiled { days, pieces }))
}

/// Whether a piece of a pattern stands on its own: its groups and classes closed and no `|`
/// outside them, so that it can be put beside others.
fn standalone(piece: &str) -> bool {
    let chars: Vec<char> = piece.chars().collect();
    let (marks, open_class) = crate::rules::structure(&chars);
    let mut depth = 0i32;
    for (_, c) in marks {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ if depth == 0 => return false,
            _ => {}
        }
    }
    depth == 0 && !open_class
}

/// Which of several lists (the weekdays, the months) a whole text is in: one regex,
/// `^(?:(list 0)|(list 1)|…)$`, rather than one per list.
#[derive(Debug)]
struct Lookup {
    re: Regex,
    /// The group of each list.
    groups: Vec<usize>,
}

impl Lookup {
    /// `None` when there are no lists (or they do not compile, which [`Builder::add`] checks).
    fn new(lists: &[Vec<String>]) -> Option<Lookup> {
        if lists.is_empty() {
            return None;
        }
        let source = lists
            .iter()
            .enumerate()
            .map(|(i, l)| format!("(?P<list{i}>{})", alternatives(l)))
            .collect::<Vec<_>>()
            .join("|");
        let re = Regex::new(&format!("^(?:{source})$")).ok()?;
        let groups = (0..lists.len())
            .map(|i| {
                let name = format!("list{i}");
                re.capture_names().position(|n| n == Some(name.as_str()))
            })
            .collect::<Option<Vec<usize>>>()?;
        Some(Lookup { re, groups })
    }

    /// The first list that has `s` whole: of the alternatives that match the whole text,
    /// leftmost-first takes the earliest.
    fn which(&self, s: &str) -> Option<usize> {
        let caps = self.re.captures(s)?;
        self.groups.iter().position(|&g| caps.get(g).is_some())
    }
}

/// `^(?:a|b)$`: a list compiled on its own, so that a mistake in it names its key.
fn anchored(list: &[String]) -> Result<Regex, String> {
    Regex::new(&format!("^(?:{})$", alternatives(list))).map_err(|e| e.to_string())
}

/// Regex data is written as the text it runs on is normalised: NFKC (full-width digits and
/// brackets become ASCII); lower-casing is left to the writer, as it would change escapes.
fn nfkc(list: &[String]) -> Vec<String> {
    use unicode_normalization::UnicodeNormalization;
    list.iter().map(|s| s.nfkc().collect()).collect()
}

impl Builder {
    /// Adds one rule file's data for `language`; errors name the key.
    pub fn add(
        &mut self,
        days: &RawDays,
        deadline: &RawDeadline,
        since: &[String],
        effective: &[String],
        language: usize,
    ) -> Result<(), (String, String)> {
        let err = |key: &str, reason: String| (format!("signals.{key}"), reason);
        if !matches!(days.weekdays.len(), 0 | 7) {
            return Err(err(
                "days.weekdays",
                format!(
                    "has {} lists: it needs seven, Monday first",
                    days.weekdays.len()
                ),
            ));
        }
        if !matches!(days.months.len(), 0 | 12) {
            return Err(err(
                "days.months",
                format!(
                    "has {} lists: it needs twelve, January first",
                    days.months.len()
                ),
            ));
        }
        if days.weekend_starts.is_some_and(|d| !(1..=7).contains(&d)) {
            return Err(err(
                "days.weekend_starts",
                "is a weekday from 1 (Monday) to 7 (Sunday)".into(),
            ));
        }
        for shape in &days.dates {
            if !shape.contains("{d}") || !(shape.contains("{month}") || shape.contains("{m}")) {
                return Err(err(
                    "days.dates",
                    format!("{shape:?} needs {{d}} and {{month}} or {{m}}"),
                ));
            }
        }
        let lists: [(&str, &[String]); 6] = [
            ("deadline.by", &deadline.by),
            ("deadline.until", &deadline.until),
            ("deadline.need_today", &deadline.need_today),
            ("deadline.range_from", &deadline.range_from),
            ("since", since),
            ("effective", effective),
        ];
        for (key, patterns) in lists {
            if let Some(p) = patterns.iter().find(|p| p.matches("{day}").count() != 1) {
                return Err(err(key, format!("{p:?} needs {{day}} exactly once")));
            }
        }
        if self.langs.len() <= language {
            self.langs.resize(language + 1, Data::default());
        }
        let data = &mut self.langs[language];
        let d = &mut data.days;
        for (to, from) in [
            (&mut d.today, &days.today),
            (&mut d.this_morning, &days.this_morning),
            (&mut d.tomorrow, &days.tomorrow),
            (&mut d.day_after_tomorrow, &days.day_after_tomorrow),
            (&mut d.yesterday, &days.yesterday),
            (&mut d.day_before_yesterday, &days.day_before_yesterday),
            (&mut d.weekend, &days.weekend),
            (&mut d.month_end, &days.month_end),
            (&mut d.month_ends, &days.month_ends),
            (&mut d.dates, &days.dates),
            (&mut d.next_week, &days.next_week),
            (&mut d.last_week, &days.last_week),
            (&mut d.other_week, &days.other_week),
            (&mut d.times, &days.times),
            (&mut d.clock, &days.clock),
        ] {
            to.extend(nfkc(from));
        }
        for (to, from, n) in [
            (&mut d.weekdays, &days.weekdays, 7),
            (&mut d.months, &days.months, 12),
        ] {
            if !from.is_empty() {
                to.resize(n, Vec::new());
                to.iter_mut().zip(from).for_each(|(t, f)| t.extend(nfkc(f)));
            }
        }
        d.weekend_starts = days.weekend_starts.or(d.weekend_starts);
        data.by.extend(nfkc(&deadline.by));
        data.until.extend(nfkc(&deadline.until));
        data.range_from.extend(nfkc(&deadline.range_from));
        data.need_today.extend(nfkc(&deadline.need_today));
        data.since.extend(nfkc(since));
        data.effective.extend(nfkc(effective));
        data.need.extend(deadline.need.iter().cloned());
        // Each list on its own first, so a mistake is reported against its own key.
        let days_now = data.days.clone();
        for (key, list) in [
            ("days.weekdays", days_now.weekdays.concat()),
            ("days.months", days_now.months.concat()),
            ("days.today", days_now.today.clone()),
            ("days.this_morning", days_now.this_morning.clone()),
            ("days.tomorrow", days_now.tomorrow.clone()),
            (
                "days.day_after_tomorrow",
                days_now.day_after_tomorrow.clone(),
            ),
            ("days.yesterday", days_now.yesterday.clone()),
            (
                "days.day_before_yesterday",
                days_now.day_before_yesterday.clone(),
            ),
            ("days.weekend", days_now.weekend.clone()),
            ("days.month_end", days_now.month_end.clone()),
            ("days.next_week", days_now.next_week.clone()),
            ("days.last_week", days_now.last_week.clone()),
            ("days.times", days_now.times.clone()),
            ("days.clock", days_now.clock.clone()),
        ] {
            if !list.is_empty() {
                anchored(&list).map_err(|e| err(key, e))?;
            }
        }
        for shape in &days_now.dates {
            let only = RawDays {
                dates: vec![shape.clone()],
                ..days_now.clone()
            };
            compile(&only, Tier::Deadline, &["{day}".to_string()])
                .map_err(|e| err("days.dates", e))?;
        }
        // One day reader per tier for all the lists, as `When::build` would compile them; kept
        // for it, as compiling them was a third of the start-up time.
        let mut readers = Vec::new();
        let mut compiled: [Option<Compiled>; 6] = Default::default();
        for (slot, ((key, tier), patterns)) in
            compiled.iter_mut().zip(TIERS.into_iter().zip(data.lists()))
        {
            *slot = compile_sharing(&days_now, tier, patterns, &mut readers)
                .map_err(|e| err(key, e))?;
        }
        data.compiled = Some(compiled);
        Ok(())
    }

    /// Compiles every language's data (each already checked by [`Builder::add`]).
    pub fn build(self) -> When {
        let langs = self
            .langs
            .into_iter()
            .map(|mut d| {
                let weekend_starts = d
                    .days
                    .weekend_starts
                    .and_then(|n| Weekday::try_from(u8::try_from(n.checked_sub(1)?).ok()?).ok())
                    .unwrap_or(Weekday::Sat);
                let [by, until, need_today, range_from, since, effective] =
                    d.compiled.take().unwrap_or_default();
                Lang {
                    by,
                    until,
                    need_today,
                    range_from,
                    since,
                    effective,
                    need: d.need.iter().filter_map(|p| parse_phrase(p)).collect(),
                    weekdays: Lookup::new(&d.days.weekdays),
                    months: Lookup::new(&d.days.months),
                    other_week: d
                        .days
                        .other_week
                        .iter()
                        .map(|p| crate::rules::normalize(p.trim()))
                        .filter(|p| !p.is_empty())
                        .collect(),
                    other_day: other_day(&d.days),
                    weekend_starts,
                }
            })
            .collect();
        When { langs }
    }
}

/// Any day of `days` but today, unanchored, for [`Lang::other_day_near`].
fn other_day(days: &RawDays) -> Option<Regex> {
    let list: Vec<String> = [
        &days.tomorrow,
        &days.day_after_tomorrow,
        &days.month_end,
        &days.other_week,
    ]
    .into_iter()
    .flatten()
    .chain(days.weekdays.iter().flatten())
    .chain(days.months.iter().flatten())
    .cloned()
    .collect();
    if list.is_empty() {
        return None;
    }
    Regex::new(&alternatives(&list)).ok()
}

/// The compiled day data of every language.
#[derive(Debug, Default)]
pub struct When {
    langs: Vec<Lang>,
}

/// The clause around `start..end`: from after the last sentence end or comma before it to
/// the next one after it ("周一之前都正常，请帮忙看看" asks for help, not by Monday). A full
/// stop after a digit ("10. Dezember", "10.12.") ends nothing.
fn clause(text: &str, start: usize, end: usize) -> &str {
    let ends = |i: usize, c: char| match c {
        '!' | '?' | '\n' | '。' | '！' | '？' | ',' | '，' | '、' | ';' | '；' => true,
        '.' => !text[..i]
            .chars()
            .next_back()
            .is_some_and(|p| p.is_ascii_digit()),
        _ => false,
    };
    let from = text[..start]
        .char_indices()
        .rev()
        .find(|&(i, c)| ends(i, c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let to = text[end..]
        .char_indices()
        .find(|&(i, c)| ends(end + i, c))
        .map_or(text.len(), |(i, _)| end + i);
    &text[from..to]
}

/// True when `phrase` occurs in `text` with the word boundaries it asks for.
fn holds(text: &str, (p, start_boundary, end_boundary): &(String, bool, bool)) -> bool {
    text.match_indices(p.as_str()).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + p.len()..].chars().next();
        !(*start_boundary && before.is_some_and(wordish)
            || *end_boundary && after.is_some_and(wordish))
    })
}

impl When {
    /// The language's first day of the weekend.
    pub fn weekend_starts(&self, language: usize) -> Weekday {
        self.langs
            .get(language)
            .map_or(Weekday::Sat, |l| l.weekend_starts)
    }

    /// Whether `day` falls on the language's weekend (its first day and the next).
    pub fn is_weekend(&self, language: usize, day: NaiveDate) -> bool {
        let starts = self.weekend_starts(language);
        day.weekday() == starts || day.weekday() == starts.succ()
    }

    /// Every deadline expression of `language` in the normalised `text`.
    pub fn deadlines<'t>(&self, language: usize, text: &'t str) -> Vec<Found<'t>> {
        let Some(l) = self.langs.get(language) else {
            return Vec::new();
        };
        // The four lists are of one tier and share its days.
        let days = [&l.by, &l.until, &l.need_today, &l.range_from]
            .into_iter()
            .find_map(Option::as_ref)
            .map(|c| c.days.find(text))
            .unwrap_or_default();
        let mut out = l.find(l.by.as_ref(), text, &days, false);
        out.extend(l.find(l.until.as_ref(), text, &days, true));
        if let Some(from) = l.range_from.as_ref().filter(|_| !out.is_empty()) {
            let opened: Vec<usize> = from.hits(text, &days).iter().map(|h| h.end).collect();
            out.retain(|f| !ends_a_period(text, &opened, f.start));
        }
        let today: Vec<Found<'t>> = l
            .find(l.need_today.as_ref(), text, &days, true)
            .into_iter()
            .filter(|f| f.day == Day::Today && f.clock.is_none())
            .collect();
        // "Since today" is when it started, whatever is needed beside it.
        if let (false, Some(since)) = (today.is_empty(), l.since.as_ref()) {
            let started = since.hits(text, &since.days.find(text));
            out.extend(today.into_iter().filter(|f| {
                !started
                    .iter()
                    .any(|h| h.start <= f.start && f.start < h.end)
            }));
        } else {
            out.extend(today);
        }
        out
    }

    /// Every "effective" expression of `language` in the normalised `text`.
    pub fn effective<'t>(&self, language: usize, text: &'t str) -> Vec<Found<'t>> {
        self.langs
            .get(language)
            .map(|l| l.find_alone(l.effective.as_ref(), text))
            .unwrap_or_default()
    }

    /// Every "since" expression of `language` in the normalised `text`.
    pub fn starts<'t>(&self, language: usize, text: &'t str) -> Vec<Found<'t>> {
        self.langs
            .get(language)
            .map(|l| l.find_alone(l.since.as_ref(), text))
            .unwrap_or_default()
    }
}

/// Whether a day expression starting at `start` follows one of the period openings that end
/// at `opened` with at most [`PERIOD_GAP`] spaces or punctuation marks between.
fn ends_a_period(text: &str, opened: &[usize], start: usize) -> bool {
    opened.iter().any(|&end| {
        text.get(end..start)
            .is_some_and(|gap| gap.chars().count() <= PERIOD_GAP && !gap.chars().any(wordish))
    })
}

/// See [`ends_a_period`]: "vom 20.12. – bis 5.1." still reads as one period.
const PERIOD_GAP: usize = 4;

impl Lang {
    /// [`Lang::find`] of a list whose tier's days no other list asked for.
    fn find_alone<'t>(&self, c: Option<&Compiled>, text: &'t str) -> Vec<Found<'t>> {
        let days = c.map(|c| c.days.find(text)).unwrap_or_default();
        self.find(c, text, &days, false)
    }

    fn find<'t>(
        &self,
        c: Option<&Compiled>,
        text: &'t str,
        days: &[DaySpan<'t>],
        needs_cue: bool,
    ) -> Vec<Found<'t>> {
        let Some(c) = c else { return Vec::new() };
        let mut out = Vec::new();
        for hit in c.hits(text, days) {
            let whole = &text[hit.start..hit.end];
            // A boundary at either end may have matched the character next to the words.
            let words = whole.trim_matches(|c: char| !wordish(c));
            let start =
                hit.start + whole.len() - whole.trim_start_matches(|c: char| !wordish(c)).len();
            let end = start + words.len();
            if needs_cue {
                let s = clause(text, start, end);
                if !self.need.iter().any(|p| holds(s, p)) {
                    continue;
                }
            }
            let m = hit.day;
            if let Some((day, clock)) = self.day(c, m, text) {
                if day == Day::MonthEnd && self.of_a_named_month(text, m.start(), m.end()) {
                    continue;
                }
                out.push(Found { start, day, clock });
            }
        }
        out
    }

    /// "The end of the month" that is another month's end: a month's number glued before it
    /// ("2027年3月末", "3월말", "3月底") or a month's name just after it ("fin du mois de
    /// mars"). The message's own month end would be the wrong day: nothing is read.
    fn of_a_named_month(&self, text: &str, start: usize, end: usize) -> bool {
        if text[..start]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_digit())
        {
            return true;
        }
        let after = text[end..].trim_start();
        let after = ["de ", "d'", "d’", "of "]
            .iter()
            .find_map(|p| after.strip_prefix(p))
            .unwrap_or(after);
        let word: &str = after.split(|c: char| !wordish(c)).next().unwrap_or("");
        !word.is_empty()
            && self
                .months
                .as_ref()
                .is_some_and(|m| m.which(word).is_some())
    }

    /// What the groups of one match name, with the time of day that stood for today; `None`
    /// when a week next to a weekday is not one the data resolves.
    fn day<'t>(
        &self,
        c: &Compiled,
        found: DaySpan<'t>,
        text: &str,
    ) -> Option<(Day, Option<&'t str>)> {
        let clock = |m: DaySpan<'t>| -> Option<&'t str> {
            let caps = c.days.reader.captures(m.as_str())?;
            let i = c.days.roles.iter().find(|(_, r)| *r == Role::Clock)?.0;
            let g = caps.get(i)?;
            m.as_str().get(g.start()..g.end())
        };
        let day = self.day_only(c, found, text)?;
        Some((
            day,
            if day == Day::Today {
                clock(found)
            } else {
                None
            },
        ))
    }

    /// What the groups of one match name.
    fn day_only(&self, c: &Compiled, found: DaySpan<'_>, text: &str) -> Option<Day> {
        let caps = c.days.reader.captures(found.as_str())?;
        let mut got: HashMap<Role, &str> = HashMap::new();
        let (mut from, mut to) = (usize::MAX, 0);
        for &(i, role) in &c.days.roles {
            if let Some(m) = caps.get(i) {
                got.insert(role, m.as_str());
                from = from.min(found.start() + m.start());
                to = to.max(found.start() + m.end());
            }
        }
        let which = |lists: &Option<Lookup>, s: &str| lists.as_ref()?.which(s);
        let weekday = |s: &str| {
            which(&self.weekdays, s)
                .and_then(|i| u8::try_from(i).ok())
                .and_then(|i| Weekday::try_from(i).ok())
        };
        let number = |r: Role| got.get(&r).and_then(|s| s.parse::<u32>().ok());
        if got.contains_key(&Role::Clock) {
            return (!self.other_day_near(text, from, to)).then_some(Day::Today);
        }
        let simple = [
            Role::Today,
            Role::ThisMorning,
            Role::Weekend,
            Role::MonthEnd,
            Role::Relative(2),
            Role::Relative(1),
            Role::Relative(-1),
            Role::Relative(-2),
        ];
        if let Some(role) = simple.into_iter().find(|r| got.contains_key(r)) {
            return Some(match role {
                Role::Today => Day::Today,
                Role::ThisMorning => Day::ThisMorning,
                Role::Weekend => Day::Weekend,
                Role::MonthEnd => Day::MonthEnd,
                Role::Relative(n) => Day::Relative(n),
                _ => return None,
            });
        }
        // The month of a date or a month's end, by name or number; its year if written.
        let month = || match got.get(&Role::MonthName) {
            Some(name) => u32::try_from(which(&self.months, name)? + 1).ok(),
            None => number(Role::MonthNumber),
        };
        let year = got.get(&Role::Year).and_then(|y| y.parse().ok());
        if got.contains_key(&Role::EndOf) {
            return Some(Day::EndOf {
                month: month()?,
                year,
            });
        }
        if let Some(day) = number(Role::Day) {
            let month = month()?;
            let weekday = match got.get(&Role::DateWeekday) {
                Some(w) => Some(weekday(w)?),
                None => None,
            };
            return Some(Day::Date {
                day,
                month,
                year,
                weekday,
            });
        }
        let w = weekday(got.get(&Role::Weekday)?)?;
        let week = if got.contains_key(&Role::NextWeek) {
            Week::Next
        } else if got.contains_key(&Role::LastWeek) {
            Week::Last
        } else {
            Week::Nearest
        };
        if week == Week::Nearest && self.other_week_near(text, from, to) {
            return None;
        }
        Some(Day::Weekday(w, week))
    }

    /// True when a day other than today stands within a few words of the time of day at
    /// `from..to`, in its clause ("by 2pm tomorrow", "morgen bis 14 Uhr", "明日15時まで").
    fn other_day_near(&self, text: &str, from: usize, to: usize) -> bool {
        const NEAR: usize = 24;
        let Some(re) = &self.other_day else {
            return false;
        };
        let s = clause(text, from, to);
        let offset = s.as_ptr() as usize - text.as_ptr() as usize;
        let (local_from, local_to) = (from - offset, to - offset);
        // A day name starts a word ("mai" in "e-mail" is none); its end is left free, for the
        // languages that write days as stems with endings ("homseks").
        let starts_word = |at: usize| {
            let first = s[at..].chars().next();
            let before = s[..at].chars().next_back();
            first.is_some_and(crate::rules::is_cjk)
                || !before.is_some_and(|c| wordish(c) || c == '-')
        };
        re.find_iter(s).any(|m| {
            m.end() + NEAR >= local_from && m.start() <= local_to + NEAR && starts_word(m.start())
        })
    }

    /// True when one of `other_week` stands within a few words of `from..to`, in its clause.
    fn other_week_near(&self, text: &str, from: usize, to: usize) -> bool {
        const NEAR: usize = 24;
        let s = clause(text, from, to);
        let offset = s.as_ptr() as usize - text.as_ptr() as usize;
        let (local_from, local_to) = (from - offset, to - offset);
        let before: String = {
            let b: Vec<char> = s[..local_from].chars().collect();
            b[b.len().saturating_sub(NEAR)..].iter().collect()
        };
        let after: String = s[local_to..].chars().take(NEAR).collect();
        self.other_week
            .iter()
            .any(|w| before.contains(w.as_str()) || after.contains(w.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn on(s: &str) -> Option<Deadline> {
        Some(Deadline::On(date(s)))
    }

    // 2026-12-09 is a Wednesday.
    const WED: &str = "2026-12-09";

    #[test]
    fn only_pieces_that_stand_alone_are_merged() {
        assert!(standalone(r"(?-u:\b)bis (?:zum )?"));
        assert!(standalone(r"[]|(]x"));
        assert!(!standalone(r"bis (?:zum "));
        assert!(!standalone(r"a|b "));
        assert!(!standalone(r"x)"));
        assert!(!standalone(r"[ab"));
    }

    #[test]
    fn a_lookup_names_the_first_list_that_has_the_whole_text() {
        let lists: Vec<Vec<String>> = vec![
            vec!["mo".into(), "montags?".into()],
            vec!["mon".into(), "mo".into()],
            vec![r"(d)i\.?".into()],
        ];
        let l = Lookup::new(&lists).expect("compiles");
        assert_eq!(l.which("montag"), Some(0));
        assert_eq!(l.which("mo"), Some(0));
        assert_eq!(l.which("mon"), Some(1));
        assert_eq!(l.which("di."), Some(2));
        assert_eq!(l.which("mont"), None);
        assert!(Lookup::new(&[]).is_none());
    }

    #[test]
    fn patterns_sharing_the_words_after_the_day_are_tested_as_one() {
        let days: RawDays = toml::from_str(
            "today = ['heute']\nweekdays = [['montag'], ['dienstag'], ['mittwoch'], ['donnerstag'], ['freitag'], ['samstag'], ['sonntag']]",
        )
        .expect("days");
        let patterns: Vec<String> = [
            r"\bbis {day}\b",
            r"\bspätestens {day}\b",
            r"\b{day} (?:oder|bzw)",
        ]
        .map(String::from)
        .to_vec();
        let c = compile(&days, Tier::Deadline, &patterns)
            .expect("compiles")
            .expect("some");
        assert_eq!(c.pieces.len(), 2);
        for (text, day) in [
            ("bis freitag.", "freitag"),
            ("spätestens heute", "heute"),
            ("montag oder", "montag"),
        ] {
            let hits = c.hits(text, &c.days.find(text));
            assert_eq!(hits.len(), 1, "{text}");
            assert_eq!(hits[0].day.as_str(), day);
        }
        assert!(c.hits("freitag", &c.days.find("freitag")).is_empty());
    }

    #[test]
    fn a_day_is_read_at_any_place_and_length_a_pattern_needs() {
        let days: RawDays = toml::from_str(
            "today = ['täna', 'tänase']\ndates = ['(?:el )?{d} de {month}']\nmonths = [['enero'], ['febrero'], ['marzo'], ['abril'], ['mayo'], ['junio'], ['julio'], ['agosto'], ['septiembre'], ['octubre'], ['noviembre'], ['diciembre']]",
        )
        .expect("days");
        let patterns: Vec<String> = [r"\b{day}ks\b", r"\ba partir del? {day}"]
            .map(String::from)
            .to_vec();
        let c = compile(&days, Tier::Deadline, &patterns)
            .expect("compiles")
            .expect("some");
        // The finder stops at "täna", the first alternative; the pattern needs "tänase".
        let text = "raha tuli tänaseks tagasi";
        let hits = c.hits(text, &c.days.find(text));
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].day.as_str(), "tänase");
        // The finder starts at "el" inside "del"; the pattern reads the date after it.
        let text = "a partir del 1 de diciembre";
        let hits = c.hits(text, &c.days.find(text));
        assert_eq!(hits.len(), 1);
        assert_eq!((hits[0].start, hits[0].day.as_str()), (0, "1 de diciembre"));
        // Overlapping matches are not both taken, as one regex would not find both.
        assert_eq!(
            c.hits("tänaseks tänaseks", &c.days.find("tänaseks tänaseks"))
                .len(),
            2
        );
        assert!(c.hits("tänase", &c.days.find("tänase")).is_empty());
    }

    /// German-like data in one rule file's shape.
    fn german() -> When {
        german_with(r"'\bspätestens (?:am )?{day}\b'")
    }

    /// German days and patterns, with `by` as the deadline's first pattern.
    fn german_with(by: &str) -> When {
        #[derive(Deserialize)]
        struct File {
            days: RawDays,
            deadline: RawDeadline,
            since: Vec<String>,
        }
        let f: File = toml::from_str(&format!(
            r#"
            days.today = ['heute']
            days.yesterday = ['gestern']
            days.weekdays = [['montag'], ['dienstag'], ['mittwoch'], ['donnerstag'], ['freitag'], ['samstag'], ['sonntag']]
            days.months = [['januar'], ['februar'], ['märz'], ['april'], ['mai'], ['juni'], ['juli'], ['august'], ['september'], ['oktober'], ['november'], ['dezember']]
            days.dates = ['{{d}}\.\s?{{month}}', '{{d}}\.{{m}}\.']
            deadline.by = [{by}]
            deadline.until = ['\bbis (?:zum )?{{day}}\b']
            deadline.need = ['brauchen']
            since = ['\bseit {{day}}\b']
            "#
        ))
        .expect("toml");
        let mut b = Builder::default();
        b.add(&f.days, &f.deadline, &f.since, &[], 0)
            .expect("valid");
        b.build()
    }

    #[test]
    fn a_unicode_boundary_before_the_day_still_binds() {
        // `\b` before a group starting with "ä" stays Unicode.
        let w = german_with(r"'frist[^.\n]{0,20}?\b(?:äußerstens|am) {day}'");
        let days = |t: &str| -> Vec<Day> { w.deadlines(0, t).into_iter().map(|f| f.day).collect() };
        assert_eq!(
            days("die frist für äußerstens montag läuft"),
            vec![Day::Weekday(Weekday::Mon, Week::Nearest)]
        );
        assert_eq!(
            days("frist für den übertrag am freitag"),
            vec![Day::Weekday(Weekday::Fri, Week::Nearest)]
        );
        // "übertragam" has none before "am".
        assert!(days("frist für den übertragam freitag").is_empty());
        assert!(days("keine frist, nur grüße").is_empty());
    }

    #[test]
    fn patterns_read_the_day_they_name_and_where_the_words_start() {
        let w = german();
        let text = "wir brauchen es spätestens am 11. dezember.";
        let found = w.deadlines(0, text);
        let at = text.find("spätestens").expect("in text");
        assert_eq!(
            found,
            vec![Found {
                start: at,
                day: Day::Date {
                    day: 11,
                    month: 12,
                    year: None,
                    weekday: None
                },
                clock: None,
            }]
        );
        let text = "so geht es nicht. seit gestern, seit freitag";
        let found: Vec<Day> = w.starts(0, text).into_iter().map(|f| f.day).collect();
        assert_eq!(
            found,
            vec![Day::Relative(-1), Day::Weekday(Weekday::Fri, Week::Nearest)]
        );
        // A word boundary is no boundary inside a word ("gesternabend" is not "gestern").
        assert!(w.starts(0, "seit gesternabend").is_empty());
        assert!(w.starts(0, "seit übermorgen").is_empty());
    }

    #[test]
    fn a_time_of_day_is_today_unless_a_day_name_starts_a_word_next_to_it() {
        #[derive(Deserialize)]
        struct File {
            days: RawDays,
            deadline: RawDeadline,
        }
        let f: File = toml::from_str(
            r#"
            days.today = ['heute']
            days.tomorrow = ['morgen']
            days.clock = ['[0-9]{1,2} uhr']
            days.months = [['januar'], ['februar'], ['märz'], ['april'], ['mai'], ['juni'], ['juli'], ['august'], ['september'], ['oktober'], ['november'], ['dezember']]
            deadline.by = ['\bspätestens (?:um |bis )?{day}\b']
            "#,
        )
        .expect("toml");
        let mut b = Builder::default();
        b.add(&f.days, &f.deadline, &[], &[], 0).expect("valid");
        let w = b.build();
        let days = |t: &str| -> Vec<Day> { w.deadlines(0, t).into_iter().map(|f| f.day).collect() };
        assert_eq!(days("bitte spätestens 14 uhr per e-mail"), vec![Day::Today]);
        assert_eq!(days("bitte spätestens 14 uhr per email"), vec![Day::Today]);
        assert!(days("bitte spätestens 14 uhr am 3. mai").is_empty());
    }

    #[test]
    fn an_until_needs_its_cue_in_its_own_clause_not_past_the_comma_after_the_day() {
        let w = german();
        assert!(w
            .deadlines(0, "es lief alles bis freitag, wir brauchen dringend hilfe")
            .is_empty());
        let found = w.deadlines(0, "wir brauchen es bis freitag, danke");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].day, Day::Weekday(Weekday::Fri, Week::Nearest));
    }

    #[test]
    fn a_weekday_deadline_is_the_next_such_day_after_the_message() {
        let base = date(WED);
        let fri = Day::Weekday(Weekday::Fri, Week::Nearest);
        assert_eq!(deadline(fri, base), on("2026-12-11"));
        let mon = Day::Weekday(Weekday::Mon, Week::Nearest);
        assert_eq!(deadline(mon, base), on("2026-12-14"));
        // Written on a Wednesday, "by Wednesday" is today or a week later: neither is sure.
        let wed = Day::Weekday(Weekday::Wed, Week::Nearest);
        assert_eq!(deadline(wed, base), None);
        // "Next week's Friday": the Friday of the week starting on the 14th.
        let next = Day::Weekday(Weekday::Fri, Week::Next);
        assert_eq!(deadline(next, base), on("2026-12-18"));
        assert_eq!(deadline(Day::Relative(1), base), on("2026-12-10"));
        assert_eq!(deadline(Day::Relative(2), base), on("2026-12-11"));
        assert_eq!(deadline(Day::Today, base), Some(Deadline::Today));
        assert_eq!(deadline(Day::MonthEnd, base), on("2026-12-31"));
        assert_eq!(
            deadline(Day::MonthEnd, date("2026-12-31")),
            Some(Deadline::Today)
        );
        // Only a start reads these.
        for d in [Day::Relative(-1), Day::Weekend, Day::ThisMorning] {
            assert_eq!(deadline(d, base), None, "{d:?}");
        }
    }

    #[test]
    fn a_date_without_a_year_is_the_next_one_and_past_or_far_dates_are_none() {
        let base = date(WED);
        let d = |day, month, year| Day::Date {
            day,
            month,
            year,
            weekday: None,
        };
        assert_eq!(deadline(d(10, 12, None), base), on("2026-12-10"));
        assert_eq!(deadline(d(9, 12, None), base), Some(Deadline::Today));
        // Past this year, and next year's is too far: not a deadline.
        assert_eq!(deadline(d(8, 12, None), base), None);
        assert_eq!(deadline(d(8, 12, Some(2026)), base), None);
        // Across the new year.
        assert_eq!(deadline(d(5, 1, None), base), on("2027-01-05"));
        assert_eq!(deadline(d(5, 3, None), base), None);
        assert_eq!(deadline(d(31, 2, None), base), None);
        // The weekday written with the date must be the date's.
        let fri = |day| Day::Date {
            day,
            month: 12,
            year: None,
            weekday: Some(Weekday::Fri),
        };
        assert_eq!(deadline(fri(11), base), on("2026-12-11"));
        assert_eq!(deadline(fri(12), base), None);
    }

    #[test]
    fn a_start_is_the_last_such_day_before_the_message() {
        let base = date(WED);
        let sat = Weekday::Sat;
        assert_eq!(
            since(Day::Relative(-1), base, sat),
            Some(date("2026-12-08"))
        );
        assert_eq!(
            since(Day::Relative(-2), base, sat),
            Some(date("2026-12-07"))
        );
        assert_eq!(since(Day::ThisMorning, base, sat), Some(base));
        let mon = Day::Weekday(Weekday::Mon, Week::Nearest);
        assert_eq!(since(mon, base, sat), Some(date("2026-12-07")));
        let fri = Day::Weekday(Weekday::Fri, Week::Nearest);
        assert_eq!(since(fri, base, sat), Some(date("2026-12-04")));
        let wed = Day::Weekday(Weekday::Wed, Week::Nearest);
        assert_eq!(since(wed, base, sat), None);
        let last_thu = Day::Weekday(Weekday::Thu, Week::Last);
        assert_eq!(since(last_thu, base, sat), Some(date("2026-12-03")));
        assert_eq!(since(Day::Weekend, base, sat), Some(date("2026-12-05")));
        assert_eq!(
            since(Day::Weekend, base, Weekday::Fri),
            Some(date("2026-12-04"))
        );
        let d = |day, month| Day::Date {
            day,
            month,
            year: None,
            weekday: None,
        };
        assert_eq!(since(d(3, 12), base, sat), Some(date("2026-12-03")));
        assert_eq!(
            since(d(20, 12), base, sat),
            None,
            "last year's is too long ago"
        );
        assert_eq!(since(d(20, 11), base, sat), Some(date("2026-11-20")));
        assert_eq!(since(Day::Relative(1), base, sat), None);
    }

    #[test]
    fn clauses_do_not_end_at_a_full_stop_after_a_digit() {
        let t = "erstens. bis zum 10. dezember brauche ich das, danke";
        let start = t.find("bis").expect("bis");
        assert_eq!(
            clause(t, start, start + 20),
            " bis zum 10. dezember brauche ich das"
        );
        let t = "周一之前都正常，请帮忙看看";
        assert_eq!(clause(t, 0, "周一之前".len()), "周一之前都正常");
    }
}
