//! Training the [`Model`] from a labelled corpus: a directory of `.eml` files and an
//! `expected.json` naming each file's category (as `scripts/accuracy` reads it). Every message
//! is read by the same parse and rules as at run time. Five-fold cross-validation gives the
//! out-of-fold predictions from which the rules' weight and the calibration table are chosen;
//! the shipped model is then fitted on the whole corpus.

use std::collections::BTreeMap;
use std::path::Path;

use super::model::{self, Features, Hyper, Model};
use super::{evidence, model_reading, rules_only, weigh, Evidence, Why};
use crate::rules::RuleSet;

/// One labelled message as training sees it.
pub struct Example {
    pub name: String,
    pub label: String,
    pub language: String,
    pub evidence: Evidence,
}

/// The corpus cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct CorpusError(pub String);

#[derive(serde::Deserialize)]
struct Label {
    action: String,
    category: Option<String>,
    language: Option<String>,
}

/// The labels of a corpus directory: `expected.json` naming every file, or else one `X.json`
/// beside each `X.eml` (the fixture corpus's layout).
fn labels(dir: &Path) -> Result<BTreeMap<String, Label>, CorpusError> {
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|e| CorpusError(format!("{}: {e}", path.display())))
    };
    fn parse<T: serde::de::DeserializeOwned>(path: &Path, text: &str) -> Result<T, CorpusError> {
        serde_json::from_str(text).map_err(|e| CorpusError(format!("{}: {e}", path.display())))
    }
    let expected = dir.join("expected.json");
    if expected.exists() {
        return parse(&expected, &read(&expected)?);
    }
    let entries =
        std::fs::read_dir(dir).map_err(|e| CorpusError(format!("{}: {e}", dir.display())))?;
    let mut out = BTreeMap::new();
    for path in entries.flatten().map(|e| e.path()) {
        let sidecar = path.with_extension("json");
        if path.extension().is_some_and(|x| x == "eml") && sidecar.exists() {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            out.insert(name, parse(&sidecar, &read(&sidecar)?)?);
        }
    }
    Ok(out)
}

/// One labelled message reduced to what training reads of it. The built-in corpus is shipped
/// in this form beside the built-in model (`models/builtin-samples.jsonl`), so that `learn` can
/// retrain on it plus the agents' corrections without the corpus itself.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Sample {
    pub name: String,
    pub label: String,
    pub language: String,
    /// The subject without reply and forward prefixes.
    pub subject: String,
    /// The customer's new text, and the same normalised (as [`crate::parse::Parsed`] has them).
    pub text: String,
    pub norm: String,
}

impl Sample {
    /// What the rules find in the sample, as training needs it.
    pub fn example(&self, rules: &RuleSet) -> Example {
        Example {
            name: self.name.clone(),
            label: self.label.clone(),
            language: self.language.clone(),
            evidence: evidence(rules, &self.subject, &self.text, &self.norm, "en"),
        }
    }
}

/// Reads a corpus directory's labels (see [`labels`]) and every drafted message they name;
/// skipped messages are not the model's business (screening decides them) and are left out.
pub fn read_corpus(dir: &Path, rules: &RuleSet) -> Result<Vec<Sample>, CorpusError> {
    let mut out = Vec::new();
    for (name, label) in labels(dir)? {
        let (true, Some(category)) = (label.action == "draft", label.category) else {
            continue;
        };
        let path = dir.join(&name);
        let raw =
            std::fs::read(&path).map_err(|e| CorpusError(format!("{}: {e}", path.display())))?;
        let msg = crate::parse::parse(&raw, rules)
            .map_err(|e| CorpusError(format!("{}: {e}", path.display())))?;
        out.push(Sample {
            name,
            label: category,
            language: label.language.unwrap_or_default(),
            subject: crate::draft::strip_prefixes(&msg.subject),
            text: msg.new_text,
            norm: msg.new_norm,
        });
    }
    if out.is_empty() {
        return Err(CorpusError(format!(
            "{}: no drafted messages to learn from (expected.json, or X.json beside each X.eml)",
            dir.display()
        )));
    }
    Ok(out)
}

/// [`read_corpus`], then [`Sample::example`] of each.
pub fn load_corpus(dir: &Path, rules: &RuleSet) -> Result<Vec<Example>, CorpusError> {
    Ok(read_corpus(dir, rules)?
        .iter()
        .map(|s| s.example(rules))
        .collect())
}

/// Samples as JSON Lines, one per line, in order: the form of `models/builtin-samples.jsonl`.
pub fn samples_to_jsonl(samples: &[Sample]) -> String {
    samples
        .iter()
        .filter_map(|s| serde_json::to_string(s).ok())
        .map(|l| l + "\n")
        .collect()
}

