//! Decides whether a message deserves a reply at all (RFC 3834 and the brief's skip reasons):
//! auto-replies, bounces, mailing lists, our own mail and no-reply senders get no draft, only a
//! tag, so mailtriage never joins a mail loop.

use crate::parse::Parsed;

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

/// Local parts of senders that never read replies.
const NO_REPLY_LOCAL: &[&str] = &[
    "mailer-daemon",
    "postmaster",
    "no-reply",
    "noreply",
    "no_reply",
    "do-not-reply",
    "donotreply",
    "do_not_reply",
    "dont-reply",
    "bounce",
    "bounces",
    "notifications-noreply",
];

/// The reason to skip, or `None` when the message should be answered.
/// Bounces are checked before auto-replies, and both before addresses, so a bounce from
/// MAILER-DAEMON is tagged as the bounce it is.
pub fn screen(msg: &Parsed, own_addresses: &[String]) -> Option<SkipReason> {
    let h = &msg.screen;
    let from = msg.from.as_ref().map(|p| p.address.as_str()).unwrap_or("");
    let local = from.split('@').next().unwrap_or("");
    if h.report
        || (h.null_return_path && is_daemon(local))
        || h.delivery_status_subject && is_daemon(local)
    {
        return Some(SkipReason::Bounce);
    }
    if h.auto_submitted
        .as_deref()
        .is_some_and(|v| v != "no" && !v.starts_with("no;") && !v.starts_with("no "))
        || h.x_autoreply
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
    if from.is_empty() || is_no_reply(local) {
        return Some(SkipReason::NoReplyAddress);
    }
    None
}

fn is_daemon(local: &str) -> bool {
    matches!(
        local,
        "mailer-daemon" | "postmaster" | "mail-daemon" | "mailerdaemon"
    ) || local.is_empty()
}

fn is_no_reply(local: &str) -> bool {
    NO_REPLY_LOCAL.contains(&local)
        || local.starts_with("owner-")
        || local.ends_with("-request")
        || local.ends_with("-owner")
        || local.contains("noreply")
        || local.contains("no-reply")
        || local.contains("donotreply")
        || local.contains("do-not-reply")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{Person, ScreenHeaders};

    fn msg(from: &str, screen: ScreenHeaders) -> Parsed {
        Parsed {
            from: Some(Person {
                name: None,
                address: from.into(),
            }),
            screen,
            ..Parsed::default()
        }
    }

    const OWN: &[&str] = &["support@example.com"];

    fn own() -> Vec<String> {
        OWN.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn customer_mail_is_answered() {
        assert_eq!(
            screen(&msg("kim@example.org", ScreenHeaders::default()), &own()),
            None
        );
        let no = ScreenHeaders {
            auto_submitted: Some("no".into()),
            ..Default::default()
        };
        assert_eq!(screen(&msg("kim@example.org", no), &own()), None);
    }

    #[test]
    fn each_skip_reason() {
        let auto = ScreenHeaders {
            auto_submitted: Some("auto-replied".into()),
            ..Default::default()
        };
        assert_eq!(
            screen(&msg("kim@example.org", auto), &own()),
            Some(SkipReason::AutoReply)
        );
        let report = ScreenHeaders {
            report: true,
            ..Default::default()
        };
        assert_eq!(
            screen(&msg("mailer-daemon@mx.example.org", report), &own()),
            Some(SkipReason::Bounce)
        );
        let list = ScreenHeaders {
            precedence: Some("bulk".into()),
            ..Default::default()
        };
        assert_eq!(
            screen(&msg("news@example.org", list), &own()),
            Some(SkipReason::MailingList)
        );
        assert_eq!(
            screen(
                &msg("support@example.com", ScreenHeaders::default()),
                &own()
            ),
            Some(SkipReason::OwnAddress)
        );
        for a in [
            "no-reply@x.org",
            "noreply@x.org",
            "do-not-reply@x.org",
            "owner-list@x.org",
            "list-request@x.org",
            "postmaster@x.org",
        ] {
            assert_eq!(
                screen(&msg(a, ScreenHeaders::default()), &own()),
                Some(SkipReason::NoReplyAddress),
                "{a}"
            );
        }
    }
}
