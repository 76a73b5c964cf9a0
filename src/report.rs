//! The mailbox owner's report (`mailtriage report`): turns what was gathered from INBOX,
//! Drafts, Sent and the daemon's journal into counts by day, category, language and skip
//! reason; what became of each draft, overall and per template; the agents' category
//! corrections; and the median times from arrival to draft and to answer.
//!
//! This module is pure: gathering is the caller's ([`Inputs`]), printing is serde's
//! ([`Report`] serialises to the `--json` contract) or [`to_html`]'s. How close a sent reply is
//! to its draft is [`similarity`]'s.

mod gather;
mod html;
mod similarity;
mod text;

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

pub use gather::{assemble, gather};
pub use html::{to_html, MESSAGES_RGB, OUTCOME_RGB};
pub use similarity::{similarity, strip_quotes};
pub use text::to_text;

/// A sent reply at least this similar to its draft counts as sent unchanged.
pub const UNCHANGED_AT_LEAST: f64 = 0.95;
/// A sent reply at least this similar (and less than unchanged) counts as edited; below it,
/// rewritten.
pub const EDITED_AT_LEAST: f64 = 0.6;

/// Everything the report is computed from, gathered from the mailbox and the daemon's journal.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// First day counted (inclusive, UTC); None = everything gathered.
    pub since: Option<NaiveDate>,
    pub now: DateTime<Utc>,
    /// The INBOX messages mailtriage handled (carrying a triage keyword).
    pub messages: Vec<Message>,
    /// Every draft the daemon made (from its journal), including ones since sent or removed.
    pub drafts_made: Vec<DraftMade>,
    /// X-Mailtriage-Source (message-id, no brackets) of our drafts still in Drafts.
    pub in_drafts: Vec<String>,
    /// Messages in Sent that reply to something.
    pub sent: Vec<SentReply>,
    /// Drafts the daemon removed (superseded or answered elsewhere), from its journal.
    pub removed: Vec<Removed>,
    /// Agents' category corrections (old category, new category), from the journal.
    pub corrections: Vec<(String, String)>,
}

/// One customer message in INBOX, as its triage keywords and the journal describe it.
#[derive(Debug, Clone)]
pub struct Message {
    pub message_id: Option<String>,
    pub arrived: DateTime<Utc>,
    /// From the `triage:<category>` keyword (None when skipped or in error).
    pub category: Option<String>,
    /// From a `triage:skip-<reason>` keyword.
    pub skip_reason: Option<String>,
    /// Detected language when known (from the journal), ISO 639-1.
    pub language: Option<String>,
}

/// One draft the daemon saved, from its journal.
#[derive(Debug, Clone)]
pub struct DraftMade {
    /// Message-id (no brackets) of the customer message answered.
    pub source: String,
    pub at: DateTime<Utc>,
    /// Like "ko/outage".
    pub template: String,
    pub category: String,
    pub language: String,
    /// The body as made.
    pub body: String,
}

/// One message in Sent that replies to something.
#[derive(Debug, Clone)]
pub struct SentReply {
    /// Message-ids (no brackets) from In-Reply-To and References.
    pub replies_to: Vec<String>,
    pub at: DateTime<Utc>,
    /// The decoded text/plain body as sent (still containing quoted text).
    pub body: String,
}

/// One draft the daemon took out of Drafts itself, from its journal.
#[derive(Debug, Clone)]
pub struct Removed {
    pub source: String,
    /// "superseded" or "answered".
    pub why: String,
    pub at: DateTime<Utc>,
}

/// The report: its serde form is the `--json` contract, key for key.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub period: Period,
    pub messages: Messages,
    pub by_category: BTreeMap<String, u64>,
    /// Messages whose language is not known are under "unknown".
    pub by_language: BTreeMap<String, u64>,
    pub skips: BTreeMap<String, u64>,
    pub drafts: Outcomes,
    pub templates: BTreeMap<String, TemplateOutcomes>,
    /// Most frequent first, then by names.
    pub corrections: Vec<Correction>,
    pub latency: Latency,
}

