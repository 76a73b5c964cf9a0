//! The colleague a customer thanks or praises by name ("Many thanks to Maria from your support
//! team"), so that the thank-you draft can say the praise goes to that person. A wrong name in
//! a reply is worse than none, so a name counts only inside an explicit thanks or praise
//! construction of its language (`[signals] colleague.patterns`, each with `(?P<v>…)` around the
//! name), is capitalised where its script has capitals, is none of the words a language lists
//! as never a name (pronouns, "Team", "Support"), and is not the customer's own name nor ours.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

use serde::Deserialize;

use crate::rules::{is_cjk, normalize, GuardSets, Guarded};

/// At most this many colleagues are named back: a longer list reads like a roll call.
pub const MAX: usize = 2;

/// `[signals] colleague` of one rule file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawColleague {
    /// Regexes on the customer's text as written, case-sensitive (so that a name can be
    /// required to be capitalised; trigger words are written `(?i:thanks)`). `{part}` stands
    /// for the regex of that name in `parts`.
    #[serde(default)]
    patterns: Vec<String>,
    /// Named pieces of regex the patterns share (`name`, `staff`, `praise`…), so that each
    /// construction is written once.
    #[serde(default)]
    parts: BTreeMap<String, String>,
    /// Words joining two names in one match ("Maria and Jonas"): each is a name of its own.
    #[serde(default)]
    joiners: Vec<String>,
    /// Words that are never a colleague's name where a pattern expects one, any case.
    #[serde(default)]
    not_names: Vec<String>,
    /// Words that go with a name and are not one ("Herr", "Mr", "매니저"): kept in the value,
    /// never taken for the name itself.
    #[serde(default)]
    titles: Vec<String>,
    /// A title as the value writes it, for a form the sentence bent ("Herrn" → "Herr").
    #[serde(default)]
    title_forms: BTreeMap<String, String>,
    /// Endings of a capitalised word that make it a common word at the start of a sentence
    /// rather than a name ("Restarting was helpful"), when the name is that word alone.
    #[serde(default)]
    not_endings: Vec<String>,
}

/// One pattern and its language. Exact name patterns are large (Unicode letter classes,
/// 0.4 MB each, and as much again in the caches of each thread that runs them), and most
/// messages praise no one: each stands behind a guard.
#[derive(Debug)]
struct Pattern {
    language: usize,
    regex: Guarded,
}

/// The compiled colleague rules of every language.
#[derive(Default)]
pub struct Colleagues {
    patterns: Vec<Pattern>,
    /// The patterns' guards, built on the first read (after every rule file is added).
    guards: OnceLock<GuardSets>,
    /// Per language index: lower-cased words that are never a name.
    not_names: Vec<HashSet<String>>,
    /// Per language index: title (without a final '.') → the form the value writes, if not
    /// the one written.
    titles: Vec<HashMap<String, Option<String>>>,
    not_endings: Vec<Vec<String>>,
    joiners: Vec<Vec<String>>,
}

/// `pattern` with each `{part}` replaced by that part's regex. Parts may name other parts;
/// after a few rounds a part that names itself is left as it is, for the regex compiler to
/// refuse.
fn expand(pattern: &str, parts: &BTreeMap<String, String>) -> String {
    let mut out = pattern.to_string();
    for _ in 0..4 {
        let before = out.clone();
        for (name, part) in parts {
            out = out.replace(&format!("{{{name}}}"), part);
        }
        if out == before {
            break;
        }
    }
    out
}

/// The lower-cased words of `text`: split at anything but letters, digits and apostrophes.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// The names a colleague cannot have in this message: the customer's own (display names,
/// signature) and ours (the identity's name and signature), as lower-cased words.
pub struct NotTheirs {
    words: HashSet<String>,
}

impl NotTheirs {
    pub fn new<'a>(texts: impl IntoIterator<Item = &'a str>) -> NotTheirs {
        NotTheirs {
            words: texts.into_iter().flat_map(words).collect(),
        }
    }

    /// `word` (lower-cased) is one of these names. In scripts written without spaces a name
    /// is not a word of its own ("田中太郎"), so there a part of one counts too.
    fn has(&self, word: &str) -> bool {
        if self.words.contains(word) {
            return true;
        }
        let unspaced = |w: &str| w.chars().count() >= 2 && w.chars().all(is_cjk);
        unspaced(word)
            && self
                .words
                .iter()
                .any(|w| w.contains(word) || (unspaced(w) && word.contains(w.as_str())))
    }
}

