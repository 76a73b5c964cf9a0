//! How each draft language writes what a draft promises and when things happened: data in
//! `templates/<lang>/locale.toml` (date and time patterns, names of the customer's time zone,
//! "within N business days"), month and weekday names from chrono's locale data (glibc's, via
//! pure-rust-locales), never raw ISO dates or UTC times in front of a customer.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use crate::config::{toml_error, ConfigError};

/// `templates/<lang>/locale.toml` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLocale {
    chrono_locale: String,
    date: String,
    /// A day in the coming weeks, with its weekday and without the year; `date` when absent.
    #[serde(default)]
    day: Option<String>,
    time: String,
    /// A time of day on the full hour, as said for a deadline or a call ("3 pm", "15 Uhr",
    /// "15時"); `time` when absent.
    #[serde(default)]
    hour: Option<String>,
    your_time: String,
    today: String,
    /// The reply promised by a time of today, `{time}` written as `hour`/`time` ("by {time}
    /// today"); `today` when absent.
    #[serde(default)]
    by_time: Option<String>,
    /// The reply promised before a later day they need it by, `{day}` written as `day`
    /// ("before {day}"); the business-days promise when absent.
    #[serde(default)]
    before_day: Option<String>,
    #[serde(default)]
    zones: BTreeMap<String, String>,
    business_days: BTreeMap<String, String>,
    /// Words that make a display name a department, role or company rather than a person
    /// ("Accounts", "Buchhaltung", "GmbH", "経理"): such a sender gets the generic greeting.
    #[serde(default)]
    not_a_person: Vec<String>,
    /// Titles and abbreviations that are not a name by themselves ("Dr.", "Mª"): left out of
    /// the given name, and a display name of nothing else gets the generic greeting.
    #[serde(default)]
    titles: Vec<String>,
    /// How the language names each product function of `signals.area` in the templates'
    /// sentences ("the export", "dem Export", "エクスポート機能"); a key it lacks leaves the
    /// draft's generic sentence.
    #[serde(default)]
    area: BTreeMap<String, String>,
    /// What the greeting reads from a display name besides the name itself.
    #[serde(default)]
    salutation: RawSalutation,
}

/// `[salutation]` of a locale file: the words of a display name that the greeting keeps or
/// reads, so that "Frau Dr. Ulrike Sommer" is greeted "Frau Dr. Sommer" and "経理部" as a
/// department's contact, by each language's own rules (docs/templates.md, "The greeting").
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawSalutation {
    /// Words that say the customer is a woman ("Frau", "Mme", "Sra."): the only source of a
    /// gendered greeting, never the given name.
    #[serde(default)]
    female: Vec<String>,
    /// Words that say the customer is a man ("Herr", "M.", "Sr.").
    #[serde(default)]
    male: Vec<String>,
    /// Academic titles the greeting keeps, as it writes them: `dr = "Dr."`.
    #[serde(default)]
    kept_titles: BTreeMap<String, String>,
    /// Given names that are the second half of a compound given name ("Javier" in "Francisco
    /// Javier Molina", "Ángel"): the greeting says both.
    #[serde(default)]
    compound_given: Vec<String>,
    /// Particles that belong to the family name before it ("von", "de", "van der").
    #[serde(default)]
    particles: Vec<String>,
    /// `last`: the family name is the last word (with its particles); `rest`: every word
    /// after the given name (the two surnames of Spanish).
    #[serde(default)]
    family_name: FamilyName,
    /// Prefixes that make a two-character name a familiar form, not one to greet a customer
    /// by ("小杨", "老王").
    #[serde(default)]
    familiar: Vec<String>,
}

/// Which words of a name are the family name.
#[derive(Deserialize, Default, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum FamilyName {
    #[default]
    Last,
    Rest,
}

