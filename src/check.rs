//! `mailtriage check`: proves an installation can run before it does — config, rules, facts and
//! templates load; every category has a template in the default language; every template renders
//! against sample contexts covering each fact kind. (Logging in is the daemon's part.)

use crate::classify::signals::{CallWindow, Ref, Signals, COLLEAGUE};
use chrono::{TimeZone, Utc};

use crate::draft::{context, ContextInput};
use crate::facts::{ContactHistory, Fact, Incident, Where};
use crate::pipeline::Engine;

/// What `check` found: problems (each names a template or category) and a summary.
#[derive(Debug, Default)]
pub struct Report {
    pub problems: Vec<String>,
    /// Worth fixing, but nothing stops working: loose file permissions.
    pub warnings: Vec<String>,
    pub templates: usize,
    pub renders: usize,
}

/// Sample fact sets, so every `{{#if}}` branch of every template is rendered once.
pub(crate) fn samples() -> Vec<Vec<Fact>> {
    let started = Utc
        .with_ymd_and_hms(2026, 11, 21, 22, 0, 0)
        .single()
        .unwrap_or_default();
    let incident = |resolved, still_failing| Fact::IncidentConfirmed {
        id: "INC-1".into(),
        status_url: "https://status.example.com/INC-1".into(),
        still_failing,
        incident: Box::new(Incident {
            id: "INC-1".into(),
            service: "Email delivery".into(),
            keywords: vec![],
            started,
            resolved,
            status_url: "https://status.example.com/INC-1".into(),
            summary: Some("Delayed email".into()),
        }),
    };
    let retired = |found_in, replacement: Option<&str>| Fact::RetiredAddress {
        address: "old@example.net".into(),
        seen: "old@example.net".into(),
        found_in,
        replacement: replacement.map(str::to_string),
        note: Some("Moved in March.".into()),
        retired_on: chrono::NaiveDate::from_ymd_opt(2025, 3, 1),
    };
    vec![
        vec![],
        vec![incident(None, false)],
        vec![incident(Some(started + chrono::Duration::hours(3)), false)],
        // Resolved, but the customer says it still fails.
        vec![incident(Some(started + chrono::Duration::hours(3)), true)],
        vec![Fact::NoIncident],
        vec![
            retired(Where::From, Some("support@example.com")),
            retired(Where::To, None),
            retired(Where::Body, Some("x@example.com")),
        ],
        vec![Fact::RetiredInstructions {
            id: "guide-v2".into(),
            current_url: "https://docs.example.com/v3".into(),
            title: "Setup guide".into(),
            summary: Some("Now simpler.".into()),
            retired_on: chrono::NaiveDate::from_ymd_opt(2025, 6, 1),
        }],
        vec![
            Fact::CallbackMissing,
            Fact::ContactHistory(ContactHistory {
                messages: 3,
                replies: 1,
                first: Some("2026-11-01".into()),
                last: Some("2026-11-20".into()),
                claimed: Some(100),
            }),
        ],
    ]
}

