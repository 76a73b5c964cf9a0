//! Decides what the customer is saying (a category with a confidence), what they value, how
//! urgent it is and in what tone and language they wrote. Two kinds of evidence: the rules
//! (data, `rules/*.toml`: phrase hits scored per category, tone and urgency) and the learned
//! [`model`]; [`combine`] is the one place that weighs them against each other.

pub mod lang;
pub mod model;
pub mod signals;
pub mod training;

use crate::rules::{normalize, Priority, RuleSet, Target};
use model::Model;

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
    /// What decided it, for `triage --explain`.
    pub why: Why,
}

/// The evidence behind a classification, as it counted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Why {
    /// Rule score per category id, where above zero.
    pub rule_scores: Vec<(String, f32)>,
    /// The model's three most likely classes and their probabilities (empty without a model).
    pub model_top: Vec<(String, f32)>,
    /// The weight the rules had against the model.
    pub rule_weight: f32,
    /// True when an operator's category, unknown to the model, won on its rules alone.
    pub rules_alone: bool,
}

impl Why {
    /// Whether a rule of category `id` matched: the customer's own words say it.
    pub fn stated(&self, id: &str) -> bool {
        self.rule_scores.iter().any(|(c, s)| c == id && *s > 0.0)
    }

    /// Whether the model reads category `id` with at least probability `p`.
    pub fn model_reads(&self, id: &str, p: f32) -> bool {
        self.model_top.iter().any(|(c, q)| c == id && *q >= p)
    }
}

/// What the rules found in a message, before any model: see [`evidence`].
#[derive(Debug, Clone)]
pub struct Evidence {
    /// Score per category, index as in [`RuleSet::categories`].
    pub scores: Vec<f32>,
    pub upset: usize,
    pub urgent: usize,
    pub language: String,
    /// Normalised subject.
    pub subject_norm: String,
    /// Normalised subject, a newline, the normalised new text.
    pub norm: String,
}

/// Fewer words than this in subject and new text, and the model is not asked.
const MIN_WORDS: usize = 3;

/// Hits from rules of another language than the message's count this much.
const FOREIGN_RULE_FACTOR: f32 = 0.5;

/// The rules' reading of a message from its subject and new text, and its language;
/// `new_norm` is the new text as [`normalize`] makes it (line by line gives the same, which is
/// how parse has it).
pub fn evidence(
    rules: &RuleSet,
    subject: &str,
    new_text: &str,
    new_norm: &str,
    default_language: &str,
) -> Evidence {
    let subject_norm = normalize(subject);
    let mut norm = subject_norm.clone();
    norm.push('\n');
    norm.push_str(new_norm);
    let hits = rules.hits(&norm);

    let votes: Vec<(&str, f32)> = hits
        .iter()
        .map(|h| (rules.languages[h.language].as_str(), h.weight))
        .collect();
    let text = format!("{subject}\n{new_text}");
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
    let lang_idx = rules.classifying(&language);

    let mut scores = vec![0f32; rules.categories.len()];
    let (mut upset, mut urgent, mut calm) = (0usize, 0usize, false);
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
            Target::NotUrgent => calm = true,
        }
    }
    // "Not urgent" contains "urgent": saying it can wait outweighs every urgent word.
    if calm {
        urgent = 0;
    }
    if shouting(&text) {
        upset += 1;
    }
    Evidence {
        scores,
        upset,
        urgent,
        language,
        subject_norm,
        norm,
    }
}

/// The rules alone: the best-scoring category and a confidence from how strong its evidence
/// is and how close the runner-up came; (general, 0) when nothing matched.
fn rules_only(rules: &RuleSet, scores: &[f32], language: &str) -> (usize, f32) {
    let general = rules.category("general").unwrap_or_default();
    let mut ranked: Vec<(usize, f32)> = scores
        .iter()
        .copied()
        .enumerate()
        .filter(|&(c, s)| s > 0.0 && allowed(rules, scores, language, c))
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let Some(&(top, top_score)) = ranked.first() else {
        return (general, 0.0);
    };
    let second = ranked.get(1).map_or(0.0, |r| r.1);
    (
        top,
        (top_score / (top_score + second)).sqrt() * (1.0 - (-top_score / 2.0).exp()),
    )
}