/// What a greeting knows of the sender beyond their name, for the `salutation` of a
/// template's context: `gender` is `female`, `male` or `""` (only ever from a word of the
/// display name such as "Frau" or "Mme"), `title` the academic titles kept ("Dr.", "Prof.
/// Dr."), `family` the family name, `organisation` the display name of a department or
/// company ("株式会社山田商事 経理部"), `""` for a person.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Salutation {
    pub gender: &'static str,
    pub title: String,
    pub family: String,
    pub organisation: String,
}

/// One language's way of writing dates, times and delays.
#[derive(Debug, Clone)]
pub struct Locale {
    chrono: chrono::Locale,
    date: String,
    /// A deadline's day: "Friday 11 December", "12月11日（金）".
    day: String,
    time: String,
    /// `time` for a time on the full hour.
    hour: String,
    your_time: String,
    /// What replaces a promised delay for a customer who needs an answer today ("noch heute").
    today: String,
    /// "by {time} today": the promise for a deadline at a time of today.
    by_time: Option<String>,
    /// "before {day}": the promise for a deadline on a later day.
    before_day: Option<String>,
    /// UTC offset ("+09:00") → what customers there call their time ("日本時間").
    zones: BTreeMap<String, String>,
    /// "1", "2", … → the phrase for exactly that many days; "other" with `{n}`.
    business_days: BTreeMap<String, String>,
    /// Normalised `not_a_person` entries: (words, written without spaces).
    not_a_person: Vec<(String, bool)>,
    /// Normalised `titles`.
    titles: Vec<String>,
    /// `signals.area` key → its name in the templates' sentences.
    area: BTreeMap<String, String>,
    /// Normalised `[salutation]` words.
    female: Vec<String>,
    male: Vec<String>,
    kept_titles: Vec<(String, String)>,
    compound_given: Vec<String>,
    particles: Vec<String>,
    family_name: FamilyName,
    familiar: Vec<String>,
}

/// True for scripts written without spaces between words (and Hangul, whose department words
/// are glued to a company's name: "총무팀"), where a word is found inside a name.
fn unspaced(c: char) -> bool {
    crate::rules::is_cjk(c)
        || matches!(c as u32, 0x3040..=0x30FF | 0x1100..=0x11FF | 0xAC00..=0xD7AF)
}

/// Each entry's words, lower-cased, joined by one space ("Dr." → "dr", "van der" → "van der").
fn words(list: &[String]) -> Vec<String> {
    list.iter()
        .map(|w| name_words(w).join(" "))
        .filter(|w| !w.is_empty())
        .collect()
}

/// The words of a name, lower-cased, without punctuation ("Dr. Jens" → ["dr", "jens"]).
fn name_words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

