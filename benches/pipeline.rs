//! Throughput of the pure pipeline on one thread: `cargo bench --bench pipeline`.
//!
//! Loads the engine once from tests/fixtures/config.toml, reads every tests/fixtures/*.eml and
//! measures messages per second of `Engine::triage` over the whole corpus, repeated until at
//! least `MAILTRIAGE_BENCH_SECS` seconds (default 2) have been measured, after a warm-up. The
//! same for the "typical support mail" subset (fixtures smaller than 8 KB). Then a per-stage
//! split (parse; classify on already parsed text, itself split into normalise + phrase hits and
//! language detection; the whole triage), a per-language view and the slowest fixtures, and the
//! peak resident memory (VmHWM) before and after.
//!
//! Rates are per second of this thread's CPU time (from /proc/thread-self/schedstat), so they
//! hold on a busy machine; the wall-clock rate and the share of time spent waiting for a CPU
//! are printed beside them. Where schedstat is missing, CPU time falls back to wall time.
//!
//! Plain `std` only (no criterion): a small table is all it prints.
//!
//! `MAILTRIAGE_BENCH_ONLY=TEXT` keeps only the fixtures whose name contains TEXT (`-ja-`, say).
//!
//! `MAILTRIAGE_BENCH_PROFILE=SECS` runs only the whole triage of typical mail for SECS seconds
//! and prints nothing else, for `perf record` and the like. `MAILTRIAGE_BENCH_PASSES=N` runs
//! exactly N passes over it after the warm-up, for an instruction count that a busy machine
//! does not blur (`valgrind --tool=callgrind`, two builds compared).

/// The allocator the `mailtriage` binary ships with (see src/main.rs), and its settings
/// ([`mailtriage::allocator`]), so the figures hold; left out with `system-alloc`.
#[cfg(not(feature = "system-alloc"))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use mailtriage::classify::{classify, lang};
use mailtriage::draft::{strip_prefixes, DraftEnv};
use mailtriage::parse::{parse, Parsed};
use mailtriage::pipeline::{load_engine, Engine};
use mailtriage::rules::normalize;

/// Fixtures below this size are the "typical support mail" subset.
const TYPICAL_BYTES: usize = 8 * 1024;
/// Throughput the pipeline is meant to reach on typical mail: 250 µs a message (#10 put
/// accuracy first; a support inbox sees a few messages a minute).
const TARGET_MSG_PER_S: f64 = 4_000.0;

struct Fixture {
    name: String,
    raw: Vec<u8>,
}

/// This thread's time on a CPU so far (Linux schedstat), if the kernel tells.
fn thread_cpu() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// Wall-clock and CPU time of one measurement.
#[derive(Clone, Copy)]
struct Span {
    msgs: u64,
    wall: Duration,
    cpu: Duration,
}

impl Span {
    fn per_s(&self) -> f64 {
        self.msgs as f64 / self.cpu.as_secs_f64()
    }
    fn wall_per_s(&self) -> f64 {
        self.msgs as f64 / self.wall.as_secs_f64()
    }
    fn us(&self) -> f64 {
        self.cpu.as_secs_f64() * 1e6 / self.msgs as f64
    }
    fn waiting(&self) -> f64 {
        (1.0 - self.cpu.as_secs_f64() / self.wall.as_secs_f64()).max(0.0)
    }
}

/// Calls `pass` (one pass over a set of `per_pass` messages) until `min` wall time has passed.
fn measure(min: Duration, per_pass: usize, mut pass: impl FnMut()) -> Span {
    let cpu0 = thread_cpu();
    let start = Instant::now();
    let mut msgs = 0u64;
    loop {
        pass();
        msgs += per_pass as u64;
        let wall = start.elapsed();
        if wall >= min {
            let cpu = match (cpu0, thread_cpu()) {
                (Some(a), Some(b)) if b > a => b - a,
                _ => wall,
            };
            return Span { msgs, wall, cpu };
        }
    }
}

fn run_for<T>(set: &[&Fixture], min: Duration, mut f: impl FnMut(&Fixture) -> T) -> Span {
    measure(min, set.len(), || {
        for fx in set {
            black_box(f(black_box(fx)));
        }
    })
}

fn run_parsed_for<T>(
    set: &[(&Fixture, Parsed)],
    min: Duration,
    mut f: impl FnMut(&Parsed) -> T,
) -> Span {
    measure(min, set.len(), || {
        for (_, p) in set {
            black_box(f(black_box(p)));
        }
    })
}

