//! One pass over the pending messages, in named stages per batch:
//! fetch → read → history → finish → reconcile drafts → append → mark.
//!
//! The pipeline's CPU work runs on a blocking worker while the connection does the network
//! work of the neighbouring batch: a batch is read while the previous one is stored (drafts
//! looked up, appended, superseded, tagged), and finished while the next one is fetched. Per
//! batch the order that makes exactly-once hold through a crash is unchanged: the Drafts
//! lookup before APPEND, APPEND before STORE. A batch's follow-ups are looked for after the
//! previous batch is stored, so its drafts are in Drafts by then.

use std::collections::{HashMap, HashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

use super::cleanup::{remove_answered, same_thread, supersede};
use super::corrections::scan_corrections;
use super::{Memory, Observer, Settings, SharedEngine, Stats, MAX_TRIES, TRIAGED};
use crate::config::DraftsPolicy;
use crate::draft::DraftEnv;
use crate::facts::ContactHistory;
use crate::imap::{ImapError, Mailbox, Pending};
use crate::journal::{Event, Journal};
use crate::pipeline::{Action, Engine, Outcome, Read};
use crate::rules::Priority;
use crate::shutdown::Shutdown;

/// The error of a message whose pipeline panicked (retried up to [`MAX_TRIES`] times).
const PANIC: &str = "internal error (panic) while triaging";

/// What became of one message of a batch.
pub(super) struct Done {
    pub(super) uid: u32,
    pub(super) outcome: Result<Outcome, String>,
}

/// One message read, with the sender whose contact history its category checks.
pub(super) type ReadOne = (u32, Result<Read, String>, Option<String>);

/// Reads one message ([`Engine::read`]); any panic inside is caught and becomes an error.
pub(super) fn read_one(engine: &Engine, raw: &[u8], uid: u32) -> Result<Read, String> {
    catch_unwind(AssertUnwindSafe(|| engine.read(raw, &format!("uid:{uid}"))))
        .map_err(|_| PANIC.to_string())?
        .map_err(|e| e.to_string())
}

/// Finishes one message ([`Engine::finish`]); any panic inside is caught and becomes an error.
fn finish_one(
    engine: &Engine,
    read: Read,
    history: Option<ContactHistory>,
) -> Result<Outcome, String> {
    catch_unwind(AssertUnwindSafe(|| {
        engine.finish(read, &DraftEnv::now(), history)
    }))
    .map_err(|_| PANIC.to_string())?
    .map_err(|e| e.to_string())
}

/// The error when a reload panicked while holding the engine.
pub(super) fn poisoned() -> ImapError {
    ImapError::Protocol("engine lock poisoned".into())
}

/// Runs CPU work on the pipeline thread ([`super::worker`]), so the connection can be used
/// meanwhile.
pub(super) async fn on_worker<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ImapError> + Send + 'static,
) -> Result<T, ImapError> {
    super::worker::run(work)
        .await
        .map_err(|e| ImapError::Protocol(format!("pipeline worker failed: {e}")))?
}

/// A FETCH of bodies that a server sending more than was asked for cannot turn into
/// unbounded memory or an endless retry: the batch is tried again one message at a time, and
/// a message that overruns alone is tagged `triage:too-large` on the next pass.
async fn fetch_bounded<M: Mailbox>(
    mb: &mut M,
    uids: &[u32],
    memory: &mut Memory,
) -> Result<Vec<(u32, Vec<u8>)>, ImapError> {
    let (alone, together): (Vec<u32>, Vec<u32>) =
        uids.iter().partition(|u| memory.suspects.contains(u));
    let mut out = Vec::with_capacity(uids.len());
    let groups = std::iter::once(together)
        .filter(|g| !g.is_empty())
        .chain(alone.into_iter().map(|u| vec![u]));
    for group in groups {
        match mb.fetch(&group).await {
            Ok(mut got) => {
                for (u, _) in &got {
                    memory.suspects.remove(u);
                }
                out.append(&mut got);
            }
            Err(ImapError::Overrun(uids)) if uids.len() == 1 => {
                memory.suspects.remove(&uids[0]);
                memory.oversized.insert(uids[0]);
                return Err(ImapError::Overrun(uids));
            }
            Err(ImapError::Overrun(uids)) => {
                memory.suspects.extend(uids.iter().copied());
                return Err(ImapError::Overrun(uids));
            }
            Err(e) => return Err(e),
        }
    }
    out.sort_by_key(|(u, _)| *u);
    Ok(out)
}

