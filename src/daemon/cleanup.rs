//! Keeping Drafts current: a follow-up replaces our untouched draft for the earlier message
//! of its thread, and an untouched draft whose message was answered another way is removed.
//! Only drafts whose body still matches their digest are ever removed, by UID.

use std::collections::{HashMap, HashSet};

use super::pass::{Done, ReadOne};
use super::{Memory, Stats};
use crate::imap::{ImapError, Mailbox};
use crate::journal::Event;

/// The Message-IDs in a References header, without brackets.
fn thread_ids(references: Option<&str>) -> impl Iterator<Item = &str> {
    references
        .unwrap_or_default()
        .split_whitespace()
        .map(|r| r.trim_start_matches('<').trim_end_matches('>'))
        .filter(|r| !r.is_empty())
}

/// Reads whose sender already has a draft of ours in Drafts on the same subject (within
/// `days`): those drafts' Message-IDs by the read's UID, and the reads told they are
/// follow-ups.
pub(super) async fn same_thread<M: Mailbox>(
    mb: &mut M,
    reads: &mut [ReadOne],
    days: u32,
) -> Result<HashMap<u32, Vec<String>>, ImapError> {
    let keyed: Vec<(usize, (String, String))> = reads
        .iter()
        .enumerate()
        .filter_map(|(i, (_, r, _))| Some((i, r.as_ref().ok()?.thread_key()?)))
        .collect();
    if keyed.is_empty() {
        return Ok(HashMap::new());
    }
    let keys: Vec<(String, String)> = keyed.iter().map(|(_, k)| k.clone()).collect();
    let found = mb.drafts_to(&keys, days).await?;
    let mut out = HashMap::new();
    for ((i, _), ids) in keyed.into_iter().zip(found) {
        let (uid, read, _) = &mut reads[i];
        let own = read
            .as_ref()
            .ok()
            .and_then(|r| r.message_id())
            .map(str::to_string);
        let ids: Vec<String> = ids
            .into_iter()
            .filter(|id| Some(id) != own.as_ref())
            .collect();
        if ids.is_empty() {
            continue;
        }
        if let Ok(r) = read {
            r.set_followup();
        }
        out.insert(*uid, ids);
    }
    Ok(out)
}

/// A follow-up replaces our untouched drafts for the earlier messages of its thread (those its
/// References name, or by the same sender on the same subject: `same_thread`); a draft an
/// agent edited stays, and so does any draft answering a message of this batch.
pub(super) async fn supersede<M: Mailbox>(
    mb: &mut M,
    done: &[Done],
    same_thread: &HashMap<u32, Vec<String>>,
    memory: &mut Memory,
    stats: &mut Stats,
) -> Result<(), ImapError> {
    let mut answered_now = HashSet::new();
    let mut earlier: HashMap<String, String> = HashMap::new();
    for d in done {
        let Ok(o) = &d.outcome else { continue };
        let own = o.message_id.as_deref().and_then(crate::draft::safe_msg_id);
        answered_now.extend(own.map(str::to_string));
        if let Some(draft) = &o.draft {
            let same = same_thread.get(&d.uid).into_iter().flatten();
            for id in thread_ids(draft.references.as_deref()).chain(same.map(String::as_str)) {
                if Some(id) != own {
                    earlier.insert(id.to_string(), own.unwrap_or_default().to_string());
                }
            }
        }
    }
    earlier.retain(|id, _| !answered_now.contains(id));
    if earlier.is_empty() {
        return Ok(());
    }
    let ids: HashSet<String> = earlier.keys().cloned().collect();
    for (uid, id) in remove_untouched(mb, &ids, "superseded", memory, stats).await? {
        tracing::info!(
            draft_uid = uid,
            answered = %id,
            follow_up = earlier.get(&id).map_or("", String::as_str),
            "superseded: removed our untouched draft for an earlier message of the thread"
        );
    }
    Ok(())
}

/// Removes our untouched drafts answering `ids`, counting them as removed because of `why`;
/// returns the (UID, Message-ID) of each draft removed (none without UIDPLUS).
async fn remove_untouched<M: Mailbox>(
    mb: &mut M,
    ids: &HashSet<String>,
    why: &str,
    memory: &mut Memory,
    stats: &mut Stats,
) -> Result<Vec<(u32, String)>, ImapError> {
    let stale = mb.untouched_drafts(ids).await?;
    let uids: Vec<u32> = stale.iter().map(|(u, _)| *u).collect();
    if mb.remove_drafts(&uids).await? == 0 {
        return Ok(Vec::new());
    }
    for _ in &stale {
        crate::metrics::draft_removed(why);
    }
    stats.drafts_removed += stale.len() as u64;
    let now = chrono::Utc::now();
    memory.record(
        stale
            .iter()
            .map(|(_, source)| Event::Removed {
                at: now,
                source: source.clone(),
                why: why.to_string(),
            })
            .collect(),
    );
    Ok(stale)
}

/// Our untouched drafts whose message got an answer another way (a reply in Sent, or
/// `\Answered` set on it) are removed.
pub(super) async fn remove_answered<M: Mailbox>(
    mb: &mut M,
    memory: &mut Memory,
    stats: &mut Stats,
) -> Result<(), ImapError> {
    let sources = mb.drafted_sources().await?;
    if sources.is_empty() {
        return Ok(());
    }
    let answered = mb.answered(&sources).await?;
    if answered.is_empty() {
        return Ok(());
    }
    for (uid, id) in remove_untouched(mb, &answered, "answered", memory, stats).await? {
        tracing::info!(draft_uid = uid, answered = %id, "answered elsewhere: removed our untouched draft");
    }
    Ok(())
}
