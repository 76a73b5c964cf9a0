//! How much of a draft survived into the reply an agent sent: the quoted message a mail client
//! adds below (or above) the reply is cut off, whitespace and Unicode forms are normalised,
//! and what is left is diffed word by word (character by character in scripts written
//! without spaces) with the `similar` crate.

use std::sync::LazyLock;
use std::time::Duration;

use regex::Regex;
use similar::{Algorithm, TextDiff};
use unicode_normalization::UnicodeNormalization;

/// How long one diff may take before `similar` settles for an approximation: only ever
/// reached by bodies far longer than a reply.
const DIFF_TIMEOUT: Duration = Duration::from_millis(500);

/// A line that introduces the quoted message, as mail clients write it in several languages:
/// "On … wrote:", "Am … schrieb …:", "Le … a écrit :", Gmail's "… <addr>:" (its form in
/// Japanese and Russian, among others), "…写道：", "…님이 작성:".
static ATTRIBUTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?xi)^(?:
            on\b.*\bwrote
          | am\b.*\bschrieb\b.*
          | le\b.*\ba\s+écrit
          | el\b.*\bescribió\b.*
          | il\b.*\bha\s+scritto\b.*
          | (?:em|no)\b.*\bescreveu\b.*
          | op\b.*\bschreef\b.*
          | .*\bskrev\b[^:：]*
          | (?:w\s+dniu|dnia)\b.*(?:napisał|pisze).{0,40}
          | .*(?:написал|написала|пишет|написав|пише)\b.{0,40}
          | .*\byazdı
          | .*<[^<>\s]+@[^<>\s]+>\s*(?:のメール|のメッセージ|님이\s*작성)?
          | .*(?:[写寫]道|書きました|님이\s*작성|のメール)
        )\s*[:：]$",
    )
    .expect("static regex")
});

/// The first words of attributions that mail clients wrap onto a second line.
static ATTRIBUTION_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:on|am|le|el|il|em|no|op|den|på|w\s+dniu|dnia)\s").expect("static regex")
});

/// A separator line before a quoted or forwarded message: "-----Original Message-----",
/// "-------- Message d'origine --------", "-----原始邮件-----", or Outlook's rule of underscores.
static SEPARATOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:-{2,}\s*[\p{L}'’ ]{3,40}?\s*-{2,}|_{10,})$").expect("static regex")
});

/// The first line of an Outlook-style header block ("From: …", "Von: …", "差出人: …").
static HEADER_FROM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\*?(?:from|von|de|da|van|från|fra|od|от|kimden|差出人|发件人|發件人|寄件者|보낸\s*사람)\s*[:：]",
    )
    .expect("static regex")
});

/// Another line of that block: "Sent:", "Gesendet:", "Objet :", "件名:", "제목:" and others.
static HEADER_OTHER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^\*?(?:
            sent|date|to|subject|cc
          | gesendet|datum|an|betreff
          | envoyé|à|objet
          | enviado|fecha|para|asunto
          | inviato|data|a|oggetto
          | verzonden|aan|onderwerp
          | skickat|till|ämne|sendt|til|emne
          | wysłano|do|temat
          | отправлено|дата|кому|тема
          | gönderildi|tarih|kime|konu
          | 送信日時|日時|宛先|件名
          | 发送时间|發送時間|时间|收件人|主题|主旨|日期
          | 날짜|보낸\s*날짜|받는\s*사람|제목
        )\s*[:：]",
    )
    .expect("static regex")
});

/// How many lines after a "From:" line are searched for the rest of its header block.
const HEADER_BLOCK_LINES: usize = 4;

/// Similarity in [0, 1] of a sent reply to the draft it was sent from: 1.0 when the texts are
/// the same once quotes are cut and whitespace normalised, near 0 when nothing is shared.
pub fn similarity(sent_body: &str, draft_body: &str) -> f64 {
    let sent = normalise(&strip_quotes(sent_body));
    let draft = normalise(&strip_quotes(draft_body));
    let (sent, draft) = (tokens(&sent), tokens(&draft));
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .timeout(DIFF_TIMEOUT)
        .diff_slices(&draft, &sent);
    f64::from(diff.ratio()).clamp(0.0, 1.0)
}

