//! What `mailtriage report` reads from the mailbox: the inbox messages of the period (arrival,
//! Message-ID, keywords) and the replies in Sent to the messages we drafted for. Read-only:
//! EXAMINE and `BODY.PEEK`, nothing is stored or flagged.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};

use super::connect::timed;
use super::session::{
    header_value, internal_datetime, message_ids, uid_fetch_each, uid_set, ImapMailbox,
};
use super::ImapError;

/// Messages per FETCH while surveying.
const CHUNK: usize = 500;

/// One inbox message of the period.
#[derive(Debug, Clone, PartialEq)]
pub struct InboxEntry {
    pub message_id: Option<String>,
    pub arrived: DateTime<Utc>,
    pub keywords: Vec<String>,
}

/// A message in Sent that replies to one we drafted for.
#[derive(Debug, Clone, PartialEq)]
pub struct SentEntry {
    /// Message-IDs (no brackets) of In-Reply-To and References.
    pub replies_to: Vec<String>,
    pub at: DateTime<Utc>,
    /// The whole message, for its text.
    pub raw: Vec<u8>,
}

fn since_query(since: NaiveDate) -> String {
    format!("UNDELETED SINCE {}", since.format("%d-%b-%Y"))
}

fn internal_date(s: &str) -> Option<DateTime<Utc>> {
    internal_datetime(s).map(|d| d.with_timezone(&Utc))
}

impl ImapMailbox {
    /// The inbox messages that arrived on or after `since`.
    pub async fn survey_inbox(&mut self, since: NaiveDate) -> Result<Vec<InboxEntry>, ImapError> {
        use async_imap::imap_proto::AttributeValue;
        self.select_inbox().await?;
        let uids = self.search_ranges(&since_query(since)).await?;
        let mut out = Vec::with_capacity(uids.len());
        let t = self.cfg.timeout * 4;
        for chunk in uids.chunks(CHUNK) {
            let s = self.session()?;
            let items = "(UID FLAGS INTERNALDATE BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])";
            timed(
                t,
                "UID FETCH (survey)",
                uid_fetch_each(s, &uid_set(chunk), items, |_, attrs| {
                    let mut entry = InboxEntry {
                        message_id: None,
                        arrived: DateTime::<Utc>::MIN_UTC,
                        keywords: Vec::new(),
                    };
                    for a in attrs {
                        match a {
                            AttributeValue::Flags(f) => entry.keywords.extend(
                                f.iter()
                                    .filter(|k| !k.starts_with('\\'))
                                    .map(|k| k.to_string()),
                            ),
                            AttributeValue::InternalDate(d) => {
                                if let Some(d) = internal_date(d) {
                                    entry.arrived = d;
                                }
                            }
                            AttributeValue::BodySection { data: Some(d), .. } => {
                                entry.message_id = header_value(d, "message-id:")
                                    .and_then(|v| message_ids(&v).next());
                            }
                            _ => {}
                        }
                    }
                    out.push(entry);
                }),
            )
            .await?;
        }
        Ok(out)
    }

    /// The messages in Sent since `since` that reply to one of `wanted` (Message-IDs without
    /// brackets), whole. Empty when there is no Sent folder.
    pub async fn survey_sent(
        &mut self,
        since: NaiveDate,
        wanted: &HashSet<String>,
    ) -> Result<Vec<SentEntry>, ImapError> {
        use async_imap::imap_proto::AttributeValue;
        let Some(sent) = self.sent.clone() else {
            return Ok(Vec::new());
        };
        self.examine(&sent).await?;
        let uids = self.search_ranges(&since_query(since)).await?;
        let mut replies: Vec<(u32, Vec<String>)> = Vec::new();
        for chunk in uids.chunks(CHUNK) {
            for (uid, header) in self.headers(chunk, "IN-REPLY-TO REFERENCES").await? {
                let mut named: Vec<String> = ["in-reply-to:", "references:"]
                    .iter()
                    .filter_map(|h| header_value(&header, h))
                    .flat_map(|v| message_ids(&v).collect::<Vec<_>>())
                    .collect();
                named.dedup();
                if named.iter().any(|id| wanted.contains(id)) {
                    replies.push((uid, named));
                }
            }
        }
        let mut out = Vec::with_capacity(replies.len());
        let t = self.cfg.timeout * 4;
        let max = self.cfg.max_message_size as usize;
        for chunk in replies.chunks(50) {
            let set: Vec<u32> = chunk.iter().map(|(u, _)| *u).collect();
            let s = self.session()?;
            let mut got = Vec::new();
            timed(
                t,
                "UID FETCH (survey)",
                uid_fetch_each(
                    s,
                    &uid_set(&set),
                    "(UID INTERNALDATE BODY.PEEK[])",
                    |uid, attrs| {
                        let mut at = None;
                        let mut raw = None;
                        for a in attrs {
                            match a {
                                AttributeValue::InternalDate(d) => at = internal_date(d),
                                AttributeValue::BodySection { data: Some(d), .. }
                                    if d.len() <= max =>
                                {
                                    raw = Some(d.to_vec());
                                }
                                _ => {}
                            }
                        }
                        if let (Some(at), Some(raw)) = (at, raw) {
                            got.push((uid, at, raw));
                        }
                    },
                ),
            )
            .await?;
            for (uid, at, raw) in got {
                if let Some((_, named)) = chunk.iter().find(|(u, _)| *u == uid) {
                    out.push(SentEntry {
                        replies_to: named.clone(),
                        at,
                        raw,
                    });
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn message_ids_of_a_header_value() {
        let v: Vec<String> = super::message_ids("<a@x> <b@y>\t<c@z>").collect();
        assert_eq!(v, ["a@x", "b@y", "c@z"]);
        assert_eq!(super::message_ids("<a@x><b@y>").count(), 2);
        assert!(super::internal_date("17-Jul-2026 02:44:25 -0700").is_some());
    }
}
