//! Checks the customer's claim against what we know: the facts file (incidents, retired
//! addresses, replaced instructions), the message itself (is there a phone number to call back?)
//! and, where a mailbox is available, the real contact history. The result is a list of
//! [`Fact`]s for the agent (JSON, X-Mailtriage-Facts) and the templates.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, Utc};
use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::classify::signals::Signals;
use crate::config::{read_file, toml_error, ConfigError};
use crate::parse::Parsed;
use crate::rules::normalize;

/// A retired address or whole domain (`@example.net`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetiredAddress {
    /// Lower-case; starts with `@` for a domain.
    pub address: String,
    pub replacement: Option<String>,
    pub retired_on: Option<NaiveDate>,
    pub note: Option<Text>,
}

impl RetiredAddress {
    /// Whether the entry covers `address` (lower-case): the address itself, or any address at
    /// the entry's domain (`@example.net`, not its subdomains).
    pub fn covers(&self, address: &str) -> bool {
        match self.address.strip_prefix('@') {
            Some(domain) => address.rsplit_once('@').is_some_and(|(_, d)| d == domain),
            None => address == self.address,
        }
    }
}

/// Instructions we replaced, recognised by markers that only the old version contains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetiredInstructions {
    pub id: String,
    pub title: Text,
    /// Normalised (lower-case) substrings.
    pub markers: Vec<String>,
    pub current_url: String,
    pub retired_on: Option<NaiveDate>,
    pub summary: Option<Text>,
}

/// A known incident; `resolved` is `None` while it is ongoing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    pub id: String,
    pub service: Text,
    /// Normalised; empty means any outage claim in the window.
    pub keywords: Vec<String>,
    pub started: DateTime<Utc>,
    pub resolved: Option<DateTime<Utc>>,
    pub status_url: String,
    pub summary: Option<Text>,
}

/// Text a customer may see: one string, written in the default language, or one per
/// language (`note = { en = "…", de = "…" }`). A draft in a language without its own text
/// leaves it out rather than show another language's.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "toml::Value")]
pub enum Text {
    One(String),
    PerLanguage(BTreeMap<String, String>),
}

impl TryFrom<toml::Value> for Text {
    type Error = String;

    fn try_from(v: toml::Value) -> Result<Text, String> {
        const WANT: &str =
            "must be a string or a table of language = \"text\" (e.g. { en = \"…\", de = \"…\" })";
        match v {
            toml::Value::String(s) => Ok(Text::One(s)),
            toml::Value::Table(t) => t
                .into_iter()
                .map(|(lang, v)| match v {
                    toml::Value::String(s) => Ok((lang, s)),
                    _ => Err(format!("`{lang}` {WANT}")),
                })
                .collect::<Result<_, _>>()
                .map(Text::PerLanguage),
            _ => Err(WANT.into()),
        }
    }
}

impl Text {
    /// The text for a draft in `lang`; a plain string counts as `default_lang`'s.
    pub fn get<'a>(&'a self, lang: &str, default_lang: &str) -> Option<&'a str> {
        match self {
            Text::One(s) => (lang == default_lang).then_some(s.as_str()),
            Text::PerLanguage(m) => m.get(lang).map(String::as_str),
        }
        .filter(|s| !s.trim().is_empty())
    }

    /// The text agents read (logs, `check`): the default language's, else any.
    pub fn for_agent<'a>(&'a self, default_lang: &str) -> &'a str {
        match self {
            Text::One(s) => s,
            Text::PerLanguage(m) => m
                .get(default_lang)
                .or_else(|| m.values().next())
                .map_or("", String::as_str),
        }
    }

    fn is_blank(&self) -> bool {
        match self {
            Text::One(s) => s.trim().is_empty(),
            Text::PerLanguage(m) => m.values().all(|s| s.trim().is_empty()),
        }
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text::One(s.to_string())
    }
}