/// A name word is written as one: a capital first, and not all in capitals ("IT", "SUPPORT"),
/// in scripts with capitals; anything in scripts without.
fn capitalised(word: &str) -> bool {
    let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
    let cased = |c: &char| c.is_uppercase() || c.is_lowercase();
    if !letters.iter().any(cased) {
        return true;
    }
    letters.first().is_some_and(|c| c.is_uppercase())
        && (letters.len() == 1 || letters.iter().any(|c| c.is_lowercase()))
}

/// Where the last word of `span` (starting at `start` in the text) begins: a praise word
/// ("helpful") is negated by what stands just before it ("was not helpful").
fn last_word_start(span: &str, start: usize) -> usize {
    let trimmed = span.trim_end_matches(|c: char| !c.is_alphanumeric());
    let word = trimmed
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric())
        .last()
        .map_or(trimmed.len(), |(i, _)| i);
    start + word
}

impl Colleagues {
    /// Adds one rule file's `colleague`; `language` is its index. Errors name the key.
    pub fn add(&mut self, raw: &RawColleague, language: usize) -> Result<(), (String, String)> {
        for p in &raw.patterns {
            let p = &expand(p, &raw.parts);
            let (regex, re) = Guarded::new(p).map_err(|e| {
                (
                    "signals.colleague.patterns".to_string(),
                    crate::rules::bad_regex(p, &e),
                )
            })?;
            if !re.capture_names().any(|n| n == Some("v")) {
                return Err((
                    "signals.colleague.patterns".to_string(),
                    format!("{p:?} has no group (?P<v>…) for the name"),
                ));
            }
            self.patterns.push(Pattern { language, regex });
        }
        if self.not_names.len() <= language {
            self.not_names.resize(language + 1, HashSet::new());
            self.titles.resize(language + 1, HashMap::new());
            self.not_endings.resize(language + 1, Vec::new());
            self.joiners.resize(language + 1, Vec::new());
        }
        self.joiners[language].extend(raw.joiners.iter().map(|j| j.trim().to_string()));
        self.not_names[language].extend(raw.not_names.iter().map(|w| normalize(w.trim())));
        let bare = |t: &str| t.trim().trim_end_matches('.').to_string();
        for t in &raw.titles {
            self.titles[language].insert(bare(t), None);
        }
        for (from, to) in &raw.title_forms {
            self.titles[language].insert(bare(from), Some(to.trim().to_string()));
        }
        self.not_endings[language].extend(raw.not_endings.iter().map(|e| normalize(e.trim())));
        Ok(())
    }

    /// The colleagues named in praise or thanks in `text`, in the order written, at most
    /// [`MAX`]. `negated(before, language)` says whether the end of `before` is negated.
    pub fn read(
        &self,
        languages: &[usize],
        text: &str,
        not_theirs: &NotTheirs,
        negated: impl Fn(&str, usize) -> bool,
    ) -> Vec<String> {
        let mut found: Vec<(usize, String)> = Vec::new();
        let may = self
            .guards
            .get_or_init(|| GuardSets::new(self.patterns.iter().map(|p| (p.language, &p.regex))))
            .may_match(languages, text);
        let patterns = self.patterns.iter().zip(may).filter(|(_, may)| *may);
        for (language, re) in patterns.filter_map(|(p, _)| Some((&p.language, p.regex.exact()?))) {
            for c in re.captures_iter(text) {
                let (Some(whole), Some(v)) = (c.get(0), c.name("v")) else {
                    continue;
                };
                // The trigger ("no thanks to…") and the praise word ("was not helpful").
                let negated_at = |at: usize| {
                    let from = text[..at]
                        .char_indices()
                        .rev()
                        .nth(200)
                        .map_or(0, |(i, _)| i);
                    negated(&normalize(&text[from..at]), *language)
                };
                if negated_at(whole.start())
                    || negated_at(last_word_start(whole.as_str(), whole.start()))
                {
                    continue;
                }
                for (at, part) in self.joined(languages, v.as_str()) {
                    if let Some(name) = self.name(languages, part, not_theirs) {
                        found.push((v.start() + at, name));
                    }
                }
            }
        }
        found.sort();
        let mut names: Vec<String> = Vec::new();
        for (_, name) in found {
            if !names.contains(&name) && names.len() < MAX {
                names.push(name);
            }
        }
        names
    }

