//! Detects the customer's language (ISO 639-1), any language whatlang knows (about 70). The
//! script decides where it can (Hangul, kana, Han, Hebrew). Otherwise whatlang reads the text;
//! for the Latin-script languages we have rules for, their common words (`[detect] words` in
//! the rule files) decide when they leave no doubt and whatlang does not firmly name another
//! language; when the text is too short to tell, the language whose phrases matched wins.

use std::sync::LazyLock;

use whatlang::{Detector, Lang, Script};

/// The Latin-script languages we have rules for, for texts too short for the full set.
static OURS: LazyLock<Detector> = LazyLock::new(|| {
    Detector::with_allowlist(vec![Lang::Eng, Lang::Deu, Lang::Fra, Lang::Spa, Lang::Est])
});

/// whatlang reads at most this many bytes.
pub const DETECT_BYTES: usize = 500;

#[derive(Default)]
struct Counts {
    latin: usize,
    han: usize,
    kana: usize,
    hangul: usize,
    hebrew: usize,
    cyrillic: usize,
}

fn count(text: &str) -> Counts {
    let mut c = Counts::default();
    let mut chars = 0;
    let mut rest = text;
    while chars < 4000 {
        // Plain ASCII, the bulk of most text, is counted a byte at a time.
        let ascii = rest.bytes().take(4000 - chars).take_while(u8::is_ascii);
        let (n, letters) = ascii.fold((0, 0), |(n, l), b| {
            (n + 1, l + usize::from(b.is_ascii_alphabetic()))
        });
        c.latin += letters;
        chars += n;
        rest = &rest[n..];
        let Some(ch) = rest.chars().next() else {
            break;
        };
        if chars >= 4000 {
            break;
        }
        chars += 1;
        rest = &rest[ch.len_utf8()..];
        match ch as u32 {
            0xC0..=0x24F => c.latin += 1,
            0x3040..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F => c.kana += 1,
            0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF => c.han += 1,
            0xAC00..=0xD7AF | 0x1100..=0x11FF | 0x3130..=0x318F => c.hangul += 1,
            0x0590..=0x05FF | 0xFB1D..=0xFB4F => c.hebrew += 1,
            0x0400..=0x04FF => c.cyrillic += 1,
            _ => {}
        }
    }
    c
}

/// ISO 639-1 for every language whatlang knows.
pub fn iso(lang: Lang) -> &'static str {
    match lang {
        Lang::Epo => "eo",
        Lang::Eng => "en",
        Lang::Rus => "ru",
        Lang::Cmn => "zh",
        Lang::Spa => "es",
        Lang::Por => "pt",
        Lang::Ita => "it",
        Lang::Ben => "bn",
        Lang::Fra => "fr",
        Lang::Deu => "de",
        Lang::Ukr => "uk",
        Lang::Kat => "ka",
        Lang::Ara => "ar",
        Lang::Hin => "hi",
        Lang::Jpn => "ja",
        Lang::Heb => "he",
        Lang::Yid => "yi",
        Lang::Pol => "pl",
        Lang::Amh => "am",
        Lang::Jav => "jv",
        Lang::Kor => "ko",
        Lang::Nob => "nb",
        Lang::Dan => "da",
        Lang::Swe => "sv",
        Lang::Fin => "fi",
        Lang::Tur => "tr",
        Lang::Nld => "nl",
        Lang::Hun => "hu",
        Lang::Ces => "cs",
        Lang::Ell => "el",
        Lang::Bul => "bg",
        Lang::Bel => "be",
        Lang::Mar => "mr",
        Lang::Kan => "kn",
        Lang::Ron => "ro",
        Lang::Slv => "sl",
        Lang::Hrv => "hr",
        Lang::Srp => "sr",
        Lang::Mkd => "mk",
        Lang::Lit => "lt",
        Lang::Lav => "lv",
        Lang::Est => "et",
        Lang::Tam => "ta",
        Lang::Vie => "vi",
        Lang::Urd => "ur",
        Lang::Tha => "th",
        Lang::Guj => "gu",
        Lang::Uzb => "uz",
        Lang::Pan => "pa",
        Lang::Aze => "az",
        Lang::Ind => "id",
        Lang::Tel => "te",
        Lang::Pes => "fa",
        Lang::Mal => "ml",
        Lang::Ori => "or",
        Lang::Mya => "my",
        Lang::Nep => "ne",
        Lang::Sin => "si",
        Lang::Khm => "km",
        Lang::Tuk => "tk",
        Lang::Aka => "ak",
        Lang::Zul => "zu",
        Lang::Sna => "sn",
        Lang::Afr => "af",
        Lang::Lat => "la",
        Lang::Slk => "sk",
        Lang::Cat => "ca",
        Lang::Tgl => "tl",
        Lang::Hye => "hy",
    }
}

