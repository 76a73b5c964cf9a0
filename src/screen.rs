//! Decides whether a message deserves a reply at all (RFC 3834 and the brief's skip reasons):
//! auto-replies, bounces, mailing lists, our own mail and no-reply senders get no draft, only a
//! tag, so mailtriage never joins a mail loop.

use crate::parse::Parsed;
use crate::rules::screen::ScreenRules;

/// Why a message gets no draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    AutoReply,
    Bounce,
    MailingList,
    OwnAddress,
    NoReplyAddress,
}

impl SkipReason {
    /// The id used in JSON and in the `triage:skip-<reason>` keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::AutoReply => "auto_reply",
            SkipReason::Bounce => "bounce",
            SkipReason::MailingList => "mailing_list",
            SkipReason::OwnAddress => "own_address",
            SkipReason::NoReplyAddress => "no_reply_address",
        }
    }
}

/// The reason to skip, or `None` when the message should be answered. In order: delivery
/// reports (so a bounce from MAILER-DAEMON is tagged as the bounce it is), auto-replies by
/// their headers (RFC 3834: `Auto-Submitted` other than "no", `X-Autoreply`, `Precedence:
/// auto_reply`) or by their subject, mailing lists, a null return path, our own addresses,
/// then senders that read no replies. An `auto-generated` notice from a no-reply sender is a
/// no-reply notice rather than an auto-reply.
pub fn screen(msg: &Parsed, own_addresses: &[String], rules: &ScreenRules) -> Option<SkipReason> {
    let h = &msg.screen;
    let from = msg.from.as_ref().map(|p| p.address.as_str()).unwrap_or("");
    let name = msg
        .from
        .as_ref()
        .and_then(|p| p.name.as_deref())
        .unwrap_or("");
    let local = from.split('@').next().unwrap_or("");
    let auto_submitted = h
        .auto_submitted
        .as_deref()
        .filter(|v| *v != "no" && !v.starts_with("no;") && !v.starts_with("no "));
    let bounce_subject = rules.bounce_subject(&msg.subject);
    if h.report
        || h.exchange_ndr
        || is_daemon(local)
        || (rules.bounce_sender(name) && (bounce_subject || auto_submitted.is_some()))
        || (bounce_subject && (h.null_return_path || auto_submitted.is_some()))
    {
        return Some(SkipReason::Bounce);
    }
    let no_reply = from.is_empty() || rules.no_reply_local(local);
    if let Some(v) = auto_submitted {
        return Some(if v.starts_with("auto-generated") && no_reply {
            SkipReason::NoReplyAddress
        } else {
            SkipReason::AutoReply
        });
    }
    if h.x_autoreply
        || h.precedence.as_deref() == Some("auto_reply")
        || rules.auto_reply_subject(&msg.subject)
    {
        return Some(SkipReason::AutoReply);
    }
    if h.list_header
        || h.precedence
            .as_deref()
            .is_some_and(|p| matches!(p, "bulk" | "list" | "junk"))
    {
        return Some(SkipReason::MailingList);
    }
    if h.null_return_path {
        // RFC 3834: a null return path means no reply must be sent, whatever else it is.
        return Some(SkipReason::AutoReply);
    }
    if own_addresses.iter().any(|a| a == from) {
        return Some(SkipReason::OwnAddress);
    }
    if no_reply
        || local.starts_with("owner-")
        || local.ends_with("-request")
        || local.ends_with("-owner")
    {
        return Some(SkipReason::NoReplyAddress);
    }
    None
}