/// The checked facts file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub path: Option<PathBuf>,
    pub retired_addresses: Vec<RetiredAddress>,
    pub retired_instructions: Vec<RetiredInstructions>,
    pub incidents: Vec<Incident>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFacts {
    #[serde(default)]
    retired_address: Vec<RawRetiredAddress>,
    #[serde(default)]
    retired_instructions: Vec<RawRetiredInstructions>,
    #[serde(default)]
    incident: Vec<RawIncident>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRetiredAddress {
    address: String,
    replacement: Option<String>,
    retired_on: Option<toml::value::Datetime>,
    note: Option<Text>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRetiredInstructions {
    id: String,
    title: Text,
    markers: Vec<String>,
    current_url: String,
    retired_on: Option<toml::value::Datetime>,
    summary: Option<Text>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIncident {
    id: String,
    service: Text,
    #[serde(default)]
    keywords: Vec<String>,
    started: toml::value::Datetime,
    resolved: Option<toml::value::Datetime>,
    status_url: String,
    summary: Option<Text>,
}

impl Facts {
    /// Reads and checks a facts file.
    pub fn load(path: &Path) -> Result<Facts, ConfigError> {
        let text = read_file(path)?;
        Facts::parse(path, &text)
    }

    /// Checks facts text as if read from `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Facts, ConfigError> {
        let raw: RawFacts = toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
        // Entries are located by their n-th table header, so errors can name the line.
        let err = |table: &str, n: usize, key: &str, reason: String| ConfigError {
            file: path.to_path_buf(),
            position: crate::config::position_of(text, table, Some(n), key),
            key: format!("{table}[{}].{key}", n + 1),
            reason,
        };
        let date = |table: &str, n: usize, key: &str, d: &Option<toml::value::Datetime>| {
            d.as_ref()
                .map(|d| {
                    NaiveDate::parse_from_str(
                        &d.to_string()[..10.min(d.to_string().len())],
                        "%Y-%m-%d",
                    )
                    .map_err(|_| err(table, n, key, format!("{d} is not a date like 2025-03-01")))
                })
                .transpose()
        };
        let instant = |n: usize, key: &str, d: &toml::value::Datetime| {
            DateTime::parse_from_rfc3339(&d.to_string())
                .map(|d| d.with_timezone(&Utc))
                .map_err(|_| {
                    err(
                        "incident",
                        n,
                        key,
                        format!("{d} needs a date, a time and a zone, like 2026-11-21T22:00:00Z"),
                    )
                })
        };
        let mut facts = Facts {
            path: Some(path.to_path_buf()),
            ..Facts::default()
        };
        for (n, a) in raw.retired_address.into_iter().enumerate() {
            let address = a.address.trim().to_lowercase();
            let valid = match address.strip_prefix('@') {
                Some(domain) => !domain.is_empty() && domain.contains('.') && !domain.contains('@'),
                None => address.parse::<lettre::Address>().is_ok(),
            };
            if !valid {
                return Err(err(
                    "retired_address",
                    n,
                    "address",
                    format!("{:?} is neither an address nor \"@domain\"", a.address),
                ));
            }
            facts.retired_addresses.push(RetiredAddress {
                address,
                replacement: a.replacement.filter(|r| !r.trim().is_empty()),
                retired_on: date("retired_address", n, "retired_on", &a.retired_on)?,
                note: a.note.filter(|r| !r.is_blank()),
            });
        }
        for (n, r) in raw.retired_instructions.into_iter().enumerate() {
            let markers: Vec<String> = r
                .markers
                .iter()
                .map(|m| normalize(m.trim()))
                .filter(|m| !m.is_empty())
                .collect();
            if markers.is_empty() {
                return Err(err(
                    "retired_instructions",
                    n,
                    "markers",
                    "needs at least one non-empty marker".into(),
                ));
            }
            facts.retired_instructions.push(RetiredInstructions {
                retired_on: date("retired_instructions", n, "retired_on", &r.retired_on)?,
                id: r.id,
                title: r.title,
                markers,
                current_url: r.current_url,
                summary: r.summary.filter(|s| !s.is_blank()),
            });
        }
        for (n, i) in raw.incident.into_iter().enumerate() {
            let started = instant(n, "started", &i.started)?;
            let resolved = i
                .resolved
                .as_ref()
                .map(|r| instant(n, "resolved", r))
                .transpose()?;
            if resolved.is_some_and(|r| r < started) {
                return Err(err("incident", n, "resolved", "is before `started`".into()));
            }
            facts.incidents.push(Incident {
                id: i.id,
                service: i.service,
                keywords: i
                    .keywords
                    .iter()
                    .map(|k| normalize(k.trim()))
                    .filter(|k| !k.is_empty())
                    .collect(),
                started,
                resolved,
                status_url: i.status_url,
                summary: i.summary.filter(|s| !s.is_blank()),
            });
        }
        Ok(facts)
    }
}

/// Where a retired address was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Where {
    From,
    To,
    Body,
}

/// The sender's real contact history, from the mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactHistory {
    pub messages: u32,
    pub replies: u32,
    pub first: Option<String>,
    pub last: Option<String>,
    pub claimed: Option<u32>,
}

/// One finding about a message. The JSON form is the brief's `facts[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fact {
    RetiredAddress {
        /// The facts file's entry that matched: an address, or `@domain` for a whole domain,
        /// so that a consumer can tell which entry it was (as `id` does for the other facts).
        address: String,
        /// The address as the message has it (lower-case): the entry itself, or the
        /// customer's own address on a retired domain. What a draft names.
        seen: String,
        #[serde(rename = "where")]
        found_in: Where,
        #[serde(skip_serializing_if = "Option::is_none")]
        replacement: Option<String>,
        #[serde(skip)]
        note: Option<Text>,
        #[serde(skip)]
        retired_on: Option<NaiveDate>,
    },
    RetiredInstructions {
        id: String,
        current_url: String,
        #[serde(skip)]
        title: Text,
        #[serde(skip)]
        summary: Option<Text>,
        #[serde(skip)]
        retired_on: Option<NaiveDate>,
    },
    IncidentConfirmed {
        id: String,
        status_url: String,
        /// The incident was resolved before the message was written, and the customer says
        /// it still or again fails: the draft must not tell them it is fixed. In the JSON
        /// only when true, so that the agent sees it.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        still_failing: bool,
        #[serde(skip)]
        incident: Box<Incident>,
    },
    NoIncident,
    CallbackMissing,
    ContactHistory(ContactHistory),
}