    /// What a pattern took for a name, split where a joiner stands between two ("Maria and
    /// Jonas", "Pedro y a Marta"): (byte offset, part).
    fn joined<'t>(&self, languages: &[usize], raw: &'t str) -> Vec<(usize, &'t str)> {
        let mut words = Vec::new();
        let mut at = 0;
        for w in raw.split_whitespace() {
            // Words come in order, so the next occurrence is this word.
            let i = at + raw[at..].find(w).unwrap_or(0);
            at = i + w.len();
            words.push((i, w));
        }
        let joiners = languages
            .iter()
            .filter_map(|&l| self.joiners.get(l))
            .flatten();
        let mut parts = Vec::new();
        let mut start = 0;
        let mut i = 0;
        while i < words.len() {
            let len = joiners
                .clone()
                .map(|j| j.split_whitespace().collect::<Vec<_>>())
                .filter(|j| {
                    words
                        .get(i..i + j.len())
                        .is_some_and(|ws| ws.iter().zip(j).all(|((_, w), j)| w == j))
                })
                .map(|j| j.len())
                .max();
            match len {
                Some(n) if n > 0 => {
                    parts.push((start, raw[start..words[i].0].trim()));
                    let (last, w) = words[i + n - 1];
                    start = last + w.len();
                    i += n;
                }
                _ => i += 1,
            }
        }
        parts.push((start, raw[start..].trim()));
        parts
    }

    /// The value for what a pattern took for a name, or `None` when it is not one: titles in
    /// their value form, the name words capitalised, none of them a non-name or theirs.
    fn name(&self, languages: &[usize], raw: &str, not_theirs: &NotTheirs) -> Option<String> {
        let raw = raw.trim();
        if raw.is_empty() || raw.chars().count() > 40 || raw.chars().any(|c| c.is_numeric()) {
            return None;
        }
        let title = |w: &str| {
            let bare = w.trim_end_matches('.');
            languages
                .iter()
                .find_map(|&l| self.titles.get(l).and_then(|t| t.get(bare)))
        };
        let not_name = |w: &str| {
            let w = normalize(w);
            languages
                .iter()
                .any(|&l| self.not_names.get(l).is_some_and(|n| n.contains(&w)))
        };
        let mut out = Vec::new();
        let mut names = Vec::new();
        for w in raw.split_whitespace() {
            if let Some(form) = title(w) {
                out.push(form.clone().unwrap_or_else(|| w.to_string()));
                continue;
            }
            if !capitalised(w) || not_name(w) || not_theirs.has(&w.to_lowercase()) {
                return None;
            }
            names.push(w);
            out.push(w.to_string());
        }
        if names.is_empty() {
            return None;
        }
        if out.len() == 1 {
            let w = normalize(names[0]);
            let common = languages.iter().any(|&l| {
                self.not_endings
                    .get(l)
                    .is_some_and(|e| e.iter().any(|e| w.ends_with(e.as_str())))
            });
            if common {
                return None;
            }
        }
        Some(out.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> Colleagues {
        let raw: RawColleague = toml::from_str(
            r#"
patterns = [
  '(?i:thanks)\s+to\s+(?P<v>(?:(?:Mr|Ms)\.?\s)?\p{Lu}[\p{L}\x27-]*\p{Ll}(?:\s\p{Lu}[\p{L}\x27-]*\p{Ll})?)\s+(?i:from)\s+(?i:your|the)\s+(?i:support|team)',
  '\b(?P<v>\p{Lu}[\p{L}\x27-]*\p{Ll})\s+(?i:was)\s+(?:(?i:so|very)\s+)?(?i:helpful|patient)\b',
  '(?P<v>[\p{Han}]{2,4})さん[^。\n]{0,20}?(?:感謝|ありがと)',
]
not_names = ["Support", "Team", "It", "This", "担当"]
titles = ["Mr", "Ms"]
title_forms = { Mister = "Mr" }
not_endings = ["ing"]
"#,
        )
        .expect("toml");
        let mut c = Colleagues::default();
        c.add(&raw, 0).expect("adds");
        c
    }

    #[test]
    fn an_exact_pattern_is_compiled_only_for_a_text_its_guard_lets_through() {
        let c = rules();
        let none = NotTheirs::new(std::iter::empty());
        assert!(c
            .read(&[0], "The export fails since Monday.", &none, negated)
            .is_empty());
        assert!(c.patterns.iter().all(|p| !p.regex.compiled()));
        let names = c.read(
            &[0],
            "Thanks to Maria from your support team.",
            &none,
            negated,
        );
        assert_eq!(names, vec!["Maria".to_string()]);
        assert!(c.patterns[0].regex.compiled());
        assert!(!c.patterns[2].regex.compiled(), "no さん in the text");
    }

    fn negated(before: &str, _: usize) -> bool {
        let w: Vec<&str> = before.split_whitespace().rev().take(3).collect();
        w.iter().any(|w| ["not", "no", "never"].contains(w))
    }

    fn read(text: &str, theirs: &[&str]) -> Vec<String> {
        rules().read(&[0], text, &NotTheirs::new(theirs.iter().copied()), negated)
    }

    #[test]
    fn names_in_thanks_and_praise_in_the_order_written_at_most_two() {
        assert_eq!(
            read(
                "Many thanks to Maria from your support team. Jonas was so helpful too. Eva was very patient.",
                &["Alex Kim"]
            ),
            vec!["Maria", "Jonas"]
        );
        assert_eq!(
            read("Thanks to Mr. Smith from the team", &[]),
            vec!["Mr. Smith"]
        );
        assert_eq!(read("Thanks to Ms Lee from the team", &[]), vec!["Ms Lee"]);
        assert_eq!(read("田中さんのご対応に感謝します。", &[]), vec!["田中"]);
    }

    #[test]
    fn the_customers_own_name_and_ours_are_never_a_colleague() {
        // Their display name, their signature, our identity: the same name is theirs.
        assert!(read("Maria was so helpful.", &["Maria Lopez"]).is_empty());
        assert!(read(
            "Thanks to Cloud from the support",
            &["Example Cloud Support"]
        )
        .is_empty());
        assert!(read("田中さんのご対応に感謝します。", &["田中太郎"]).is_empty());
        assert_eq!(
            read("田中さんのご対応に感謝します。", &["佐藤"]),
            vec!["田中"]
        );
    }

    #[test]
    fn non_names_lower_case_capitals_negations_and_titles_alone_are_not_names() {
        for text in [
            "Thanks to Support from the team",
            "It was very helpful.",
            "Restarting was very helpful.",
            "IT was so helpful",
            "Maria was not helpful.",
            "No thanks to Maria from your support",
            "Thanks to Mr from the team",
            "maria was so helpful",
            "担当さんに感謝",
            "R2d2 was helpful",
        ] {
            assert!(read(text, &[]).is_empty(), "{text}");
        }
        // A title in a bent form is written in the value's.
        let raw: RawColleague = toml::from_str(
            r#"
patterns = ['(?i:danke)\s+an\s+(?P<v>(?:Herrn?|Frau)\s+\p{Lu}\p{Ll}+)']
title_forms = { Herrn = "Herr" }
titles = ["Herr", "Frau"]
"#,
        )
        .expect("toml");
        let mut c = Colleagues::default();
        c.add(&raw, 0).expect("adds");
        let none = NotTheirs::new([]);
        assert_eq!(
            c.read(&[0], "Danke an Herrn Schulz!", &none, negated),
            vec!["Herr Schulz"]
        );
    }

    #[test]
    fn a_pattern_without_a_name_group_is_refused() {
        let raw: RawColleague = toml::from_str("patterns = ['thanks to (\\w+)']").expect("toml");
        let err = Colleagues::default().add(&raw, 0).expect_err("refused");
        assert_eq!(err.0, "signals.colleague.patterns");
    }
}
