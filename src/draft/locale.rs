//! How each draft language writes what a draft promises and when things happened: data in
//! `templates/<lang>/locale.toml` (date and time patterns, names of the customer's time zone,
//! "within N business days"), month and weekday names from chrono's locale data (glibc's, via
//! pure-rust-locales), never raw ISO dates or UTC times in front of a customer.

use std::collections::BTreeMap;
use std::path::Path;

use aho_corasick::{AhoCorasick, AhoCorasickKind};
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
    /// What they already tried (`signals.tried`), named as the `tried` partial lists it
    /// ("clearing your cache", "den Cache geleert"); a key it lacks is not named back.
    #[serde(default)]
    tried: BTreeMap<String, String>,
    /// How a list of two or more is joined: between the items, and before the last one.
    #[serde(default)]
    list: RawList,
    /// What the greeting reads from a display name besides the name itself.
    #[serde(default)]
    salutation: RawSalutation,
}

/// `list` of a locale file: ", " and " and " in English, "、" and "和" in Chinese.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawList {
    #[serde(default)]
    between: String,
    #[serde(default)]
    last: String,
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
    /// Titles the greeting keeps, read from the display name and from the signature beside
    /// the sender's name, as it writes them: `dr = "Dr."`, or by the gender the letter gives
    /// (`pr = { female = "Madame la Professeure", male = "Monsieur le Professeur" }`).
    #[serde(default)]
    kept_titles: BTreeMap<String, TitleForms>,
    /// How a formal letter opens ("dear sir or madam", "sehr geehrte", "拝啓", "수신"), at the
    /// start or the end of one of its first lines: such a letter gets the formal greeting.
    #[serde(default)]
    formal: Vec<String>,
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

/// How the greeting writes a kept title: the same for everyone, or by gender, for languages
/// whose title agrees with it ("Madame la Professeure"); a form for an unknown gender is
/// never guessed, so such a title is left out.
#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(untagged)]
enum TitleForms {
    Any(String),
    ByGender {
        #[serde(default)]
        female: Option<String>,
        #[serde(default)]
        male: Option<String>,
    },
}

impl TitleForms {
    fn written(&self, gender: &str) -> Option<&str> {
        match (self, gender) {
            (TitleForms::Any(w), _) => Some(w),
            (TitleForms::ByGender { female, .. }, "female") => female.as_deref(),
            (TitleForms::ByGender { male, .. }, "male") => male.as_deref(),
            _ => None,
        }
    }
}

/// How many lines of the sender's block are read for their name, and how many after the
/// name line for their role ("Consultant Haematologist", "教授・医学博士").
const ROLE_LINES: usize = 2;

/// Which words of a name are the family name.
#[derive(Deserialize, Default, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum FamilyName {
    #[default]
    Last,
    Rest,
}

/// What a greeting knows of the sender beyond their name, for the `salutation` of a
/// template's context: `gender` is `female`, `male` or `""` (only ever from a word such as
/// "Frau", "Mme" or "Catedrático" in the display name or beside the name they signed with),
/// `title` the titles kept ("Dr.", "Prof. Dr.", "先生", "교수님"), `family` the family name (for
/// a titled name in a script without spaces, the whole name: "近藤 博"), `organisation` the
/// display name of a department or company ("株式会社山田商事 経理部"), `""` for a person, and
/// `formal` whether their letter opens formally ("Dear Sir or Madam", "Sehr geehrte …",
/// "拝啓"), so the reply answers in the same register.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Salutation {
    pub gender: &'static str,
    pub title: String,
    pub family: String,
    pub organisation: String,
    pub formal: bool,
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
    /// `not_a_person`, matched in one scan of the name however many entries there are.
    not_a_person: NotAPerson,
    /// Normalised `titles`.
    titles: Vec<String>,
    /// `signals.area` key → its name in the templates' sentences.
    area: BTreeMap<String, String>,
    /// `signals.tried` key → how the `tried` partial names it.
    tried: BTreeMap<String, String>,
    list: RawList,
    /// Normalised `[salutation]` words.
    female: Vec<String>,
    male: Vec<String>,
    kept_titles: Vec<(String, TitleForms)>,
    /// Lower-cased `formal` openings.
    formal: Vec<String>,
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

