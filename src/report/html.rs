//! `report --html`: the report as one self-contained HTML page, every section a table, with
//! two charts drawn by plotters as inline SVG (messages per day; draft outcomes per template).
//! Nothing on the page is loaded from elsewhere: no scripts, fonts, images or links.
//!
//! Strings from the data (categories, languages, template names, skip reasons) come from mail
//! and are escaped: [`esc`] in the HTML, plotters itself in the SVG text.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::NaiveDate;
use plotters::coord::ranged1d::{SegmentValue, SegmentedCoord};
use plotters::coord::types::RangedCoordusize;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{Outcomes, Report};

/// Fill of the bars of messages per day: distinctive, so that a check of the rendered page can
/// find the chart by its colour.
pub const MESSAGES_RGB: (u8, u8, u8) = (0x1f, 0x77, 0xb4);

/// The outcomes in the order stacked in the chart, with their labels and bar fills (as
/// distinctive as [`MESSAGES_RGB`]).
pub const OUTCOME_RGB: [(&str, (u8, u8, u8)); 6] = [
    ("sent unchanged", (0x2c, 0xa0, 0x2c)),
    ("sent edited", (0xff, 0x7f, 0x0e)),
    ("rewritten", (0xd6, 0x27, 0x28)),
    ("pending", (0x17, 0xbe, 0xcf)),
    ("removed", (0x94, 0x67, 0xbd)),
    ("discarded", (0x8c, 0x56, 0x4b)),
];

const CHART_WIDTH: u32 = 960;
const DAY_CHART_HEIGHT: u32 = 320;
/// Days with no message are drawn as empty bars, unless the days span more than this.
const MAX_FILLED_DAYS: u64 = 400;
const MAX_DAY_LABELS: usize = 14;

const STYLE: &str = "\
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1000px;padding:0 1rem;color:#222;background:#fff}\
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ddd}\
table{border-collapse:collapse;margin:.5rem 0 1rem}\
th,td{border:1px solid #ccc;padding:.25rem .6rem;text-align:left}\
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\
thead th{background:#f3f3f3}\
.row{display:flex;flex-wrap:wrap;gap:2rem}\
svg{max-width:100%;height:auto;display:block;margin:.5rem 0}\
.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:1rem}\
.swatch{display:inline-block;width:.9em;height:.9em;margin-right:.3em;vertical-align:-.1em}\
.none{color:#777}";

/// The page: tables for every section of the report, charts of messages per day and of the
/// draft outcomes per template.
pub fn to_html(report: &Report) -> String {
    let since = report
        .period
        .since
        .map_or_else(|| "the start".to_string(), |d| d.to_string());
    let until = report.period.until.to_string();
    let mut h = String::new();
    h.push_str("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(h, "<title>mailtriage report: {since} to {until}</title>");
    let _ = writeln!(h, "<style>{STYLE}</style>\n</head>\n<body>");
    let _ = writeln!(
        h,
        "<h1>mailtriage report</h1>\n<p>From {since} to {until} (UTC).</p>"
    );

    let _ = writeln!(
        h,
        "<h2>Messages</h2>\n<p>{} messages handled.</p>",
        report.messages.total
    );
    h.push_str(&day_chart(&report.messages.by_day));
    let by_day = report
        .messages
        .by_day
        .iter()
        .map(|(d, n)| (d.to_string(), *n));
    h.push_str(&count_table("Day", by_day.collect()));

    h.push_str("<div class=\"row\">\n<section>\n<h2>By category</h2>\n");
    h.push_str(&count_table("Category", owned(&report.by_category)));
    h.push_str("</section>\n<section>\n<h2>By language</h2>\n");
    h.push_str(&count_table("Language", owned(&report.by_language)));
    h.push_str("</section>\n<section>\n<h2>Skipped</h2>\n");
    h.push_str(&count_table("Reason", owned(&report.skips)));
    h.push_str("</section>\n</div>\n");

    h.push_str("<h2>Drafts</h2>\n");
    h.push_str(&outcomes_table(&report.drafts));
    h.push_str("<h2>Drafts per template</h2>\n");
    h.push_str(&legend());
    h.push_str(&template_chart(report));
    h.push_str(&templates_table(report));

    h.push_str("<h2>Category corrections</h2>\n");
    h.push_str(&corrections_table(report));

    h.push_str("<h2>Latency</h2>\n");
    h.push_str(&latency_table(report));
    h.push_str("</body>\n</html>\n");
    h
}

/// `s` safe as HTML text and as a quoted attribute value.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn owned(counts: &BTreeMap<String, u64>) -> Vec<(String, u64)> {
    counts.iter().map(|(k, v)| (k.clone(), *v)).collect()
}

