//! Statements read from words that stand together in one sentence, in any order, rather than
//! from one fixed phrase: "this address … my account" says the address they write from is
//! their account's however the sentence runs ("see aadress ongi see, millega konto on
//! registreeritud", "这个地址就是我账户绑定的邮箱"), and "reset … never arrived" says the reset
//! mail did not reach them ("die Reset-Mail ist auch nach drei Versuchen nicht angekommen").
//! A fixed phrase list misses every word put between; a rule here names a few groups of words
//! (`[signals.together]` in `rules/<lang>.toml`), and a sentence holding one of each counts.
//!
//! An `about` rule is a statement: a question ("is this address registered?") does not count,
//! nor a sentence with one of the language's negations from just before its first word to the
//! end of its last ("this address is not registered"). A `tried` rule names what failed, so its
//! words carry their own negation ("never arrived") and are not tested for one. The
//! `charged_twice` rule ("charged my card €49.90 twice", "m'avez prélevé 29,90 € deux fois")
//! is tested for a negation like an `about` rule, but a question counts: "why was I charged
//! twice?" says it happened.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::phrases::{Phrases, Union};
use super::{wordish, words_before};

/// `[signals.together]` of one rule file, per `tried` or `about` id.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTogether {
    #[serde(default)]
    tried: BTreeMap<String, RawRule>,
    #[serde(default)]
    about: BTreeMap<String, RawRule>,
    /// They were charged twice for one thing (`signals.charged_twice`).
    #[serde(default)]
    charged_twice: Option<RawRule>,
    /// The failure goes on (`signals.still_failing`) in languages that put words between
    /// "still" and the negated verb ("아직도 예약 알림 메일이 오지 않습니다", "まだダッシュボードが
    /// 開けません"); its words carry their own negation, like a `tried` rule's.
    #[serde(default)]
    still_failing: Option<RawRule>,
}

/// One rule: `all`, the groups of words one sentence must hold one of each of; `unless`, words
/// that keep the sentence from counting wherever they stand in it (a language whose negation
/// follows the verb, "가입하지 않았습니다", "登録していません", says it after the words).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    all: Vec<Vec<String>>,
    #[serde(default)]
    unless: Vec<String>,
}

/// Where a rule's finding goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sets {
    Tried(usize),
    About(usize),
    ChargedTwice,
    StillFailing,
}

#[derive(Debug, Clone)]
struct Rule {
    sets: Sets,
    groups: Vec<Phrases>,
    unless: Phrases,
}

/// The compiled rules, per language index.
#[derive(Default)]
pub struct Together {
    rules: Vec<Vec<Rule>>,
    /// Per language, every group of its rules, rule by rule in order: which groups occur in a
    /// text is one scan of it.
    groups: Vec<Union>,
}

impl Together {
    /// Adds one rule file's rules; `tried` and `about` look up an id's index (or say why it is
    /// not one). A rule with fewer than two groups is refused: one group is a phrase list.
    pub fn add(
        &mut self,
        raw: &RawTogether,
        language: usize,
        tried: impl Fn(&str) -> Result<usize, (String, String)>,
        about: impl Fn(&str) -> Result<usize, (String, String)>,
    ) -> Result<(), (String, String)> {
        if self.rules.len() <= language {
            self.rules.resize(language + 1, Vec::new());
            self.groups.resize(language + 1, Union::default());
        }
        let rules = raw
            .tried
            .iter()
            .map(|(k, g)| -> Result<_, (String, String)> {
                Ok((Sets::Tried(tried(k)?), "tried", k.as_str(), g))
            })
            .chain(
                raw.about
                    .iter()
                    .map(|(k, g)| Ok((Sets::About(about(k)?), "about", k.as_str(), g))),
            )
            .chain(
                raw.charged_twice
                    .iter()
                    .map(|g| Ok((Sets::ChargedTwice, "charged_twice", "", g))),
            )
            .chain(
                raw.still_failing
                    .iter()
                    .map(|g| Ok((Sets::StillFailing, "still_failing", "", g))),
            );
        for rule in rules {
            let (sets, key, id, raw) = rule?;
            let groups: Vec<Phrases> = raw
                .all
                .iter()
                .map(Phrases::new)
                .filter(|g| !g.is_empty())
                .collect();
            if groups.len() < 2 {
                return Err((
                    format!(
                        "signals.together.{key}{}{id}",
                        if id.is_empty() { "" } else { "." }
                    ),
                    "needs at least two groups of words".into(),
                ));
            }
            self.rules[language].push(Rule {
                sets,
                groups,
                unless: Phrases::new(&raw.unless),
            });
        }
        self.groups[language] = Union::new(self.rules[language].iter().flat_map(|r| &r.groups));
        Ok(())
    }

