//! Separates what the customer wrote now from what they quoted: `>` lines, "On … wrote:" and its
//! equivalents (from the rule files of every language), Outlook header blocks and
//! "-----Original Message-----", then the signature ("-- ", sign-offs) and legal footers.

use regex::Regex;
use std::cell::OnceCell;
use std::sync::LazyLock;

use crate::rules::{normalize, RuleSet};

/// The two views of a body that later stages need.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Split {
    /// Everything above the quoted history, signature included.
    pub own: String,
    /// `own` with every line normalised and trimmed.
    pub own_norm: String,
    /// Only the new text: no quotes, signature or footer.
    pub new: String,
    /// `new` with every line normalised and trimmed, blank lines where `new` has them.
    pub new_norm: String,
}

/// An Outlook-style header line that opens a quoted message ("From: …", "Von: …", "差出人: …").
static OUTLOOK_FROM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\*?(from|von|de|van|da|från|fra|mistä|od|от|发件人|發件人|寄件者|差出人|送信者|보낸 사람|보낸사람|מאת|saatja|kellelt)\s*\*?\s*[:：]")
        .expect("static regex")
});

/// A run of letters (any script), spaces and hyphens, for [`is_header_like`]; the count and
/// the rest of the line are checked in code. As `[\p{L} -]{2,24}` in one regex, each count
/// copied the Unicode letter class, and that regex and its lazy-DFA caches took megabytes.
static LETTERS_SPACES_HYPHENS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[\p{L} -]*").expect("static regex"));

/// Letters (any script) and spaces only, for [`is_separator`] (the count is checked in code,
/// for the same reason).
static LETTERS_SPACES: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[\p{L} ]*$").expect("static regex"));

/// The body's lines, each normalised at most once and only when a check reads it.
struct Lines<'a> {
    raw: Vec<&'a str>,
    norm: Vec<OnceCell<String>>,
}

impl<'a> Lines<'a> {
    fn new(body: &'a str) -> Self {
        let raw: Vec<&str> = body.lines().collect();
        let norm = raw.iter().map(|_| OnceCell::new()).collect();
        Lines { raw, norm }
    }

    /// The normalised, trimmed line `i`; empty past the end.
    fn norm(&self, i: usize) -> &str {
        match (self.raw.get(i), self.norm.get(i)) {
            (Some(raw), Some(cell)) => cell.get_or_init(|| normalize(raw.trim())),
            _ => "",
        }
    }
}

/// Splits a plain-text body.
pub fn split(body: &str, rules: &RuleSet) -> Split {
    let lines = Lines::new(body);
    let mut own = Vec::new();
    let mut own_norm = Vec::new();
    let mut new = Vec::new();
    let mut new_norm = Vec::new();
    let mut joined = String::new();
    let mut in_signature = false;
    let mut has_text = false;
    for (i, raw) in lines.raw.iter().enumerate() {
        let line = raw.trim_end();
        if line.trim_start().starts_with('>') {
            continue;
        }
        let norm = lines.norm(i);
        if starts_history(&lines, i, rules, &mut joined) || rules.is_footer(norm) {
            break;
        }
        if !in_signature && (line == "--" || line == "-- " || (has_text && rules.is_signoff(norm)))
        {
            in_signature = true;
        }
        own.push(line);
        own_norm.push(norm);
        if !in_signature {
            has_text |= !line.trim().is_empty();
            new.push(line);
            new_norm.push(norm);
        }
    }
    Split {
        own: tidy(&own),
        own_norm: tidy(&own_norm),
        new: tidy(&new),
        new_norm: tidy(&new_norm),
    }
}

/// The shortest run of `c` that makes a separator's dashes (`None` for other characters).
fn dash_min(c: char) -> Option<usize> {
    match c {
        '-' => Some(2),
        '_' | '=' => Some(5),
        _ => None,
    }
}

/// How many times `c` repeats at the start of `s`.
fn run_of(s: &str, c: char) -> usize {
    s.chars().take_while(|&x| x == c).count()
}