/// The `not_a_person` entries as two automata: a name is checked against every entry for
/// each line a draft's greeting looks at, and a locale has dozens of entries.
#[derive(Debug, Clone)]
struct NotAPerson {
    /// Entries in a script without spaces, sought anywhere in the lowercased name. "(주)" and
    /// "（株）" keep their brackets: "주" alone is in names (이은주).
    unspaced: AhoCorasick,
    /// The other entries as their words between spaces (" customer service "), sought in the
    /// name's words between spaces, so only whole words match.
    spaced: AhoCorasick,
}

impl NotAPerson {
    fn new(entries: &[String]) -> Result<NotAPerson, aho_corasick::BuildError> {
        let (mut unspaced_words, mut spaced_words) = (Vec::new(), Vec::new());
        for w in entries {
            if w.chars().any(unspaced) {
                let w = w.trim().to_lowercase();
                if !w.is_empty() {
                    unspaced_words.push(w);
                }
            } else {
                let words = name_words(w);
                if !words.is_empty() {
                    spaced_words.push(format!(" {} ", words.join(" ")));
                }
            }
        }
        // Contiguous NFAs, the smallest kind: a name is a few words, read a few times a draft.
        let build = |words: Vec<String>| {
            AhoCorasick::builder()
                .kind(Some(AhoCorasickKind::ContiguousNFA))
                .build(words)
        };
        Ok(NotAPerson {
            unspaced: build(unspaced_words)?,
            spaced: build(spaced_words)?,
        })
    }
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
        // A table keyed by signal ids names only ids the signals know.
        for (table, keys, known) in [
            ("area", &raw.area, crate::classify::signals::AREAS),
            ("tried", &raw.tried, crate::classify::signals::TRIED),
        ] {
            if let Some(k) = keys.keys().find(|k| !known.contains(&k.as_str())) {
                return Err(err(
                    &format!("{table}.{k}"),
                    format!("is not one of {}", known.join(", ")),
                ));
            }
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
            not_a_person: NotAPerson::new(&raw.not_a_person)
                .map_err(|e| err("not_a_person", e.to_string()))?,
            titles: raw
                .titles
                .iter()
                .chain(&raw.salutation.female)
                .chain(&raw.salutation.male)
                .chain(raw.salutation.kept_titles.keys())
                .flat_map(|t| name_words(t))
                .collect(),
            area: raw.area,
            tried: raw.tried,
            list: raw.list,
            female: words(&raw.salutation.female),
            male: words(&raw.salutation.male),
            kept_titles: raw
                .salutation
                .kept_titles
                .iter()
                .map(|(k, v)| (name_words(k).join(" "), v.clone()))
                .collect(),
            formal: raw
                .salutation
                .formal
                .iter()
                .map(|f| f.trim().to_lowercase())
                .filter(|f| !f.is_empty())
                .collect(),
            compound_given: words(&raw.salutation.compound_given),
            particles: words(&raw.salutation.particles),
            family_name: raw.salutation.family_name,
            familiar: raw.salutation.familiar,
        })
    }

    /// Whether the display name is a department, role or company (`not_a_person`).
    fn is_organisation(&self, name: &str) -> bool {
        self.not_a_person.unspaced.is_match(&name.to_lowercase())
            || self
                .not_a_person
                .spaced
                .is_match(&format!(" {} ", name_words(name).join(" ")))
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

    /// Whether the letter opens formally: one of its first lines starts with a `formal`
    /// opening as a whole word, or, in a script without spaces, ends with it ("○○ 귀중").
    pub fn is_formal(&self, text: &str) -> bool {
        let word_ends = |c: Option<char>| !c.is_some_and(char::is_alphanumeric);
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .take(3)
            .any(|line| {
                let lower = line.to_lowercase();
                let end = lower.trim_end_matches(|c: char| !c.is_alphanumeric());
                self.formal.iter().any(|f| {
                    let cjk = f.chars().any(unspaced);
                    lower
                        .strip_prefix(f.as_str())
                        .is_some_and(|rest| cjk || word_ends(rest.chars().next()))
                        || cjk
                            && end
                                .strip_suffix(f.as_str())
                                .is_some_and(|before| word_ends(before.chars().next_back()))
                })
            })
    }

    /// Whether a word of a name is a title or another word that is no name by itself.
    fn is_title(&self, word: &str) -> bool {
        let words = name_words(word);
        !words.is_empty() && words.iter().all(|w| self.titles.contains(w))
    }

    /// The person's name a line of a signature holds by itself ("J. Hargreaves", "i. A.
    /// Birgit Haller", "田中 裕子", "事務担当 大野 真由美", "대한대학교 정보보안팀장 류성호"),
    /// without titles and, in a script without spaces, department words; `None` for any
    /// other line: a sentence, a role, a company, an address, a number.
    fn name_line(&self, line: &str) -> Option<String> {
        // A dash or tilde before the name is how many sign a short note ("- Jane", "— 류지호").
        let line = line
            .trim()
            .trim_start_matches(['-', '–', '—', '~'])
            .trim_start();
        if line.chars().count() > 40
            || line
                .chars()
                .any(|c| c.is_ascii_digit() || matches!(c, '@' | ':' | '：' | '/' | '(' | ')'))
            || line.ends_with([',', '.', ';', '!', '?', '。', '、', '，', '！', '？', '：'])
        {
            return None;
        }
        let cjk = line.chars().any(unspaced);
        if !cjk && self.is_organisation(line) {
            return None;
        }
        let mut words = Vec::new();
        for token in line.split_whitespace() {
            if self.is_title(token) || cjk && self.is_organisation(token) {
                continue;
            }
            // "杨老师", "钱先生": a family name with a title said as written is how they sign
            // and how they are greeted.
            if cjk && self.said_as_written(token) {
                return Some(token.to_string());
            }
            words.push(token);
        }
        let ok = if cjk {
            let letters: usize = words.iter().map(|w| w.chars().count()).sum();
            (1..=2).contains(&words.len())
                && (2..=5).contains(&letters)
                && words
                    .iter()
                    .all(|w| w.chars().count() <= 4 && w.chars().all(unspaced))
                && !words.iter().any(|w| self.title_in(w).is_some())
        } else {
            let full = |w: &str| {
                w.chars().count() >= 2
                    && w.chars()
                        .all(|c| c.is_alphabetic() || c == '-' || c == '\'')
                    && w.chars().next().is_some_and(|c| !c.is_lowercase())
                    && !w.chars().all(char::is_uppercase)
            };
            let initial = |w: &str| {
                let mut c = w.chars();
                matches!((c.next(), c.next(), c.next()), (Some(a), Some('.'), None) if a.is_uppercase())
            };
            (2..=3).contains(&words.len())
                && words.iter().all(|w| full(w) || initial(w))
                && words.last().is_some_and(|w| full(w))
        };
        let name = words.join(" ");
        (ok && self.person_name(&name).is_some()).then_some(name)
    }

    /// The kept title that ends a word of a script without spaces, as titles and positions
    /// follow the department or the degree there ("팀장" of "정보보안팀장", "博士" of
    /// "医学博士", "教授" of "教授・医学博士"): its index in `kept_titles`, for the first such
    /// word. Never one inside a word ("律师" of "青山律师事务所", a law firm's name).
    fn title_in(&self, text: &str) -> Option<usize> {
        name_words(text).iter().find_map(|piece| {
            self.kept_titles
                .iter()
                .enumerate()
                .filter(|(_, (k, _))| k.chars().any(unspaced) && piece.ends_with(k.as_str()))
                .max_by_key(|(_, (k, _))| k.len())
                .map(|(i, _)| i)
        })
    }

    /// Whether a word is a short family name and a kept title the greeting writes as it is
    /// ("杨老师", "王教授"), so that the word itself is the greeting.
    fn said_as_written(&self, word: &str) -> bool {
        let n = word.chars().count();
        self.title_in(word).is_some_and(|k| {
            let (key, forms) = &self.kept_titles[k];
            (1..=2).contains(&(n - key.chars().count().min(n)))
                && *forms == TitleForms::Any(key.clone())
        })
    }

    /// The name to greet when the display name gives none, read from the sender's block (the
    /// last lines they wrote, sign-offs left out): the display name is a department or
    /// company (the signer of its letter is greeted: "田中 裕子", "류성호"), or only Latin
    /// letters while they signed in their own script ("Hiroshi Kondo" who signs "近藤 博").
    /// A department name with a person's name in it ("経理部 田中") gives that name when
    /// nobody signed. `None`: greet the display name, or nobody.
    pub fn signed_name(&self, display: &str, block: &str) -> Option<String> {
        let latin = |s: &str| {
            s.chars()
                .filter(|c| c.is_alphabetic())
                .all(|c| (c as u32) < 0x0250)
        };
        let lines: Vec<&str> = block.lines().collect();
        let first = || {
            lines
                .iter()
                .enumerate()
                .find_map(|(i, l)| self.name_line(l).map(|n| (i, n)))
        };
        // A spaced name signs first under the sign-off, or under a closing formula ("im
        // Auftrag", "Pour la DSI,"): two capitalised words under a department or a shouted
        // line are as often a company ("Halcyon Bank", "Physiotherapie Yilmaz").
        let signs = |i: usize, name: &str| {
            name.chars().any(unspaced)
                || i == 0
                || lines.get(i - 1).is_some_and(|prev| {
                    prev.trim_end().ends_with(',')
                        || prev.trim_start().starts_with(char::is_lowercase)
                        || !prev.chars().any(char::is_uppercase)
                })
        };
        match self.person_name(display) {
            Some(person) if latin(&person) => first().map(|(_, n)| n).filter(|n| !latin(n)),
            Some(_) => None,
            None => first()
                .filter(|(i, n)| signs(*i, n))
                .map(|(_, n)| n)
                .or_else(|| {
                    display
                        .chars()
                        .any(unspaced)
                        .then(|| self.name_line(display))
                        .flatten()
                }),
        }
    }

    /// The words beside the name in the sender's block: the rest of the line they signed
    /// with ("Dr" of "Dr Margaret Ellison", "교수" of "김혜진 교수") and the role lines under
    /// it (their first word in a spaced script: "Catedrático de …", "Professeure des …";
    /// the whole line in one without spaces: "教授・医学博士"). Nothing when no line of the
    /// block holds a word of the name.
    fn signed_words<'b>(&self, block: &'b str, bare: &str) -> Vec<&'b str> {
        let name: Vec<String> = name_words(bare)
            .into_iter()
            .filter(|w| w.chars().count() >= 2 || w.chars().any(unspaced))
            .collect();
        let lines: Vec<&str> = block
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        let is_name = |token: &str| {
            let words = name_words(token);
            !words.is_empty() && words.iter().all(|w| name.contains(w))
        };
        // Every word of the name, so a relative's line ("Dr. Peter Schmidt" under "Anna
        // Schmidt") is not theirs.
        let Some(at) = lines.iter().position(|l| {
            let words = name_words(l);
            !name.is_empty() && name.iter().all(|n| words.contains(n))
        }) else {
            return Vec::new();
        };
        let mut words: Vec<&str> = lines[at]
            .split_whitespace()
            .filter(|t| !is_name(t))
            .collect();
        for role in lines.iter().skip(at + 1).take(ROLE_LINES) {
            // Another person's name under theirs is not their role (in a spaced script; in
            // one without spaces a company's name, "천일철강", looks like a name too).
            if !role.chars().any(unspaced) && self.name_line(role).is_some() {
                break;
            }
            if role.chars().any(unspaced) {
                words.extend(role.split_whitespace());
            } else {
                words.extend(role.split_whitespace().next());
            }
        }
        words
    }

    /// What the greeting reads besides the name (see [`Salutation`]): from the name greeted
    /// (the display name, or the one they signed with), the words beside it in the sender's
    /// block, and the opening of their letter. `given` is the given name the greeting found,
    /// so the family name is what follows it.
    pub fn salutation(&self, name: &str, given: &str, block: &str, text: &str) -> Salutation {
        let formal = self.is_formal(text);
        let Some(bare) = self.person_name(name) else {
            let organisation = if self.is_organisation(name) {
                name.split_whitespace().collect::<Vec<_>>().join(" ")
            } else {
                String::new()
            };
            return Salutation {
                organisation,
                formal,
                ..Salutation::default()
            };
        };
        let unspaced_name = bare.chars().any(unspaced);
        let mut gender = "";
        // (index in kept_titles) in the order found; one title for a name without spaces.
        let mut kept: Vec<usize> = Vec::new();
        let in_display = name.split_whitespace().count();
        let signed = self.signed_words(block, &bare);
        for (i, token) in name
            .split_whitespace()
            .chain(signed.iter().copied())
            .enumerate()
        {
            let key = name_words(token).join(" ");
            if self.female.contains(&key) {
                gender = "female";
            } else if self.male.contains(&key) {
                gender = "male";
            }
            if let Some(k) = self.kept_titles.iter().position(|(k, _)| *k == key) {
                kept.push(k);
            } else if i >= in_display && token.chars().any(unspaced) {
                // Only in the signature: a display name "王教授" is a name, not a title.
                kept.extend(self.title_in(token));
            }
        }
        if unspaced_name {
            kept.truncate(1);
        }
        let mut title: Vec<&str> = Vec::new();
        for k in kept {
            if let Some(w) = self.kept_titles[k].1.written(gender) {
                if !title.contains(&w) {
                    title.push(w);
                }
            }
        }
        // A script without spaces between words has no family name to pick out here: a
        // title goes after the whole name ("近藤 博 先生", "김혜진 교수님").
        if unspaced_name {
            let titled = !title.is_empty();
            return Salutation {
                title: title.join(" "),
                family: if titled { bare } else { String::new() },
                formal,
                ..Salutation::default()
            };
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
        let known = !family.is_empty();
        Salutation {
            gender: if known { gender } else { "" },
            title: if known {
                title.join(" ")
            } else {
                String::new()
            },
            family,
            organisation: String::new(),
            formal,
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
        // "k.aoki", "jsmith_84": the part of an address before the @, not a name to greet.
        if !trimmed.contains(char::is_whitespace)
            && trimmed.contains(|c: char| c == '.' || c == '_' || c.is_ascii_digit())
            && !trimmed.chars().any(char::is_uppercase)
        {
            return None;
        }
        let bare: Vec<&str> = name
            .split_whitespace()
            .filter(|w| !self.is_title(w))
            .collect();
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

    /// What they already tried, of `tried` (ids in `signals::TRIED` order), as one list in
    /// this language's words ("clearing your cache and trying another device or browser");
    /// empty when the language names none of them.
    pub fn tried(&self, tried: &[String]) -> String {
        let named: Vec<&str> = crate::classify::signals::TRIED
            .iter()
            .filter(|id| tried.iter().any(|t| t == *id))
            .filter_map(|id| self.tried.get(*id).map(String::as_str))
            .filter(|t| !t.is_empty())
            .collect();
        match named.split_last() {
            None => String::new(),
            Some((last, [])) => (*last).to_string(),
            Some((last, rest)) => {
                format!("{}{}{last}", rest.join(&self.list.between), self.list.last)
            }
        }
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

    /// Round 11: drafts named none of the steps the customer had already taken.
    #[test]
    fn every_draft_language_names_what_they_tried_as_one_list() {
        let named = [
            "restart",
            "reinstall",
            "clear_cache",
            "other_device",
            "spam_folder",
        ];
        for lang in ["en", "de", "fr", "es", "et", "zh", "ja", "ko", "he"] {
            let l = builtin(lang);
            for key in named {
                assert!(
                    !l.tried(&[key.to_string()]).is_empty(),
                    "{lang}: tried.{key} is missing"
                );
            }
            // Ids with their own answer (the login draft's) are not listed.
            assert_eq!(l.tried(&["password_reset".to_string()]), "", "{lang}");
        }
        let list = |lang: &str, ids: &[&str]| {
            let ids: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
            builtin(lang).tried(&ids)
        };
        assert_eq!(
            list("en", &["other_device", "restart", "clear_cache"]),
            "restarting, clearing your cache and trying another device or browser"
        );
        assert_eq!(
            list("de", &["clear_cache", "other_device"]),
            "den Cache geleert und ein anderes Gerät oder einen anderen Browser ausprobiert"
        );
        assert_eq!(
            list("he", &["clear_cache", "other_device"]),
            "ניקיתם את המטמון וניסיתם מכשיר או דפדפן אחר"
        );
        assert_eq!(
            list("zh", &["clear_cache", "other_device"]),
            "清除缓存、换用其他设备或浏览器"
        );
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

    #[test]
    fn the_title_is_read_beside_the_name_they_signed_with_in_nine_languages() {
        // (language, name greeted, given name, sender's block, title, family name, gender).
        let cases = [
            (
                "en",
                "Margaret Ellison",
                "Margaret",
                "Dr Margaret Ellison\nConsultant Haematologist\nSt Mary's Hospital",
                "Dr",
                "Ellison",
                "",
            ),
            (
                "de",
                "Prof. Dr. Martin Engel",
                "Martin",
                "Prof. Dr. Martin Engel\nLehrstuhl für Experimentalphysik",
                "Prof. Dr.",
                "Engel",
                "",
            ),
            (
                "de",
                "Anja Reuter",
                "Anja",
                "Frau Dr. Anja Reuter\nReuter Consulting",
                "Dr.",
                "Reuter",
                "female",
            ),
            (
                "fr",
                "Anne-Sophie Renard",
                "Anne-Sophie",
                "Pr Anne-Sophie Renard\nProfesseure des universités",
                "Madame la Professeure",
                "Renard",
                "female",
            ),
            (
                "es",
                "Ricardo Soler",
                "Ricardo",
                "Dr. Ricardo Soler Puig\nCatedrático de Química Orgánica",
                "Dr.",
                "Soler",
                "male",
            ),
            (
                "et",
                "Mart Kõiv",
                "Mart",
                "prof. Mart Kõiv\nTartu Ülikool",
                "professor",
                "Kõiv",
                "",
            ),
            (
                "he",
                "אלון ברגר",
                "אלון",
                "פרופ' אלון ברגר\nראש המעבדה למערכות מבוזרות",
                "פרופ'",
                "ברגר",
                "",
            ),
            (
                "ja",
                "近藤 博",
                "",
                "近藤 博\n関西医科学大学 医学部 公衆衛生学講座\n教授・医学博士",
                "先生",
                "近藤 博",
                "",
            ),
            (
                "ko",
                "김혜진",
                "",
                "김혜진 교수\n의과대학 임상약리학교실",
                "교수님",
                "김혜진",
                "",
            ),
            (
                "ko",
                "류성호",
                "",
                "대한대학교 정보보안팀장 류성호",
                "팀장님",
                "류성호",
                "",
            ),
            (
                "zh",
                "邓志远",
                "",
                "邓志远 教授、博士生导师\n某医学院 公共卫生学院",
                "教授",
                "邓志远",
                "",
            ),
        ];
        for (lang, name, given, block, title, family, gender) in cases {
            let s = builtin(lang).salutation(name, given, block, "");
            assert_eq!(
                (s.title.as_str(), s.family.as_str(), s.gender),
                (title, family, gender),
                "{lang}: {name}"
            );
        }
    }

    #[test]
    fn no_title_is_invented_from_a_line_that_is_not_theirs_or_a_word_inside_a_name() {
        // (language, name, given name, sender's block).
        let cases = [
            // The line does not hold their name: someone else's title.
            ("en", "Chris Yates", "Chris", "Dr Smith will call you back"),
            (
                "de",
                "Anna Schmidt",
                "Anna",
                "Dr. Peter Schmidt\nPraxis Schmidt",
            ),
            (
                "de",
                "Anna Schmidt",
                "Anna",
                "Anna Schmidt\nDr. med. Peter Schmidt",
            ),
            // "Driver" is no "Dr"; a hospital is no title.
            (
                "en",
                "Chris Yates",
                "Chris",
                "Chris Yates\nDriver, Yates Haulage",
            ),
            // "Pr" says nothing of how to address a professor whose gender is unknown.
            (
                "fr",
                "Jean Martin",
                "Jean",
                "Pr Jean Martin\nLaboratoire de physique",
            ),
            // 律师 inside a law firm's name: she is its office manager.
            ("zh", "林小雨", "", "林小雨\n青山律师事务所 行政主管"),
            // A display name with a title in it is a name: no second title.
            ("zh", "王教授", "", ""),
            // "Professeur" alone is a lycée teacher's job, not "Monsieur le Professeur".
            (
                "fr",
                "Pape Seck",
                "Pape",
                "Pape Seck\nProfesseur, référent numérique",
            ),
            // "prof." is a school teacher in the languages the English drafts also answer.
            (
                "en",
                "Wagner Almeida",
                "Wagner",
                "prof. Wagner Almeida\nColégio São Bento",
            ),
        ];
        for (lang, name, given, block) in cases {
            let s = builtin(lang).salutation(name, given, block, "");
            assert_eq!(s.title, "", "{lang}: {name} / {block}");
        }
    }

    #[test]
    fn the_signer_of_a_departments_letter_or_in_their_own_script_is_greeted() {
        // (language, display name, sender's block, the name greeted).
        let cases = [
            (
                "en",
                "Finance Department",
                "J. Hargreaves\nHead of Finance\nWestbrook District Council",
                Some("J. Hargreaves"),
            ),
            (
                "de",
                "Personalabteilung Stadtwerke Lindau",
                "i. A. Birgit Haller\nPersonalabteilung\nStadtwerke Lindau GmbH",
                Some("Birgit Haller"),
            ),
            (
                "de",
                "IT-Stelle Markt Obernzell",
                "im Auftrag\nThomas Wimmer\nMarkt Obernzell – EDV",
                Some("Thomas Wimmer"),
            ),
            (
                "he",
                "מחלקת משאבי אנוש - עיריית כרמיאל",
                "רחל סויסה\nמנהלת מחלקת משאבי אנוש",
                Some("רחל סויסה"),
            ),
            (
                "ja",
                "経理部 田中",
                "小林製菓株式会社 経理部\n田中 裕子",
                Some("田中 裕子"),
            ),
            ("ja", "経理部 田中", "", Some("田中")),
            (
                "ja",
                "東邦大学 情報基盤センター",
                "東邦大学 情報基盤センター\n事務担当 大野 真由美",
                Some("大野 真由美"),
            ),
            (
                "ja",
                "Hiroshi Kondo",
                "近藤 博\n関西医科学大学 医学部 公衆衛生学講座\n教授・医学博士",
                Some("近藤 博"),
            ),
            (
                "ko",
                "정보보안팀",
                "대한대학교 정보보안팀장 류성호",
                Some("류성호"),
            ),
            (
                "ko",
                "Kim Hyejin",
                "김혜진 교수\n의과대학 임상약리학교실",
                Some("김혜진"),
            ),
            // A person's own display name is kept, whatever the signature says.
            ("en", "Margaret Ellison", "Dr Margaret Ellison", None),
            ("zh", "邓志远", "邓志远 教授", None),
            // Departments, companies, sentences and closings are nobody's name.
            (
                "es",
                "Departamento de Recursos Humanos",
                "Departamento de Recursos Humanos\nAyuntamiento de Villanueva",
                None,
            ),
            (
                "en",
                "Accounts Payable",
                "Head of Finance\nWestbrook District Council\nSt Mary's Hospital",
                None,
            ),
            (
                "zh",
                "上海市某区档案馆信息科",
                "上海市某区档案馆信息科\n2026年12月10日",
                None,
            ),
            ("ko", "총무팀", "감사합니다.\n문의드립니다", None),
            // Two capitalised words under a department's name are a company as often.
            (
                "en",
                "Vendor Risk Team",
                "Vendor Risk Management\nHalcyon Bank",
                None,
            ),
            (
                "de",
                "Praxis Dr. Yilmaz",
                "BITTE DRINGEND MELDEN!\nPhysiotherapie Yilmaz\nEmpfang",
                None,
            ),
            // A department under the hospital's name is no person.
            (
                "zh",
                "市第三人民医院信息科",
                "市第三人民医院 信息科\n联系人：周工",
                None,
            ),
            // Signed with family name and title, as they are greeted.
            (
                "zh",
                "成都市锦城外国语学校 信息中心",
                "信息中心 杨老师\n成都市锦城外国语学校",
                Some("杨老师"),
            ),
            // A dash before the name, as a short note is signed.
            ("ko", "dev@moabit.io", "- 류지호", Some("류지호")),
            ("en", "Support Team", "— Jane Hollis", Some("Jane Hollis")),
            (
                "de",
                "Buchhaltung",
                "-- \n~ Petra Lindner",
                Some("Petra Lindner"),
            ),
        ];
        for (lang, display, block, name) in cases {
            assert_eq!(
                builtin(lang).signed_name(display, block).as_deref(),
                name,
                "{lang}: {display}"
            );
        }
    }

    #[test]
    fn a_formal_opening_is_read_in_the_first_lines_in_each_language() {
        for (lang, text) in [
            ("en", "Dear Sir or Madam,\n\nWe request …"),
            ("en", "To whom it may concern,"),
            ("de", "Sehr geehrte Damen und Herren,\n\nbitte …"),
            ("de", "Sehr geehrter Herr Meier,"),
            ("fr", "Madame, Monsieur,\n\nJe …"),
            ("es", "Estimados señores:\n\nSolicitamos …"),
            ("et", "Lugupeetud Example Cloudi klienditugi"),
            ("he", "לכבוד\nצוות התמיכה,"),
            (
                "ja",
                "Example Cloud株式会社\nサポートご担当者様\n拝啓　師走の候",
            ),
            ("ko", "수신: Example Cloud 고객지원팀\n발신: 대한대학교"),
            ("ko", "Example Cloud 고객지원팀 귀중\n\n안녕하십니까."),
            ("zh", "尊敬的Example Cloud客服团队："),
        ] {
            assert!(builtin(lang).is_formal(text), "{lang}: {text}");
        }
        for (lang, text) in [
            ("en", "Dear Support Team,\n\nCould you …"),
            // Only the opening lines count, not a quoted letter further down.
            (
                "en",
                "Hello,\n\nI wrote before.\n\nSee below.\n\nDear Sir or Madam,",
            ),
            ("de", "Guten Morgen,\n\nich komme …"),
            ("fr", "Bonjour Madame,\n\nJe …"),
            (
                "es",
                "Hola:\n\nLes escribo por la factura de los señores García.",
            ),
            ("ja", "いつもお世話になっております。"),
            ("ko", "안녕하세요.\n\n청구서 사본이 필요합니다."),
            ("zh", "您好：\n\n我们课题组……"),
        ] {
            assert!(!builtin(lang).is_formal(text), "{lang}: {text}");
        }
    }

    #[test]
    fn a_login_and_a_name_with_an_organisation_syllable_are_told_apart() {
        // "k.aoki" is the part of an address before the @; "(주)" is a company, "이은주" a name.
        assert_eq!(builtin("ja").person_name("k.aoki"), None);
        assert_eq!(builtin("en").person_name("jsmith_84"), None);
        assert_eq!(
            builtin("ko").person_name("이은주").as_deref(),
            Some("이은주")
        );
        assert_eq!(builtin("ko").person_name("(주)누리소프트"), None);
        assert_eq!(
            builtin("en").person_name("J.R. Smith").as_deref(),
            Some("J.R. Smith")
        );
    }

    #[test]
    fn only_words_make_an_organisation() {
        // An entry with no words by `name_words` ("㈜") must not make every wordless token
        // ("-" of "- 류지호") an organisation.
        let ko = builtin("ko");
        assert!(!ko.is_organisation("-"));
        assert!(!ko.is_organisation(""));
        assert!(ko.is_organisation("Moabit IT Team"));
        assert!(!ko.is_organisation("Itaewon Kim"));
    }
}
