//! Metrics for the sysadmin's alerting: OpenMetrics text on `GET /metrics` when `[metrics]
//! listen` is set, off otherwise. The counters live in one process-wide registry so the IMAP
//! code can time its commands without threading a handle through every call; before
//! [`install`] every recording function does nothing.

use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct MessageLabels {
    category: String,
    language: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabels {
    reason: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct WhyLabels {
    why: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CommandLabels {
    command: String,
}

fn command_histogram() -> Histogram {
    // 1 ms to ~4 min: a local server answers in a millisecond, a stuck one hits imap.timeout.
    Histogram::new(exponential_buckets(0.001, 4.0, 10))
}

struct Metrics {
    registry: Registry,
    messages: Family<MessageLabels, Counter>,
    skipped: Family<ReasonLabels, Counter>,
    drafts: Counter,
    removed: Family<WhyLabels, Counter>,
    errors: Counter,
    commands: Family<CommandLabels, Histogram, fn() -> Histogram>,
    last_pass: Gauge<f64, AtomicU64>,
    up: Gauge,
}

static METRICS: OnceLock<Metrics> = OnceLock::new();

/// Turns recording on (idempotent). Called when `[metrics] listen` is configured.
pub fn install() {
    METRICS.get_or_init(|| {
        let mut registry = Registry::default();
        let messages = Family::<MessageLabels, Counter>::default();
        let skipped = Family::<ReasonLabels, Counter>::default();
        let drafts = Counter::default();
        let removed = Family::<WhyLabels, Counter>::default();
        let errors = Counter::default();
        let commands = Family::<CommandLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            command_histogram,
        );
        let last_pass = Gauge::<f64, AtomicU64>::default();
        let up = Gauge::default();
        registry.register(
            "mailtriage_messages",
            "Messages triaged (drafted or skipped), by category and language",
            messages.clone(),
        );
        registry.register(
            "mailtriage_skipped",
            "Messages skipped without a draft, by reason",
            skipped.clone(),
        );
        registry.register(
            "mailtriage_drafts",
            "Drafts appended to the Drafts folder",
            drafts.clone(),
        );
        registry.register(
            "mailtriage_drafts_removed",
            "Drafts removed, by why",
            removed.clone(),
        );
        registry.register(
            "mailtriage_errors",
            "Messages tagged triage:error, and failed or lost IMAP connections",
            errors.clone(),
        );
        registry.register(
            "mailtriage_imap_command_seconds",
            "Time per IMAP command, by command",
            commands.clone(),
        );
        registry.register(
            "mailtriage_last_pass_timestamp_seconds",
            "When the last pass over the inbox finished (Unix time)",
            last_pass.clone(),
        );
        registry.register(
            "mailtriage_up",
            "1 while logged in to the IMAP server, else 0",
            up.clone(),
        );
        Metrics {
            registry,
            messages,
            skipped,
            drafts,
            removed,
            errors,
            commands,
            last_pass,
            up,
        }
    });
}

/// A message was triaged (drafted or skipped); skipped ones have no category: `none`.
pub fn message(category: Option<&str>, language: &str) {
    if let Some(m) = METRICS.get() {
        m.messages
            .get_or_create(&MessageLabels {
                category: category.unwrap_or("none").to_string(),
                language: language.to_string(),
            })
            .inc();
    }
}

pub fn skipped(reason: &str) {
    if let Some(m) = METRICS.get() {
        m.skipped
            .get_or_create(&ReasonLabels {
                reason: reason.to_string(),
            })
            .inc();
    }
}

pub fn drafts(n: u64) {
    if let Some(m) = METRICS.get() {
        m.drafts.inc_by(n);
    }
}

pub fn draft_removed(why: &str) {
    if let Some(m) = METRICS.get() {
        m.removed
            .get_or_create(&WhyLabels {
                why: why.to_string(),
            })
            .inc();
    }
}

pub fn error() {
    if let Some(m) = METRICS.get() {
        m.errors.inc();
    }
}

pub fn command(name: &str, took: Duration) {
    if let Some(m) = METRICS.get() {
        m.commands
            .get_or_create(&CommandLabels {
                command: name.to_string(),
            })
            .observe(took.as_secs_f64());
    }
}

pub fn pass_finished() {
    if let Some(m) = METRICS.get() {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        m.last_pass.set(now.as_secs_f64());
    }
}

pub fn up(connected: bool) {
    if let Some(m) = METRICS.get() {
        m.up.set(i64::from(connected));
    }
}

/// The OpenMetrics text of everything recorded so far (empty before [`install`]).
pub fn encode() -> String {
    let mut out = String::new();
    if let Some(m) = METRICS.get() {
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &m.registry);
    }
    out
}

/// Serves `GET /metrics` on `listener` until the process ends. One request per connection;
/// requests are read with a small size and time limit, so a slow or hostile client costs
/// nothing but its own socket.
pub async fn serve(listener: tokio::net::TcpListener) {
    loop {
        let Ok((mut stream, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        tokio::spawn(async move {
            let mut buf = Vec::with_capacity(1024);
            let read = tokio::time::timeout(Duration::from_secs(5), async {
                let mut chunk = [0u8; 1024];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 8192 {
                    match stream.read(&mut chunk).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
            })
            .await;
            if read.is_err() {
                return;
            }
            let line = buf.split(|&b| b == b'\n').next().unwrap_or_default();
            let mut parts = line.split(|&b| b == b' ');
            let (method, path) = (parts.next(), parts.next());
            let response = match (method, path) {
                (Some(b"GET"), Some(b"/metrics")) => {
                    let body = encode();
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/openmetrics-text; version=1.0.0; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    )
                }
                (Some(b"GET"), _) => {
                    "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .to_string()
                }
                _ => "HTTP/1.1 405 Method Not Allowed\r\nAllow: GET\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_string(),
            };
            let _ = stream.write_all(response.as_bytes()).await;
            let _ = stream.shutdown().await;
        });
    }
}