impl Locale {
    /// Reads and checks a locale file's text; errors name the file and the key.
    pub fn parse(path: &Path, text: &str) -> Result<Locale, ConfigError> {
        let raw: RawLocale = toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
        let err = |key: &str, reason: String| ConfigError {
            file: path.to_path_buf(),
            position: None,
            key: key.to_string(),
            reason,
        };
        let chrono = chrono::Locale::try_from(raw.chrono_locale.as_str()).map_err(|_| {
            err(
                "chrono_locale",
                format!(
                    "{:?} is not a known locale (e.g. \"de_DE\")",
                    raw.chrono_locale
                ),
            )
        })?;
        let day = raw.day.unwrap_or_else(|| raw.date.clone());
        let hour = raw.hour.unwrap_or_else(|| raw.time.clone());
        for (key, pattern) in [
            ("date", &raw.date),
            ("day", &day),
            ("time", &raw.time),
            ("hour", &hour),
        ] {
            if StrftimeItems::new(pattern).any(|i| matches!(i, Item::Error)) {
                return Err(err(
                    key,
                    format!("{pattern:?} is not a valid strftime pattern"),
                ));
            }
        }
        for offset in raw.zones.keys() {
            if parse_offset(offset).is_none() {
                return Err(err(
                    &format!("zones.\"{offset}\""),
                    "is not a UTC offset like \"+09:00\"".into(),
                ));
            }
        }
        let Some(other) = raw.business_days.get("other") else {
            return Err(err(
                "business_days.other",
                "is missing: the phrase for any number of days, with {n}".into(),
            ));
        };
        if !other.contains("{n}") {
            return Err(err("business_days.other", "has no {n}".into()));
        }
        if let Some(k) = raw
            .business_days
            .keys()
            .find(|k| *k != "other" && k.parse::<u32>().is_err())
        {
            return Err(err(
                &format!("business_days.{k}"),
                "is neither a number nor `other`".into(),
            ));
        }
        if let Some(k) = raw
            .area
            .keys()
            .find(|k| !crate::classify::signals::AREAS.contains(&k.as_str()))
        {
            return Err(err(
                &format!("area.{k}"),
                format!(
                    "is not one of {}",
                    crate::classify::signals::AREAS.join(", ")
                ),
            ));
        }
        Ok(Locale {
            chrono,
            date: raw.date,
            day,
            time: raw.time,
            hour,
            your_time: raw.your_time,
            today: raw.today,
            by_time: raw.by_time,
            before_day: raw.before_day,
            zones: raw.zones,
            business_days: raw.business_days,
            not_a_person: raw
                .not_a_person
                .iter()
                .map(|w| (name_words(w).join(" "), w.chars().any(unspaced)))
                .filter(|(w, _)| !w.is_empty())
                .collect(),
            titles: raw
                .titles
                .iter()
                .chain(&raw.salutation.female)
                .chain(&raw.salutation.male)
                .chain(raw.salutation.kept_titles.keys())
                .flat_map(|t| name_words(t))
                .collect(),
            area: raw.area,
            female: words(&raw.salutation.female),
            male: words(&raw.salutation.male),
            kept_titles: raw
                .salutation
                .kept_titles
                .iter()
                .map(|(k, v)| (name_words(k).join(" "), v.clone()))
                .collect(),
            compound_given: words(&raw.salutation.compound_given),
            particles: words(&raw.salutation.particles),
            family_name: raw.salutation.family_name,
            familiar: raw.salutation.familiar,
        })
    }

    /// Whether the display name is a department, role or company (`not_a_person`).
    fn is_organisation(&self, name: &str) -> bool {
        let lower = name.to_lowercase();
        let spaced = format!(" {} ", name_words(name).join(" "));
        self.not_a_person.iter().any(|(w, unspaced)| {
            if *unspaced {
                lower.contains(w.as_str())
            } else {
                spaced.contains(&format!(" {w} "))
            }
        })
    }

    /// The given name of a bare name when it is a compound one ("Francisco Javier" of
    /// "Francisco Javier Molina"): the second word is one of `compound_given` and a family
    /// name follows.
    pub fn compound_given(&self, bare: &str) -> Option<String> {
        let words: Vec<&str> = bare.split_whitespace().collect();
        let second = words.get(1).map(|w| w.to_lowercase())?;
        (words.len() >= 3 && words.len() <= 5 && self.compound_given.contains(&second))
            .then(|| words[..2].join(" "))
    }