impl Fact {
    /// The `kind` id, as in JSON.
    pub fn kind(&self) -> &'static str {
        match self {
            Fact::RetiredAddress { .. } => "retired_address",
            Fact::RetiredInstructions { .. } => "retired_instructions",
            Fact::IncidentConfirmed { .. } => "incident_confirmed",
            Fact::NoIncident => "no_incident",
            Fact::CallbackMissing => "callback_missing",
            Fact::ContactHistory(_) => "contact_history",
        }
    }

    /// One line for the agent (X-Mailtriage-Facts, human output).
    pub fn summary(&self) -> String {
        match self {
            Fact::RetiredAddress {
                seen,
                found_in,
                replacement,
                ..
            } => {
                let w = match found_in {
                    Where::From => "from",
                    Where::To => "to",
                    Where::Body => "body",
                };
                match replacement {
                    Some(r) => format!("retired_address {seen} ({w}) -> {r}"),
                    None => format!("retired_address {seen} ({w})"),
                }
            }
            Fact::RetiredInstructions { id, .. } => format!("retired_instructions {id}"),
            Fact::IncidentConfirmed {
                id, still_failing, ..
            } => {
                if *still_failing {
                    format!("incident_confirmed {id} (resolved; they say it still fails)")
                } else {
                    format!("incident_confirmed {id}")
                }
            }
            Fact::NoIncident => "no_incident".into(),
            Fact::CallbackMissing => "callback_missing".into(),
            Fact::ContactHistory(h) => {
                let plural = |n: u32, one: &str, many: &str| {
                    format!("{n} {}", if n == 1 { one } else { many })
                };
                let mut s = format!(
                    "contact_history {}, {}",
                    plural(h.messages, "message", "messages"),
                    plural(h.replies, "reply", "replies")
                );
                if let Some(c) = h.claimed {
                    s.push_str(&format!(", claimed {c}"));
                }
                s
            }
        }
    }
}

/// What the checks need besides the facts file.
pub struct Subject<'a> {
    pub msg: &'a Parsed,
    /// Normalised new text (subject included), as classify saw it.
    pub norm_text: &'a str,
    /// When the message was written: its Date header, else the time it is triaged.
    pub when: DateTime<Utc>,
    /// What the customer told us: whether they ask for a call, gave a number, phoned us.
    pub signals: &'a Signals,
}

/// Runs the checks a category asks for (`rules/categories.toml`), in a stable order.
pub fn check(
    facts: &Facts,
    checks: &[String],
    s: &Subject<'_>,
    history: Option<ContactHistory>,
) -> Vec<Fact> {
    let wants = |c: &str| checks.iter().any(|x| x == c);
    let mut out = Vec::new();
    if wants("incident") {
        out.extend(incidents(facts, s));
    } else if wants(CONFIRM_INCIDENT) {
        out.extend(
            incidents(facts, s)
                .into_iter()
                .filter(|f| matches!(f, Fact::IncidentConfirmed { .. })),
        );
    }
    if wants("retired_address") {
        out.extend(retired_addresses(facts, s.msg));
    }
    if wants("retired_instructions") {
        out.extend(retired_instructions(facts, s.norm_text, &s.msg.own_norm));
    }
    // A call back is in question when they ask for one, or complain (a category that checks
    // `callback`) that their calls went unanswered; never for someone who wants an email, be it
    // a plain complaint by email or an explicit "answer by email, don't call".
    let call_wanted = !s.signals.email_only()
        && (s.signals.asks.iter().any(|a| a == "callback")
            || (wants("callback") && s.signals.called));
    if call_wanted
        && s.signals.phone.is_none()
        && !has_phone_number(&s.msg.own_text)
        && !has_phone_number(s.norm_text)
    {
        out.push(Fact::CallbackMissing);
    }
    if wants("history") {
        if let Some(h) = history {
            out.push(Fact::ContactHistory(h));
        }
    }
    out
}

/// The check a message of another category gets when it also reads like an outage report
/// ("the reminders didn't arrive this morning — is something wrong?"): a known incident is
/// confirmed, but no `no_incident` is claimed.
pub const CONFIRM_INCIDENT: &str = "confirm_incident";

/// How long after an incident was resolved a report of it still counts: customers write the
/// next morning about last night's outage, and "it has since been fixed" answers them.
const REPORTED_LATE: chrono::TimeDelta = chrono::TimeDelta::hours(24);

/// How long after the start of the day a customer says their problem began an incident can
/// still have caused it: that day and the night after (trouble "since last night", the
/// morning after, is the incident that began at 6 am; trouble "since yesterday's update" is
/// not the one that began this afternoon).
const STATED_START_LATEST: chrono::TimeDelta = chrono::TimeDelta::hours(36);