/// Common words of one language that decide a Latin-script text on their own...
const DECISIVE_WORDS: u32 = 3;
/// ...when they outnumber the next language's this many times.
const DECISIVE_MARGIN: u32 = 3;
/// A text of at most this many words is short: a one- or two-sentence note ("Please cancel
/// our second licence. Thanks, Simon"). whatlang reads its letters, and on so few a cognate
/// ("licence", "centre") tips it to French or German with a confidence it calls reliable.
const SHORT_WORDS: usize = 20;
/// In a short text, this many common words of one language, and none of another of ours,
/// decide: function words are better evidence there than letter statistics.
const SHORT_DECISIVE_WORDS: u32 = 2;

/// The language of `text`; `words` counts its common words, (language, count) as
/// [`crate::rules::RuleSet::language_words`] does — asked only for Latin script, where the
/// script alone cannot tell; `phrase_votes` are (language, weight) of rule hits, used when the
/// text itself is too short or ambiguous; `default` when nothing is known.
pub fn detect<'a>(
    text: &str,
    words: impl FnOnce() -> Vec<(&'a str, u32)>,
    phrase_votes: &[(&str, f32)],
    default: &str,
) -> String {
    let c = count(text);
    // CJK characters carry a word each: weigh them against Latin letters accordingly.
    let cjk = (c.han + c.kana + c.hangul) * 3;
    let best = [c.latin, cjk, c.hebrew * 2, c.cyrillic]
        .into_iter()
        .max()
        .unwrap_or(0);
    let sample = crate::parse::truncate(text, DETECT_BYTES);
    if best == 0 {
        // Another script (Greek, Arabic, Thai, Devanagari…), or no letters at all.
        return match whatlang::detect(sample) {
            Some(i) if i.script() != Script::Latin => iso(i.lang()).to_string(),
            _ => vote(phrase_votes, |_| true).unwrap_or(default).to_string(),
        };
    }
    if cjk == best {
        return if c.hangul > 0 && c.hangul * 2 >= c.kana + c.han {
            "ko"
        } else if c.kana > 0 && c.kana * 10 >= c.han {
            "ja"
        } else if c.hangul > c.kana {
            "ko"
        } else {
            "zh"
        }
        .to_string();
    }
    if c.hebrew * 2 == best {
        return "he".to_string();
    }
    let info = whatlang::detect(sample);
    if c.cyrillic == best {
        return info
            .filter(|i| i.script() == Script::Cyrillic)
            .map_or("ru", |i| iso(i.lang()))
            .to_string();
    }
    let latin = |l: &str| matches!(l, "en" | "de" | "fr" | "es" | "et");
    let guess = info.filter(|i| i.script() == Script::Latin);
    let words = words();
    // A short text whose common words are all of one of our languages: they decide, even
    // over whatlang naming a language we have no words for ("Hi, the dashboard was down
    // yesterday" read as Afrikaans); a Dutch or Italian note has no such words.
    let short = sample.split_whitespace().count() <= SHORT_WORDS;
    let short_decisive = short.then(|| decisive_short(&words, latin)).flatten();
    // whatlang fairly surely names a language we have no common words for: it knows better.
    if let Some(i) = guess.as_ref().filter(|i| {
        (i.is_reliable() || i.confidence() >= 0.5)
            && short_decisive.is_none()
            && !latin(iso(i.lang()))
    }) {
        return iso(i.lang()).to_string();
    }
    if let Some(l) = decisive(&words, latin).or(short_decisive) {
        return l.to_string();
    }
    if let Some(i) = guess.as_ref().filter(|i| i.is_reliable()) {
        return iso(i.lang()).to_string();
    }
    // Unsure among all languages: sure among ours is the next best answer.
    let ours = OURS.detect(sample);
    if let Some(i) = ours.as_ref().filter(|i| i.is_reliable()) {
        return iso(i.lang()).to_string();
    }
    match guess {
        Some(i) if c.latin >= 60 => iso(i.lang()).to_string(),
        // Too little text to trust a guess: phrases that matched decide, else the default.
        other => vote(phrase_votes, latin)
            .or(other.filter(|_| c.latin >= 40).map(|i| iso(i.lang())))
            .unwrap_or(default)
            .to_string(),
    }
}

