//! `mailtriage check`: proves an installation can run before it does — config, rules, facts and
//! templates load; every category has a template in the default language; every template renders
//! against sample contexts covering each fact kind. (Logging in is the daemon's part.)

use crate::classify::signals::{Ref, Signals};
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
    let incident = |resolved| Fact::IncidentConfirmed {
        id: "INC-1".into(),
        status_url: "https://status.example.com/INC-1".into(),
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
        found_in,
        replacement: replacement.map(str::to_string),
        note: Some("Moved in March.".into()),
        retired_on: chrono::NaiveDate::from_ymd_opt(2025, 3, 1),
    };
    vec![
        vec![],
        vec![incident(None)],
        vec![incident(Some(started + chrono::Duration::hours(3)))],
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
/// message is urgent by its priority: none, everything at once, each kind of sign-in problem
/// alone, and a deadline that is a date, alone and with everything else on an urgent message.
pub(crate) fn sample_signals() -> Vec<(Signals, bool)> {
    let alone = |tried: &[&str], about: &[&str]| Signals {
        tried: tried.iter().map(|s| s.to_string()).collect(),
        about: about.iter().map(|s| s.to_string()).collect(),
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
        (alone(&["password_reset"], &[]), false),
        (alone(&["reset_mail_missing"], &[]), false),
        (alone(&[], &["locked"]), false),
        (alone(&[], &["sso"]), false),
        (dated, false),
        (
            Signals {
                deadline: Some("2026-12-11".into()),
                ..all_signals()
            },
            true,
        ),
    ]
}

/// Signals with every field set.
fn all_signals() -> Signals {
    Signals {
        tried: vec![
            "password_reset".into(),
            "reset_mail_missing".into(),
            "two_factor".into(),
        ],
        refs: vec![
            Ref {
                kind: "invoice".into(),
                value: "INV-4471".into(),
            },
            Ref {
                kind: "step".into(),
                value: "3".into(),
            },
        ],
        asks: vec!["callback".into(), "copy".into()],
        about: vec!["two_factor".into()],
        deadline: Some("today".into()),
        since: Some("2026-11-21".into()),
        phone: Some("+44 20 7946 0321".into()),
        attachments: 1,
        utc_offset: Some("+09:00".into()),
        called: true,
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
                    followup: i % 3 == 1,
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
