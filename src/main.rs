//! The `mailtriage` command: parses the command line, sets up logging, and hands over to the
//! library. Exit status: 0 ok, 1 some input failed (the rest were processed), 2 usage or config.

use std::io::{Read, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

use std::sync::{Arc, RwLock};

use mailtriage::classify::model::Hyper;
use mailtriage::daemon::Settings;
use mailtriage::draft::DraftEnv;
use mailtriage::imap::session::ImapMailbox;
use mailtriage::imap::Mailbox as _;
use mailtriage::logging;
use mailtriage::notify::Notifier;
use mailtriage::output;
use mailtriage::pipeline::{Action, Engine, Outcome};
use mailtriage::service::{self, Service};

/// mimalloc: the pipeline allocates many short-lived strings per message, and with glibc's
/// malloc a sixth of its time went to allocating and freeing (`cargo bench --bench pipeline`:
/// 65 → 57 µs a message). Built without transparent huge pages, which would inflate RSS.
/// The `system-alloc` feature leaves it out, for heap profilers.
#[cfg(not(feature = "system-alloc"))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "mailtriage",
    version,
    about = "Drafts threaded acknowledgement replies for a support mailbox; never sends mail"
)]
struct Cli {
    /// Config file [default: $MAILTRIAGE_CONFIG, then /etc/mailtriage/config.toml]
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    /// Log format on stderr
    #[arg(long, global = true, value_enum, default_value = "text")]
    log_format: logging::Format,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The daemon: watch the inbox (IDLE or poll) until SIGTERM
    Run,
    /// One pass over the inbox, then exit
    Once {
        /// Read and triage, print what would be drafted and skipped, write nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Validate config, facts and templates (and, unless --offline, log in)
    Check {
        /// Do not contact the IMAP server
        #[arg(long)]
        offline: bool,
    },
    /// Offline: show what would be drafted for message files ('-' reads stdin)
    Triage {
        /// One JSON object per input, one per line
        #[arg(long)]
        json: bool,
        /// Also show the text classification read and the phrases that matched
        #[arg(long)]
        explain: bool,
        /// Show each draft exactly as it would be appended (every header, encoded body)
        #[arg(long, conflicts_with = "json")]
        raw: bool,
        #[arg(required = true, value_name = "FILE.eml")]
        files: Vec<PathBuf>,
    },
    /// The mailbox owner's report: messages, drafts and what became of them, corrections,
    /// latencies (reads INBOX, Drafts, Sent and the journal; writes nothing to the mailbox)
    Report {
        /// First day counted (YYYY-MM-DD, UTC); default: as far as the journal reaches
        #[arg(long, value_name = "DATE")]
        since: Option<chrono::NaiveDate>,
        /// One JSON object
        #[arg(long, conflicts_with = "html")]
        json: bool,
        /// Write one self-contained HTML page (inline SVG charts) to FILE
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
    },
    /// Train the local model from the built-in corpus plus the agents' corrections (used
    /// after a reload)
    Learn,
    /// Train a classifier model from labelled corpora (*.eml and expected.json, or X.json beside each X.eml)
    Train {
        #[arg(required = true, value_name = "CORPUS_DIR")]
        corpus: Vec<PathBuf>,
        /// Where to write the model file
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// log2 of the number of hashed feature buckets
        #[arg(long, default_value_t = Hyper::default().bits)]
        bits: u8,
        /// Passes over the corpus
        #[arg(long, default_value_t = Hyper::default().epochs)]
        epochs: u32,
        /// Initial learning rate
        #[arg(long, default_value_t = Hyper::default().rate)]
        rate: f32,
        /// L2 penalty per example
        #[arg(long, default_value_t = Hyper::default().l2)]
        l2: f32,
        /// Also write the out-of-fold predictions (file, label, predicted, confidence) as
        /// tab-separated lines, for error analysis
        #[arg(long, value_name = "FILE")]
        oof: Option<PathBuf>,
        /// Also write what was trained on (subject and new text of each message, with its
        /// label) as JSON Lines: `learn` retrains from the built-in model's samples
        #[arg(long, value_name = "FILE")]
        samples: Option<PathBuf>,
    },
}

fn config_path(cli: &Cli) -> PathBuf {
    cli.config
        .clone()
        .or_else(|| {
            std::env::var_os("MAILTRIAGE_CONFIG")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        })
        .unwrap_or_else(|| PathBuf::from(DEFAULT_CONFIG))
}

/// Where the config is looked for when neither `--config` nor `$MAILTRIAGE_CONFIG` names one.
const DEFAULT_CONFIG: &str = "/etc/mailtriage/config.toml";

/// The engine for a command; `triage` never connects, so a bad `[imap]` is only a warning.
fn engine_for(cli: &Cli) -> Result<Engine, String> {
    let path = config_path(cli);
    let loaded = if matches!(cli.command, Command::Triage { .. }) {
        mailtriage::config::Config::load_offline(&path).map(|(c, warning)| {
            if let Some(w) = warning {
                eprintln!(
                    "mailtriage: warning: {w} (triage does not use [imap]; `check` reports it)"
                );
            }
            c
        })
    } else {
        mailtriage::config::Config::load(&path)
    };
    let config = loaded.map_err(|e| {
        if path.as_os_str() == DEFAULT_CONFIG && !path.exists() {
            format!("{e}; name the config with --config FILE or $MAILTRIAGE_CONFIG (config.example.toml is a start)")
        } else {
            e.to_string()
        }
    })?;
    Engine::load(config).map_err(|e| format!("{e:#}"))
}

fn main() -> ExitCode {
    mailtriage::allocator::return_freed_memory_promptly();
    let cli = Cli::parse();
    if let Command::Train {
        corpus,
        out,
        bits,
        epochs,
        rate,
        l2,
        oof,
        samples,
    } = &cli.command
    {
        logging::init(cli.log_format, None);
        let hyper = Hyper {
            bits: *bits,
            epochs: *epochs,
            rate: *rate,
            l2: *l2,
        };
        return train(corpus, out, hyper, oof.as_deref(), samples.as_deref()).unwrap_or_else(|e| {
            eprintln!("mailtriage: {e:#}");
            ExitCode::from(2)
        });
    }
    let engine = match engine_for(&cli) {
        Ok(e) => e,
        Err(e) => {
            logging::init(cli.log_format, None);
            eprintln!("mailtriage: {e}");
            return ExitCode::from(2);
        }
    };
    logging::init(cli.log_format, engine.config.log_level.as_deref());
    let result = match cli.command {
        Command::Triage {
            json,
            explain,
            raw,
            files,
        } => triage(&engine, &files, json, explain, raw),
        Command::Check { offline } => check(&engine, offline),
        Command::Once { dry_run } => daemon(engine, config_path(&cli), false, dry_run),
        Command::Run => daemon(engine, config_path(&cli), true, false),
        Command::Learn => learn(&engine),
        Command::Report { since, json, html } => report(&engine, since, json, html.as_deref()),
        Command::Train { .. } => unreachable!("handled before the engine is loaded"),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("mailtriage: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn read_input(path: &PathBuf) -> std::io::Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf)?;
        Ok(buf)
    } else {
        std::fs::read(path)
    }
}

fn triage(
    engine: &Engine,
    files: &[PathBuf],
    json: bool,
    explain: bool,
    raw: bool,
) -> anyhow::Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut failed = 0;
    for path in files {
        let source = path.display().to_string();
        let result = read_input(path)
            .map_err(|e| format!("cannot read: {e}"))
            .and_then(|raw| {
                // One message must never take the others down, even by a bug of ours.
                catch_unwind(AssertUnwindSafe(|| {
                    engine.triage(&raw, &source, &DraftEnv::now(), None)
                }))
                .map_err(|_| "internal error while triaging (a bug; please report it)".to_string())?
                .map_err(|e| e.to_string())
            });
        match (result, json) {
            (Ok(o), true) => output::json_line(&mut out, &o),
            (Ok(o), false) => output::human(&mut out, &o, raw).and_then(|()| {
                if !explain {
                    return Ok(());
                }
                print_explain(&mut out, engine, &o)
            }),
            (Err(e), true) => {
                failed += 1;
                output::json_error(&mut out, &source, &e)
            }
            (Err(e), false) => {
                failed += 1;
                writeln!(out, "== {source}\nerror: {e}\n")
            }
        }
        .context("writing output")?;
    }
    out.flush().context("writing output")?;
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `triage --explain`: the text read, the rule hits that counted, the model's top classes,
/// the signals and the template.
fn print_explain(
    out: &mut impl Write,
    engine: &Engine,
    o: &mailtriage::pipeline::Outcome,
) -> std::io::Result<()> {
    writeln!(out, "--- text read ---\n{}", o.new_text)?;
    writeln!(
        out,
        "--- rule hits that counted (weight × {} against the model) ---",
        o.why.rule_weight
    )?;
    for (phrase, target, weight, lang) in engine
        .rules
        .explain(&mailtriage::rules::normalize(&o.new_text))
    {
        writeln!(out, "{target:<16} {weight:>4} {lang} {phrase:?}")?;
    }
    for (category, score) in &o.why.rule_scores {
        writeln!(out, "rule score       {category} {score:.2}")?;
    }
    writeln!(out, "--- model ---")?;
    if o.why.rules_alone {
        writeln!(out, "not asked: an operator's category won on its rules")?;
    } else if o.why.model_top.is_empty() {
        writeln!(out, "not asked: too few words to read")?;
    }
    for (class, p) in &o.why.model_top {
        writeln!(out, "{class:<16} {p:.3}")?;
    }
    writeln!(out, "--- signals ---")?;
    match &o.signals {
        Some(s) => writeln!(out, "{}", serde_json::to_string(s).unwrap_or_default())?,
        None => writeln!(out, "(skipped message)")?,
    }
    if let Some(d) = &o.draft {
        writeln!(out, "--- template ---\n{}", d.template)?;
    }
    writeln!(out)
}

/// `mailtriage train`: the built-in rules read the corpus, the model is fitted and written,
/// and the cross-validated figures and calibration table are printed.
fn train(
    corpus: &[PathBuf],
    out: &std::path::Path,
    hyper: Hyper,
    oof: Option<&std::path::Path>,
    samples_out: Option<&std::path::Path>,
) -> anyhow::Result<ExitCode> {
    use mailtriage::classify::training;
    anyhow::ensure!(
        (8..=24).contains(&hyper.bits),
        "--bits must be between 8 and 24"
    );
    let rules = mailtriage::rules::RuleSet::load(None, &[]).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut samples = Vec::new();
    for dir in corpus {
        samples.extend(training::read_corpus(dir, &rules)?);
    }
    if let Some(path) = samples_out {
        std::fs::write(path, training::samples_to_jsonl(&samples))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    let examples: Vec<_> = samples.iter().map(|s| s.example(&rules)).collect();
    let (model, r) = training::fit(&examples, &rules, hyper);
    std::fs::write(out, model.to_bytes()).with_context(|| format!("writing {}", out.display()))?;
    println!(
        "{}: {} messages, {} classes; out-of-fold accuracy {:.1}% (model alone {:.1}%), rule weight {}",
        out.display(),
        r.examples,
        model.classes.len(),
        100.0 * r.cv_combined,
        100.0 * r.cv_model,
        r.rule_weight
    );
    if let Some(path) = oof {
        let lines: String = r
            .oof
            .iter()
            .map(|(f, l, p, c)| format!("{f}\t{l}\t{p}\t{c:.3}\n"))
            .collect();
        std::fs::write(path, lines).with_context(|| format!("writing {}", path.display()))?;
    }
    println!("calibration (out of fold): confidence  messages  right");
    for (lo, hi, n, ok) in &r.bins {
        let share = if *n > 0 {
            100.0 * *ok as f32 / *n as f32
        } else {
            0.0
        };
        println!("  [{lo:.2}, {hi:.2})  {n:>6}  {share:5.1}%");
    }
    println!(
        "confidence >= 0.8: {:.1}% of messages, {:.1}% of them right",
        100.0 * r.share_at_80,
        100.0 * r.precision_at_80
    );
    Ok(ExitCode::SUCCESS)
}

fn check(engine: &Engine, offline: bool) -> anyhow::Result<ExitCode> {
    let report = mailtriage::check::check(engine);
    for p in &report.problems {
        eprintln!("mailtriage: {p}");
    }
    for w in &report.warnings {
        eprintln!("mailtriage: warning: {w}");
    }
    if !report.problems.is_empty() {
        return Ok(ExitCode::from(2));
    }
    println!(
        "{}: ok — {} categories, {} templates ({} sample renders), {} incidents, {} retired addresses, {} retired instructions",
        engine.config.path.display(),
        engine.rules.categories.len(),
        report.templates,
        report.renders,
        engine.facts.incidents.len(),
        engine.facts.retired_addresses.len(),
        engine.facts.retired_instructions.len(),
    );
    println!("{}", learning_status(engine));
    if offline {
        return Ok(ExitCode::SUCCESS);
    }
    let (imap, rt) = mailbox_access(
        engine,
        "no [imap] section, so there is nothing to log in to (use --offline)",
    )?;
    match rt.block_on(ImapMailbox::connect(&imap)) {
        Ok(mut mb) => {
            let drafts = engine.config.drafts;
            let removal = if !(drafts.supersede || drafts.remove_answered) {
                "stale drafts are kept ([drafts] off)"
            } else if mb.caps.uidplus {
                "stale untouched drafts are removed (UIDPLUS)"
            } else {
                "stale drafts are kept: no UIDPLUS, and mailtriage never runs a plain EXPUNGE"
            };
            let corrections = if !mb.keywords {
                "agents' corrections are not noticed (they are keywords)"
            } else if mb.caps.condstore {
                "agents' corrections are noticed every pass (CONDSTORE)"
            } else {
                "agents' corrections are noticed every 5 minutes (no CONDSTORE)"
            };
            println!(
                "{}:{}: logged in as {}; drafts go to {:?}; keywords {}; {removal}; {corrections}",
                imap.host,
                imap.port,
                imap.username,
                mailtriage::imap::session::utf7_decode(&mb.drafts),
                if mb.keywords {
                    "supported"
                } else {
                    "not supported (local state file)"
                }
            );
            rt.block_on(mb.logout());
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!(
                "mailtriage: cannot log in to {}:{} as {}: {e}",
                imap.host, imap.port, imap.username
            );
            Ok(ExitCode::from(1))
        }
    }
}

/// The `[imap]` settings and a runtime for a command that reads the mailbox once; without
/// `[imap]`, the error names the config file and says `missing`.
fn mailbox_access(
    engine: &Engine,
    missing: &str,
) -> anyhow::Result<(mailtriage::config::ImapConfig, tokio::runtime::Runtime)> {
    let Some(imap) = engine.config.imap.clone() else {
        anyhow::bail!("{}: {missing}", engine.config.path.display());
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    Ok((imap, rt))
}

/// One line on the model in use and the agents' corrections, for `check`.
fn learning_status(engine: &Engine) -> String {
    let model = format!("model: {}", engine.model_origin);
    match mailtriage::learn::status(&engine.config, &engine.rules) {
        Ok(None) => model,
        Ok(Some(s)) if s.corrections == 0 => {
            format!("{model}; no corrections by agents recorded yet")
        }
        Ok(Some(s)) => {
            let mut line = format!(
                "{model}; {} correction{} by agents recorded, {} of them learned",
                s.corrections,
                if s.corrections == 1 { "" } else { "s" },
                s.trained_on
            );
            if s.trained_on > 0 {
                line += &format!(
                    " ({} of {} read as the agent did when left out of training)",
                    s.trained_right_oof, s.trained_on
                );
            }
            if s.unseen > 0 {
                line += &format!(
                    "; of the {} not learned yet, the {} model reads {} as the agent did (the built-in one {}): run `mailtriage learn`",
                    s.unseen,
                    if s.local_model.is_some() { "local" } else { "built-in" },
                    if s.local_model.is_some() { s.unseen_right_local } else { s.unseen_right_builtin },
                    s.unseen_right_builtin
                );
            }
            line
        }
        Err(e) => format!("{model}; corrections cannot be read: {e}"),
    }
}

/// `mailtriage report`: gathers from the mailbox and the journal, prints or writes the report.
fn report(
    engine: &Engine,
    since: Option<chrono::NaiveDate>,
    json: bool,
    html: Option<&std::path::Path>,
) -> anyhow::Result<ExitCode> {
    use mailtriage::report;
    let (imap, rt) = mailbox_access(
        engine,
        "`report` reads the mailbox: the config needs an [imap] section",
    )?;
    let now = chrono::Utc::now();
    let inputs = rt.block_on(async {
        let mut mb = ImapMailbox::connect(&imap).await?;
        let inputs =
            report::gather(&mut mb, &mailtriage::journal::path_of(&imap), since, now).await;
        mb.logout().await;
        inputs
    });
    let inputs = match inputs {
        Ok(i) => i,
        Err(e) => {
            eprintln!(
                "mailtriage: cannot read the mailbox {}:{} as {}: {e}",
                imap.host, imap.port, imap.username
            );
            return Ok(ExitCode::from(1));
        }
    };
    let r = report::compute(&inputs);
    if let Some(path) = html {
        std::fs::write(path, report::to_html(&r))
            .with_context(|| format!("writing {}", path.display()))?;
        println!("{}: written", path.display());
    } else if json {
        println!("{}", serde_json::to_string(&r)?);
    } else {
        print!("{}", report::to_text(&r));
    }
    Ok(ExitCode::SUCCESS)
}

/// `mailtriage learn`: the agents' corrections → the local model.
fn learn(engine: &Engine) -> anyhow::Result<ExitCode> {
    let Some(learned) = mailtriage::learn::learn(&engine.config, &engine.rules)? else {
        println!(
            "no corrections by agents recorded yet; nothing to learn (the {} model stays)",
            engine.model_origin
        );
        return Ok(ExitCode::SUCCESS);
    };
    let m = &learned.meta;
    println!(
        "{}: learned from {} built-in messages and {} corrections by agents; out-of-fold accuracy {:.1}%, corrections read as the agent did when left out of training: {} of {}",
        learned.path.display(),
        m.builtin_samples,
        m.corrections.len(),
        100.0 * m.accuracy_oof,
        m.corrections_right_oof,
        m.corrections.len()
    );
    for ((from, to), n) in &learned.kinds {
        println!("  {from} → {to}: {n}");
    }
    println!("the daemon uses it after a reload (systemctl reload mailtriage)");
    Ok(ExitCode::SUCCESS)
}

/// `once` and `run`: the IMAP side. Exit 0 when done (or stopped by a signal), 1 when the
/// mailbox cannot be used.
fn daemon(
    engine: Engine,
    config_path: PathBuf,
    forever: bool,
    dry_run: bool,
) -> anyhow::Result<ExitCode> {
    let Some(imap) = engine.config.imap.clone() else {
        eprintln!(
            "mailtriage: {}: key `imap`: the [imap] section is required for `run` and `once`",
            engine.config.path.display()
        );
        return Ok(ExitCode::from(2));
    };
    let mut settings = Settings::from_config(&imap);
    settings.dry_run = dry_run;
    let metrics_addr = engine.config.metrics;
    let engine = Arc::new(RwLock::new(engine));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let (trigger, shutdown) = mailtriage::shutdown::channel();
        let reload = service::signals(trigger).context("installing signal handlers")?;
        let connect = || ImapMailbox::connect(&imap);
        let where_ = format!("{}:{} as {}", imap.host, imap.port, imap.username);
        if forever {
            if let Some(addr) = metrics_addr {
                match tokio::net::TcpListener::bind(addr).await {
                    Ok(listener) => {
                        mailtriage::metrics::install();
                        mailtriage::metrics::up(false);
                        tracing::info!(%addr, "serving metrics at /metrics");
                        tokio::spawn(mailtriage::metrics::serve(listener));
                    }
                    Err(e) => {
                        eprintln!("mailtriage: {}: key `metrics.listen`: cannot listen on {addr}: {e}", config_path.display());
                        return Ok(ExitCode::from(2));
                    }
                }
            }
            let server = format!("{}:{}", imap.host, imap.port);
            let mut svc = Service::new(Notifier::from_env(), engine.clone(), config_path, reload, server);
            svc.ready(imap.timeout);
            let result = mailtriage::daemon::run(connect, &engine, &settings, shutdown, &mut svc).await;
            svc.notifier.send("STOPPING=1");
            match result {
                Ok(stats) => {
                    tracing::info!(triaged = stats.triaged, drafts = stats.drafts, "stopped");
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("mailtriage: cannot use the mailbox at {where_}: {e}");
                    Ok(ExitCode::from(1))
                }
            }
        } else {
            if dry_run {
                let mut lines = DryRun;
                return match mailtriage::daemon::once(connect, &engine, &settings, &shutdown, &mut lines).await {
                    Ok(s) => {
                        println!(
                            "dry run: {} messages would be triaged: {} drafts ({} already in Drafts), {} skipped, {} too large, {} errors; nothing was written",
                            s.triaged + s.too_large,
                            s.drafts,
                            s.already_drafted,
                            s.skipped,
                            s.too_large,
                            s.errors
                        );
                        Ok(ExitCode::SUCCESS)
                    }
                    Err(e) => {
                        eprintln!("mailtriage: cannot use the mailbox at {where_}: {e}");
                        Ok(ExitCode::from(1))
                    }
                };
            }
            match mailtriage::daemon::once(connect, &engine, &settings, &shutdown, &mut ()).await {
                Ok(s) => {
                    tracing::info!(timings = %s.timings, peak_rss_kib = peak_rss_kib(), "pass finished");
                    println!(
                        "triaged {} messages: {} drafts ({} already in Drafts), {} skipped, {} too large, {} errors",
                        s.triaged + s.too_large + s.errors,
                        s.drafts,
                        s.already_drafted,
                        s.skipped,
                        s.too_large,
                        s.errors
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("mailtriage: cannot use the mailbox at {where_}: {e}");
                    Ok(ExitCode::from(1))
                }
            }
        }
    })
}

/// `once --dry-run`: one line per message, as it would be handled.
struct DryRun;

impl mailtriage::daemon::Observer for DryRun {
    fn outcome(&mut self, uid: u32, outcome: Result<&Outcome, &String>, already: bool) {
        match outcome {
            Ok(o) => {
                let what = match (o.action, already) {
                    (Action::Skip, _) => {
                        format!("skip   {}", o.skip_reason.map_or("", |r| r.as_str()))
                    }
                    (_, true) => format!(
                        "draft  {} (already in Drafts)",
                        o.category.as_deref().unwrap_or("")
                    ),
                    (_, false) => format!(
                        "draft  {} {:.2}",
                        o.category.as_deref().unwrap_or(""),
                        o.confidence.unwrap_or(0.0)
                    ),
                };
                println!(
                    "UID {uid:<8} {what:<40} {:<3} {}",
                    o.language,
                    mailtriage::imap::server_text(o.from.as_deref().unwrap_or("(no sender)"))
                );
            }
            Err(e) => println!("UID {uid:<8} error  {}", mailtriage::imap::server_text(e)),
        }
    }

    fn too_large(&mut self, uid: u32, size: u64) {
        println!("UID {uid:<8} skip   too large ({size} bytes)");
    }
}

/// Peak resident memory of this process (VmHWM), for the log.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| {
                l.strip_prefix("VmHWM:")
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            })
        })
        .unwrap_or(0)
}
