//! The pure pipeline from the raw bytes of one message to an [`Outcome`]: parse, screen,
//! classify, facts, draft. No I/O and no clock of its own, so the CLI, the daemon and the tests
//! all drive the same code. [`Engine`] holds what is compiled once (rules, facts, templates).

use std::path::Path;

use serde::Serialize;

use crate::classify::model::Model;
use crate::classify::signals::{self, Sent, Signals};
use crate::classify::{classify, Tone, Why};
use crate::config::{Config, ConfigError};
use crate::draft::{self, context, ContextInput, Draft, DraftEnv, DraftInput, Templates};
use crate::facts::{self, ContactHistory, Fact, Facts};
use crate::parse::{self, ParseError};
use crate::rules::{Category, Priority, RuleSet};
use crate::screen::{screen, SkipReason};

/// The model probability of `outage` above which a message of another category also has
/// known incidents confirmed.
const OUTAGE_TOO: f32 = 0.2;
/// How sure the model must be of a complaint about contact, beside an email-only wish and
/// without a rule of its own, to keep it: "six days without an answer … no call, just a
/// written reply" is slow service at 0.86, "answer by email, don't call me: how do I share a
/// folder?" a staff complaint at only 0.53.
const SURE_OF_A_COMPLAINT: f32 = 0.6;
/// How sure the model must be of a thank-you note that asks a question of its own, without a
/// thanks rule, to keep it.
const SURE_OF_THANKS: f32 = 0.8;

/// Below this the model's "question" or "general" gives way to a request rule when nothing
/// in the message is asked as a question.
const SURE_OF_A_QUESTION: f32 = 0.8;

/// Draft or skip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Draft,
    Skip,
}

/// What happened to one message: the brief's JSON line.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub source: String,
    pub message_id: Option<String>,
    pub from: Option<String>,
    pub language: String,
    pub action: Action,
    pub skip_reason: Option<SkipReason>,
    pub category: Option<String>,
    pub confidence: Option<f32>,
    pub value: Option<String>,
    pub priority: Option<Priority>,
    pub tone: Option<Tone>,
    pub facts: Vec<Fact>,
    /// What the customer already told us (null for a skipped message).
    pub signals: Option<Signals>,
    /// Notes for the agent that are not facts (odd Reply-To and the like).
    pub warnings: Vec<String>,
    /// The customer's new text as classification read it (for `triage --explain`).
    #[serde(skip)]
    pub new_text: String,
    /// What decided the category (for `triage --explain`).
    #[serde(skip)]
    pub why: crate::classify::Why,
    pub draft: Option<Draft>,
}

impl Outcome {
    /// The IMAP keyword naming this outcome: `triage:<category>` or `triage:skip-<reason>`.
    pub fn keyword(&self) -> String {
        match (self.skip_reason, &self.category) {
            (Some(r), _) => format!("triage:skip-{}", r.as_str().replace('_', "-")),
            (None, Some(c)) => format!("triage:{c}"),
            (None, None) => "triage:error".into(),
        }
    }

