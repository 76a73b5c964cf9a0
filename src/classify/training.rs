//! Training the [`Model`] from a labelled corpus: a directory of `.eml` files and an
//! `expected.json` naming each file's category (as `scripts/accuracy` reads it). Every message
//! is read by the same parse and rules as at run time. Five-fold cross-validation gives the
//! out-of-fold predictions from which the rules' weight and the calibration table are chosen;
//! the shipped model is then fitted on the whole corpus.

use std::collections::BTreeMap;
use std::path::Path;

use super::model::{self, Features, Hyper, Model};
use super::{combine, evidence, Evidence};
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

/// Reads `dir/expected.json` and every drafted message it names; skipped messages are not
/// the model's business (screening decides them) and are left out.
pub fn load_corpus(dir: &Path, rules: &RuleSet) -> Result<Vec<Example>, CorpusError> {
    let labels_path = dir.join("expected.json");
    let text = std::fs::read_to_string(&labels_path)
        .map_err(|e| CorpusError(format!("{}: {e}", labels_path.display())))?;
    let labels: BTreeMap<String, Label> = serde_json::from_str(&text)
        .map_err(|e| CorpusError(format!("{}: {e}", labels_path.display())))?;
    let mut out = Vec::new();
    for (name, label) in labels {
        let (true, Some(category)) = (label.action == "draft", label.category) else {
            continue;
        };
        let path = dir.join(&name);
        let raw =
            std::fs::read(&path).map_err(|e| CorpusError(format!("{}: {e}", path.display())))?;
        let msg = crate::parse::parse(&raw, rules)
            .map_err(|e| CorpusError(format!("{}: {e}", path.display())))?;
        let subject = crate::draft::strip_prefixes(&msg.subject);
        let ev = evidence(rules, &subject, &msg.new_text, &msg.new_norm, "en");
        out.push(Example {
            name,
            label: category,
            language: label.language.unwrap_or_default(),
            evidence: ev,
        });
    }
    if out.is_empty() {
        return Err(CorpusError(format!(
            "{}: no drafted messages to learn from",
            labels_path.display()
        )));
    }
    Ok(out)
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
    let data: Vec<(Features, usize)> = examples
        .iter()
        .map(|e| {
            let y = classes.iter().position(|c| *c == e.label).unwrap_or(0);
            (
                model::features(&e.evidence.subject_norm, &e.evidence.norm, hyper.bits),
                y,
            )
        })
        .collect();

    // Out-of-fold models: fold i is every message whose index is i modulo FOLDS.
    let fold_models: Vec<Model> = (0..FOLDS)
        .map(|fold| {
            let train: Vec<(Features, usize)> = data
                .iter()
                .enumerate()
                .filter(|(i, _)| i % FOLDS != fold)
                .map(|(_, d)| d.clone())
                .collect();
            model::train(&classes, &train, hyper)
        })
        .collect();
    let oof = |weight: f32| -> Vec<(usize, f32)> {
        examples
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let mut m = fold_models[i % FOLDS].clone();
                m.rule_weight = weight;
                let (c, p, _) = combine(rules, Some(&m), &e.evidence);
                (c, p)
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
    let cv_model = accuracy(&right(&oof(0.0)));
    let (rule_weight, predicted, results) = RULE_WEIGHTS
        .iter()
        .map(|&w| {
            let p = oof(w);
            let r = right(&p);
            (w, p, r)
        })
        .fold(
            None::<(f32, Vec<(usize, f32)>, Vec<(bool, f32)>)>,
            |best, (w, p, r)| match best {
                Some(b) if accuracy(&b.2) >= accuracy(&r) => Some(b),
                _ => Some((w, p, r)),
            },
        )
        .unwrap_or((0.0, Vec::new(), Vec::new()));
    let calibration = isotonic(&results);

    let mut model = model::train(&classes, &data, hyper);
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
