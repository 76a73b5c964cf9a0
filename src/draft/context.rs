//! The data a template sees: the customer, the category, what they already told us
//! (`signals`, also as flags a template can branch on), the facts with their customer-facing
//! text in the draft's language, and the promises, all in one JSON object whose keys are
//! always present (strict mode).

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Timelike, Utc, Weekday};
use serde_json::Value;

use super::locale::{parse_offset, Locale};
use super::message::clean_line;
use crate::classify::signals::{asked, CallWindow, Signals, ABOUT, ASKS, REFS, TRIED};
use crate::config::Promises;
use crate::facts::{retired_is_ours, Fact, Text, Where};

/// The template context: every key always present (strict mode), see docs/templates.md.
pub struct ContextInput<'a> {
    pub customer_name: &'a str,
    pub subject: &'a str,
    pub new_text: &'a str,
    /// The last lines the customer wrote, where they sign: their signature (after a sign-off
    /// or "-- ") or else the last lines of the new text, sign-off lines left out. The
    /// greeting reads their name, title and role there ("Dr Margaret Ellison", "김혜진 교수").
    pub sender_block: &'a str,
    pub value: &'a str,
    pub category: &'a str,
    pub signature: &'a str,
    /// The draft's language, which facts text and dates are written in.
    pub language: &'a str,
    /// The language a facts string without per-language text is written in.
    pub default_language: &'a str,
    pub locale: &'a Locale,
    pub promises: &'a Promises,
    /// Our own addresses: a retired address whose replacement is one of them was ours.
    pub own_addresses: &'a [String],
    pub facts: &'a [Fact],
    pub signals: &'a Signals,
    /// The message is urgent (its priority, or a deadline of today).
    pub urgent: bool,
    /// The customer is upset (shouting, anger words) about something the classifier could not
    /// place: the `general` draft owns their frustration instead of only thanking them (round
    /// 19 ja 22: "いい加減にしてください" got thanks and nothing more).
    pub upset: bool,
    /// The customer wrote again in a thread (the message names earlier ones in In-Reply-To
    /// or References): the draft thanks them for the follow-up.
    pub followup: bool,
    /// The message itself says what its category's draft would otherwise assume (a rule of the
    /// category matched: "I have called three times"); false when the model alone chose it.
    /// A draft that apologises for something in the customer's past says so only then.
    pub stated: bool,
    /// When the draft is written: an incident whose `resolved` time is still ahead (an
    /// expected end the team entered) is ongoing until then.
    pub now: DateTime<Utc>,
}