/// Signal sets that reach every branch templates take on signals, each with whether the
/// message is urgent by its priority: none, everything at once (two colleagues named), an
/// answer wanted by email only (with a number and a call asked for all the same), each kind of
/// sign-in problem alone, without and with an account address they gave (and with the
/// address they write from confirmed as their account's), one colleague named,
/// a request we restate beside a question we quote, an amount and a version without an invoice
/// number, a double charge and a rollback asked about with little else (no invoice, no earlier
/// version named), and a deadline that is a date, alone and with everything else on an urgent message.
pub(crate) fn sample_signals() -> Vec<(Signals, bool)> {
    let alone = |tried: &[&str], about: &[&str], accounts: usize| Signals {
        tried: tried.iter().map(|s| s.to_string()).collect(),
        about: about.iter().map(|s| s.to_string()).collect(),
        refs: account_refs().into_iter().take(accounts).collect(),
        ..Signals::default()
    };
    let email_only = Signals {
        asks: vec!["callback".into(), "email_only".into()],
        phone: Some("+44 20 7946 0321".into()),
        call_window: Some(CallWindow {
            from: Some("17:00".into()),
            ..CallWindow::default()
        }),
        called: true,
        ..alone(&["reset_mail_missing"], &[], 1)
    };
    // One request restated in our words, beside a question we do not recognise.
    let restated = Signals {
        asks: vec!["user_add".into()],
        question: Some("Do you sign a data processing agreement?".into()),
        ..Signals::default()
    };
    let dated = Signals {
        deadline: Some("2026-12-11".into()),
        since: Some("2026-12-08".into()),
        utc_offset: Some("+02:00".into()),
        ..Signals::default()
    };
    vec![
        (Signals::default(), false),
        (all_signals(), false),
        (email_only, false),
        (alone(&[], &[], 1), false),
        (alone(&["password_reset"], &[], 0), false),
        (alone(&["password_reset"], &[], 1), false),
        // Steps they tried, named back as one list and as one alone.
        (
            alone(&["restart", "clear_cache", "other_device"], &[], 0),
            false,
        ),
        (alone(&["reset_mail_missing", "spam_folder"], &[], 0), false),
        (
            Signals {
                access_denied: true,
                area: Some("shared_folder".into()),
                ..Signals::default()
            },
            false,
        ),
        (alone(&["reset_mail_missing"], &[], 0), false),
        (alone(&["reset_mail_missing"], &[], 2), false),
        (alone(&[], &["locked"], 0), false),
        (alone(&[], &["locked"], 1), false),
        (alone(&[], &["sso"], 0), false),
        (alone(&[], &["mailbox_lost"], 0), false),
        (alone(&[], &["mailbox_lost"], 1), false),
        (
            alone(&["reset_mail_missing"], &["address_confirmed"], 0),
            false,
        ),
        (alone(&[], &["locked", "address_confirmed"], 0), false),
        (
            Signals {
                refs: vec![colleague("Maria")],
                ..Signals::default()
            },
            false,
        ),
        (dated, false),
        // A deadline at a time today; calls asked for at a part of a later day, or before a
        // time, without a number and with one.
        (
            Signals {
                deadline: Some("today".into()),
                deadline_time: Some("15:00".into()),
                ..Signals::default()
            },
            false,
        ),
        (
            Signals {
                asks: vec!["callback".into()],
                call_window: Some(CallWindow {
                    day: Some("2026-12-11".into()),
                    part: Some("morning".into()),
                    ..CallWindow::default()
                }),
                ..Signals::default()
            },
            false,
        ),
        (
            Signals {
                asks: vec!["callback".into()],
                phone: Some("+44 20 7946 0321".into()),
                call_window: Some(CallWindow {
                    to: Some("16:00".into()),
                    ..CallWindow::default()
                }),
                ..Signals::default()
            },
            false,
        ),
        (
            Signals {
                asks: vec!["callback".into()],
                phone: Some("+44 20 7946 0321".into()),
                call_window: Some(CallWindow {
                    day: Some("today".into()),
                    part: Some("afternoon".into()),
                    ..CallWindow::default()
                }),
                ..Signals::default()
            },
            false,
        ),
        (restated, false),
        // Charged twice with only an amount, and a rollback asked about with only the new
        // version known (the earlier one unnamed).
        (
            Signals {
                charged_twice: true,
                asks: vec!["rollback".into()],
                refs: vec![
                    Ref {
                        kind: "amount".into(),
                        value: "£249.00".into(),
                    },
                    Ref {
                        kind: "version".into(),
                        value: "5.2".into(),
                    },
                ],
                ..Signals::default()
            },
            false,
        ),
        // Charged twice and a rollback asked about, with nothing else given.
        (
            Signals {
                charged_twice: true,
                asks: vec!["rollback".into()],
                ..Signals::default()
            },
            false,
        ),
        // An amount and a version without an invoice number or a function named.
        (
            Signals {
                refs: vec![
                    Ref {
                        kind: "amount".into(),
                        value: "119,00 €".into(),
                    },
                    Ref {
                        kind: "version".into(),
                        value: "4.8.1".into(),
                    },
                ],
                ..Signals::default()
            },
            false,
        ),
        (
            Signals {
                deadline: Some("2026-12-11".into()),
                ..all_signals()
            },
            true,
        ),
    ]
}

/// Two account addresses the customer gave.
fn account_refs() -> Vec<Ref> {
    ["anna.berg@firma.example", "a.berg@old.example"]
        .into_iter()
        .map(|a| Ref {
            kind: "account".into(),
            value: a.into(),
        })
        .collect()
}

fn colleague(name: &str) -> Ref {
    Ref {
        kind: COLLEAGUE.into(),
        value: name.into(),
    }
}

