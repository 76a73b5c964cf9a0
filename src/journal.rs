//! The daemon's journal in its state directory: what it tagged, drafted and removed, and the
//! category corrections agents made. `report` and `learn` read it. It is a record, not the
//! state of record: exactly-once rests on the mailbox alone, so a lost or unwritable journal
//! costs history for reports and learning, never a draft.
//!
//! One JSON object per line, appended. Corrections are kept for ever; everything else for
//! [`KEEP_DAYS`], trimmed when the daemon starts and once a day after.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::classify::training::Sample;

/// Days of tagging, drafting and removal history kept (the report's reach).
pub const KEEP_DAYS: i64 = 180;

/// Days after tagging in which an agent's change of the category keyword is noticed.
pub const WATCH_DAYS: i64 = 30;

/// Messages whose keywords are watched for corrections, the most recent first.
pub const WATCH_MAX: usize = 5000;

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A message got its keyword (`triage:<category>` or `triage:skip-<reason>`).
    Tagged {
        at: DateTime<Utc>,
        validity: u32,
        uid: u32,
        source: Option<String>,
        keyword: String,
        language: String,
    },
    /// A draft was appended to Drafts.
    Drafted {
        at: DateTime<Utc>,
        source: String,
        template: String,
        category: String,
        language: String,
        body: String,
    },
    /// A draft of ours was removed: `superseded` or `answered`.
    Removed {
        at: DateTime<Utc>,
        source: String,
        why: String,
    },
    /// An agent changed a message's category keyword from `from` to `to`.
    Corrected {
        at: DateTime<Utc>,
        validity: u32,
        uid: u32,
        source: Option<String>,
        from: String,
        to: String,
        sample: Sample,
    },
    /// The keywords were read up to this CONDSTORE mod-sequence.
    Scanned {
        at: DateTime<Utc>,
        validity: u32,
        modseq: u64,
    },
}

impl Event {
    fn at(&self) -> DateTime<Utc> {
        match self {
            Event::Tagged { at, .. }
            | Event::Drafted { at, .. }
            | Event::Removed { at, .. }
            | Event::Corrected { at, .. }
            | Event::Scanned { at, .. } => *at,
        }
    }
}

/// The journal cannot be read or written.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct JournalError(pub String);

/// The journal file of one account, open for appending, with what the correction scan needs.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
    /// The category keyword each recently tagged message carries as far as we know, by
    /// (UIDVALIDITY, UID), with when it was tagged.
    pub watched: HashMap<(u32, u32), (String, DateTime<Utc>)>,
    /// The last mod-sequence scanned, per UIDVALIDITY.
    pub modseq: HashMap<u32, u64>,
    trimmed: DateTime<Utc>,
}

/// The journal of the mailbox an IMAP config names, in its state directory.
pub fn path_of(imap: &crate::config::ImapConfig) -> PathBuf {
    path_for(
        &imap.state_dir,
        &format!("{}@{}-{}", imap.username, imap.host, imap.inbox),
    )
}

/// The journal's file name for an account (`support@example.com` → `support@example.com.journal`).
pub fn path_for(dir: &Path, account: &str) -> PathBuf {
    let name: String = account
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '@' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    dir.join(format!("{name}.journal"))
}

fn error(path: &Path, what: impl std::fmt::Display) -> JournalError {
    JournalError(format!("{}: {what}", path.display()))
}

/// Every event of the journal at `path` (none when there is no file); a line that does not
/// read (a crash mid-write) is left out.
pub fn read(path: &Path) -> Result<Vec<Event>, JournalError> {
    let text = match crate::imap::state::read_no_follow(path) {
        Ok(Some(t)) => t,
        Ok(None) => return Ok(Vec::new()),
        Err(e) => return Err(JournalError(e.to_string())),
    };
    Ok(text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect())
}

