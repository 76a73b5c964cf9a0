//! Loads and renders the reply templates: built-in `templates/<lang>/<category>.hbs`, an
//! operator's directory on top, in strict mode and without escaping — customer text is only
//! ever data in the context, never re-evaluated.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use handlebars::{Handlebars, Template};
use serde_json::Value;

use super::locale::Locale;
use crate::builtin;
use crate::config::{read_file, ConfigError};

/// The compiled templates: built in, overridden by an operator's directory.
pub struct Templates {
    /// Every template and partial, plain partial calls made in place ([`inline_partials`]).
    hb: Handlebars<'static>,
    names: BTreeSet<String>,
    /// (name, source) of every template, for `check`.
    sources: Vec<(String, PathBuf)>,
    /// `<lang>/locale.toml` of each language.
    locales: HashMap<String, Locale>,
}

/// A template that does not compile.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct TemplateError(pub ConfigError);

impl Templates {
    /// Compiles the built-in templates and, if given, `dir` (same layout) on top.
    pub fn load(dir: Option<&Path>) -> Result<Templates, TemplateError> {
        Templates::load_with(dir, true)
    }

    /// [`Templates::load`], with partial calls made in place or left as handlebars makes them
    /// (a test holds the two to the same text).
    pub(crate) fn load_with(dir: Option<&Path>, inline: bool) -> Result<Templates, TemplateError> {
        let mut files: Vec<(String, PathBuf, String)> = builtin::TEMPLATES
            .iter()
            .chain(builtin::LOCALES)
            .map(|(rel, text)| {
                (
                    rel.to_string(),
                    PathBuf::from(format!("<built-in>/templates/{rel}")),
                    text.to_string(),
                )
            })
            .collect();
        if let Some(dir) = dir {
            let mut found = Vec::new();
            walk(dir, &mut found).map_err(|e| {
                TemplateError(ConfigError {
                    file: dir.to_path_buf(),
                    position: None,
                    key: String::new(),
                    reason: format!("cannot read: {e}"),
                })
            })?;
            for path in found {
                let rel = path
                    .strip_prefix(dir)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .replace('\\', "/");
                let text = read_file(&path).map_err(TemplateError)?;
                files.retain(|(r, _, _)| *r != rel);
                files.push((rel, path, text));
            }
        }
        let mut locales = HashMap::new();
        for (rel, path, text) in &files {
            if let Some(lang) = rel.strip_suffix("/locale.toml") {
                locales.insert(
                    lang.to_string(),
                    Locale::parse(path, text).map_err(TemplateError)?,
                );
            }
        }
        files.retain(|(rel, _, _)| rel.ends_with(".hbs"));
        if !locales.contains_key(FALLBACK) {
            return Err(TemplateError(ConfigError {
                file: dir
                    .unwrap_or(Path::new("templates"))
                    .join(FALLBACK)
                    .join("locale.toml"),
                position: None,
                key: String::new(),
                reason: "is missing: every other language falls back to it".into(),
            }));
        }
        let mut hb = Handlebars::new();
        hb.set_strict_mode(true);
        hb.register_escape_fn(handlebars::no_escape);
        let mut names = BTreeSet::new();
        let mut sources = Vec::new();
        // Partials first, so that an error in one is reported against its own file.
        files.sort_by_key(|(rel, _, _)| !rel.contains("/partials/"));
        for (rel, path, source) in files {
            let name = rel.trim_end_matches(".hbs").to_string();
            let result = match partial_name(&rel) {
                Some(partial) => hb.register_partial(&partial, source.as_str()),
                None => {
                    names.insert(name.clone());
                    hb.register_template_string(&name, source.as_str())
                }
            };
            result.map_err(|e| {
                let (position, reason) = match unclosed_block(&source) {
                    Some((block, at)) => (
                        Some(at),
                        format!("`{{{{#{block}}}}}` is opened here and never closed: add `{{{{/{block}}}}}`"),
                    ),
                    None => {
                        let reason = e.reason().to_string();
                        // handlebars lists every token its grammar expected; that helps nobody.
                        let reason = match reason.split_once(": expected ") {
                            Some((head, _)) => format!("{head}: check the `{{{{` and `}}}}` around here"),
                            None => reason,
                        };
                        (e.pos(), reason)
                    }
                };
                TemplateError(ConfigError {
                    file: path.clone(),
                    position,
                    key: String::new(),
                    reason,
                })
            })?;
            sources.push((name, path));
        }
        if inline {
            inline_partials(&mut hb);
        }
        Ok(Templates {
            hb,
            names,
            sources,
            locales,
        })
    }