/// The language whose common words clearly outnumber every other's, if one does.
fn decisive<'a>(words: &[(&'a str, u32)], allow: impl Fn(&str) -> bool) -> Option<&'a str> {
    let (mut best, mut top, mut second) = (None, 0, 0);
    for &(l, n) in words.iter().filter(|(l, _)| allow(l)) {
        if n > top {
            (best, top, second) = (Some(l), n, top);
        } else if n > second {
            second = n;
        }
    }
    best.filter(|_| top >= DECISIVE_WORDS && top >= DECISIVE_MARGIN * second)
}

/// In a short text: the language with at least [`SHORT_DECISIVE_WORDS`] common words when
/// no other of ours has any.
fn decisive_short<'a>(words: &[(&'a str, u32)], allow: impl Fn(&str) -> bool) -> Option<&'a str> {
    let mut ours = words.iter().filter(|(l, n)| allow(l) && *n > 0);
    match (ours.next(), ours.next()) {
        (Some(&(l, n)), None) if n >= SHORT_DECISIVE_WORDS => Some(l),
        _ => None,
    }
}

fn vote<'a>(votes: &[(&'a str, f32)], allow: impl Fn(&str) -> bool) -> Option<&'a str> {
    let mut totals: Vec<(&str, f32)> = Vec::new();
    for (l, w) in votes.iter().filter(|(l, _)| allow(l)) {
        match totals.iter_mut().find(|(x, _)| x == l) {
            Some(t) => t.1 += w,
            None => totals.push((l, *w)),
        }
    }
    totals
        .into_iter()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(l, _)| l)
}

#[cfg(test)]
mod tests {
    use super::{count, detect};

    #[test]
    fn counting_matches_a_plain_character_loop() {
        let texts = [
            String::new(),
            "Hello, wörld! 日本語のテキスト 한국어 שלום Привет ÀÉ".to_string(),
            "a".repeat(5000),
            "é".repeat(5000),
            format!("{}가나다", "ab1 ".repeat(999)),
            format!("{}가나다", "ab1 ".repeat(1001)),
        ];
        for t in &texts {
            let (mut latin, mut hangul, mut han, mut kana, mut hebrew, mut cyrillic) =
                (0, 0, 0, 0, 0, 0);
            for ch in t.chars().take(4000) {
                match ch as u32 {
                    0x41..=0x5A | 0x61..=0x7A | 0xC0..=0x24F => latin += 1,
                    0x3040..=0x30FF => kana += 1,
                    0x4E00..=0x9FFF => han += 1,
                    0xAC00..=0xD7AF => hangul += 1,
                    0x0590..=0x05FF => hebrew += 1,
                    0x0400..=0x04FF => cyrillic += 1,
                    _ => {}
                }
            }
            let c = count(t);
            assert_eq!(
                (c.latin, c.hangul, c.han, c.kana, c.hebrew, c.cyrillic),
                (latin, hangul, han, kana, hebrew, cyrillic),
                "{}",
                t.chars().take(40).collect::<String>()
            );
        }
    }

