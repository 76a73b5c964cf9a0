//! Local state for servers that cannot store custom keywords (PERMANENTFLAGS without `\*`, as
//! on Exchange or Courier with IMAP_KEYWORDS=0): the inbox's UIDVALIDITY and the UIDs already
//! handled, in a small append-only file in the state directory. Elsewhere the mailbox itself is
//! the state and this file is never written.

use std::collections::HashSet;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::ImapError;

/// Handled UIDs of one inbox, persisted as they are added.
#[derive(Debug)]
pub struct LocalState {
    path: PathBuf,
    pub uid_validity: u32,
    pub handled: HashSet<u32>,
}

impl LocalState {
    /// Opens (or starts) the state of `account`'s inbox. A different UIDVALIDITY means the UIDs
    /// on file name other messages now: the file starts over (the Drafts check still prevents
    /// duplicate drafts for messages handled before).
    pub fn open(dir: &Path, account: &str, uid_validity: u32) -> Result<LocalState, ImapError> {
        let name: String = account
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        fs::create_dir_all(dir).map_err(|e| ImapError::State(format!("{}: {e}", dir.display())))?;
        let path = dir.join(format!("{name}.state"));
        let mut state = LocalState {
            path,
            uid_validity,
            handled: HashSet::new(),
        };
        if let Ok(text) = fs::read_to_string(&state.path) {
            let mut lines = text.lines();
            if lines
                .next()
                .and_then(|l| l.strip_prefix("uidvalidity "))
                .and_then(|v| v.trim().parse().ok())
                == Some(uid_validity)
            {
                state.handled = lines.filter_map(|l| l.trim().parse().ok()).collect();
                return Ok(state);
            }
        }
        fs::write(&state.path, format!("uidvalidity {uid_validity}\n"))
            .map_err(|e| ImapError::State(format!("{}: {e}", state.path.display())))?;
        Ok(state)
    }

    /// Records UIDs as handled, durably, before the caller moves on.
    pub fn add(&mut self, uids: &[u32]) -> Result<(), ImapError> {
        let err = |e: std::io::Error| ImapError::State(format!("{}: {e}", self.path.display()));
        let mut f = OpenOptions::new()
            .append(true)
            .open(&self.path)
            .map_err(err)?;
        let mut buf = String::new();
        for uid in uids {
            if self.handled.insert(*uid) {
                buf.push_str(&format!("{uid}\n"));
            }
        }
        f.write_all(buf.as_bytes()).map_err(err)?;
        f.sync_data().map_err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn survives_reopen_and_resets_on_new_uidvalidity() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut s = LocalState::open(dir.path(), "support@example.com@imap", 7).expect("open");
        s.add(&[1, 2, 5]).expect("add");
        let s = LocalState::open(dir.path(), "support@example.com@imap", 7).expect("reopen");
        assert_eq!(s.handled, HashSet::from([1, 2, 5]));
        let s = LocalState::open(dir.path(), "support@example.com@imap", 8).expect("new validity");
        assert!(s.handled.is_empty());
    }
}