/// True when incident `i` can be what the customer reports in a message written at `when`.
/// When they say when the problem started (`since`, the start of that day in their offset),
/// an incident active at any time between then and `when` is, unless it began after that
/// day and the night after it ([`STATED_START_LATEST`]). Otherwise one active at `when`, or
/// resolved at most [`REPORTED_LATE`] before it. When they say it still or again fails
/// (`still`), an incident resolved at most [`REPORTED_LATE`] before `when` is one too,
/// whatever start they give ("down again since this morning", after last night's incident):
/// the draft then tells them it was resolved and that we look at why it still fails.
fn in_window(i: &Incident, when: DateTime<Utc>, since: Option<DateTime<Utc>>, still: bool) -> bool {
    if i.started > when {
        return false;
    }
    let recent = i.resolved.is_none_or(|r| when <= r + REPORTED_LATE);
    match since {
        Some(start) => {
            (i.resolved.is_none_or(|r| r >= start) && i.started < start + STATED_START_LATEST)
                || (still && recent)
        }
        None => recent,
    }
}

/// The incident ended before the message was written and the customer says it still or
/// again fails: that is a new failure or one the fix missed, not the incident we confirm.
fn still_failing(i: &Incident, s: &Subject<'_>) -> bool {
    s.signals.still_failing && i.resolved.is_some_and(|r| s.when > r)
}

fn incidents(facts: &Facts, s: &Subject<'_>) -> Vec<Fact> {
    let since = s.signals.since_start();
    let found: Vec<Fact> = facts
        .incidents
        .iter()
        .filter(|i| in_window(i, s.when, since, s.signals.still_failing))
        .filter(|i| i.keywords.is_empty() || i.keywords.iter().any(|k| mentions(s.norm_text, k)))
        .map(|i| Fact::IncidentConfirmed {
            id: i.id.clone(),
            status_url: i.status_url.clone(),
            still_failing: still_failing(i, s),
            incident: Box::new(i.clone()),
        })
        .collect();
    if found.is_empty() {
        vec![Fact::NoIncident]
    } else {
        found
    }
}

/// True when the normalised text holds the keyword at the start of a word, so that "sync"
/// matches "synchronisation" and "Synchronisierung" but "api" not "capital"; in scripts
/// written without spaces (and Hebrew, whose prefixes attach to the word) anywhere.
pub fn mentions(norm_text: &str, keyword: &str) -> bool {
    let hebrew = keyword
        .chars()
        .any(|c| ('\u{0590}'..='\u{05FF}').contains(&c));
    // A Hebrew noun ending in ה drops it before a plural or construct ending (התראה →
    // התראות, התראת): its stem is the word form to look for.
    let keyword = match keyword.strip_suffix('ה') {
        Some(stem) if hebrew && stem.chars().count() >= 3 => stem,
        _ => keyword,
    };
    let unspaced = hebrew || keyword.chars().any(crate::rules::is_cjk);
    norm_text.match_indices(keyword).any(|(i, _)| {
        unspaced
            || !norm_text[..i]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
    })
}

/// An address in running text. The local part starts with a letter or digit, so a prefix
/// joined by a hyphen ("ל-helpdesk@…", "e-mail:-x@…") is not taken as part of it.
static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)[a-z0-9][a-z0-9._%+\-]*@[a-z0-9.\-]+\.[a-z]{2,}").expect("static regex")
});

/// Every address written in `text`, with where it starts: punctuation the address pattern
/// allows but no address starts with ("ל-new@example.com", "-anna@…") is left off the front.
pub fn addresses(text: &str) -> impl Iterator<Item = (usize, &str)> {
    EMAIL.find_iter(text).filter_map(|m| {
        let a = m.as_str().trim_start_matches(['-', '.', '_', '%', '+']);
        (!a.starts_with('@')).then(|| (m.end() - a.len(), a))
    })
}

/// Whether a retired address seen `found_in` a message was ours rather than the customer's:
/// one they wrote to was ours; one in the text was ours when its replacement is one of our
/// addresses; the sender's own was theirs.
pub fn retired_is_ours(found_in: Where, replacement: Option<&str>, own: &[String]) -> bool {
    match found_in {
        Where::From => false,
        Where::To => true,
        Where::Body => replacement.is_some_and(|r| own.iter().any(|o| o.eq_ignore_ascii_case(r))),
    }
}

/// Whether an address written in a message is ours: one of `own`, or a retired address of
/// ours (as [`retired_is_ours`] decides for an address in the text).
pub fn is_ours(facts: &Facts, own: &[String], address: &str) -> bool {
    let address = address.to_lowercase();
    own.iter().any(|o| o.eq_ignore_ascii_case(&address))
        || facts.retired_addresses.iter().any(|r| {
            r.covers(&address) && retired_is_ours(Where::Body, r.replacement.as_deref(), own)
        })
}