/// Tags messages `triage:too-large` unread (unless this is a dry run), counting them.
async fn mark_too_large<M: Mailbox>(
    mb: &mut M,
    uids: &[u32],
    settings: &Settings,
    stats: &mut Stats,
) -> Result<(), ImapError> {
    if uids.is_empty() {
        return Ok(());
    }
    if !settings.dry_run {
        mb.mark(uids, &[TRIAGED.into(), "triage:too-large".into()], false)
            .await?;
    }
    stats.too_large += uids.len() as u64;
    for _ in uids {
        crate::metrics::skipped("too-large");
    }
    Ok(())
}

/// Stage 1, fetch: the batch's bodies, those over `max_message_size` (announced or
/// delivered) tagged `triage:too-large` instead; one body per UID.
async fn fetch<M: Mailbox>(
    mb: &mut M,
    batch: &[Pending],
    settings: &Settings,
    memory: &mut Memory,
    stats: &mut Stats,
    observer: &mut dyn Observer,
) -> Result<Vec<(u32, Vec<u8>)>, ImapError> {
    let (large, small): (Vec<&Pending>, Vec<&Pending>) = batch
        .iter()
        .partition(|p| p.size > settings.max_message_size || memory.oversized.contains(&p.uid));
    for p in &large {
        tracing::warn!(
            uid = p.uid,
            size = p.size,
            "message over max_message_size; tagged triage:too-large, not downloaded"
        );
        memory.oversized.remove(&p.uid);
        observer.too_large(p.uid, p.size);
    }
    let large_uids: Vec<u32> = large.iter().map(|p| p.uid).collect();
    mark_too_large(mb, &large_uids, settings, stats).await?;

    let uids: Vec<u32> = small.iter().map(|p| p.uid).collect();
    let t0 = Instant::now();
    let messages = fetch_bounded(mb, &uids, memory).await?;
    // More than max_message_size arrived, whatever the server announced.
    let (over, mut fits): (Vec<_>, Vec<_>) = messages
        .into_iter()
        .partition(|(_, raw)| raw.len() as u64 > settings.max_message_size);
    if !over.is_empty() {
        let uids: Vec<u32> = over.iter().map(|(u, _)| *u).collect();
        tracing::warn!(
            ?uids,
            "message body over max_message_size (announced smaller); tagged triage:too-large"
        );
        for (uid, raw) in &over {
            observer.too_large(*uid, raw.len() as u64);
        }
        mark_too_large(mb, &uids, settings, stats).await?;
    }
    // A server may answer one UID twice: one message, one draft.
    let mut seen = HashSet::new();
    fits.retain(|(uid, _)| seen.insert(*uid));
    stats.timings.fetch += t0.elapsed();
    Ok(fits)
}

/// Stage 2, read: parse, classify and screen each message (on the worker).
async fn read(
    engine: &SharedEngine,
    messages: Vec<(u32, Vec<u8>)>,
    shutdown: &Shutdown,
) -> Result<(Vec<ReadOne>, std::time::Duration), ImapError> {
    let engine = engine.clone();
    let shutdown = shutdown.clone();
    on_worker(move || {
        let t0 = Instant::now();
        let engine = engine.read().map_err(|_| poisoned())?;
        let mut reads = Vec::with_capacity(messages.len());
        // Each body is dropped once read: a batch's bodies are most of its memory.
        for (uid, raw) in messages {
            if shutdown.is_shutdown() && !reads.is_empty() {
                break;
            }
            let read = read_one(&engine, &raw, uid);
            let sender = read.as_ref().ok().and_then(|r| engine.wants_history(r));
            reads.push((uid, read, sender));
        }
        Ok((reads, t0.elapsed()))
    })
    .await
}

/// Stage 3, history: the contact history of the senders whose category checks it, in one
/// round of searches.
async fn history<M: Mailbox>(
    mb: &mut M,
    reads: &[ReadOne],
    settings: &Settings,
    stats: &mut Stats,
) -> Result<HashMap<String, ContactHistory>, ImapError> {
    let mut senders: Vec<String> = reads.iter().filter_map(|r| r.2.clone()).collect();
    if senders.is_empty() {
        return Ok(HashMap::new());
    }
    let t0 = Instant::now();
    senders.sort();
    senders.dedup();
    let h = mb.history(&senders, settings.history_days).await?;
    stats.timings.history += t0.elapsed();
    Ok(h)
}