/// The body without quoted text: lines starting with `>` go, and so does everything from an
/// attribution line ("On … wrote:"), a separator ("-----Original Message-----") or an
/// Outlook-style header block ("From: …" followed by "Sent: …") on.
pub fn strip_quotes(body: &str) -> String {
    let lines: Vec<&str> = body.lines().map(str::trim).collect();
    let mut kept = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        if starts_quote(&lines[i..]) {
            break;
        }
        if !line.starts_with('>') {
            kept.push(*line);
        }
    }
    kept.join("\n").trim().to_string()
}

/// Whether the quoted message starts at the first of these lines.
fn starts_quote(lines: &[&str]) -> bool {
    let Some(line) = lines.first() else {
        return false;
    };
    if ATTRIBUTION.is_match(line) || SEPARATOR.is_match(line) {
        return true;
    }
    if ATTRIBUTION_START.is_match(line) {
        // Wrapped over up to three lines by the client.
        let mut joined = line.to_string();
        for next in lines.iter().skip(1).take(2) {
            joined.push(' ');
            joined.push_str(next);
            if ATTRIBUTION.is_match(&joined) {
                return true;
            }
        }
    }
    HEADER_FROM.is_match(line)
        && lines
            .iter()
            .skip(1)
            .take(HEADER_BLOCK_LINES)
            .any(|l| HEADER_OTHER.is_match(l))
}

/// NFC, with every run of whitespace made one space.
fn normalise(text: &str) -> String {
    let nfc: String = text.nfc().collect();
    nfc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Words, each punctuation mark, and each character of a script written without spaces
/// (Chinese, Japanese, Thai and others), so that one changed word weighs about the same in
/// every language.
fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut word_start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        let in_word = c.is_alphanumeric() && !unspaced(c);
        match (in_word, word_start) {
            (true, None) => word_start = Some(i),
            (true, Some(_)) => {}
            (false, start) => {
                if let Some(s) = start {
                    out.push(&text[s..i]);
                    word_start = None;
                }
                if !c.is_whitespace() {
                    out.push(&text[i..i + c.len_utf8()]);
                }
            }
        }
    }
    if let Some(s) = word_start {
        out.push(&text[s..]);
    }
    out
}