fn retired_addresses(facts: &Facts, msg: &Parsed) -> Vec<Fact> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let from = msg.from.iter().map(|p| (p.address.clone(), Where::From));
    let to = msg
        .to
        .iter()
        .chain(&msg.cc)
        .map(|p| (p.address.clone(), Where::To));
    let body = addresses(&msg.new_text).map(|(_, a)| (a.to_lowercase(), Where::Body));
    for (addr, found_in) in from.chain(to).chain(body) {
        for r in &facts.retired_addresses {
            // One fact per retired entry, where it counts most: from, then to, then body.
            if r.covers(&addr) && seen.insert(r.address.clone()) {
                out.push(Fact::RetiredAddress {
                    address: r.address.clone(),
                    seen: addr.clone(),
                    found_in,
                    replacement: r.replacement.clone(),
                    note: r.note.clone(),
                    retired_on: r.retired_on,
                });
            }
        }
    }
    out
}

fn retired_instructions(facts: &Facts, norm_new: &str, norm_own: &str) -> Vec<Fact> {
    facts
        .retired_instructions
        .iter()
        .filter(|r| {
            r.markers
                .iter()
                .any(|m| norm_new.contains(m.as_str()) || norm_own.contains(m.as_str()))
        })
        .map(|r| Fact::RetiredInstructions {
            id: r.id.clone(),
            current_url: r.current_url.clone(),
            title: r.title.clone(),
            summary: r.summary.clone(),
            retired_on: r.retired_on,
        })
        .collect()
}

static PHONE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:\+|\(\+?)?\d[\d \t().\-/]{5,22}\d").expect("static regex"));
static DATE_LIKE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4})$")
        .expect("static regex")
});
/// Two times of day with a dash between ("14.00-16.30", "9.30 – 11.00"): a call window.
static TIME_RANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\d{1,2}[.:]\d{2}\s*[-–]\s*\d{1,2}[.:]\d{2}$").expect("static regex")
});

/// A phone number in international (`+49 30 1234567`, `0049…`) or local (`(555) 123-4567`,
/// `010-1234-5678`, `03-1234-5678`) form; dates, times and bare reference numbers are not.
pub fn has_phone_number(text: &str) -> bool {
    phone_numbers(text).next().is_some()
}

/// A number as written without a bracket it does not close: "携帯(090-1234-5678)" finds
/// "(090-1234-5678", which a draft would print as "（(090-1234-5678）" (round 18 ja 16).
pub fn balanced(number: &str) -> &str {
    let open = number.matches('(').count();
    let close = number.matches(')').count();
    if open > close {
        number.strip_prefix('(').unwrap_or(number)
    } else {
        number
    }
}

/// Every phone number in `text` (see [`has_phone_number`]), where it stands.
pub fn phone_numbers(text: &str) -> impl Iterator<Item = regex::Match<'_>> {
    phone_candidates(text).filter_map(|(m, bare)| (!bare).then_some(m))
}

/// Every number of phone shape in `text`, and whether it is a bare run of digits
/// ("13812345678"): a Chinese mobile is written so, and so is an invoice number, so such a
/// run is a phone number only where the text calls it one ("手机是13812345678").
pub fn phone_candidates(text: &str) -> impl Iterator<Item = (regex::Match<'_>, bool)> {
    PHONE.find_iter(text).filter_map(|m| {
        // Glued to a Latin word, it is part of a reference ("ARV-2026-5521", "INV2026-0001");
        // after a kana or Han character ("電話番号は090-…") it is not.
        let before = text[..m.start()]
            .chars()
            .rev()
            .find(|c| !matches!(c, '-' | '/' | '_'));
        let joined = text[..m.start()].ends_with(['-', '/', '_']);
        if before.is_some_and(|c| c.is_ascii_alphanumeric())
            && (joined || text[..m.start()].ends_with(|c: char| c.is_ascii_alphanumeric()))
        {
            return None;
        }
        let s = m.as_str().trim();
        let digits = s.chars().filter(char::is_ascii_digit).count();
        // A date or a time range in brackets is still one ("(31.12.2026)").
        let unbracketed = s.trim_start_matches('(').trim_end_matches(')');
        if !(7..=15).contains(&digits)
            || DATE_LIKE.is_match(unbracketed)
            || TIME_RANGE.is_match(unbracketed)
            || looks_like_time_or_amount(s)
        {
            return None;
        }
        let separated = s.contains([' ', '-', '(', '.', '/']);
        let intl = s.starts_with('+') || s.starts_with("(+") || s.starts_with("00");
        let trunk = s.starts_with('0') || s.starts_with('(');
        // A run of digits without separators is a phone number by its shape only in
        // international or trunk form.
        Some((m, !(intl || trunk || separated)))
    })
}