fn hex((r, g, b): (u8, u8, u8)) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// A two-column table of names and counts, or a line saying there is nothing.
fn count_table(what: &str, rows: Vec<(String, u64)>) -> String {
    if rows.is_empty() {
        return "<p class=\"none\">None.</p>\n".to_string();
    }
    let mut t = format!(
        "<table>\n<thead><tr><th>{what}</th><th class=\"n\">Messages</th></tr></thead>\n<tbody>\n"
    );
    for (name, n) in rows {
        let _ = writeln!(
            t,
            "<tr><td>{}</td><td class=\"n\">{n}</td></tr>",
            esc(&name)
        );
    }
    t.push_str("</tbody>\n</table>\n");
    t
}

/// The counts of one [`Outcomes`] in table order, after `made`.
fn outcome_counts(o: &Outcomes) -> [u64; 6] {
    [
        o.sent_unchanged,
        o.sent_edited,
        o.rewritten,
        o.pending,
        o.removed,
        o.discarded,
    ]
}

fn outcome_headers() -> String {
    let mut h = String::from("<th class=\"n\">Made</th>");
    for (label, _) in OUTCOME_RGB {
        let _ = write!(h, "<th class=\"n\">{}</th>", esc(&capitalised(label)));
    }
    h
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn outcome_cells(o: &Outcomes) -> String {
    let mut c = format!("<td class=\"n\">{}</td>", o.made);
    for n in outcome_counts(o) {
        let _ = write!(c, "<td class=\"n\">{n}</td>");
    }
    c
}

fn outcomes_table(o: &Outcomes) -> String {
    format!(
        "<table>\n<thead><tr>{}</tr></thead>\n<tbody>\n<tr>{}</tr>\n</tbody>\n</table>\n",
        outcome_headers(),
        outcome_cells(o)
    )
}

fn templates_table(report: &Report) -> String {
    if report.templates.is_empty() {
        return "<p class=\"none\">No drafts.</p>\n".to_string();
    }
    let mut t = format!(
        "<table>\n<thead><tr><th>Template</th>{}<th class=\"n\">Median similarity</th></tr></thead>\n<tbody>\n",
        outcome_headers()
    );
    for (name, o) in &report.templates {
        let similarity = o
            .median_similarity
            .map_or_else(|| "–".to_string(), |s| format!("{s:.2}"));
        let _ = writeln!(
            t,
            "<tr><td>{}</td>{}<td class=\"n\">{similarity}</td></tr>",
            esc(name),
            outcome_cells(&o.outcomes)
        );
    }
    t.push_str("</tbody>\n</table>\n");
    t
}

fn corrections_table(report: &Report) -> String {
    if report.corrections.is_empty() {
        return "<p class=\"none\">None.</p>\n".to_string();
    }
    let mut t = String::from(
        "<table>\n<thead><tr><th>From</th><th>To</th><th class=\"n\">Count</th></tr></thead>\n<tbody>\n",
    );
    for c in &report.corrections {
        let _ = writeln!(
            t,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td></tr>",
            esc(&c.from),
            esc(&c.to),
            c.count
        );
    }
    t.push_str("</tbody>\n</table>\n");
    t
}

fn latency_table(report: &Report) -> String {
    let mut t = String::from(
        "<table>\n<thead><tr><th>From arrival to</th><th class=\"n\">Median</th><th class=\"n\">Messages</th></tr></thead>\n<tbody>\n",
    );
    for (what, m) in [
        ("the draft", &report.latency.to_draft),
        ("the answer", &report.latency.to_answer),
    ] {
        let median = m.median_seconds.map_or_else(|| "–".to_string(), duration);
        let _ = writeln!(
            t,
            "<tr><td>{what}</td><td class=\"n\">{median}</td><td class=\"n\">{}</td></tr>",
            m.count
        );
    }
    t.push_str("</tbody>\n</table>\n");
    t
}

/// Seconds as a person reads them: "42 s", "3 min 20 s", "5 h 12 min", "2 d 3 h".
fn duration(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    let (d, h, m, s) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s} s"),
        (0, 0, _) => format!("{m} min {s} s"),
        (0, _, _) => format!("{h} h {m} min"),
        _ => format!("{d} d {h} h"),
    }
}