/// Signals with every field set.
fn all_signals() -> Signals {
    Signals {
        tried: vec![
            "password_reset".into(),
            "reset_mail_missing".into(),
            "two_factor".into(),
        ],
        refs: [
            Ref {
                kind: "invoice".into(),
                value: "INV-4471".into(),
            },
            Ref {
                kind: "step".into(),
                value: "3".into(),
            },
            Ref {
                kind: "amount".into(),
                value: "€49.90".into(),
            },
            Ref {
                kind: "version".into(),
                value: "5.2".into(),
            },
            Ref {
                kind: "previous".into(),
                value: "5.1".into(),
            },
            colleague("Maria"),
            colleague("Jonas"),
        ]
        .into_iter()
        .chain(account_refs())
        .collect(),
        asks: [
            "callback",
            "copy",
            "refund",
            "cancel",
            "user_add",
            "user_remove",
            "address_change",
            "licence",
            "export",
            "suggestion",
            "rollback",
        ]
        .into_iter()
        .map(String::from)
        .collect(),
        about: vec!["two_factor".into()],
        area: Some("shared_folder".into()),
        deadline: Some("today".into()),
        deadline_time: Some("15:30".into()),
        since: Some("2026-11-21".into()),
        effective: Some("2027-01-31".into()),
        phone: Some("+44 20 7946 0321".into()),
        call_window: Some(CallWindow {
            day: Some("today".into()),
            part: None,
            from: Some("14:00".into()),
            to: Some("16:00".into()),
        }),
        attachments: 1,
        utc_offset: Some("+09:00".into()),
        // Customer text with what a template must pass through as data.
        question: Some(
            "1. Can we pay {{annually}} by bank transfer?\n2. Is there a discount?".into(),
        ),
        request: Some("Please add Emma Walsh <emma@example.org> as a user.".into()),
        listed: vec!["Name: {{Emma}} Walsh".into(), "Role: <Editor>".into()],
        how_to: false,
        also_asked: vec!["Please add Emma Walsh <emma@example.org> as a user.".into()],
        called: true,
        still_failing: true,
        charged_twice: true,
        access_denied: true,
        written: chrono::NaiveDate::from_ymd_opt(2026, 11, 23),
        written_time: chrono::NaiveTime::from_hms_opt(9, 30, 0),
        written_on_weekend: false,
    }
}

/// Checks templates against the engine's categories and languages.
pub fn check(engine: &Engine) -> Report {
    let mut r = Report::default();
    let default = &engine.config.triage.default_language;
    for c in &engine.rules.categories {
        if !engine.templates.has(default, &c.id) {
            r.problems.push(format!(
                "category {:?} has no template {default}/{}.hbs in the default language",
                c.id, c.id
            ));
        }
    }
    let names: Vec<String> = engine.templates.names().map(str::to_string).collect();
    r.templates = names.len();
    let mut langs: Vec<&str> = names
        .iter()
        .filter_map(|n| n.split_once('/'))
        .map(|(l, _)| l)
        .collect();
    langs.dedup();
    for lang in langs
        .into_iter()
        .filter(|l| !engine.templates.has_locale(l))
    {
        r.problems.push(format!(
            "templates/{lang}/locale.toml is missing: {lang} drafts would write dates and promised delays in English (see docs/templates.md)"
        ));
    }
    for name in &names {
        let (lang, cat) = name.split_once('/').unwrap_or((default, name));
        let value = engine
            .rules
            .categories
            .iter()
            .find(|c| c.id == cat)
            .map_or("helpful_answer", |c| c.value.as_str());
        for facts in samples() {
            for (i, (signals, urgent)) in sample_signals().into_iter().enumerate() {
                let customer_name = if i % 2 == 0 { "" } else { "Kim Min-jun" };
                let ctx = context(&ContextInput {
                    customer_name,
                    subject: "Sample subject",
                    new_text: "Sample text {{not a template}}",
                    sender_block: "",
                    value,
                    category: cat,
                    signature: &engine.config.identity.signature,
                    language: lang,
                    default_language: default,
                    locale: engine.templates.locale(lang),
                    promises: &engine.config.promises,
                    own_addresses: &engine.config.identity.own_addresses,
                    facts: &facts,
                    signals: &signals,
                    urgent,
                    upset: i % 2 == 1,
                    followup: i % 3 == 1,
                    stated: i % 2 == 0,
                    now: chrono::Utc::now(),
                });
                r.renders += 1;
                match engine.templates.render(name, ctx) {
                    Ok(body) if body.trim().is_empty() => {
                        r.problems.push(format!("{name}: renders empty"))
                    }
                    Ok(_) => {}
                    Err(e) => {
                        let src = engine
                            .templates
                            .source(name)
                            .map(|p| p.display().to_string())
                            .unwrap_or_default();
                        r.problems
                            .push(format!("{src}{}", crate::draft::describe_render_error(&e)));
                        break;
                    }
                }
            }
        }
    }
    r.problems.dedup();
    r.warnings = permission_warnings(&engine.config);
    r
}