/// Whether category `c` may be chosen: its rule score reaches its `min_rule_score` (a first
/// call request reads like "nobody calls back" to the model, but only the customer's own words
/// about earlier contact make it `repeat_contact`).
/// Only in a language the rules are written for: elsewhere no rule could have spoken.
fn allowed(rules: &RuleSet, scores: &[f32], language: &str, c: usize) -> bool {
    let needed = rules.categories.get(c).map_or(0.0, |k| k.min_rule_score);
    needed <= 0.0
        || rules.classifying(language).is_none()
        || scores.get(c).is_some_and(|&s| s >= needed)
}

/// Weighs the rules' scores and the model's probabilities into one category and a calibrated
/// confidence. With a model: log-probability plus `rule_weight` × rule score per category
/// (categories the model does not know start from a uniform prior), softmax, then the model's
/// calibration table. An operator's category that the model does not know and that has the
/// best rule score wins on its rules alone. Without a model: the rules alone.
pub fn combine(rules: &RuleSet, model: Option<&Model>, ev: &Evidence) -> (usize, f32, Why) {
    let mut why = Why {
        rule_scores: rules
            .categories
            .iter()
            .zip(&ev.scores)
            .filter(|(_, &s)| s > 0.0)
            .map(|(c, &s)| (c.id.clone(), s))
            .collect(),
        ..Why::default()
    };
    let (rule_top, rule_conf) = rules_only(rules, &ev.scores, &ev.language);
    let Some(model) = model else {
        return (rule_top, rule_conf, why);
    };
    let Some(p) = model_reading(rules, model, ev, &mut why) else {
        return (rule_top, rule_conf, why);
    };
    let (best, raw) = weigh(rules, model, ev, &p, model.rule_weight);
    (best, model.calibrate(raw), why)
}

/// A complaint's rule score needs this much to outrank a second topic: one ordinary phrase
/// ("been waiting", "rude"), not a single weak word.
const STRONG_COMPLAINT: f32 = 2.0;

/// The complaint that outranks `best` when `best` is often only a second topic (billing, a
/// request): a customer angry about a two-week wait who also asks for an invoice copy wants
/// the apology first, and the `also` partial answers the copy. The complaint needs strong
/// rule evidence, at least as strong as `best`'s own: a billing complaint ("charged twice")
/// that mentions a wait stays billing. The strongest such complaint wins.
fn complaint_first(rules: &RuleSet, scores: &[f32], best: usize) -> Option<usize> {
    if !rules.categories.get(best)?.second_topic {
        return None;
    }
    let own = scores.get(best).copied().unwrap_or(0.0);
    rules
        .categories
        .iter()
        .zip(scores)
        .enumerate()
        .filter(|(_, (c, &s))| c.complaint && s >= STRONG_COMPLAINT && s >= own)
        .max_by(|a, b| a.1 .1.total_cmp(b.1 .1).then(b.0.cmp(&a.0)))
        .map(|(i, _)| i)
}

/// The model's probabilities for a message, or `None` where the model is not asked: an
/// operator's category it does not know has the best rule score, or there are too few words.
/// Fills in what `why` says about the model.
fn model_reading(rules: &RuleSet, model: &Model, ev: &Evidence, why: &mut Why) -> Option<Vec<f32>> {
    let (rule_top, _) = rules_only(rules, &ev.scores, &ev.language);
    if ev.scores[rule_top] > 0.0 && class_of(model, rules, rule_top).is_none() {
        why.rules_alone = true;
        return None;
    }
    // Two words or fewer ("Scanned document", an attachment alone) are no evidence for a model
    // that learned from whole messages: the rules alone speak, else `general` at confidence 0.
    let words = ev
        .norm
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .count();
    if words < MIN_WORDS && !ev.norm.chars().any(model::ideographic) {
        return None;
    }
    let p = model.predict(&model::features(
        &ev.subject_norm,
        &ev.norm,
        model.hyper.bits,
    ));
    let mut top: Vec<(String, f32)> = model
        .classes
        .iter()
        .cloned()
        .zip(p.iter().copied())
        .collect();
    top.sort_by(|a, b| b.1.total_cmp(&a.1));
    top.truncate(3);
    why.model_top = top;
    why.rule_weight = model.rule_weight;
    Some(p)
}

/// The model's class index of category `c`, if the model knows it.
fn class_of(model: &Model, rules: &RuleSet, c: usize) -> Option<usize> {
    model
        .classes
        .iter()
        .position(|m| *m == rules.categories[c].id)
}