    /// What the greeting reads from a display name besides the name (see [`Salutation`]).
    /// `given` is the given name the greeting found, so the family name is what follows it.
    pub fn salutation(&self, name: &str, given: &str) -> Salutation {
        let Some(bare) = self.person_name(name) else {
            let organisation = if self.is_organisation(name) {
                name.split_whitespace().collect::<Vec<_>>().join(" ")
            } else {
                String::new()
            };
            return Salutation {
                organisation,
                ..Salutation::default()
            };
        };
        // A script without spaces between words has no family name to pick out here.
        if bare.chars().any(unspaced) {
            return Salutation::default();
        }
        let mut gender = "";
        let mut title = Vec::new();
        for token in name.split_whitespace() {
            let key = name_words(token).join(" ");
            if self.female.contains(&key) {
                gender = "female";
            } else if self.male.contains(&key) {
                gender = "male";
            }
            if let Some((_, written)) = self.kept_titles.iter().find(|(k, _)| *k == key) {
                title.push(written.clone());
            }
        }
        let words: Vec<&str> = bare.split_whitespace().collect();
        let after_given = match given.split_whitespace().count() {
            n if n > 0 && words.len() > n && words[..n].join(" ") == given => &words[n..],
            _ if words.len() == 1 => &words[..],
            _ => &words[words.len().min(1)..],
        };
        let family = match self.family_name {
            FamilyName::Rest => after_given.join(" "),
            FamilyName::Last => {
                let mut start = after_given.len().saturating_sub(1);
                while start > 0
                    && self
                        .particles
                        .contains(&after_given[start - 1].to_lowercase())
                {
                    start -= 1;
                }
                after_given[start..].join(" ")
            }
        };
        Salutation {
            gender: if family.is_empty() { "" } else { gender },
            title: title.join(" "),
            family,
            organisation: String::new(),
        }
    }

    /// The display name as a greeting may use it: `None` for a department, role or company
    /// ("Accounts Payable", "Buchhaltung Meyer GmbH", "経理部") and for a name of titles or
    /// initials only ("Mª", "Dr."), which would read "Hello Accounts," or "Hola, Mª:";
    /// else the name without its titles, for finding the given name ("Dr Jane Smith" → "Jane
    /// Smith").
    pub fn person_name(&self, name: &str) -> Option<String> {
        if self.is_organisation(name) {
            return None;
        }
        // "小杨": what a senior calls a junior, not how a support team greets a customer.
        let trimmed = name.trim();
        if trimmed.chars().count() == 2
            && self
                .familiar
                .iter()
                .any(|f| trimmed.starts_with(f.as_str()))
        {
            return None;
        }
        let is_title = |w: &str| {
            let words = name_words(w);
            !words.is_empty() && words.iter().all(|w| self.titles.contains(w))
        };
        let bare: Vec<&str> = name.split_whitespace().filter(|w| !is_title(w)).collect();
        // "J." or "M. D." is initials, not a name to greet.
        let letters = |w: &&str| w.chars().filter(|c| c.is_alphabetic()).count();
        if bare.iter().all(|w| letters(w) < 2) {
            return None;
        }
        Some(bare.join(" "))
    }

    /// The product function `key` of `signals.area` as the templates' sentences name it
    /// ("the export"), or `None` when this language has no name for it.
    pub fn area(&self, key: &str) -> Option<&str> {
        self.area
            .get(key)
            .map(String::as_str)
            .filter(|a| !a.is_empty())
    }

    /// A calendar date, as the language writes it in a sentence.
    pub fn date(&self, d: NaiveDate) -> String {
        d.format_localized(&self.date, self.chrono).to_string()
    }

    /// A day in the coming weeks, as the language names a deadline: its weekday, no year.
    pub fn day(&self, d: NaiveDate) -> String {
        d.format_localized(&self.day, self.chrono).to_string()
    }

    /// The date of an instant in the customer's offset.
    pub fn date_at(&self, t: DateTime<Utc>, offset: Option<FixedOffset>) -> String {
        self.date(local(t, offset).date_naive())
    }

    /// The time of day of an instant in the customer's offset.
    pub fn time_at(&self, t: DateTime<Utc>, offset: Option<FixedOffset>) -> String {
        local(t, offset)
            .format_localized(&self.time, self.chrono)
            .to_string()
    }

    /// A time of day the customer named (a deadline's, a call's), written as the language
    /// writes it: `hour` on the full hour, else `time`.
    pub fn clock(&self, t: NaiveTime) -> String {
        use chrono::Timelike;
        let pattern = if t.minute() == 0 {
            &self.hour
        } else {
            &self.time
        };
        NaiveDate::default()
            .and_time(t)
            .and_utc()
            .format_localized(pattern, self.chrono)
            .to_string()
    }

