//! Local state for servers that cannot store custom keywords (PERMANENTFLAGS without `\*`, as
//! on Exchange or Courier with IMAP_KEYWORDS=0): the inbox's UIDVALIDITY and the UIDs already
//! handled, in a small append-only file in the state directory. Elsewhere the mailbox itself is
//! the state and this file is never written.
//!
//! The directory is the daemon's alone: created 0700, refused when another user owns it. Files
//! are 0600, opened without following symbolic links, and replaced by writing a temporary file
//! and renaming it into place, so a planted link can neither be read nor truncate its target.

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
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
        private_dir(dir)?;
        let path = dir.join(format!("{name}.state"));
        let mut state = LocalState {
            path,
            uid_validity,
            handled: HashSet::new(),
        };
        if let Some(text) = read_no_follow(&state.path)? {
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
        replace(
            &state.path,
            format!("uidvalidity {uid_validity}\n").as_bytes(),
        )?;
        Ok(state)
    }

    /// Records UIDs as handled, durably, before the caller moves on.
    pub fn add(&mut self, uids: &[u32]) -> Result<(), ImapError> {
        let err = |e: std::io::Error| ImapError::State(format!("{}: {e}", self.path.display()));
        let mut f = OpenOptions::new()
            .append(true)
            .custom_flags(libc::O_NOFOLLOW)
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

fn state_error(path: &Path, what: impl std::fmt::Display) -> ImapError {
    ImapError::State(format!("{}: {what}", path.display()))
}

/// Creates the state directory 0700, or checks that the existing one is ours (and makes it
/// 0700): another user's directory could be read or planted with links.
pub(crate) fn private_dir(dir: &Path) -> Result<(), ImapError> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| state_error(dir, e))?;
    // systemd's StateDirectory= with DynamicUser= is a link to /var/lib/private/…: the
    // directory the operator named is judged by what it leads to.
    let dir = &fs::canonicalize(dir).map_err(|e| state_error(dir, e))?;
    let meta = fs::symlink_metadata(dir).map_err(|e| state_error(dir, e))?;
    if !meta.is_dir() {
        return Err(state_error(dir, "is not a directory (a symbolic link?)"));
    }
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if meta.uid() != me {
        return Err(state_error(
            dir,
            format!(
                "is owned by uid {}, not by this process (uid {me}); give the daemon a state_dir of its own",
                meta.uid()
            ),
        ));
    }
    if meta.mode() & 0o077 != 0 {
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
            .map_err(|e| state_error(dir, e))?;
    }
    Ok(())
}

/// The file's text, `None` when there is none; a symbolic link in its place is an error.
pub(crate) fn read_no_follow(path: &Path) -> Result<Option<String>, ImapError> {
    let mut f = match OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(state_error(path, e)),
    };
    let mut text = String::new();
    f.read_to_string(&mut text)
        .map_err(|e| state_error(path, e))?;
    Ok(Some(text))
}

/// Writes `bytes` to a fresh 0600 temporary file beside `path`, syncs it and renames it over
/// `path`: whatever stood there (a link included) is replaced, never written through.
pub(crate) fn replace(path: &Path, bytes: &[u8]) -> Result<(), ImapError> {
    let tmp = path.with_extension(format!("tmp.{}", std::process::id()));
    let _ = fs::remove_file(&tmp);
    let mut f: File = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&tmp)
        .map_err(|e| state_error(&tmp, e))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(|e| state_error(&tmp, e))?;
    fs::rename(&tmp, path).map_err(|e| state_error(path, e))
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

    #[test]
    fn the_directory_and_files_are_private_and_links_are_never_followed() {
        let base = tempfile::tempdir().expect("tempdir");
        let dir = base.path().join("state");
        let mut s = LocalState::open(&dir, "acct", 7).expect("open");
        s.add(&[1]).expect("add");
        let mode = |p: &Path| fs::metadata(p).expect("meta").mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join("acct.state")), 0o600);

        // A link planted where the state file goes: its target is never read nor truncated.
        let target = base.path().join("precious");
        fs::write(&target, "do not touch\n").expect("target");
        fs::remove_file(dir.join("acct.state")).expect("rm");
        std::os::unix::fs::symlink(&target, dir.join("acct.state")).expect("symlink");
        let e = LocalState::open(&dir, "acct", 7).expect_err("a link is refused");
        assert!(e.to_string().contains("acct.state"), "{e}");
        assert_eq!(
            fs::read_to_string(&target).expect("target"),
            "do not touch\n"
        );
        // Refused whatever the UIDVALIDITY, until someone removes the link.
        assert!(LocalState::open(&dir, "acct", 8).is_err());
        assert_eq!(
            fs::read_to_string(&target).expect("target"),
            "do not touch\n"
        );
        fs::remove_file(dir.join("acct.state")).expect("rm link");
        LocalState::open(&dir, "acct", 8).expect("a fresh file");

        // A world-readable directory of ours is made private again.
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).expect("chmod");
        LocalState::open(&dir, "acct", 8).expect("reopen");
        assert_eq!(mode(&dir), 0o700);
    }

    #[test]
    fn another_users_directory_is_refused() {
        let base = tempfile::tempdir().expect("tempdir");
        let dir = base.path().join("state");
        fs::create_dir(&dir).expect("mkdir");
        // SAFETY: geteuid has no preconditions.
        let other = if unsafe { libc::geteuid() } == 0 {
            65534
        } else {
            0
        };
        // Only root can give a directory away; anyone else tests with a directory root owns.
        let dir = if other == 65534 {
            std::os::unix::fs::chown(&dir, Some(other), None).expect("chown");
            dir
        } else {
            PathBuf::from("/")
        };
        let e = LocalState::open(&dir, "acct", 1).expect_err("refused");
        assert!(
            e.to_string().contains(&format!("owned by uid {other}")),
            "{e}"
        );
    }
}