/// Stage 4, finish: facts and the draft of each message (on the worker).
async fn finish(
    engine: &SharedEngine,
    reads: Vec<ReadOne>,
    histories: HashMap<String, ContactHistory>,
) -> Result<(Vec<Done>, std::time::Duration), ImapError> {
    let engine = engine.clone();
    on_worker(move || {
        let t0 = Instant::now();
        let engine = engine.read().map_err(|_| poisoned())?;
        let done = reads
            .into_iter()
            .map(|(uid, read, sender)| {
                let history = sender.and_then(|s| histories.get(&s).cloned());
                let outcome = read.and_then(|r| finish_one(&engine, r, history));
                Done { uid, outcome }
            })
            .collect();
        Ok((done, t0.elapsed()))
    })
    .await
}

/// A batch finished but not yet stored, with the follow-ups found for it.
struct Finished {
    done: Vec<Done>,
    same_thread: HashMap<u32, Vec<String>>,
}

/// Stage 5, reconcile drafts: which drafts are new, and which UIDs' drafts are in Drafts
/// already (an interrupted run, a duplicate delivery).
async fn reconcile<M: Mailbox>(
    mb: &mut M,
    done: &[Done],
    stats: &mut Stats,
) -> Result<(Vec<usize>, HashSet<u32>), ImapError> {
    let t0 = Instant::now();
    // Each draft's key, and its source's Message-ID: that alone matches only a draft from
    // before digests were written.
    let keys: Vec<(usize, String, Option<&str>)> = done
        .iter()
        .enumerate()
        .filter_map(|(i, d)| {
            let o = d.outcome.as_ref().ok()?;
            let draft = o.draft.as_ref()?;
            let source = o.message_id.as_deref().and_then(crate::draft::safe_msg_id);
            let key = crate::draft::drafted_key(source.unwrap_or(""), &draft.source_digest);
            Some((i, key, source))
        })
        .collect();
    let drafted = if keys.is_empty() {
        Default::default()
    } else {
        let asked: Vec<&str> = keys
            .iter()
            .flat_map(|(_, key, source)| std::iter::once(key.as_str()).chain(*source))
            .collect();
        mb.drafted(&asked).await?
    };
    let mut to_append = Vec::new();
    // Keys of the drafts appended in this batch, and the UIDs whose draft was already there.
    let mut appended = HashSet::new();
    let mut already = HashSet::new();
    for (i, key, source) in keys {
        let earlier = drafted.contains(&key) || source.is_some_and(|s| drafted.contains(s));
        if earlier || !appended.insert(key) {
            already.insert(done[i].uid);
        } else {
            to_append.push(i);
        }
    }
    stats.timings.drafts_lookup += t0.elapsed();
    Ok((to_append, already))
}

/// Stage 6, append: the new drafts into Drafts, journalled.
async fn append<M: Mailbox>(
    mb: &mut M,
    done: &[Done],
    to_append: &[usize],
    memory: &mut Memory,
    stats: &mut Stats,
) -> Result<(), ImapError> {
    let drafts: Vec<(&Outcome, &crate::draft::Draft)> = to_append
        .iter()
        .filter_map(|&i| {
            let o = done[i].outcome.as_ref().ok()?;
            Some((o, o.draft.as_ref()?))
        })
        .collect();
    let t0 = Instant::now();
    let raws: Vec<&[u8]> = drafts.iter().map(|(_, d)| d.raw.as_slice()).collect();
    mb.append_drafts(&raws).await?;
    crate::metrics::drafts(raws.len() as u64);
    stats.timings.append += t0.elapsed();
    let now = chrono::Utc::now();
    memory.record(
        drafts
            .iter()
            .map(|(o, draft)| Event::Drafted {
                at: now,
                source: o.message_id.clone().unwrap_or_default(),
                template: draft.template.clone(),
                category: o.category.clone().unwrap_or_default(),
                language: draft.language.clone(),
                body: draft.body.clone(),
            })
            .collect(),
    );
    Ok(())
}