/// The days counted (UTC, both inclusive); serialised as "YYYY-MM-DD".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Period {
    pub since: Option<NaiveDate>,
    pub until: NaiveDate,
}

/// Messages counted, in all and per day of arrival (days without messages left out).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Messages {
    pub total: u64,
    pub by_day: BTreeMap<NaiveDate, u64>,
}

/// What became of the drafts made in the period: `made` is the sum of the others.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Outcomes {
    pub made: u64,
    /// Still in Drafts, neither sent nor removed.
    pub pending: u64,
    pub sent_unchanged: u64,
    pub sent_edited: u64,
    /// Sent, but with less than [`EDITED_AT_LEAST`] of the draft left.
    pub rewritten: u64,
    /// Taken out of Drafts by the daemon (superseded, or answered elsewhere).
    pub removed: u64,
    /// Gone from Drafts with no sent reply and no removal record: an agent deleted it.
    pub discarded: u64,
}

/// A template's outcomes, and how much of its drafts survived into the replies sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TemplateOutcomes {
    #[serde(flatten)]
    pub outcomes: Outcomes,
    /// Median similarity of the sent replies to their drafts; None when none was sent.
    pub median_similarity: Option<f64>,
}

/// An agent moved `count` messages from one category to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Correction {
    pub from: String,
    pub to: String,
    pub count: u64,
}

/// How long customers waited, from arrival at the mailbox.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Latency {
    /// To the first draft made for the message.
    pub to_draft: Median,
    /// To the first reply in Sent that names the message.
    pub to_answer: Median,
}

/// The median of `count` durations, in seconds; None when there are none.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Median {
    pub median_seconds: Option<f64>,
    pub count: u64,
}

/// What became of one draft.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fate {
    Pending,
    /// Sent, with this similarity of the reply to the draft.
    Sent(f64),
    Removed,
    Discarded,
}

impl Outcomes {
    fn add(&mut self, fate: Fate) {
        self.made += 1;
        match fate {
            Fate::Pending => self.pending += 1,
            Fate::Sent(s) if s >= UNCHANGED_AT_LEAST => self.sent_unchanged += 1,
            Fate::Sent(s) if s >= EDITED_AT_LEAST => self.sent_edited += 1,
            Fate::Sent(_) => self.rewritten += 1,
            Fate::Removed => self.removed += 1,
            Fate::Discarded => self.discarded += 1,
        }
    }
}

/// Computes the report. Messages count by arrival and drafts by when they were made, on or
/// after `since`; a draft's fate is decided from all the records, whenever they are dated.
/// Corrections carry no date in the journal: all of them count.
pub fn compute(inputs: &Inputs) -> Report {
    let counted = |at: &DateTime<Utc>| inputs.since.is_none_or(|s| at.date_naive() >= s);

    let messages: Vec<&Message> = inputs
        .messages
        .iter()
        .filter(|m| counted(&m.arrived))
        .collect();
    let mut by_day = BTreeMap::new();
    let mut by_category = BTreeMap::new();
    let mut by_language = BTreeMap::new();
    let mut skips = BTreeMap::new();
    for m in &messages {
        *by_day.entry(m.arrived.date_naive()).or_insert(0) += 1;
        if let Some(c) = &m.category {
            *by_category.entry(c.clone()).or_insert(0) += 1;
        }
        let language = m.language.as_deref().unwrap_or("unknown");
        *by_language.entry(language.to_string()).or_insert(0) += 1;
        if let Some(r) = &m.skip_reason {
            *skips.entry(r.clone()).or_insert(0) += 1;
        }
    }

    let fates = fates(inputs);
    let mut drafts = Outcomes::default();
    let mut templates: BTreeMap<String, TemplateOutcomes> = BTreeMap::new();
    let mut similarities: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for (d, fate) in inputs.drafts_made.iter().zip(&fates) {
        if !counted(&d.at) {
            continue;
        }
        drafts.add(*fate);
        templates
            .entry(d.template.clone())
            .or_default()
            .outcomes
            .add(*fate);
        if let Fate::Sent(s) = fate {
            similarities.entry(&d.template).or_default().push(*s);
        }
    }
    for (template, mut values) in similarities {
        if let Some(t) = templates.get_mut(template) {
            t.median_similarity = median(&mut values);
        }
    }

    Report {
        period: Period {
            since: inputs.since,
            until: inputs.now.date_naive(),
        },
        messages: Messages {
            total: messages.len() as u64,
            by_day,
        },
        by_category,
        by_language,
        skips,
        drafts,
        templates,
        corrections: corrections(&inputs.corrections),
        latency: latency(inputs, &messages),
    }
}

