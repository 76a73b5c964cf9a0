//! The blind set: `tests/blind/*.eml`, 116 messages in the nine languages written by someone who
//! had not seen the rules, labelled in `tests/blind/expected.json`. Its first run, before any
//! rule was touched, was the closest thing to a held-out measurement this project has (see
//! docs/development.md); since then it guards against regressions like the fixtures do, with a threshold
//! instead of exact answers, because its labels are one reader's judgement.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::util::{engine, fixed_env, root};

/// Category accuracy over drafts that must hold; skip decisions and language must be exact.
const MIN_CATEGORY_ACCURACY: f64 = 0.95;

#[test]
fn blind_set_accuracy() {
    let dir = root().join("tests/blind");
    let expected: BTreeMap<String, Value> =
        serde_json::from_slice(&std::fs::read(dir.join("expected.json")).expect("expected.json"))
            .expect("expected.json parses");
    assert!(
        expected.len() >= 100,
        "only {} labelled messages",
        expected.len()
    );

    // language -> (messages, action and category right, language right, draft in it)
    let mut rows: BTreeMap<String, [usize; 4]> = BTreeMap::new();
    let (mut drafts, mut drafts_right, mut misses) = (0, 0, Vec::new());
    for (name, want) in &expected {
        let raw = std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let outcome = engine()
            .triage(&raw, name, &fixed_env(), None)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let got = serde_json::to_value(&outcome).expect("outcome serialises");
        let lang = want["language"].as_str().expect("language label");
        let row = rows.entry(lang.to_string()).or_default();
        row[0] += 1;
        let right = got["action"] == want["action"]
            && if want["action"] == "skip" {
                got["skip_reason"] == want["skip_reason"]
            } else {
                got["category"] == want["category"]
            };
        let lang_right = want["action"] == "skip" || got["language"] == lang;
        let draft_lang = got["draft"]["language"] == lang;
        row[1] += usize::from(right);
        row[2] += usize::from(lang_right);
        row[3] += usize::from(draft_lang);
        if want["action"] == "draft" {
            drafts += 1;
            drafts_right += usize::from(right);
        }
        if !right || !lang_right {
            misses.push(format!(
                "{name}: want {} {}, got {} {} {}",
                want["action"], want["category"], got["action"], got["category"], got["language"]
            ));
        }
        if want["action"] == "skip" {
            assert!(right, "{name}: a skip decision must be exact: got {got}");
        } else {
            assert!(
                lang_right,
                "{name}: language {} not {lang}",
                got["language"]
            );
            assert!(draft_lang, "{name}: draft not in {lang}");
        }
    }
    eprintln!("blind set per language (messages, action+category right, language right):");
    for (lang, [n, right, lang_right, _]) in &rows {
        eprintln!("  {lang}: {n} messages, {right} right, language {lang_right}");
    }
    for m in &misses {
        eprintln!("  miss {m}");
    }
    let accuracy = drafts_right as f64 / drafts as f64;
    assert!(drafts > 0);
    assert!(
        accuracy >= MIN_CATEGORY_ACCURACY,
        "category accuracy {accuracy:.3} below {MIN_CATEGORY_ACCURACY}: {misses:#?}"
    );
}