/// The samples of [`samples_to_jsonl`] text.
pub fn samples_from_jsonl(text: &str) -> Result<Vec<Sample>, CorpusError> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| CorpusError(format!("line {}: {e}", i + 1)))
        })
        .collect()
}

/// How a training run went, for the operator and the note.
#[derive(Debug, Clone)]
pub struct TrainReport {
    pub examples: usize,
    /// Out-of-fold accuracy of the model alone and of the model combined with the rules.
    pub cv_model: f32,
    pub cv_combined: f32,
    pub rule_weight: f32,
    /// Per confidence bin [lo, hi): (lo, hi, predictions, right), out of fold, calibrated.
    pub bins: Vec<(f32, f32, usize, usize)>,
    /// Out of fold, calibrated: of the predictions with confidence ≥ 0.8, the share right.
    pub precision_at_80: f32,
    pub share_at_80: f32,
    /// Per message, out of fold: (file, label, predicted, calibrated confidence).
    pub oof: Vec<(String, String, String, f32)>,
}

const FOLDS: usize = 5;
const RULE_WEIGHTS: [f32; 7] = [0.0, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0];

/// Trains a model on `examples`: cross-validation for the rules' weight and the calibration,
/// then one fit on everything.
pub fn fit(examples: &[Example], rules: &RuleSet, hyper: Hyper) -> (Model, TrainReport) {
    let classes: Vec<String> = examples
        .iter()
        .map(|e| e.label.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    // Each message twice: whole, and as its opening (subject and first sentences), so that the
    // model also learns what a short message of each kind looks like. Without the second, a
    // two-line outage report read as a thank-you: short texts weigh each of their few words
    // heavily, and the corpus's shortest messages were thank-you notes.
    let data: Vec<Vec<(Features, usize)>> = examples
        .iter()
        .map(|e| {
            let y = classes.iter().position(|c| *c == e.label).unwrap_or(0);
            let ev = &e.evidence;
            let whole = model::features(&ev.subject_norm, &ev.norm, hyper.bits);
            let opening = model::features(&ev.subject_norm, opening(&ev.norm), hyper.bits);
            vec![(whole, y), (opening, y)]
        })
        .collect();
    let training_set = |keep: &dyn Fn(usize) -> bool| -> Vec<(Features, usize)> {
        data.iter()
            .enumerate()
            .filter(|(i, _)| keep(*i))
            .flat_map(|(_, d)| d.iter().cloned())
            .collect()
    };

    // Out-of-fold models: fold i is every message whose index is i modulo FOLDS.
    let fold_models: Vec<Model> = (0..FOLDS)
        .map(|fold| model::train(&classes, &training_set(&|i| i % FOLDS != fold), hyper))
        .collect();
    // Each message is read once by the model of the fold that did not see it; every rule
    // weight then only re-weighs those probabilities (fold models are uncalibrated).
    let readings: Vec<Option<Vec<f32>>> = examples
        .iter()
        .enumerate()
        .map(|(i, e)| {
            model_reading(
                rules,
                &fold_models[i % FOLDS],
                &e.evidence,
                &mut Why::default(),
            )
        })
        .collect();
    let oof = |weight: f32| -> Vec<(usize, f32)> {
        examples
            .iter()
            .zip(&readings)
            .enumerate()
            .map(|(i, (e, reading))| match reading {
                Some(p) => weigh(rules, &fold_models[i % FOLDS], &e.evidence, p, weight),
                None => rules_only(rules, &e.evidence.scores, &e.evidence.language),
            })
            .collect()
    };
    let right = |r: &[(usize, f32)]| -> Vec<(bool, f32)> {
        r.iter()
            .zip(examples)
            .map(|(&(c, p), e)| (rules.categories[c].id == e.label, p))
            .collect()
    };
    let accuracy = |r: &[(bool, f32)]| r.iter().filter(|x| x.0).count() as f32 / r.len() as f32;
    let brier = |r: &[(bool, f32)]| {
        r.iter()
            .map(|&(ok, p)| (f32::from(u8::from(ok)) - p).powi(2))
            .sum::<f32>()
            / r.len().max(1) as f32
    };
    let cv_model = accuracy(&right(&oof(0.0)));
    let (rule_weight, predicted, results) = RULE_WEIGHTS
        .iter()
        .map(|&w| {
            let p = oof(w);
            let r = right(&p);
            tracing::debug!(
                weight = w,
                accuracy = accuracy(&r),
                "rule weight, out of fold"
            );
            (w, p, r)
        })
        .fold(
            None::<(f32, Vec<(usize, f32)>, Vec<(bool, f32)>)>,
            // The most accurate weight; on a tie, the one whose confidences are closest to
            // right and wrong (the lower Brier score), rather than whichever came first.
            |best, (w, p, r)| match best {
                Some(b) if (accuracy(&b.2), -brier(&b.2)) >= (accuracy(&r), -brier(&r)) => Some(b),
                _ => Some((w, p, r)),
            },
        )
        .unwrap_or((0.0, Vec::new(), Vec::new()));
    let calibration = isotonic(&results);

    let mut model = model::train(&classes, &training_set(&|_| true), hyper);
    model.rule_weight = rule_weight;
    model.calibration = calibration;

    let calibrated: Vec<(bool, f32)> = results
        .iter()
        .map(|&(ok, p)| (ok, model.calibrate(p)))
        .collect();
    let edges = [0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.01];
    let bins = edges
        .windows(2)
        .map(|w| {
            let inside: Vec<_> = calibrated
                .iter()
                .filter(|(_, p)| *p >= w[0] && *p < w[1])
                .collect();
            (
                w[0],
                w[1].min(1.0),
                inside.len(),
                inside.iter().filter(|x| x.0).count(),
            )
        })
        .collect();
    let high: Vec<_> = calibrated.iter().filter(|(_, p)| *p >= 0.8).collect();
    let report = TrainReport {
        examples: examples.len(),
        cv_model,
        cv_combined: accuracy(&results),
        rule_weight,
        bins,
        precision_at_80: high.iter().filter(|x| x.0).count() as f32 / high.len().max(1) as f32,
        share_at_80: high.len() as f32 / calibrated.len().max(1) as f32,
        oof: examples
            .iter()
            .zip(&predicted)
            .map(|(e, &(c, p))| {
                (
                    e.name.clone(),
                    e.label.clone(),
                    rules.categories[c].id.clone(),
                    model.calibrate(p),
                )
            })
            .collect(),
    };
    (model, report)
}

/// The opening of a normalised message: its subject line and the next lines up to about 160
/// characters, cut at a line end where one is near.
fn opening(norm: &str) -> &str {
    let mut end = 0;
    for (i, c) in norm.char_indices() {
        if i > 160 {
            break;
        }
        if c == '\n' || c == '.' || c == '。' || c == '!' || c == '?' {
            end = i;
        }
        if i >= 160 && end == 0 {
            end = i;
        }
    }
    if end == 0 {
        norm
    } else {
        &norm[..end]
    }
}

/// The calibration table from (right?, raw probability) pairs: pool-adjacent-violators
/// isotonic regression, then one point per pooled block, so confidence never falls as the raw
/// probability rises. Blocks are pooled to at least 20 predictions, so that a few lucky ones
/// do not promise certainty.
pub fn isotonic(results: &[(bool, f32)]) -> Vec<(f32, f32)> {
    let mut sorted: Vec<(f32, f32)> = results
        .iter()
        .map(|&(ok, p)| (p, if ok { 1.0 } else { 0.0 }))
        .collect();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Blocks of (sum of x, sum of y, count).
    let mut blocks: Vec<(f32, f32, f32)> = Vec::new();
    for chunk in sorted.chunks(20) {
        let n = chunk.len() as f32;
        blocks.push((
            chunk.iter().map(|c| c.0).sum(),
            chunk.iter().map(|c| c.1).sum(),
            n,
        ));
        while blocks.len() >= 2 {
            let (a, b) = (blocks[blocks.len() - 2], blocks[blocks.len() - 1]);
            if a.1 / a.2 <= b.1 / b.2 {
                break;
            }
            blocks.pop();
            blocks.pop();
            blocks.push((a.0 + b.0, a.1 + b.1, a.2 + b.2));
        }
    }
    blocks
        .iter()
        .map(|&(x, y, n)| ((x / n * 1e4).round() / 1e4, (y / n * 1e4).round() / 1e4))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::isotonic;

    #[test]
    fn isotonic_is_monotone_and_pools_violations() {
        let mut r = Vec::new();
        for i in 0..200 {
            let p = i as f32 / 200.0;
            // Right more often as p rises, with a dip in the middle.
            let ok = (i % 10) < (i / 20) || (90..110).contains(&i) && i % 2 == 0;
            r.push((ok, p));
        }
        let t = isotonic(&r);
        assert!(t.len() >= 2);
        assert!(
            t.windows(2).all(|w| w[0].0 <= w[1].0 && w[0].1 <= w[1].1),
            "{t:?}"
        );
        assert!(t[0].1 < 0.3 && t[t.len() - 1].1 > 0.7, "{t:?}");
    }
}