/// Stage 7, mark: the keywords on the originals, grouped so identical sets share one STORE;
/// errors retried up to [`MAX_TRIES`]; each outcome counted, logged and journalled.
async fn mark<M: Mailbox>(
    mb: &mut M,
    done: &[Done],
    already: &HashSet<u32>,
    settings: &Settings,
    memory: &mut Memory,
    stats: &mut Stats,
) -> Result<(), ImapError> {
    let t0 = Instant::now();
    let mut groups: HashMap<(Vec<String>, bool), Vec<u32>> = HashMap::new();
    for d in done {
        match &d.outcome {
            Ok(o) => {
                log_outcome(settings, d.uid, o, already.contains(&d.uid), stats);
                memory.failures.remove(&d.uid);
                let urgent = o.priority == Some(Priority::Urgent);
                groups
                    .entry((vec![TRIAGED.into(), o.keyword()], urgent))
                    .or_default()
                    .push(d.uid);
            }
            Err(e) => {
                let tries = memory.failures.entry(d.uid).or_insert(0);
                *tries += 1;
                if *tries >= MAX_TRIES || !e.contains("panic") {
                    tracing::error!(uid = d.uid, error = %e, "cannot triage message; tagged triage:error");
                    stats.errors += 1;
                    crate::metrics::error();
                    memory.failures.remove(&d.uid);
                    groups
                        .entry((vec![TRIAGED.into(), "triage:error".into()], false))
                        .or_default()
                        .push(d.uid);
                } else {
                    tracing::warn!(uid = d.uid, error = %e, tries = *tries, "triage failed; will retry");
                }
            }
        }
    }
    let mut groups: Vec<_> = groups.into_iter().collect();
    groups.sort();
    for ((keywords, flagged), uids) in groups {
        mb.mark(&uids, &keywords, flagged).await?;
        memory.marked.extend(uids);
    }
    stats.timings.store += t0.elapsed();
    // Validity 0 on a server without keywords: recorded for the report, never watched.
    let validity = mb.keyword_validity().await?.unwrap_or(0);
    let now = chrono::Utc::now();
    let tagged = done
        .iter()
        .filter_map(|d| Some((d.uid, d.outcome.as_ref().ok()?)))
        .map(|(uid, o)| Event::Tagged {
            at: now,
            validity,
            uid,
            source: o.message_id.clone(),
            keyword: o.keyword(),
            language: o.language.clone(),
        })
        .collect();
    memory.record(tagged);
    Ok(())
}

/// Counts and logs one outcome about to be tagged.
fn log_outcome(settings: &Settings, uid: u32, o: &Outcome, already: bool, stats: &mut Stats) {
    let span = tracing::info_span!("message", mailbox = %settings.mailbox, uid, message_id = o.message_id.as_deref().unwrap_or(""), category = o.category.as_deref().unwrap_or(""), language = %o.language);
    let _g = span.enter();
    match o.action {
        Action::Draft if already => {
            stats.already_drafted += 1;
            tracing::info!(
                "already drafted: a draft for this message is in Drafts; not appending again"
            );
        }
        Action::Draft => {
            stats.drafts += 1;
            stats.last_draft = Some(chrono::Local::now().format("%H:%M").to_string());
            tracing::info!(facts = %o.facts_summary(), "drafted");
        }
        Action::Skip => {
            stats.skipped += 1;
            crate::metrics::skipped(o.skip_reason.map_or("", |r| r.as_str()));
            tracing::info!(reason = o.skip_reason.map_or("", |r| r.as_str()), "skipped");
        }
    }
    stats.triaged += 1;
    crate::metrics::message(o.category.as_deref(), &o.language);
}

/// Stages 5–7 for one finished batch: reconcile, append, supersede, mark. A dry run only
/// counts what would be done.
async fn store<M: Mailbox>(
    mb: &mut M,
    batch: Finished,
    settings: &Settings,
    policy: DraftsPolicy,
    memory: &mut Memory,
    stats: &mut Stats,
    observer: &mut dyn Observer,
) -> Result<(), ImapError> {
    let (to_append, already) = reconcile(mb, &batch.done, stats).await?;
    for d in &batch.done {
        observer.outcome(d.uid, d.outcome.as_ref(), already.contains(&d.uid));
    }
    if settings.dry_run {
        for d in &batch.done {
            match &d.outcome {
                Ok(o) if o.action == Action::Skip => stats.skipped += 1,
                Ok(_) if already.contains(&d.uid) => stats.already_drafted += 1,
                Ok(_) => stats.drafts += 1,
                Err(_) => stats.errors += 1,
            }
            stats.triaged += 1;
        }
        return Ok(());
    }
    append(mb, &batch.done, &to_append, memory, stats).await?;
    // After the new drafts are in, never before: a crash here leaves one draft too many for a
    // moment, never none.
    if policy.supersede {
        let t0 = Instant::now();
        supersede(mb, &batch.done, &batch.same_thread, memory, stats).await?;
        stats.timings.upkeep += t0.elapsed();
    }
    mark(mb, &batch.done, &already, settings, memory, stats).await
}

