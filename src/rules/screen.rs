//! The screening data (`rules/screen.toml`, and an operator's `screen.toml` beside their rule
//! files): subjects of auto-replies and delivery reports, and senders that read no replies,
//! in many languages. `screen` decides with it; this module only loads and matches.

use std::path::Path;

use serde::Deserialize;

use super::normalize;
use crate::config::{toml_error, ConfigError};

/// What screening matches, normalised once at load.
#[derive(Debug, Clone, Default)]
pub struct ScreenRules {
    auto_reply_subjects: Vec<String>,
    bounce_subjects: Vec<String>,
    bounce_senders: Vec<String>,
    no_reply_contains: Vec<String>,
    no_reply_exact: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScreen {
    #[serde(default)]
    auto_reply: RawSubjects,
    #[serde(default)]
    bounce: RawBounce,
    #[serde(default)]
    no_reply: RawNoReply,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSubjects {
    #[serde(default)]
    subjects: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBounce {
    #[serde(default)]
    subjects: Vec<String>,
    #[serde(default)]
    senders: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNoReply {
    #[serde(default)]
    contains: Vec<String>,
    #[serde(default)]
    exact: Vec<String>,
}

/// True for the file names that hold screening data rather than a language's rules.
pub fn is_screen_file(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == "screen.toml")
}

/// True when the normalised subject starts with `marker` and the marker stands alone: what
/// follows is nothing, or a colon, bracket or dash (after spaces).
fn starts_with_marker(subject: &str, marker: &str) -> bool {
    let Some(rest) = subject.strip_prefix(marker) else {
        return false;
    };
    let rest = rest.trim_start();
    rest.is_empty() || rest.starts_with([':', '：', ')', ']', '】', '）']) || rest.starts_with("- ")
}

impl ScreenRules {
    /// Adds one screening file's entries to what is loaded.
    pub fn add_file(&mut self, file: &Path, text: &str) -> Result<(), ConfigError> {
        let raw: RawScreen = toml::from_str(text).map_err(|e| toml_error(file, text, &e))?;
        let norm = |v: Vec<String>| {
            v.iter()
                .map(|s| normalize(s.trim()))
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
        };
        self.auto_reply_subjects
            .extend(norm(raw.auto_reply.subjects));
        self.bounce_subjects.extend(norm(raw.bounce.subjects));
        self.bounce_senders.extend(norm(raw.bounce.senders));
        self.no_reply_contains.extend(norm(raw.no_reply.contains));
        self.no_reply_exact.extend(norm(raw.no_reply.exact));
        // Longest first, so "out of the office" is tried before "out".
        for list in [&mut self.auto_reply_subjects, &mut self.bounce_subjects] {
            list.sort_by_key(|s| std::cmp::Reverse(s.len()));
            list.dedup();
        }
        Ok(())
    }

    fn subject_matches(list: &[String], subject: &str) -> bool {
        let s = normalize(subject.trim());
        let s = s.trim_start_matches(['[', '【', '(', '（', ' ']);
        list.iter().any(|m| starts_with_marker(s, m))
    }

    /// The subject is an auto-reply's ("Automatische Antwort: …", "自动回复：…").
    pub fn auto_reply_subject(&self, subject: &str) -> bool {
        Self::subject_matches(&self.auto_reply_subjects, subject)
    }

    /// The subject is a delivery report's ("Unzustellbar: …", "配信不能: …").
    pub fn bounce_subject(&self, subject: &str) -> bool {
        Self::subject_matches(&self.bounce_subjects, subject)
    }

    /// The sender's display name is one delivery reports come from ("Mail Delivery System").
    pub fn bounce_sender(&self, name: &str) -> bool {
        let n = normalize(name.trim());
        self.bounce_senders.contains(&n)
    }

    /// The local part belongs to a sender that reads no replies (noreply, ne-pas-repondre…).
    pub fn no_reply_local(&self, local: &str) -> bool {
        let l = normalize(local);
        self.no_reply_exact.contains(&l)
            || self
                .no_reply_contains
                .iter()
                .any(|c| l.contains(c.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> ScreenRules {
        let mut r = ScreenRules::default();
        let text = crate::builtin::RULES
            .iter()
            .find(|(n, _)| *n == "screen.toml")
            .map(|(_, t)| *t)
            .expect("built-in screen.toml");
        r.add_file(Path::new("screen.toml"), text).expect("loads");
        r
    }

    #[test]
    fn auto_reply_subjects_only_at_the_start_and_standing_alone() {
        let r = rules();
        for s in [
            "Automatische Antwort: Ihre Rechnung",
            "Out of Office: Re: ticket 4471",
            "[Auto-Reply] Your request",
            "自动回复：关于发票",
            "【自動返信】お問い合わせありがとうございます",
            "Réponse automatique : facture",
            "부재중: 문의 건",
            "תשובה אוטומטית: חשבונית",
            "Automatyczna odpowiedź: faktura",
            "Abwesend",
        ] {
            assert!(r.auto_reply_subject(s), "{s}");
        }
        for s in [
            "AW: Automatische Antwort: Ihre Rechnung",
            "Re: Out of Office: ticket",
            "Out of office hours support?",
            "Absence of invoice for November",
            "不在籍の社員のアカウント",
        ] {
            assert!(!r.auto_reply_subject(s), "{s}");
        }
    }

    #[test]
    fn bounce_subjects_and_senders() {
        let r = rules();
        assert!(r.bounce_subject("Unzustellbar: Ihre Rechnung"));
        assert!(r.bounce_subject("Non remis : Votre facture"));
        assert!(r.bounce_subject("Undelivered Mail Returned to Sender"));
        assert!(!r.bounce_subject("Fwd: Undeliverable: my mail to you"));
        assert!(r.bounce_sender("Mail Delivery Subsystem"));
        assert!(!r.bounce_sender("Maria Delivery"));
    }

    #[test]
    fn no_reply_senders_in_many_languages() {
        let r = rules();
        for l in [
            "noreply",
            "no-reply-billing",
            "ne-pas-repondre",
            "nicht-antworten",
            "no-responder",
            "naoresponda",
            "notifications",
        ] {
            assert!(r.no_reply_local(l), "{l}");
        }
        for l in ["kim", "support", "replyteam", "notifications.kim"] {
            assert!(!r.no_reply_local(l), "{l}");
        }
    }
}
