//! What the customer already told us, read from their own text so that a draft never advises
//! what they did nor asks for what they gave: what they tried, the references they quoted
//! (their account's address among them), what they ask for, when they need an answer and
//! since when their problem has lasted ([`when`]), their phone number, attachments and their
//! UTC offset; and a colleague they thank by name, so that a thank-you is answered personally
//! ([`colleague`]); and their question or request in their own words, for the draft to
//! restate ([`asked`]). The phrases are data (`[signals]` in `rules/<lang>.toml`); precision comes
//! first, so a phrase preceded by one of its language's negations does not count.

pub mod asked;
pub mod call;
mod clock;
pub mod colleague;
mod phrases;
mod together;
mod when;

use std::collections::BTreeMap;
use std::sync::Arc;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::draft::locale::parse_offset;
use crate::facts::{addresses, phone_candidates};
use crate::rules::{normalize, parse_phrase, GuardSets, Guarded};
pub use call::CallWindow;
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
    "spam_folder",
];
/// The ids `asks` may hold. `email_only`: answer by email, do not call ("please don't call",
/// "I can't take calls", "in writing please"); it outweighs `callback` in the drafts.
/// `user_add`, `user_remove`, `address_change` (the account's, billing or e-mail address),
/// `licence` (more licences) and `export` (of their data) are requests the drafts restate in
/// our own words rather than quote. `rollback`: they ask whether to go back to an earlier
/// version ("should we go back to 5.1?", "ältere Version", "降级"): the regression draft
/// answers it with its promise; it is no change to their account, so not a [`CONCRETE_ASKS`].
pub const ASKS: &[&str] = &[
    "callback",
    "refund",
    "cancel",
    "copy",
    "escalation",
    "email_only",
    "user_add",
    "user_remove",
    "address_change",
    "licence",
    "export",
    "suggestion",
    "rollback",
];
/// The asks that are changes to their account, which a sentence may only ask about ("how do I
/// cancel?", "what would an extra licence cost?"): named only so, they are not promised.
const ASKED_ABOUT: &[&str] = &[
    "cancel",
    "user_add",
    "user_remove",
    "address_change",
    "licence",
    "export",
];
/// Asks for a change to their account or a document, which the drafts restate with their own
/// promise; with one of them, the wishful phrases of a suggestion ("it would be great if …")
/// are about that request (round 10: en et).
pub const CONCRETE_ASKS: &[&str] = &[
    "cancel",
    "copy",
    "refund",
    "user_add",
    "user_remove",
    "address_change",
    "licence",
    "export",
];
/// What a sign-in problem is about, beyond a wrong password: the login draft answers each
/// differently (a reset link does nothing for a lost authenticator or a locked account).
/// `mailbox_lost`: the reset mail goes to a mailbox they can no longer open (a former
/// employer's, a closed account), so a draft must not send them to the reset link.
/// `address_confirmed`: they said the address they write from is their account's ("it's this
/// one"), so a draft must not ask for another. `first_contact`: they say this is the first
/// time they write to us, so a greeting must not thank them for their custom "as always".
pub const ABOUT: &[&str] = &[
    "two_factor",
    "locked",
    "sso",
    "mailbox_lost",
    "address_confirmed",
    "first_contact",
];
/// The product functions a message can be about (`signals.area`): the drafts name the one the
/// customer wrote about ("your CSV export") instead of "something which used to work for you".
/// Found by `[signals.area]` phrases in the new text; the first one written counts, and of
/// phrases starting at the same place the longest ("calendar sync" before "calendar").
pub const AREAS: &[&str] = &[
    "export",
    "import",
    "sync",
    "backup",
    "shared_folder",
    "calendar",
    "dashboard",
    "reports",
    "mobile_app",
    "desktop_app",
    "api",
    "notifications",
    "upload",
    "search",
    "integrations",
    "user_management",
];
/// The kinds of reference. `account` is an address the customer ties to their account, their
/// sign-in or their new address; it is read by [`SignalRules::accounts`], not by a pattern.
/// `colleague` is a name, not a detail of their case: it is read by `[signals] colleague`
/// ([`colleague`]), not by `refs.*` patterns either. `amount` is what they were charged, kept
/// as written with its currency ("€49.90", "119,00 €", "3,000円"), and `version` the bare
/// number of the version since which it fails ("5.2"), for the billing and regression drafts
/// to name back; both are kept in the order written ([`AS_WRITTEN`]). `previous` is the
/// version they would go back to ("5.1" from "should we go back to 5.1?", "5.1に戻す"): its
/// patterns say the going back too, so one found (not negated) is also the `rollback` ask.
pub const REFS: &[&str] = &[
    "invoice", "order", "ticket", "error", "step", "amount", "version", PREVIOUS, ACCOUNT,
    COLLEAGUE,
];
/// The reference kind of the version they would go back to.
pub const PREVIOUS: &str = "previous";
/// The kinds of reference whose patterns overlap (a sign before or a code after the same
/// number, "v4.8.1" and "updating to v4.8.1"): the longest of overlapping values counts, and
/// the first written comes first, since a draft names the first of a kind.
const AS_WRITTEN: &[&str] = &["amount", "version"];
/// The reference kind of an account's address.
pub const ACCOUNT: &str = "account";
/// At most this many account addresses are kept: a draft names each once.
const MAX_ACCOUNTS: usize = 2;
/// The kind of reference that names a colleague they thank or praise.
pub const COLLEAGUE: &str = "colleague";

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
    /// What their sign-in problem is about, and whether they say this is their first contact
    /// ([`ABOUT`]).
    pub about: Vec<String>,
    /// The product function their new text is about ([`AREAS`]), or null.
    pub area: Option<String>,
    /// "today", the date they need it by ("2026-12-11", in their offset), or null.
    pub deadline: Option<String>,
    /// The time of day they need it by today ("15:00", on the 24-hour clock), when they
    /// wrote one ("by 3 pm", "bis 15 Uhr", "15時までに"); null otherwise, and always when
    /// `deadline` is not "today".
    pub deadline_time: Option<String>,
    /// The day they say their problem started ("2026-12-08", in their offset), or null.
    pub since: Option<String>,
    /// The day what they ask for is to take effect ("cancel effective 31 January":
    /// "2027-01-31", in their offset), or null: a draft names it back and does not act sooner.
    pub effective: Option<String>,
    pub phone: Option<String>,
    /// When they would like the call they ask for ([`call`]); null when they name no time or
    /// ask for no call.
    pub call_window: Option<CallWindow>,
    pub attachments: usize,
    pub utc_offset: Option<String>,
    /// Their question in their own words: up to two whole sentences of their new text
    /// ([`asked`]), for the question draft to restate; null when unsure.
    pub question: Option<String>,
    /// The sentence or two of their new text that carry their request, as written.
    pub request: Option<String>,
    /// The details they set out line by line ("Name: Sarah Kim", the documents a formal
    /// letter lists), as written, for the request and general drafts to name back
    /// ([`asked::listed`]); none already quoted as `question` or `request`.
    pub listed: Vec<String>,
    /// All they wrote is one how-to question ([`asked::Found::how_to`]): the pipeline files
    /// it `question` whatever the model reads in its topic (round 13 en ko 22: "how do I turn
    /// on two-factor authentication?" answered as a lock-out).
    #[serde(skip)]
    pub how_to: bool,
    /// The lines of `question` and `request` marked as a second ask ("Also, could you change
    /// the billing contact?"): the complaint drafts restate only these (round 14 de he ja 07
    /// 18: a plea or the complaint itself was quoted under "We'll also take care of this").
    #[serde(skip)]
    pub also_asked: Vec<String>,
    /// They say they phoned us (for `callback_missing` on a repeat contact).
    #[serde(skip)]
    pub called: bool,
    /// They say the problem still or again happens ("still not working", "schon wieder",
    /// "toujours en panne"): a resolved incident is then not declared fixed to them
    /// ([`crate::facts::Fact::IncidentConfirmed`]'s `still_failing`).
    #[serde(skip)]
    pub still_failing: bool,
    /// They say they were charged twice for the same thing ("charged twice", "doppelt
    /// abgebucht", "二重に請求", "중복 결제"): the billing draft names the double charge and
    /// promises the duplicate back, without "if we find".
    pub charged_twice: bool,
    /// They are refused access to something of theirs ("Access denied", "Zugriff
    /// verweigert", "没有权限"): the request and general drafts apologise and promise to check
    /// the account's permissions instead of a stock acknowledgement (round 12, all nine).
    pub access_denied: bool,
    /// The day it was written on, where they were: a draft's promise is counted from it.
    #[serde(skip)]
    pub written: Option<NaiveDate>,
    /// The time of day it was written at, where they were: a promise of "today" made after
    /// the working day is over is one nobody keeps.
    #[serde(skip)]
    pub written_time: Option<chrono::NaiveTime>,
    /// It was written on a day that is the weekend in each of the message's languages (a
    /// Sunday is a working day in Hebrew): nobody answers "today" then.
    #[serde(skip)]
    pub written_on_weekend: bool,
}

impl Signals {
    /// They need an answer today.
    pub fn today(&self) -> bool {
        self.deadline.as_deref() == Some("today")
    }

    /// They want an answer by email and no call.
    pub fn email_only(&self) -> bool {
        self.asks.iter().any(|a| a == "email_only")
    }

    /// The account addresses they gave, as written.
    pub fn accounts(&self) -> impl Iterator<Item = &str> {
        self.refs
            .iter()
            .filter(|r| r.kind == ACCOUNT)
            .map(|r| r.value.as_str())
    }

    /// The colleagues they thanked or praised by name, in the order written.
    pub fn colleagues(&self) -> impl Iterator<Item = &str> {
        self.refs
            .iter()
            .filter(|r| r.kind == COLLEAGUE)
            .map(|r| r.value.as_str())
    }

    /// They gave a detail of their case: a reference other than a colleague's name or their
    /// account's address.
    pub fn gave_references(&self) -> bool {
        self.refs
            .iter()
            .any(|r| r.kind != COLLEAGUE && r.kind != ACCOUNT)
    }

    /// The date they need it by, when it is a date (not today).
    pub fn deadline_date(&self) -> Option<NaiveDate> {
        iso_date(self.deadline.as_deref()?)
    }

    /// The day what they ask for is to take effect.
    pub fn effective_date(&self) -> Option<NaiveDate> {
        iso_date(self.effective.as_deref()?)
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

/// What [`SignalRules::read`] reads of one message.
pub struct Input<'a> {
    /// The rule-file indexes whose reference and colleague patterns apply.
    pub languages: &'a [usize],
    /// The normalised subject and new text.
    pub norm: &'a str,
    /// The same, unnormalised (for verbatim references and names).
    pub text: &'a str,
    /// The customer's own text with its signature (where phone numbers live).
    pub own_text: &'a str,
    pub attachments: usize,
    /// When it was written (for deadlines and starts) and the sender's offset.
    pub sent: Sent<'a>,
    /// Names that are never a colleague's besides their signature's: the customer's display
    /// names, our identity's name and signature.
    pub not_colleagues: &'a [&'a str],
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

    /// The time of day it was written at, where the sender was; `None` when the offset is
    /// unknown (UTC would be a guess at the hour, though not at the day's deadline).
    pub fn local_time(&self) -> Option<chrono::NaiveTime> {
        let offset = self.utc_offset.and_then(parse_offset)?;
        Some(self.date?.with_timezone(&offset).time())
    }
}

/// `[signals]` of one rule file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSignals {
    #[serde(default)]
    negations: Vec<String>,
    /// Negations that follow what they negate, in the same clause ("返金は不要です",
    /// "전화는 필요 없습니다"): for the languages that put them last.
    #[serde(default)]
    negations_after: Vec<String>,
    #[serde(default)]
    tried: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    asks: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    about: BTreeMap<String, Vec<String>>,
    /// Phrases naming a product function ([`AREAS`]): "csv export", "*synchronisierung", "同步".
    #[serde(default)]
    area: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    deadline: when::RawDeadline,
    /// How the language names days, for `deadline` and `since`.
    #[serde(default)]
    days: when::RawDays,
    /// The words for the halves of the day and "half past", for reading times of day.
    #[serde(default)]
    hours: clock::RawHours,
    /// When they would like a call.
    #[serde(default)]
    call_window: call::RawCallWindow,
    /// Regexes with one `{day}`: the day their problem started ("since {day}").
    #[serde(default)]
    since: Vec<String>,
    /// Regexes with one `{day}`: the day what they ask for is to take effect ("cancel
    /// effective {day}", "zum {day} kündigen").
    #[serde(default)]
    effective: Vec<String>,
    #[serde(default)]
    refs: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    phone: Vec<String>,
    /// Phrases naming a number as ours ("your hotline", "Ihre Hotline"): the number after one
    /// is where they called, not where to call them.
    #[serde(default)]
    phone_ours: Vec<String>,
    /// Phrases saying they phoned us ("I called", "angerufen").
    #[serde(default)]
    calls: Vec<String>,
    /// Phrases saying the problem still or again happens ("still not working", "down
    /// again", "since the fix").
    #[serde(default)]
    still_failing: Vec<String>,
    /// Phrases saying they were charged twice for one thing ("charged twice", "duplicate
    /// payment", "扣了两次"); `[signals.together] charged_twice` reads the word orders that
    /// put the amount between ("charged my card €49.90 twice").
    #[serde(default)]
    charged_twice: Vec<String>,
    /// Phrases asking for an invoice corrected ("a corrected invoice", "訂正後の請求書"): its
    /// re-issue is no copy of the one they have (round 18 ja 08 was promised the wrong
    /// invoice again), so the copy ask is dropped and the billing draft checks the charge.
    #[serde(default)]
    corrected: Vec<String>,
    /// Phrases saying they are refused access ("access denied", "keine Berechtigung").
    #[serde(default)]
    access_denied: Vec<String>,
    /// Phrases that tie the address right after them to the customer's account, sign-in or
    /// new address ("my login is", "log in with", "change my address to").
    #[serde(default)]
    account: Vec<String>,
    /// The same, written after the address ("… is my login", "…でログイン", "…로 로그인").
    #[serde(default)]
    account_after: Vec<String>,
    /// Words that may stand between such a phrase and the address ("log in with my old work
    /// address anna@…"): at most [`MAX_FILLERS`] of them, nothing else.
    #[serde(default)]
    account_fillers: Vec<String>,
    /// A colleague thanked or praised by name.
    #[serde(default)]
    colleague: colleague::RawColleague,
    /// What makes a sentence their question or their request.
    #[serde(default)]
    asked: asked::RawAsked,
    /// `tried` and `about` read from words that stand together in one sentence ([`together`]).
    #[serde(default)]
    together: together::RawTogether,
}

/// How many filler words may stand between an account phrase and the address.
const MAX_FILLERS: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Tried(usize),
    Asks(usize),
    About(usize),
    Area(usize),
    Today,
    PhoneWord,
    PhoneOurs,
    CallCue,
    Called,
    StillFailing,
    ChargedTwice,
    Corrected,
    AccessDenied,
    AccountBefore,
    AccountAfter,
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
    /// What the phrases of `matcher` mean, phrase by phrase: phrase `i`'s are
    /// `meta[meta_from[i]..meta_from[i + 1]]`. One vector rather than one per phrase, which
    /// kept room for four meanings where most phrases have one (3 MB over all languages).
    meta: Vec<Meta>,
    meta_from: Vec<usize>,
    /// Per language index, normalised negation words.
    negations: Vec<Vec<String>>,
    /// Per language index, normalised negations written after the phrase.
    negations_after: Vec<Vec<String>>,
    /// (kind, language index, pattern), each behind a guard: most match few messages.
    refs: Vec<(usize, usize, Arc<Guarded>)>,
    /// The guards of `refs`, scanned once per message.
    ref_guards: GuardSets,
    /// Per language index, normalised account fillers, longest first.
    fillers: Vec<Vec<String>>,
    colleagues: colleague::Colleagues,
    /// Deadlines and starts.
    when: when::When,
    /// Per language index, the words of times of day.
    hours: Vec<clock::Hours>,
    /// Call windows.
    call: call::CallRules,
    /// Their question and request, in their words.
    asked: asked::Asked,
    /// `tried` and `about` from words that stand together.
    together: together::Together,
}

/// Collects the `[signals]` sections while rule files load.
#[derive(Default)]
pub struct Builder {
    phrases: Vec<String>,
    index: BTreeMap<String, usize>,
    /// (phrase, one of its meanings), in the order they were added.
    meta: Vec<(usize, Meta)>,
    negations: Vec<Vec<String>>,
    negations_after: Vec<Vec<String>>,
    refs: Vec<(usize, usize, Arc<Guarded>)>,
    fillers: Vec<Vec<String>>,
    colleagues: colleague::Colleagues,
    when: when::Builder,
    hours: Vec<clock::Hours>,
    call: call::CallRules,
    asked: asked::Asked,
    together: together::Together,
}