fn status_kb(field: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn mem() -> String {
    let f = |v: Option<u64>| v.map_or("?".into(), |k| format!("{:.1} MiB", k as f64 / 1024.0));
    format!(
        "VmHWM {} (VmRSS {})",
        f(status_kb("VmHWM")),
        f(status_kb("VmRSS"))
    )
}

/// What language detection reads: the new text, subject + new text, its normalised form and
/// the phrase votes.
type LangInput = (String, String, String, Vec<(String, f32)>);

struct Row {
    stage: &'static str,
    set: &'static str,
    span: Span,
}

/// The text classify hands to language detection (mirrors `classify::classify`).
fn lang_text<'a>(new_text: &'a str, joined: &'a str) -> &'a str {
    if new_text.trim().chars().count() < 20 {
        joined
    } else {
        new_text
    }
}

fn main() {
    mailtriage::allocator::return_freed_memory_promptly();
    let secs: f64 = std::env::var("MAILTRIAGE_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2.0);
    let whole_time = Duration::from_secs_f64(secs);
    let stage_time = Duration::from_secs_f64((secs / 2.0).max(0.5));

    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mem_start = mem();
    let engine: Engine = load_engine(&root.join("tests/fixtures/config.toml"))
        .expect("load tests/fixtures/config.toml");
    let mem_loaded = mem();

    let mut paths: Vec<PathBuf> = std::fs::read_dir(root.join("tests/fixtures"))
        .expect("read tests/fixtures")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    if let Ok(only) = std::env::var("MAILTRIAGE_BENCH_ONLY") {
        paths.retain(|p| p.to_string_lossy().contains(&only));
    }
    paths.sort();
    let fixtures: Vec<Fixture> = paths
        .iter()
        .map(|p| Fixture {
            name: p.file_name().unwrap().to_string_lossy().into_owned(),
            raw: std::fs::read(p).expect("read fixture"),
        })
        .collect();
    assert!(!fixtures.is_empty(), "no tests/fixtures/*.eml");
    let all: Vec<&Fixture> = fixtures.iter().collect();
    let typical: Vec<&Fixture> = fixtures
        .iter()
        .filter(|f| f.raw.len() < TYPICAL_BYTES)
        .collect();
    let bytes = |s: &[&Fixture]| s.iter().map(|f| f.raw.len()).sum::<usize>();

    let env = DraftEnv {
        now: Utc.with_ymd_and_hms(2025, 3, 14, 9, 26, 53).unwrap(),
        nonce: 0x5eed,
    };
    let rules = &engine.rules;
    let default_lang = engine.config.triage.default_language.clone();
    let min_conf = engine.config.triage.min_confidence;
    let triage = |fx: &Fixture| engine.triage(&fx.raw, &fx.name, &env, None);

    // For an instruction counter: exactly that many passes over typical mail
    // after one of warm-up (no timed warm-up: the count must not depend on the clock), so
    // `valgrind --tool=callgrind` compares two builds without a busy machine's timing noise.
    if let Some(n) = std::env::var("MAILTRIAGE_BENCH_PASSES")
        .ok()
        .and_then(|s| s.parse::<usize>().ok())
    {
        for _ in 0..=n {
            for fx in &typical {
                let _ = black_box(triage(black_box(fx)));
            }
        }
        println!("{} triages of typical mail", n * typical.len());
        return;
    }
    // What the corpus holds, and a warm-up (page faults, lazy statics, regex caches).
    let (mut drafts, mut skips, mut errors) = (0, 0, 0);
    for fx in &all {
        match triage(fx) {
            Ok(o) if o.draft.is_some() => drafts += 1,
            Ok(_) => skips += 1,
            Err(_) => errors += 1,
        }
    }
    run_for(&all, Duration::from_millis(500), triage);

    // For a profiler: only the whole triage of typical mail, for that many seconds.
    if let Some(p) = std::env::var("MAILTRIAGE_BENCH_PROFILE")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
    {
        let s = run_for(&typical, Duration::from_secs_f64(p), triage);
        println!(
            "profile run: {} triages of typical mail, {:.0} msg/s of CPU time",
            s.msgs,
            s.per_s()
        );
        return;
    }

    println!("mailtriage pipeline bench — one thread, {secs:.1} s per whole-triage measurement");
    println!(
        "corpus: {} fixtures, {:.1} KiB (draft {drafts}, skip {skips}, error {errors}); \
         typical (< {} KiB): {} fixtures, {:.1} KiB",
        all.len(),
        bytes(&all) as f64 / 1024.0,
        TYPICAL_BYTES / 1024,
        typical.len(),
        bytes(&typical) as f64 / 1024.0
    );

    let mut rows = Vec::new();
    for (set_name, set) in [("all", &all), ("typical", &typical)] {
        let pre: Vec<(&Fixture, Parsed)> = set
            .iter()
            .filter_map(|&f| parse(&f.raw, rules).ok().map(|p| (f, p)))
            .collect();
        let mut row = |stage, span| {
            rows.push(Row {
                stage,
                set: set_name,
                span,
            })
        };
        row(
            "parse",
            run_for(set, stage_time, |fx| parse(&fx.raw, rules)),
        );
        row(
            "classify",
            run_parsed_for(&pre, stage_time, |p| {
                let subject = strip_prefixes(&p.subject);
                classify(
                    rules,
                    engine.model.as_ref(),
                    &subject,
                    &p.new_text,
                    &p.new_norm,
                    &default_lang,
                    min_conf,
                )
            }),
        );
        row(
            " ├ normalise+hits",
            run_parsed_for(&pre, stage_time, |p| {
                let subject = strip_prefixes(&p.subject);
                rules.hits(&format!("{}\n{}", normalize(&subject), p.new_norm))
            }),
        );
        // Language detection alone (common-word count included), with the phrase votes
        // classify would pass.
        let inputs: Vec<LangInput> = pre
            .iter()
            .map(|(_, p)| {
                let subject = strip_prefixes(&p.subject);
                let joined = format!("{subject}\n{}", p.new_text);
                let norm = normalize(&joined);
                let votes = rules
                    .hits(&norm)
                    .iter()
                    .map(|h| (rules.languages[h.language].clone(), h.weight))
                    .collect();
                (p.new_text.clone(), joined, norm, votes)
            })
            .collect();
        row(
            " └ lang::detect",
            measure(stage_time, inputs.len(), || {
                for (new_text, joined, norm, votes) in &inputs {
                    let v: Vec<(&str, f32)> = votes.iter().map(|(l, w)| (l.as_str(), *w)).collect();
                    black_box(lang::detect(
                        lang_text(new_text, joined),
                        || rules.language_words(norm),
                        &v,
                        &default_lang,
                    ));
                }
            }),
        );
        row("triage (whole)", run_for(set, whole_time, triage));
    }

    println!();
    println!(
        "{:<18} {:<8} {:>10} {:>9} {:>8} {:>8} {:>11} {:>6}",
        "stage", "set", "msg/s", "µs/msg", "msgs", "%triage", "wall msg/s", "wait"
    );
    let whole = |set: &str| {
        rows.iter()
            .find(|w| w.set == set && w.stage == "triage (whole)")
            .map_or(f64::NAN, |w| w.span.us())
    };
    for r in &rows {
        let s = &r.span;
        println!(
            "{:<18} {:<8} {:>10.0} {:>9.2} {:>8} {:>7.1}% {:>11.0} {:>5.0}%",
            r.stage,
            r.set,
            s.per_s(),
            s.us(),
            s.msgs,
            100.0 * s.us() / whole(r.set),
            s.wall_per_s(),
            100.0 * s.waiting()
        );
    }
    for set in ["all", "typical"] {
        let us = |stage: &str| {
            rows.iter()
                .find(|r| r.set == set && r.stage == stage)
                .map_or(0.0, |r| r.span.us())
        };
        println!(
            "{set:<8} rest of triage (screen, facts, render, build): ≈ {:.2} µs/msg",
            us("triage (whole)") - us("parse") - us("classify")
        );
    }
    let typ = rows
        .iter()
        .find(|r| r.set == "typical" && r.stage == "triage (whole)")
        .map_or(0.0, |r| r.span.per_s());
    println!(
        "typical mail: {typ:.0} msg/s per CPU second ({} the {TARGET_MSG_PER_S:.0} msg/s target)",
        if typ >= TARGET_MSG_PER_S {
            "meets"
        } else {
            "BELOW"
        }
    );

    // Per fixture: where the time goes, by detected language and the slowest files.
    let per_file = Duration::from_millis(20);
    let mut files: Vec<(f64, &str, usize, String)> = all
        .iter()
        .map(|fx| {
            let lang = triage(fx).map_or_else(|_| "error".to_string(), |o| o.language);
            let s = run_for(&[*fx], per_file, triage);
            (s.us(), fx.name.as_str(), fx.raw.len(), lang)
        })
        .collect();
    let mut by_lang: Vec<(String, usize, f64)> = Vec::new();
    for (us, _, _, lang) in &files {
        match by_lang.iter_mut().find(|(l, _, _)| l == lang) {
            Some(e) => {
                e.1 += 1;
                e.2 += us;
            }
            None => by_lang.push((lang.clone(), 1, *us)),
        }
    }
    by_lang.sort_by(|a, b| (b.2 / b.1 as f64).total_cmp(&(a.2 / a.1 as f64)));
    println!();
    println!(
        "{:<8} {:>6} {:>12} {:>10}",
        "language", "files", "µs/msg avg", "msg/s"
    );
    for (lang, n, total) in &by_lang {
        let avg = total / *n as f64;
        println!("{lang:<8} {n:>6} {avg:>12.2} {:>10.0}", 1e6 / avg);
    }
    files.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!();
    println!("slowest fixtures (whole triage, CPU µs per message):");
    for (us, name, len, lang) in files.iter().take(8) {
        println!("  {us:>9.2} µs  {len:>6} B  {lang:<3} {name}");
    }

    println!();
    println!(
        "memory: at start {mem_start}; engine loaded {mem_loaded}; at end {}",
        mem()
    );
}