/// How far a sent reply's date may precede its draft's and still answer it: the server's
/// INTERNALDATE has whole seconds and its clock is not ours.
const CLOCK_SLACK: chrono::Duration = chrono::Duration::minutes(5);

/// The fate of each of `inputs.drafts_made`, in its order.
///
/// Per source, drafts in the order made: a removal record takes, for "superseded", the
/// earliest draft still without a fate made before it (the one a later draft replaced), for
/// any other reason the latest; each sent reply is matched to the latest draft made before it
/// among the sources it names (the newest message of the thread it answers), and a draft is
/// compared to the first reply matched to it; of the drafts left, the latest of a source
/// still in Drafts is pending, and the others were discarded.
fn fates(inputs: &Inputs) -> Vec<Fate> {
    let drafts = &inputs.drafts_made;
    let mut fates: Vec<Option<Fate>> = vec![None; drafts.len()];

    // Indices of each source's drafts, oldest first.
    let mut by_source: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, d) in drafts.iter().enumerate() {
        by_source.entry(d.source.as_str()).or_default().push(i);
    }
    for list in by_source.values_mut() {
        list.sort_by_key(|&i| (drafts[i].at, i));
    }

    let mut removals: Vec<&Removed> = inputs.removed.iter().collect();
    removals.sort_by_key(|r| r.at);
    for r in removals {
        let Some(list) = by_source.get(r.source.as_str()) else {
            continue;
        };
        let open: Vec<usize> = list
            .iter()
            .copied()
            .filter(|&i| fates[i].is_none())
            .collect();
        let before: Vec<usize> = open
            .iter()
            .copied()
            .filter(|&i| drafts[i].at <= r.at)
            .collect();
        // Without a draft dated before the record (clocks disagree), any open draft will do.
        let candidates = if before.is_empty() { open } else { before };
        let pick = if r.why == "superseded" {
            candidates.first()
        } else {
            candidates.last()
        };
        if let Some(&i) = pick {
            fates[i] = Some(Fate::Removed);
        }
    }

    let mut sent: Vec<&SentReply> = inputs.sent.iter().collect();
    sent.sort_by_key(|s| s.at);
    for s in sent {
        let names: HashSet<&str> = s.replies_to.iter().map(String::as_str).collect();
        let matched = names
            .iter()
            .filter_map(|n| by_source.get(n))
            .flatten()
            .copied()
            .filter(|&i| drafts[i].at <= s.at + CLOCK_SLACK && fates[i] != Some(Fate::Removed))
            .max_by_key(|&i| (drafts[i].at, i));
        if let Some(i) = matched {
            if fates[i].is_none() {
                fates[i] = Some(Fate::Sent(similarity(&s.body, &drafts[i].body)));
            }
        }
    }

    let in_drafts: HashSet<&str> = inputs.in_drafts.iter().map(String::as_str).collect();
    for (source, list) in &by_source {
        let pending = in_drafts
            .contains(source)
            .then(|| list.iter().copied().rfind(|&i| fates[i].is_none()))
            .flatten();
        for &i in list {
            if fates[i].is_none() {
                fates[i] = Some(if Some(i) == pending {
                    Fate::Pending
                } else {
                    Fate::Discarded
                });
            }
        }
    }
    fates
        .into_iter()
        .map(|f| f.unwrap_or(Fate::Discarded))
        .collect()
}