impl Builder {
    fn phrase(&mut self, phrase: &str, target: Target, language: usize) {
        let Some((p, start_boundary, end_boundary)) = parse_phrase(phrase) else {
            return;
        };
        // A phrase ending in a script written without spaces ("打我手机") ends there whatever
        // follows: a number or a Latin word after it ("打我手机138 1234 5678") is not inside it.
        let start_boundary = start_boundary && p.chars().next().is_some_and(wordish);
        let end_boundary = end_boundary && p.chars().next_back().is_some_and(wordish);
        let i = match self.index.get(&p) {
            Some(&i) => i,
            None => {
                self.phrases.push(p.clone());
                self.index.insert(p, self.phrases.len() - 1);
                self.phrases.len() - 1
            }
        };
        self.meta.push((
            i,
            Meta {
                target,
                language,
                start_boundary,
                end_boundary,
            },
        ));
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
        for (k, phrases) in &raw.area {
            let t = Target::Area(id(AREAS, "area", k)?);
            phrases.iter().for_each(|p| self.phrase(p, t, language));
        }
        for p in &raw.deadline.today {
            self.phrase(p, Target::Today, language);
        }
        self.when.add(
            &raw.days,
            &raw.deadline,
            &raw.since,
            &raw.effective,
            language,
        )?;
        for p in &raw.phone {
            self.phrase(p, Target::PhoneWord, language);
        }
        for p in &raw.phone_ours {
            self.phrase(p, Target::PhoneOurs, language);
        }
        if self.hours.len() <= language {
            self.hours.resize(language + 1, clock::Hours::default());
        }
        self.hours[language].add(&raw.hours);
        self.call.add(&raw.call_window, language)?;
        for p in &raw.call_window.cues {
            self.phrase(p, Target::CallCue, language);
        }
        for p in &raw.calls {
            self.phrase(p, Target::Called, language);
        }
        for p in &raw.still_failing {
            self.phrase(p, Target::StillFailing, language);
        }
        for p in &raw.charged_twice {
            self.phrase(p, Target::ChargedTwice, language);
        }
        for p in &raw.corrected {
            self.phrase(p, Target::Corrected, language);
        }
        for p in &raw.access_denied {
            self.phrase(p, Target::AccessDenied, language);
        }
        for p in &raw.account {
            self.phrase(p, Target::AccountBefore, language);
        }
        for p in &raw.account_after {
            self.phrase(p, Target::AccountAfter, language);
        }
        for (k, patterns) in &raw.refs {
            let kind = id(REFS, "refs", k)?;
            if REFS[kind] == ACCOUNT {
                return Err((
                    format!("signals.refs.{k}"),
                    "an account's address is read by `account` and `account_after` phrases, not by a pattern".into(),
                ));
            }
            if REFS[kind] == COLLEAGUE {
                return Err((
                    format!("signals.refs.{k}"),
                    "a colleague's name is read by `signals.colleague.patterns`".into(),
                ));
            }
            for p in patterns {
                let source = format!("(?i){p}");
                // Languages share patterns (HTTP codes, "INV-…"): one compiled copy.
                if let Some((_, _, re)) = self.refs.iter().find(|(_, _, re)| re.as_str() == source)
                {
                    let re = re.clone();
                    self.refs.push((kind, language, re));
                    continue;
                }
                let (re, exact) = Guarded::new(&source)
                    .map_err(|e| (format!("signals.refs.{k}"), crate::rules::bad_regex(p, &e)))?;
                if !exact.capture_names().any(|n| n == Some("v")) {
                    return Err((
                        format!("signals.refs.{k}"),
                        format!("{p:?} has no group (?P<v>…) for the value"),
                    ));
                }
                self.refs.push((kind, language, Arc::new(re)));
            }
        }
        if self.negations.len() <= language {
            self.negations.resize(language + 1, Vec::new());
        }
        self.negations[language].extend(raw.negations.iter().map(|n| normalize(n.trim())));
        if self.negations_after.len() <= language {
            self.negations_after.resize(language + 1, Vec::new());
        }
        self.negations_after[language]
            .extend(raw.negations_after.iter().map(|n| normalize(n.trim())));
        if self.fillers.len() <= language {
            self.fillers.resize(language + 1, Vec::new());
        }
        let fillers = &mut self.fillers[language];
        fillers.extend(
            raw.account_fillers
                .iter()
                .map(|f| normalize(f.trim()))
                .filter(|f| !f.is_empty()),
        );
        // Longest first, so "e-mail" is taken whole before "e".
        fillers.sort_by_key(|f| std::cmp::Reverse(f.len()));
        self.asked.add(&raw.asked, language);
        self.together.add(
            &raw.together,
            language,
            |k| id(TRIED, "together.tried", k),
            |k| id(ABOUT, "together.about", k),
        )?;
        self.colleagues.add(&raw.colleague, language)
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
        let mut meta = self.meta;
        // Stable: a phrase's meanings stay in the order they were added.
        meta.sort_by_key(|&(i, _)| i);
        let mut meta_from = Vec::with_capacity(self.phrases.len() + 1);
        let mut at = 0;
        for i in 0..self.phrases.len() {
            meta_from.push(at);
            at += meta[at..].iter().take_while(|(p, _)| *p == i).count();
        }
        meta_from.push(at);
        SignalRules {
            matcher,
            meta: meta.into_iter().map(|(_, m)| m).collect(),
            meta_from,
            negations: self.negations,
            negations_after: self.negations_after,
            ref_guards: GuardSets::new(self.refs.iter().map(|(_, l, g)| (*l, g.as_ref()))),
            refs: self.refs,
            fillers: self.fillers,
            colleagues: self.colleagues,
            when: self.when.build(),
            hours: self.hours,
            call: self.call,
            asked: self.asked,
            together: self.together,
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
    let after = if matches!(dash, '-' | '–' | '—' | '~' | '〜' | '～') {
        &rest[dash.len_utf8()..]
    } else {
        // "Steps 1 to 4", "Schritte 1 bis 4", "étapes 1 à 4", "pasos 1 a 4", "sammud 1 kuni 4".
        let word = rest.split_whitespace().next().unwrap_or_default();
        match RANGE_WORDS.iter().find(|w| word.eq_ignore_ascii_case(w)) {
            Some(w) => &rest[w.len()..],
            None => return false,
        }
    };
    after.trim_start().starts_with(|c: char| c.is_ascii_digit())
}

/// Words between the ends of a range of steps, in the languages written with spaces.
const RANGE_WORDS: &[&str] = &["to", "through", "thru", "bis", "à", "a", "al", "kuni", "עד"];

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
    /// What phrase `i` of the matcher means.
    fn meanings(&self, i: usize) -> &[Meta] {
        let from = self.meta_from.get(i).copied().unwrap_or(0);
        let to = self.meta_from.get(i + 1).copied().unwrap_or(from);
        self.meta.get(from..to).unwrap_or_default()
    }

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

    /// Whether a negation of `language` written after a phrase ends at `end` negates it: one
    /// within [`AFTER_WINDOW`] characters, in the same clause.
    fn negated_after(&self, norm: &str, end: usize, language: usize) -> bool {
        let Some(negs) = self.negations_after.get(language).filter(|n| !n.is_empty()) else {
            return false;
        };
        let rest = &norm[end..];
        let clause_end = rest
            .char_indices()
            .take(AFTER_WINDOW)
            .find(|&(_, c)| CLAUSE_ENDS.contains(&c))
            .map(|(i, _)| i)
            .unwrap_or_else(|| head(rest, AFTER_WINDOW).len());
        let clause = &rest[..clause_end];
        negs.iter().any(|n| clause.contains(n.as_str()))
    }

    /// Whether a negation of `language` stands in `span`: as a word (apostrophes kept inside
    /// words: "don't", "can’t"), or anywhere for one written in a script without spaces ("不").
    fn negation_in(&self, span: &str, language: usize) -> bool {
        let Some(negs) = self.negations.get(language) else {
            return false;
        };
        let words: Vec<&str> = span
            .split(|c: char| !(wordish(c) || c == '\'' || c == '’'))
            .collect();
        negs.iter().any(|n| {
            if n.chars().any(crate::rules::is_cjk) {
                return span.contains(n.as_str());
            }
            let n: Vec<&str> = n.split(' ').collect();
            words.windows(n.len()).any(|w| w == n.as_slice())
        })
    }

    /// Whether `sentence` asks for something of [`ASKS`] (a copy, a new user, "email only"):
    /// the drafts say those in our own words, so the sentence is not quoted back as well.
    pub fn asks_in(&self, sentence: &str) -> bool {
        !self.asks_of(sentence).is_empty()
    }

    /// The [`ASKS`] `sentence` asks for (by index).
    fn asks_of(&self, sentence: &str) -> Vec<usize> {
        let norm = normalize(sentence);
        let mut out = Vec::new();
        for m in self.matcher.find_overlapping_iter(&norm) {
            let before = norm[..m.start()].chars().next_back();
            let after = norm[m.end()..].chars().next();
            for meta in self.meanings(m.pattern().as_usize()) {
                let inside_a_word = (meta.start_boundary && before.is_some_and(wordish))
                    || (meta.end_boundary && after.is_some_and(wordish));
                if let Target::Asks(i) = meta.target {
                    if !inside_a_word
                        && !self.negated(&norm, m.start(), meta.language)
                        && !self.negated_after(&norm, m.end(), meta.language)
                    {
                        out.push(i);
                    }
                }
            }
        }
        out
    }

    /// Drops from `asks` each change in [`ASKED_ABOUT`] that the message names only in
    /// sentences asking about it ("How do I cancel?", "how much would an extra licence
    /// cost?", "is a full export possible?"): that is a question to answer, not a change to
    /// promise. An ask no single sentence carries (a phrase over two sentences) stays.
    fn drop_inquired(
        &self,
        languages: &[usize],
        subject: &str,
        body: &str,
        asks: &mut Vec<String>,
    ) {
        if !asks.iter().any(|a| ASKED_ABOUT.contains(&a.as_str())) {
            return;
        }
        let mut asked_for = [false; ASKS.len()];
        let mut asked_about = [false; ASKS.len()];
        for (sentence, inquiry) in self.asked.inquiries(languages, subject, body) {
            for i in self.asks_of(&sentence) {
                if inquiry {
                    asked_about[i] = true;
                } else {
                    asked_for[i] = true;
                }
            }
        }
        asks.retain(|a| {
            let i = ASKS.iter().position(|k| k == a).unwrap_or(0);
            !(ASKED_ABOUT.contains(&a.as_str()) && asked_about[i] && !asked_for[i])
        });
    }

    /// Reads the signals of a message.
    pub fn read(&self, input: &Input<'_>) -> Signals {
        let &Input {
            languages,
            norm,
            text,
            own_text,
            attachments,
            sent,
            not_colleagues,
        } = input;
        let mut s = Signals {
            attachments,
            utc_offset: sent.utc_offset.map(str::to_string),
            written: sent.local_date(),
            written_time: sent.local_time(),
            ..Signals::default()
        };
        let mut tried = [false; TRIED.len()];
        let mut asks = [false; ASKS.len()];
        let mut about = [false; ABOUT.len()];
        let mut corrected = false;
        let unwrapped = unwrap_lines(norm);
        let norm = unwrapped.as_str();
        // Where a call is asked for or their reach is said, per language: a call window is
        // read only in such a sentence.
        let mut call_cues: Vec<(usize, usize, usize)> = Vec::new();
        // Where a call and email only are asked for, to settle a message that says both.
        let email_only = ASKS.iter().position(|a| *a == "email_only");
        let (mut callback_at, mut email_only_at) = (Vec::new(), Vec::new());
        // The area phrase written first, the longest of those starting there: (start, -len, id).
        let mut area: Option<(usize, isize, usize)> = None;
        for m in self.matcher.find_overlapping_iter(norm) {
            let before = norm[..m.start()].chars().next_back();
            let after = norm[m.end()..].chars().next();
            for meta in self.meanings(m.pattern().as_usize()) {
                if meta.start_boundary && before.is_some_and(wordish) {
                    continue;
                }
                if meta.end_boundary && after.is_some_and(wordish) {
                    continue;
                }
                if let Target::Area(i) = meta.target {
                    // "I can't open the dashboard" is about the dashboard: no negation test.
                    // Only the message's languages: a short word of one is a word of another.
                    let found = (m.start(), -(m.len() as isize), i);
                    if languages.contains(&meta.language) && area.is_none_or(|a| found < a) {
                        area = Some(found);
                    }
                    continue;
                }
                if self.negated(norm, m.start(), meta.language)
                    || self.negated_after(norm, m.end(), meta.language)
                {
                    continue;
                }
                if matches!(meta.target, Target::CallCue | Target::Asks(0)) {
                    call_cues.push((meta.language, m.start(), m.end()));
                }
                match meta.target {
                    Target::Tried(i) => tried[i] = true,
                    Target::Asks(i) => {
                        asks[i] = true;
                        if i == 0 {
                            callback_at.push(m.start());
                        } else if Some(i) == email_only {
                            email_only_at.push(m.start());
                        }
                    }
                    Target::About(i) => about[i] = true,
                    Target::Today => s.deadline = Some("today".into()),
                    Target::Called => s.called = true,
                    Target::StillFailing => s.still_failing = true,
                    Target::ChargedTwice => s.charged_twice = true,
                    Target::Corrected => corrected = true,
                    Target::AccessDenied => s.access_denied = true,
                    Target::PhoneWord
                    | Target::PhoneOurs
                    | Target::Area(_)
                    | Target::CallCue
                    | Target::AccountBefore
                    | Target::AccountAfter => {}
                }
            }
        }
        for found in self.together.read(languages, norm, |l| {
            self.negations.get(l).map_or(&[][..], Vec::as_slice)
        }) {
            match found {
                together::Sets::Tried(i) => tried[i] = true,
                together::Sets::About(i) => about[i] = true,
                together::Sets::ChargedTwice => s.charged_twice = true,
                together::Sets::StillFailing => s.still_failing = true,
            }
        }
        // Requests for a call written around their window ("könnten Sie mich morgen zwischen
        // 9 und 11 Uhr anrufen"), unless negated in or just before them.
        for &l in languages {
            for (start, end) in self.call.asks(l, norm) {
                if self.negated(norm, start, l) || self.negation_in(&norm[start..end], l) {
                    continue;
                }
                asks[0] = true;
                call_cues.push((l, start, end));
                callback_at.push(start);
            }
        }
        s.tried = present(TRIED, &tried);
        s.asks = present(ASKS, &asks);
        if corrected {
            s.asks.retain(|a| a != "copy");
        }
        // "It would be great if this could be done by Friday" beside a user to add is that
        // request's timing, not a feature idea: a change asked for outweighs a suggestion.
        if s.asks.iter().any(|a| CONCRETE_ASKS.contains(&a.as_str())) {
            s.asks.retain(|a| a != "suggestion");
        }
        // "No need to call me, email is fine" also reads as a call: they asked for none. But a
        // call asked for in a sentence of its own is asked for, whatever they say of other
        // times ("Could you call me between 2 and 4 pm? Otherwise I am in meetings and cannot
        // take calls"): then it is not email only.
        if s.email_only() {
            let spans = call::sentences(norm);
            // A match starting on the mark that ends a sentence belongs to the next one.
            let sentence = |at: usize| spans.iter().position(|&(_, end)| at < end);
            let apart = callback_at.iter().any(|&c| {
                let own = sentence(c);
                !email_only_at.iter().any(|&e| sentence(e) == own)
            });
            let drop = if apart { "email_only" } else { "callback" };
            s.asks.retain(|a| a != drop);
        }
        s.phone = self.phone(own_text, asks[0]);
        // Where the call window stands: a time in it is when to call, not a deadline. Besides
        // a call asked for, the sentence that gives their number says when to ring it, asked
        // or only offered (round 18 ja 16: "お電話の場合は、平日18時以降に携帯(090-…)へ
        // お願いします" was promised a call "本日中").
        let number_at: Vec<(usize, usize)> = s
            .phone
            .as_deref()
            .and_then(|p| norm.find(p).map(|at| (at, at + p.len())))
            .into_iter()
            .collect();
        let mut window_span = None;
        let callback = s.asks.iter().any(|a| a == "callback");
        if callback || !number_at.is_empty() {
            let found = languages.iter().find_map(|&l| {
                let hours = self.hours.get(l)?;
                let asked = || {
                    let cues: Vec<(usize, usize)> = call_cues
                        .iter()
                        .filter(|c| c.0 == l)
                        .map(|c| (c.1, c.2))
                        .collect();
                    self.call
                        .read(l, norm, hours, &cues, None, sent.local_date())
                };
                // Beside the number only the clock counts, and not where a negation stands
                // ("ärge helistage kella 14 ja 16 vahel"): a part of the day there is as often
                // when they cannot take a call ("mejor por las mañanas, que por la tarde estoy
                // con clientas"; "오전에는 밭에 있어서 오후가 좋습니다").
                let negated = |clause: &str| self.negation_in(clause, l);
                let offered = || {
                    self.call.read(
                        l,
                        norm,
                        hours,
                        &number_at,
                        Some(&negated),
                        sent.local_date(),
                    )
                };
                callback.then(asked).flatten().or_else(offered)
            });
            window_span = found.as_ref().map(|(_, span)| *span);
            s.call_window = found.map(|(w, _)| w);
        }
        if let Some(base) = sent.local_date() {
            self.read_when(languages, norm, base, window_span, &mut s);
            s.written_on_weekend =
                !languages.is_empty() && languages.iter().all(|&l| self.when.is_weekend(l, base));
        }
        s.about = present(ABOUT, &about);
        s.area = area.map(|(_, _, i)| AREAS[i].to_string());
        // References are read with the patterns of the message's language and English (the
        // words customers borrow: "invoice", "ticket", "error"), not every language's.
        // Every reference's value holds a digit: a text without one has none to read.
        let may = if text.bytes().any(|b| b.is_ascii_digit()) {
            self.ref_guards.may_match(languages, text)
        } else {
            vec![false; self.refs.len()]
        };
        let refs = self.refs.iter().zip(may).filter(|(_, may)| *may);
        let mut written: Vec<(usize, usize, usize)> = Vec::new();
        for ((kind, language, re), _) in refs {
            let Some(re) = re.exact() else {
                continue;
            };
            for c in re.captures_iter(text) {
                let Some(v) = c.name("v") else { continue };
                let value = v.as_str().trim_end_matches(['.', ',', ')', ':']);
                if !value.chars().any(|c| c.is_ascii_digit()) {
                    continue;
                }
                // "We don't want to go back to 5.1": no version to go back to, and no ask. A
                // negation written without spaces counts right before it ("我们不想退回到5.1").
                if REFS[*kind] == PREVIOUS {
                    let start = c.get(0).map_or(v.start(), |m| m.start());
                    let before = normalize(&text[..start]);
                    let tail = &before[before.char_indices().rev().nth(2).map_or(0, |(i, _)| i)..];
                    if self.negated(&before, before.len(), *language)
                        || (tail.chars().any(crate::rules::is_cjk)
                            && self.negation_in(tail, *language))
                        || self.negated_after(&normalize(&text[v.end()..]), 0, *language)
                    {
                        continue;
                    }
                }
                if AS_WRITTEN.contains(&REFS[*kind]) {
                    let start = c.get(0).map_or(v.start(), |m| m.start());
                    let end = v.start() + value.len();
                    let date = REFS[*kind] == "version" && is_date(value);
                    if !(date || glued_before(text, start) || glued_after(&text[end..])) {
                        written.push((*kind, v.start(), end));
                    }
                    continue;
                }
                // "Steps 1–3 worked, step 4 fails": the first of a range is not their step.
                if REFS[*kind] == "step" && is_range_start(&text[v.end()..]) {
                    continue;
                }
                // "502 Bad Gateway": an HTTP status is named back with its reason, as written.
                let value = match REFS[*kind] {
                    "error" => with_reason(text, v.start(), value),
                    _ => value,
                };
                let r = Ref {
                    kind: REFS[*kind].to_string(),
                    value: value.to_string(),
                };
                if !s.refs.contains(&r) {
                    s.refs.push(r);
                }
            }
        }
        drop_partial_errors(&mut s.refs);
        // The version they would go back to is asked about with the going back itself.
        if s.refs.iter().any(|r| r.kind == PREVIOUS) && !s.asks.iter().any(|a| a == "rollback") {
            s.asks.push("rollback".into());
        }
        s.refs.extend(longest_as_written(text, written));
        s.refs.extend(
            self.colleagues(languages, text, own_text, not_colleagues)
                .into_iter()
                .map(|value| Ref {
                    kind: COLLEAGUE.into(),
                    value,
                }),
        );
        // `text` is the subject, then the new text: neither quoted history nor signature.
        let (subject, body) = text.split_once('\n').unwrap_or(("", text));
        self.drop_inquired(languages, subject, body, &mut s.asks);
        // A question whether to go back to an earlier version is still quoted where a draft
        // quotes questions: only the regression draft answers it in its own words.
        let found = self.asked.read(
            languages,
            subject,
            body,
            |sentence| {
                s.asks.iter().any(|a| a != "rollback")
                    && self
                        .asks_of(sentence)
                        .iter()
                        .any(|&i| ASKS[i] != "rollback" && s.asks.iter().any(|a| a == ASKS[i]))
            },
            |norm| languages.iter().any(|&l| self.negation_in(norm, l)),
        );
        s.question = found.question;
        // Beside the details they listed, a request line that only dates them ("We would be
        // grateful to receive these by 15 January") is said by the deadline line of the draft
        // and reads as a fragment quoted (round 14 en fr et 15).
        s.request = if found.listed.is_empty() || s.deadline.is_none() {
            found.request
        } else {
            let kept: Vec<&str> = found
                .request
                .as_deref()
                .unwrap_or_default()
                .lines()
                .filter(|line| {
                    let norm = normalize(line);
                    !languages
                        .iter()
                        .any(|&l| !self.when.deadlines(l, &norm).is_empty())
                })
                .collect();
            (!kept.is_empty()).then(|| kept.join("\n"))
        };
        s.listed = found.listed;
        s.how_to = found.how_to;
        s.also_asked = found.also;
        s
    }

    /// The colleagues named in thanks or praise; never a name of the customer's signature
    /// (the lines of `own_text` that `text` lacks) or of `not_colleagues`.
    fn colleagues(
        &self,
        languages: &[usize],
        text: &str,
        own_text: &str,
        not_colleagues: &[&str],
    ) -> Vec<String> {
        let new: std::collections::HashSet<&str> = text.lines().map(str::trim).collect();
        let signature = own_text.lines().filter(|l| !new.contains(l.trim()));
        let theirs = colleague::NotTheirs::new(signature.chain(not_colleagues.iter().copied()));
        self.colleagues
            .read(languages, text, &theirs, |before, language| {
                self.negated(before, before.len(), language)
            })
    }

    /// The deadline (the earliest named, "today" before any date) and the start of their
    /// problem (the earliest named), from the patterns of `languages`, for a message written
    /// on `base`. An expression after a negation ("not by Friday") does not count.
    ///
    /// A time of day inside the call window (`window`, a byte span of `norm`) is when to call:
    /// it sets no deadline ("今天下午2点到4点之间给我打电话" needs no reply by 2 pm).
    fn read_when(
        &self,
        languages: &[usize],
        norm: &str,
        base: NaiveDate,
        window: Option<(usize, usize)>,
        s: &mut Signals,
    ) {
        // The time as written may hold its day ("今天下午2点"): any overlap counts.
        // `clock` is a slice of `norm` (the deadline patterns run on it): its offset there.
        let in_window = |clock: &str| {
            let at = (clock.as_ptr() as usize).checked_sub(norm.as_ptr() as usize);
            window
                .zip(at)
                .is_some_and(|((from, to), at)| at < to && at + clock.len() > from)
        };
        let mut deadline = s.today().then_some(Deadline::Today);
        let mut since: Option<NaiveDate> = None;
        let mut effective: Option<(bool, NaiveDate)> = None;
        let mut time: Option<chrono::NaiveTime> = None;
        for &l in languages {
            for f in self.when.deadlines(l, norm) {
                if self.negated(norm, f.start, l) || f.clock.is_some_and(in_window) {
                    continue;
                }
                // The earliest time of day they need it by today; one already past when
                // they wrote is an event that is over ("本日10時の会議で指摘され…"), no deadline.
                let at = f.clock.and_then(|c| self.hours.get(l)?.time(c));
                let past = at.is_some_and(|a| s.written_time.is_some_and(|w| a <= w));
                if past && matches!(f.day, when::Day::Today) {
                    continue;
                }
                if let Some(d) = when::deadline(f.day, base) {
                    deadline = Some(deadline.map_or(d, |e| e.min(d)));
                    if d == Deadline::Today {
                        time = match (time, at) {
                            (Some(t), Some(a)) => Some(t.min(a)),
                            (t, a) => t.or(a),
                        };
                    }
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
            for f in self.when.effective(l, norm) {
                if self.negated(norm, f.start, l) {
                    continue;
                }
                // A date as written wins over "the end of the month" beside it ("à la fin du
                // mois de janvier, soit le 31/01/2027": that month is not the message's).
                // Ordered by (not written, day): a written date first, then the earliest.
                let not_written =
                    !matches!(f.day, when::Day::Date { .. } | when::Day::EndOf { .. });
                if let Some(d) = when::effective(f.day, base) {
                    let k = (not_written, d);
                    effective = Some(effective.map_or(k, |e| e.min(k)));
                }
            }
        }
        // "Cancel by 31 January" names when it takes effect, not when they need our reply.
        let effective = effective.map(|(_, d)| d);
        if deadline.is_some() && deadline == effective.map(Deadline::On) {
            deadline = None;
        }
        s.deadline = deadline.map(Deadline::text);
        s.deadline_time = time
            .filter(|_| deadline == Some(Deadline::Today))
            .map(clock::text);
        s.since = since.map(|d| d.format("%Y-%m-%d").to_string());
        s.effective = effective.map(|d| d.format("%Y-%m-%d").to_string());
    }

    /// The customer's phone number: a number of phone shape next to one of the phone words on
    /// its line, an international number (+…), or any such number when they ask to be called.
    fn phone(&self, own_text: &str, callback_asked: bool) -> Option<String> {
        for line in own_text.lines() {
            let norm = normalize(line);
            // One scan of the line for both kinds of phrase.
            let mut words: Vec<(usize, usize)> = Vec::new();
            let mut ours: Vec<(usize, usize)> = Vec::new();
            for m in self.matcher.find_overlapping_iter(&norm) {
                let metas = self.meanings(m.pattern().as_usize());
                if metas.iter().any(|x| x.target == Target::PhoneWord) {
                    words.push((m.start(), m.end()));
                }
                if metas.iter().any(|x| x.target == Target::PhoneOurs) {
                    ours.push((m.start(), m.end()));
                }
            }
            for (m, bare) in phone_candidates(line) {
                // "Your hotline 0800 555 0100 is always busy": ours, not theirs.
                if ours
                    .iter()
                    .any(|&(_, e)| e <= m.start() && m.start() <= e + OURS_GAP)
                {
                    continue;
                }
                let candidate = crate::facts::balanced(m.as_str().trim());
                let intl = candidate.starts_with('+') || candidate.starts_with("(+");
                // A phone word on the same line, before the number or just after it ("unter
                // 0171 2345678 erreichbar"); byte offsets of the normalised line track the
                // line's closely enough for that.
                let named = words
                    .iter()
                    .any(|&(s, e)| e <= m.start() + 4 || (s >= m.end() && s <= m.end() + 16));
                // A bare run of digits only right after a phone word ("手机是…", "mobile: …").
                if bare
                    && !words
                        .iter()
                        .any(|&(_, e)| e <= m.start() && m.start() - e <= BARE_PHONE_GAP)
                {
                    continue;
                }
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

/// The amounts and versions found, `(kind, start, end)` in `text`: of values of a kind that
/// overlap, the longest ("119,00 €" over "119,00"; "4.8.1" over "4"), each value once, in the
/// order written.
fn longest_as_written(text: &str, mut found: Vec<(usize, usize, usize)>) -> Vec<Ref> {
    found.sort_by_key(|&(kind, start, end)| (kind, start, std::cmp::Reverse(end)));
    let mut kept: Vec<(usize, usize, usize)> = Vec::new();
    for (kind, start, end) in found {
        let overlaps = |&(k, s, e): &(usize, usize, usize)| k == kind && s < end && start < e;
        match kept.iter().position(overlaps) {
            Some(i) if kept[i].2 - kept[i].1 < end - start => kept[i] = (kind, start, end),
            Some(_) => {}
            None => kept.push((kind, start, end)),
        }
    }
    kept.sort_by_key(|&(kind, start, _)| (kind, start));
    let mut refs: Vec<Ref> = Vec::new();
    for (kind, start, end) in kept {
        let r = Ref {
            kind: REFS[kind].to_string(),
            value: text[start..end].to_string(),
        };
        if !refs.contains(&r) {
            refs.push(r);
        }
    }
    refs
}

/// The number starting at `start` continues a longer token: a letter or digit of the Latin
/// script or a separator before it ("INV-4471 €", "ARV2026 EUR"). A hyphen after a Hebrew
/// prefix is not one ("ב-120 ש״ח").
fn glued_before(text: &str, start: usize) -> bool {
    let mut before = text[..start].chars().rev();
    match before.next() {
        Some(c) if c.is_ascii_alphanumeric() || c.is_numeric() => true,
        Some('.' | ',' | '/' | '#' | '_') => true,
        Some('-') => before.next().is_some_and(|c| c.is_ascii_alphanumeric()),
        _ => false,
    }
}

/// The value ending where `rest` starts goes on as a longer number or token: a digit or Latin
/// letter, or a separator and a digit ("12.05.2026", "10:30", "2026-05").
fn glued_after(rest: &str) -> bool {
    let mut after = rest.chars();
    match after.next() {
        Some(c) if c.is_ascii_alphanumeric() || c.is_numeric() => true,
        Some('.' | ',' | ':' | '/' | '-') => after.next().is_some_and(|c| c.is_ascii_digit()),
        _ => false,
    }
}

/// "12.05.2026": a day, month and year, not a version.
fn is_date(value: &str) -> bool {
    let parts: Vec<&str> = value.split('.').collect();
    matches!(parts.as_slice(), [d, m, y] if d.len() <= 2 && m.len() <= 2 && y.len() == 4)
}

/// "502" in the subject and "502 Bad Gateway" in the text are one error, named whole: an
/// error reference that another one continues is dropped.
fn drop_partial_errors(refs: &mut Vec<Ref>) {
    let errors: Vec<String> = refs
        .iter()
        .filter(|r| r.kind == "error")
        .map(|r| r.value.clone())
        .collect();
    refs.retain(|r| {
        r.kind != "error"
            || !errors.iter().any(|e| {
                e.strip_prefix(r.value.as_str())
                    .is_some_and(|rest| rest.len() > 1 && rest.starts_with(' '))
            })
    });
}

/// The standard reasons of the HTTP statuses customers quote; English in every language.
const HTTP_REASONS: &[&str] = &[
    "bad gateway",
    "bad request",
    "forbidden",
    "gateway timeout",
    "gateway time-out",
    "internal server error",
    "not found",
    "service unavailable",
    "too many requests",
    "unauthorized",
];

/// `value` (starting at `start` of `text`) with the HTTP reason that follows it, when it is
/// a status ("502") and one does ("502 Bad Gateway"); else `value`.
fn with_reason<'t>(text: &'t str, start: usize, value: &'t str) -> &'t str {
    let is_status = value.len() == 3
        && value.starts_with(['4', '5'])
        && value.bytes().all(|b| b.is_ascii_digit());
    let end = start + value.len();
    let rest = &text[end..];
    let gap = rest.len() - rest.trim_start_matches([' ', '\u{a0}']).len();
    if !is_status || gap == 0 || gap > 2 {
        return value;
    }
    let after = &rest[gap..];
    HTTP_REASONS
        .iter()
        .find(|r| {
            after
                .get(..r.len())
                .is_some_and(|a| a.eq_ignore_ascii_case(r))
                && !after[r.len()..].starts_with(char::is_alphanumeric)
        })
        .map_or(value, |r| &text[start..end + gap + r.len()])
}

/// How far after a phrase a negation of `negations_after` may stand, in characters.
const AFTER_WINDOW: usize = 14;

/// Punctuation that ends a clause: a negation after it belongs to the next one.
const CLAUSE_ENDS: &[char] = &[
    '、', '。', '，', ',', '.', '!', '?', '！', '？', '；', ';', '\n',
];

/// Most bytes between a phone word and a bare run of digits it names ("手机是", "mobile is ").
const BARE_PHONE_GAP: usize = 8;

/// How far after a `phone_ours` phrase ("your hotline") its number may start, in bytes of
/// the line: room for "(0800)", "number", "：" and a few spaces.
const OURS_GAP: usize = 24;

/// How far before and after an address an account phrase is looked for, in characters.
const WINDOW: usize = 80;

/// What may stand between an account phrase and the address besides fillers and spaces.
const GAP_PUNCTUATION: &[char] = &[
    '(', ')', '[', ']', '<', '>', '"', '\'', '`', '*', '=', '-', '–', '—', '“', '”', '„', '‘', '’',
    '«', '»', '‹', '›', '（', '）', '「', '」', '『', '』', '【', '】', '〈', '〉', '《', '》',
];

/// The last `n` characters of `s`.
fn tail(s: &str, n: usize) -> &str {
    s.char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(s, |(i, _)| &s[i..])
}

/// The first `n` characters of `s`.
fn head(s: &str, n: usize) -> &str {
    s.char_indices().nth(n).map_or(s, |(i, _)| &s[..i])
}

impl SignalRules {
    /// The addresses the customer ties to their account, their sign-in or their new address,
    /// as written, each once, at most [`MAX_ACCOUNTS`]. `text` is their new text (quoted
    /// history and signature are not theirs to give); an address counts right after one of
    /// any language's `account` phrases or right before an `account_after` phrase, with
    /// nothing between but spaces, punctuation and up to [`MAX_FILLERS`] of that language's
    /// `account_fillers`. A phrase ties only the nearest address. `excluded` (given the
    /// lower-case address) leaves out the sender's own address and ours. Negations do not
    /// cancel these phrases: "I can't log in with anna@…" names the account all the same.
    pub fn accounts(&self, text: &str, excluded: impl Fn(&str) -> bool) -> Vec<Ref> {
        let found: Vec<(usize, &str)> = addresses(text).collect();
        let mut out: Vec<Ref> = Vec::new();
        for (i, &(start, address)) in found.iter().enumerate() {
            if out.len() == MAX_ACCOUNTS {
                break;
            }
            if excluded(&address.to_lowercase())
                || out.iter().any(|r| r.value.eq_ignore_ascii_case(address))
            {
                continue;
            }
            let previous_end = i
                .checked_sub(1)
                .and_then(|p| found.get(p))
                .map_or(0, |(s, a)| s + a.len());
            let next_start = found.get(i + 1).map_or(text.len(), |(s, _)| *s);
            let before = tail(text.get(previous_end..start).unwrap_or_default(), WINDOW);
            let after = head(
                text.get(start + address.len()..next_start)
                    .unwrap_or_default(),
                WINDOW,
            );
            if self.tied(&normalize(before), &normalize(after)) {
                out.push(Ref {
                    kind: ACCOUNT.to_string(),
                    value: address.to_string(),
                });
            }
        }
        out
    }

    /// Whether an account phrase ends `before` or starts `after` (the normalised text on
    /// either side of an address), bridged to the address by [`SignalRules::bridged`]. The
    /// address itself counts as a word boundary: "…로 로그인", "…でログイン" attach to it.
    fn tied(&self, before: &str, after: &str) -> bool {
        let found = |text: &str, target: Target| {
            self.matcher
                .find_overlapping_iter(text)
                .flat_map(move |m| {
                    self.meanings(m.pattern().as_usize())
                        .iter()
                        .filter(move |meta| {
                            meta.target == target
                                && !(meta.start_boundary
                                    && text[..m.start()].chars().next_back().is_some_and(wordish))
                                && !(meta.end_boundary
                                    && text[m.end()..].chars().next().is_some_and(wordish))
                        })
                        .map(move |meta| (m.start(), m.end(), meta.language))
                })
                .collect::<Vec<_>>()
        };
        found(before, Target::AccountBefore)
            .into_iter()
            .any(|(_, end, language)| self.bridged(&before[end..], language))
            || found(after, Target::AccountAfter)
                .into_iter()
                .any(|(start, _, language)| self.bridged(&after[..start], language))
    }

    /// Whether `gap`, the normalised text between an account phrase and an address, holds
    /// only spaces, punctuation (a comma only before any filler: "my login, anna@…") and up to
    /// [`MAX_FILLERS`] of the language's fillers. A line break counts only after a colon
    /// ("Login:" above the address); a full stop ends the tie.
    fn bridged(&self, gap: &str, language: usize) -> bool {
        let fillers = self.fillers.get(language).map_or(&[][..], Vec::as_slice);
        let mut rest = gap;
        let mut words = 0;
        loop {
            let mut colon = false;
            let mut cut = rest.len();
            for (i, c) in rest.char_indices() {
                match c {
                    ':' | '：' => colon = true,
                    '\n' if !colon => return false,
                    ',' | '，' | '、' if words > 0 => return false,
                    ',' | '，' | '、' => {}
                    c if c.is_whitespace() || GAP_PUNCTUATION.contains(&c) => {}
                    _ => {
                        cut = i;
                        break;
                    }
                }
            }
            rest = &rest[cut..];
            if rest.is_empty() {
                return true;
            }
            if words == MAX_FILLERS {
                return false;
            }
            let filler = fillers.iter().find(|f| {
                rest.starts_with(f.as_str())
                    && !(f.chars().next_back().is_some_and(wordish)
                        && rest[f.len()..].chars().next().is_some_and(wordish))
            });
            match filler {
                Some(f) => rest = &rest[f.len()..],
                None => return false,
            }
            words += 1;
        }
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
        rules().read(&Input {
            languages: &[0],
            norm: &normalize(text),
            text,
            own_text: own,
            attachments: 0,
            sent: Sent::default(),
            not_colleagues: &[],
        })
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
        let s = r.read(&Input {
            languages: &[0],
            norm: "前两次打电话。reset my password",
            text: "",
            own_text: "",
            attachments: 0,
            sent: Sent::default(),
            not_colleagues: &[],
        });
        assert_eq!(s.tried, vec!["password_reset"]);
        let text = "こんにちは。 i did not";
        assert_eq!(words_before(text, text.len() - 4, 3), vec!["i", "did"]);
    }

    fn account_rules() -> SignalRules {
        let raw: RawSignals = toml::from_str(
            r#"
negations = ["not", "can't"]
account = ["my account", "log in with", "change my address to", "login"]
account_after = ["is my login"]
account_fillers = ["my", "old", "work", "address", "is"]
"#,
        )
        .expect("toml");
        let mut b = Builder::default();
        b.add(&raw, 0).expect("adds");
        b.build()
    }

    fn accounts(text: &str) -> Vec<String> {
        account_rules()
            .accounts(text, |a| a == "alex@customer.example")
            .into_iter()
            .map(|r| {
                assert_eq!(r.kind, ACCOUNT);
                r.value
            })
            .collect()
    }

    #[test]
    fn an_address_tied_to_the_account_is_an_account_ref() {
        let cases = [
            (
                "My account is Anna.Berg@firma.example.",
                "Anna.Berg@firma.example",
            ),
            (
                "I log in with my old work address j.doe@old.example",
                "j.doe@old.example",
            ),
            (
                "Please change my address to new@x.example, thanks",
                "new@x.example",
            ),
            ("new@x.example is my login", "new@x.example"),
            ("Login:\nanna@firma.example", "anna@firma.example"),
            (
                "My account (anna@firma.example) is locked",
                "anna@firma.example",
            ),
            // A negation does not untie it: they name the account they cannot get into.
            (
                "I can't log in with anna@firma.example",
                "anna@firma.example",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(accounts(text), [want], "{text}");
        }
    }

    #[test]
    fn an_address_not_tied_to_the_account_is_not_one() {
        for text in [
            // No phrase: an address they write to, or a colleague.
            "Please send the invoice to billing@firma.example.",
            "Our admin bob@firma.example has the same problem.",
            // A phrase, but a sentence ends or other words stand between.
            "I can't log in.\nbob@firma.example told me to write.",
            "My account is locked, bob@firma.example can confirm.",
            "I log in with my work address, bob@firma.example is my colleague.",
            "I log in with the same password as bob@firma.example",
            // The phrase ties the nearest address only.
            "I log in with anna@firma.example, not with bob@firma.example",
            // The sender's own address: the draft already looks that one up.
            "My account is alex@customer.example.",
        ] {
            let found = accounts(text);
            assert!(
                found.iter().all(|a| a == "anna@firma.example"),
                "{text}: {found:?}"
            );
        }
        assert_eq!(
            accounts("I log in with anna@firma.example, not with bob@firma.example"),
            ["anna@firma.example"]
        );
    }

    #[test]
    fn each_account_address_once_and_at_most_two() {
        let text = "My account is A@x.example. My login is a@x.example. \
                    I log in with b@y.example. Login: c@z.example";
        assert_eq!(accounts(text), ["A@x.example", "b@y.example"]);
    }

    #[test]
    fn gaps_hold_only_punctuation_and_a_few_fillers() {
        let r = account_rules();
        assert!(r.bridged(" ", 0));
        assert!(r.bridged(" is: ", 0));
        assert!(r.bridged(", ", 0));
        assert!(r.bridged(" my old work address ", 0));
        assert!(!r.bridged(" my old old work address ", 0), "five fillers");
        assert!(!r.bridged(" mystery ", 0), "a filler is a whole word");
        assert!(!r.bridged(". ", 0));
        assert!(!r.bridged("\n", 0));
        assert!(r.bridged(":\n", 0));
        assert!(!r.bridged(" my, ", 0));
    }

    /// The built-in rule files: an account address and an email-only wish in several
    /// languages, and the look-alikes that are neither.
    #[test]
    fn built_in_rules_read_accounts_and_email_only_in_every_script() {
        let rules = built_in_rules();
        let s = &rules.signals;
        for (text, want) in [
            (
                "I can't sign in. My login is anna@firma.example.",
                "anna@firma.example",
            ),
            (
                "Ich melde mich mit anna@firma.example an.",
                "anna@firma.example",
            ),
            (
                "Je me connecte avec anna@firma.example depuis toujours.",
                "anna@firma.example",
            ),
            (
                "Mi cuenta es anna@firma.example y está bloqueada.",
                "anna@firma.example",
            ),
            (
                "Logisin sisse aadressiga anna@firma.example.",
                "anna@firma.example",
            ),
            (
                "אני מתחבר עם anna@firma.example ולא מצליח.",
                "anna@firma.example",
            ),
            (
                "我的账号是 anna@firma.example，一直登录不了。",
                "anna@firma.example",
            ),
            ("我用 anna@firma.example 登录不了。", "anna@firma.example"),
            (
                "アカウントは anna@firma.example です。",
                "anna@firma.example",
            ),
            (
                "anna@firma.example でログインできません。",
                "anna@firma.example",
            ),
            (
                "anna@firma.example로 로그인이 안 됩니다.",
                "anna@firma.example",
            ),
            (
                "새 이메일 주소는 anna@firma.example 입니다.",
                "anna@firma.example",
            ),
        ] {
            let found = s.accounts(text, |_| false);
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert_eq!(found[0].value, want, "{text}");
        }
        for text in [
            "Please send the invoice to billing@firma.example.",
            "Bitte schicken Sie die Rechnung an buchhaltung@firma.example.",
            "请把发票发到 caiwu@firma.example。",
            "請求書は keiri@firma.example に送ってください。",
            "청구서는 billing@firma.example 으로 보내 주세요.",
            "את החשבונית שלחו בבקשה ל-billing@firma.example.",
            "My account manager bob@firma.example said to write to you.",
        ] {
            assert!(s.accounts(text, |_| false).is_empty(), "{text}");
        }
        let read = |text: &str| {
            let langs: Vec<usize> = (0..rules.languages.len()).collect();
            s.read(&Input {
                languages: &langs,
                norm: &normalize(text),
                text,
                own_text: text,
                attachments: 0,
                sent: Sent::default(),
                not_colleagues: &[],
            })
        };
        for text in [
            "Please don't call me, I can't take calls at work.",
            "Bitte nicht anrufen, antworten Sie bitte per E-Mail.",
            "Merci de ne pas m'appeler, répondez-moi par e-mail.",
            "Por favor, no me llamen; respóndanme por correo.",
            "Palun ärge helistage, vastake e-posti teel.",
            "נא לא להתקשר, רק במייל.",
            "请不要给我打电话，邮件回复即可。",
            "電話には出られませんので、メールでご回答ください。",
            "전화는 받기 어려우니 이메일로 답변 부탁드립니다.",
        ] {
            assert!(read(text).email_only(), "{text}");
        }
        for text in [
            "If you don't call me today I will cancel.",
            "I got no calls and no answer by email.",
            "Nobody called me back. Please call me on +44 20 7946 0321.",
            "Ich habe bisher nur per E-Mail Antworten bekommen.",
            "Toujours pas d'appel de votre part.",
            "고객센터와 통화가 어렵습니다.",
            "請求書はメールでお願いします。",
        ] {
            assert!(!read(text).email_only(), "{text}");
        }
        // "No need to call": no call is asked for, though the words of one are there.
        for text in [
            "Thanks, it works now. No need to call me back.",
            "Danke, es klappt wieder. Ein Rückruf ist nicht mehr nötig.",
            "Merci, tout fonctionne. Pas besoin de me rappeler.",
            "No hace falta que me llamen, prefiero que me expliquen por correo.",
            "Aitäh, kõik töötab. Pole vaja tagasi helistada.",
            "תודה, הכול עובד. לא צריך להתקשר אליי.",
            "谢谢，一切正常，不用再给我回电话了。",
            "解決しました。折り返しのお電話は不要です。",
            "해결되었습니다. 전화는 안 주셔도 됩니다.",
        ] {
            let signals = read(text);
            assert!(signals.email_only(), "{text}");
            assert!(!signals.asks.iter().any(|a| a == "callback"), "{text}");
        }
    }

    /// The built-in rules, loaded once for all the tests that read with them.
    pub(super) fn built_in_rules() -> &'static crate::rules::RuleSet {
        static RULES: std::sync::LazyLock<crate::rules::RuleSet> = std::sync::LazyLock::new(|| {
            crate::rules::RuleSet::load(None, &[]).expect("built-in rules load")
        });
        &RULES
    }

    /// The signals the built-in rules read in `text` (subject line first) of `lang`, written
    /// on Wednesday 9 December 2026 at 09:00 UTC.
    pub(super) fn builtin(lang: &str, text: &str) -> Signals {
        let date = Utc.with_ymd_and_hms(2026, 12, 9, 9, 0, 0).single();
        let rules = built_in_rules();
        rules.signals.read(&Input {
            languages: &rules.reference_languages(lang),
            norm: &normalize(text),
            text,
            own_text: text,
            attachments: 0,
            sent: Sent {
                date,
                utc_offset: Some("+00:00"),
            },
            not_colleagues: &[],
        })
    }

    /// Round 10 (all nine reviewers): "cancel effective 31 January" was read as nothing, and
    /// the draft cancelled at once. The day it takes effect is read in each language, a date
    /// as written before "the end of the month" beside it, and it is no deadline for our reply.
    #[test]
    fn the_day_a_cancellation_takes_effect_is_read_in_each_language() {
        for (lang, text, day) in [
            ("en", "Cancel\nPlease cancel our plan effective 28 February 2027.", "2027-02-28"),
            ("de", "Kündigung\nHiermit kündigen wir den Vertrag zum 31.03.2027.", "2027-03-31"),
            ("fr", "Résiliation\nNous souhaitons résilier l'abonnement à la fin du mois de février, soit le 28/02/2027.", "2027-02-28"),
            ("es", "Baja\nQuiero dar de baja la cuenta a partir del 1 de febrero de 2027.", "2027-02-01"),
            ("et", "Leping\nPalun lõpetage leping alates 01.02.2027.", "2027-02-01"),
            ("he", "ביטול\nאבקש לבטל את המנוי החל מ-31.01.2027.", "2027-01-31"),
            ("ja", "解約\n2027年1月31日をもって解約したいと考えております。", "2027-01-31"),
            ("ko", "해지\n2027년 2월 28일자로 해지 부탁드립니다.", "2027-02-28"),
            ("zh", "取消\n请从2027年1月31日起取消我们的订阅。", "2027-01-31"),
            ("en", "Cancel\nPlease cancel the add-on at the end of the month.", "2026-12-31"),
            // Round 11 (ja en): another month's end is that month's last day, not this
            // month's ("2027年3月末" was read as 31 December).
            ("ja", "解約\n2027年3月末をもって解約したいと考えております。", "2027-03-31"),
            ("ja", "解約\n来年3月末で解約したいです。", "2027-03-31"),
            ("zh", "取消\n请在3月底为我们取消订阅。", "2027-03-31"),
            ("fr", "Résiliation\nNous souhaitons résilier à la fin du mois de mars.", "2027-03-31"),
            ("en", "Cancel\nPlease cancel our subscription with effect from the end of January 2027.", "2027-01-31"),
            ("de", "Kündigung\nWir kündigen den Vertrag zum Ende Februar 2027.", "2027-02-28"),
            ("es", "Baja\nQueremos darnos de baja a finales de enero de 2027.", "2027-01-31"),
            ("et", "Leping\nPalun lõpetage leping jaanuari lõpuks.", "2027-01-31"),
            ("he", "ביטול\nאבקש לבטל את המנוי בסוף ינואר.", "2027-01-31"),
            ("ko", "해지\n2027년 3월 말에 해지 부탁드립니다.", "2027-03-31"),
        ] {
            if day.is_empty() {
                assert_eq!(builtin(lang, text).effective, None, "{lang}: {text}");
                continue;
            }
            let s = builtin(lang, text);
            assert_eq!(s.effective.as_deref(), Some(day), "{lang}: {text}");
            assert_eq!(s.deadline, None, "{lang}: {text}");
        }
        for (lang, text) in [
            ("en", "Cancel\nPlease cancel with immediate effect."),
            (
                "en",
                "Charge\nI was charged on 3 December and want to cancel.",
            ),
            (
                "de",
                "Termin\nWir haben zum 15.01.2027 einen Termin mit dem Steuerberater.",
            ),
        ] {
            assert_eq!(builtin(lang, text).effective, None, "{lang}: {text}");
        }
        let s = builtin(
            "en",
            "Export\nWe need the export by Friday, and please cancel the add-on effective 31 January 2027.",
        );
        assert_eq!(s.deadline.as_deref(), Some("2026-12-11"));
        assert_eq!(s.effective.as_deref(), Some("2027-01-31"));
    }

    /// Round 15 (ja): the end of a period they name ("the log from 1 January to 31 December")
    /// is no deadline; a deadline after it still is.
    #[test]
    fn the_end_of_a_period_is_no_deadline_in_each_language() {
        for (lang, text, day) in [
            ("ja", "監査ログ\n2026年1月1日から12月31日までの操作ログの提供をお願いします。2027年1月15日までにご提供ください。", Some("2027-01-15")),
            ("ja", "監査ログ\n2026年1月1日〜12月31日までのログをお願いします。", None),
            ("de", "Protokolle\nIch brauche die Protokolle vom 01.12. bis 15.12.", None),
            ("de", "Protokolle\nBitte schicken Sie uns die Protokolle vom 01.01.2026 bis 31.12.2026 bis spätestens 15.01.2027.", Some("2027-01-15")),
            ("he", "יומנים\nאני צריך את היומנים מ-1.1.2026 עד 31.12.2026.", None),
            ("he", "יומנים\nאני צריך את היומנים מ-1 בדצמבר עד 15 בדצמבר.", None),
            ("ko", "감사 로그\n2026년 1월 1일부터 12월 31일까지의 로그를 부탁드립니다.", None),
            ("zh", "审计日志\n请提供从2026年1月1日到12月31日为止的操作日志。", None),
            // Not a period: a deadline alone is read as before.
            ("ja", "請求書\n12月31日までに請求書をお送りください。", Some("2026-12-31")),
            ("de", "Rechnung\nBitte schicken Sie die Rechnung bis 31.12.2026.", Some("2026-12-31")),
        ] {
            assert_eq!(builtin(lang, text).deadline.as_deref(), day, "{lang}: {text}");
        }
    }

    /// Round 16 (ja #19): a call asked for in a sentence of its own stays asked for beside
    /// "otherwise I cannot take calls"; "no need to call, email is fine" is still email only.
    #[test]
    fn a_call_asked_for_apart_from_when_they_cannot_take_one_is_asked_for() {
        for (lang, text, want) in [
            ("ja", "プラン変更\n明日の14時から16時の間にお電話いただけますでしょうか。その時間帯以外は会議が続いており、電話に出られません。", "callback"),
            ("ja", "プラン変更\n電話に出られませんので、メールでご回答ください。", "email_only"),
            ("et", "pilet\nPalun vastake e-kirjaga, helistada pole vaja.", "email_only"),
        ] {
            let s = builtin(lang, text);
            let has = |id: &str| s.asks.iter().any(|a| a == id);
            assert!(has(want), "{lang}: {text}: {:?}", s.asks);
            assert!(!(has("callback") && has("email_only")), "{lang}: {text}");
        }
    }

    /// Languages without templates read calls and call wishes too, so a customer who wants a
    /// call and gave no number is asked for one; "don't call me" is email only.
    #[test]
    fn calls_and_call_wishes_are_read_in_languages_without_templates() {
        for (lang, text, called, callback, email_only) in [
            ("it", "Contratto\nHo telefonato lunedì e mi avevano promesso di richiamarmi. Gradirei una telefonata.", true, true, false),
            ("it", "Fatture\nRispondetemi per email, per favore: non chiamatemi.", false, false, true),
            ("nl", "Export\nIk heb drie keer gebeld en niemand heeft teruggebeld.", true, false, false),
            ("pt", "Fatura errada\nLiguei para o suporte na segunda e ninguém retornou. Por favor, me liguem amanhã.", true, true, false),
            ("ru", "Отчёты\nДважды обещали перезвонить — не перезвонил никто.", true, false, false),
            ("pl", "Faktura\nProszę o odpowiedź mailową, proszę nie dzwonić.", false, false, true),
        ] {
            let s = builtin(lang, text);
            let has = |id: &str| s.asks.iter().any(|a| a == id);
            assert_eq!(s.called, called, "{lang} called: {text}");
            assert_eq!(has("callback"), callback, "{lang} callback: {text}");
            assert_eq!(has("email_only"), email_only, "{lang} email only: {text}");
        }
    }

    /// A start said as "after something done that day" is when the trouble began; "after
    /// Friday" alone, a day to come, is not.
    #[test]
    fn a_start_after_something_done_that_day_is_read_in_ja_and_zh() {
        for (lang, text, day) in [
            (
                "ja",
                "アプリ\n先週の金曜日に新しいバージョンをインストールしてから、写真がアップロードできません。",
                true,
            ),
            (
                "ja",
                "共有\n昨日パソコンを再起動してから共有フォルダが開けません。",
                true,
            ),
            (
                "zh",
                "导出\n上周一我们升级了客户端之后，导出功能就一直报错。",
                true,
            ),
            (
                "zh",
                "登录\n昨天管理员改了密码策略之后，我们都登录不了了。",
                true,
            ),
            ("zh", "会议\n请在周五之后联系我。", false),
        ] {
            assert_eq!(builtin(lang, text).since.is_some(), day, "{lang}: {text}");
        }
    }

    /// The first step of a range they went through is not their step, in words too.
    #[test]
    fn the_start_of_a_range_of_steps_written_in_words_is_not_their_step() {
        let cases = [
            (
                "en",
                "Steps 1 to 4 went fine. Step 5 says to click Advanced.",
            ),
            (
                "de",
                "Schritte 1 bis 4 haben geklappt. Schritt 5 geht nicht.",
            ),
            (
                "fr",
                "Les étapes 1 à 4 sont passées. L'étape 5 ne fonctionne pas.",
            ),
        ];
        for (lang, text) in cases {
            let steps: Vec<String> = builtin(lang, text)
                .refs
                .into_iter()
                .filter(|r| r.kind == "step")
                .map(|r| r.value)
                .collect();
            assert_eq!(steps, vec!["5".to_string()], "{lang}: {text}");
        }
    }

    fn refs_of(lang: &str, text: &str, kind: &str) -> Vec<String> {
        builtin(lang, text)
            .refs
            .into_iter()
            .filter(|r| r.kind == kind)
            .map(|r| r.value)
            .collect()
    }

    /// The amount they were charged, as written with its currency sign, code or word, in the
    /// order written (the reviewers' billing mails: "charged €49.90 twice", "wurden 119,00 €
    /// abgebucht", "被扣了 ¥3,000", "₪120").
    #[test]
    fn an_amount_is_read_with_its_currency_as_written_in_each_language() {
        let cases: &[(&str, &str, &[&str])] = &[
            ("en", "You charged me €49.90 twice this month.", &["€49.90"]),
            (
                "en",
                "We were billed $1,250.00 instead of $125.00.",
                &["$1,250.00", "$125.00"],
            ),
            ("en", "They took 1 299 kr from our account.", &["1 299 kr"]),
            (
                "de",
                "Mir wurden 119,00 € zweimal abgebucht.",
                &["119,00 €"],
            ),
            (
                "de",
                "Es wurden 49,90 EUR abgebucht, nicht 24,95 Euro.",
                &["49,90 EUR", "24,95 Euro"],
            ),
            ("fr", "On m'a prélevé 29,90 € deux fois.", &["29,90 €"]),
            (
                "es",
                "Me han cobrado 49,90 euros dos veces.",
                &["49,90 euros"],
            ),
            (
                "et",
                "Minult võeti kaks korda 49,90 eurot.",
                &["49,90 eurot"],
            ),
            ("he", "חויבתי פעמיים ב-₪120 החודש.", &["₪120"]),
            (
                "he",
                "חויבנו ב-120 ש\"ח במקום 60 שקלים.",
                &["120 ש\"ח", "60 שקלים"],
            ),
            ("zh", "这个月被扣了 ¥3,000，扣了两次。", &["¥3,000"]),
            ("zh", "多扣了3000元，请退款。", &["3000元"]),
            (
                "ja",
                "今月3,000円が二重に引き落とされました。",
                &["3,000円"],
            ),
            ("ja", "￥3,000が2回請求されています。", &["￥3,000"]),
            (
                "ko",
                "이번 달에 12,000원이 두 번 결제되었습니다.",
                &["12,000원"],
            ),
            ("ko", "₩12,000이 두 번 빠져나갔습니다.", &["₩12,000"]),
        ];
        for (lang, text, want) in cases {
            assert_eq!(refs_of(lang, text, "amount"), *want, "{lang}: {text}");
        }
    }

    /// A number without a currency next to it is no amount: dates, phone numbers, invoice
    /// numbers, counts ("2 users"), nor a number glued to a reference before a currency.
    #[test]
    fn a_bare_number_date_phone_or_invoice_number_is_no_amount() {
        let cases = [
            (
                "en",
                "Since 12.05.2026 invoice INV-4471 shows 2 users. Call me on +44 20 7946 0321.",
            ),
            ("en", "Invoice INV-4471 € was sent twice."),
            (
                "de",
                "Rechnung 2026-118 vom 03.11.2026, Telefon 030 1234567, 5 Nutzer.",
            ),
            ("fr", "Facture n° 2026-118 du 03/11/2026, 3 utilisateurs."),
            ("zh", "发票号 2026118，电话 0571-2836 9105，2 个用户。"),
            (
                "ja",
                "請求書番号 3000 の件です。2026年11月3日、電話 090-1234-5678。",
            ),
            ("ko", "청구서 번호 2026118, 전화 010-2734-6618, 사용자 2명."),
            (
                "he",
                "חשבונית מספר 4471 מתאריך 12.05.2026, טלפון 052-555-7781, 2 משתמשים.",
            ),
        ];
        for (lang, text) in cases {
            assert_eq!(
                refs_of(lang, text, "amount"),
                Vec::<String>::new(),
                "{lang}: {text}"
            );
        }
    }

    /// The version since which it fails, next to a version word before or after it ("since
    /// version 5.2", "v4.8.1", "バージョン5.2から", "5.2 버전부터", "从 5.2 版本开始", "מגרסה 5.2").
    #[test]
    fn a_version_is_read_next_to_a_version_word_in_each_language() {
        let cases = [
            ("en", "Exports fail since version 5.2.", "5.2"),
            (
                "en",
                "It broke after updating to v4.8.1 yesterday.",
                "4.8.1",
            ),
            ("en", "It broke after updating the app to 4.8.1.", "4.8.1"),
            ("en", "Nothing works since version 7.", "7"),
            (
                "de",
                "Seit Version 3.1 stürzt die App beim Export ab.",
                "3.1",
            ),
            ("de", "Nach dem Update auf 4.8.1 geht nichts mehr.", "4.8.1"),
            (
                "fr",
                "Depuis la version 2.4, l'export ne marche plus.",
                "2.4",
            ),
            (
                "es",
                "Desde la versión 2.4 ya no funciona la exportación.",
                "2.4",
            ),
            ("et", "Alates versioonist 3.1 ei tööta eksport.", "3.1"),
            ("ja", "バージョン5.2から同期できません。", "5.2"),
            ("ko", "5.2 버전부터 동기화가 안 됩니다.", "5.2"),
            ("zh", "从 5.2 版本开始同步就失败了。", "5.2"),
            ("he", "מגרסה 5.2 הסנכרון לא עובד.", "5.2"),
            ("he", "מאז העדכון לגרסה 4.12 הסנכרון הפסיק לעבוד.", "4.12"),
        ];
        for (lang, text, want) in cases {
            assert_eq!(
                refs_of(lang, text, "version"),
                vec![want.to_string()],
                "{lang}: {text}"
            );
        }
    }

    /// A version word without a number next to it, a date or a count after "update", and
    /// numbers without a version word are no version.
    #[test]
    fn version_control_dates_counts_and_bare_numbers_are_no_version() {
        let cases = [
            ("en", "We use version control. 2 users cannot log in since 12.05.2026."),
            ("en", "Since the update 3 days ago, invoice INV-4471 is wrong. Call me on +44 20 7946 0321."),
            ("en", "Which version? The Update 12.05.2026 broke it at version 10:30."),
            // An API path is no version.
            ("en", "Since 14:05 every call to the /v2/orders endpoint fails."),
            ("de", "Seit dem Update vom 12.05.2026 geht nichts, 5 Nutzer betroffen."),
            ("zh", "版本控制有问题，2 个用户无法登录，电话 0571-2836 9105。"),
            ("ja", "バージョン管理が使えません。2026年11月3日から。"),
            ("ko", "버전 관리가 안 됩니다. 사용자 2명이 로그인하지 못합니다."),
            ("he", "ניהול גרסאות לא עובד, 2 משתמשים, טלפון 052-555-7781."),
        ];
        for (lang, text) in cases {
            assert_eq!(
                refs_of(lang, text, "version"),
                Vec::<String>::new(),
                "{lang}: {text}"
            );
        }
    }

    /// In Japanese and Korean the negation follows what it negates, in the same clause.
    #[test]
    fn a_negation_after_the_phrase_counts_in_japanese_and_korean() {
        let asks = |lang: &str, text: &str| builtin(lang, text).asks;
        let refund = |v: Vec<String>| v.iter().any(|a| a == "refund");
        assert!(!refund(asks(
            "ja",
            "返金してほしいといった話ではありません。対応を改善してください。"
        )));
        assert!(!refund(asks(
            "ja",
            "返金は不要ですので、請求書を再発行してください。"
        )));
        assert!(!refund(asks(
            "ko",
            "환불을 원하는 것은 아닙니다. 빨리 고쳐 주세요."
        )));
        assert!(!refund(asks("ko", "환불은 필요 없고 오류만 고쳐 주세요.")));
        // A negation in the next clause or sentence negates that one, not this.
        assert!(refund(asks(
            "ja",
            "全額返金してください。不要なプランでした。"
        )));
        assert!(refund(asks(
            "ko",
            "환불해 주세요. 더 이상 필요 없는 서비스입니다."
        )));
    }

    /// Deleting a departed colleague's account is removing a user, not cancelling ours.
    #[test]
    fn a_colleagues_account_deleted_is_a_user_removed_not_a_cancellation() {
        let s = builtin("ko", "10월 31일 자로 퇴사한 직원 2명 계정을 삭제해 주세요.");
        assert!(!s.asks.iter().any(|a| a == "cancel"), "{:?}", s.asks);
        assert!(s.asks.iter().any(|a| a == "user_remove"), "{:?}", s.asks);
        let s = builtin(
            "ko",
            "서비스를 더 이상 쓰지 않아서 제 계정을 삭제해 주세요.",
        );
        assert!(s.asks.iter().any(|a| a == "cancel"), "{:?}", s.asks);
    }

    /// An HTTP status is named back with its standard reason when they wrote one.
    #[test]
    fn an_http_status_keeps_its_reason() {
        let cases = [
            (
                "en",
                "The dashboard shows HTTP 503 Service Unavailable since 9.",
                "503 Service Unavailable",
            ),
            (
                "ja",
                "ダッシュボードを開くと「502 Bad Gateway」と表示されます。",
                "502 Bad Gateway",
            ),
            (
                "zh",
                "打开网页显示 502 bad gateway 错误。",
                "502 bad gateway",
            ),
            (
                "es",
                "La API devuelve 401 Unauthorized desde ayer.",
                "401 Unauthorized",
            ),
            ("en", "We get a 502 error on every upload.", "502"),
            // The code alone in the subject, whole in the text: one error.
            (
                "ko",
                "[긴급] API 호출 전부 502 에러\nAPI 요청이 전부 \"502 Bad Gateway\"로 떨어집니다.",
                "502 Bad Gateway",
            ),
        ];
        for (lang, text, value) in cases {
            let errors: Vec<String> = builtin(lang, text)
                .refs
                .into_iter()
                .filter(|r| r.kind == "error")
                .map(|r| r.value)
                .collect();
            assert_eq!(errors, vec![value.to_string()], "{lang}: {text}");
        }
    }

    /// Our own hotline, named as ours, is where they called, not their number; a number
    /// glued to a reference ("ARV-2026-5521") is none.
    #[test]
    fn our_hotline_and_reference_digits_are_not_their_phone() {
        let cases = [
            ("en", "Your hotline 0800 555 0100 is always busy. Please call me back on 020 7946 0321.", Some("020 7946 0321")),
            ("de", "Ihre Hotline 0800 555 0100 ist dauernd besetzt. Bitte rufen Sie mich unter 030 1234567 zurück.", Some("030 1234567")),
            ("zh", "你们的热线 400-820-0000 一直占线。\n请尽快给我回个电话：0571-2836 9105。", Some("0571-2836 9105")),
            ("ja", "貴社のサポート窓口 0120-555-010 に2回電話しましたが、つながりませんでした。折り返しお電話ください。", None),
            ("ko", "고객센터 1588-0000 은 계속 통화 중입니다. 010-2734-6618 로 전화 부탁드립니다.", Some("010-2734-6618")),
            ("he", "הקו שלכם 03-555-0100 תפוס כל הזמן. אנא התקשרו אליי: 052-555-7781", Some("052-555-7781")),
            ("et", "Arved ARV-2026-5521 ja ARV-2026-5522 on topelt. Palun helistage mulle.", None),
            ("en", "Invoices INV2026-55210 and INV2026-55211 were both charged. Please call me.", None),
            // After a kana or Han character a number is not glued to a reference.
            ("ja", "折り返しお電話ください。電話番号は090-1234-5678です。", Some("090-1234-5678")),
        ];
        for (lang, text, phone) in cases {
            assert_eq!(
                builtin(lang, text).phone.as_deref(),
                phone,
                "{lang}: {text}"
            );
        }
    }

    /// "Today" with the thing needed between the need and it, in each language's order
    /// (round-7 reviews de ko en: "brauche den Zugang für die Angebote heute", "오늘 업무 때문에
    /// 꼭 접속해야"); "today" beside no need, or as when it started, is no deadline.
    #[test]
    fn today_with_what_is_needed_between_the_need_and_it_is_a_deadline() {
        for (lang, text) in [
            ("en", "Reset\nThe reset email never arrives. I need my files for a client today."),
            ("en", "Access\nWe need access to the shared folder today for a board meeting."),
            ("de", "Anmeldung\nIch kann mich nicht anmelden und brauche den Zugang für die Angebote heute."),
            ("de", "Rechnung\nWir brauchen die korrigierte Rechnung heute für die Buchhaltung."),
            ("fr", "Accès\nLe mail n'arrive pas. J'ai besoin de mes fichiers pour un client aujourd'hui."),
            ("ko", "로그인\n재설정 메일이 오지 않습니다. 오늘 업무 때문에 꼭 접속해야 합니다."),
            ("ko", "로그\n오늘 감사 때문에 접속 로그가 반드시 필요합니다."),
            ("zh", "登录\n重置邮件一直收不到。我今天上午需要导出报表。"),
            ("es", "Acceso\nNo me llega el correo. Necesito mis archivos hoy para un cliente."),
        ] {
            let s = builtin(lang, text);
            assert_eq!(s.deadline.as_deref(), Some("today"), "{lang}: {text}");
            assert_eq!(s.deadline_time, None, "{lang}: {text}");
        }
        for (lang, text) in [
            ("en", "Export\nToday I noticed the export is empty."),
            ("en", "Export\nThe export is empty today. Can you check it?"),
            (
                "de",
                "Export\nHeute ist mir aufgefallen, dass der Export leer ist.",
            ),
            (
                "fr",
                "Export\nAujourd'hui j'ai remarqué que l'export est vide.",
            ),
            ("ko", "메일\n오늘 보낸 메일 확인해 주세요."),
            ("ko", "로그인\n오늘부터 로그인이 안 되니 꼭 확인해 주세요."),
            ("zh", "邮件\n请查看我今天发的邮件。"),
        ] {
            assert_eq!(builtin(lang, text).deadline, None, "{lang}: {text}");
        }
    }

    #[test]
    fn a_deadline_at_a_time_of_day_keeps_the_time_in_each_language() {
        let cases = [
            ("en", "Report\nWe need the report by 3 pm, please.", "15:00"),
            ("en", "Access\nI need access restored by 9:30am.", "09:30"),
            (
                "de",
                "Lizenzen\nWir brauchen die zwei Lizenzen spätestens bis 15 Uhr.",
                "15:00",
            ),
            (
                "fr",
                "Devis\nNous avons besoin du devis avant 15h.",
                "15:00",
            ),
            ("ja", "見積書\n見積書を15時までにお送りください。", "15:00"),
            (
                "ko",
                "견적서\n견적서를 오후 3시까지 꼭 보내 주세요.",
                "15:00",
            ),
            ("zh", "报价\n请在下午3点前把报价单发给我。", "15:00"),
            (
                "he",
                "הצעת מחיר\nאני צריכה את הצעת המחיר עד 15:00, בבקשה.",
                "15:00",
            ),
        ];
        for (lang, text, time) in cases {
            let s = builtin(lang, text);
            assert_eq!(s.deadline.as_deref(), Some("today"), "{lang}: {text}");
            assert_eq!(s.deadline_time.as_deref(), Some(time), "{lang}: {text}");
        }
        // A time of day on another day is that day's: no time of today.
        let s = builtin(
            "de",
            "Lizenzen\nWir brauchen die Lizenzen morgen bis 15 Uhr.",
        );
        assert_eq!(s.deadline_time, None, "{s:?}");
        // "By 3:00" could be either half of the day in English: today, without a time.
        let s = builtin("en", "Report\nWe need the report by 3:00 today.");
        assert_eq!(s.deadline_time, None, "{s:?}");
    }

    #[test]
    fn a_call_window_is_read_next_to_a_call_request_in_each_language() {
        let w = |day: Option<&str>, part: Option<&str>, from: Option<&str>, to: Option<&str>| {
            Some(CallWindow {
                day: day.map(str::to_string),
                part: part.map(str::to_string),
                from: from.map(str::to_string),
                to: to.map(str::to_string),
            })
        };
        let cases = [
            (
                "en",
                "Backup\nCould you call me back between 2 and 4 pm?",
                w(None, None, Some("14:00"), Some("16:00")),
            ),
            // Round 11 (en he): the window in the sentence after the call request, said as
            // being free ("I'm free …") or as "get back to me" beside a wish to talk by phone.
            (
                "en",
                "Folders\nCould someone give me a call on 617-555-0142? I'm free between 2-4pm.",
                w(None, None, Some("14:00"), Some("16:00")),
            ),
            (
                "he",
                "חשבון\nאני מעדיף לדבר עם מישהו בטלפון. אפשר שתחזרו אליי בין 14:00 ל-16:00?\nהמספר שלי: 054-7123456",
                w(None, None, Some("14:00"), Some("16:00")),
            ),
            (
                "en",
                "Backup\nPlease call me back. I'm available after 17:00.",
                w(None, None, Some("17:00"), None),
            ),
            (
                "en",
                "Backup\nPlease call me tomorrow morning on 01632 960412.",
                w(Some("2026-12-10"), Some("morning"), None, None),
            ),
            (
                "en",
                "Backup\nCan you call me this afternoon?",
                w(Some("today"), Some("afternoon"), None, None),
            ),
            (
                "de",
                "Tarif\nBitte rufen Sie mich zwischen 14 und 16 Uhr an.",
                w(None, None, Some("14:00"), Some("16:00")),
            ),
            (
                "de",
                "Tarif\nBitte um Rückruf, ich bin heute Nachmittag erreichbar.",
                w(Some("today"), Some("afternoon"), None, None),
            ),
            (
                "fr",
                "Sauvegarde\nPouvez-vous me rappeler entre 14h et 16h ?",
                w(None, None, Some("14:00"), Some("16:00")),
            ),
            (
                "ja",
                "バックアップ\n14時〜16時の間にお電話ください。",
                w(None, None, Some("14:00"), Some("16:00")),
            ),
            (
                "ja",
                "バックアップ\n午後2時から4時の間にお電話ください。",
                w(None, None, Some("14:00"), Some("16:00")),
            ),
            (
                "ja",
                "バックアップ\n明日の午前中にお電話ください。",
                w(Some("2026-12-10"), Some("morning"), None, None),
            ),
            (
                "ko",
                "백업\n오늘 오후 2시에서 4시 사이에 전화 주세요.",
                w(Some("today"), None, Some("14:00"), Some("16:00")),
            ),
            ("ko", "백업\n5시 이후에 전화 부탁드립니다.", None),
            (
                "ko",
                "백업\n오후 5시 이후에 전화 부탁드립니다.",
                w(None, None, Some("17:00"), None),
            ),
            (
                "zh",
                "备份\n请在下午两点到四点之间给我回电。",
                w(None, None, Some("14:00"), Some("16:00")),
            ),
            (
                "he",
                "גיבוי\nנא להתקשר אליי בין 14:00 ל-16:00.",
                w(None, None, Some("14:00"), Some("16:00")),
            ),
            (
                "he",
                "גיבוי\nאשמח לשיחה חוזרת מחר בבוקר.",
                w(Some("2026-12-10"), Some("morning"), None, None),
            ),
        ];
        for (lang, text, want) in cases {
            assert_eq!(builtin(lang, text).call_window, want, "{lang}: {text}");
        }
    }

    #[test]
    fn today_written_just_before_a_time_of_day_keeps_the_time() {
        let cases = [
            (
                "de",
                "Protokoll\nKönnen Sie uns das Protokoll bitte bis heute 15 Uhr zukommen lassen?",
            ),
            (
                "de",
                "Protokoll\nWir brauchen das Protokoll spätestens heute um 15:00 Uhr.",
            ),
            (
                "ja",
                "見積書\n本日15時までに、PDFでお送りいただくことは可能でしょうか。",
            ),
            ("zh", "报告\n我们今天下午3点之前必须把报告交给审计师。"),
            ("ko", "로그\n오늘 오후 3시까지 꼭 보내 주세요."),
            (
                "et",
                "Kinnitus\nPalun saatke kinnitus hiljemalt täna kella 15-ks.",
            ),
            ("fr", "Attestation\nIl me la faut avant 15 h aujourd'hui."),
            (
                "fr",
                "Attestation\nIl me faut l'attestation aujourd'hui avant 15 heures.",
            ),
            (
                "es",
                "Certificado\nNecesito el certificado antes de las 3 de la tarde de hoy.",
            ),
        ];
        for (lang, text) in cases {
            let s = builtin(lang, text);
            assert_eq!(s.deadline.as_deref(), Some("today"), "{lang}: {text}");
            assert_eq!(s.deadline_time.as_deref(), Some("15:00"), "{lang}: {text}");
        }
        // A time of today with nothing needed by it is no deadline time.
        for (lang, text) in [
            (
                "fr",
                "Sauvegarde\nTout fonctionnait aujourd'hui avant 15 h.",
            ),
            ("de", "Backup\nDas Backup lief heute um 15 Uhr nicht."),
            ("zh", "导出\n今天下午3点开始导出一直报错。"),
            ("ja", "バックアップ\n本日15時にバックアップが失敗しました。"),
        ] {
            assert_eq!(builtin(lang, text).deadline_time, None, "{lang}: {text}");
        }
    }

    /// An appointment they have today at a time is what they need it by (round 11: "we have a
    /// client presentation at 11", "Ich habe um 10 Uhr einen Mandantentermin"), in every
    /// language's word order; one they had, or one on another day, is not.
    #[test]
    fn an_appointment_at_a_time_today_is_the_time_they_need_it_by() {
        let cases = [
            ("en", "Login\nPlease help, we have a client presentation at 11 am.", "11:00"),
            ("en", "Login\nI've got my quarterly review meeting at 2 pm.", "14:00"),
            ("de", "Login\nIch habe um 10 Uhr einen Mandantentermin!", "10:00"),
            ("de", "Login\nWir haben eine Präsentation um 14:30 Uhr.", "14:30"),
            ("et", "Login\nMeil on kell 11 kliendikohtumine ja mul on dokumente vaja.", "11:00"),
            ("et", "Login\nMul on koosolek kell 14:00.", "14:00"),
            ("fr", "Connexion\nJ'ai un rendez-vous client à 14h et tout est dessus.", "14:00"),
            ("fr", "Connexion\nNous avons une réunion importante à 10h30.", "10:30"),
            ("es", "Acceso\nTengo una reunión con un cliente a las 12.", "12:00"),
            ("es", "Acceso\nTenemos una presentación a las 16:00.", "16:00"),
            ("he", "כניסה\nיש לי פגישה עם לקוח ב-11:00 והכול שם.", "11:00"),
            ("ja", "ログイン\n本日10時から客先で図面を見せる予定があるので、それまでに何とかしたいです。", "10:00"),
            ("ja", "ログイン\n午後3時に打ち合わせがあります。", "15:00"),
            ("ko", "로그인\n오후 1시에 고객사 발표가 있어서 그 전까지 꼭 들어가야 합니다.", "13:00"),
            ("ko", "로그인\n오전 11시에 회의가 있습니다.", "11:00"),
            ("zh", "登录\n下午三点前要给客户出报表，拜托尽快！", "15:00"),
            ("zh", "登录\n今天10点前得交材料。", "10:00"),
            // Round 12: the time first, the appointment after it, a word between.
            ("de", "Login\nUm 10 Uhr hab ich einen Kundentermin!", "10:00"),
            ("et", "Login\nMeil on täna kell 11 kliendiga kohtumine.", "11:00"),
            ("ja", "ログイン\n本日11時からの打ち合わせで使う書類が入っています。", "11:00"),
            ("zh", "登录\n十点钟要给客户做演示，急！", "10:00"),
            // Round 19 ja 02: the meeting named by its time, what they must do at it after.
            ("ja", "ダッシュボード\n本日15時の役員会議でレポートを提出する必要があり、それまでに復旧しないと困ります。", "15:00"),
            ("ja", "ログイン\n本日10時から、顧客向けのデモで管理画面を使う予定です。", "10:00"),
        ];
        let mut wrong: Vec<String> = cases
            .iter()
            .filter_map(|&(lang, text, time)| {
                let s = builtin(lang, text);
                let got = (s.deadline.as_deref(), s.deadline_time.as_deref());
                (got != (Some("today"), Some(time))).then(|| format!("{lang}: {text}: {got:?}"))
            })
            .collect();
        for (lang, text) in [
            (
                "en",
                "Login\nWe had a client presentation at 11:00 and could not log in.",
            ),
            ("en", "Login\nWe have a meeting at 2 pm tomorrow."),
            (
                "de",
                "Login\nIch hatte um 10 Uhr einen Termin und kam nicht rein.",
            ),
            ("de", "Login\nIch habe morgen um 10 Uhr einen Termin."),
            (
                "fr",
                "Connexion\nJ'avais un rendez-vous à 14h, impossible de me connecter.",
            ),
            ("es", "Acceso\nTenía una reunión a las 12 y no pude entrar."),
            ("et", "Login\nMeil oli kell 11 kohtumine."),
            ("ja", "ログイン\n明日10時から打ち合わせの予定があります。"),
            ("ko", "로그인\n내일 오후 1시에 발표가 있습니다."),
            ("zh", "登录\n昨天下午三点前还好好的。"),
            // Written at 09:00: an appointment of today already over is no deadline.
            ("en", "Login\nWe have a client presentation at 8 am today."),
            (
                "ja",
                "ログイン\n本日8時の会議で使えないことが分かりました。",
            ),
        ] {
            if let Some(t) = builtin(lang, text).deadline_time {
                wrong.push(format!("{lang}: {text}: read {t}"));
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
        // Round 16 (ja #22): tomorrow's appointment at a time, other words for it, is the day
        // they need it by (its time is kept only for today's).
        for text in [
            "VPN\n明日の朝10時から客先とのリモート作業があるので、それまでに何とかしたいです。",
            "VPN\n明日14時からミーティングがあります。",
        ] {
            assert_eq!(
                builtin("ja", text).deadline.as_deref(),
                Some("2026-12-10"),
                "{text}"
            );
        }
    }

    #[test]
    fn a_call_window_inside_a_call_question_or_after_when_it_suits_them_is_read() {
        let cases = [
            (
                "de",
                "Bitte um Rückruf\nKönnten Sie mich bitte zwischen 14 und 16 Uhr unter 0421 5567 2390 zurückrufen?",
            ),
            ("de", "Bitte um Rückruf\nKönnten Sie mich bitte von 14 bis 16 Uhr anrufen?"),
            (
                "et",
                "Helistamine\nPalun helistage mulle täna. Mulle sobib kõige paremini kella 14 ja 16 vahel.",
            ),
            (
                "ja",
                "お電話のお願い\nお電話ください。\nご都合のよい時間帯：平日の14時から16時の間",
            ),
        ];
        for (lang, text) in cases {
            let w = builtin(lang, text).call_window;
            let got = w.as_ref().map(|w| (w.from.as_deref(), w.to.as_deref()));
            assert_eq!(got, Some((Some("14:00"), Some("16:00"))), "{lang}: {text}");
        }
        // The same words in a message that asks for no call are no window.
        for (lang, text) in [
            ("de", "Backup\nIch habe zwischen 14 und 16 Uhr versucht, Sie anzurufen."),
            ("et", "Varukoopia\nMulle sobib, et varukoopia tehakse kella 14 ja 16 vahel."),
            ("ja", "バックアップ\nご都合のよい時間帯に14時から16時の間のバックアップを確認してください。"),
        ] {
            assert_eq!(builtin(lang, text).call_window, None, "{lang}: {text}");
        }
    }

    #[test]
    fn a_time_without_a_call_request_or_outside_its_sentence_is_no_call_window() {
        for (lang, text) in [
            ("en", "Backup\nThe backup failed between 2 and 4 pm. What happened?"),
            ("en", "Backup\nThe backup failed between 2 and 4 pm. Please call me back."),
            ("de", "Backup\nDas Backup lief zwischen 14 und 16 Uhr nicht."),
            ("ja", "バックアップ\n14時〜16時の間、バックアップが失敗しました。"),
            ("ko", "백업\n오후 2시에서 4시 사이에 백업이 실패했습니다."),
            ("he", "גיבוי\nהגיבוי נכשל בין 14:00 ל-16:00."),
            // Someone who wants email only is never given a call window.
            ("en", "Backup\nPlease don't call me, email only. Call me between 2 and 4 pm is not possible."),
        ] {
            assert_eq!(builtin(lang, text).call_window, None, "{lang}: {text}");
        }
    }

    /// Round 18 ja 16: the sentence that gives their number says when to ring it, even where
    /// no call is asked for in so many words ("お電話の場合は"); there only a span of the clock
    /// counts, not a part of the day or a negated one. The number is printed without the
    /// bracket it stands in ("携帯(090-…)").
    #[test]
    fn the_hours_beside_their_number_are_when_to_call_it() {
        let clock = |w: Option<CallWindow>| w.map(|w| (w.from, w.to, w.part));
        let s = |x: &str| Some(x.to_string());
        for (lang, text, want) in [
            ("ja", "同期\nいつまでに回答いただけるのか教えてください。\nお電話の場合は、平日18時以降に携帯(090-1234-5678)へお願いします。", (s("18:00"), None, None)),
            ("en", "Case\nI'd like a call back. My number is (617) 555-0172, I'm at my desk until 6pm.", (None, s("18:00"), None)),
            ("es", "Caso\nQue me llame una persona. Mi móvil es el 666 31 20 84, de 9 a 14.", (s("09:00"), s("14:00"), None)),
        ] {
            assert_eq!(clock(builtin(lang, text).call_window), Some(want), "{lang}: {text}");
        }
        assert_eq!(
            builtin(
                "ja",
                "同期\nお電話の場合は、平日18時以降に携帯(090-1234-5678)へお願いします。"
            )
            .phone
            .as_deref(),
            Some("090-1234-5678")
        );
        for (lang, text) in [
            ("es", "Caso\nMi móvil es el 622 118 904, mejor por las mañanas, que por la tarde estoy con clientas."),
            ("ko", "연락\n010-7730-2291, 오전에는 밭에 있어서 오후가 좋습니다."),
            ("et", "Helistamine\nPalun ärge helistage kella 14 ja 16 vahel, number +372 5123 4567."),
            ("en", "Backup\nThe backup failed between 2 and 4 pm. My number is +44 20 7946 0321."),
        ] {
            assert_eq!(builtin(lang, text).call_window, None, "{lang}: {text}");
        }
    }

    /// The colleagues the built-in rules read in `text` (subject line first) from a customer
    /// called `customer`, who signs with `signature`.
    fn colleagues(lang: &str, text: &str, customer: &str, signature: &str) -> Vec<String> {
        let own = format!("{text}\n\n{signature}");
        let rules = built_in_rules();
        let s = rules.signals.read(&Input {
            languages: &rules.reference_languages(lang),
            norm: &normalize(text),
            text,
            own_text: &own,
            attachments: 0,
            sent: Sent::default(),
            not_colleagues: &[customer, "Example Cloud Support"],
        });
        assert!(!s.gave_references(), "a name is not a detail of the case");
        s.colleagues().map(str::to_string).collect()
    }

    #[test]
    fn colleagues_thanked_by_name_in_every_language() {
        let cases: &[(&str, &str, &[&str])] = &[
            ("en", "Thanks\nMany thanks to Maria from your support team, she sorted it in ten minutes.", &["Maria"]),
            ("en", "Thanks\nA big thank you to Jonas and Priya! Please thank Mr. Okafor for his patience.", &["Jonas", "Priya"]),
            ("de", "Danke\nHerr Schulz hat mir super geholfen. Vielen Dank!", &["Herr Schulz"]),
            ("de", "Danke\nIch möchte mich bei Herrn Yilmaz für die schnelle Hilfe bedanken.", &["Herr Yilmaz"]),
            ("fr", "Merci\nUn grand merci à Sophie du support, qui a tout réglé.", &["Sophie"]),
            ("es", "Gracias\nMuchas gracias a Laura del soporte, fue muy amable.", &["Laura"]),
            ("et", "Aitäh\nMari klienditoest aitas mind väga kiiresti.", &["Mari"]),
            ("he", "תודה\nתודה רבה לדנה מהתמיכה, היא פתרה לי את הבעיה.", &["דנה"]),
            ("ja", "お礼\n田中さんのご対応に感謝します。", &["田中"]),
            ("ko", "감사\n김지은 매니저님 덕분에 빨리 해결했습니다.", &["김지은 매니저"]),
            ("zh", "感谢\n客服小王非常耐心，帮我解决了问题。", &["小王"]),
        ];
        for (lang, text, want) in cases {
            assert_eq!(
                colleagues(lang, text, "Alex Kim", "Alex Kim"),
                *want,
                "{lang}: {text}"
            );
        }
    }

    #[test]
    fn no_colleague_without_an_explicit_thanks_to_a_name() {
        let cases = [
            // A capitalised word that is not a name, after a trigger.
            ("en", "Thanks\nThanks to Support for the quick fix!"),
            (
                "en",
                "Thanks\nThanks to the update everything works. Restarting was very helpful.",
            ),
            (
                "de",
                "Danke\nDanke an Ihr Team für die schnelle Hilfe! Das Update hat mir geholfen.",
            ),
            (
                "de",
                "Danke\nDer Techniker vom Support hat mir super geholfen.",
            ),
            (
                "es",
                "Gracias\nGracias a Dios ya funciona. Gracias a Google encontré la solución.",
            ),
            ("fr", "Merci\nMerci à vous et à toute l'équipe."),
            // Praise denied, or thanks for nothing.
            (
                "en",
                "Complaint\nMaria from your support team was not helpful at all.",
            ),
            (
                "en",
                "Complaint\nNo thanks to Maria from your support team.",
            ),
            (
                "de",
                "Beschwerde\nHerr Schulz war unfreundlich und hat mir nicht geholfen.",
            ),
            ("he", "תלונה\nדנה מהתמיכה לא עזרה לי בכלל."),
            ("zh", "投诉\n客服小王态度很差，一点都不耐心，谢谢。"),
            ("ko", "불만\n김지은 매니저님이 불친절하게 응대했습니다."),
            // Words that look like names there and are not.
            ("he", "תודה\nתודה רבה לכם על העזרה, הנציג היה סבלני מאוד."),
            (
                "ja",
                "お礼\n皆さんのおかげで解決しました。担当者様に感謝します。",
            ),
            ("ko", "감사\n고객센터 선생님들 덕분에 해결했습니다."),
            ("zh", "感谢\n感谢客服高效的处理，谢谢！"),
        ];
        for (lang, text) in cases {
            assert!(
                colleagues(lang, text, "Alex Kim", "").is_empty(),
                "{lang}: {text}"
            );
        }
    }

    #[test]
    fn the_customers_own_name_is_never_a_colleague() {
        // From their display name, and from their signature (not part of the new text).
        let cases = [
            (
                "en",
                "Thanks\nThanks to Maria from your support team!",
                "Maria Lopez",
                "",
            ),
            (
                "en",
                "Thanks\nThanks to Maria from your support team!",
                "",
                "Best,\nMaria Lopez\nAcme Ltd",
            ),
            (
                "ja",
                "お礼\n田中さんのご対応に感謝します。",
                "田中 太郎",
                "",
            ),
            ("ko", "감사\n김지은 님께 감사드립니다.", "김지은", ""),
            ("he", "תודה\nתודה רבה לדנה מהתמיכה!", "דנה כהן", ""),
        ];
        for (lang, text, customer, signature) in cases {
            assert!(
                colleagues(lang, text, customer, signature).is_empty(),
                "{lang}: {text} from {customer} / {signature}"
            );
        }
        // Our own company's name is not a colleague's either.
        let ours = colleagues(
            "en",
            "Thanks\nThanks to Cloud from your support team!",
            "",
            "",
        );
        assert!(ours.is_empty(), "{ours:?}");
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
        let s = b.build().read(&Input {
            languages: &[0],
            norm: &normalize(text),
            text,
            own_text: "",
            attachments: 0,
            sent,
            not_colleagues: &[],
        });
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
        let s = b.build().read(&Input {
            languages: &[0],
            norm: "s\nby friday",
            text: "",
            own_text: "",
            attachments: 0,
            sent: Sent::default(),
            not_colleagues: &[],
        });
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
        // An account's address is read by phrases, never by a pattern of its own.
        let raw: RawSignals =
            toml::from_str("refs.account = ['login (?P<v>\\S+@\\S+)']").expect("toml");
        let err = Builder::default().add(&raw, 0).expect_err("refused");
        assert_eq!(err.0, "signals.refs.account");
        // A colleague's name is not a reference pattern's.
        let raw: RawSignals =
            toml::from_str("refs.colleague = ['thanks to (?P<v>\\w+)']").expect("toml");
        let err = Builder::default().add(&raw, 0).expect_err("refused");
        assert_eq!(err.0, "signals.refs.colleague");
    }

    /// What the built-in rules read in `text`, written in `lang` on Wednesday 18 November
    /// 2026 at 08:12 UTC.
    fn built_in(lang: &str, text: &str) -> Signals {
        let rules = built_in_rules();
        let l = rules
            .languages
            .iter()
            .position(|x| x == lang)
            .expect("language");
        let sent = Sent {
            date: Some(
                DateTime::parse_from_rfc3339("2026-11-18T08:12:00Z")
                    .expect("date")
                    .with_timezone(&Utc),
            ),
            utc_offset: Some("+00:00"),
        };
        rules.signals.read(&Input {
            languages: &[l],
            norm: &normalize(text),
            text,
            own_text: "",
            attachments: 0,
            sent,
            not_colleagues: &[],
        })
    }

    fn area(lang: &str, text: &str) -> Option<String> {
        built_in(lang, text).area
    }

    #[test]
    fn the_function_written_about_is_read_in_each_language() {
        for (lang, text, key) in [
            (
                "en",
                "Since the update our CSV export puts dates in the wrong column.",
                "export",
            ),
            (
                "en",
                "The Google Calendar sync stopped after the update.",
                "calendar",
            ),
            (
                "en",
                "Two coordinators lost access to the shared folder for the wedding project.",
                "shared_folder",
            ),
            ("en", "I can't open the dashboard any more.", "dashboard"),
            (
                "de",
                "Der CSV-Export liefert seit Dienstag leere Dateien.",
                "export",
            ),
            (
                "de",
                "Die Kalendersynchronisierung läuft nicht mehr.",
                "calendar",
            ),
            (
                "de",
                "Seit dem Update klappt die Synchronisierung nicht.",
                "sync",
            ),
            (
                "de",
                "Unsere Datensicherung ist heute Nacht abgebrochen.",
                "backup",
            ),
            ("fr", "L'export des contacts ne marche plus.", "export"),
            ("es", "La sincronización con el móvil falla.", "sync"),
            ("et", "Andmete eksport ei tööta.", "export"),
            ("zh", "更新以后日历同步一直失败。", "calendar"),
            ("zh", "手机和电脑之间的同步不能用了。", "sync"),
            ("ja", "毎晩のバックアップが失敗します。", "backup"),
            ("ko", "어제부터 구글 캘린더 동기화가 안 됩니다.", "calendar"),
            ("ko", "CSV 내보내기가 실패합니다.", "export"),
            ("he", "הסנכרון עם יומן גוגל הפסיק לעבוד.", "sync"),
            ("he", "אין לנו גישה לתיקייה המשותפת.", "shared_folder"),
        ] {
            assert_eq!(area(lang, text).as_deref(), Some(key), "{lang}: {text}");
        }
    }

    #[test]
    fn words_that_only_contain_a_function_name_are_no_area() {
        for (lang, text) in [
            (
                "en",
                "It is important that you answer rapidly, I'm not happy.",
            ),
            ("en", "I'd like to report that my invoice is wrong."),
            (
                "de",
                "Nach dem letzten Abrechnungslauf stimmt unsere Versicherung nicht mehr.",
            ),
            ("de", "Ich suche die Rechnung vom Oktober."),
            (
                "fr",
                "Par rapport au mois dernier, la facture est plus élevée.",
            ),
            ("es", "No importa, pero la factura es incorrecta."),
            ("et", "Teil on õigus, arve on vale."),
        ] {
            assert_eq!(area(lang, text), None, "{lang}: {text}");
        }
    }

    #[test]
    fn copies_asked_as_questions_pdf_copies_and_duplicates() {
        for (lang, text) in [
            (
                "en",
                "Could you send me a PDF copy of invoice INV-30017, please?",
            ),
            ("en", "Can you send us a duplicate for the October invoice?"),
            (
                "de",
                "Könnten Sie mir bitte eine Kopie der Rechnung schicken?",
            ),
            (
                "es",
                "¿Podrían enviarnos una copia de la factura de octubre?",
            ),
            (
                "et",
                "Palun saatke mulle oktoobri arvest koopia, kas saaksite arvest koopiat saata?",
            ),
            ("et", "Vajan septembri arvest koopiat raamatupidajale."),
            ("he", "אפשר לקבל העתק של החשבונית מאוקטובר?"),
            ("ja", "10月分の請求書をPDFで送っていただけますか。"),
            ("ko", "지난달 청구서 사본을 보내 주실 수 있나요?"),
            ("zh", "能否发一份十月的发票给我？"),
        ] {
            let s = built_in(lang, text);
            assert!(s.asks.iter().any(|a| a == "copy"), "{lang}: {text}");
        }
        for (lang, text) in [
            ("en", "Attached is a PDF copy of the invoice you sent."),
            ("de", "Anbei die Kopie der Rechnung."),
        ] {
            let s = built_in(lang, text);
            assert!(!s.asks.iter().any(|a| a == "copy"), "{lang}: {text}");
        }
    }

    #[test]
    fn a_time_of_day_they_need_it_by_is_a_deadline_today() {
        for (lang, text) in [
            ("en", "I need access before my 9:30 meeting."),
            ("en", "I need the report by 2pm."),
            ("en", "We need this working until 18:00 today."),
            ("de", "Ich brauche den Zugang heute bis 14 Uhr."),
            ("fr", "J'en ai besoin avant 17h."),
            ("es", "Necesito el acceso antes de las 15:00."),
            ("et", "Vajan ligipääsu täna kella 15-ks."),
            ("he", "אני צריכה גישה עד השעה 14:00 היום."),
            ("ja", "本日15時までに対応をお願いします。"),
            ("ko", "오늘 오후 3시까지 처리해 주세요."),
            ("zh", "请在今天下午三点前帮我恢复账号。"),
            ("zh", "我需要下午三点前处理好。"),
        ] {
            let s = built_in(lang, text);
            assert_eq!(s.deadline.as_deref(), Some("today"), "{lang}: {text}");
        }
        for (lang, text) in [
            ("en", "I called at 9:30 and nobody answered."),
            ("en", "I need it by 2pm tomorrow."),
            ("de", "Wir haben bis 18 Uhr geöffnet."),
            ("de", "Ich brauche es morgen bis 14 Uhr."),
            ("ja", "明日15時までに対応をお願いします。"),
        ] {
            let s = built_in(lang, text);
            assert_ne!(s.deadline.as_deref(), Some("today"), "{lang}: {text}");
        }
    }

    /// Native reviewers (7 of 9 languages): a customer charged twice got "if we find you were
    /// charged more than you should have been". The double charge is read as natives write
    /// it, with the amount or other words between; "twice" about anything else is not it.
    #[test]
    fn charged_twice_as_natives_write_it_and_not_twice_about_anything_else() {
        for (lang, text) in [
            ("en", "We've been charged twice for our December subscription - two payments of £249.00 each."),
            ("en", "You charged my card €49.90 twice this month."),
            ("en", "There is a duplicate payment on our statement for invoice INV-12044."),
            ("en", "Why have we been double-charged for December?"),
            ("de", "Uns wurde das Dezember-Abo doppelt abgebucht."),
            ("de", "Sie haben die Rechnung INV-4471 diesen Monat zweimal abgebucht."),
            ("de", "Der Betrag wurde zweimal von unserem Konto eingezogen."),
            ("fr", "Vous m'avez prélevé 29,90 € deux fois ce mois-ci."),
            ("fr", "Nous constatons un double prélèvement sur notre compte."),
            ("fr", "J'ai été débitée deux fois pour la même facture."),
            ("es", "Me han cobrado dos veces la suscripción de diciembre."),
            ("es", "Veo un cargo duplicado en mi tarjeta."),
            ("es", "Nos cobraron 49,90 € dos veces este mes."),
            ("et", "Detsembri tellimuse eest võeti meilt raha kaks korda."),
            ("et", "Arve summa debiteeriti meie kontolt kaks korda."),
            ("et", "Kaardilt tehti topeltmakse."),
            ("he", "חויבתי פעמיים על המנוי של דצמבר."),
            ("he", "יש חיוב כפול בכרטיס האשראי שלנו."),
            ("he", "חייבתם אותנו החודש פעמיים על אותה חשבונית."),
            ("ja", "12月分の利用料が二重に請求されています。"),
            ("ja", "同じ金額が2回引き落とされました。"),
            ("ja", "クレジットカードに二重課金されています。"),
            ("ko", "12월 구독료가 두 번 결제되었습니다."),
            ("ko", "카드에서 중복 결제가 발생했습니다."),
            ("ko", "같은 금액이 두 번 출금되었어요."),
            ("zh", "这个月被扣了两次费。"),
            ("zh", "我的信用卡被重复扣款了。"),
            ("zh", "同一张发票收了两次钱。"),
        ] {
            assert!(reads(lang, "charged_twice", text), "{lang}: {text}");
        }
        for (lang, text) in [
            (
                "en",
                "I emailed twice about this invoice and got no answer.",
            ),
            (
                "en",
                "We have two users on the plan and were charged for three.",
            ),
            ("en", "I've already reset my password twice."),
            ("en", "The payment failed twice before it went through."),
            (
                "en",
                "We were not charged twice, the second payment was declined.",
            ),
            (
                "de",
                "Ich habe Ihnen wegen der Abbuchung schon zweimal geschrieben.",
            ),
            ("de", "Uns wurde nicht doppelt abgebucht."),
            (
                "fr",
                "Je vous ai écrit deux fois au sujet de ce prélèvement.",
            ),
            ("es", "Les he escrito dos veces sobre este cobro."),
            ("et", "Kirjutasin teile arve pärast juba kaks korda."),
            ("he", "כתבתי לכם פעמיים על החיוב הזה."),
            ("ja", "請求について2回問い合わせました。"),
            ("ko", "결제 문제로 두 번 연락드렸습니다."),
            ("zh", "关于这笔扣款我已经发了两次邮件。"),
            // A worry, not a charge (corpus/train T5-en-046, T4-de-065), and tax counted twice
            // on an invoice (T9-ja-089).
            ("en", "I don't want to update my card and get billed twice."),
            (
                "de",
                "Ich möchte jetzt nicht nochmal zahlen und dann doppelt belastet sein.",
            ),
            ("ja", "消費税が二重に計上されているものと思われます。"),
        ] {
            assert!(!reads(lang, "charged_twice", text), "{lang}: {text}");
        }
    }

    /// Native reviewers (en, es, et, ja, ko, zh): "is a fix coming, or should we go back to
    /// 5.1?" went unanswered. Going back to an earlier version is an ask, with the version
    /// they would go back to when they name it; a plan downgrade or the way back home is not.
    #[test]
    fn a_rollback_to_an_earlier_version_is_asked_for_in_every_language() {
        for (lang, text, previous) in [
            (
                "en",
                "Is there a fix coming, or should we go back to 5.1?",
                Some("5.1"),
            ),
            (
                "en",
                "Can we roll back to the previous version until this is fixed?",
                None,
            ),
            (
                "en",
                "How do I downgrade the desktop app to version 5.1?",
                Some("5.1"),
            ),
            ("de", "Sollen wir zurück auf 5.1 gehen?", Some("5.1")),
            (
                "de",
                "Können wir solange wieder eine ältere Version installieren?",
                None,
            ),
            (
                "fr",
                "Faut-il revenir à la version 5.1 en attendant ?",
                Some("5.1"),
            ),
            ("fr", "Pouvons-nous revenir à la version précédente ?", None),
            (
                "es",
                "¿Debemos volver a la versión 5.1 mientras tanto?",
                Some("5.1"),
            ),
            ("es", "¿Podemos volver a la versión anterior?", None),
            (
                "et",
                "Kas peaksime vanemale versioonile tagasi minema?",
                None,
            ),
            ("et", "Kas minna tagasi versioonile 5.1?", Some("5.1")),
            ("he", "האם כדאי לנו לחזור לגרסה 5.1?", Some("5.1")),
            ("he", "אפשר לחזור לגרסה הקודמת עד שזה יתוקן?", None),
            (
                "ja",
                "修正の予定はありますか。それとも5.1に戻すべきでしょうか。",
                Some("5.1"),
            ),
            ("ja", "以前のバージョンに戻したほうがよいですか。", None),
            ("ko", "이전 버전으로 되돌려야 할까요?", None),
            ("ko", "5.1 버전으로 다운그레이드해야 하나요?", Some("5.1")),
            ("zh", "会有修复吗，还是我们应该退回到5.1？", Some("5.1")),
            ("zh", "我们需要降级到旧版本吗？", None),
            ("zh", "能不能回退到上一个版本？", None),
            // "能不能", "是不是" ask: their 不 is no negation (corpus/train T4-zh-006).
            ("zh", "能不能先告诉我们怎么退回 4.1？", Some("4.1")),
            ("zh", "是不是应该退回到5.1？", Some("5.1")),
        ] {
            let s = built_in(lang, text);
            assert!(
                s.asks.iter().any(|a| a == "rollback"),
                "{lang}: {text}: {s:?}"
            );
            let found = s
                .refs
                .iter()
                .find(|r| r.kind == PREVIOUS)
                .map(|r| r.value.as_str());
            if previous.is_some() {
                assert_eq!(found, previous, "{lang}: {text}");
            }
        }
        for (lang, text) in [
            ("en", "We'd like to downgrade to the Basic plan next month."),
            (
                "en",
                "We don't want to go back to 5.1, we need the new export.",
            ),
            ("en", "I'll go back to the login page and try again."),
            ("de", "Wir möchten auf den kleineren Tarif downgraden."),
            ("fr", "Je reviens vers vous demain."),
            ("es", "Vuelvo a escribirles mañana."),
            ("he", "אני אחזור אליכם מחר."),
            ("ja", "ログイン画面に戻ります。"),
            ("ko", "요금제를 다운그레이드하고 싶습니다."),
            ("zh", "我们不想退回到5.1。"),
            // Going back they already tried is no question (corpus/train T4-zh-076, T17-ja-012).
            (
                "en",
                "We went back to 5.1 on one machine and it works there.",
            ),
            ("zh", "降回 7.2 就恢复了，但总不能一直不升级。"),
            (
                "ja",
                "試しに1台だけ 5.2.4 に戻したところ、その端末では正常に同期できました。",
            ),
            ("ko", "7.2로 되돌렸더니 정상으로 돌아왔습니다."),
        ] {
            let s = built_in(lang, text);
            assert!(!s.asks.iter().any(|a| a == "rollback"), "{lang}: {text}");
        }
    }

    #[test]
    fn still_failing_in_inflected_forms_and_other_word_orders() {
        for (lang, text) in [
            (
                "en",
                "The dashboard still doesn't load for us this morning.",
            ),
            ("en", "It keeps failing since yesterday evening."),
            ("de", "Das Problem tritt immer noch auf."),
            ("de", "Das Dashboard lädt weiterhin nicht."),
            (
                "fr",
                "Le tableau de bord ne se charge toujours pas ce matin.",
            ),
            ("fr", "Nos postes ne fonctionnent toujours pas."),
            ("es", "Sigo sin poder entrar en el panel esta mañana."),
            ("es", "Los informes siguen sin cargar."),
            ("et", "Teatan ikka veel kestvat probleemi töölauaga."),
            ("et", "Töölaud ei avane ikka veel."),
            ("et", "Tõrge püsib endiselt."),
            ("zh", "控制台仍未恢复，还是一片空白。"),
            ("ja", "今朝も表示されません。"),
            ("ja", "ダッシュボードがまだ表示されない状態です。"),
            ("ko", "대시보드가 아직 안돼요."),
            ("ko", "오늘 아침에도 문제가 계속되고 있습니다."),
            ("he", "ועדיין לא נטען לוח הבקרה."),
            ("he", "המערכת ממשיכה לקרוס."),
        ] {
            assert!(built_in(lang, text).still_failing, "{lang}: {text}");
        }
        for (lang, text) in [
            ("en", "The dashboard was down yesterday afternoon."),
            ("et", "Töölaud ei avanenud eile."),
            ("ko", "어제 오후에 대시보드가 안 열렸습니다."),
            ("he", "לוח הבקרה לא נטען אתמול."),
        ] {
            assert!(!built_in(lang, text).still_failing, "{lang}: {text}");
        }
    }

    /// Round 18 ja 08: an invoice asked for again because it is wrong is a correction, not a
    /// copy: the draft must not promise to send the wrong invoice again.
    #[test]
    fn a_corrected_invoice_is_no_copy() {
        let copy = |lang: &str, text: &str| built_in(lang, text).asks.iter().any(|a| a == "copy");
        for (lang, text) in [
            ("ja", "請求書は25名分で計算されています。訂正後の請求書を再発行していただけますでしょうか。"),
            ("en", "The invoice bills 25 users instead of 18. Could you please resend a corrected invoice?"),
            ("de", "Die Rechnung ist falsch. Bitte senden Sie mir eine korrigierte Rechnung."),
        ] {
            assert!(!copy(lang, text), "{lang}: {text}");
        }
        for (lang, text) in [
            (
                "ja",
                "請求書を紛失しました。請求書を再発行していただけますでしょうか。",
            ),
            (
                "en",
                "Could you please send me a copy of the October invoice?",
            ),
        ] {
            assert!(copy(lang, text), "{lang}: {text}");
        }
    }

    /// Round 19 ja 16, 19: whether they may add licences themselves, or what they must do
    /// first, was promised as licences added and billed. Asking whether it is all right,
    /// whether something is needed, or about doing it oneself is asking about the change.
    /// A lead-in ("いくつかまとめて相談させてください") and a letter's closing formula are no
    /// request to quote.
    #[test]
    fn asking_whether_one_may_do_it_oneself_is_no_request_for_it() {
        let licence =
            |lang: &str, text: &str| built_in(lang, text).asks.iter().any(|a| a == "licence");
        for (lang, text) in [
            ("ja", "ユーザーを5名追加したいです。ライセンスの追加は管理画面からで大丈夫ですか？"),
            ("ja", "もし先に追加ライセンスの購入など、こちらで対応が必要なことがあれば教えてください。"),
            ("en", "Can I add the extra licences myself from the admin page?"),
            ("de", "Kann ich zusätzliche Lizenzen selbst im Adminbereich hinzufügen?"),
        ] {
            assert!(!licence(lang, text), "{lang}: {text}");
        }
        for (lang, text) in [
            ("ja", "ライセンスを2つ追加していただけますでしょうか。"),
            (
                "en",
                "Could you please add two extra licences to our account?",
            ),
        ] {
            assert!(licence(lang, text), "{lang}: {text}");
        }
        for text in [
            "いくつかまとめて相談させてください。",
            "まずは略儀ながら書中をもちましてお願い申し上げます。",
        ] {
            assert_eq!(built_in("ja", text).request, None, "{text}");
        }
    }

    /// Round 19 ja 18: "11月分の請求書、まだ届いてないんですけど。" got the billing dispute's
    /// apology and was asked for the number of the invoice that never came. An invoice not
    /// received is one to send.
    #[test]
    fn an_invoice_that_never_arrived_is_one_to_send() {
        for (lang, text) in [
            ("ja", "11月分の請求書、まだ届いてないんですけど。"),
            ("en", "We still haven't received the invoice for November."),
            ("de", "Unsere Rechnung ist noch nicht angekommen."),
            ("fr", "Nous n'avons pas reçu la facture de novembre."),
            ("es", "No hemos recibido la factura de noviembre."),
            ("zh", "十一月的发票还没收到。"),
            ("ko", "11월 청구서를 받지 못했습니다."),
        ] {
            let asks = built_in(lang, text).asks;
            assert!(asks.iter().any(|a| a == "copy"), "{lang}: {text}: {asks:?}");
        }
    }

    /// Round 18 ja 10: a cancellation with its date between the contract and the verb.
    #[test]
    fn a_dated_cancellation_is_asked_for() {
        let s = built_in(
            "ja",
            "現在の契約(スタンダードプラン・5ユーザー)を\n12月31日で解約したいと考えています。",
        );
        assert!(s.asks.iter().any(|a| a == "cancel"), "{:?}", s.asks);
    }

    /// Round 18 ja 13: a first contact is not greeted "いつもお世話になっております". Only the
    /// present-tense statement counts: "the first time I contacted you" opens a repeat contact.
    #[test]
    fn a_first_contact_is_read_as_they_say_it_and_not_a_first_time_long_ago() {
        let first = |lang: &str, text: &str| {
            built_in(lang, text)
                .about
                .iter()
                .any(|a| a == "first_contact")
        };
        for (lang, text) in [
            ("en", "This is the first time I'm writing to support, so I hope this is the right address."),
            ("de", "Ich schreibe Ihnen zum ersten Mal, ich hoffe, ich bin hier richtig."),
            ("fr", "C'est la première fois que je vous écris."),
            ("es", "Es la primera vez que les escribo."),
            ("et", "Kirjutan teile esimest korda."),
            ("he", "אני פונה אליכם לראשונה."),
            ("ja", "初めてご連絡いたします。"),
            ("ko", "처음으로 연락드립니다."),
            ("zh", "初次联系，请多关照。"),
        ] {
            assert!(first(lang, text), "{lang}: {text}");
        }
        for (lang, text) in [
            (
                "en",
                "The first time I contacted you was in March, and nobody answered.",
            ),
            (
                "en",
                "This is not the first time I'm writing to you about this.",
            ),
            ("ja", "初めてお問い合わせしたのは先月です。"),
            ("ko", "처음 문의한 지 2주가 지났습니다."),
            ("zh", "第一次联系你们的时候没有人回复。"),
        ] {
            assert!(!first(lang, text), "{lang}: {text}");
        }
    }

    #[test]
    fn the_address_confirmed_as_the_accounts_in_other_words() {
        for (lang, text) in [
            ("en", "This is the address my account is registered to."),
            (
                "en",
                "My account uses this email, so please don't ask for another.",
            ),
            ("de", "Diese Adresse ist die im Konto hinterlegte."),
            (
                "fr",
                "Ne me demandez pas de vérifier l'adresse : c'est bien celle de mon compte.",
            ),
            ("es", "Esta dirección es la que figura en mi cuenta."),
            ("zh", "这个邮箱就是账户绑定的邮箱。"),
            ("ja", "このメールアドレスが登録されています。"),
            ("ko", "이 메일 주소가 계정에 등록된 주소입니다."),
            ("he", "והכתובת שממנה אני כותבת היא הכתובת של החשבון."),
            ("he", "זאת הכתובת הרשומה בחשבון."),
            ("et", "See ongi minu konto aadress."),
        ] {
            let s = built_in(lang, text);
            assert!(
                s.about.iter().any(|a| a == "address_confirmed"),
                "{lang}: {text}"
            );
        }
        for (lang, text) in [
            ("ja", "このアドレスが登録されていないと表示されます。"),
            ("ko", "이 주소가 등록되지 않았다고 나옵니다."),
            ("es", "Esta dirección es la de mi antiguo trabajo."),
        ] {
            let s = built_in(lang, text);
            assert!(
                !s.about.iter().any(|a| a == "address_confirmed"),
                "{lang}: {text}"
            );
        }
    }

    /// "I'm writing from the address on the account" in each language's words (round 11:
    /// seven languages asked such a customer whether they sign in with another address); from
    /// another, a personal or an old address it is no confirmation.
    #[test]
    fn writing_from_the_accounts_address_confirms_it() {
        let has = |lang: &str, text: &str| {
            built_in(lang, text)
                .about
                .iter()
                .any(|a| a == "address_confirmed")
        };
        let mut wrong = Vec::new();
        for (lang, text) in [
            ("en", "I'm writing from the email address on the account."),
            (
                "en",
                "I am writing to you from the address registered to my account.",
            ),
            (
                "de",
                "Ich schreibe Ihnen von der Adresse, mit der das Konto registriert ist.",
            ),
            (
                "de",
                "Ich schreibe von der im Konto hinterlegten Mailadresse.",
            ),
            ("es", "Les escribo desde la misma dirección de la cuenta."),
            (
                "es",
                "Le escribo desde el correo con el que está registrada la cuenta.",
            ),
            ("et", "Kirjutan just selle konto aadressilt."),
            ("fr", "Je vous écris depuis l'adresse du compte."),
            (
                "fr",
                "Je vous écris depuis l'adresse associée à mon compte.",
            ),
            ("he", "אני כותב לכם מהכתובת של החשבון עצמו."),
            ("he", "אני כותבת מהכתובת הרשומה בחשבון."),
            ("zh", "我现在就是用这个账户的邮箱给你们写信的。"),
            ("zh", "我是用注册的邮箱给您写信的。"),
            // Round 12.
            (
                "et",
                "Kirjutan teile sellelt samalt aadressilt, millega konto on seotud.",
            ),
            (
                "ja",
                "このメールは登録しているアカウントのアドレスから送っています。",
            ),
            ("he", "הכתובת שרשומה בחשבון היא זו שאני כותב ממנה."),
            (
                "de",
                "Ich schreibe Ihnen von der Adresse, mit der das Konto angelegt ist.",
            ),
        ] {
            if !has(lang, text) {
                wrong.push(format!("missed {lang}: {text}"));
            }
        }
        for (lang, text) in [
            (
                "en",
                "I'm writing from my personal address, the one on the account is blocked.",
            ),
            (
                "de",
                "Ich schreibe Ihnen von der privaten Adresse, das Konto ist gesperrt.",
            ),
            (
                "es",
                "Les escribo desde otra dirección porque la de la cuenta está bloqueada.",
            ),
            (
                "fr",
                "Je vous écris depuis une autre adresse que celle du compte.",
            ),
            ("zh", "我用另一个邮箱给你们写信，账户的邮箱已经停用了。"),
            ("he", "אני כותב לכם מהכתובת הפרטית, זו של החשבון חסומה."),
        ] {
            if has(lang, text) {
                wrong.push(format!("read {lang}: {text}"));
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    /// Refused access to something of theirs, in each language's words (round 12: all nine
    /// drafts answered it as a plain request, a regression or with a stock acknowledgement).
    #[test]
    fn being_refused_access_is_read_in_each_language() {
        let mut wrong = Vec::new();
        for (lang, text) in [
            (
                "en",
                "Since this morning I get \"Access denied\" on our Contracts folder.",
            ),
            ("de", "Beim Öffnen erscheint \"Zugriff verweigert\"."),
            (
                "fr",
                "J'ai un message \"Accès refusé\" sur le dossier Chantiers.",
            ),
            ("es", "Me sale \"Acceso denegado\" al abrir la carpeta."),
            ("et", "Kausta avamisel tuleb teade \"Juurdepääs keelatud\"."),
            ("he", "כשאני פותח את התיקייה מופיע \"אין הרשאה\"."),
            (
                "ja",
                "フォルダを開くと「アクセスが拒否されました」と表示されます。",
            ),
            ("ko", "폴더를 열면 접근이 거부되었다는 메시지가 나옵니다."),
            ("zh", "打开共享文件夹时一直提示\"拒绝访问\"。"),
        ] {
            if !built_in(lang, text).access_denied {
                wrong.push(format!("missed {lang}: {text}"));
            }
        }
        for (lang, text) in [
            ("en", "Please give Anna access to the Contracts folder."),
            ("de", "Bitte geben Sie Frau Berg Zugriff auf den Ordner."),
            ("zh", "请给新同事开通访问权限。"),
        ] {
            if built_in(lang, text).access_denied {
                wrong.push(format!("read {lang}: {text}"));
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    /// The export that fails is the problem, not an export asked for (round 12 ja zh et: a
    /// slow-service draft promised "the export of your data" and dropped the real request).
    #[test]
    fn an_export_that_fails_is_no_export_asked_for() {
        let asks_export =
            |lang: &str, text: &str| built_in(lang, text).asks.iter().any(|a| a == "export");
        let mut wrong = Vec::new();
        for (lang, text) in [
            (
                "ja",
                "予約データのエクスポートができない件で問い合わせましたが、返信がありません。",
            ),
            ("zh", "数据导出失败，两周了还没人回复。"),
            ("et", "Andmete eksport ei tööta endiselt."),
            ("de", "Der Datenexport bricht seit Montag ab."),
            ("ko", "데이터 내보내기가 계속 실패합니다."),
        ] {
            if asks_export(lang, text) {
                wrong.push(format!("read {lang}: {text}"));
            }
        }
        for (lang, text) in [
            ("ja", "全データをエクスポートしていただけますか。"),
            ("zh", "请帮我们导出所有数据。"),
            ("de", "Bitte schicken Sie uns einen Export aller Daten."),
        ] {
            if !asks_export(lang, text) {
                wrong.push(format!("missed {lang}: {text}"));
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    /// They looked in their spam folder (round 11: six languages' drafts never said so back).
    #[test]
    fn a_look_in_the_spam_folder_is_tried() {
        let has = |lang: &str, text: &str| {
            built_in(lang, text)
                .tried
                .iter()
                .any(|t| t == "spam_folder")
        };
        let mut wrong = Vec::new();
        for (lang, text) in [
            (
                "en",
                "I've checked my spam and junk folders and there's nothing there either.",
            ),
            ("en", "It's not in spam, I looked twice."),
            ("de", "Im Spam-Ordner habe ich auch schon nachgesehen."),
            ("fr", "J'ai vérifié les spams et l'onglet Promotions, rien."),
            ("es", "Ya he revisado la carpeta de spam y no hay nada."),
            ("et", "Rämpsposti kausta kontrollisin ka, seal pole midagi."),
            ("he", "בדקתי גם בתיקיית הספאם ואין שם כלום."),
            ("ja", "迷惑メールフォルダも確認しましたが、届いていません。"),
            ("ko", "스팸함도 확인했는데 메일이 없습니다."),
            ("zh", "垃圾邮件箱也查看过了，没有。"),
        ] {
            if !has(lang, text) {
                wrong.push(format!("missed {lang}: {text}"));
            }
        }
        for (lang, text) in [
            ("en", "Should I check my spam folder?"),
            ("en", "I haven't checked spam yet."),
            ("de", "Soll ich im Spam-Ordner nachsehen?"),
            ("ja", "迷惑メールフォルダを確認すべきでしょうか。"),
            ("zh", "还没查垃圾邮件箱。"),
            ("ko", "스팸함을 확인해야 하나요?"),
        ] {
            if has(lang, text) {
                wrong.push(format!("read {lang}: {text}"));
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    /// "Still" with a negated verb is a failure that goes on, whatever the verb (round 11: "we're
    /// still not getting any notification emails" was answered "everything works again").
    #[test]
    fn still_with_a_negated_verb_is_still_failing() {
        let mut wrong = Vec::new();
        for (lang, text) in [
            ("en", "We're still not getting any notification emails."),
            ("en", "New ones still aren't coming through now."),
            ("de", "Wir bekommen immer noch keine Benachrichtigungen."),
            (
                "fr",
                "Nous ne recevons toujours aucun e-mail de notification.",
            ),
            ("fr", "Les rappels n'arrivent toujours pas chez nous."),
            ("es", "Todavía no nos llegan las notificaciones."),
            ("es", "Los correos siguen sin llegar."),
            ("zh", "我们还是没收到任何通知邮件。"),
            ("ko", "알림 메일이 아직 안 와요."),
            (
                "et",
                "Staatuselehel on rike lahendatud, aga meil töölaud ikka ei avane.",
            ),
            ("zh", "我们今天早上登录，控制台还是加载不出来，一直空白。"),
            // Round 13-14 (ja ko 12): words between "still" and the negated verb.
            (
                "ko",
                "그런데 저희 계정은 아직도 예약 알림 메일이 오지 않습니다.",
            ),
            ("ja", "今朝もまだダッシュボードが開けません。"),
        ] {
            if !built_in(lang, text).still_failing {
                wrong.push(format!("missed {lang}: {text}"));
            }
        }
        for (lang, text) in [
            ("en", "The notifications were not arriving yesterday."),
            ("de", "Gestern kamen keine Benachrichtigungen."),
            ("zh", "昨天没收到通知邮件。"),
            ("ko", "2주가 지났는데 아직도 답변을 받지 못했습니다."),
            ("ja", "まだ返信をいただいておりません。"),
            ("ja", "キャッシュの削除はまだ試していません。"),
        ] {
            if built_in(lang, text).still_failing {
                wrong.push(format!("read {lang}: {text}"));
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    #[test]
    fn a_reset_said_object_first_or_as_tried() {
        for (lang, text) in [
            ("de", "Das Passwort habe ich testweise schon zurückgesetzt."),
            (
                "et",
                "Parool ei tööta, olen selle ka igaks juhuks lähtestanud.",
            ),
            ("zh", "我也试过重置密码，但提示该邮箱未注册。"),
            ("ko", "비밀번호 재설정도 해 봤는데 안 됩니다."),
            ("he", "את הסיסמה כבר איפסתי פעמיים."),
        ] {
            let s = built_in(lang, text);
            assert!(
                s.tried.iter().any(|t| t == "password_reset"),
                "{lang}: {text}"
            );
        }
    }

    #[test]
    fn a_reset_said_with_other_words_between_the_password_and_the_verb() {
        for (lang, text) in [
            ("ko", "비밀번호는 이미 두 번 재설정했습니다."),
            (
                "ko",
                "비밀번호는 어제 저녁에 다시 바꿨는데 여전히 안 됩니다.",
            ),
            ("ja", "パスワードはもう2回リセットしました。"),
            (
                "ja",
                "パスワードは昨日の夜に変更しましたが、まだ入れません。",
            ),
            (
                "de",
                "Das Passwort habe ich gestern Abend schon zweimal zurückgesetzt.",
            ),
            (
                "fr",
                "Le mot de passe, je l'ai déjà réinitialisé deux fois.",
            ),
            ("es", "La contraseña ya la he restablecido dos veces."),
            ("he", "את הסיסמה איפסתי כבר פעמיים אתמול."),
            ("zh", "密码昨天晚上我已经改过两次了。"),
            // Round 10: en and et had no such rule; ja "変えた"; zh "用户名" in the error
            // they quote is no other change.
            ("en", "Password: I've changed it twice this morning and still can't log in."),
            ("et", "Parooli olen eile juba ära muutnud, aga sisse ei pääse."),
            ("ja", "パスワードは今朝、設定画面から新しいものに変えたのですが、まだ入れません。"),
            // Round 15: "even though I did" (のに) and the plain "but" (けど).
            ("ja", "パスワードはもう2回も再設定したのに、それでもエラーが出ます。"),
            ("ja", "パスワードは昨日変えたけど、まだ入れません。"),
            ("zh", "密码我昨天已经按提示重置了两次，每次都显示成功，可是用新密码登录还是提示“用户名或密码错误”。"),
        ] {
            assert!(reads(lang, "tried.password_reset", text), "{lang}: {text}");
        }
        for (lang, text) in [
            ("ko", "비밀번호는 아직 재설정하지 않았습니다."),
            ("ko", "비밀번호를 재설정하려고 했는데 메일이 안 옵니다."),
            ("ja", "パスワードはまだリセットしていません。"),
            (
                "ja",
                "パスワードをリセットしようとしましたが、メールが届きません。",
            ),
            ("de", "Das Passwort habe ich noch nicht zurückgesetzt."),
            ("zh", "密码我还没有改。"),
            ("en", "How do I reset it? The password has expired."),
            (
                "en",
                "I haven't changed the password, someone else reset it.",
            ),
            ("et", "Parooli pole ma vahetanud."),
        ] {
            assert!(!reads(lang, "tried.password_reset", text), "{lang}: {text}");
        }
    }

    /// Round 10: a feature idea introduced as one ("One suggestion:", "Eine Idee hätte ich",
    /// "Une petite suggestion") is a suggestion; "it would be great if this could be done by
    /// Friday" beside a user to add is not (en et).
    #[test]
    fn a_suggestion_is_an_idea_not_the_timing_of_a_request() {
        for (lang, text) in [
            (
                "en",
                "Idea\nOne suggestion: could you add a calendar view to the mobile app?",
            ),
            (
                "de",
                "Idee\nEine Idee hätte ich noch: Könnten Sie eine Kalenderansicht einbauen?",
            ),
            (
                "fr",
                "Idée\nUne petite suggestion : ce serait super d'avoir une vue calendrier.",
            ),
        ] {
            let s = builtin(lang, text);
            assert!(
                s.asks.iter().any(|a| a == "suggestion"),
                "{lang}: {:?}",
                s.asks
            );
        }
        for (lang, text) in [
            ("en", "New user\nPlease add a new user for Tom Price, role viewer. It would be great if this could be done by Friday."),
            ("et", "Uus kasutaja\nPalun lisage uus kasutaja Kalle Tamm. Oleks hea, kui see oleks reedeks tehtud."),
        ] {
            let s = builtin(lang, text);
            assert!(s.asks.iter().any(|a| a == "user_add"), "{lang}: {:?}", s.asks);
            assert!(!s.asks.iter().any(|a| a == "suggestion"), "{lang}: {:?}", s.asks);
        }
    }

    /// Rounds 10 and 11: a number beside everyday words ("Ich bin unter 089 / 23 45 67 80
    /// erreichbar", "Je vous redonne mon numéro : …", "제 번호는 010-… 이고") is their phone, and
    /// a wish to talk by phone ("전화로 상담받고 싶습니다") or words between the asking and the
    /// call ("Ich bitte nun wirklich um einen Rückruf") ask for the call.
    #[test]
    fn a_number_beside_everyday_words_is_their_phone() {
        for (lang, text, phone, call) in [
            ("de", "Rückruf\nIch bin unter 030 / 98 76 54 32 erreichbar. Ich bitte jetzt wirklich um einen Rückruf.", "030 / 98 76 54 32", true),
            ("fr", "Appel\nJe vous redonne mon numéro : 05 61 22 33 44. Merci.", "05 61 22 33 44", false),
            ("ko", "상담\n전화로 한번 상담받고 싶습니다.\n제 번호는 010-5555-1234 이고, 오후에 통화 가능합니다.", "010-5555-1234", true),
        ] {
            let s = builtin(lang, text);
            assert_eq!(s.phone.as_deref(), Some(phone), "{lang}: {text}");
            assert_eq!(s.asks.iter().any(|a| a == "callback"), call, "{lang}: {:?}", s.asks);
        }
    }

    /// A mobile number written as one run of digits ("13812345678", as Chinese mobiles are)
    /// is their phone where a phone word names it; a bare run anywhere else is not, even with a
    /// call asked for (an invoice or customer number).
    #[test]
    fn a_bare_run_of_digits_is_their_phone_only_where_a_phone_word_names_it() {
        for (lang, text, phone) in [
            (
                "zh",
                "回电\n请给我回个电话，我的手机是13912345678，下午都可以。",
                Some("13912345678"),
            ),
            (
                "zh",
                "回電\n麻煩回電給我，手機：0912345678。",
                Some("0912345678"),
            ),
            (
                "en",
                "Callback\nPlease call me back. My mobile is 5551234567.",
                Some("5551234567"),
            ),
            (
                "zh",
                "退款\n请给我回个电话，订单号20261187654321一直没有退款。",
                None,
            ),
            (
                "en",
                "Callback\nPlease call me about invoice 4455667788.",
                None,
            ),
        ] {
            assert_eq!(
                builtin(lang, text).phone.as_deref(),
                phone,
                "{lang}: {text}"
            );
        }
    }

    /// Round 20 (de zh ja): deadlines expected or wished for ("Ich erwarte bis heute 16 Uhr
    /// eine Rückmeldung", "bis Freitagvormittag wäre super"), tonight's hour and a meeting at
    /// a time today ("今晚7点前", "下午3点开会前"), tomorrow morning ("明朝"), and a
    /// call asked for at a number or to be walked through on the phone. Their look-alikes (a
    /// period "through" a day, a call that was made) are none.
    #[test]
    fn deadlines_expected_wished_or_tonight_and_calls_to_a_number_as_natives_write_them() {
        for (lang, text, day, time) in [
            (
                "de",
                "Import\nIch erwarte bis heute 16 Uhr eine verbindliche Rückmeldung.",
                "today",
                Some("16:00"),
            ),
            (
                "de",
                "Angebot\nEine Antwort bis Freitagvormittag wäre super.",
                "2026-12-11",
                None,
            ),
            (
                "de",
                "Rechnung\nFür eine Antwort bis Freitag wäre ich Ihnen dankbar.",
                "2026-12-11",
                None,
            ),
            (
                "zh",
                "导出\n导出失败，今晚7点前必须交给客户。",
                "today",
                Some("19:00"),
            ),
            (
                "zh",
                "控制台\n控制台打不开，我们今天下午3点开会前需要导出报表。",
                "today",
                Some("15:00"),
            ),
            (
                "ja",
                "ログイン\nログインできません。明朝9時までに復旧をお願いします。",
                "2026-12-10",
                None,
            ),
        ] {
            let s = builtin(lang, text);
            assert_eq!(s.deadline.as_deref(), Some(day), "{lang}: {text}");
            assert_eq!(s.deadline_time.as_deref(), time, "{lang}: {text}");
        }
        for (lang, text) in [
            (
                "de",
                "Sync\nBis Freitagabend lief alles, seitdem nicht mehr.",
            ),
            ("zh", "控制台\n昨天下午3点开会前还能正常使用。"),
        ] {
            assert_eq!(builtin(lang, text).deadline, None, "{lang}: {text}");
        }
        for (text, phone) in [
            (
                "支払方法\n平日は出られないので、18時以降に090-1234-5678にかけてください。",
                Some("090-1234-5678"),
            ),
            (
                "二段階認証\n設定の手順をお電話で教えていただけますか。",
                None,
            ),
        ] {
            let s = builtin("ja", text);
            assert!(
                s.asks.iter().any(|a| a == "callback"),
                "{text}: {:?}",
                s.asks
            );
            assert_eq!(s.phone.as_deref(), phone, "{text}");
        }
        for text in [
            "ログイン\n昨日から今日にかけてログインできません。",
            "手順\n先日お電話でご説明いただいた手順で試しました。",
        ] {
            let s = builtin("ja", text);
            assert!(
                !s.asks.iter().any(|a| a == "callback"),
                "{text}: {:?}",
                s.asks
            );
        }
    }

    /// A colleague's account deleted is no cancellation of the customer's own (ja, as ko).
    #[test]
    fn a_colleagues_account_deleted_is_no_cancellation() {
        let asks = |text: &str| built_in("ja", text).asks;
        for text in [
            "退職した佐藤のアカウントを削除してください。",
            "佐藤さんのアカウントを削除してください。",
        ] {
            assert!(!asks(text).iter().any(|a| a == "cancel"), "{text}");
        }
        assert!(asks("佐藤さんのアカウントを削除してください。")
            .iter()
            .any(|a| a == "user_remove"));
        assert!(asks("私のアカウントを削除してください。")
            .iter()
            .any(|a| a == "cancel"));
    }

    /// A call wished for in the Spanish subjunctive or offered in Hebrew ("me gustaría que
    /// alguien me llamara", "אפשר להתקשר אליי") is a call request; a call they received is not.
    #[test]
    fn a_call_wished_for_in_other_moods_is_asked_for() {
        let asks = |lang: &str, text: &str| built_in(lang, text).asks;
        for (lang, text) in [
            (
                "es",
                "Me gustaría que alguien del equipo me llamara al 612 345 678 esta tarde.",
            ),
            (
                "es",
                "Prefiero que me llamen, por escrito es complicado de explicar.",
            ),
            ("he", "אפשר להתקשר אליי למספר 052-7814493 אחרי 16:00."),
            ("he", "אשמח לשיחת טלפון קצרה בנושא."),
        ] {
            assert!(
                asks(lang, text).iter().any(|a| a == "callback"),
                "{lang}: {text}"
            );
        }
        for (lang, text) in [
            ("es", "Ayer me llamaron de su equipo y no resolvieron nada."),
            ("he", "התקשרו אליי אתמול ולא פתרו את הבעיה."),
        ] {
            assert!(
                !asks(lang, text).iter().any(|a| a == "callback"),
                "{lang}: {text}"
            );
        }
    }

    /// Whether the built-in rules of `lang` read `id` (`tried.*`, `about.*`, `asks.*`,
    /// `charged_twice` or `still_failing`)
    /// in `text`.
    fn reads(lang: &str, id: &str, text: &str) -> bool {
        let s = built_in(lang, text);
        match id.split_once('.') {
            Some(("tried", t)) => s.tried.iter().any(|x| x == t),
            Some(("about", a)) => s.about.iter().any(|x| x == a),
            Some(("asks", a)) => s.asks.iter().any(|x| x == a),
            _ if id == "charged_twice" => s.charged_twice,
            _ => s.still_failing,
        }
    }

    #[test]
    fn the_address_written_from_named_as_the_accounts_in_a_relative_clause() {
        let id = "about.address_confirmed";
        for (lang, text) in [
            ("en", "Yes, I'm writing from the email I signed up with."),
            (
                "de",
                "Ich schreibe Ihnen von genau der Adresse, die bei Ihnen in meinem Konto hinterlegt ist.",
            ),
            (
                "es",
                "Le escribo desde este mismo correo, que es con el que me registré.",
            ),
            (
                "ja",
                "このメールの送信元が、アカウントに登録されているアドレスそのものです。",
            ),
            ("he", "כן, זה המייל הרשום אצלכם, ממנו אני כותבת."),
            ("et", "Kirjutan just sellelt aadressilt, mis on minu kontoga seotud."),
        ] {
            assert!(reads(lang, id, text), "{lang}: {text}");
        }
        for (lang, text) in [
            ("en", "I'm not writing from the email I signed up with."),
            (
                "de",
                "Ich schreibe nicht von der Adresse, die in meinem Konto hinterlegt ist.",
            ),
            ("es", "No le escribo desde esta misma dirección."),
            ("ja", "登録しているアドレスではありません。"),
            ("he", "זה לא המייל הרשום אצלכם."),
            (
                "et",
                "Ma ei kirjuta sellelt aadressilt, mis on minu kontol kirjas.",
            ),
        ] {
            assert!(!reads(lang, id, text), "{lang}: {text}");
        }
    }

    #[test]
    fn a_reset_said_with_its_time_or_object_first_and_a_reset_mail_that_does_not_come() {
        for (lang, text) in [
            ("en", "I reset my password about an hour ago."),
            ("en", "The link worked and I've set a new password."),
            ("zh", "密码我昨天已经重置过了，还是登不上。"),
            ("zh", "密码我已经重置好了。"),
        ] {
            assert!(reads(lang, "tried.password_reset", text), "{lang}: {text}");
        }
        for (lang, text) in [
            ("en", "How do I reset my password today?"),
            ("zh", "密码我还没有重置。"),
        ] {
            assert!(!reads(lang, "tried.password_reset", text), "{lang}: {text}");
        }
        for (lang, text) in [
            ("zh", "重置密码的邮件一直没收到。"),
            ("zh", "重置邮件始终没有来。"),
            ("he", "מייל האיפוס פשוט לא מגיע."),
            ("he", "קישור האיפוס לא מגיע לתיבה."),
        ] {
            let s = built_in(lang, text);
            assert!(
                s.tried.iter().any(|t| t == "reset_mail_missing"),
                "{lang}: {text}"
            );
            assert!(
                !s.tried.iter().any(|t| t == "password_reset"),
                "{lang}: {text}"
            );
        }
        assert!(!reads(
            "he",
            "tried.reset_mail_missing",
            "מייל האיפוס הגיע."
        ));
    }

    #[test]
    fn this_address_with_its_account_in_any_order_and_wording() {
        let id = "about.address_confirmed";
        for (lang, text) in [
            ("en", "This address is the one registered on my account."),
            (
                "en",
                "The address I'm writing from is linked to my account.",
            ),
            (
                "de",
                "Diese E-Mail-Adresse ist seit Jahren bei Ihnen als Login registriert.",
            ),
            (
                "de",
                "Mein Login ist genau diese Adresse, mit der ich gerade schreibe.",
            ),
            (
                "fr",
                "Cette adresse est bien celle avec laquelle je me connecte.",
            ),
            (
                "es",
                "Esta dirección es con la que inicio sesión desde hace años.",
            ),
            (
                "et",
                "See aadress, millelt kirjutan, on minu kontoga seotud.",
            ),
            ("et", "Sellelt aadressilt ma ka sisse login."),
            ("he", "הכתובת הזאת רשומה אצלכם כבר שנים."),
            ("ja", "このアドレスはアカウントに登録しているものです。"),
            ("ko", "지금 보내는 주소가 제가 가입할 때 쓴 그 주소예요."),
            ("ko", "이 주소로 처음에 가입했습니다."),
            ("zh", "这个邮箱就是我当初注册的邮箱。"),
            ("zh", "这是我的账号邮箱。"),
        ] {
            assert!(reads(lang, id, text), "{lang}: {text}");
        }
        for (lang, text) in [
            ("en", "Is this address registered on my account?"),
            ("en", "This address is not registered, it says."),
            ("en", "I'm sending this email because my account is locked."),
            ("de", "Diese Adresse ist nicht mehr hinterlegt."),
            (
                "de",
                "Ich schreibe diese E-Mail, weil mein Konto gesperrt ist.",
            ),
            ("et", "See aadress ei ole minu kontoga seotud."),
            ("ja", "このアドレスは登録しているアドレスではありません。"),
            ("ko", "지금 보내는 주소는 가입한 주소가 아닙니다."),
            ("zh", "这个邮箱不是注册的邮箱。"),
        ] {
            assert!(!reads(lang, id, text), "{lang}: {text}");
        }
    }

    #[test]
    fn a_reset_mail_that_never_came_however_worded_and_not_a_reset_that_still_fails() {
        let id = "tried.reset_mail_missing";
        for (lang, text) in [
            ("en", "I clicked forgot password three times but the email never showed up."),
            (
                "de",
                "Ich habe dreimal versucht, das Passwort zurückzusetzen, aber die E-Mail kommt einfach nicht an.",
            ),
            ("de", "Die Mail zum Zurücksetzen habe ich bis heute nicht erhalten."),
            ("fr", "J'ai demandé la réinitialisation mais je n'ai jamais reçu le lien."),
            ("es", "Pedí restablecer la contraseña pero el correo nunca llegó."),
            ("et", "Proovisin parooli lähtestada, aga kirja ei tulnud."),
            ("he", "ביקשתי איפוס סיסמה אבל המייל לא מגיע."),
            ("ja", "パスワードの再設定メールが何度試しても届きません。"),
            ("ko", "비밀번호 재설정 메일이 아직도 안 와요."),
            ("zh", "我点了忘记密码，可是邮件迟迟没到。"),
        ] {
            assert!(reads(lang, id, text), "{lang}: {text}");
        }
        for (lang, text) in [
            ("en", "I reset my password twice and it still fails."),
            (
                "de",
                "Ich habe das Passwort zweimal zurückgesetzt, die Anmeldung klappt trotzdem nicht.",
            ),
            (
                "de",
                "Ich habe das Passwort zurückgesetzt und die Mail kam sofort, aber der Login geht nicht.",
            ),
            ("ja", "パスワードをリセットしましたが、まだログインできません。"),
            ("ko", "비밀번호를 재설정했는데도 로그인이 안 됩니다."),
            ("zh", "密码已经重置了两次，还是登录不了。"),
        ] {
            assert!(!reads(lang, id, text), "{lang}: {text}");
        }
    }

    #[test]
    fn still_failing_with_still_before_the_subject_or_the_same_as_yesterday() {
        for (lang, text) in [
            ("ko", "오늘 아침에 보니 여전히 대시보드가 열리지 않습니다."),
            ("ko", "증상이 어제와 똑같습니다."),
            (
                "en",
                "Blank page after the spinner, exactly like yesterday.",
            ),
            ("es", "La pantalla está en blanco, igual que ayer."),
            ("zh", "还是白屏，和昨天一样。"),
            ("ja", "昨日と同じ症状です。"),
            ("fr", "Écran blanc, exactement comme hier."),
            ("et", "Sama probleem nagu eile."),
        ] {
            assert!(reads(lang, "still_failing", text), "{lang}: {text}");
        }
        for (lang, text) in [
            ("ko", "이제 대시보드가 잘 열립니다."),
            ("en", "It is not the same as yesterday: it loads now."),
            ("es", "No es igual que ayer, ya funciona."),
            ("zh", "和昨天不一样，现在正常了。"),
        ] {
            assert!(!reads(lang, "still_failing", text), "{lang}: {text}");
        }
    }
}
