//! The built-in classifier model is what `mailtriage train` makes from the corpus and the
//! fixtures in the repository, so anyone can rebuild it and nobody can ship a model from elsewhere.

use mailtriage::classify::model::{Hyper, Model};
use mailtriage::classify::training;
use mailtriage::rules::RuleSet;

use crate::util::root;

#[test]
fn the_shipped_model_is_what_train_makes_from_the_corpus() {
    let rules = RuleSet::load(None, &[]).expect("built-in rules");
    let mut samples = training::read_corpus(&root().join("corpus/train"), &rules).expect("corpus");
    samples
        .extend(training::read_corpus(&root().join("tests/fixtures"), &rules).expect("fixtures"));
    // `learn` retrains from the shipped samples: they must be exactly what the model was made of.
    let shipped_samples = std::fs::read_to_string(root().join("models/builtin-samples.jsonl"))
        .expect("models/builtin-samples.jsonl");
    assert!(
        training::samples_to_jsonl(&samples) == shipped_samples,
        "models/builtin-samples.jsonl is not what `mailtriage train corpus/train tests/fixtures --out models/builtin.mtm --samples models/builtin-samples.jsonl` writes; run it and commit the result"
    );
    assert_eq!(
        training::samples_from_jsonl(&shipped_samples).expect("reads back"),
        samples
    );
    let examples: Vec<_> = samples.iter().map(|s| s.example(&rules)).collect();
    assert!(examples.len() >= 2500, "only {} examples", examples.len());
    let (model, report) = training::fit(&examples, &rules, Hyper::default());
    let shipped = std::fs::read(root().join("models/builtin.mtm")).expect("models/builtin.mtm");
    assert!(
        model.to_bytes() == shipped,
        "models/builtin.mtm is not what `mailtriage train corpus/train tests/fixtures --out models/builtin.mtm` makes; run it and commit the result"
    );
    assert_eq!(Model::from_bytes(&shipped).expect("loads"), model);
    // The confidence contract (PRODUCT.md), out of fold on the training corpus.
    assert!(
        report.precision_at_80 >= 0.95,
        "confidence >= 0.8 right only {:.1}% of the time",
        100.0 * report.precision_at_80
    );
}