/// A JSON object from its fields. Unlike `json!`, which serialises every value from a
/// reference (a copy of each string and of each nested object), the values are moved in.
fn object<const N: usize>(fields: [(&str, Value); N]) -> Value {
    Value::Object(
        fields
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

/// A JSON string.
fn string(s: impl Into<String>) -> Value {
    Value::String(s.into())
}

/// `{id: true|false}` for every id of a signal list, so `{{#if tried.two_factor}}` works in
/// strict mode whether or not the customer said it.
fn flags(ids: &[&str], present: &[String]) -> Value {
    Value::Object(
        ids.iter()
            .map(|id| (id.to_string(), Value::Bool(present.iter().any(|p| p == id))))
            .collect(),
    )
}

/// The given name of "Robert Mendez" ("Robert"), for a greeting that does not read like a
/// mail merge; empty where the name's order or form is not that plain (one word, a comma,
/// digits, an address, or a script that writes the family name first).
fn first_name(name: &str) -> String {
    let family_first = |c: char| {
        crate::rules::is_cjk(c)
            || ('\u{AC00}'..='\u{D7AF}').contains(&c)
            || ('\u{1100}'..='\u{11FF}').contains(&c)
    };
    if name
        .chars()
        .any(|c| family_first(c) || c.is_ascii_digit() || matches!(c, ',' | '@' | '(' | '"'))
    {
        return String::new();
    }
    let words: Vec<&str> = name.split_whitespace().collect();
    let given = words.first().copied().unwrap_or_default();
    let plain = given.chars().count() >= 2
        && given
            .chars()
            .all(|c| c.is_alphabetic() || c == '-' || c == '\'')
        && given
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || !c.is_lowercase())
        && !given.chars().skip(1).all(char::is_uppercase);
    if (2..=3).contains(&words.len()) && plain {
        given.to_string()
    } else {
        String::new()
    }
}

/// The sender's block, each line cleaned as a customer value is (control and direction
/// characters), at most [`SENDER_LINES`] lines.
fn clean_block(block: &str) -> String {
    block
        .lines()
        .map(|l| clean_line(l, 80))
        .filter(|l| !l.is_empty())
        .take(SENDER_LINES)
        .collect::<Vec<_>>()
        .join("\n")
}

/// How many lines of the sender's block the greeting reads: the name and the role lines
/// come first in a signature; an address or a legal line further down is never a name.
pub const SENDER_LINES: usize = 6;

/// Categories whose trouble a retired address of the customer's can cause.
const EXPLAINED_BY_ADDRESS: &[&str] = &[
    "login",
    "regression",
    "outage",
    "slow_service",
    "repeat_contact",
    "billing",
];

/// Written after the working day (`[promises] same_day_until`, in their time) or on their
/// weekend: a "today" then is not kept (round 19 ja: "本日中" at 20:45, and at 22:31 on a
/// Sunday), so the business days are promised instead.
fn after_hours(s: &Signals, same_day_until: u32) -> bool {
    let late = s.written_time.is_some_and(|t| t.hour() >= same_day_until);
    late || s.written_on_weekend
}

/// The last day of a promise of `n` business days made on `start` (Monday to Friday: the
/// team's week, whatever the customer's).
fn business_days_after(start: NaiveDate, n: u32) -> Option<NaiveDate> {
    let mut day = start;
    let mut left = n;
    while left > 0 {
        day = day.succ_opt()?;
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    Some(day)
}

/// What a sign-in problem is, most specific first: the login draft answers each differently.
fn login_kind(s: &Signals) -> &'static str {
    let has = |list: &[String], id: &str| list.iter().any(|x| x == id);
    if has(&s.about, "two_factor") || has(&s.tried, "two_factor") {
        "two_factor"
    } else if has(&s.about, "sso") {
        "sso"
    } else if has(&s.about, "locked") {
        "locked"
    } else if has(&s.about, "mailbox_lost") {
        // Before `reset_mail_missing`: a mailbox they cannot open is why the mail never came.
        "mailbox_lost"
    } else if has(&s.tried, "reset_mail_missing") {
        "reset_mail_missing"
    } else if has(&s.tried, "password_reset") {
        "reset_tried"
    } else {
        "password"
    }
}

/// The account address they gave that is not `retired` (nor at its domain): the address a
/// draft about a retired address of theirs can use instead of asking for one.
fn other_account<'a>(accounts: &[&'a str], retired: &str) -> Option<&'a str> {
    let domain = |a: &str| a.rsplit_once('@').map(|(_, d)| d.to_lowercase());
    accounts
        .iter()
        .find(|a| !a.eq_ignore_ascii_case(retired) && domain(a) != domain(retired))
        .copied()
}

/// What they asked, in their words, for the draft of `category` to restate: a request draft
/// restates their request first, any other draft their question first (a question asked as
/// a request, "Could you tell me whether …", still counts).
fn asked_text<'a>(s: &'a Signals, category: &str) -> Option<&'a str> {
    let (first, second) = if category == "request" {
        (&s.request, &s.question)
    } else {
        (&s.question, &s.request)
    };
    first.as_deref().or(second.as_deref())
}

/// [`asked_text`] as one line, cleaned of control and direction characters like every
/// customer value; the signal is never longer than [`asked::MAX_CHARS`], so nothing is cut.
fn asked(s: &Signals, category: &str) -> String {
    asked_text(s, category)
        .map(|a| clean_line(a, asked::MAX_CHARS))
        .unwrap_or_default()
}

/// The call window they asked for, as templates name it back: `any` (false with every other
/// key empty when there is none, and for someone who wants email only), `today`, `day` (a
/// later day, written with `day` of `locale.toml`), `part` (`morning`, `afternoon`, `evening`
/// or `""`), and `from` and `to`, written as the language writes a time of day.
fn call_window(s: &Signals, email_only: bool, l: &Locale) -> Value {
    let w = s.call_window.as_ref().filter(|_| !email_only);
    let get = |f: fn(&CallWindow) -> &Option<String>| w.and_then(|w| f(w).clone());
    let day = get(|w| &w.day);
    let dated = day
        .as_deref()
        .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    object([
        ("any", Value::Bool(w.is_some())),
        ("today", Value::Bool(day.as_deref() == Some("today"))),
        ("day", string(dated.map(|d| l.day(d)).unwrap_or_default())),
        ("part", string(get(|w| &w.part).unwrap_or_default())),
        ("from", string(clock_in(&get(|w| &w.from), l))),
        ("to", string(clock_in(&get(|w| &w.to), l))),
    ])
}