/// The latest correction of each message (an agent may change a keyword twice), oldest first.
pub fn corrections(events: &[Event]) -> Vec<&Event> {
    let mut latest: HashMap<(u32, u32), usize> = HashMap::new();
    for (i, e) in events.iter().enumerate() {
        if let Event::Corrected { validity, uid, .. } = e {
            latest.insert((*validity, *uid), i);
        }
    }
    let mut idx: Vec<usize> = latest.into_values().collect();
    idx.sort_unstable();
    idx.into_iter().map(|i| &events[i]).collect()
}

impl Journal {
    /// Opens (or starts) the journal at `path` in a private state directory, trimming it.
    pub fn open(path: &Path) -> Result<Journal, JournalError> {
        if let Some(dir) = path.parent() {
            crate::imap::state::private_dir(dir).map_err(|e| JournalError(e.to_string()))?;
        }
        let events = read(path)?;
        let now = Utc::now();
        let mut journal = Journal {
            path: path.to_path_buf(),
            file: open_append(path)?,
            watched: HashMap::new(),
            modseq: HashMap::new(),
            trimmed: now,
        };
        journal.trim_events(events, now)?;
        Ok(journal)
    }

    /// Drops old history (never corrections) and rebuilds the watch list from what is kept.
    fn trim_events(&mut self, events: Vec<Event>, now: DateTime<Utc>) -> Result<(), JournalError> {
        let before = events.len();
        let keep_from = now - chrono::Duration::days(KEEP_DAYS);
        let kept: Vec<Event> = events
            .into_iter()
            .filter(|e| matches!(e, Event::Corrected { .. }) || e.at() >= keep_from)
            .collect();
        if kept.len() < before {
            let text: String = kept
                .iter()
                .filter_map(|e| serde_json::to_string(e).ok())
                .map(|l| l + "\n")
                .collect();
            crate::imap::state::replace(&self.path, text.as_bytes())
                .map_err(|e| JournalError(e.to_string()))?;
            self.file = open_append(&self.path)?;
        }
        self.watched.clear();
        self.modseq.clear();
        let watch_from = now - chrono::Duration::days(WATCH_DAYS);
        for e in &kept {
            self.note(e, watch_from);
        }
        Ok(())
    }

    /// Trims the journal if it was last trimmed a day ago or more.
    pub fn maintain(&mut self) -> Result<(), JournalError> {
        let now = Utc::now();
        if now - self.trimmed < chrono::Duration::days(1) {
            return Ok(());
        }
        self.trimmed = now;
        let events = read(&self.path)?;
        self.trim_events(events, now)
    }

    fn note(&mut self, e: &Event, watch_from: DateTime<Utc>) {
        match e {
            Event::Tagged {
                at,
                validity,
                uid,
                keyword,
                ..
            } if *at >= watch_from => match category_of(keyword) {
                Some(c) => {
                    self.watched.insert((*validity, *uid), (c.to_string(), *at));
                }
                None => {
                    self.watched.remove(&(*validity, *uid));
                }
            },
            Event::Corrected {
                validity, uid, to, ..
            } => {
                if let Some(w) = self.watched.get_mut(&(*validity, *uid)) {
                    w.0 = to.clone();
                }
            }
            Event::Scanned {
                validity, modseq, ..
            } => {
                self.modseq.insert(*validity, *modseq);
            }
            _ => {}
        }
    }

    /// Appends events durably and updates the watch list.
    pub fn append(&mut self, events: &[Event]) -> Result<(), JournalError> {
        if events.is_empty() {
            return Ok(());
        }
        let mut text = String::new();
        for e in events {
            let line = serde_json::to_string(e).map_err(|e| error(&self.path, e))?;
            text.push_str(&line);
            text.push('\n');
        }
        self.file
            .write_all(text.as_bytes())
            .and_then(|()| self.file.sync_data())
            .map_err(|e| error(&self.path, e))?;
        let watch_from = Utc::now() - chrono::Duration::days(WATCH_DAYS);
        for e in events {
            self.note(e, watch_from);
        }
        Ok(())
    }