/// A generic separator that no language file needs to repeat: dashes (`--`, `_____` or
/// `=====`), then at most 40 letters and spaces with any white space around them, then
/// optionally dashes again ("-----Original Message-----", "________________").
fn is_separator(norm: &str) -> bool {
    let Some(c) = norm.chars().next() else {
        return false;
    };
    let Some(min) = dash_min(c) else {
        return false;
    };
    let lead = run_of(norm, c);
    let rest = &norm[lead * c.len_utf8()..];
    // A line of dashes only: the leading run, then at most one other run as the closing one.
    if rest.chars().all(|x| dash_min(x).is_some()) {
        let Some(d) = rest.chars().next() else {
            return lead >= min;
        };
        let close = run_of(rest, d);
        return lead >= min
            && close == rest.chars().count()
            && dash_min(d).is_some_and(|m| close >= m);
    }
    if lead < min {
        return false;
    }
    // The closing dashes, if any, are the whole run at the end: the text between holds none.
    let middle = match rest.chars().next_back() {
        Some(d) if dash_min(d).is_some() => {
            let close = rest.chars().rev().take_while(|&x| x == d).count();
            if dash_min(d).is_some_and(|m| close < m) {
                return false;
            }
            &rest[..rest.len() - close * d.len_utf8()]
        }
        _ => rest,
    };
    let words = middle.trim_matches(char::is_whitespace);
    words.chars().count() <= 40 && LETTERS_SPACES.is_match(words)
}

/// A header-like line ("Sent: …", "Gesendet: …") that follows an Outlook "From:" in a quoted
/// block: an optional `*`, 2 to 24 letters, spaces or hyphens, an optional `*`, white space,
/// and a colon.
fn is_header_like(norm: &str) -> bool {
    let s = norm.strip_prefix('*').unwrap_or(norm);
    let run = LETTERS_SPACES_HYPHENS.find(s).map_or(0, |m| m.end());
    let colon_after = |i: usize| {
        let tail = &s[i..];
        let tail = tail.strip_prefix('*').unwrap_or(tail);
        tail.trim_start_matches(char::is_whitespace)
            .starts_with([':', '：'])
    };
    s[..run]
        .char_indices()
        .map(|(i, c)| i + c.len_utf8())
        .enumerate()
        .skip(1)
        .take(23)
        .any(|(_, end)| colon_after(end))
}

/// [`OUTLOOK_FROM`], asked only of lines with the colon it needs.
fn is_outlook_from(norm: &str) -> bool {
    norm.contains([':', '：']) && OUTLOOK_FROM.is_match(norm)
}

/// True when line `i` opens the quoted history. `joined` is scratch space, kept between calls.
fn starts_history(lines: &Lines, i: usize, rules: &RuleSet, joined: &mut String) -> bool {
    let norm = lines.norm(i);
    if norm.is_empty() {
        return false;
    }
    if rules.is_quote_header(norm) {
        return true;
    }
    // Gmail and Apple Mail wrap long "On … wrote:" lines in two.
    let next = lines.norm(i + 1);
    if !next.is_empty() && norm.len() < 200 {
        joined.clear();
        joined.push_str(norm);
        joined.push(' ');
        joined.push_str(next);
        if rules.is_quote_header(joined) {
            return true;
        }
    }
    if is_separator(norm) && (i + 1..i + 4).any(|j| is_outlook_from(lines.norm(j))) {
        return true;
    }
    if is_outlook_from(norm) {
        let following = (i + 1..lines.raw.len())
            .map(|j| lines.norm(j))
            .filter(|l| !l.is_empty())
            .take(3)
            .filter(|l| is_header_like(l))
            .count();
        return following >= 2;
    }
    false
}

