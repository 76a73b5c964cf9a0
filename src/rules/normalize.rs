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
        let entry = table.get(cp as usize).copied().unwrap_or(0);
        match char::from_u32(entry & !CASED) {
            Some(d) if entry != 0 && entry & CASED != 0 => out.extend(d.to_lowercase()),
            Some(d) if entry != 0 => out.push(d),
            _ => return general(s),
        }
    }
    out
}

/// `char::is_alphanumeric`, answered without Unicode's table lookup for the letters most
/// mail is written in (Latin, Hebrew, kana, CJK ideographs, Hangul): words are split on it
/// character by character.
pub fn alphanumeric(c: char) -> bool {
    match c as u32 {
        0..=0x7F => c.is_ascii_alphanumeric(),
        0xC0..=0xD6 | 0xD8..=0xF6 | 0xF8..=0x24F => true,
        0x5D0..=0x5EA | 0x3041..=0x3096 | 0x30A1..=0x30FA | 0x4E00..=0x9FFF | 0xAC00..=0xD7A3 => {
            true
        }
        _ => c.is_alphanumeric(),
    }
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

/// Marks a table entry whose character lower-casing changes.
const CASED: u32 = 1 << 31;

/// Per Basic Multilingual Plane character, what it becomes wherever it stands: 0 when that
/// depends on its neighbours (or it is not worth a table), else the folded NFKC character,
/// with [`CASED`] set when lower-casing changes it. A character gets an entry when its NFKC
/// form is one starter that is itself NFKC-stable ("yes" in the quick check): such a character
/// can neither compose nor reorder with a neighbour that also has an entry, so a text made only
/// of them normalises character by character. Full-width punctuation, the ideographic space and
/// the no-break space thus stay on the fast path.
static TABLE: LazyLock<Vec<u32>> = LazyLock::new(|| {
    let stable = |c: char| {
        canonical_combining_class(c) == 0 && is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes
    };
    (0..BMP as u32)
        .map(|cp| {
            let Some(c) = char::from_u32(cp) else {
                return 0;
            };
            let d = if stable(c) {
                c
            } else {
                let mut nfkc = std::iter::once(c).nfkc();
                match (nfkc.next(), nfkc.next()) {
                    (Some(d), None) if canonical_combining_class(c) == 0 && stable(d) => d,
                    _ => return 0,
                }
            };
            let f = fold(d);
            let cased = !f.to_lowercase().eq(std::iter::once(f));
            f as u32 | if cased { CASED } else { 0 }
        })
        .collect()
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
        '\u{200f}', '€', '“', '”', '–', '😡', '𠀀', 'Ω', 'Å', 'K', '，', '：', '（', '＿', 'ｅ',
        '\u{3000}', '\u{2126}', '\u{212b}', '\u{ff9e}', '\u{309b}', 'ﾊ', '\u{1161}',
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
        let common = [
            'é', 'ß', 'š', '가', 'か', 'ア', '日', 'ש', '€', '“', '\u{2019}', 'Ａ', '，', '　',
            '\u{a0}',
        ];
        for c in common {
            assert_ne!(TABLE[c as usize], 0, "{c}");
        }
        for c in ['ﬁ', '\u{301}', 'ᆨ', '\u{3099}', 'ﾞ', '…', '\u{b4}'] {
            assert_eq!(TABLE[c as usize], 0, "{c}");
        }
        assert_eq!(normalize("ÉCOLE don’t ＡＢＣ，"), "école don't abc,");
    }

    #[test]
    fn alphanumeric_answers_as_the_standard_library_for_every_character() {
        let differ: Vec<char> = (0..=char::MAX as u32)
            .filter_map(char::from_u32)
            .filter(|&c| alphanumeric(c) != c.is_alphanumeric())
            .collect();
        assert!(differ.is_empty(), "{differ:?}");
        assert!(alphanumeric('é') && alphanumeric('한') && !alphanumeric('×'));
    }
}
