//! The built-in classifier model is what `mailtriage train` makes from the corpus and the
//! fixtures in the repository, so anyone can rebuild it and nobody can ship a model from elsewhere.

use mailtriage::classify::model::{Hyper, Model};
use mailtriage::classify::training;
use mailtriage::rules::RuleSet;

use crate::util::root;

#[test]
fn the_shipped_model_is_what_train_makes_from_the_corpus() {
    let rules = RuleSet::load(None, &[]).expect("built-in rules");
    let mut examples = training::load_corpus(&root().join("corpus/train"), &rules).expect("corpus");
    examples
        .extend(training::load_corpus(&root().join("tests/fixtures"), &rules).expect("fixtures"));
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