    /// How `lang` writes dates and delays: its own `locale.toml`, else English's.
    pub fn locale(&self, lang: &str) -> &Locale {
        match self
            .locales
            .get(lang)
            .or_else(|| self.locales.get(FALLBACK))
        {
            Some(l) => l,
            None => unreachable!("load() refuses templates without {FALLBACK}/locale.toml"),
        }
    }

    /// Whether `lang` has its own `locale.toml` (`check` asks it of every language).
    pub fn has_locale(&self, lang: &str) -> bool {
        self.locales.contains_key(lang)
    }

    /// Whether `<lang>/<category>` exists.
    pub fn has(&self, lang: &str, category: &str) -> bool {
        self.names.contains(&format!("{lang}/{category}"))
    }

    /// Every category template name, e.g. `de/outage`.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(String::as_str)
    }

    /// Where a template came from (built in or a file), for messages.
    pub fn source(&self, name: &str) -> Option<&Path> {
        self.sources
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, p)| p.as_path())
    }

    /// The template to use: the customer's language if we have it, else the default language;
    /// the category's own template, else `general`.
    pub fn choose(&self, lang: &str, category: &str, default_lang: &str) -> Option<String> {
        // One buffer for the candidate names, rather than a string per candidate.
        let mut name = String::with_capacity(lang.len().max(default_lang.len()) + 1 + 32);
        for (l, c) in [
            (lang, category),
            (default_lang, category),
            (lang, "general"),
            (default_lang, "general"),
        ] {
            name.clear();
            name.push_str(l);
            name.push('/');
            name.push_str(c);
            if self.names.contains(&name) {
                return Some(name);
            }
        }
        None
    }

    /// Renders a template; the context is data only. Taken by value: handlebars would
    /// otherwise copy the whole context for every render.
    pub fn render(&self, name: &str, ctx: Value) -> Result<String, handlebars::RenderError> {
        self.hb
            .render_with_context(name, &handlebars::Context::from(ctx))
            .map(|s| tidy_body(&s))
    }
}

/// A render error in words, after `:line:column` when it has a place in the template.
pub fn describe_render_error(e: &handlebars::RenderError) -> String {
    use handlebars::RenderErrorReason as R;
    let at = match (e.line_no, e.column_no) {
        (Some(l), Some(c)) => format!(":{l}:{c}: "),
        _ => ": ".to_string(),
    };
    let what = match e.reason() {
        R::MissingVariable(Some(path)) => format!(
            "`{path}` is not in the context here (templates render in strict mode): check the name in docs/templates.md, or test it with {{{{#if {path}}}}}"
        ),
        R::MissingVariable(None) => "a value that is not in the context here (strict mode)".to_string(),
        R::PartialNotFound(name) => format!("there is no partial `{name}` (partials/{name}.hbs)"),
        R::HelperNotFound(name) => format!("there is no helper or value `{name}`"),
        other => other.to_string(),
    };
    format!("{at}{what}")
}

/// The helper a plain partial call becomes ([`inline_partials`]).
const IN_PLACE: &str = "mailtriage-partial-in-place";