    /// The UIDs (of `validity`) to watch for corrections, most recent [`WATCH_MAX`], ascending.
    pub fn watched_uids(&self, validity: u32) -> Vec<u32> {
        let mut v: Vec<(DateTime<Utc>, u32)> = self
            .watched
            .iter()
            .filter(|((val, _), _)| *val == validity)
            .map(|((_, uid), (_, at))| (*at, *uid))
            .collect();
        v.sort_unstable_by(|a, b| b.cmp(a));
        v.truncate(WATCH_MAX);
        let mut uids: Vec<u32> = v.into_iter().map(|(_, u)| u).collect();
        uids.sort_unstable();
        uids
    }
}

/// The category a keyword names: `triage:billing` → billing; skips, errors and other
/// keywords → None.
pub fn category_of(keyword: &str) -> Option<&str> {
    let c = keyword.strip_prefix("triage:")?;
    (!c.is_empty() && !c.starts_with("skip-") && c != "error" && c != "too-large").then_some(c)
}

fn open_append(path: &Path) -> Result<File, JournalError> {
    OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
        .map_err(|e| error(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tagged(uid: u32, keyword: &str, days_ago: i64) -> Event {
        Event::Tagged {
            at: Utc::now() - chrono::Duration::days(days_ago),
            validity: 7,
            uid,
            source: Some(format!("m{uid}@x")),
            keyword: keyword.into(),
            language: "en".into(),
        }
    }

    fn corrected(uid: u32, from: &str, to: &str, days_ago: i64) -> Event {
        Event::Corrected {
            at: Utc::now() - chrono::Duration::days(days_ago),
            validity: 7,
            uid,
            source: None,
            from: from.into(),
            to: to.into(),
            sample: Sample {
                name: format!("uid:{uid}"),
                label: to.into(),
                language: "en".into(),
                subject: "s".into(),
                text: "t".into(),
                norm: "t".into(),
            },
        }
    }

    #[test]
    fn watches_recent_categories_and_follows_corrections_across_reopen() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = path_for(&dir.path().join("state"), "support@example.com");
        let mut j = Journal::open(&path).expect("open");
        j.append(&[
            tagged(1, "triage:billing", 0),
            tagged(2, "triage:skip-auto-reply", 0),
            tagged(3, "triage:login", 40),
            corrected(1, "billing", "login", 0),
        ])
        .expect("append");
        let j = Journal::open(&path).expect("reopen");
        assert_eq!(j.watched_uids(7), vec![1]);
        assert_eq!(j.watched[&(7, 1)].0, "login");
        assert!(j.watched_uids(8).is_empty());
    }

    #[test]
    fn trimming_keeps_corrections_and_recent_history_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = path_for(dir.path(), "acct");
        let mut j = Journal::open(&path).expect("open");
        j.append(&[
            tagged(1, "triage:billing", KEEP_DAYS + 5),
            corrected(1, "billing", "login", KEEP_DAYS + 4),
            tagged(2, "triage:login", 1),
        ])
        .expect("append");
        drop(j);
        Journal::open(&path).expect("reopen trims");
        let events = read(&path).expect("read");
        assert_eq!(events.len(), 2, "{events:?}");
        assert!(matches!(events[0], Event::Corrected { .. }));
        assert_eq!(corrections(&events).len(), 1);
    }

    #[test]
    fn the_latest_correction_of_a_message_counts_once() {
        let events = vec![
            corrected(1, "billing", "login", 2),
            corrected(2, "billing", "outage", 2),
            corrected(1, "login", "question", 1),
        ];
        let c = corrections(&events);
        assert_eq!(c.len(), 2);
        assert!(matches!(c[1], Event::Corrected { to, .. } if to == "question"));
    }

    #[test]
    fn category_keywords() {
        assert_eq!(category_of("triage:billing"), Some("billing"));
        assert_eq!(category_of("triage:skip-bounce"), None);
        assert_eq!(category_of("triage:error"), None);
        assert_eq!(category_of("$Triaged"), None);
    }
}