    /// What to call the time shown: the zone's local name if the language has one for that
    /// offset, else "your time"; "UTC" when the customer's offset is unknown.
    pub fn zone(&self, offset: Option<FixedOffset>) -> String {
        match offset {
            None => "UTC".into(),
            Some(o) => self
                .zones
                .get(&offset_text(o))
                .cloned()
                .unwrap_or_else(|| self.your_time.clone()),
        }
    }

    /// "today", "noch heute": in the place of a promised delay.
    pub fn today(&self) -> &str {
        &self.today
    }

    /// "by 3 pm today", "heute bis 15 Uhr": a reply promised by a time of today; `today`
    /// for a language without `by_time`.
    pub fn by_time(&self, t: NaiveTime) -> String {
        match &self.by_time {
            Some(p) => p.replace("{time}", &self.clock(t)),
            None => self.today.clone(),
        }
    }

    /// "before Friday, 11 December": a reply promised before a later day; `None` for a
    /// language without `before_day`.
    pub fn before_day(&self, d: NaiveDate) -> Option<String> {
        self.before_day
            .as_ref()
            .map(|p| p.replace("{day}", &self.day(d)))
    }

    /// "within one business day", "innerhalb von 2 Werktagen".
    pub fn business_days(&self, n: u32) -> String {
        match self.business_days.get(&n.to_string()) {
            Some(p) => p.clone(),
            None => self
                .business_days
                .get("other")
                .map(|p| p.replace("{n}", &n.to_string()))
                .unwrap_or_default(),
        }
    }
}

