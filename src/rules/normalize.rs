//! Text normalisation shared by rule loading and matching: NFKC, lower case, one apostrophe.
//! Every line of every message passes through here, so the common case (text already in NFKC,
//! as almost all mail is) takes a table-driven path that gives exactly what the full
//! algorithm would.

use std::sync::LazyLock;

use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// Lower-cases and NFKC-normalises text, so full-width digits, ligatures and case all match.
pub fn normalize(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    let table = &*TABLE;
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let cp = c as u32;
        if cp < 0x80 {
            out.push(c.to_ascii_lowercase());
            continue;
        }
        let i = cp as usize;
        if i >= BMP || !table.stable[i] {
            return general(s);
        }
        match fold(c) {
            c if table.cased[i] => out.extend(c.to_lowercase()),
            c => out.push(c),
        }
    }
    out
}

/// Typographic apostrophes become `'`, so "don’t" matches the rule "don't".
fn fold(c: char) -> char {
    match c {
        '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{00B4}' => '\'',
        c => c,
    }
}

/// The full algorithm, for text holding a character the table cannot vouch for.
fn general(s: &str) -> String {
    if is_nfkc_quick(s.chars()) == IsNormalized::Yes {
        s.chars().map(fold).flat_map(char::to_lowercase).collect()
    } else {
        s.nfkc().map(fold).flat_map(char::to_lowercase).collect()
    }
}

const BMP: usize = 0x1_0000;

/// Per Basic Multilingual Plane character: `stable` when NFKC leaves it alone wherever it
/// stands (quick check "yes" and a starter, so no neighbour can compose or reorder with it),
/// `cased` when lower-casing changes it (after the apostrophe fold).
struct CharTable {
    stable: Vec<bool>,
    cased: Vec<bool>,
}

static TABLE: LazyLock<CharTable> = LazyLock::new(|| {
    let mut stable = vec![false; BMP];
    let mut cased = vec![false; BMP];
    for (i, c) in (0..BMP as u32).filter_map(|cp| Some((cp as usize, char::from_u32(cp)?))) {
        stable[i] = canonical_combining_class(c) == 0
            && is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes;
        let f = fold(c);
        cased[i] = !f.to_lowercase().eq(std::iter::once(f));
    }
    CharTable { stable, cased }
});

#[cfg(test)]
mod tests {
    use super::*;

    /// A few characters from every script the rules cover, plus the troublesome ones:
    /// compatibility forms, combining marks, Hangul jamo, astral characters.
    const ALPHABET: &[char] = &[
        'a', 'Z', ' ', '\n', '1', 'É', 'é', 'ß', 'İ', 'ı', 'Õ', 'Š', 'ž', 'Ĳ', 'ſ', 'ﬁ', 'Ａ',
        '１', '！', '　', '\u{a0}', '\u{b4}', '\u{2019}', '\u{2018}', '\u{2bc}', '…', 'µ', 'Σ',
        'ς', '\u{301}', '\u{308}', '\u{327}', 'e', 'ᄀ', 'ᅡ', 'ᆨ', '가', '각', 'か', '\u{3099}', 'ｶ',
        'ﾞ', 'ア', 'ー', '日', '本', '語', '豈', 'ש', 'ל', 'ו', 'ם', '\u{5b8}', '\u{5bc}',
        '\u{200f}', '€', '“', '”', '–', '😡', '𠀀', 'Ω', 'Å', 'K',
    ];

    #[test]
    fn the_table_path_gives_what_the_full_algorithm_gives() {
        // Every pair and triple of the alphabet, then pseudo-random longer strings.
        let mut n = 0;
        for &a in ALPHABET {
            for &b in ALPHABET {
                let s: String = [a, b].iter().collect();
                assert_eq!(normalize(&s), general(&s), "{s:?}");
                for &c in ALPHABET.iter().step_by(3) {
                    let s: String = [a, b, c].iter().collect();
                    assert_eq!(normalize(&s), general(&s), "{s:?}");
                    n += 1;
                }
            }
        }
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..20_000 {
            let s: String = (0..12)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    ALPHABET[(seed % ALPHABET.len() as u64) as usize]
                })
                .collect();
            assert_eq!(normalize(&s), general(&s), "{s:?}");
            n += 1;
        }
        assert!(n > 20_000);
    }

    #[test]
    fn table_covers_the_common_scripts() {
        for c in [
            'é', 'ß', 'š', '가', 'か', 'ア', '日', 'ש', '€', '“', '\u{2019}',
        ] {
            assert!(TABLE.stable[c as usize], "{c}");
        }
        for c in ['ﬁ', 'Ａ', '\u{a0}', '\u{301}', 'ᆨ', '\u{3099}', 'ｶ'] {
            assert!(!TABLE.stable[c as usize], "{c}");
        }
        assert_eq!(normalize("ÉCOLE don’t ＡＢＣ"), "école don't abc");
    }
}