fn looks_like_time_or_amount(s: &str) -> bool {
    s.contains(':') || s.matches('.').count() == 1 && !s.contains(' ') && !s.contains('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customer_text_is_per_language_and_never_another_languages() {
        let f = Facts::parse(
            Path::new("f.toml"),
            "[[incident]]\nid = \"I\"\nservice = { en = \"Dashboard\", ja = \"ダッシュボード\" }\nstarted = 2026-11-18T12:55:00Z\nstatus_url = \"u\"\nsummary = \"Slow pages.\"\n",
        )
        .expect("valid");
        let i = &f.incidents[0];
        assert_eq!(i.service.get("ja", "en"), Some("ダッシュボード"));
        assert_eq!(i.service.get("de", "en"), None);
        let summary = i.summary.as_ref().expect("summary");
        assert_eq!(summary.get("en", "en"), Some("Slow pages."));
        assert_eq!(
            summary.get("ja", "en"),
            None,
            "a plain string is the default language's"
        );
        assert_eq!(i.service.for_agent("en"), "Dashboard");
        let e = Facts::parse(
            Path::new("f.toml"),
            "[[retired_address]]\naddress = \"a@b.example\"\nnote = 3\n",
        )
        .unwrap_err();
        assert!(e.to_string().contains("a table of language"), "{e}");
    }

    const FACTS: &str = r#"
[[retired_address]]
address = "helpdesk@example.net"
replacement = "support@example.com"

[[retired_address]]
address = "@old-example.com"

[[incident]]
id = "INC-8"
service = "Mail"
keywords = ["email", "이메일"]
started = 2026-11-21T22:00:00Z
resolved = 2026-11-22T03:00:00Z
status_url = "https://status.example.com/INC-8"
"#;

    fn facts() -> Facts {
        Facts::parse(Path::new("facts.toml"), FACTS).expect("valid")
    }

    #[test]
    fn errors_name_file_line_and_key() {
        let e = Facts::parse(
            Path::new("/etc/mailtriage/facts.toml"),
            "[[incident]]\nid = \"X\"\nservice = \"s\"\nstarted = 2026-11-21\nstatus_url = \"u\"\n",
        )
        .unwrap_err();
        assert_eq!(e.position, Some((4, 1)), "the line of `started`");
        assert_eq!(e.key, "incident[1].started");
        let e = Facts::parse(Path::new("f.toml"), "[[incident]]\nid = 3\n").unwrap_err();
        assert_eq!(e.position.map(|p| p.0), Some(2));
        let e = Facts::parse(
            Path::new("f.toml"),
            "[[retired_address]]\naddress = \"nope\"\n",
        )
        .unwrap_err();
        assert_eq!(e.key, "retired_address[1].address");
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("date")
            .with_timezone(&Utc)
    }

    #[test]
    fn incident_window_and_keywords() {
        let f = facts();
        let msg = Parsed::default();
        let checks = vec!["incident".to_string()];
        let kinds = |checks: &[String], text: &str, when: &str| {
            check(
                &f,
                checks,
                &Subject {
                    msg: &msg,
                    norm_text: text,
                    when: at(when),
                    signals: &Signals::default(),
                },
                None,
            )
            .iter()
            .map(Fact::kind)
            .collect::<Vec<_>>()
        };
        let run = |text: &str, when: &str| kinds(&checks, text, when);
        assert_eq!(
            run("이메일이 안 와요", "2026-11-21T23:00:00Z"),
            ["incident_confirmed"]
        );
        // Another category that also reads like an outage gets confirmations, never no_incident.
        let confirm = [CONFIRM_INCIDENT.to_string()];
        let confirm_only = |text: &str, when: &str| kinds(&confirm, text, when);
        assert_eq!(
            confirm_only("did the emails fail?", "2026-11-21T23:00:00Z"),
            ["incident_confirmed"]
        );
        assert!(confirm_only("did the emails fail?", "2026-11-25T23:00:00Z").is_empty());
        // The next morning's report of last night's incident still counts; two days later not.
        assert_eq!(
            run("email is down", "2026-11-22T04:00:00Z"),
            ["incident_confirmed"]
        );
        assert_eq!(
            run("email is down", "2026-11-23T04:00:00Z"),
            ["no_incident"]
        );
        assert_eq!(
            run("the website is down", "2026-11-21T23:00:00Z"),
            ["no_incident"]
        );
        assert_eq!(
            run("emails are down", "2026-11-21T23:00:00Z"),
            ["incident_confirmed"]
        );
        // A keyword matches the start of a word, so its word forms, not the middle of one.
        assert_eq!(
            run("emailing customers is down", "2026-11-21T23:00:00Z"),
            ["incident_confirmed"]
        );
        assert_eq!(
            run("the webmail page is down", "2026-11-21T23:00:00Z"),
            ["no_incident"]
        );
    }

    #[test]
    fn a_stated_start_widens_the_window_back_to_it_and_no_further() {
        let f = facts();
        let msg = Parsed::default();
        let checks = vec!["incident".to_string()];
        // INC-8 ran from 2026-11-21 22:00 to 2026-11-22 03:00 UTC.
        let run = |since: Option<&str>, offset: &str, when: &str| {
            let signals = Signals {
                since: since.map(str::to_string),
                utc_offset: Some(offset.to_string()),
                ..Signals::default()
            };
            check(
                &f,
                &checks,
                &Subject {
                    msg: &msg,
                    norm_text: "email is down",
                    when: at(when),
                    signals: &signals,
                },
                None,
            )
            .iter()
            .map(Fact::kind)
            .collect::<Vec<_>>()
        };
        // Two days later: only a start they state on or before the 22nd reaches it.
        let later = "2026-11-24T09:00:00Z";
        assert_eq!(run(None, "+00:00", later), ["no_incident"]);
        assert_eq!(
            run(Some("2026-11-21"), "+00:00", later),
            ["incident_confirmed"]
        );
        assert_eq!(
            run(Some("2026-11-22"), "+00:00", later),
            ["incident_confirmed"]
        );
        assert_eq!(run(Some("2026-11-23"), "+00:00", later), ["no_incident"]);
        // The start of the 22nd is 15:00 UTC on the 21st in +09:00, inside the incident, and
        // 05:00 UTC on the 22nd in -05:00, after it.
        assert_eq!(
            run(Some("2026-11-22"), "+09:00", later),
            ["incident_confirmed"]
        );
        assert_eq!(run(Some("2026-11-22"), "-05:00", later), ["no_incident"]);
        // The same morning: without a start the 24-hour grace confirms last night's incident;
        // "since this morning" (in -05:00, after it ended) does not.
        let morning = "2026-11-22T14:00:00Z";
        assert_eq!(run(None, "-05:00", morning), ["incident_confirmed"]);
        assert_eq!(run(Some("2026-11-22"), "-05:00", morning), ["no_incident"]);
        // A problem that began days before the incident did is not it, written while it ran;
        // one that began the day it started, or the day before (last night, for an incident
        // that began early in the morning), is.
        let during = "2026-11-22T01:00:00Z";
        assert_eq!(run(None, "+00:00", during), ["incident_confirmed"]);
        assert_eq!(run(Some("2026-11-19"), "+00:00", during), ["no_incident"]);
        assert_eq!(run(Some("2026-11-20"), "+00:00", during), ["no_incident"]);
        assert_eq!(
            run(Some("2026-11-21"), "+00:00", during),
            ["incident_confirmed"]
        );
        // Started at 07:00 on the 22nd in +09:00: "since the 21st" there is the night before.
        assert_eq!(
            run(Some("2026-11-21"), "+09:00", during),
            ["incident_confirmed"]
        );
        assert_eq!(run(Some("2026-11-20"), "+09:00", during), ["no_incident"]);
    }

    #[test]
    fn a_resolved_incident_that_still_fails_is_flagged_only_after_it_ended() {
        let f = facts();
        let msg = Parsed::default();
        let checks = vec!["incident".to_string()];
        // INC-8 ran from 2026-11-21 22:00 to 2026-11-22 03:00 UTC.
        let run = |still: bool, since: Option<&str>, when: &str| {
            let signals = Signals {
                still_failing: still,
                since: since.map(str::to_string),
                utc_offset: Some("+00:00".into()),
                ..Signals::default()
            };
            check(
                &f,
                &checks,
                &Subject {
                    msg: &msg,
                    norm_text: "email is down again",
                    when: at(when),
                    signals: &signals,
                },
                None,
            )
            .into_iter()
            .map(|f| match f {
                Fact::IncidentConfirmed { still_failing, .. } => Some(still_failing),
                _ => None,
            })
            .collect::<Vec<_>>()
        };
        let morning = "2026-11-22T08:00:00Z";
        assert_eq!(run(true, None, morning), [Some(true)]);
        assert_eq!(run(false, None, morning), [Some(false)]);
        // Written while it ran: "still down" is the incident itself.
        assert_eq!(run(true, None, "2026-11-21T23:00:00Z"), [Some(false)]);
        // "Down again since today", a start after its end: with the words, still that
        // incident, flagged; without them, no incident of ours. Two days on, neither.
        let next_night = "2026-11-23T02:00:00Z";
        assert_eq!(run(true, Some("2026-11-23"), next_night), [Some(true)]);
        assert_eq!(run(false, Some("2026-11-23"), next_night), [None]);
        assert_eq!(run(true, None, "2026-11-24T09:00:00Z"), [None]);
    }

    #[test]
    fn keywords_match_word_forms_and_unspaced_scripts_anywhere() {
        assert!(mentions("die synchronisierung steht", "sync"));
        assert!(mentions("sync stopped", "sync"));
        assert!(!mentions("the capital office", "api"));
        assert!(mentions("파일동기화가 안 돼요", "동기화"));
        assert!(mentions("ההתראות לא מגיעות", "התראה"));
        assert!(mentions("ההתראה לא הגיעה", "התראה"));
        assert!(mentions("שליחת התראת מייל נכשלה", "התראה"));
        assert!(mentions("同期が止まりました", "同期"));
    }

    #[test]
    fn callback_missing_only_when_a_call_is_in_question() {
        let f = facts();
        let run = |checks: &[&str], signals: Signals, own: &str| {
            let msg = Parsed {
                own_text: own.into(),
                ..Parsed::default()
            };
            let checks: Vec<String> = checks.iter().map(|c| c.to_string()).collect();
            check(
                &f,
                &checks,
                &Subject {
                    msg: &msg,
                    norm_text: "",
                    when: at("2026-11-21T23:00:00Z"),
                    signals: &signals,
                },
                None,
            )
            .iter()
            .map(Fact::kind)
            .collect::<Vec<_>>()
        };
        let asks = Signals {
            asks: vec!["callback".into()],
            ..Signals::default()
        };
        let called = Signals {
            called: true,
            ..Signals::default()
        };
        assert_eq!(run(&[], asks.clone(), ""), ["callback_missing"]);
        assert_eq!(run(&["callback"], called.clone(), ""), ["callback_missing"]);
        // A repeat contact by email, a slow answer: nobody asked for a call.
        assert!(run(&["callback"], Signals::default(), "").is_empty());
        // They gave a number.
        assert!(run(&["callback"], called, "Tel. +49 30 1234567").is_empty());
        // They phoned us, or even asked for a call, but want the answer by email after all.
        let email_only = Signals {
            asks: vec!["callback".into(), "email_only".into()],
            called: true,
            ..Signals::default()
        };
        assert!(run(&["callback"], email_only, "").is_empty());
        let with_phone = Signals {
            phone: Some("030 1234567".into()),
            ..asks
        };
        assert!(run(&[], with_phone, "").is_empty());
    }

    #[test]
    fn retired_addresses_in_from_to_and_body() {
        let f = facts();
        let msg = Parsed {
            from: Some(crate::parse::Person {
                name: None,
                address: "jo@old-example.com".into(),
            }),
            to: vec![crate::parse::Person {
                name: None,
                address: "helpdesk@example.net".into(),
            }],
            new_text: "I also wrote to Helpdesk@Example.net last week".into(),
            ..Parsed::default()
        };
        let found = retired_addresses(&f, &msg);
        let wh: Vec<Where> = found
            .iter()
            .filter_map(|f| match f {
                Fact::RetiredAddress { found_in, .. } => Some(*found_in),
                _ => None,
            })
            .collect();
        // helpdesk@ is in To and in the body: one fact, where it counts most.
        assert_eq!(wh, [Where::From, Where::To]);
    }

    #[test]
    fn a_retired_domain_is_reported_by_its_entry_and_a_hyphenated_prefix_is_not_the_address() {
        let f = facts();
        let msg = Parsed {
            new_text: "כתבתי ל-helpdesk@example.net. My old login was JO@old-example.com".into(),
            ..Parsed::default()
        };
        let found: Vec<(String, String)> = retired_addresses(&f, &msg)
            .into_iter()
            .filter_map(|f| match f {
                Fact::RetiredAddress { address, seen, .. } => Some((address, seen)),
                _ => None,
            })
            .collect();
        assert_eq!(
            found,
            [
                ("helpdesk@example.net".into(), "helpdesk@example.net".into()),
                ("@old-example.com".into(), "jo@old-example.com".into()),
            ]
        );
    }

    #[test]
    fn ours_are_our_addresses_and_retired_ones_we_replaced() {
        let f = facts();
        let own = ["support@example.com".to_string()];
        assert!(is_ours(&f, &own, "Support@Example.com"));
        assert!(
            is_ours(&f, &own, "helpdesk@example.net"),
            "replaced by ours"
        );
        assert!(
            !is_ours(&f, &own, "jo@old-example.com"),
            "a retired domain of theirs"
        );
        assert!(!is_ours(&f, &own, "anna@firma.example"));
        assert!(retired_is_ours(Where::To, None, &own));
        assert!(!retired_is_ours(
            Where::From,
            Some("support@example.com"),
            &own
        ));
        assert!(retired_is_ours(
            Where::Body,
            Some("SUPPORT@example.com"),
            &own
        ));
        assert!(!retired_is_ours(Where::Body, None, &own));
        let found: Vec<&str> = addresses("ל-new@x.example, (anna@firma.example).")
            .map(|(_, a)| a)
            .collect();
        assert_eq!(found, ["new@x.example", "anna@firma.example"]);
    }

    #[test]
    fn phone_numbers() {
        for yes in [
            "+49 30 1234567",
            "(555) 123-4567",
            "010-1234-5678",
            "03-1234-5678",
            "+86 138 0013 8000",
            "0049301234567",
            "tel. 052-123-4567",
            "numbril +372 5123 4567",
        ] {
            assert!(has_phone_number(yes), "{yes}");
        }
        for no in [
            "2026-11-21",
            "invoice 12345678",
            "21.11.2026",
            "at 10:30",
            "order #4711",
            "€ 1234.50",
            // Round 12 (et he): a call window in dotted times, a bracketed date.
            "helistage kl 14.00-16.30",
            "kl 9.30 – 11.00",
            "(31.12.2026",
        ] {
            assert!(!has_phone_number(no), "{no}");
        }
    }
}