/// Turns every plain partial call (`{{> name}}`: no arguments, block or indent) into a call of
/// the [`InPlace`] helper, which renders the partial in the caller's context. Handlebars makes
/// a partial call copy the whole draft context, and a draft makes some fifteen: that copying
/// was half of the rendering time. The text is the same: such a call renders the partial with
/// the current context, and without an indent nothing else differs. A template or partial that
/// uses what could tell the two apart (decorators and inline partials, block parameters,
/// `../`, `@partial-block`) is called as handlebars calls it.
fn inline_partials(hb: &mut Handlebars<'static>) {
    hb.register_helper(IN_PLACE, Box::new(InPlace));
    let names: Vec<String> = hb.get_templates().keys().cloned().collect();
    let mut calls = HashMap::new();
    for name in names {
        let rewritten = hb
            .get_template(&name)
            .filter(|t| inlinable(t))
            .map(|t| in_place(t, hb, &mut calls));
        if let Some(t) = rewritten {
            hb.register_template(&name, t);
        }
    }
}

/// Renders the partial named by its one parameter in the current context, as if its text
/// stood in place of the call.
struct InPlace;

impl handlebars::HelperDef for InPlace {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &handlebars::Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc handlebars::Context,
        rc: &mut handlebars::RenderContext<'reg, 'rc>,
        out: &mut dyn handlebars::Output,
    ) -> handlebars::HelperResult {
        use handlebars::{RenderErrorReason, Renderable};
        let name = h.param(0).and_then(|p| p.value().as_str()).unwrap_or("");
        if rc.is_current_template(name) {
            return Err(RenderErrorReason::CannotIncludeSelf.into());
        }
        let partial = r
            .get_template(name)
            .ok_or_else(|| RenderErrorReason::PartialNotFound(name.to_string()))?;
        let caller = rc.get_current_template_name();
        let result = partial.render(r, ctx, rc, out);
        rc.set_current_template_name(caller);
        result
    }
}

/// Whether calling the partials of `t` in place, and `t` itself in place, renders the same.
fn inlinable(t: &Template) -> bool {
    use handlebars::template::{Parameter, TemplateElement as E};
    fn param_ok(p: &Parameter) -> bool {
        match p {
            Parameter::Path(_) => p
                .as_name()
                .is_some_and(|raw| !raw.contains("../") && !raw.contains("@partial-block")),
            Parameter::Subexpression(sub) => {
                sub.params().is_none_or(|ps| ps.iter().all(param_ok))
                    && sub.hash().is_none_or(|h| h.values().all(param_ok))
            }
            Parameter::Name(_) | Parameter::Literal(_) => true,
            _ => false,
        }
    }
    t.elements.iter().all(|e| match e {
        E::RawString(_) | E::Comment(_) => true,
        E::HtmlExpression(h) | E::Expression(h) | E::HelperBlock(h) => {
            h.block_param.is_none()
                && param_ok(&h.name)
                && h.params.iter().all(param_ok)
                && h.hash.values().all(param_ok)
                && h.template.as_ref().is_none_or(inlinable)
                && h.inverse.as_ref().is_none_or(inlinable)
        }
        E::PartialExpression(d) => {
            d.name.as_name() != Some("@partial-block") && d.template.as_ref().is_none_or(inlinable)
        }
        _ => false,
    })
}

/// `t` with its plain calls of inlinable partials made calls of [`InPlace`]. `calls` keeps the
/// call made for each partial name (none when it is not inlinable): a draft's partials are
/// called from every template, and each call was compiled and checked again.
fn in_place(
    t: &Template,
    hb: &Handlebars<'static>,
    calls: &mut HashMap<String, Option<handlebars::template::TemplateElement>>,
) -> Template {
    use handlebars::template::TemplateElement as E;
    let mut out = t.clone();
    for e in &mut out.elements {
        match e {
            E::PartialExpression(d)
                if d.params.is_empty()
                    && d.hash.is_empty()
                    && d.template.is_none()
                    && d.indent.is_none() =>
            {
                let call = d.name.as_name().and_then(|n| {
                    calls
                        .entry(n.to_string())
                        .or_insert_with(|| {
                            hb.get_template(n).filter(|p| inlinable(p))?;
                            let literal = serde_json::to_string(n).ok()?;
                            let c = Template::compile(&format!("{{{{{IN_PLACE} {literal}}}}}"));
                            c.ok()?.elements.into_iter().next()
                        })
                        .clone()
                });
                if let Some(call) = call {
                    *e = call;
                }
            }
            E::HtmlExpression(h) | E::Expression(h) | E::HelperBlock(h) => {
                for block in [&mut h.template, &mut h.inverse].into_iter().flatten() {
                    *block = in_place(block, hb, calls);
                }
            }
            _ => {}
        }
    }
    out
}