/// Log-probability `p` plus `rule_weight` × rule score per category (a uniform prior for
/// categories the model does not know), softmax: the best category and its probability,
/// before calibration. A complaint with strong evidence outranks a second topic
/// ([`complaint_first`]).
fn weigh(
    rules: &RuleSet,
    model: &Model,
    ev: &Evidence,
    p: &[f32],
    rule_weight: f32,
) -> (usize, f32) {
    let prior = (1.0 / model.classes.len() as f32).ln();
    let mut z: Vec<f32> = (0..rules.categories.len())
        .map(|c| {
            let base = class_of(model, rules, c).map_or(prior, |m| (p[m] + 1e-6).ln());
            base + rule_weight * ev.scores[c]
        })
        .collect();
    // A category its rules do not reach passes its weight to its `otherwise`, or drops out.
    for c in 0..z.len() {
        if allowed(rules, &ev.scores, &ev.language, c) {
            continue;
        }
        let to = rules.categories[c]
            .otherwise
            .as_deref()
            .and_then(|id| rules.category(id))
            .filter(|&t| t != c);
        if let Some(t) = to {
            let (a, b) = (z[t], z[c]);
            let m = a.max(b);
            z[t] = m + ((a - m).exp() + (b - m).exp()).ln();
        }
        z[c] = f32::NEG_INFINITY;
    }
    model::softmax(&mut z);
    let (best, p_best) =
        z.iter().enumerate().fold(
            (0, 0.0f32),
            |acc, (i, &v)| if v > acc.1 { (i, v) } else { acc },
        );
    match complaint_first(rules, &ev.scores, best) {
        // The message is both the complaint and the request: the two together are what the
        // model and rules say, so their probabilities add up.
        Some(c) => (c, (z[c] + p_best).min(1.0)),
        None => (best, p_best),
    }
}

/// Classifies a message: [`evidence`], then [`combine`]; below `min_confidence` (or the
/// category's own, higher one) the message is `general`, which answers anything without
/// claiming to know what it is about.
pub fn classify(
    rules: &RuleSet,
    model: Option<&Model>,
    subject: &str,
    new_text: &str,
    new_norm: &str,
    default_language: &str,
    min_confidence: f32,
) -> Classification {
    let ev = evidence(rules, subject, new_text, new_norm, default_language);
    let (top, confidence, why) = combine(rules, model, &ev);
    let general = rules.category("general").unwrap_or_default();
    let needed = min_confidence.max(rules.categories[top].min_confidence);
    let (category, confidence) = if confidence >= needed {
        (top, confidence)
    } else if model.is_some() {
        (general, confidence)
    } else {
        (general, (1.0 - confidence).max(min_confidence))
    };
    let tone = if ev.upset > 0 {
        Tone::Upset
    } else {
        Tone::Neutral
    };
    let base = rules.categories[category].priority;
    // Urgency words in a low-priority message are praise ("had everything back within the
    // hour"), not a deadline: a thank-you note is never urgent.
    let priority = if (ev.urgent > 0 && base != Priority::Low)
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
        language: ev.language,
        norm: ev.norm,
        why,
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
            None,
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
            None,
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
            None,
            "Hello",
            "Our office is closed between the holidays.",
            &normalize("Our office is closed between the holidays."),
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

    /// A complaint that also asks for an invoice copy or a cancellation is the complaint: the
    /// `also` partial answers the second request.
    #[test]
    fn a_complaint_with_a_second_request_is_the_complaint() {
        let r = rules();
        let m = Model::from_bytes(crate::builtin::MODEL).expect("built-in model");
        for (lang, subject, text, want) in [
            (
                "en",
                "Invoice copy",
                "I've been waiting two weeks for anyone to answer my ticket and I'm fed up. Could you also send me a PDF copy of invoice INV-88120 for our auditors?",
                "slow_service",
            ),
            (
                "de",
                "Rechnungskopie",
                "Seit zwei Wochen warte ich auf eine Antwort, das ist inakzeptabel. Außerdem brauche ich bitte eine Kopie der Rechnung RE-2026-771.",
                "slow_service",
            ),
            (
                "ja",
                "対応が遅すぎます",
                "問い合わせてから二週間、まだ返事を待っています。本当にがっかりです。それと、10月分の請求書の控えを送ってください。",
                "slow_service",
            ),
            (
                "ko",
                "청구서 사본",
                "상담원이 너무 무례했고 제 말을 끝까지 듣지도 않고 전화를 끊었습니다. 그리고 지난달 청구서 사본을 보내 주세요.",
                "staff_complaint",
            ),
        ] {
            let c = classify(&r, Some(&m), subject, text, &normalize(text), lang, 0.3);
            assert_eq!(id(&r, &c), want, "{lang}: {text}");
        }
    }
}