/// Joins lines, trims blank lines at both ends and collapses runs of blank lines.
fn tidy(lines: &[&str]) -> String {
    let mut out = String::new();
    let mut blank = false;
    for l in lines {
        if l.trim().is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if blank {
            out.push('\n');
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(l);
        blank = false;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> RuleSet {
        RuleSet::load(None, &[]).expect("rules")
    }

    #[test]
    fn removes_quotes_signature_and_outlook_block() {
        let body = "Hi,\n\nThe site is down again.\n\nBest regards,\nKim\n+82 10 1234 5678\n\n-----Original Message-----\nFrom: Support <support@example.com>\nSent: Monday\nTo: Kim\nSubject: invoice\n\nYour invoice is attached.";
        let s = split(body, &rules());
        assert_eq!(s.new, "Hi,\n\nThe site is down again.");
        assert!(s.own.contains("+82 10 1234 5678"));
        assert!(!s.own.contains("invoice"));
    }

    #[test]
    fn wrapped_gmail_header_and_angle_quotes() {
        let body = "Still waiting.\n\nOn Mon, Nov 16, 2026 at 10:00 AM Example Support <\nsupport@example.com> wrote:\n> Thanks for your message";
        let s = split(body, &rules());
        assert_eq!(s.new, "Still waiting.");
    }

    #[test]
    fn outlook_header_block_without_separator() {
        let body = "Please refund me.\n\nFrom: Support <support@example.com>\nSent: Friday, 20 November 2026 10:00\nTo: Customer\nSubject: Hello\n\nold text";
        assert_eq!(split(body, &rules()).new, "Please refund me.");
    }

    #[test]
    fn norms_are_the_texts_normalised_line_by_line() {
        let body = "  ＡＢＣ Straße\u{a0}\n\n\n\tÉcole ﬁn don\u{2019}t\n> quoted\nＳｅｃｏｎｄ 　line\n-- \nJane";
        let s = split(body, &rules());
        let expected: Vec<String> = normalize(&s.new)
            .lines()
            .map(|l| l.trim().to_string())
            .collect();
        assert_eq!(s.new_norm.lines().collect::<Vec<_>>(), expected);
        assert_eq!(s.new_norm, "abc straße\n\nécole fin don't\nsecond  line");
        assert_eq!(
            s.own_norm,
            "abc straße\n\nécole fin don't\nsecond  line\n--\njane"
        );
    }

    #[test]
    fn plain_signature_delimiter() {
        let s = split("Text here\n-- \nJane\nACME", &rules());
        assert_eq!(s.new, "Text here");
        assert_eq!(s.own, "Text here\n--\nJane\nACME");
    }

    /// The line checks written in code decide as the single regexes they replace did, on
    /// every line built from the characters that matter to them (dashes, letters of two
    /// scripts, white space, stars, both colons, digits), up to five characters long, and on
    /// long runs around the counts' limits.
    #[test]
    fn separator_and_header_checks_decide_as_the_regexes_they_replace() {
        let header_like = Regex::new(r"^\*?[\p{L} -]{2,24}\*?\s*[:：]").expect("regex");
        let separator =
            Regex::new(r"^(-{2,}|_{5,}|={5,})\s*[\p{L} ]{0,40}\s*(-{2,}|_{5,}|={5,})?$")
                .expect("regex");
        let alphabet = [
            '-', '_', '=', 'a', 'é', 'ß', ' ', '\t', '*', ':', '：', '1', '送',
        ];
        let mut lines = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..5 {
            last = last
                .iter()
                .flat_map(|l| alphabet.iter().map(move |c| format!("{l}{c}")))
                .collect();
            lines.extend(last.iter().cloned());
        }
        for n in [1, 2, 4, 5, 22, 23, 24, 25, 38, 39, 40, 41, 42] {
            let w = "ab ".repeat(n).chars().take(n).collect::<String>();
            for (open, close) in [("--", "--"), ("_____", ""), ("=====", "___"), ("-", "-")] {
                lines.push(format!("{open}{w}{close}"));
                lines.push(format!("{open} {w} {close}"));
            }
            lines.push(format!("{w}:"));
            lines.push(format!("*{w}* :"));
            lines.push(format!("{w}-x: y"));
        }
        for l in &lines {
            assert_eq!(is_separator(l), separator.is_match(l), "separator {l:?}");
            assert_eq!(is_header_like(l), header_like.is_match(l), "header {l:?}");
        }
    }
}