/// A signal's clock time ("15:00") as the language writes it; `""` for none.
fn clock_in(t: &Option<String>, l: &Locale) -> String {
    t.as_deref()
        .and_then(|t| chrono::NaiveTime::parse_from_str(t, "%H:%M").ok())
        .map(|t| l.clock(t))
        .unwrap_or_default()
}

/// Whether `lines` hold `line`, item numbers aside.
fn has(lines: &[String], line: &str) -> bool {
    lines.iter().any(|o| unnumbered(o) == unnumbered(line))
}

/// A quoted line without its item number, to compare the question's lines with the request's.
fn unnumbered(line: &str) -> &str {
    let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    match line[digits..].strip_prefix(". ") {
        Some(rest) if digits > 0 => rest,
        _ => line,
    }
}

/// What they asked, one quoted sentence (or numbered item) a line: the lines [`asked_text`]
/// puts first, then those of the other (their request beside their question) not already
/// quoted; and what the lines are, for the heading over them: `question`, `request` or
/// `both`. A line that is both ("Could you send me the DPA?") counts as what the draft's
/// category expects.
fn asked_lines(s: &Signals, category: &str) -> (Vec<Value>, &'static str) {
    let split = |t: &Option<String>| -> Vec<String> {
        t.as_deref()
            .map(|a| {
                a.lines()
                    .map(|l| clean_line(l, asked::MAX_CHARS))
                    .filter(|l| !l.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    };
    let questions = split(&s.question);
    let requests = split(&s.request);
    let (first, second) = if category == "request" {
        (&requests, &questions)
    } else {
        (&questions, &requests)
    };
    let mut lines: Vec<String> = first.clone();
    for l in second {
        if !has(&lines, l) {
            lines.push(l.clone());
        }
    }
    let question_only = lines
        .iter()
        .any(|l| has(&questions, l) && !has(&requests, l));
    let request_only = lines
        .iter()
        .any(|l| has(&requests, l) && !has(&questions, l));
    let kind = match (question_only, request_only) {
        (true, true) => "both",
        (true, false) => "question",
        (false, true) => "request",
        // Every line both asks and requests ("Could you also change the billing contact?"):
        // a request phrased as a question, except in a question draft (round 12 en 05: the
        // second request of a complaint was dropped as a question).
        (false, false) if category == "question" => "question",
        (false, false) => "request",
    };
    (lines.into_iter().map(string).collect(), kind)
}

/// The asks a draft restates in our own words ("We'll add the new user …"), each
/// with its own promise, so the generic "we'll confirm it's done" is not said as well.
const RESTATED: &[&str] = crate::classify::signals::CONCRETE_ASKS;

/// Builds the JSON context templates see.
pub fn context(c: &ContextInput<'_>) -> Value {
    let l = c.locale;
    let offset: Option<FixedOffset> = c.signals.utc_offset.as_deref().and_then(parse_offset);
    let local = |t: &Text| string(t.get(c.language, c.default_language).unwrap_or_default());
    let local_opt = |t: &Option<Text>| {
        string(
            t.as_ref()
                .and_then(|t| t.get(c.language, c.default_language))
                .unwrap_or_default(),
        )
    };
    let date = |d: &Option<chrono::NaiveDate>| string(d.map(|d| l.date(d)).unwrap_or_default());
    let clock = |t: &Option<String>| clock_in(t, l);
    let day = |t: &DateTime<Utc>| string(l.date_at(*t, offset));
    let time = |t: &DateTime<Utc>| string(l.time_at(*t, offset));
    let mut incident = Value::Null;
    let mut incident_over = false;
    let mut no_incident = false;
    let mut callback_missing = false;
    let mut history = Value::Null;
    let mut repeat = false;
    let mut customer_address_retired = false;
    let mut retired_address = Vec::new();
    let mut retired_instructions = Vec::new();
    let accounts: Vec<&str> = c.signals.accounts().collect();
    for f in c.facts {
        match f {
            Fact::IncidentConfirmed {
                incident: i,
                still_failing,
                ..
            } if incident.is_null() => {
                let resolved = i.resolved.filter(|r| *r <= c.now);
                incident_over = resolved.is_some() && !*still_failing;
                let (resolved_date, resolved_time, same_day) = match &resolved {
                    Some(r) => (
                        day(r),
                        time(r),
                        l.date_at(*r, offset) == l.date_at(i.started, offset),
                    ),
                    None => (string(""), string(""), false),
                };
                incident = object([
                    ("id", string(i.id.as_str())),
                    ("service", local(&i.service)),
                    ("status_url", string(i.status_url.as_str())),
                    ("summary", local_opt(&i.summary)),
                    ("started_date", day(&i.started)),
                    ("started_time", time(&i.started)),
                    ("resolved_date", resolved_date),
                    ("resolved_time", resolved_time),
                    ("same_day", Value::Bool(same_day)),
                    ("zone", string(l.zone(offset))),
                    ("ongoing", Value::Bool(resolved.is_none())),
                    // Resolved, but they say it still fails: never "it has been fixed".
                    ("still_failing", Value::Bool(*still_failing)),
                ])
            }
            Fact::IncidentConfirmed { .. } => {}
            Fact::NoIncident => no_incident = true,
            Fact::CallbackMissing => callback_missing = true,
            // Cannot fail (numbers and optional strings); Null would read as "no history".
            Fact::ContactHistory(h) => {
                repeat = h.messages > 1;
                history = serde_json::to_value(h).unwrap_or_default();
            }
            Fact::RetiredAddress {
                seen,
                found_in,
                replacement,
                note,
                retired_on,
                ..
            } => {
                let ours = retired_is_ours(*found_in, replacement.as_deref(), c.own_addresses);
                customer_address_retired |= !ours;
                retired_address.push(object([
                    ("address", string(seen.as_str())),
                    (
                        "where",
                        string(match found_in {
                            Where::From => "from",
                            Where::To => "to",
                            Where::Body => "body",
                        }),
                    ),
                    ("ours", Value::Bool(ours)),
                    // Whether the retired address can explain what the customer reports, so
                    // a question or a request is not told it "explains the problem".
                    (
                        "explains",
                        Value::Bool(EXPLAINED_BY_ADDRESS.contains(&c.category)),
                    ),
                    (
                        "replacement",
                        string(replacement.as_deref().unwrap_or_default()),
                    ),
                    ("note", local_opt(note)),
                    ("retired_on", date(retired_on)),
                    (
                        "account",
                        string(
                            other_account(&accounts, seen)
                                .filter(|_| !ours)
                                .map(|a| clean_line(a, 80))
                                .unwrap_or_default(),
                        ),
                    ),
                ]))
            }
            Fact::RetiredInstructions {
                id,
                current_url,
                title,
                summary,
                retired_on,
            } => retired_instructions.push(object([
                ("id", string(id.as_str())),
                ("title", local(title)),
                ("current_url", string(current_url.as_str())),
                ("summary", local_opt(summary)),
                ("retired_on", date(retired_on)),
            ])),
        }
    }
    let s = c.signals;
    let refs = Value::Object(
        REFS.iter()
            .map(|kind| {
                let v = s
                    .refs
                    .iter()
                    .find(|r| r.kind == *kind)
                    .map(|r| clean_line(&r.value, 80));
                (kind.to_string(), string(v.unwrap_or_default()))
            })
            .collect(),
    );
    // Someone who asked not to be called is never offered a call nor asked for a number, in
    // any template: the draft's view of them has no call asked for and no number to call.
    let email_only = s.email_only();
    let asks: Vec<String> = s
        .asks
        .iter()
        .filter(|a| !(email_only && *a == "callback"))
        .cloned()
        .collect();
    let phone = s
        .phone
        .as_deref()
        .filter(|_| !email_only)
        .map(|p| clean_line(p, 40))
        .unwrap_or_default();
    // A call is promised to someone who asked for one and gave a number, in every category
    // but those whose own text answers the call (slow service, repeat contact).
    let call_promised = asks.iter().any(|a| a == "callback")
        && !phone.is_empty()
        && !matches!(c.category, "slow_service" | "repeat_contact");
    let (asked_lines, asked_kind) = asked_lines(s, c.category);
    let also: Vec<String> = s
        .also_asked
        .iter()
        .map(|a| clean_line(a, asked::MAX_CHARS))
        .collect();
    let asked_kind = if asked_lines.is_empty() {
        ""
    } else {
        asked_kind
    };
    let p = c.promises;
    let today = s.today();
    let urgent = c.urgent || today;
    // The promised time fits what they need (docs/templates.md, "The promise"): by the time
    // of today they named, today when they need it today or the message is urgent, before
    // the later day they named, else the config's `[promises]`. One promise for the whole
    // draft, so it never says "today" beside "within one business day".
    let by_time = s
        .deadline_time
        .as_deref()
        .filter(|_| today)
        .and_then(|t| chrono::NaiveTime::parse_from_str(t, "%H:%M").ok());
    // Today (by the time they named, if any) when `wanted`, and still their working day.
    let today_if = |wanted: bool| match by_time {
        Some(t) => Some(l.by_time(t)),
        None if wanted && !after_hours(s, p.same_day_until) => Some(l.today().to_string()),
        None => None,
    };
    let same_day = today_if(urgent);
    // A day they named is promised only when it comes sooner than the business days would:
    // "before the end of the month" never pushes the reply to the 31st.
    let before_day = |days: u32| {
        let day = s.deadline_date()?;
        let by = business_days_after(s.written?, days)?;
        (day <= by).then(|| l.before_day(day)).flatten()
    };
    let promise = |same_day: Option<String>, days: u32| {
        string(
            same_day
                .or_else(|| before_day(days))
                .unwrap_or_else(|| l.business_days(days)),
        )
    };
    let soon = |days: u32| promise(same_day.clone(), days);
    // The billing check follows a deadline they stated (a time of today, today, a day sooner
    // than the business days), never urgency alone: checking payments takes the time it
    // takes. Never "within two business days" beside "by 15:00 today" (round 20 ja 10).
    let stated = |days: u32| promise(today_if(today), days);
    // A department, a company or a bare title is not greeted by name ("Hello Accounts,"); the
    // person who signed its letter is, as is someone who signs in another script than the
    // display name's ("近藤 博" for "Hiroshi Kondo").
    let display = clean_line(c.customer_name, 80);
    let block = clean_block(c.sender_block);
    let display = l
        .signed_name(&display, &block)
        .map(|n| clean_line(&n, 80))
        .unwrap_or(display);
    let (customer_name, given) = match l.person_name(&display) {
        Some(bare) => {
            let given = l.compound_given(&bare).unwrap_or_else(|| first_name(&bare));
            (display.clone(), given)
        }
        None => (String::new(), String::new()),
    };
    let salutation = l.salutation(&display, &given, &block, c.new_text);
    object([
        ("customer_name", string(customer_name)),
        ("first_name", string(given)),
        // Gender (only from "Frau", "Mme" …), kept titles, family name, or the department
        // greeted as such (docs/templates.md, "The greeting").
        (
            "salutation",
            serde_json::to_value(&salutation).unwrap_or_default(),
        ),
        ("subject", string(clean_line(c.subject, 200))),
        ("quote", string(clean_line(c.new_text, 160))),
        ("value", string(c.value)),
        ("category", string(c.category)),
        ("signature", string(c.signature)),
        ("language", string(c.language)),
        // Cannot fail (strings, numbers and lists of them).
        ("signals", serde_json::to_value(s).unwrap_or_default()),
        ("tried", flags(TRIED, &s.tried)),
        ("asks", flags(ASKS, &asks)),
        ("about", flags(ABOUT, &s.about)),
        // The product function they wrote about, in the draft's words ("the export"); `""`
        // for none, so the template keeps its generic sentence.
        (
            "area",
            string(
                s.area
                    .as_deref()
                    .and_then(|a| l.area(a))
                    .unwrap_or_default(),
            ),
        ),
        // What they already tried, named back in the draft's words ("clearing your cache and
        // trying another device"); `""` for none.
        ("tried_named", string(l.tried(&s.tried))),
        ("ref", refs),
        (
            "accounts",
            Value::Array(accounts.iter().map(|a| string(clean_line(a, 80))).collect()),
        ),
        // The address of the user they ask us to add, named back in the promise: the first
        // address in their new text that is neither ours nor one they gave as their account.
        (
            "new_user",
            string(
                asks.iter()
                    .any(|a| a == "user_add")
                    .then(|| {
                        crate::facts::addresses(c.new_text)
                            .map(|(_, a)| a)
                            .find(|a| {
                                !c.own_addresses.iter().any(|o| o.eq_ignore_ascii_case(a))
                                    && !accounts.iter().any(|o| o.eq_ignore_ascii_case(a))
                            })
                            .map(|a| clean_line(a, 80))
                    })
                    .flatten()
                    .unwrap_or_default(),
            ),
        ),
        (
            "colleagues",
            Value::Array(s.colleagues().map(|c| string(clean_line(c, 80))).collect()),
        ),
        // An account's address or a colleague's name is not a detail of the problem.
        (
            "gave_details",
            Value::Bool(s.gave_references() || s.attachments > 0 || s.access_denied),
        ),
        // They are refused access: `request` and `general` apologise and promise to check the
        // account's permissions (the `access_denied` partial), and nobody asks for the error.
        ("access_denied", Value::Bool(s.access_denied)),
        ("attachments", Value::from(s.attachments)),
        // They say they were charged twice: `billing` names the double charge and promises
        // the duplicate back once confirmed, never "if we find you were charged too much".
        ("charged_twice", Value::Bool(s.charged_twice)),
        // The details they set out line by line, as written: the request and general drafts
        // name them back under one line of their own.
        (
            "listed",
            Value::Array(
                s.listed
                    .iter()
                    .map(|l| string(clean_line(l, 160)))
                    .collect(),
            ),
        ),
        ("asked", string(asked(s, c.category))),
        // The quoted lines a complaint draft restates: only those marked as a second ask.
        (
            "also_lines",
            Value::Array(
                asked_lines
                    .iter()
                    .filter(|l| l.as_str().is_some_and(|l| has(&also, l)))
                    .cloned()
                    .collect(),
            ),
        ),
        ("asked_lines", Value::Array(asked_lines)),
        // What the quoted lines are, for their heading and the promise after them:
        // `question`, `request`, `both`, or `""` when nothing is quoted.
        ("asked_kind", string(asked_kind)),
        (
            "restated",
            Value::Bool(asks.iter().any(|a| RESTATED.contains(&a.as_str()))),
        ),
        ("phone", string(phone)),
        ("today", Value::Bool(today)),
        ("call_promised", Value::Bool(call_promised)),
        // The promised call is all they asked: no email reply is promised beside it.
        (
            "call_only",
            Value::Bool(call_promised && asks.iter().all(|a| a == "callback")),
        ),
        // The day they need it by, in the draft's language; empty for none and for today.
        (
            "deadline",
            string(s.deadline_date().map(|d| l.day(d)).unwrap_or_default()),
        ),
        // The day what they ask for takes effect (a cancellation's date), with its year, in
        // the draft's language; `""` for none.
        (
            "effective",
            string(s.effective_date().map(|d| l.date(d)).unwrap_or_default()),
        ),
        // The time of day they need it by today, in the draft's language; `""` for none.
        ("deadline_time", string(clock(&s.deadline_time))),
        ("call_window", call_window(s, email_only, l)),
        ("urgent", Value::Bool(urgent)),
        ("upset", Value::Bool(c.upset)),
        ("followup", Value::Bool(c.followup)),
        ("stated", Value::Bool(c.stated)),
        // They said they wrote or called before, or the mailbox shows it: only then does a
        // draft spare them explaining "again" or look up their "earlier" messages.
        ("contacted_before", Value::Bool(c.stated || repeat)),
        ("login", string(login_kind(s))),
        (
            "promise",
            object([
                ("reply", soon(p.reply_business_days)),
                ("billing", stated(p.billing_check_business_days)),
                ("callback", soon(p.callback_business_days)),
                ("today", string(l.today())),
                // The reply is promised for today (or by a time of it): no "or sooner".
                ("same_day", Value::Bool(same_day.is_some())),
                // The reply is promised before the day they need it by, which it names: a
                // draft need not say that day again (round 19 ja 22).
                (
                    "by_deadline",
                    Value::Bool(same_day.is_none() && before_day(p.reply_business_days).is_some()),
                ),
            ]),
        ),
        (
            "facts",
            object([
                ("incident", incident),
                // Resolved by now and not failing for them: no urgency to put first.
                ("incident_over", Value::Bool(incident_over)),
                ("no_incident", Value::Bool(no_incident)),
                ("retired_address", Value::Array(retired_address)),
                ("retired_instructions", Value::Array(retired_instructions)),
                ("callback_missing", Value::Bool(callback_missing)),
                ("contact_history", history),
                ("repeat", Value::Bool(repeat)),
                (
                    "customer_address_retired",
                    Value::Bool(customer_address_retired),
                ),
            ]),
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::classify::signals::Ref;

    fn ctx(signals: &Signals, facts: &[Fact]) -> Value {
        ctx_at(signals, facts, DateTime::<Utc>::MAX_UTC)
    }

    fn ctx_at(signals: &Signals, facts: &[Fact], now: DateTime<Utc>) -> Value {
        ctx_with(signals, facts, now, false)
    }

    fn ctx_with(signals: &Signals, facts: &[Fact], now: DateTime<Utc>, urgent: bool) -> Value {
        let (_, text) = crate::builtin::LOCALES
            .iter()
            .find(|(rel, _)| *rel == "en/locale.toml")
            .expect("the English locale is built in");
        let locale = Locale::parse(std::path::Path::new("en/locale.toml"), text).expect("locale");
        context(&ContextInput {
            customer_name: "",
            subject: "s",
            new_text: "t",
            sender_block: "",
            value: "v",
            category: "login",
            signature: "Support",
            language: "en",
            default_language: "en",
            locale: &locale,
            promises: &Promises::default(),
            own_addresses: &["support@example.com".to_string()],
            facts,
            signals,
            urgent,
            upset: false,
            followup: false,
            stated: true,
            now,
        })
    }

    /// Round 20 ja 10: "within 2 business days" for the billing check beside "by 15:00 today".
    /// The check follows a deadline they stated; urgency alone leaves it at the business days.
    #[test]
    fn the_billing_check_follows_a_stated_deadline_not_urgency_alone() {
        let written = NaiveDate::from_ymd_opt(2026, 12, 9);
        let nine = chrono::NaiveTime::from_hms_opt(9, 0, 0);
        let promise = |deadline: Option<&str>, time: Option<&str>, urgent: bool| {
            let signals = Signals {
                deadline: deadline.map(str::to_string),
                deadline_time: time.map(str::to_string),
                written,
                written_time: nine,
                ..Signals::default()
            };
            ctx_with(&signals, &[], DateTime::<Utc>::MAX_UTC, urgent)["promise"]["billing"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        };
        let by_three = promise(Some("today"), Some("15:00"), false);
        assert!(by_three.contains("3"), "{by_three}");
        let today = promise(Some("today"), None, false);
        let later = promise(None, None, false);
        assert_ne!(today, later);
        assert!(!by_three.contains("business") && !today.contains("business"));
        assert!(later.contains("business"), "{later}");
        assert_eq!(promise(None, None, true), later);
    }

    #[test]
    fn an_incident_resolved_after_the_draft_is_written_is_ongoing() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).map(|t| t.to_utc());
        let (Ok(started), Ok(resolved)) = (at("2026-11-16T06:40:00Z"), at("2026-11-16T10:15:00Z"))
        else {
            panic!("times parse");
        };
        let incident = crate::facts::Incident {
            id: "INC-1".into(),
            service: Text::One("e-mail notifications".into()),
            keywords: Vec::new(),
            started,
            resolved: Some(resolved),
            status_url: "https://status.example.com/INC-1".into(),
            summary: None,
        };
        let facts = [Fact::IncidentConfirmed {
            id: "INC-1".into(),
            status_url: incident.status_url.clone(),
            still_failing: false,
            incident: Box::new(incident),
        }];
        let signals = Signals::default();
        for (now, ongoing) in [
            (started + chrono::Duration::hours(1), true),
            (resolved, false),
        ] {
            let c = ctx_at(&signals, &facts, now);
            assert_eq!(
                c["facts"]["incident"]["ongoing"],
                Value::Bool(ongoing),
                "{now}"
            );
            assert_eq!(c["facts"]["incident_over"], Value::Bool(!ongoing), "{now}");
            let resolved_date = c["facts"]["incident"]["resolved_date"]
                .as_str()
                .unwrap_or("?");
            assert_eq!(resolved_date.is_empty(), ongoing, "{now}");
        }
    }

    fn account(a: &str) -> Ref {
        Ref {
            kind: crate::classify::signals::ACCOUNT.into(),
            value: a.into(),
        }
    }

    #[test]
    fn someone_who_wants_email_only_is_never_offered_a_call() {
        let mut s = Signals {
            asks: vec!["callback".into(), "email_only".into()],
            phone: Some("+44 20 7946 0321".into()),
            ..Signals::default()
        };
        let c = ctx(&s, &[]);
        assert_eq!(c["phone"], "");
        assert_eq!(c["asks"]["callback"], false);
        assert_eq!(c["asks"]["email_only"], true);
        // The raw signals keep what they wrote, for the agent.
        assert_eq!(c["signals"]["phone"], "+44 20 7946 0321");
        s.asks.retain(|a| a != "email_only");
        let c = ctx(&s, &[]);
        assert_eq!(c["phone"], "+44 20 7946 0321");
        assert_eq!(c["asks"]["callback"], true);
    }

    #[test]
    fn account_addresses_are_listed_and_offered_for_a_retired_address_of_theirs() {
        let s = Signals {
            refs: vec![
                account("a.berg@oldmail.example"),
                account("anna@firma.example"),
            ],
            ..Signals::default()
        };
        let retired = |address: &str, found_in| Fact::RetiredAddress {
            address: address.into(),
            seen: address.into(),
            found_in,
            replacement: None,
            note: None,
            retired_on: None,
        };
        let c = ctx(
            &s,
            &[
                retired("alex@oldmail.example", Where::From),
                retired("helpdesk@example.net", Where::To),
            ],
        );
        assert_eq!(
            c["accounts"],
            serde_json::json!(["a.berg@oldmail.example", "anna@firma.example"])
        );
        assert_eq!(c["ref"]["account"], "a.berg@oldmail.example");
        // Not the retired domain itself; nothing for an address of ours.
        assert_eq!(
            c["facts"]["retired_address"][0]["account"],
            "anna@firma.example"
        );
        assert_eq!(c["facts"]["retired_address"][1]["account"], "");
        // An account address is not a detail of the problem.
        assert_eq!(c["gave_details"], false);
    }

    #[test]
    fn first_names_only_where_the_name_is_plainly_given_then_family() {
        assert_eq!(first_name("Robert Mendez"), "Robert");
        assert_eq!(first_name("Élodie Marchand"), "Élodie");
        assert_eq!(first_name("Anne-Marie de Vries"), "Anne-Marie");
        assert_eq!(first_name("יעל כהן"), "יעל");
        for none in [
            "Mendez, Robert",
            "王磊",
            "김민지",
            "田中 太郎",
            "Robert",
            "IT Support Team Berlin",
            "ACME GmbH",
            "jo123 x",
            "",
        ] {
            assert_eq!(first_name(none), "", "{none}");
        }
    }

    /// The greeting's part of the context for a message from `name` in `lang`.
    fn greeting(lang: &str, name: &str, text: &str, block: &str) -> (Value, Value, Value) {
        let rel = format!("{lang}/locale.toml");
        let (_, locale) = crate::builtin::LOCALES
            .iter()
            .find(|(r, _)| *r == rel)
            .expect("built-in locale");
        let locale = Locale::parse(std::path::Path::new(&rel), locale).expect("locale");
        let c = context(&ContextInput {
            customer_name: name,
            subject: "s",
            new_text: text,
            sender_block: block,
            value: "v",
            category: "question",
            signature: "Support",
            language: lang,
            default_language: "en",
            locale: &locale,
            promises: &Promises::default(),
            own_addresses: &[],
            facts: &[],
            signals: &Signals::default(),
            urgent: false,
            upset: false,
            followup: false,
            stated: false,
            now: DateTime::<Utc>::MAX_UTC,
        });
        (
            c["customer_name"].clone(),
            c["first_name"].clone(),
            c["salutation"].clone(),
        )
    }

    #[test]
    fn the_greeting_takes_the_signers_name_title_and_the_letters_register() {
        // A department's formal letter signed by a person: the person, formally.
        let (name, first, s) = greeting(
            "en",
            "Finance Department",
            "Dear Sir or Madam,\n\nWe request the DPA.",
            "J. Hargreaves\nHead of Finance",
        );
        assert_eq!((name, first), ("J. Hargreaves".into(), "".into()));
        assert_eq!(s["formal"], true);
        assert_eq!(s["organisation"], "");
        // A title only in the signature, in a romanised display name's own script.
        let (name, _, s) = greeting(
            "ja",
            "Hiroshi Kondo",
            "Example Cloud サポート御中",
            "近藤 博\n関西医科学大学 医学部\n教授・医学博士",
        );
        assert_eq!(name, "近藤 博");
        assert_eq!(
            (s["title"].clone(), s["family"].clone()),
            ("先生".into(), "近藤 博".into())
        );
        assert_eq!(s["formal"], false);
        // A department nobody signed for stays a department.
        let (name, _, s) = greeting("ko", "정보보안팀", "수신: 고객지원팀", "감사합니다");
        assert_eq!(name, "");
        assert_eq!(s["organisation"], "정보보안팀");
        assert_eq!(s["formal"], true);
        // A titled display name: title and family name, the given name still found.
        let (_, first, s) = greeting("en", "Dr Jane Smith", "Hello,", "");
        assert_eq!(first, "Jane");
        assert_eq!(
            (s["title"].clone(), s["family"].clone()),
            ("Dr".into(), "Smith".into())
        );
    }
}
