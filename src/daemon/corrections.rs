//! Agents teach it: noticing that an agent changed the category keyword of a message we
//! tagged, and recording the correction, with the message's text, in the journal.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::pass::{on_worker, poisoned, read_one};
use super::{Memory, SharedEngine};
use crate::imap::{ImapError, Mailbox};
use crate::journal::Event;

/// Without CONDSTORE, the keywords of the watched messages are read at most this often.
const SCAN_EVERY: Duration = Duration::from_secs(300);

/// Notices agents' category corrections: a watched message (tagged with a category in the
/// last [`crate::journal::WATCH_DAYS`]) that no longer carries the category we know of and
/// carries exactly one other category keyword of ours. Each is read again and recorded once in
/// the journal with its text, for `mailtriage learn`.
pub(super) async fn scan_corrections<M: Mailbox>(
    mb: &mut M,
    engine: &SharedEngine,
    memory: &mut Memory,
) -> Result<(), ImapError> {
    let Some(journal) = memory.journal.as_mut() else {
        return Ok(());
    };
    let Some(validity) = mb.keyword_validity().await? else {
        return Ok(());
    };
    let since = journal.modseq.get(&validity).copied();
    if since.is_none() && memory.last_scan.is_some_and(|t| t.elapsed() < SCAN_EVERY) {
        return Ok(());
    }
    let uids = journal.watched_uids(validity);
    if uids.is_empty() {
        return Ok(());
    }
    memory.last_scan = Some(Instant::now());
    let scan = mb.keywords(&uids, since).await?;
    let known: Vec<String> = engine
        .read()
        .map_err(|_| poisoned())?
        .rules
        .categories
        .iter()
        .map(|c| c.id.clone())
        .collect();
    let mut changed: Vec<(u32, String, String)> = Vec::new();
    for (uid, keywords) in &scan.keywords {
        let Some((ours, _)) = journal.watched.get(&(validity, *uid)) else {
            continue;
        };
        let categories: Vec<&str> = keywords
            .iter()
            .filter_map(|k| crate::journal::category_of(k))
            .filter(|c| known.iter().any(|k| k == c))
            .collect();
        if let [to] = categories[..] {
            if to != ours {
                changed.push((*uid, ours.clone(), to.to_string()));
            }
        }
    }
    let mut events = Vec::new();
    if !changed.is_empty() {
        let uids: Vec<u32> = changed.iter().map(|c| c.0).collect();
        let bodies: HashMap<u32, Vec<u8>> = mb.fetch(&uids).await?.into_iter().collect();
        let engine = engine.clone();
        let read = on_worker(move || {
            let engine = engine.read().map_err(|_| poisoned())?;
            Ok(changed
                .into_iter()
                .filter_map(|(uid, from, to)| {
                    let read = read_one(&engine, bodies.get(&uid)?, uid).ok()?;
                    let source = read.message_id().map(str::to_string);
                    let sample = read.sample(&format!("uid:{uid}"), &to);
                    Some((uid, from, to, source, sample))
                })
                .collect::<Vec<_>>())
        })
        .await?;
        for (uid, from, to, source, sample) in read {
            tracing::info!(uid, from = %from, to = %to, "an agent corrected the category; recorded for `mailtriage learn`");
            events.push(Event::Corrected {
                at: chrono::Utc::now(),
                validity,
                uid,
                source,
                sample,
                from,
                to,
            });
        }
    }
    if let Some(modseq) = scan.modseq {
        events.push(Event::Scanned {
            at: chrono::Utc::now(),
            validity,
            modseq,
        });
    }
    memory.record(events);
    Ok(())
}