/// Counts identical pairs: most frequent first, then by names.
fn corrections(pairs: &[(String, String)]) -> Vec<Correction> {
    let mut counts: BTreeMap<(&str, &str), u64> = BTreeMap::new();
    for (from, to) in pairs {
        *counts.entry((from, to)).or_insert(0) += 1;
    }
    let mut out: Vec<Correction> = counts
        .into_iter()
        .map(|((from, to), count)| Correction {
            from: from.to_string(),
            to: to.to_string(),
            count,
        })
        .collect();
    // Stable: equal counts keep the BTreeMap's order of names.
    out.sort_by_key(|c| std::cmp::Reverse(c.count));
    out
}

/// Median waits of the counted messages with a message-id. A wait that clocks make negative
/// counts as zero.
fn latency(inputs: &Inputs, messages: &[&Message]) -> Latency {
    let mut arrived: HashMap<&str, DateTime<Utc>> = HashMap::new();
    for m in messages {
        if let Some(id) = &m.message_id {
            let at = arrived.entry(id).or_insert(m.arrived);
            *at = (*at).min(m.arrived);
        }
    }
    let mut first_draft: HashMap<&str, DateTime<Utc>> = HashMap::new();
    for d in &inputs.drafts_made {
        let at = first_draft.entry(&d.source).or_insert(d.at);
        *at = (*at).min(d.at);
    }
    let mut first_answer: HashMap<&str, DateTime<Utc>> = HashMap::new();
    for s in &inputs.sent {
        for id in &s.replies_to {
            let at = first_answer.entry(id).or_insert(s.at);
            *at = (*at).min(s.at);
        }
    }
    let waits = |after: &HashMap<&str, DateTime<Utc>>| {
        let mut seconds: Vec<f64> = arrived
            .iter()
            .filter_map(|(id, arrival)| after.get(id).map(|at| *at - *arrival))
            .map(|d| d.num_milliseconds().max(0) as f64 / 1000.0)
            .collect();
        Median {
            count: seconds.len() as u64,
            median_seconds: median(&mut seconds),
        }
    };
    Latency {
        to_draft: waits(&first_draft),
        to_answer: waits(&first_answer),
    }
}