/// Files others can read (the password) or write (the config names the token command; the
/// facts reach customers): each a warning naming the file and what to do.
fn permission_warnings(config: &crate::config::Config) -> Vec<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).ok().map(|m| m.permissions().mode());
    let mut out = Vec::new();
    if let Some(crate::config::Auth::PasswordFile(p)) = config.imap.as_ref().map(|i| &i.auth) {
        if mode(p).is_some_and(|m| m & 0o077 != 0) {
            out.push(format!(
                "{}: the password file is readable by others than its owner (chmod 600 it, or use LoadCredential=)",
                p.display()
            ));
        }
    }
    let writable = [Some(&config.path), config.triage.facts.as_ref()];
    for p in writable.into_iter().flatten() {
        if mode(p).is_some_and(|m| m & 0o022 != 0) {
            out.push(format!(
                "{}: writable by others than its owner (chmod go-w it): whoever can edit it decides what the daemon runs and tells customers",
                p.display()
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draft::Templates;

    /// The context of `name` for one sample of facts and signals; `variant` varies the name,
    /// the follow-up and whether the request was said back, as `check` does.
    fn sample_context(
        templates: &Templates,
        name: &str,
        facts: &[Fact],
        signals: &Signals,
        urgent: bool,
        variant: usize,
    ) -> serde_json::Value {
        let (lang, cat) = name.split_once('/').expect("lang/category");
        context(&ContextInput {
            customer_name: if variant.is_multiple_of(2) {
                ""
            } else {
                "Kim Min-jun"
            },
            subject: "Sample subject",
            new_text: "Sample text",
            sender_block: "",
            value: "helpful_answer",
            category: cat,
            signature: "Example Support",
            language: lang,
            default_language: "en",
            locale: templates.locale(lang),
            promises: &crate::config::Promises::default(),
            own_addresses: &[],
            facts,
            signals,
            urgent,
            upset: variant % 2 == 1,
            followup: variant % 3 == 1,
            stated: variant.is_multiple_of(2),
            now: chrono::Utc::now(),
        })
    }

    /// Drafts are rendered with plain partial calls made in place; every template, with every
    /// sample of facts and signals `check` renders, reads as it does with handlebars' calls.
    #[test]
    fn inlined_partials_render_as_written() {
        let templates = Templates::load(None).expect("built-in templates load");
        let written = Templates::load_with(None, false).expect("built-in templates load");
        let mut compared = 0;
        for name in templates.names() {
            for facts in samples() {
                for (i, (signals, urgent)) in sample_signals().into_iter().enumerate() {
                    let ctx = sample_context(&templates, name, &facts, &signals, urgent, i);
                    let fast = templates.render(name, ctx.clone()).expect("renders");
                    let slow = written.render(name, ctx).expect("renders");
                    assert_eq!(fast, slow, "{name}, sample {i}");
                    compared += 1;
                }
            }
        }
        assert!(compared > 1000, "compared {compared} renders");
    }

    /// Only the thank-you names the colleagues the customer named: a complaint about one is
    /// answered with discretion, and no other draft turns a name into a detail of the case.
    #[test]
    fn only_the_thank_you_names_a_colleague_in_any_language() {
        let templates = Templates::load(None).expect("built-in templates load");
        let names: Vec<String> = templates.names().map(str::to_string).collect();
        let mut thanks = 0;
        for name in &names {
            let (_, cat) = name.split_once('/').expect("lang/category");
            for facts in samples() {
                let ctx = sample_context(&templates, name, &facts, &all_signals(), false, 0);
                let body = templates.render(name, ctx).expect("renders");
                let named = body.contains("Maria") && body.contains("Jonas");
                if cat == "thanks" {
                    assert!(named, "{name}: {body}");
                    thanks += 1;
                } else {
                    assert!(
                        !body.contains("Maria") && !body.contains("Jonas"),
                        "{name}: {body}"
                    );
                }
            }
        }
        assert_eq!(
            thanks,
            9 * samples().len(),
            "a thanks template in each language"
        );
    }
}
