//! Prints triage outcomes: JSON Lines for programs (the brief's contract) and a plain form an
//! agent reads like the draft in their mail client.

use std::io::{self, Write};

use serde_json::json;

use crate::pipeline::{Action, Outcome};

/// One JSON line for an outcome.
pub fn json_line(out: &mut impl Write, o: &Outcome) -> io::Result<()> {
    let line = serde_json::to_string(o).map_err(io::Error::other)?;
    writeln!(out, "{line}")
}

/// One JSON line for an input that could not be triaged.
pub fn json_error(out: &mut impl Write, source: &str, error: &str) -> io::Result<()> {
    writeln!(out, "{}", json!({ "source": source, "error": error }))
}

/// The outcome as an agent would read it: a summary, the facts, then the draft.
pub fn human(out: &mut impl Write, o: &Outcome, raw: bool) -> io::Result<()> {
    writeln!(out, "== {}", o.source)?;
    let from = o.from.as_deref().unwrap_or("(no sender)");
    match o.action {
        Action::Skip => {
            let reason = o.skip_reason.map_or("", |r| r.as_str());
            writeln!(
                out,
                "skip ({reason}) · from {from} · language {}",
                o.language
            )?;
        }
        Action::Draft => {
            let v = |x: Option<serde_json::Value>| {
                x.and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            };
            writeln!(
                out,
                "draft · {} ({:.2}) · values {} · priority {} · tone {} · from {from} · language {}",
                o.category.as_deref().unwrap_or(""),
                o.confidence.unwrap_or(0.0),
                o.value.as_deref().unwrap_or(""),
                v(o.priority.and_then(|p| serde_json::to_value(p).ok())),
                v(o.tone.and_then(|t| serde_json::to_value(t).ok())),
                o.language
            )?;
        }
    }
    let summary = o.facts_summary();
    if !summary.is_empty() {
        writeln!(out, "facts: {summary}")?;
    }
    if let Some(d) = o.draft.as_ref().filter(|_| raw) {
        writeln!(
            out,
            "--- draft ({}), exactly as it is appended ---",
            d.template
        )?;
        out.write_all(&d.raw)?;
    } else if let Some(d) = &o.draft {
        writeln!(
            out,
            "--- draft ({}): main headers and body; --raw shows it exactly as appended ---",
            d.template
        )?;
        writeln!(out, "From: {}", d.from)?;
        writeln!(out, "To: {}", d.to_mailbox)?;
        writeln!(out, "Subject: {}", d.subject)?;
        if let Some(irt) = &d.in_reply_to {
            writeln!(out, "In-Reply-To: {irt}")?;
        }
        writeln!(out)?;
        write!(out, "{}", d.body)?;
    }
    writeln!(out)
}