/// The middle value, or the mean of the two middle ones; None for no values.
fn median(values: &mut [f64]) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some((values[n / 2 - 1] + values[n / 2]) / 2.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DRAFT: &str = "Hello,\n\n\
        Thank you for writing to us about the outage this morning. \
        We are sorry that the dashboard did not load for your team. \
        Our engineers found a fault in one of the database servers. \
        They moved the service to a healthy server at ten past nine. \
        Since then every page has loaded normally in our checks. \
        If you still see errors, please clear the browser cache first. \
        Should that not help, reply to this email with a screenshot. \
        We will look into it the same day and keep you posted. \
        Thank you for your patience while we fixed the problem.\n\n\
        Kind regards,\nThe support team";

    const UNRELATED: &str = "Dear customer, your invoice for March is attached as a PDF file. \
        Payment is due within thirty days of the date shown at the top. \
        You can pay by bank transfer or with a credit card online. \
        A receipt is sent automatically once the payment arrives.";

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn message(
        id: Option<&str>,
        arrived: &str,
        category: Option<&str>,
        skip: Option<&str>,
        language: Option<&str>,
    ) -> Message {
        Message {
            message_id: id.map(str::to_string),
            arrived: at(arrived),
            category: category.map(str::to_string),
            skip_reason: skip.map(str::to_string),
            language: language.map(str::to_string),
        }
    }

    fn draft(source: &str, made: &str, template: &str, body: &str) -> DraftMade {
        let (language, category) = template.split_once('/').unwrap();
        DraftMade {
            source: source.to_string(),
            at: at(made),
            template: template.to_string(),
            category: category.to_string(),
            language: language.to_string(),
            body: body.to_string(),
        }
    }

    fn reply(to: &[&str], sent: &str, body: &str) -> SentReply {
        SentReply {
            replies_to: to.iter().map(|s| s.to_string()).collect(),
            at: at(sent),
            body: body.to_string(),
        }
    }

    fn removed(source: &str, why: &str, when: &str) -> Removed {
        Removed {
            source: source.to_string(),
            why: why.to_string(),
            at: at(when),
        }
    }

    /// Eight messages from 3 to 6 June and two before; seven drafts since, one of each fate
    /// but two removed (a superseded one and one answered elsewhere).
    fn inputs() -> Inputs {
        let edited = DRAFT.replace(
            "Our engineers found a fault in one of the database servers.",
            "A broken disk in the storage cluster took the main region offline for an hour.",
        );
        let quoted: String = DRAFT.lines().map(|l| format!("> {l}\n")).collect();
        Inputs {
            since: Some(day("2024-06-03")),
            now: at("2024-06-10T12:00:00Z"),
            messages: vec![
                message(
                    Some("old@x"),
                    "2024-06-01T09:00:00Z",
                    Some("billing"),
                    None,
                    Some("en"),
                ),
                message(
                    Some("late@x"),
                    "2024-06-02T23:59:59Z",
                    Some("billing"),
                    None,
                    Some("en"),
                ),
                message(
                    Some("a@x"),
                    "2024-06-03T08:00:00Z",
                    Some("outage"),
                    None,
                    Some("en"),
                ),
                message(
                    Some("b@x"),
                    "2024-06-03T09:00:00Z",
                    Some("outage"),
                    None,
                    Some("de"),
                ),
                message(
                    Some("c@x"),
                    "2024-06-04T10:00:00Z",
                    Some("billing"),
                    None,
                    Some("en"),
                ),
                message(
                    Some("d@x"),
                    "2024-06-04T11:00:00Z",
                    Some("login"),
                    None,
                    None,
                ),
                message(
                    Some("e@x"),
                    "2024-06-05T12:00:00Z",
                    Some("question"),
                    None,
                    Some("fr"),
                ),
                message(
                    Some("f@x"),
                    "2024-06-05T13:00:00Z",
                    None,
                    Some("autoreply"),
                    Some("en"),
                ),
                message(None, "2024-06-05T14:00:00Z", None, Some("newsletter"), None),
                message(
                    Some("g@x"),
                    "2024-06-06T00:30:00Z",
                    Some("outage"),
                    None,
                    Some("en"),
                ),
            ],
            drafts_made: vec![
                draft("old@x", "2024-06-01T09:05:00Z", "en/billing", DRAFT),
                draft("a@x", "2024-06-03T08:10:00Z", "en/outage", DRAFT),
                draft("b@x", "2024-06-03T09:05:00Z", "de/outage", DRAFT),
                draft("c@x", "2024-06-04T10:01:00Z", "en/billing", DRAFT),
                draft("d@x", "2024-06-04T11:02:00Z", "en/login", DRAFT),
                draft("d@x", "2024-06-04T15:00:00Z", "en/login", DRAFT),
                draft("e@x", "2024-06-05T12:03:00Z", "fr/question", DRAFT),
                draft("g@x", "2024-06-06T00:40:00Z", "en/outage", DRAFT),
            ],
            in_drafts: vec!["old@x".into(), "d@x".into()],
            sent: vec![
                // Sent as drafted, with the customer's message quoted below.
                reply(
                    &["a@x"],
                    "2024-06-03T09:00:00Z",
                    &format!("{DRAFT}\n\nOn Mon, 3 Jun 2024, Ann <a@x> wrote:\n{quoted}"),
                ),
                reply(&["b@x"], "2024-06-03T11:05:00Z", &edited),
                reply(&["c@x"], "2024-06-04T12:01:00Z", UNRELATED),
                // Answered from another client: the daemon then removed its draft.
                reply(&["e@x"], "2024-06-05T15:00:00Z", UNRELATED),
                // A later reply in a@x's thread changes nothing about a@x's draft.
                reply(&["a2@x", "a@x"], "2024-06-07T10:00:00Z", UNRELATED),
            ],
            removed: vec![
                removed("d@x", "superseded", "2024-06-04T15:00:01Z"),
                removed("e@x", "answered", "2024-06-05T16:00:00Z"),
            ],
            corrections: vec![
                ("question".into(), "billing".into()),
                ("outage".into(), "login".into()),
                ("question".into(), "billing".into()),
                ("general".into(), "question".into()),
            ],
        }
    }

    fn counts(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    fn outcomes(
        made: u64,
        [pending, unchanged, edited, rewritten, removed, discarded]: [u64; 6],
    ) -> Outcomes {
        Outcomes {
            made,
            pending,
            sent_unchanged: unchanged,
            sent_edited: edited,
            rewritten,
            removed,
            discarded,
        }
    }

    #[test]
    fn messages_count_from_since_by_day_category_language_and_skip() {
        let r = compute(&inputs());
        assert_eq!(
            r.period,
            Period {
                since: Some(day("2024-06-03")),
                until: day("2024-06-10")
            }
        );
        assert_eq!(r.messages.total, 8);
        let by_day: Vec<(String, u64)> = r
            .messages
            .by_day
            .iter()
            .map(|(d, n)| (d.to_string(), *n))
            .collect();
        assert_eq!(
            by_day,
            [
                ("2024-06-03".to_string(), 2),
                ("2024-06-04".into(), 2),
                ("2024-06-05".into(), 3),
                ("2024-06-06".into(), 1)
            ]
        );
        assert_eq!(
            r.by_category,
            counts(&[("billing", 1), ("login", 1), ("outage", 3), ("question", 1)])
        );
        assert_eq!(
            r.by_language,
            counts(&[("de", 1), ("en", 4), ("fr", 1), ("unknown", 2)])
        );
        assert_eq!(r.skips, counts(&[("autoreply", 1), ("newsletter", 1)]));
    }

    #[test]
    fn each_draft_has_one_fate() {
        let r = compute(&inputs());
        // a unchanged, b edited, c rewritten, d's first removed and second pending, e removed
        // though also answered, g discarded; old@x's draft is before `since`.
        assert_eq!(r.drafts, outcomes(7, [1, 1, 1, 1, 2, 1]));
        let t = |name: &str| r.templates.get(name).unwrap().clone();
        assert_eq!(t("en/outage").outcomes, outcomes(2, [0, 1, 0, 0, 0, 1]));
        assert_eq!(t("en/outage").median_similarity, Some(1.0));
        assert_eq!(t("de/outage").outcomes, outcomes(1, [0, 0, 1, 0, 0, 0]));
        let edited = t("de/outage").median_similarity.unwrap();
        assert!(
            (EDITED_AT_LEAST..UNCHANGED_AT_LEAST).contains(&edited),
            "{edited}"
        );
        assert_eq!(t("en/billing").outcomes, outcomes(1, [0, 0, 0, 1, 0, 0]));
        assert!(t("en/billing").median_similarity.unwrap() < EDITED_AT_LEAST);
        assert_eq!(t("en/login").outcomes, outcomes(2, [1, 0, 0, 0, 1, 0]));
        assert_eq!(t("en/login").median_similarity, None);
        assert_eq!(t("fr/question").outcomes, outcomes(1, [0, 0, 0, 0, 1, 0]));
        assert_eq!(r.templates.len(), 5);
    }

    #[test]
    fn a_reply_after_a_superseded_draft_is_compared_to_the_later_one() {
        let mut i = inputs();
        i.in_drafts.clear();
        i.drafts_made[5].body = UNRELATED.to_string();
        i.sent
            .push(reply(&["d@x"], "2024-06-04T16:00:00Z", UNRELATED));
        let r = compute(&i);
        // d's second draft, the unrelated text, was sent as it was; its first stays removed.
        assert_eq!(
            r.templates["en/login"].outcomes,
            outcomes(2, [0, 1, 0, 0, 1, 0])
        );
    }

    #[test]
    fn corrections_are_counted_most_frequent_first() {
        let r = compute(&inputs());
        let c = |from: &str, to: &str, count| Correction {
            from: from.into(),
            to: to.into(),
            count,
        };
        assert_eq!(
            r.corrections,
            [
                c("question", "billing", 2),
                c("general", "question", 1),
                c("outage", "login", 1)
            ]
        );
    }

    #[test]
    fn latency_is_the_median_of_the_first_draft_and_the_first_answer() {
        let r = compute(&inputs());
        // To draft: a 600 s, b 300, c 60, d 120 (its first draft), e 180, g 600.
        assert_eq!(
            r.latency.to_draft,
            Median {
                median_seconds: Some(240.0),
                count: 6
            }
        );
        // To answer: a 3600 s (not its thread's later reply), b 7500, c 7260, e 10800.
        assert_eq!(
            r.latency.to_answer,
            Median {
                median_seconds: Some(7380.0),
                count: 4
            }
        );
    }

    #[test]
    fn without_since_everything_counts() {
        let mut i = inputs();
        i.since = None;
        let r = compute(&i);
        assert_eq!(r.period.since, None);
        assert_eq!(r.messages.total, 10);
        assert_eq!(r.by_category["billing"], 3);
        // old@x's draft is still in Drafts.
        assert_eq!(r.drafts, outcomes(8, [2, 1, 1, 1, 2, 1]));
        assert_eq!(r.latency.to_draft.count, 7);
    }

    #[test]
    fn json_has_the_contract_keys() {
        let v = serde_json::to_value(compute(&inputs())).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        let mut expected = [
            "period",
            "messages",
            "by_category",
            "by_language",
            "skips",
            "drafts",
            "templates",
            "corrections",
            "latency",
        ];
        expected.sort_unstable();
        assert_eq!(keys, expected);
        assert_eq!(
            v["period"],
            serde_json::json!({"since": "2024-06-03", "until": "2024-06-10"})
        );
        assert_eq!(v["messages"]["by_day"]["2024-06-05"], 3);
        assert_eq!(
            v["drafts"],
            serde_json::json!({"made": 7, "pending": 1, "sent_unchanged": 1, "sent_edited": 1,
                "rewritten": 1, "removed": 2, "discarded": 1})
        );
        assert_eq!(v["templates"]["en/outage"]["median_similarity"], 1.0);
        assert_eq!(
            v["templates"]["en/login"]["median_similarity"],
            serde_json::Value::Null
        );
        assert_eq!(v["templates"]["en/login"]["made"], 2);
        assert_eq!(
            v["corrections"][0],
            serde_json::json!({"from": "question", "to": "billing", "count": 2})
        );
        assert_eq!(
            v["latency"]["to_answer"],
            serde_json::json!({"median_seconds": 7380.0, "count": 4})
        );
    }

    #[test]
    fn nothing_gathered_is_an_empty_report() {
        let i = Inputs {
            now: at("2024-06-10T12:00:00Z"),
            ..Inputs::default()
        };
        let r = compute(&i);
        assert_eq!(r.messages.total, 0);
        assert_eq!(r.drafts, Outcomes::default());
        assert_eq!(
            r.latency.to_answer,
            Median {
                median_seconds: None,
                count: 0
            }
        );
        let html = to_html(&r);
        assert_eq!(html.matches("<svg").count(), 2);
        assert_eq!(html.matches("no data").count(), 2);
    }

    #[test]
    fn the_page_escapes_what_comes_from_mail_and_loads_nothing() {
        let mut i = inputs();
        i.drafts_made[1].template = "<script>alert(1)</script>".into();
        i.messages[2].category = Some("a&b\"<i>".into());
        i.corrections.push(("<b>x</b>".into(), "y'".into()));
        let html = to_html(&compute(&i));
        assert!(html.starts_with("<!doctype html>"));
        assert!(html.contains("<meta charset=\"utf-8\">"));
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<i>") && !html.contains("<b>"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("a&amp;b&quot;&lt;i&gt;"));
        for external in ["http:", "https:", "//", "src=", "href=", "url(", "@import"] {
            assert!(!html.contains(external), "{external} in the page");
        }
        assert_eq!(html.matches("<svg").count(), 2);
        assert_eq!(html.matches("</svg>").count(), 2);
    }
}
