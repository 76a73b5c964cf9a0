//! Decides what the customer is saying (a category with a confidence), what they value, how
//! urgent it is and in what tone and language they wrote. The rules are data (`rules/*.toml`);
//! this module only scores phrase hits from [`RuleSet::hits`].

pub mod lang;

use crate::rules::{normalize, Priority, RuleSet, Target};

/// How the customer sounds, for the agent's eyes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tone {
    Upset,
    Neutral,
}

/// The classification of one message.
#[derive(Debug, Clone, PartialEq)]
pub struct Classification {
    /// Index into [`RuleSet::categories`].
    pub category: usize,
    pub confidence: f32,
    pub priority: Priority,
    pub tone: Tone,
    pub language: String,
    /// The normalised subject and new text it read, for the fact checks that read it too.
    pub norm: String,
}

/// Hits from rules of another language than the message's count this much.
const FOREIGN_RULE_FACTOR: f32 = 0.5;

/// Classifies a message from its subject and new text; `new_norm` is the new text as
/// [`normalize`] makes it (line by line gives the same, which is how parse has it).
pub fn classify(
    rules: &RuleSet,
    subject: &str,
    new_text: &str,
    new_norm: &str,
    default_language: &str,
    min_confidence: f32,
) -> Classification {
    let text = format!("{subject}\n{new_text}");
    let mut norm = normalize(subject);
    norm.push('\n');
    norm.push_str(new_norm);
    let hits = rules.hits(&norm);

    let votes: Vec<(&str, f32)> = hits
        .iter()
        .map(|h| (rules.languages[h.language].as_str(), h.weight))
        .collect();
    let lang_text = if new_text.trim().chars().count() < 20 {
        text.as_str()
    } else {
        new_text
    };
    let language = lang::detect(
        lang_text,
        || rules.language_words(&norm),
        &votes,
        default_language,
    );
    let lang_idx = rules.languages.iter().position(|l| *l == language);

    let mut scores = vec![0f32; rules.categories.len()];
    let (mut upset, mut urgent) = (0usize, 0usize);
    for h in &hits {
        match h.target {
            Target::Category(c) => {
                let factor = if Some(h.language) == lang_idx || lang_idx.is_none() {
                    1.0
                } else {
                    FOREIGN_RULE_FACTOR
                };
                scores[c] += h.weight * factor;
            }
            Target::Upset => upset += 1,
            Target::Urgent => urgent += 1,
        }
    }
    let general = rules.category("general").unwrap_or_default();
    let mut ranked: Vec<(usize, f32)> = scores
        .iter()
        .copied()
        .enumerate()
        .filter(|&(_, s)| s > 0.0)
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let (top, top_score) = ranked.first().copied().unwrap_or((general, 0.0));
    let second = ranked.get(1).map_or(0.0, |r| r.1);
    let confidence = if top_score > 0.0 {
        // Strength of the evidence, discounted by how close the runner-up came.
        (top_score / (top_score + second)).sqrt() * (1.0 - (-top_score / 2.0).exp())
    } else {
        0.0
    };
    let (category, confidence) = if top_score > 0.0 && confidence >= min_confidence {
        (top, confidence)
    } else {
        (general, (1.0 - confidence).max(min_confidence))
    };

    let tone = if upset > 0 || shouting(&text) {
        Tone::Upset
    } else {
        Tone::Neutral
    };
    let base = rules.categories[category].priority;
    let priority = if urgent > 0
        || (base == Priority::High
            && tone == Tone::Upset
            && rules.categories[category].id == "outage")
    {
        Priority::Urgent
    } else {
        base
    };
    Classification {
        category,
        confidence: (confidence * 100.0).round() / 100.0,
        priority,
        tone,
        language,
        norm,
    }
}

/// "!!!" or several words in capitals: the customer is raising their voice.
fn shouting(text: &str) -> bool {
    if text.contains("!!") || text.contains("！！") {
        return true;
    }
    // Plain ASCII text without four capitals in a row has no such word: most mail.
    if text.is_ascii() && !has_capital_run(text.as_bytes(), 4) {
        return false;
    }
    // Most words start in lower case: look no further into those.
    text.split_whitespace()
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .filter(|w| w.chars().count() >= 4 && w.chars().all(char::is_uppercase))
        .count()
        >= 3
}

/// True when `bytes` hold `n` ASCII capitals in a row.
fn has_capital_run(bytes: &[u8], n: usize) -> bool {
    let mut run = 0;
    bytes.iter().any(|b| {
        run = if b.is_ascii_uppercase() { run + 1 } else { 0 };
        run >= n
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> RuleSet {
        RuleSet::load(None, &[]).expect("rules")
    }

    fn id(r: &RuleSet, c: &Classification) -> String {
        r.categories[c.category].id.clone()
    }

    #[test]
    fn classifies_clear_messages() {
        let r = rules();
        let c = classify(
            &r,
            "Site down",
            "Your website is down and shows 502 Bad Gateway.",
            &normalize("Your website is down and shows 502 Bad Gateway."),
            "en",
            0.3,
        );
        assert_eq!(id(&r, &c), "outage");
        assert_eq!(c.language, "en");
        let c = classify(
            &r,
            "",
            "I was charged twice for my subscription this month, please refund.",
            &normalize("I was charged twice for my subscription this month, please refund."),
            "en",
            0.3,
        );
        assert_eq!(id(&r, &c), "billing");
    }

    #[test]
    fn nothing_matched_is_general() {
        let r = rules();
        let c = classify(
            &r,
            "Hello",
            "A question about your office hours in December.",
            &normalize("A question about your office hours in December."),
            "en",
            0.3,
        );
        assert_eq!(id(&r, &c), "general");
    }

    #[test]
    fn shouting_is_upset() {
        assert!(shouting("THIS IS COMPLETELY UNACCEPTABLE NOW"));
        assert!(shouting("why!!"));
        assert!(!shouting("The API returns HTTP 502"));
        assert!(!shouting("THE API IS DOWN"));
        assert!(shouting("THE SITE WAS DOWN AGAIN TODAY"));
        assert!(shouting("DIE SEITE LÄDT NICHT MEHR"));
        assert!(!shouting("Die Seite LÄDT nicht"));
    }
}
