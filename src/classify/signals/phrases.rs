//! A list of rule-file phrases compiled once into one automaton: testing a sentence against
//! the whole list is one scan, not one substring search (and searcher set-up) per phrase and
//! sentence, which was a third of the signals' time.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use super::wordish;
use crate::rules::parse_phrase;

/// Whether each end of a phrase must stand at a word boundary. A boundary only binds an end
/// that is itself part of a word ("qu'" binds nothing after it).
#[derive(Debug, Clone, Copy)]
struct Ends {
    start: bool,
    end: bool,
}

/// Normalised phrases (`*` marks an end that needs no word boundary) and their automaton.
#[derive(Debug, Clone, Default)]
pub struct Phrases {
    texts: Vec<String>,
    ends: Vec<Ends>,
    automaton: Option<AhoCorasick>,
}

impl Phrases {
    /// The phrases of a rule-file list; empty ones are left out.
    pub fn new<S: AsRef<str>>(raw: impl IntoIterator<Item = S>) -> Phrases {
        let mut p = Phrases::default();
        p.extend(raw);
        p
    }

    /// Adds more phrases (a language's list can be made of several rule-file lists).
    pub fn extend<S: AsRef<str>>(&mut self, raw: impl IntoIterator<Item = S>) {
        self.push(raw);
        self.compile();
    }

    /// Takes in the phrases of `raw`, without building the automaton.
    fn push<S: AsRef<str>>(&mut self, raw: impl IntoIterator<Item = S>) {
        for s in raw {
            let Some((text, start, end)) = parse_phrase(s.as_ref()) else {
                continue;
            };
            let start = start && text.chars().next().is_some_and(wordish);
            let end = end && text.chars().next_back().is_some_and(wordish);
            self.texts.push(text);
            self.ends.push(Ends { start, end });
        }
    }

    /// Builds the automaton of the phrases held.
    fn compile(&mut self) {
        // A contiguous NFA: a few kilobytes per list, where a DFA would take hundreds.
        self.automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(&self.texts)
            .ok()
            .filter(|_| !self.texts.is_empty());
    }

    /// Whether the list holds no phrase.
    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }

    /// Every occurrence of a phrase in `norm` (normalised text) at its word boundaries, as
    /// (start, end), overlapping ones included.
    pub fn occurrences<'a>(&'a self, norm: &'a str) -> impl Iterator<Item = (usize, usize)> + 'a {
        self.matches(norm).map(|(_, start, end)| (start, end))
    }

    /// [`Phrases::occurrences`] with the index of the phrase found: (phrase, start, end).
    fn matches<'a>(&'a self, norm: &'a str) -> impl Iterator<Item = (usize, usize, usize)> + 'a {
        self.automaton
            .iter()
            .flat_map(move |a| a.find_overlapping_iter(norm))
            .filter(move |m| {
                let ends = self.ends[m.pattern().as_usize()];
                let glued_before =
                    ends.start && norm[..m.start()].chars().next_back().is_some_and(wordish);
                let glued_after = ends.end && norm[m.end()..].chars().next().is_some_and(wordish);
                !glued_before && !glued_after
            })
            .map(|m| (m.pattern().as_usize(), m.start(), m.end()))
    }

    /// Whether a phrase occurs in `norm`.
    pub fn found_in(&self, norm: &str) -> bool {
        self.occurrences(norm).next().is_some()
    }

    /// Whether `norm` opens with a phrase.
    pub fn opens(&self, norm: &str) -> bool {
        self.occurrences(norm).any(|(s, _)| s == 0)
    }

    /// The first occurrence (the shortest of those starting first).
    pub fn first(&self, norm: &str) -> Option<(usize, usize)> {
        self.occurrences(norm).min()
    }
}

/// Several lists in one automaton: which of them occur in a text is one scan of it, where
/// asking each list was one scan per list (the `together` rules' groups: thirty a message).
#[derive(Debug, Clone, Default)]
pub struct Union {
    phrases: Phrases,
    /// The list of each phrase.
    list: Vec<usize>,
    lists: usize,
}

impl Union {
    /// The union of `lists`, each known by its place in them.
    pub fn new<'a>(lists: impl IntoIterator<Item = &'a Phrases>) -> Union {
        let mut u = Union::default();
        for (i, p) in lists.into_iter().enumerate() {
            u.phrases.texts.extend(p.texts.iter().cloned());
            u.phrases.ends.extend(p.ends.iter().copied());
            u.list.resize(u.phrases.texts.len(), i);
            u.lists = i + 1;
        }
        u.phrases.compile();
        u
    }

    /// Adds the phrases of `raw` to list number `list` (a list can be made of several
    /// rule-file lists).
    pub fn extend<S: AsRef<str>>(&mut self, list: usize, raw: impl IntoIterator<Item = S>) {
        self.phrases.push(raw);
        self.list.resize(self.phrases.texts.len(), list);
        self.lists = self.lists.max(list + 1);
        self.phrases.compile();
    }

    /// For each list, whether one of its phrases occurs in `norm` ([`Phrases::found_in`]).
    pub fn found(&self, norm: &str) -> Vec<bool> {
        let mut found = vec![false; self.lists];
        for (phrase, _, _) in self.phrases.matches(norm) {
            found[self.list[phrase]] = true;
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_bind_only_word_ends_and_star_lifts_them() {
        let p = Phrases::new(["outage*", "sign in", "qu'"]);
        assert!(p.found_in("two outages today"));
        assert!(!p.found_in("we sign inside"));
        assert!(p.found_in("can we sign in?"));
        assert!(p.found_in("qu'il"));
        assert!(!p.found_in("nothing here"));
        assert_eq!(p.first("sign in, then outage"), Some((0, 7)));
        assert!(p.opens("outage since noon"));
        assert!(!p.opens("an outage"));
        assert!(!Phrases::new(Vec::<String>::new()).found_in("anything"));
    }

    #[test]
    fn a_union_finds_what_each_list_finds() {
        let lists = [
            Phrases::new(["sign in", "login"]),
            Phrases::new(Vec::<String>::new()),
            Phrases::new(["outage*", "in"]),
            Phrases::new(["login"]),
        ];
        let u = Union::new(&lists);
        for text in [
            "we sign inside",
            "login outages",
            "sign in",
            "",
            "in a login",
        ] {
            let each: Vec<bool> = lists.iter().map(|l| l.found_in(text)).collect();
            assert_eq!(u.found(text), each, "{text:?}");
        }
        assert_eq!(u.found("login"), vec![true, false, false, true]);
        let mut e = Union::default();
        e.extend(2, ["outage*"]);
        e.extend(0, ["sign in"]);
        e.extend(2, ["in"]);
        assert_eq!(e.found("sign in, outages"), vec![true, false, true]);
        assert_eq!(e.found("we sign inside"), vec![false, false, false]);
    }

    #[test]
    fn an_occurrence_glued_to_a_word_does_not_hide_a_later_one() {
        let p = Phrases::new(["tel"]);
        assert_eq!(p.first("hotel tel 123"), Some((6, 9)));
    }
}