/// The language whose locale stands in for a language without one.
const FALLBACK: &str = "en";

/// The name a partial file is called by: `en/partials/greeting.hbs` → `en/greeting`; `None`
/// for a category template.
fn partial_name(rel: &str) -> Option<String> {
    let (lang, partial) = rel.trim_end_matches(".hbs").split_once("/partials/")?;
    Some(format!("{lang}/{partial}"))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "hbs")
            || path.file_name().is_some_and(|n| n == "locale.toml")
        {
            out.push(path);
        }
    }
    Ok(())
}

/// Trailing spaces off, at most one blank line in a row, one final newline.
fn tidy_body(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blank = 0;
    for line in s.lines().map(str::trim_end) {
        if line.is_empty() {
            blank += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        out.push_str(line);
    }
    out.push('\n');
    out
}

/// The innermost block (`if`, `each`, …) that `text` opens and never closes, with the 1-based
/// line and column of its opening tag. `None` when every block is closed, or when a block is
/// closed by the wrong name (handlebars names that one well itself).
fn unclosed_block(text: &str) -> Option<(String, (usize, usize))> {
    let mut open: Vec<(String, usize)> = Vec::new();
    let mut rest = 0;
    while let Some(i) = text[rest..].find("{{") {
        let start = rest + i;
        let body_start = start + 2;
        let inner = text[body_start..].trim_start_matches(['{', '~']);
        let skip = text.len() - body_start - inner.len();
        let end_marker = if inner.starts_with("!--") {
            "--}}"
        } else {
            "}}"
        };
        let Some(len) = text[body_start + skip..].find(end_marker) else {
            break;
        };
        let tag = &text[body_start + skip..body_start + skip + len];
        rest = body_start + skip + len + end_marker.len();
        let word = |t: &str| {
            t.trim_start_matches(['>', '*'])
                .split(|c: char| c.is_whitespace() || c == '~')
                .next()
                .unwrap_or_default()
                .to_string()
        };
        if let Some(t) = tag.strip_prefix('#') {
            open.push((word(t), start));
        } else if let Some(t) = tag.strip_prefix('/') {
            match open.pop() {
                Some((name, _)) if name == word(t) => {}
                _ => return None,
            }
        }
    }
    open.pop()
        .map(|(name, at)| (name, crate::config::line_col(text, at)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::signals::Signals;
    use crate::config::Promises;
    use crate::draft::{context, ContextInput};

    /// The context of a plain message to render `category` in `lang` with: its signals, the
    /// upset flag and whether its category was stated are what the tests vary.
    fn plain_context(
        t: &Templates,
        lang: &str,
        category: &str,
        signals: &Signals,
        upset: bool,
        stated: bool,
    ) -> serde_json::Value {
        context(&ContextInput {
            customer_name: "Kim",
            subject: "Subject",
            new_text: "Text.",
            sender_block: "",
            value: "helpful_answer",
            category,
            signature: "Support",
            language: lang,
            default_language: "en",
            locale: t.locale(lang),
            promises: &Promises::default(),
            own_addresses: &[],
            facts: &[],
            signals,
            urgent: false,
            upset,
            followup: false,
            stated,
            now: chrono::DateTime::<chrono::Utc>::MAX_UTC,
        })
    }

    #[test]
    fn template_syntax_in_customer_text_stays_literal() {
        let t = Templates::load(None).expect("templates");
        let ctx = context(&ContextInput {
            customer_name: "{{signature}}",
            subject: "{{#each}}",
            new_text: "{{> en/greeting}} <script>alert(1)</script>",
            sender_block: "",
            value: "helpful_answer",
            category: "general",
            signature: "Support",
            language: "en",
            default_language: "en",
            locale: t.locale("en"),
            promises: &Promises::default(),
            own_addresses: &[],
            facts: &[],
            signals: &Signals::default(),
            urgent: false,
            upset: false,
            followup: false,
            stated: true,
            now: chrono::DateTime::<chrono::Utc>::MAX_UTC,
        });
        let body = t.render("en/general", ctx).expect("renders");
        assert!(body.contains("{{signature}}"), "{body}");
    }

    /// Round 18 (ja 11): a change of billing details filed `billing` got the dispute's
    /// apology and a promise to check the payments; it is a change to make, and the invoice
    /// they named is reissued with the new details.
    #[test]
    fn a_billing_draft_makes_a_change_of_details_without_a_dispute_apology() {
        let t = Templates::load(None).expect("templates");
        let apology = [
            ("en", "sorry"),
            ("de", "leid"),
            ("fr", "désolé"),
            ("es", "Sentimos"),
            ("zh", "抱歉"),
            ("ja", "申し訳"),
            ("ko", "죄송"),
            ("he", "צר לנו"),
            ("et", "Vabandame"),
        ];
        for (lang, sorry) in apology {
            let render = |asks: &[&str]| {
                let signals = Signals {
                    asks: asks.iter().map(|a| a.to_string()).collect(),
                    refs: vec![crate::classify::signals::Ref {
                        kind: "invoice".into(),
                        value: "INV-2026-0415".into(),
                    }],
                    ..Signals::default()
                };
                let ctx = plain_context(&t, lang, "billing", &signals, false, true);
                t.render(&format!("{lang}/billing"), ctx).expect("renders")
            };
            let dispute = render(&[]);
            let change = render(&["address_change"]);
            assert!(dispute.contains(sorry), "{lang}: {dispute}");
            assert!(!change.contains(sorry), "{lang}: {change}");
            assert!(change.contains("INV-2026-0415"), "{lang}: {change}");
        }
    }

    /// Round 19 (ja 22): an angry message the classifier could not place got "thank you for
    /// your message" and nothing more; the general draft owns their frustration instead.
    #[test]
    fn an_upset_general_draft_apologises() {
        let t = Templates::load(None).expect("templates");
        for (lang, sorry) in [
            ("en", "sorry"),
            ("de", "leid"),
            ("fr", "désolés"),
            ("es", "Lamentamos"),
            ("et", "Vabandame"),
            ("he", "מצטערים"),
            ("ja", "申し訳"),
            ("ko", "죄송"),
            ("zh", "歉意"),
        ] {
            let render = |upset: bool| {
                let ctx = plain_context(&t, lang, "general", &Signals::default(), upset, true);
                t.render(&format!("{lang}/general"), ctx).expect("renders")
            };
            assert!(render(true).contains(sorry), "{lang}: {}", render(true));
            assert!(!render(false).contains(sorry), "{lang}: {}", render(false));
        }
    }

    #[test]
    fn a_repeat_contact_draft_apologises_for_repeated_contact_only_when_it_is_stated() {
        // A first call request the model alone files as a repeat contact must not be told
        // "sorry you had to contact us several times"; the message or the history must say so.
        let t = Templates::load(None).expect("templates");
        let apology = [
            ("en", "more than once"),
            ("de", "mehrfach"),
            ("fr", "à plusieurs reprises"),
            ("es", "varias veces"),
            ("zh", "一再联系"),
            ("ja", "何度も"),
            ("ko", "여러 번"),
            ("he", "שוב ושוב"),
            ("et", "mitu korda"),
        ];
        for (lang, said) in apology {
            let render = |stated: bool| {
                let ctx = plain_context(
                    &t,
                    lang,
                    "repeat_contact",
                    &Signals::default(),
                    false,
                    stated,
                );
                t.render(&format!("{lang}/repeat_contact"), ctx)
                    .expect("renders")
            };
            assert!(render(true).contains(said), "{lang}: {}", render(true));
            assert!(!render(false).contains(said), "{lang}: {}", render(false));
        }
    }
}