    /// The agent-facing summary of facts and warnings (X-Mailtriage-Facts).
    pub fn facts_summary(&self) -> String {
        self.facts
            .iter()
            .map(Fact::summary)
            .chain(self.warnings.iter().map(|w| format!("warning: {w}")))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// A message parsed, classified and screened: see [`Engine::read`].
pub struct Read {
    source: String,
    msg: parse::Parsed,
    subject: String,
    class: crate::classify::Classification,
    signals: Signals,
    skip: Option<SkipReason>,
    /// An earlier message of this thread is known to the caller (same sender and subject).
    followup: bool,
}

impl Read {
    /// The message's Message-ID, without brackets.
    pub fn message_id(&self) -> Option<&str> {
        self.msg.message_id.as_deref()
    }

    /// The sender's address (lower-case) and the subject, when the message will be drafted:
    /// what a follow-up that does not name the earlier message is matched by.
    pub fn thread_key(&self) -> Option<(String, String)> {
        if self.skip.is_some() {
            return None;
        }
        let from = self.msg.from.as_ref()?.address.to_lowercase();
        Some((from, self.subject.clone()))
    }

    /// Tells the draft that the customer wrote before in this thread (the caller found our
    /// draft for an earlier message from the same sender on the same subject).
    pub fn set_followup(&mut self) {
        self.followup = true;
    }

    /// What training reads of this message, labelled `label` (an agent's correction).
    pub fn sample(&self, name: &str, label: &str) -> crate::classify::training::Sample {
        crate::classify::training::Sample {
            name: name.to_string(),
            label: label.to_string(),
            language: self.class.language.clone(),
            subject: self.subject.clone(),
            text: self.msg.new_text.clone(),
            norm: self.msg.new_norm.clone(),
        }
    }
}

/// A message the pipeline could not turn into an outcome.
#[derive(Debug, thiserror::Error)]
pub enum TriageError {
    #[error("unreadable message: {0}")]
    Parse(#[from] ParseError),
    #[error("{0}")]
    Draft(#[from] draft::DraftError),
}

/// Everything compiled once and shared by every message.
pub struct Engine {
    pub config: Config,
    pub rules: RuleSet,
    /// The learned classifier: the config's `model`, else the local model `learn` wrote from
    /// the agents' corrections, else the built-in one.
    pub model: Option<Model>,
    /// Which of those it is, for `check` and the log.
    pub model_origin: String,
    pub facts: Facts,
    pub templates: Templates,
    /// The identity's headers, encoded once for every draft.
    sender: draft::Sender,
}

/// Loading the engine failed: the config, a rule file, the facts or a template.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct LoadError(pub ConfigError);

impl Engine {
    /// Loads rules, facts and templates named by the config.
    pub fn load(config: Config) -> Result<Engine, LoadError> {
        let rules = RuleSet::load(config.triage.rules.as_deref(), &config.triage.categories)
            .map_err(|e| LoadError(e.0))?;
        let facts = match &config.triage.facts {
            Some(p) => Facts::load(p).map_err(LoadError)?,
            None => Facts::default(),
        };
        let (model, model_origin) = load_model(&config)?;
        let templates =
            Templates::load(config.triage.templates.as_deref()).map_err(|e| LoadError(e.0))?;
        let sender = draft::Sender::new(&config.identity);
        Ok(Engine {
            sender,
            config,
            rules,
            model,
            model_origin,
            facts,
            templates,
        })
    }

    /// Reloads only the facts file, keeping the rest (SIGHUP, file change).
    pub fn reload_facts(&mut self) -> Result<(), LoadError> {
        if let Some(p) = &self.config.triage.facts {
            self.facts = Facts::load(p).map_err(LoadError)?;
        }
        Ok(())
    }

    /// Runs the pipeline over one message. `history` is the sender's contact history when a
    /// mailbox is available.
    pub fn triage(
        &self,
        raw: &[u8],
        source: &str,
        env: &DraftEnv,
        history: Option<ContactHistory>,
    ) -> Result<Outcome, TriageError> {
        self.finish(self.read(raw, source)?, env, history)
    }

    /// The first half of [`Engine::triage`]: parse, classify, screen. The daemon stops here to
    /// ask the mailbox for the contact history of the senders that need it (see
    /// [`Engine::wants_history`]), then calls [`Engine::finish`] — each message is read once.
    pub fn read(&self, raw: &[u8], source: &str) -> Result<Read, TriageError> {
        let msg = parse::parse(raw, &self.rules)?;
        let t = &self.config.triage;
        let subject = draft::strip_prefixes(&msg.subject);
        let class = classify(
            &self.rules,
            self.model.as_ref(),
            &subject,
            &msg.new_text,
            &msg.new_norm,
            &t.default_language,
            t.min_confidence,
        );
        let skip = screen(
            &msg,
            &self.config.identity.own_addresses,
            &self.rules.screen,
        );
        // A message that gets no draft is reported with its language and skip reason only:
        // what the customer told us is read for the draft.
        let signals = if skip.is_some() {
            Signals::default()
        } else {
            self.signals(&msg, &subject, &class)
        };
        Ok(Read {
            source: source.to_string(),
            msg,
            subject,
            class,
            signals,
            skip,
            followup: false,
        })
    }

    /// What the customer already told us ([`crate::classify::signals`]), with the addresses
    /// they name as their account's.
    fn signals(
        &self,
        msg: &parse::Parsed,
        subject: &str,
        class: &crate::classify::Classification,
    ) -> Signals {
        // A name of the customer's or ours is never a colleague's.
        let identity = &self.config.identity;
        let not_colleagues: Vec<&str> = (msg.from.iter().chain(&msg.reply_to))
            .filter_map(|p| p.name.as_deref())
            .chain([identity.from.name.as_deref().unwrap_or_default()])
            .chain([identity.signature.as_str()])
            .collect();
        let text = format!("{subject}\n{}", msg.new_text);
        let mut signals = self.rules.signals.read(&signals::Input {
            languages: &self.rules.reference_languages(&class.language),
            norm: &class.norm,
            text: &text,
            own_text: &msg.own_text,
            attachments: msg.attachments,
            sent: Sent {
                date: msg.date,
                utc_offset: msg.utc_offset.as_deref(),
            },
            not_colleagues: &not_colleagues,
        });
        // An address is theirs to give unless it is one the message was sent to, the
        // mailbox's, or ours. The one they write from, named as their account's ("my login is
        // anna@…" from anna@…), is theirs too: the draft names it back and, as they confirmed
        // it, asks for no other.
        let own = &self.config.identity.own_addresses;
        let sender = msg.from.as_ref().map(|f| f.address.to_lowercase());
        let mailbox = self.config.imap.as_ref().map(|i| i.username.to_lowercase());
        let accounts = self.rules.signals.accounts(&text, |a| {
            mailbox.as_deref() == Some(a)
                || msg.to.iter().any(|t| t.address.eq_ignore_ascii_case(a))
                || facts::is_ours(&self.facts, own, a)
        });
        let confirmed = "address_confirmed";
        if accounts
            .iter()
            .any(|r| sender.as_deref() == Some(r.value.to_lowercase().as_str()))
            && !signals.about.iter().any(|a| a == confirmed)
        {
            // Last of `signals::ABOUT`, so the list keeps its order.
            signals.about.push(confirmed.to_string());
        }
        signals.refs.extend(accounts);
        signals
    }

    /// The sender whose contact history the message's category checks, if it will be drafted.
    pub fn wants_history(&self, read: &Read) -> Option<String> {
        let category = self.rules.categories.get(read.class.category)?;
        if read.skip.is_some() || !category.checks.iter().any(|c| c == "history") {
            return None;
        }
        read.msg.from.as_ref().map(|f| f.address.clone())
    }

    /// A category by id.
    fn category(&self, id: &str) -> Option<&Category> {
        self.rules.category(id).map(|i| &self.rules.categories[i])
    }

    /// The classifier's category, read again beside what the signals say the customer wrote
    /// (docs/rules.md, after `otherwise`); each reading that gives way has its test.
    fn reread<'a>(&'a self, category: &'a Category, why: &Why, signals: &Signals) -> &'a Category {
        let general = |fallback: &'a Category| self.category("general").unwrap_or(fallback);
        // The model's next reading that is none of `not`, else `general`.
        let next_reading = |not: &[&str], current: &'a Category| {
            why.model_top
                .iter()
                .filter(|(c, _)| !not.contains(&c.as_str()))
                .find_map(|(c, _)| self.category(c))
                .unwrap_or_else(|| general(current))
        };
        // A message that says its failure goes on is no thank-you, however politely it ends
        // ("Merci de vérifier", "thanks in advance"): it is answered as `general`, or as an
        // outage when a known incident confirms it (in `finish`).
        if category.id == "thanks" && signals.still_failing {
            return general(category);
        }
        // Refused access to a function they name (a folder, the export) is no sign-in problem,
        // and no regression unless the rules read one: `general` apologises for the access
        // error and promises to check the permissions, never the reset link or "an update".
        let refused = signals.access_denied && signals.area.is_some();
        if refused
            && (category.id == "login" || category.id == "regression" && !why.stated("regression"))
        {
            return general(category);
        }
        // "Please answer by email only, don't call me" names calls and phones, which the model
        // reads as a complaint about them: a complaint category that neither the rules nor a
        // sure model read gives way to the model's next reading that is no complaint about
        // contact (round 12 es fr 06: a how-to question answered as a staff complaint), else
        // `general`.
        let contact_complaint = ["staff_complaint", "slow_service", "repeat_contact"];
        let category = if signals.asks.iter().any(|a| a == "email_only")
            && contact_complaint.contains(&category.id.as_str())
            && !why.stated(&category.id)
            && !why.model_reads(&category.id, SURE_OF_A_COMPLAINT)
        {
            next_reading(&contact_complaint, category)
        } else {
            category
        };
        // A message with a question of its own that neither a thanks rule nor a sure model read
        // is no thank-you note, however it ends ("upload stuck at 99%, what should i do?" at
        // 0.63, a question signed "With thanks and best regards" at 0.53: round 13 en 17 and
        // 20 were thanked for kind words; a real thank-you with a side question reads 0.9 up).
        if category.id == "thanks"
            && signals.question.is_some()
            && !why.stated("thanks")
            && !why.model_reads("thanks", SURE_OF_THANKS)
        {
            return next_reading(&["thanks"], category);
        }
        // All they wrote is one how-to question ("how do i turn on two-factor
        // authentication?", "¿Cómo cambio el idioma?", "2단계 인증은 어디서 끄나요?"): a
        // question, whatever its topic makes the model read, unless they also say what they
        // tried, that it still fails or that they are refused (round 13 en es fr ko 22).
        if signals.how_to
            && category.id != "question"
            && signals.tried.is_empty()
            && !signals.still_failing
            && !signals.access_denied
        {
            return self.category("question").unwrap_or(category);
        }
        // A "question" with nothing asked in it, or a stock `general`: a letter that asks for
        // something in set phrases ("we formally request the following:", "bitten wir Sie um
        // Übersendung", "ご送付をお願い") and has no question sentence of its own is a request
        // when a request rule read it and the model is unsure (round 13 en de es fr ja ko 15:
        // formal letters listing documents, filed question or general).
        if matches!(category.id.as_str(), "question" | "general")
            && signals.question.is_none()
            && why.stated("request")
            && !why.model_reads(&category.id, SURE_OF_A_QUESTION)
        {
            return self.category("request").unwrap_or(category);
        }
        category
    }

    /// The second half of [`Engine::triage`]: facts, template, draft.
    pub fn finish(
        &self,
        read: Read,
        env: &DraftEnv,
        history: Option<ContactHistory>,
    ) -> Result<Outcome, TriageError> {
        let Read {
            source,
            msg,
            subject,
            class,
            signals,
            skip,
            followup,
        } = read;
        let own = &self.config.identity.own_addresses;
        let t = &self.config.triage;
        let mut outcome = Outcome {
            source,
            message_id: msg.message_id.clone(),
            from: msg.from.as_ref().map(|p| p.address.clone()),
            language: class.language.clone(),
            action: Action::Skip,
            skip_reason: None,
            category: None,
            confidence: None,
            value: None,
            priority: None,
            tone: None,
            facts: Vec::new(),
            signals: None,
            warnings: Vec::new(),
            new_text: format!("{subject}\n{}", msg.new_text),
            why: class.why.clone(),
            draft: None,
        };
        if let Some(reason) = skip {
            outcome.skip_reason = Some(reason);
            return Ok(outcome);
        }
        let (to, warnings) = draft::recipient(&msg, own);
        let to = to.ok_or(draft::DraftError::NoRecipient)?;
        outcome.warnings = warnings;

        let category = self.reread(&self.rules.categories[class.category], &class.why, &signals);
        let norm = &class.norm;
        let mut history = history;
        if let Some(h) = &mut history {
            h.claimed = self.rules.claimed_count(norm);
        }
        let subj = facts::Subject {
            msg: &msg,
            norm_text: norm,
            when: msg.date.unwrap_or(env.now),
            signals: &signals,
        };
        // A message filed elsewhere that the rules or the model also read as an outage report,
        // or that says its failure goes on, still has a known incident confirmed, unless its
        // category checks nothing at all (a thank-you for last night's fix or a staff
        // complaint gets no facts).
        let mut checks = category.checks.clone();
        let outage_too = signals.still_failing
            || class.why.stated("outage")
            || class.why.model_reads("outage", OUTAGE_TOO);
        if outage_too && !checks.is_empty() && !checks.iter().any(|c| c == "incident") {
            checks.push(facts::CONFIRM_INCIDENT.into());
        }
        outcome.facts = facts::check(&self.facts, &checks, &subj, history);
        // A message the classifier could not place (`general`), or placed by the model alone
        // with no rule behind it, that a known incident confirms is an outage report ("your
        // status page says it is fixed, but the dashboard still doesn't load"): the outage
        // draft names the incident and what follows from it instead of a stock
        // acknowledgement or a login answer.
        let confirmed = outcome
            .facts
            .iter()
            .any(|f| matches!(f, Fact::IncidentConfirmed { .. }));
        let unsure = category.id == "general" || !class.why.stated(&category.id);
        let category = match self.category("outage") {
            Some(outage) if confirmed && unsure => outage,
            _ => category,
        };
        // A failure that outlasted a resolved incident has blocked them since the fix: it is
        // answered today, never "within one business day" (round 14 en es fr ja ko zh 12:
        // "I needed it this morning" got the business days).
        let outlasted = outcome.facts.iter().any(|f| {
            matches!(
                f,
                Fact::IncidentConfirmed {
                    still_failing: true,
                    ..
                }
            )
        });
        // A category changed above takes its own priority; urgency words still count.
        let class_priority = if outlasted {
            Priority::Urgent
        } else if category.id == self.rules.categories[class.category].id {
            class.priority
        } else if class.priority == Priority::Urgent {
            Priority::Urgent
        } else {
            category.priority
        };

        let template = self
            .templates
            .choose(&class.language, &category.id, &t.default_language)
            .ok_or_else(|| {
                draft::DraftError::Render(
                    format!("{}/{}", class.language, category.id),
                    ": no template for this category in the customer's or the default language"
                        .into(),
                )
            })?;
        let draft_lang = template
            .split('/')
            .next()
            .unwrap_or(&t.default_language)
            .to_string();
        let name = to
            .name
            .clone()
            .or_else(|| msg.from.as_ref().and_then(|f| f.name.clone()))
            .unwrap_or_default();
        // An address, or its part before the @ as written there ("k.aoki"; "Ott" of ott@ is
        // a name), is never greeted as a name.
        let local = to.address.split('@').next().unwrap_or_default();
        let login = name.contains('@') || name.trim() == local;
        let block = sender_block(&msg.own_text, &msg.new_text, &self.rules);
        let ctx = context(&ContextInput {
            customer_name: if login { "" } else { &name },
            subject: &subject,
            new_text: &msg.new_text,
            sender_block: &block,
            value: &category.value,
            category: &category.id,
            signature: &self.config.identity.signature,
            language: &draft_lang,
            default_language: &t.default_language,
            locale: self.templates.locale(&draft_lang),
            promises: &self.config.promises,
            own_addresses: own,
            facts: &outcome.facts,
            signals: &signals,
            urgent: class.priority == Priority::Urgent || outlasted,
            // Upset and not placed (`general` below the confidence needed): its frustration
            // is owned. A message the model placed (a thank-you note with "!!!") is not.
            upset: class.tone == Tone::Upset
                && category.id == "general"
                && class.confidence < t.min_confidence,
            followup: followup || !msg.in_reply_to.is_empty() || !msg.references.is_empty(),
            stated: class.why.stated(&category.id),
            now: env.now,
        });
        let body = self.templates.render(&template, ctx).map_err(|e| {
            draft::DraftError::Render(template.clone(), draft::describe_render_error(&e))
        })?;

        outcome.action = Action::Draft;
        outcome.category = Some(category.id.clone());
        outcome.confidence = Some(class.confidence);
        outcome.value = Some(category.value.clone());
        // A customer who needs it today is flagged for the agents, as the draft tells them.
        let urgent_today = signals.today();
        outcome.priority = Some(if urgent_today {
            Priority::Urgent
        } else {
            class_priority
        });
        outcome.tone = Some(class.tone);
        outcome.signals = Some(signals);
        let summary = outcome.facts_summary();
        let priority = serde_json::to_value(outcome.priority)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        outcome.draft = Some(draft::build(
            DraftInput {
                msg: &msg,
                subject: &subject,
                to: &to,
                sender: &self.sender,
                category: &category.id,
                priority: &priority,
                language: &draft_lang,
                template: &template,
                body,
                facts_summary: &summary,
            },
            env,
        )?);
        Ok(outcome)
    }
}

/// The model file the config names, or the local model `mailtriage learn` wrote into the
/// state directory, or the built-in model; with a word on which it is.
fn load_model(config: &Config) -> Result<(Option<Model>, String), LoadError> {
    let error = |key: &str, reason: String| {
        LoadError(ConfigError {
            file: config.path.clone(),
            position: None,
            key: key.into(),
            reason,
        })
    };
    let Some(path) = &config.triage.model else {
        if let Some(imap) = &config.imap {
            if let Some((path, model)) = crate::learn::local_model(imap)
                .map_err(|e| error("imap.state_dir", format!("the local model: {e}")))?
            {
                let origin = format!(
                    "local, learned from the agents' corrections ({})",
                    path.display()
                );
                return Ok((Some(model), origin));
            }
        }
        return Model::from_static(crate::builtin::MODEL)
            .map(|m| (Some(m), "built-in".to_string()))
            .map_err(|e| error("", format!("the built-in model: {e}")));
    };
    let bytes = std::fs::read(path).map_err(|e| {
        error(
            "triage.model",
            format!("cannot read {}: {e}", path.display()),
        )
    })?;
    Model::from_bytes(&bytes)
        .map(|m| (Some(m), format!("triage.model ({})", path.display())))
        .map_err(|e| error("triage.model", format!("{}: {e}", path.display())))
}

/// Loads the config at `path` and builds an engine, for the CLI and tests.
pub fn load_engine(path: &Path) -> Result<Engine, LoadError> {
    let config = Config::load(path).map_err(LoadError)?;
    Engine::load(config)
}

/// The lines where the customer signs: those of their own text after the new text (the
/// signature, after a sign-off or "-- "), or, with no signature, the last lines of the new
/// text but its first (an opening such as "Dear Anna" is no signature); sign-off lines left
/// out. The greeting reads their name, title and role there.
fn sender_block(own: &str, new: &str, rules: &RuleSet) -> String {
    let lines = |t: &str| -> Vec<String> {
        t.lines()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect()
    };
    let own = lines(own);
    let new = lines(new);
    let tail: Vec<String> = if own.len() > new.len() && own[..new.len()] == new[..] {
        own[new.len()..].to_vec()
    } else {
        let from = new.len().saturating_sub(3).max(1);
        new.get(from..).unwrap_or_default().to_vec()
    };
    tail.into_iter()
        .filter(|l| !rules.is_signoff(&crate::rules::normalize(l)))
        .take(draft::SENDER_LINES)
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An engine whose own addresses are support@ and help@example.com, and whose facts retire
    /// our old helpdesk@example.net (replaced by support@) and a customer domain.
    fn engine() -> Engine {
        let config = Config::parse(
            Path::new("/x/config.toml"),
            "[identity]\nfrom = \"Support <support@example.com>\"\nown_addresses = [\"help@example.com\"]\n",
        )
        .expect("config");
        let mut engine = Engine::load(config).expect("engine");
        engine.facts = Facts::parse(
            Path::new("/x/facts.toml"),
            "[[retired_address]]\naddress = \"helpdesk@example.net\"\nreplacement = \"support@example.com\"\n\n[[retired_address]]\naddress = \"@oldmail.example\"\n",
        )
        .expect("facts");
        engine
    }

    /// The account addresses read from a message from alex@customer.example with `body`.
    fn accounts(body: &str) -> Vec<String> {
        let raw = format!("From: Alex <alex@customer.example>\r\nTo: support@example.com, team@example.org\r\nSubject: Cannot log in\r\nMessage-ID: <a@customer.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n");
        let read = engine().read(raw.as_bytes(), "test").expect("reads");
        read.signals.accounts().map(str::to_string).collect()
    }

    /// What the message with `body` asked, read as the pipeline reads it: (question, request).
    fn asked(body: &str) -> (Option<String>, Option<String>) {
        let raw = format!("From: Alex <alex@customer.example>\r\nTo: support@example.com\r\nSubject: Re: Export\r\nMessage-ID: <q@customer.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n");
        let read = engine().read(raw.as_bytes(), "test").expect("reads");
        (read.signals.question, read.signals.request)
    }

    #[test]
    fn a_skipped_message_is_read_for_its_language_only() {
        let raw = |auto: &str| {
            format!("From: Alex <alex@customer.example>\r\nTo: support@example.com\r\nSubject: Login\r\nMessage-ID: <s@customer.example>\r\n{auto}Content-Type: text/plain; charset=utf-8\r\n\r\nI cannot log in. Please call me back on +49 30 1234567 by Friday.\r\n")
        };
        let e = engine();
        let asked = e.read(raw("").as_bytes(), "test").expect("reads");
        assert!(asked.skip.is_none());
        assert!(asked.signals.phone.is_some());
        let auto = e
            .read(raw("Auto-Submitted: auto-replied\r\n").as_bytes(), "test")
            .expect("reads");
        assert!(auto.skip.is_some());
        assert_eq!(auto.class.language, "en");
        assert_eq!(auto.signals, Signals::default());
    }

    #[test]
    fn a_question_only_in_quoted_history_or_the_signature_is_not_theirs_to_quote() {
        for body in [
            "Thanks, I will try the export again tomorrow.\r\n\r\nOn Sun, 22 Nov 2026 at 09:00, Support <support@example.com> wrote:\r\n> Which export format would you like us to enable for your account?\r\n> Could you please send us a screenshot of the error?",
            "Danke, ich versuche den Export morgen noch einmal.\r\n\r\nAm 22.11.2026 um 09:00 schrieb Support <support@example.com>:\r\n> Welches Exportformat sollen wir für Ihr Konto freischalten?",
            "The export works again, all good now.\r\n\r\nBest regards,\r\nAlex Berg\r\nHave you tried our new mobile app? Download it today!",
            "导出功能已经恢复正常了。\r\n\r\n> 请问您希望我们为您的账户开通哪种导出格式？",
        ] {
            assert_eq!(asked(body), (None, None), "{body}");
        }
        // The same message with a question of their own above the history gets that one.
        let (question, _) = asked("Can you also enable the XLSX export for our account?\r\n\r\nOn Sun, 22 Nov 2026 at 09:00, Support <support@example.com> wrote:\r\n> Which export format would you like us to enable for your account?");
        assert_eq!(
            question.as_deref(),
            Some("Can you also enable the XLSX export for our account?")
        );
    }

    #[test]
    fn account_addresses_are_the_customers_own_new_text_and_not_ours() {
        assert_eq!(
            accounts("I can't log in. My account is anna.berg@firma.example."),
            ["anna.berg@firma.example"]
        );
        // Their old address at a retired domain of theirs is theirs to give.
        assert_eq!(
            accounts("I log in with my old address j.doe@oldmail.example."),
            ["j.doe@oldmail.example"]
        );
        // The address they write from, named as their account's: named back, and confirmed.
        assert_eq!(
            accounts("I can't log in. My account is alex@customer.example."),
            ["alex@customer.example"]
        );
        for body in [
            // Ours, one the message went to, and our retired address (replaced by ours).
            "I can't log in. My account is support@example.com.",
            "I can't log in. My account is help@example.com.",
            "I can't log in. My account is team@example.org.",
            "I can't log in. My account is helpdesk@example.net.",
            // Quoted history and the signature are not what they wrote now.
            "I still can't log in.\r\n\r\nOn Mon, 23 Nov 2026, Support <support@example.com> wrote:\r\n> My account is quoted@firma.example\r\n> Kind regards",
            "I still can't log in.\r\n\r\nBest regards,\r\nAlex\r\n-- \r\nMy account is sig@firma.example",
        ] {
            assert!(accounts(body).is_empty(), "{body}: {:?}", accounts(body));
        }
    }

    #[test]
    fn the_sender_block_is_the_signature_without_sign_offs_or_the_last_lines_but_the_opening() {
        let rules = RuleSet::load(None, &[]).expect("built-in rules load");
        let own = "Dear Sir or Madam,\n\nWe request the DPA.\n\nYours faithfully,\n\nJ. Hargreaves\nHead of Finance";
        let new = "Dear Sir or Madam,\n\nWe request the DPA.";
        assert_eq!(
            sender_block(own, new, &rules),
            "J. Hargreaves\nHead of Finance"
        );
        // No sign-off: the last lines, never the opening ("Dear Anna" is no signer).
        let own = "Dear Anna\nPlease send the invoice.";
        assert_eq!(sender_block(own, own, &rules), "Please send the invoice.");
        let own = "수신: 고객지원팀\n1. 로그를 요청드립니다.\n2. 협조 바랍니다.\n3. 기한은 12월 24일입니다.\n대한대학교 정보보안팀장 류성호";
        assert_eq!(
            sender_block(own, own, &rules),
            "2. 협조 바랍니다.\n3. 기한은 12월 24일입니다.\n대한대학교 정보보안팀장 류성호"
        );
    }
}