fn local(t: DateTime<Utc>, offset: Option<FixedOffset>) -> DateTime<FixedOffset> {
    t.with_timezone(&offset.unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset")))
}

/// "+09:00" / "-05:30" → the offset.
pub fn parse_offset(s: &str) -> Option<FixedOffset> {
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let (h, m) = rest.split_once(':')?;
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    if h > 14 || m > 59 || rest.len() != 5 {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

fn offset_text(o: FixedOffset) -> String {
    let s = o.local_minus_utc();
    let sign = if s < 0 { '-' } else { '+' };
    let s = s.abs();
    format!("{sign}{:02}:{:02}", s / 3600, s % 3600 / 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn de() -> Locale {
        Locale::parse(
            Path::new("de/locale.toml"),
            r#"
chrono_locale = "de_DE"
date = "%-d. %B %Y"
day = "%A, %-d. %B"
time = "%H:%M Uhr"
your_time = "Ihre Ortszeit"
today = "noch heute"
zones = { "+01:00" = "MEZ" }
business_days = { 1 = "innerhalb eines Werktags", other = "innerhalb von {n} Werktagen" }
"#,
        )
        .expect("valid locale")
    }

    #[test]
    fn dates_and_times_are_local_and_localised() {
        let l = de();
        let t = Utc
            .with_ymd_and_hms(2026, 11, 18, 23, 55, 0)
            .single()
            .expect("time");
        let cet = parse_offset("+01:00");
        assert_eq!(l.date_at(t, cet), "19. November 2026");
        assert_eq!(l.time_at(t, cet), "00:55 Uhr");
        assert_eq!(l.zone(cet), "MEZ");
        assert_eq!(l.zone(parse_offset("-05:00")), "Ihre Ortszeit");
        assert_eq!(l.zone(None), "UTC");
        assert_eq!(l.date_at(t, None), "18. November 2026");
        let friday = NaiveDate::from_ymd_opt(2026, 12, 11).expect("date");
        assert_eq!(l.day(friday), "Freitag, 11. Dezember");
    }

    #[test]
    fn business_days_use_the_exact_phrase_or_other() {
        let l = de();
        assert_eq!(l.business_days(1), "innerhalb eines Werktags");
        assert_eq!(l.business_days(3), "innerhalb von 3 Werktagen");
    }

    #[test]
    fn bad_locales_name_the_key() {
        let bad = |locale: &str, date: &str, other: &str| {
            let text = format!(
                "chrono_locale = \"{locale}\"\ndate = \"{date}\"\ntime = \"%H\"\nyour_time = \"x\"\ntoday = \"t\"\nbusiness_days = {{ other = \"{other}\" }}\n"
            );
            Locale::parse(Path::new("x.toml"), &text)
                .expect_err("invalid")
                .key
        };
        assert!(Locale::parse(Path::new("x.toml"), "chrono_locale = \"de_DE\"\ndate = \"%d\"\ntime = \"%H\"\nyour_time = \"x\"\ntoday = \"t\"\nbusiness_days = { other = \"{n}\" }").is_ok());
        assert_eq!(bad("de_DE", "%Q", "{n}"), "date");
        assert_eq!(bad("xx_YY", "%d", "{n}"), "chrono_locale");
        assert_eq!(bad("de_DE", "%d", "n"), "business_days.other");
    }

    #[test]
    fn offsets_round_trip() {
        for s in ["+09:00", "-05:30", "+00:00", "+14:00"] {
            assert_eq!(parse_offset(s).map(offset_text).as_deref(), Some(s));
        }
        for s in ["09:00", "+9:00", "+15:00", "+09:60", ""] {
            assert!(parse_offset(s).is_none(), "{s}");
        }
    }

    /// The built-in locale of `lang`.
    fn builtin(lang: &str) -> Locale {
        let rel = format!("{lang}/locale.toml");
        let (_, text) = crate::builtin::LOCALES
            .iter()
            .find(|(r, _)| *r == rel)
            .expect("built-in locale");
        Locale::parse(Path::new(&rel), text).expect("valid locale")
    }

    #[test]
    fn every_draft_language_names_every_area() {
        for lang in ["en", "de", "fr", "es", "et", "zh", "ja", "ko", "he"] {
            let l = builtin(lang);
            for key in crate::classify::signals::AREAS {
                assert!(l.area(key).is_some(), "{lang}: area.{key} is missing");
            }
        }
    }

    #[test]
    fn an_unknown_area_is_refused_with_its_key() {
        let text = r#"
chrono_locale = "en_GB"
date = "%-d %B %Y"
time = "%H:%M"
your_time = "your local time"
today = "today"
business_days = { other = "within {n} business days" }
[area]
exports = "the export"
"#;
        let e = Locale::parse(Path::new("en/locale.toml"), text).err();
        assert_eq!(e.map(|e| e.key).as_deref(), Some("area.exports"));
    }

    #[test]
    fn departments_companies_and_bare_titles_are_not_greeted_by_name() {
        for (lang, name) in [
            ("en", "Accounts Payable"),
            ("en", "IT Support"),
            ("en", "Dr."),
            ("de", "Buchhaltung Meyer GmbH"),
            ("fr", "Service comptabilité"),
            ("es", "Mª"),
            ("es", "Contabilidad"),
            ("ja", "経理部"),
            ("ja", "株式会社サンプル 総務"),
            ("ko", "총무팀"),
            ("he", "הנהלת חשבונות"),
            ("et", "Raamatupidamine"),
            ("zh", "财务部"),
        ] {
            assert_eq!(builtin(lang).person_name(name), None, "{lang}: {name}");
        }
        for (lang, name, bare) in [
            ("en", "Dr Jane Smith", "Jane Smith"),
            ("es", "Mª Carmen López", "Carmen López"),
            ("de", "Dr. Jens Albrecht", "Jens Albrecht"),
            ("ja", "阿部 裕子", "阿部 裕子"),
            ("ko", "김민지", "김민지"),
            ("he", "יעל כהן", "יעל כהן"),
        ] {
            assert_eq!(
                builtin(lang).person_name(name).as_deref(),
                Some(bare),
                "{lang}: {name}"
            );
        }
    }
}
