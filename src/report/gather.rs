//! Gathering the report's [`Inputs`]: the daemon's journal (what it tagged, drafted, removed,
//! and the agents' corrections) joined with what the mailbox says now (arrival times and
//! current keywords in INBOX, our drafts still in Drafts, the replies in Sent).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};

use super::{DraftMade, Inputs, Message, Removed, SentReply};
use crate::imap::session::ImapMailbox;
use crate::imap::survey::{InboxEntry, SentEntry};
use crate::imap::{ImapError, Mailbox};
use crate::journal::{self, Event};

/// The skip reason a keyword names (`triage:skip-auto-reply` → `auto_reply`, and
/// `triage:too-large` → `too_large`), as the JSON output spells skip reasons.
fn skip_of(keyword: &str) -> Option<String> {
    let k = keyword.strip_prefix("triage:")?;
    let reason = k
        .strip_prefix("skip-")
        .or((k == "too-large").then_some(k))?;
    Some(reason.replace('-', "_"))
}

/// The report's inputs from the journal's events and the mailbox's answers (pure, so tests can
/// build them without a server). `since` bounds what counts; the mailbox was read from then.
pub fn assemble(
    events: &[Event],
    inbox: &[InboxEntry],
    in_drafts: Vec<String>,
    sent: &[SentEntry],
    since: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Inputs {
    let by_id: HashMap<&str, &InboxEntry> = inbox
        .iter()
        .filter_map(|e| Some((e.message_id.as_deref()?, e)))
        .collect();
    // The latest tagging of each message (by Message-ID, else by UID).
    let mut tagged: HashMap<String, &Event> = HashMap::new();
    let mut drafts_made = Vec::new();
    let mut removed = Vec::new();
    for e in events {
        match e {
            Event::Tagged {
                validity,
                uid,
                source,
                ..
            } => {
                let key = source
                    .clone()
                    .unwrap_or_else(|| format!("uid:{validity}:{uid}"));
                tagged.insert(key, e);
            }
            Event::Drafted {
                at,
                source,
                template,
                category,
                language,
                body,
            } => drafts_made.push(DraftMade {
                source: source.clone(),
                at: *at,
                template: template.clone(),
                category: category.clone(),
                language: language.clone(),
                body: body.clone(),
            }),
            Event::Removed { at, source, why } => removed.push(Removed {
                source: source.clone(),
                why: why.clone(),
                at: *at,
            }),
            _ => {}
        }
    }
    let messages = tagged
        .into_values()
        .filter_map(|e| match e {
            Event::Tagged {
                at,
                source,
                keyword,
                language,
                ..
            } => Some((source, keyword, language, *at)),
            _ => None,
        })
        .map(|(source, keyword, language, at)| {
            let now_in_inbox = source.as_deref().and_then(|s| by_id.get(s));
            // The keyword as it is now: an agent's correction shows in the counts.
            let keyword = now_in_inbox
                .and_then(|e| e.keywords.iter().find(|k| k.starts_with("triage:")))
                .unwrap_or(keyword);
            Message {
                message_id: source.clone(),
                arrived: now_in_inbox.map_or(at, |e| e.arrived),
                category: journal::category_of(keyword).map(str::to_string),
                skip_reason: skip_of(keyword),
                language: Some(language.clone()).filter(|l| !l.is_empty()),
            }
        })
        .collect();
    let corrections = journal::corrections(events)
        .into_iter()
        .filter_map(|e| match e {
            Event::Corrected { from, to, .. } => Some((from.clone(), to.clone())),
            _ => None,
        })
        .collect();
    let sent = sent
        .iter()
        .map(|s| SentReply {
            replies_to: s.replies_to.clone(),
            at: s.at,
            body: text_of(&s.raw),
        })
        .collect();
    Inputs {
        since,
        now,
        messages,
        drafts_made,
        in_drafts,
        sent,
        removed,
        corrections,
    }
}

/// The plain text of a sent message (its HTML part as text when it has no plain one).
fn text_of(raw: &[u8]) -> String {
    mail_parser::MessageParser::default()
        .parse(raw)
        .and_then(|m| m.body_text(0).map(|t| t.into_owned()))
        .unwrap_or_default()
}

/// Reads the journal of this mailbox and surveys it (INBOX, Drafts, Sent) from `since` (by
/// default the journal's reach, [`journal::KEEP_DAYS`]).
pub async fn gather(
    mb: &mut ImapMailbox,
    journal_path: &std::path::Path,
    since: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<Inputs, ImapError> {
    let events = journal::read(journal_path).map_err(|e| ImapError::State(e.0))?;
    let from =
        since.unwrap_or_else(|| (now - chrono::Duration::days(journal::KEEP_DAYS)).date_naive());
    let inbox = mb.survey_inbox(from).await?;
    let in_drafts = mb.drafted_sources().await?;
    let wanted: HashSet<String> = events
        .iter()
        .filter_map(|e| match e {
            Event::Drafted { source, .. } => Some(source.clone()),
            _ => None,
        })
        .collect();
    let sent = mb.survey_sent(from, &wanted).await?;
    Ok(assemble(&events, &inbox, in_drafts, &sent, since, now))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_as_categories_and_skip_reasons() {
        assert_eq!(
            skip_of("triage:skip-auto-reply").as_deref(),
            Some("auto_reply")
        );
        assert_eq!(skip_of("triage:too-large").as_deref(), Some("too_large"));
        assert_eq!(skip_of("triage:billing"), None);
    }

    #[test]
    fn the_keyword_in_the_inbox_now_wins_over_the_journal() {
        let at = Utc::now();
        let events = vec![Event::Tagged {
            at,
            validity: 1,
            uid: 4,
            source: Some("a@x".into()),
            keyword: "triage:billing".into(),
            language: "de".into(),
        }];
        let inbox = vec![InboxEntry {
            message_id: Some("a@x".into()),
            arrived: at - chrono::Duration::minutes(5),
            keywords: vec!["$Triaged".into(), "triage:login".into()],
        }];
        let inputs = assemble(&events, &inbox, Vec::new(), &[], None, at);
        assert_eq!(inputs.messages.len(), 1);
        let m = &inputs.messages[0];
        assert_eq!(m.category.as_deref(), Some("login"));
        assert_eq!(m.arrived, at - chrono::Duration::minutes(5));
        assert_eq!(m.language.as_deref(), Some("de"));
    }
}
