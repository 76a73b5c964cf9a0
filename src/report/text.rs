//! The report as plain text, for a terminal: the same figures as the JSON, one section each.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::{Median, Outcomes, Report};

fn counts(out: &mut String, title: &str, map: &BTreeMap<String, u64>) {
    let _ = write!(out, "{title}:");
    if map.is_empty() {
        out.push_str(" none");
    }
    let mut v: Vec<_> = map.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (k, n) in v {
        let _ = write!(out, " {k} {n},");
    }
    if out.ends_with(',') {
        out.pop();
    }
    out.push('\n');
}

fn outcomes(o: &Outcomes) -> String {
    format!(
        "{} made: {} pending, {} sent unchanged, {} sent edited, {} rewritten, {} removed, {} discarded",
        o.made, o.pending, o.sent_unchanged, o.sent_edited, o.rewritten, o.removed, o.discarded
    )
}

fn median(m: &Median) -> String {
    match m.median_seconds {
        Some(s) if s >= 3600.0 => format!("{:.1} h (median of {})", s / 3600.0, m.count),
        Some(s) if s >= 60.0 => format!("{:.0} min (median of {})", s / 60.0, m.count),
        Some(s) => format!("{s:.0} s (median of {})", m.count),
        None => "no data".into(),
    }
}

/// The report as lines of text.
pub fn to_text(r: &Report) -> String {
    let mut out = String::new();
    let since = r
        .period
        .since
        .map_or("the journal's start".to_string(), |d| d.to_string());
    let _ = writeln!(
        out,
        "from {since} to {}: {} messages",
        r.period.until, r.messages.total
    );
    counts(&mut out, "by category", &r.by_category);
    counts(&mut out, "by language", &r.by_language);
    counts(&mut out, "skipped", &r.skips);
    let _ = writeln!(out, "drafts: {}", outcomes(&r.drafts));
    for (t, o) in &r.templates {
        let similarity = o
            .median_similarity
            .map_or(String::new(), |s| format!("; median similarity {s:.2}"));
        let _ = writeln!(out, "  {t}: {}{similarity}", outcomes(&o.outcomes));
    }
    out.push_str("corrections by agents:");
    if r.corrections.is_empty() {
        out.push_str(" none");
    }
    for c in &r.corrections {
        let _ = write!(out, " {} → {} {},", c.from, c.to, c.count);
    }
    if out.ends_with(',') {
        out.pop();
    }
    out.push('\n');
    let _ = writeln!(out, "arrival to draft: {}", median(&r.latency.to_draft));
    let _ = writeln!(out, "arrival to answer: {}", median(&r.latency.to_answer));
    out
}
