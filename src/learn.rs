//! Agents teach it: `mailtriage learn` retrains the classifier on the built-in model's samples
//! plus the agents' corrections from the journal, and writes the local model that the daemon
//! loads (at start and on reload) in place of the built-in one. `check` reads the same files to
//! say how many corrections there are and how the local model does on those it did not see.

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::classify::model::{Hyper, Model};
use crate::classify::training::{self, Sample};
use crate::config::{Config, ImapConfig};
use crate::journal::{self, Event};
use crate::rules::RuleSet;

/// The local model of a mailbox, in its state directory.
pub fn model_path(imap: &ImapConfig) -> PathBuf {
    imap.state_dir.join("model.mtm")
}

/// What `learn` wrote beside the local model: which corrections it saw, how it did.
fn meta_path(model: &Path) -> PathBuf {
    model.with_extension("json")
}

/// Beside the local model: what it was trained on and how it did out of fold.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Meta {
    pub trained_at: chrono::DateTime<chrono::Utc>,
    /// (UIDVALIDITY, UID) of each correction trained on.
    pub corrections: Vec<(u32, u32)>,
    pub builtin_samples: usize,
    /// Out of fold: corrections the model read as the agent did.
    pub corrections_right_oof: usize,
    /// Out-of-fold accuracy over everything trained on.
    pub accuracy_oof: f32,
}

/// Learning cannot start or its result cannot be written.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct LearnError(pub String);

/// What one `learn` run did.
#[derive(Debug)]
pub struct Learned {
    pub path: PathBuf,
    pub meta: Meta,
    /// (from, to) → count.
    pub kinds: BTreeMap<(String, String), usize>,
}

/// One agent's correction as training reads it: (UIDVALIDITY, UID) of the message, the
/// category it was corrected from, and the sample labelled with the one it was corrected to.
pub type Correction = ((u32, u32), String, Sample);

/// The corrections recorded for this mailbox, the latest per message.
pub fn corrections(imap: &ImapConfig) -> Result<Vec<Correction>, LearnError> {
    let events = journal::read(&journal::path_of(imap)).map_err(|e| LearnError(e.0))?;
    Ok(journal::corrections(&events)
        .into_iter()
        .filter_map(|e| match e {
            Event::Corrected {
                validity,
                uid,
                from,
                sample,
                ..
            } => {
                let mut s = sample.clone();
                s.name = format!("correction:{validity}:{uid}");
                Some(((*validity, *uid), from.clone(), s))
            }
            _ => None,
        })
        .collect())
}

/// Trains the local model from the built-in samples plus the corrections and writes it (and
/// its [`Meta`]) into the state directory. None when there is no correction to learn from.
pub fn learn(config: &Config, rules: &RuleSet) -> Result<Option<Learned>, LearnError> {
    let imap = config.imap.as_ref().ok_or_else(|| {
        LearnError(format!(
            "{}: `learn` needs the [imap] section (its state_dir holds the corrections)",
            config.path.display()
        ))
    })?;
    let found = corrections(imap)?;
    if found.is_empty() {
        return Ok(None);
    }
    let mut samples = training::samples_from_jsonl(crate::builtin::SAMPLES)
        .map_err(|e| LearnError(format!("the built-in samples: {e}")))?;
    let builtin_samples = samples.len();
    let mut kinds = BTreeMap::new();
    for (_, from, s) in &found {
        *kinds.entry((from.clone(), s.label.clone())).or_insert(0) += 1;
    }
    samples.extend(found.iter().map(|(_, _, s)| s.clone()));
    let examples: Vec<_> = samples.iter().map(|s| s.example(rules)).collect();
    let (model, report) = training::fit(&examples, rules, Hyper::default());
    let corrections_right_oof = report
        .oof
        .iter()
        .filter(|(name, label, predicted, _)| name.starts_with("correction:") && label == predicted)
        .count();
    let meta = Meta {
        trained_at: chrono::Utc::now(),
        corrections: found.iter().map(|(k, _, _)| *k).collect(),
        builtin_samples,
        corrections_right_oof,
        accuracy_oof: report.cv_combined,
    };
    let path = model_path(imap);
    let meta_text = serde_json::to_string_pretty(&meta).map_err(|e| LearnError(e.to_string()))?;
    write_owned(&path, &model.to_bytes())?;
    write_owned(&meta_path(&path), meta_text.as_bytes())?;
    Ok(Some(Learned { path, meta, kinds }))
}