/// Whether `c` belongs to a script written without spaces between words.
fn unspaced(c: char) -> bool {
    matches!(u32::from(c),
        0x0E00..=0x0EFF // Thai, Lao
        | 0x1000..=0x109F // Myanmar
        | 0x1780..=0x17FF // Khmer
        | 0x3000..=0x30FF // CJK punctuation, Hiragana, Katakana
        | 0x31F0..=0x31FF // Katakana extensions
        | 0x3400..=0x4DBF // CJK extension A
        | 0x4E00..=0x9FFF // CJK unified ideographs
        | 0xF900..=0xFAFF // CJK compatibility ideographs
        | 0xFF66..=0xFF9F // half-width Katakana
        | 0x20000..=0x323AF // CJK extensions B to H
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const DRAFT: &str = "Hello Maria,\n\n\
        Thank you for writing to us about the outage this morning. \
        We are sorry that the dashboard did not load for your team. \
        Our engineers found a fault in one of the database servers. \
        They moved the service to a healthy server at ten past nine. \
        Since then every page has loaded normally in our checks. \
        If you still see errors, please clear the browser cache first. \
        Should that not help, reply to this email with a screenshot. \
        We will look into it the same day and keep you posted. \
        Thank you for your patience while we fixed the problem.\n\n\
        Kind regards,\nThe support team";

    #[test]
    fn the_same_text_once_normalised_is_one() {
        let sent = DRAFT.replace("\n\n", "\r\n \r\n").replace(". ", ".  \n");
        assert_eq!(similarity(&sent, DRAFT), 1.0);
        assert_eq!(similarity(DRAFT, DRAFT), 1.0);
        assert_eq!(similarity("", ""), 1.0);
    }

    #[test]
    fn one_sentence_in_ten_changed_is_edited() {
        let sent = DRAFT.replace(
            "Our engineers found a fault in one of the database servers.",
            "A broken disk in the storage cluster took the main region offline for an hour.",
        );
        let s = similarity(&sent, DRAFT);
        assert!((0.6..0.95).contains(&s), "{s}");
    }

    #[test]
    fn an_unrelated_text_is_far_below_edited() {
        let other = "Dear Sir or Madam,\n\n\
            Your invoice for March is attached as a PDF file to this message. \
            Payment is due within thirty days of the date shown at the top. \
            You can pay by bank transfer or with a credit card online. \
            Please quote the invoice number as reference on any transfer. \
            Prices include value added tax at the rate of your country. \
            A receipt is sent automatically once the payment arrives. \
            To change the billing address, open settings and choose billing. \
            Questions about charges go to accounts at the usual address. \
            Invoices from earlier months can be downloaded there as well.\n\n\
            Best wishes,\nAccounts";
        let s = similarity(other, DRAFT);
        assert!(s < 0.4, "{s}");
    }

    #[test]
    fn quoted_text_does_not_count() {
        let quoted: String = DRAFT.lines().map(|l| format!("> {l}\n")).collect();
        for intro in [
            "On Mon, 3 Jun 2024 at 10:12, Maria Rossi <maria@example.com> wrote:",
            "Am 03.06.2024 um 10:12 schrieb Maria Rossi <maria@example.com>:",
            "Le lun. 3 juin 2024 à 10:12, Maria Rossi <maria@example.com> a écrit :",
            "El lun, 3 jun 2024 a las 10:12, Maria Rossi (<maria@example.com>) escribió:",
            "-----Original Message-----",
            "2024年6月3日(月) 10:12 Maria Rossi <maria@example.com>:",
            "Maria Rossi <maria@example.com> 于2024年6月3日周一 10:12写道：",
            "2024년 6월 3일 (월) 오전 10:12, Maria Rossi <maria@example.com>님이 작성:",
        ] {
            // The customer's message below the reply, quoted or not: it never counts.
            let sent = format!("{DRAFT}\n\n{intro}\n{quoted}Unquoted line of the old message.\n");
            assert_eq!(strip_quotes(&sent), strip_quotes(DRAFT), "{intro}");
            assert_eq!(similarity(&sent, DRAFT), 1.0, "{intro}");
        }
    }

    #[test]
    fn quote_removal_cuts_at_each_kind_of_introduction() {
        let cases = [
            "Thanks!\n> old line\nStill mine.",
            "Thanks!\nOn Tue, Jun 4, 2024 at 9:01 AM Maria Rossi <\nmaria@example.com> wrote:\nold",
            "Thanks!\n________________________________\nFrom: Maria Rossi\nSent: Tuesday\nold",
            "Thanks!\nFrom: Maria Rossi <maria@example.com>\nSent: 04 June 2024 09:01\nTo: Support\nSubject: Outage\n\nold",
            "Thanks!\nVon: Maria Rossi\nGesendet: Dienstag, 4. Juni 2024 09:01\nAn: Support\nold",
            "Thanks!\n差出人: Maria Rossi\n送信日時: 2024年6月4日 9:01\n件名: 障害\nold",
            "Thanks!\n-------- Message d'origine --------\nold",
            "Thanks!\n-----原始邮件-----\nold",
        ];
        for case in cases {
            let stripped = strip_quotes(case);
            assert!(stripped.starts_with("Thanks!"), "{case:?} → {stripped:?}");
            assert!(!stripped.contains("old"), "{case:?} → {stripped:?}");
        }
        assert_eq!(strip_quotes(cases[0]), "Thanks!\nStill mine.");
    }

    #[test]
    fn ordinary_lines_are_kept() {
        let body = "From: the status page you can follow the repair.\n\
            On Monday we wrote to all customers about it.\n\
            Note: nothing else changes.\n\
            ---\n\
            -- \nThe support team";
        assert_eq!(
            strip_quotes(body),
            body.lines().map(str::trim).collect::<Vec<_>>().join("\n")
        );
    }

    #[test]
    fn scripts_without_spaces_are_compared_by_character() {
        let draft =
            "お問い合わせいただきありがとうございます。ただいま担当チームが調査を進めております。";
        let sent =
            "お問い合わせいただきありがとうございます。ただいま担当チームが確認を進めております。";
        let s = similarity(sent, draft);
        assert!((0.9..1.0).contains(&s), "{s}");
        assert_eq!(
            tokens("Hi, 山田さん!"),
            ["Hi", ",", "山", "田", "さ", "ん", "!"]
        );
    }
}