/// The messages pending, after a check that the server keeps `$Triaged`: one that accepts the
/// STORE but drops the keyword would have every pass redo the same messages at once (the
/// drafts lookup stops duplicates, not the spinning), so the pass pauses instead.
async fn search<M: Mailbox>(
    mb: &mut M,
    settings: &Settings,
    memory: &mut Memory,
    stats: &mut Stats,
    shutdown: &Shutdown,
) -> Result<Option<Vec<Pending>>, ImapError> {
    let t0 = Instant::now();
    let pending = mb.pending().await?;
    stats.timings.search += t0.elapsed();
    let back = pending
        .iter()
        .filter(|p| memory.marked.contains(&p.uid))
        .count();
    memory.marked.clear();
    if back > 0 {
        stats.keyword_pauses += 1;
        tracing::warn!(
            messages = back,
            pause_s = settings.idle_max.as_secs(),
            "messages tagged $Triaged came back untagged: the server does not keep the keyword; pausing before the next pass"
        );
        let mut stop = shutdown.clone();
        tokio::select! {
            _ = tokio::time::sleep(settings.idle_max) => {}
            _ = stop.recv() => return Ok(None),
        }
    }
    if !pending.is_empty() {
        tracing::info!(count = pending.len(), "messages to triage");
    }
    Ok(Some(pending))
}

/// Processes everything pending once. Returns when no work is left, on shutdown (after the
/// batch finished is stored), or on the first connection error.
pub async fn process_pending<M: Mailbox>(
    mb: &mut M,
    engine: &SharedEngine,
    settings: &Settings,
    memory: &mut Memory,
    stats: &mut Stats,
    shutdown: &Shutdown,
    observer: &mut dyn Observer,
) -> Result<(), ImapError> {
    let Some(pending) = search(mb, settings, memory, stats, shutdown).await? else {
        return Ok(());
    };
    // Per pass, from the engine: `[drafts]` changes with a reload like the rest of the config.
    let policy = engine.read().map_err(|_| poisoned())?.config.drafts;
    let mut batches = pending.chunks(settings.batch_size.max(1)).peekable();
    let mut fetched: Option<Vec<(u32, Vec<u8>)>> = None;
    let mut unstored: Option<Finished> = None;
    while let Some(batch) = batches.next() {
        observer.alive();
        if shutdown.is_shutdown() {
            break;
        }
        let messages = match fetched.take() {
            Some(m) => m,
            None => fetch(mb, batch, settings, memory, stats, observer).await?,
        };
        // This batch is read on the worker while the connection stores the previous one.
        let storing = async {
            match unstored.take() {
                Some(previous) => {
                    store(mb, previous, settings, policy, memory, stats, observer).await
                }
                None => Ok(()),
            }
        };
        let (reads, stored) = tokio::join!(read(engine, messages, shutdown), storing);
        stored?;
        let (mut reads, spent) = reads?;
        stats.timings.pipeline += spent;
        // The history first, while the inbox is still selected from the previous batch's
        // STORE; the follow-up lookup selects Drafts after it, so the inbox is selected once.
        let histories = history(mb, &reads, settings, stats).await?;
        let t0 = Instant::now();
        let same_thread = if policy.supersede {
            same_thread(mb, &mut reads, settings.history_days).await?
        } else {
            HashMap::new()
        };
        stats.timings.upkeep += t0.elapsed();
        // Finished on the worker while the connection fetches the next batch.
        let next = async {
            match batches.peek() {
                Some(next) if !shutdown.is_shutdown() => {
                    fetch(mb, next, settings, memory, stats, observer)
                        .await
                        .map(Some)
                }
                _ => Ok(None),
            }
        };
        let (done, next) = tokio::join!(finish(engine, reads, histories), next);
        let (done, spent) = done?;
        stats.timings.pipeline += spent;
        unstored = Some(Finished { done, same_thread });
        fetched = next?;
    }
    if let Some(last) = unstored {
        store(mb, last, settings, policy, memory, stats, observer).await?;
    }
    if policy.remove_answered && !settings.dry_run {
        let t0 = Instant::now();
        remove_answered(mb, memory, stats).await?;
        stats.timings.upkeep += t0.elapsed();
    }
    if !settings.dry_run {
        let t0 = Instant::now();
        scan_corrections(mb, engine, memory).await?;
        stats.timings.corrections += t0.elapsed();
    }
    if let Some(Err(e)) = memory.journal.as_mut().map(Journal::maintain) {
        tracing::error!(error = %e, "cannot trim the journal; drafting goes on");
    }
    Ok(())
}