fn legend() -> String {
    let mut l = String::from("<ul class=\"legend\">");
    for (label, rgb) in OUTCOME_RGB {
        let _ = write!(
            l,
            "<li><span class=\"swatch\" style=\"background:{}\"></span>{}</li>",
            hex(rgb),
            esc(label)
        );
    }
    l.push_str("</ul>\n");
    l
}

type Drawn = Result<(), DrawingAreaErrorKind<std::io::Error>>;

/// Runs `draw` on an SVG canvas and returns the SVG for inlining: without the XML namespace
/// (which HTML implies), labelled for screen readers. A failure to draw leaves a note instead.
fn svg(
    size: (u32, u32),
    label: &str,
    draw: impl FnOnce(&DrawingArea<SVGBackend, plotters::coord::Shift>) -> Drawn,
) -> String {
    let mut out = String::new();
    let drawn = {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        root.fill(&WHITE)
            .and_then(|()| draw(&root))
            .and_then(|()| root.present())
    };
    match drawn {
        Ok(()) => out
            .replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
            .replacen(
                "<svg ",
                &format!("<svg role=\"img\" aria-label=\"{}\" ", esc(label)),
                1,
            ),
        Err(e) => format!(
            "<p class=\"none\">Chart not drawn: {}</p>\n",
            esc(&e.to_string())
        ),
    }
}

fn no_data(root: &DrawingArea<SVGBackend, plotters::coord::Shift>, caption: &str) -> Drawn {
    let (w, h) = root.dim_in_pixel();
    root.draw(&Text::new(
        caption.to_string(),
        (20, 24),
        ("sans-serif", 20).into_font(),
    ))?;
    let centre = (w as i32 / 2, h as i32 / 2);
    let style = ("sans-serif", 18)
        .into_font()
        .color(&RGBColor(0x77, 0x77, 0x77))
        .pos(Pos::new(HPos::Center, VPos::Center));
    root.draw(&Text::new("no data", centre, style))
}

/// An axis of `n` (at least one) segments, 0 to n - 1: plotters counts both ends of an
/// integer range.
fn segments(n: usize) -> SegmentedCoord<RangedCoordusize> {
    (0..n.saturating_sub(1)).into_segmented()
}