    #[test]
    fn scripts_decide() {
        assert_eq!(detect("로그인이 안 됩니다", Vec::new, &[], "en"), "ko");
        assert_eq!(detect("ログインできません。", Vec::new, &[], "en"), "ja");
        assert_eq!(detect("我无法登录我的账户", Vec::new, &[], "en"), "zh");
        assert_eq!(detect("אני לא מצליח להתחבר", Vec::new, &[], "en"), "he");
    }

    #[test]
    fn latin_languages() {
        assert_eq!(
            detect(
                "Ich kann mich seit heute morgen nicht mehr anmelden, bitte helfen Sie mir.",
                Vec::new,
                &[],
                "en"
            ),
            "de"
        );
        assert_eq!(
            detect(
                "Je n'arrive plus à me connecter à mon compte depuis ce matin.",
                Vec::new,
                &[],
                "en"
            ),
            "fr"
        );
        assert_eq!(
            detect(
                "No puedo iniciar sesión en mi cuenta desde esta mañana.",
                Vec::new,
                &[],
                "en"
            ),
            "es"
        );
        assert_eq!(
            detect(
                "Ma ei saa oma kontole sisse logida, palun aidake.",
                Vec::new,
                &[],
                "en"
            ),
            "et"
        );
        assert_eq!(
            detect(
                "I cannot log in to my account since this morning.",
                Vec::new,
                &[],
                "de"
            ),
            "en"
        );
    }

    #[test]
    fn languages_without_rules_are_named_truthfully() {
        for (text, want) in [
            (
                "Não consigo entrar na minha conta desde ontem, vocês podem me ajudar?",
                "pt",
            ),
            (
                "Buongiorno, non riesco più ad accedere al mio account da ieri sera.",
                "it",
            ),
            (
                "Goedemorgen, ik kan sinds gisteren niet meer inloggen op mijn account.",
                "nl",
            ),
            (
                "Dzień dobry, od wczoraj nie mogę zalogować się do mojego konta.",
                "pl",
            ),
            (
                "Hej, jag kan inte logga in på mitt konto sedan i går kväll.",
                "sv",
            ),
            (
                "Здравствуйте, я не могу войти в свой аккаунт со вчерашнего дня.",
                "ru",
            ),
            (
                "Merhaba, dünden beri hesabıma giriş yapamıyorum, yardımcı olur musunuz?",
                "tr",
            ),
            (
                "Καλημέρα, δεν μπορώ να συνδεθώ στον λογαριασμό μου από χθες.",
                "el",
            ),
        ] {
            assert_eq!(detect(text, Vec::new, &[], "en"), want, "{text}");
        }
    }

    #[test]
    fn common_words_decide_when_clear() {
        let text = "Words that whatlang would read as English anyway.";
        assert_eq!(detect(text, || vec![("de", 4), ("en", 1)], &[], "en"), "de");
        // Too close to call: whatlang reads the text.
        assert_eq!(detect(text, || vec![("de", 4), ("en", 2)], &[], "de"), "en");
        // Too few: whatlang again.
        assert_eq!(detect(text, || vec![("de", 1)], &[], "de"), "en");
        // A short text: two of one language and none of another decide.
        assert_eq!(detect(text, || vec![("de", 2)], &[], "en"), "de");
        assert_eq!(detect(text, || vec![("de", 2), ("fr", 1)], &[], "de"), "en");
    }

    #[test]
    fn empty_text_uses_votes_then_default() {
        assert_eq!(detect("", Vec::new, &[], "de"), "de");
        assert_eq!(detect("", Vec::new, &[("fr", 3.0)], "de"), "fr");
    }
}