/// Writes a file privately into the state directory; run as root (the daemon's directory
/// belonging to its own user), the file is given to the directory's owner, so the daemon can
/// read it.
fn write_owned(path: &Path, bytes: &[u8]) -> Result<(), LearnError> {
    let err = |e: &dyn std::fmt::Display| LearnError(format!("{}: {e}", path.display()));
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| err(&e))?;
    crate::imap::state::replace(path, bytes).map_err(|e| err(&e))?;
    let owner = std::fs::metadata(dir).map_err(|e| err(&e))?;
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } == 0 && owner.uid() != 0 {
        std::os::unix::fs::chown(path, Some(owner.uid()), Some(owner.gid()))
            .map_err(|e| err(&e))?;
    }
    Ok(())
}

/// The local model to use in place of the built-in one, if `learn` wrote one that this
/// process can read; None when there is none (or the state directory is not ours to read).
pub fn local_model(imap: &ImapConfig) -> Result<Option<(PathBuf, Model)>, LearnError> {
    let path = model_path(imap);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied
            ) =>
        {
            return Ok(None)
        }
        Err(e) => return Err(LearnError(format!("{}: {e}", path.display()))),
    };
    let model = Model::from_bytes(&bytes).map_err(|e| {
        LearnError(format!(
            "{}: {e} (run `mailtriage learn` again)",
            path.display()
        ))
    })?;
    Ok(Some((path, model)))
}

/// What `check` says about learning.
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    pub corrections: usize,
    /// By the local model's meta: how many of them it was trained on (0 without a local model).
    pub trained_on: usize,
    /// Of the corrections the local model did not train on: how many it reads as the agent
    /// did, and how many the built-in model does.
    pub unseen: usize,
    pub unseen_right_local: usize,
    pub unseen_right_builtin: usize,
    /// The local model's out-of-fold figure on the corrections it trained on.
    pub trained_right_oof: usize,
    pub local_model: Option<PathBuf>,
}

/// How learning stands for this mailbox: corrections recorded, and how the local model (if
/// any) and the built-in one read those the local model never saw.
pub fn status(config: &Config, rules: &RuleSet) -> Result<Option<Status>, LearnError> {
    let Some(imap) = &config.imap else {
        return Ok(None);
    };
    let found = corrections(imap)?;
    let local = local_model(imap)?;
    let meta: Option<Meta> = local.as_ref().and_then(|(p, _)| {
        std::fs::read_to_string(meta_path(p))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
    });
    let trained: BTreeSet<(u32, u32)> = meta
        .as_ref()
        .map(|m| m.corrections.iter().copied().collect())
        .unwrap_or_default();
    let builtin =
        Model::from_static(crate::builtin::MODEL).map_err(|e| LearnError(e.to_string()))?;
    let agrees = |model: &Model, s: &Sample| {
        let c = crate::classify::classify(
            rules,
            Some(model),
            &s.subject,
            &s.text,
            &s.norm,
            &config.triage.default_language,
            config.triage.min_confidence,
        );
        rules.categories[c.category].id == s.label
    };
    let unseen: Vec<&Sample> = found
        .iter()
        .filter(|(k, _, _)| !trained.contains(k))
        .map(|(_, _, s)| s)
        .collect();
    Ok(Some(Status {
        corrections: found.len(),
        trained_on: found.iter().filter(|(k, _, _)| trained.contains(k)).count(),
        unseen: unseen.len(),
        unseen_right_local: local
            .as_ref()
            .map_or(0, |(_, m)| unseen.iter().filter(|s| agrees(m, s)).count()),
        unseen_right_builtin: unseen.iter().filter(|s| agrees(&builtin, s)).count(),
        trained_right_oof: meta.map_or(0, |m| m.corrections_right_oof),
        local_model: local.map(|(p, _)| p),
    }))
}