/// Bars of messages per day, days without messages included (as gaps) unless the period is
/// very long.
fn day_chart(by_day: &BTreeMap<NaiveDate, u64>) -> String {
    const CAPTION: &str = "Messages per day";
    let days = filled_days(by_day);
    svg((CHART_WIDTH, DAY_CHART_HEIGHT), CAPTION, |root| {
        if days.is_empty() {
            return no_data(root, CAPTION);
        }
        let top = days.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
        let mut chart = ChartBuilder::on(root)
            .caption(CAPTION, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(48)
            .build_cartesian_2d(segments(days.len()), 0..top + top / 10 + 1)?;
        let label = |v: &SegmentValue<usize>| match v {
            SegmentValue::Exact(i) | SegmentValue::CenterOf(i) => days
                .get(*i)
                .map(|(d, _)| d.format("%m-%d").to_string())
                .unwrap_or_default(),
            SegmentValue::Last => String::new(),
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(days.len().min(MAX_DAY_LABELS))
            .x_label_formatter(&label)
            .label_style(("sans-serif", 13))
            .y_desc("messages")
            .draw()?;
        let fill = RGBColor(MESSAGES_RGB.0, MESSAGES_RGB.1, MESSAGES_RGB.2).filled();
        chart.draw_series(days.iter().enumerate().map(|(i, (_, n))| {
            let mut bar = Rectangle::new(
                [
                    (SegmentValue::Exact(i), 0),
                    (SegmentValue::Exact(i + 1), *n),
                ],
                fill,
            );
            bar.set_margin(0, 0, 2, 2);
            bar
        }))?;
        Ok(())
    })
}

/// Every day from the first to the last with messages, unless that spans too many.
fn filled_days(by_day: &BTreeMap<NaiveDate, u64>) -> Vec<(NaiveDate, u64)> {
    let (Some((first, _)), Some((last, _))) = (by_day.first_key_value(), by_day.last_key_value())
    else {
        return Vec::new();
    };
    let span = last.signed_duration_since(*first).num_days();
    if span < 0 || span as u64 > MAX_FILLED_DAYS {
        return by_day.iter().map(|(d, n)| (*d, *n)).collect();
    }
    first
        .iter_days()
        .take_while(|d| d <= last)
        .map(|d| (d, by_day.get(&d).copied().unwrap_or(0)))
        .collect()
}

/// Horizontal bars, one per template, stacked by outcome.
fn template_chart(report: &Report) -> String {
    const CAPTION: &str = "Draft outcomes per template";
    // plotters counts rows from the bottom: reversed, they read top down as in the table.
    let templates: Vec<(&String, [u64; 6])> = report
        .templates
        .iter()
        .rev()
        .map(|(name, o)| (name, outcome_counts(&o.outcomes)))
        .collect();
    let rows = u32::try_from(templates.len()).unwrap_or(u32::MAX).min(200);
    let height = 90 + 30 * rows.max(4);
    let longest = templates
        .iter()
        .map(|(n, _)| n.chars().count())
        .max()
        .unwrap_or(0);
    let label_width = (longest as u32 * 8 + 16).clamp(60, 260);
    svg((CHART_WIDTH, height), CAPTION, |root| {
        if templates.is_empty() {
            return no_data(root, CAPTION);
        }
        let widest = templates
            .iter()
            .map(|(_, c)| c.iter().sum::<u64>())
            .max()
            .unwrap_or(0)
            .max(1);
        let mut chart = ChartBuilder::on(root)
            .caption(CAPTION, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(label_width)
            .build_cartesian_2d(
                0..widest + widest / 10 + 1,
                (0..templates.len()).into_segmented(),
            )?;
        let label = |v: &SegmentValue<usize>| match v {
            SegmentValue::Exact(i) | SegmentValue::CenterOf(i) => templates
                .get(*i)
                .map(|(name, _)| name.to_string())
                .unwrap_or_default(),
            SegmentValue::Last => String::new(),
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(templates.len())
            .y_label_formatter(&label)
            .label_style(("sans-serif", 13))
            .x_desc("drafts")
            .draw()?;
        for (k, (_, rgb)) in OUTCOME_RGB.iter().enumerate() {
            let fill = RGBColor(rgb.0, rgb.1, rgb.2).filled();
            chart.draw_series(
                templates
                    .iter()
                    .enumerate()
                    .filter(|(_, (_, c))| c[k] > 0)
                    .map(|(i, (_, c))| {
                        let start: u64 = c[..k].iter().sum();
                        let mut bar = Rectangle::new(
                            [
                                (start, SegmentValue::Exact(i)),
                                (start + c[k], SegmentValue::Exact(i + 1)),
                            ],
                            fill,
                        );
                        bar.set_margin(3, 3, 0, 0);
                        bar
                    }),
            )?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Latency, Median, Messages, Period, TemplateOutcomes};

    fn one_of_each() -> Report {
        let day: NaiveDate = "2024-06-03".parse().unwrap();
        let outcomes = Outcomes {
            made: 1,
            sent_unchanged: 1,
            ..Outcomes::default()
        };
        let none = Median {
            median_seconds: None,
            count: 0,
        };
        Report {
            period: Period {
                since: Some(day),
                until: day,
            },
            messages: Messages {
                total: 1,
                by_day: [(day, 1)].into(),
            },
            by_category: [("outage".to_string(), 1)].into(),
            by_language: [("en".to_string(), 1)].into(),
            skips: BTreeMap::new(),
            drafts: outcomes.clone(),
            templates: [(
                "en/outage".to_string(),
                TemplateOutcomes {
                    outcomes,
                    median_similarity: Some(1.0),
                },
            )]
            .into(),
            corrections: vec![],
            latency: Latency {
                to_draft: none.clone(),
                to_answer: none,
            },
        }
    }

    #[test]
    fn one_day_and_one_template_are_drawn() {
        let html = to_html(&one_of_each());
        assert_eq!(html.matches("<svg role=\"img\"").count(), 2);
        // plotters writes colours in upper case.
        let bars = format!("fill=\"{}\"", hex(MESSAGES_RGB).to_uppercase());
        assert_eq!(html.matches(&bars).count(), 1, "{html}");
        let unchanged = format!("fill=\"{}\"", hex(OUTCOME_RGB[0].1).to_uppercase());
        assert_eq!(html.matches(&unchanged).count(), 1, "{html}");
        assert!(html.contains("\n06-03\n</text>"), "{html}");
        assert!(html.contains("en/outage"));
        assert!(!html.contains("no data"));
    }

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(duration(42.4), "42 s");
        assert_eq!(duration(200.0), "3 min 20 s");
        assert_eq!(duration(5.0 * 3600.0 + 12.0 * 60.0), "5 h 12 min");
        assert_eq!(duration(2.0 * 86_400.0 + 3.0 * 3600.0 + 59.0), "2 d 3 h");
        assert_eq!(duration(-3.0), "0 s");
    }

    #[test]
    fn markup_is_escaped() {
        assert_eq!(
            esc(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