    /// What the rules of `languages` find in `norm` (the normalised text); `negations` gives a
    /// language's normalised negation words.
    pub fn read<'a>(
        &self,
        languages: &[usize],
        norm: &str,
        negations: impl Fn(usize) -> &'a [String],
    ) -> Vec<Sets> {
        let mut out = Vec::new();
        for &l in languages {
            let rules = self.rules.get(l).map_or(&[][..], Vec::as_slice);
            if rules.is_empty() {
                continue;
            }
            let present = self
                .groups
                .get(l)
                .map(|g| g.found(norm))
                .unwrap_or_default();
            // Where each rule's groups stand in the union: after the earlier rules' groups.
            let mut next = 0;
            for rule in rules {
                let groups = next..next + rule.groups.len();
                next = groups.end;
                if out.contains(&rule.sets) {
                    continue;
                }
                // A group none of whose words is in the text rules out every sentence.
                if !present.get(groups).is_some_and(|p| p.iter().all(|&p| p)) {
                    continue;
                }
                let statement = matches!(rule.sets, Sets::About(_));
                let tested = statement || rule.sets == Sets::ChargedTwice;
                let found = sentences(norm).any(|(sentence, question)| {
                    if statement && question || rule.unless.found_in(sentence) {
                        return false;
                    }
                    let Some((first, last)) = span(sentence, &rule.groups) else {
                        return false;
                    };
                    !tested || !negated(sentence, first, last, negations(l))
                });
                if found {
                    out.push(rule.sets);
                }
            }
        }
        out
    }
}

/// The sentences of `norm` and whether each is a question. A line break ends one too: a
/// wrapped line was joined before ([`super::unwrap_lines`]). A full stop between digits is
/// inside a number ("€49.90", "5.1"), not the end of a sentence.
fn sentences(norm: &str) -> impl Iterator<Item = (&str, bool)> {
    let mut rest = norm;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = rest
            .char_indices()
            .find(|&(i, c)| {
                let in_number = c == '.'
                    && rest[..i].ends_with(|d: char| d.is_ascii_digit())
                    && rest[i + 1..].starts_with(|d: char| d.is_ascii_digit());
                !in_number && matches!(c, '.' | '!' | '?' | '\n' | '。' | '！' | '？' | ';' | '；')
            })
            .map_or(rest.len(), |(i, c)| i + c.len_utf8());
        let (sentence, tail) = rest.split_at(end);
        rest = tail;
        let question = sentence.ends_with(['?', '？']);
        Some((sentence, question))
    })
}

/// Where the words of every group stand in `sentence`: the start of the first one and the end
/// of the last one, taking each group's first occurrence; `None` when a group has none.
fn span(sentence: &str, groups: &[Phrases]) -> Option<(usize, usize)> {
    let mut first = usize::MAX;
    let mut last = 0;
    for group in groups {
        let (s, e) = group.first(sentence)?;
        first = first.min(s);
        last = last.max(e);
    }
    Some((first, last))
}

/// Whether a negation stands in `sentence` between the three words before `first` and `last`.
/// A negation written in a script with spaces counts as a whole word, one without (漢字, かな)
/// anywhere in the span.
fn negated(sentence: &str, first: usize, last: usize, negations: &[String]) -> bool {
    let before = words_before(sentence, first, 3);
    let span = &sentence[first..last];
    let words: Vec<&str> = before
        .into_iter()
        .chain(span.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’'))
        .filter(|w| !w.is_empty())
        .collect();
    negations.iter().any(|n| {
        if n.chars().any(wordish) {
            words.iter().any(|w| w == n)
        } else {
            span.contains(n.as_str())
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::normalize as norm;

    fn words(list: &[&str]) -> Phrases {
        Phrases::new(list)
    }

    #[test]
    fn every_group_in_one_sentence_in_any_order() {
        let groups = vec![words(&["this address"]), words(&["my account"])];
        let hit = |s: &str| span(&norm(s), &groups).is_some();
        assert!(hit("this address is the one on my account"));
        assert!(hit("my account is under this address"));
        assert!(!hit("this addresses my account"));
        let n = norm("this address. my account");
        assert!(sentences(&n).all(|(s, _)| span(s, &groups).is_none()));
    }

    #[test]
    fn a_full_stop_inside_a_number_ends_no_sentence() {
        let groups = vec![words(&["charged"]), words(&["twice"])];
        let n = norm("you charged my card €49.90 twice this month. thanks");
        assert!(sentences(&n).any(|(s, _)| span(s, &groups).is_some()));
        assert_eq!(sentences(&n).count(), 2);
    }

    #[test]
    fn a_negation_in_the_span_or_just_before_it() {
        let negs = vec!["not".to_string(), "不".to_string()];
        let groups = vec![words(&["this address"]), words(&["registered"])];
        let neg = |s: &str| {
            let n = norm(s);
            let (f, l) = span(&n, &groups).expect("span");
            negated(&n, f, l, &negs)
        };
        assert!(neg("this address is not registered"));
        assert!(neg("it is not this address that is registered"));
        assert!(!neg(
            "i cannot sign in, but now, finally, this address is registered"
        ));
        let zh = vec![words(&["这个地址"]), words(&["注册"])];
        let n = norm("这个地址不是注册邮箱");
        let (f, l) = span(&n, &zh).expect("span");
        assert!(negated(&n, f, l, &negs));
    }
}