fn is_daemon(local: &str) -> bool {
    let l = local.to_ascii_lowercase();
    matches!(
        l.as_str(),
        "mailer-daemon" | "postmaster" | "mail-daemon" | "mailerdaemon"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{Person, ScreenHeaders};
    use crate::rules::RuleSet;

    fn msg(from: &str, subject: &str, screen: ScreenHeaders) -> Parsed {
        Parsed {
            from: Some(Person {
                name: None,
                address: from.into(),
            }),
            subject: subject.into(),
            screen,
            ..Parsed::default()
        }
    }

    fn check(from: &str, subject: &str, h: ScreenHeaders) -> Option<SkipReason> {
        let rules = RuleSet::load(None, &[]).expect("rules");
        screen(
            &msg(from, subject, h),
            &["support@example.com".to_string()],
            &rules.screen,
        )
    }

    fn none() -> ScreenHeaders {
        ScreenHeaders::default()
    }

    #[test]
    fn customer_mail_is_answered() {
        assert_eq!(check("kim@example.org", "Login", none()), None);
        let no = ScreenHeaders {
            auto_submitted: Some("no".into()),
            ..none()
        };
        assert_eq!(check("kim@example.org", "Login", no), None);
        // A customer's reply to an auto-acknowledgement, and a word that only looks like one.
        assert_eq!(
            check(
                "kim@example.org",
                "AW: Automatische Antwort: Ihre Anfrage",
                none()
            ),
            None
        );
        assert_eq!(
            check("kim@example.org", "Out of office hours?", none()),
            None
        );
        let suppress = ScreenHeaders {
            auto_response_suppress: true,
            ..none()
        };
        assert_eq!(check("kim@example.org", "Invoice question", suppress), None);
    }

    #[test]
    fn auto_replies_by_header_or_subject() {
        for h in [
            ScreenHeaders {
                auto_submitted: Some("auto-replied".into()),
                ..none()
            },
            ScreenHeaders {
                x_autoreply: true,
                ..none()
            },
            ScreenHeaders {
                precedence: Some("auto_reply".into()),
                ..none()
            },
            ScreenHeaders {
                null_return_path: true,
                ..none()
            },
        ] {
            assert_eq!(
                check("kim@example.org", "Re: your ticket", h.clone()),
                Some(SkipReason::AutoReply),
                "{h:?}"
            );
        }
        for subject in [
            "Automatische Antwort: Ihre Rechnung",
            "自动回复：您的工单",
            "Out of Office: ticket 4471",
        ] {
            assert_eq!(
                check("kim@example.org", subject, none()),
                Some(SkipReason::AutoReply),
                "{subject}"
            );
        }
    }

    #[test]
    fn bounces_by_structure_sender_or_subject() {
        let report = ScreenHeaders {
            report: true,
            ..none()
        };
        assert_eq!(
            check("kim@example.org", "x", report),
            Some(SkipReason::Bounce)
        );
        let ndr = ScreenHeaders {
            exchange_ndr: true,
            auto_submitted: Some("auto-replied".into()),
            ..none()
        };
        assert_eq!(
            check("kim@example.org", "Non remis : facture", ndr),
            Some(SkipReason::Bounce)
        );
        assert_eq!(
            check(
                "MAILER-DAEMON@mx.example.org",
                "Mail delivery failed",
                none()
            ),
            Some(SkipReason::Bounce)
        );
        assert_eq!(
            check("postmaster@x.org", "Unzustellbar: Rechnung", none()),
            Some(SkipReason::Bounce)
        );
        let auto = ScreenHeaders {
            auto_submitted: Some("auto-replied".into()),
            ..none()
        };
        assert_eq!(
            check("it@example.org", "配信不能: 請求書", auto),
            Some(SkipReason::Bounce)
        );
    }

    #[test]
    fn lists_own_mail_and_no_reply_senders() {
        let list = ScreenHeaders {
            precedence: Some("bulk".into()),
            ..none()
        };
        assert_eq!(
            check("news@example.org", "News", list),
            Some(SkipReason::MailingList)
        );
        assert_eq!(
            check("support@example.com", "x", none()),
            Some(SkipReason::OwnAddress)
        );
        for a in [
            "no-reply@x.org",
            "noreply@x.org",
            "do-not-reply@x.org",
            "ne-pas-repondre@x.fr",
            "nicht-antworten@x.de",
            "no-responder@x.es",
            "owner-list@x.org",
            "list-request@x.org",
        ] {
            assert_eq!(
                check(a, "Your order", none()),
                Some(SkipReason::NoReplyAddress),
                "{a}"
            );
        }
        let generated = ScreenHeaders {
            auto_submitted: Some("auto-generated".into()),
            ..none()
        };
        assert_eq!(
            check("noreply@shop.example", "Your order", generated.clone()),
            Some(SkipReason::NoReplyAddress)
        );
        assert_eq!(
            check("kim@example.org", "Your order", generated),
            Some(SkipReason::AutoReply)
        );
    }
}
