//! Loads `config.toml` in two stages, as ripgrep does: [`RawConfig`] mirrors the file exactly
//! (serde, unknown keys rejected), then [`Config::from_raw`] checks it and resolves paths, so
//! every error names the file, the key and the reason before anything runs.

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// A configuration problem, located as precisely as the source allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: PathBuf,
    /// 1-based line and column, when the problem has a place in the file.
    pub position: Option<(usize, usize)>,
    /// Dotted key, e.g. `imap.security`; empty when the file as a whole is wrong.
    pub key: String,
    pub reason: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some((line, col)) = self.position {
            write!(f, ":{line}:{col}")?;
        }
        if !self.key.is_empty() {
            write!(f, ": key `{}`", self.key)?;
        }
        write!(f, ": {}", self.reason)
    }
}

impl std::error::Error for ConfigError {}

/// 1-based line and column of a byte offset, for error messages.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Reads a config, facts or template file; the error names the file.
pub fn read_file(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|e| ConfigError {
        file: path.to_path_buf(),
        position: None,
        key: String::new(),
        reason: format!("cannot read: {e}"),
    })
}

/// Turns a toml error into a [`ConfigError`] with line, column, the full key path
/// (`imap.batch_size`, `incident[2].status_url`) and a reason an operator can act on.
pub fn toml_error(file: &Path, text: &str, err: &toml::de::Error) -> ConfigError {
    let position = err.span().map(|s| line_col(text, s.start));
    let line = position.and_then(|(line, _)| text.lines().nth(line - 1));
    let key = line
        .and_then(|l| l.split('=').next())
        .map(|k| k.trim().trim_matches(['[', ']']).to_string())
        .filter(|k| !k.is_empty() && !k.contains(' '))
        .unwrap_or_default();
    let is_header = line.is_some_and(|l| l.trim_start().starts_with('['));
    let key = match position {
        Some((n, _)) if !key.is_empty() && !is_header => match table_at(text, n) {
            Some(table) => format!("{table}.{key}"),
            None => key,
        },
        _ => key,
    };
    let message = err.message().trim();
    let value = line
        .and_then(|l| l.split_once('='))
        .map(|(_, v)| v.trim())
        .unwrap_or_default();
    let reason = if let Some(kind) = expected_kind(message) {
        format!("{value} {kind}")
    } else if message.starts_with("string values must be quoted") && value.is_empty() {
        "has no value after `=`: give one, or remove the line to use the default".to_string()
    } else if message.starts_with("string values must be quoted") {
        format!("{value} is not a number, date or true/false; text must be in quotes: \"{value}\"")
    } else if let Some(unknown) = message
        .strip_prefix("unknown field `")
        .and_then(|m| m.split('`').next())
    {
        match closest(unknown, message) {
            Some(known) => format!("{message} (did you mean `{known}`?)"),
            None => message.to_string(),
        }
    } else {
        message.to_string()
    };
    ConfigError {
        file: file.to_path_buf(),
        position,
        key,
        reason,
    }
}

/// What a value of the wrong type should have been, in words, for serde's "invalid type: …,
/// expected X" messages.
fn expected_kind(message: &str) -> Option<&'static str> {
    let expected = message
        .strip_prefix("invalid type: ")?
        .split_once(", expected ")?
        .1;
    Some(match expected.trim() {
        "a TOML datetime" => {
            "is not a date or date-time like 2026-12-01T08:00:00Z (written without quotes)"
        }
        "u8" | "u16" | "u32" | "u64" | "usize" | "i32" | "i64" => {
            "is not a whole number (written without quotes)"
        }
        "f32" | "f64" => "is not a number (written without quotes)",
        "a boolean" => "is not true or false (written without quotes)",
        "a sequence" => "must be a list, like [\"a\", \"b\"]",
        "a string" => "must be text in quotes",
        _ => return None,
    })
}

/// Where the value of `key` in the `n`-th (from 0) `[[table]]` (or in `[table]` when `n` is
/// `None`) is written in `text`: the key's line, else the table's header.
pub fn position_of(text: &str, table: &str, n: Option<usize>, key: &str) -> Option<(usize, usize)> {
    let header = match n {
        Some(_) => format!("[[{table}]]"),
        None => format!("[{table}]"),
    };
    let mut offset = 0;
    let mut seen = 0;
    let mut inside = None;
    for line in text.split_inclusive('\n') {
        let l = line.trim();
        if l.starts_with('[') {
            if inside.is_some() {
                break;
            }
            if l == header {
                if n.is_none_or(|n| n == seen) {
                    inside = Some(offset);
                }
                seen += 1;
            }
        } else if inside.is_some() && l.split_once('=').is_some_and(|(k, _)| k.trim() == key) {
            let col = line.len() - line.trim_start().len();
            return Some(line_col(text, offset + col));
        }
        offset += line.len();
    }
    inside.map(|o| line_col(text, o))
}

/// The table the 1-based line `n` of `text` belongs to: `imap`, or `incident[3]` for the third
/// `[[incident]]` (counted from 1, as people count).
fn table_at(text: &str, n: usize) -> Option<String> {
    let mut current = None;
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for line in text.lines().take(n.saturating_sub(1)) {
        let l = line.trim();
        if let Some(name) = l.strip_prefix("[[").and_then(|r| r.split("]]").next()) {
            let name = name.trim().to_string();
            let i = seen.entry(name.clone()).or_insert(0);
            *i += 1;
            current = Some(format!("{name}[{i}]"));
        } else if let Some(name) = l.strip_prefix('[').and_then(|r| r.split(']').next()) {
            current = Some(name.trim().to_string());
        }
    }
    current
}

/// The expected field (listed in a serde "expected one of `a`, `b`" message) nearest to
/// `unknown`, if it is a likely typo of it.
fn closest(unknown: &str, message: &str) -> Option<String> {
    let expected = message.split_once("expected one of")?.1;
    expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(|k| (edit_distance(unknown, k), k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min()
        .map(|(_, k)| k.to_string())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    identity: RawIdentity,
    imap: Option<RawImap>,
    #[serde(default)]
    triage: RawTriage,
    #[serde(default)]
    promises: RawPromises,
    #[serde(default)]
    metrics: RawMetrics,
    #[serde(default)]
    drafts: RawDrafts,
    log_level: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDrafts {
    supersede: Option<bool>,
    remove_answered: Option<bool>,
}

/// What happens to drafts already made (`[drafts]`); only untouched ones are ever removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DraftsPolicy {
    /// A follow-up in the same thread replaces our untouched earlier draft.
    pub supersede: bool,
    /// An untouched draft goes once its message was answered another way.
    pub remove_answered: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMetrics {
    listen: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPromises {
    reply_business_days: Option<i64>,
    billing_check_business_days: Option<i64>,
    callback_business_days: Option<i64>,
    same_day_until: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIdentity {
    from: String,
    #[serde(default)]
    own_addresses: Vec<String>,
    signature: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawImap {
    host: String,
    port: Option<u16>,
    security: Option<String>,
    username: String,
    password_file: Option<PathBuf>,
    password_env: Option<String>,
    oauth2_token_command: Option<Vec<String>>,
    oauth2_token_env: Option<Vec<String>>,
    ca_file: Option<PathBuf>,
    inbox: Option<String>,
    drafts: Option<String>,
    sent: Option<String>,
    #[serde(default)]
    archive_folders: Vec<String>,
    mode: Option<String>,
    poll_interval: Option<String>,
    timeout: Option<String>,
    idle_interval: Option<String>,
    reconnect_max: Option<String>,
    batch_size: Option<u32>,
    search_range: Option<u32>,
    max_message_size: Option<String>,
    history_days: Option<u32>,
    state_dir: Option<PathBuf>,
    since: Option<toml::value::Datetime>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTriage {
    facts: Option<PathBuf>,
    templates: Option<PathBuf>,
    rules: Option<PathBuf>,
    model: Option<PathBuf>,
    default_language: Option<String>,
    min_confidence: Option<f32>,
    #[serde(default)]
    category: Vec<RawCategory>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategory {
    id: String,
    value: String,
    #[serde(default)]
    checks: Vec<String>,
    #[serde(default = "default_weight")]
    weight: f32,
    /// language → phrases
    #[serde(default)]
    phrases: BTreeMap<String, Vec<String>>,
}

fn default_weight() -> f32 {
    3.0
}

/// Who the drafts come from and which addresses are ours.
#[derive(Debug, Clone)]
pub struct Identity {
    /// The `From` of every draft, as written in the config (validated).
    pub from: lettre::message::Mailbox,
    /// Lower-case addresses never answered; includes the From address.
    pub own_addresses: Vec<String>,
    pub signature: String,
}

/// How to reach the mailbox; only `run`, `once` and `check` without `--offline` need it.
#[derive(Debug, Clone)]
pub struct ImapConfig {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: String,
    pub auth: Auth,
    pub ca_file: Option<PathBuf>,
    pub inbox: String,
    pub drafts: Option<String>,
    pub sent: Option<String>,
    pub archive_folders: Vec<String>,
    pub mode: Mode,
    pub poll_interval: Duration,
    pub timeout: Duration,
    /// Longest single IDLE before it is re-issued; bounds how long a silently dead
    /// connection goes unnoticed.
    pub idle_interval: Duration,
    /// The longest wait between reconnection attempts (the backoff's cap): after the server
    /// comes back, the first draft comes within this long.
    pub reconnect_max: Duration,
    pub batch_size: u32,
    /// UIDs per `UID SEARCH`: a mailbox of a million messages is searched in ranges, so no
    /// answer is one line of megabytes.
    pub search_range: u32,
    pub max_message_size: u64,
    pub history_days: u32,
    pub state_dir: PathBuf,
    /// Only mail received on or after this day is triaged (so a first start does not draft
    /// replies to years of backlog).
    pub since: Option<chrono::NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    Tls,
    StartTls,
    Plain,
}

/// Where the secret comes from; the secret itself is read only when logging in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    PasswordFile(PathBuf),
    PasswordEnv(String),
    /// The command, and the environment variables it may see beyond [`TOKEN_ENV`].
    OAuth2Command(Vec<String>, Vec<String>),
}

/// What the token command inherits from the daemon's environment, besides the variables the
/// config names in `oauth2_token_env`: nothing else (not NOTIFY_SOCKET, not the password).
pub const TOKEN_ENV: &[&str] = &["PATH", "HOME", "LANG", "LC_ALL", "TZ"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Idle,
    Poll,
}

/// An operator-defined category, added to the built-in ones.
#[derive(Debug, Clone)]
pub struct CustomCategory {
    pub id: String,
    pub value: String,
    pub checks: Vec<String>,
    pub weight: f32,
    pub phrases: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone)]
pub struct TriageConfig {
    pub facts: Option<PathBuf>,
    pub templates: Option<PathBuf>,
    pub rules: Option<PathBuf>,
    /// A model file from `mailtriage train` in place of the built-in one.
    pub model: Option<PathBuf>,
    pub default_language: String,
    pub min_confidence: f32,
    pub categories: Vec<CustomCategory>,
}

/// What drafts promise, in business days: one figure for every language, so a German and a
/// Japanese customer are promised the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Promises {
    pub reply_business_days: u32,
    pub billing_check_business_days: u32,
    pub callback_business_days: u32,
    /// The hour of the customer's day until which an urgent message is promised an answer
    /// "today"; written later, or on their weekend, it is promised the business days above
    /// (a "today" at 22:31 on a Sunday is not kept). 24 keeps "today" all day.
    pub same_day_until: u32,
}

impl Default for Promises {
    fn default() -> Promises {
        Promises {
            reply_business_days: 1,
            billing_check_business_days: 2,
            callback_business_days: 1,
            same_day_until: 17,
        }
    }
}

/// The checked configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it came from (relative paths in it were resolved against its directory).
    pub path: PathBuf,
    pub identity: Identity,
    pub imap: Option<ImapConfig>,
    pub triage: TriageConfig,
    pub promises: Promises,
    /// Where `GET /metrics` is served; off when absent.
    pub metrics: Option<std::net::SocketAddr>,
    pub drafts: DraftsPolicy,
    pub log_level: Option<String>,
}

/// The fact checks a category may ask for (see `facts`).
pub const CHECKS: &[&str] = &[
    "incident",
    "retired_address",
    "retired_instructions",
    "callback",
    "history",
];

impl Config {
    /// Reads and checks a config file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = read_file(path)?;
        Config::parse(path, &text)
    }

    /// Reads a config for a command that never connects (`triage`): an `[imap]` section that
    /// does not check is left out, and its error comes back as a warning, so an operator can
    /// try messages offline before the mailbox settings are right. `check` still refuses it.
    pub fn load_offline(path: &Path) -> Result<(Config, Option<ConfigError>), ConfigError> {
        let text = read_file(path)?;
        let err = match Config::parse(path, &text) {
            Ok(c) => return Ok((c, None)),
            Err(e) if e.key == "imap" || e.key.starts_with("imap.") => e,
            Err(e) => return Err(e),
        };
        let mut table: toml::Table = toml::from_str(&text).map_err(|_| err.clone())?;
        table.remove("imap");
        let raw: RawConfig = table.try_into().map_err(|_| err.clone())?;
        let config = Config::from_raw(path, &text, raw).map_err(|_| err.clone())?;
        Ok((config, Some(err)))
    }

    /// Checks config text as if it were read from `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
        Config::from_raw(path, text, raw)
    }

    fn from_raw(path: &Path, text: &str, raw: RawConfig) -> Result<Config, ConfigError> {
        let err = |key: &str, reason: String| ConfigError {
            file: path.to_path_buf(),
            position: find_key(text, key),
            key: key.to_string(),
            reason,
        };
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let resolve = |p: PathBuf| if p.is_absolute() { p } else { base.join(p) };

        let from: lettre::message::Mailbox = raw.identity.from.parse().map_err(|_| {
            err(
                "identity.from",
                format!(
                    "\"{}\" is not an address like \"Example Support <support@example.com>\"",
                    raw.identity.from
                ),
            )
        })?;
        let mut own_addresses = vec![from.email.to_string().to_lowercase()];
        for (i, a) in raw.identity.own_addresses.iter().enumerate() {
            let addr: lettre::Address = a.trim().parse().map_err(|e| {
                err(
                    "identity.own_addresses",
                    format!("entry {} ({a:?}) is not an address: {e}", i + 1),
                )
            })?;
            let addr = addr.to_string().to_lowercase();
            if !own_addresses.contains(&addr) {
                own_addresses.push(addr);
            }
        }
        let signature = raw
            .identity
            .signature
            .unwrap_or_else(|| from.name.clone().unwrap_or_else(|| from.email.to_string()));
        let identity = Identity {
            from,
            own_addresses,
            signature,
        };

        let imap = raw
            .imap
            .map(|r| check_imap(r, &err, &resolve))
            .transpose()?;

        let t = raw.triage;
        let default_language = t.default_language.unwrap_or_else(|| "en".into());
        if !is_language_code(&default_language) {
            return Err(err(
                "triage.default_language",
                format!("{default_language:?} is not an ISO 639-1 code like \"en\""),
            ));
        }
        let min_confidence = t.min_confidence.unwrap_or(0.4);
        if !(0.0..=1.0).contains(&min_confidence) {
            return Err(err(
                "triage.min_confidence",
                format!("{min_confidence} is not between 0 and 1"),
            ));
        }
        let mut categories = Vec::new();
        let category_err = |n: usize, key: &str, reason: String| ConfigError {
            file: path.to_path_buf(),
            position: position_of(text, "triage.category", Some(n), key),
            key: format!("triage.category[{}].{key}", n + 1),
            reason,
        };
        for (n, c) in t.category.into_iter().enumerate() {
            if c.id.is_empty()
                || !c
                    .id
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
            {
                return Err(category_err(
                    n,
                    "id",
                    format!("\"{}\" must be lower-case ASCII letters, digits or _", c.id),
                ));
            }
            if let Some(bad) = c.checks.iter().find(|k| !CHECKS.contains(&k.as_str())) {
                return Err(category_err(
                    n,
                    "checks",
                    format!(
                        "\"{bad}\" in category \"{}\" is not one of {}",
                        c.id,
                        CHECKS.join(", ")
                    ),
                ));
            }
            if let Some(lang) = c.phrases.keys().find(|l| !is_language_code(l)) {
                return Err(category_err(
                    n,
                    "phrases",
                    format!("\"{lang}\" in category \"{}\" is not a language code", c.id),
                ));
            }
            categories.push(CustomCategory {
                id: c.id,
                value: c.value,
                checks: c.checks,
                weight: c.weight,
                phrases: c.phrases,
            });
        }
        let triage = TriageConfig {
            facts: t.facts.map(&resolve),
            templates: t.templates.map(&resolve),
            rules: t.rules.map(&resolve),
            model: t.model.map(&resolve),
            default_language,
            min_confidence,
            categories,
        };
        let days = |key: &str, v: Option<i64>, default: u32| match v {
            None => Ok(default),
            Some(n @ 1..=30) => Ok(n as u32),
            Some(n) => Err(err(
                &format!("promises.{key}"),
                format!("{n} is not a number of business days from 1 to 30"),
            )),
        };
        let d = Promises::default();
        let p = raw.promises;
        let promises = Promises {
            reply_business_days: days(
                "reply_business_days",
                p.reply_business_days,
                d.reply_business_days,
            )?,
            billing_check_business_days: days(
                "billing_check_business_days",
                p.billing_check_business_days,
                d.billing_check_business_days,
            )?,
            callback_business_days: days(
                "callback_business_days",
                p.callback_business_days,
                d.callback_business_days,
            )?,
            same_day_until: match p.same_day_until {
                None => d.same_day_until,
                Some(h @ 0..=24) => h as u32,
                Some(h) => {
                    return Err(err(
                        "promises.same_day_until",
                        format!("{h} is not an hour of the day from 0 to 24"),
                    ))
                }
            },
        };
        let metrics = match raw.metrics.listen.as_deref().map(str::trim) {
            None => None,
            Some(text) => match text.parse::<std::net::SocketAddr>() {
                Ok(a) if a.port() != 0 => Some(a),
                _ => {
                    return Err(err(
                        "metrics.listen",
                        format!(
                            "\"{text}\" is not an IP address and port such as \"127.0.0.1:9464\""
                        ),
                    ))
                }
            },
        };
        if let Some(level) = &raw.log_level {
            if level
                .parse::<tracing_subscriber::filter::EnvFilter>()
                .is_err()
            {
                return Err(err(
                    "log_level",
                    format!("{level:?} is not a level or filter like \"info\""),
                ));
            }
        }
        Ok(Config {
            path: path.to_path_buf(),
            identity,
            imap,
            triage,
            promises,
            metrics,
            drafts: DraftsPolicy {
                supersede: raw.drafts.supersede.unwrap_or(true),
                remove_answered: raw.drafts.remove_answered.unwrap_or(true),
            },
            log_level: raw.log_level,
        })
    }
}

fn check_imap(
    r: RawImap,
    err: &impl Fn(&str, String) -> ConfigError,
    resolve: &impl Fn(PathBuf) -> PathBuf,
) -> Result<ImapConfig, ConfigError> {
    if r.host.trim().is_empty() {
        return Err(err("imap.host", "must not be empty".into()));
    }
    let security = match r.security.as_deref().unwrap_or("tls") {
        "tls" => Security::Tls,
        "starttls" => Security::StartTls,
        "plain" => Security::Plain,
        other => {
            return Err(err(
                "imap.security",
                format!("{other:?} is not one of tls, starttls, plain"),
            ))
        }
    };
    if security == Security::Plain && !is_loopback(&r.host) {
        return Err(err(
            "imap.security",
            format!(
                "plain (unencrypted) is refused for {:?}: only a loopback host may use it; use tls or starttls",
                r.host
            ),
        ));
    }
    let port = r.port.unwrap_or(match security {
        Security::Tls => 993,
        _ => 143,
    });
    if r.oauth2_token_env.is_some() && r.oauth2_token_command.is_none() {
        return Err(err(
            "imap.oauth2_token_env",
            "names variables for oauth2_token_command, which is not set".into(),
        ));
    }
    let token_env = r.oauth2_token_env.unwrap_or_default();
    let auth = match (r.password_file, r.password_env, r.oauth2_token_command) {
        (Some(f), None, None) => Auth::PasswordFile(resolve(f)),
        (None, Some(v), None) => Auth::PasswordEnv(v),
        (None, None, Some(cmd)) if !cmd.is_empty() => Auth::OAuth2Command(cmd, token_env),
        (None, None, Some(_)) => {
            return Err(err(
                "imap.oauth2_token_command",
                "must name a command, e.g. [\"/usr/local/bin/get-token\"]".into(),
            ))
        }
        (None, None, None) => {
            return Err(err(
                "imap.password_file",
                "one of password_file, password_env or oauth2_token_command is required".into(),
            ))
        }
        _ => {
            return Err(err(
                "imap.password_file",
                "set only one of password_file, password_env and oauth2_token_command".into(),
            ))
        }
    };
    let mode = match r.mode.as_deref().unwrap_or("idle") {
        "idle" => Mode::Idle,
        "poll" => Mode::Poll,
        other => {
            return Err(err(
                "imap.mode",
                format!("{other:?} is not one of idle, poll"),
            ))
        }
    };
    let duration = |key: &str, v: Option<String>, default: Duration| -> Result<_, ConfigError> {
        v.map(|s| parse_duration(&s).map_err(|e| err(key, e)))
            .transpose()
            .map(|d| d.unwrap_or(default))
    };
    let poll_interval = duration(
        "imap.poll_interval",
        r.poll_interval,
        Duration::from_secs(60),
    )?;
    let timeout = duration("imap.timeout", r.timeout, Duration::from_secs(60))?;
    let idle_interval = duration(
        "imap.idle_interval",
        r.idle_interval,
        Duration::from_secs(4 * 60),
    )?;
    if idle_interval > Duration::from_secs(10 * 60) {
        return Err(err(
            "imap.idle_interval",
            "must be 10 minutes or less: servers may drop an IDLE after 29 minutes, and a dead connection must be noticed".into(),
        ));
    }
    let reconnect_max = duration(
        "imap.reconnect_max",
        r.reconnect_max,
        Duration::from_secs(5 * 60),
    )?;
    let batch_size = r.batch_size.unwrap_or(200);
    if !(1..=1000).contains(&batch_size) {
        return Err(err(
            "imap.batch_size",
            format!("{batch_size} is not between 1 and 1000"),
        ));
    }
    let search_range = r.search_range.unwrap_or(50_000);
    if search_range == 0 {
        return Err(err(
            "imap.search_range",
            "must be at least 1 (UIDs per SEARCH)".into(),
        ));
    }
    let max_message_size = r
        .max_message_size
        .map(|s| parse_size(&s).map_err(|e| err("imap.max_message_size", e)))
        .transpose()?
        .unwrap_or(25 * 1024 * 1024);
    let since = r
        .since
        .map(|d| {
            chrono::NaiveDate::parse_from_str(&d.to_string(), "%Y-%m-%d")
                .map_err(|_| err("imap.since", format!("{d} is not a date like 2026-11-01")))
        })
        .transpose()?;
    let state_dir = r
        .state_dir
        .map(resolve)
        .or_else(|| std::env::var_os("STATE_DIRECTORY").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("/var/lib/mailtriage"));
    Ok(ImapConfig {
        host: r.host,
        port,
        security,
        username: r.username,
        auth,
        ca_file: r.ca_file.map(resolve),
        inbox: r.inbox.unwrap_or_else(|| "INBOX".into()),
        drafts: r.drafts,
        sent: r.sent,
        archive_folders: r.archive_folders,
        mode,
        poll_interval,
        timeout,
        idle_interval,
        reconnect_max,
        batch_size,
        search_range,
        max_message_size,
        history_days: r.history_days.unwrap_or(90),
        state_dir,
        since,
    })
}

/// Where `key` (dotted) is set in the file, best effort, for error positions.
fn find_key(text: &str, key: &str) -> Option<(usize, usize)> {
    let (table, leaf) = key.rsplit_once('.').unwrap_or(("", key));
    let mut in_table = table.is_empty();
    let table_last = table.rsplit('.').next().unwrap_or(table);
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        if t.starts_with('[') {
            let name = t.trim_matches(|c| c == '[' || c == ']' || c == ' ');
            in_table = name == table || name.ends_with(table_last) && !table.is_empty();
            continue;
        }
        if in_table {
            if let Some((k, _)) = t.split_once('=') {
                if k.trim() == leaf {
                    return Some((i + 1, line.len() - t.len() + 1));
                }
            }
        }
    }
    None
}

/// `"60s"`, `"5m"`, `"1h"`, `"250ms"` or a plain number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a duration like \"60s\", \"5m\" or \"1h\""))?;
    let d = match unit.trim() {
        "" | "s" => Duration::from_secs(n),
        "ms" => Duration::from_millis(n),
        "m" | "min" => Duration::from_secs(n * 60),
        "h" => Duration::from_secs(n * 3600),
        _ => return Err(format!("{s:?} has an unknown unit; use ms, s, m or h")),
    };
    if d.is_zero() {
        return Err(format!("{s:?} must be longer than zero"));
    }
    Ok(d)
}

/// `"25MB"`, `"512k"`, `"1GiB"` or a plain number of bytes.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a size like \"25MB\""))?;
    let mult = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1024,
        "m" | "mb" | "mib" => 1024 * 1024,
        "g" | "gb" | "gib" => 1024 * 1024 * 1024,
        _ => return Err(format!("{s:?} has an unknown unit; use KB, MB or GB")),
    };
    Ok(n * mult)
}

fn is_language_code(s: &str) -> bool {
    s.len() == 2 && s.chars().all(|c| c.is_ascii_lowercase())
}

/// True for `localhost` and loopback IP literals: the only hosts plaintext IMAP may reach.
pub fn is_loopback(host: &str) -> bool {
    let h = host.trim_matches(['[', ']']);
    h.eq_ignore_ascii_case("localhost")
        || h.parse::<IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(Path::new("/etc/mailtriage/config.toml"), text)
    }

    const MIN: &str = "[identity]\nfrom = \"Support <support@example.com>\"\n";

    #[test]
    fn minimal_config_has_defaults() {
        let c = parse(MIN).expect("valid");
        assert_eq!(c.identity.own_addresses, vec!["support@example.com"]);
        assert_eq!(c.identity.signature, "Support");
        assert_eq!(c.triage.default_language, "en");
        assert!(c.imap.is_none());
    }

    #[test]
    fn promises_default_and_are_checked() {
        assert_eq!(parse(MIN).expect("valid").promises, Promises::default());
        let c = parse(&format!("{MIN}[promises]\nreply_business_days = 3\n")).expect("valid");
        assert_eq!(c.promises.reply_business_days, 3);
        assert_eq!(c.promises.billing_check_business_days, 2);
        let e = parse(&format!("{MIN}[promises]\ncallback_business_days = 0\n")).unwrap_err();
        assert_eq!(e.key, "promises.callback_business_days");
        assert_eq!(c.promises.same_day_until, 17);
        let late = parse(&format!("{MIN}[promises]\nsame_day_until = 24\n")).expect("valid");
        assert_eq!(late.promises.same_day_until, 24);
        let e = parse(&format!("{MIN}[promises]\nsame_day_until = 25\n")).unwrap_err();
        assert_eq!(e.key, "promises.same_day_until");
        assert!(e.position.is_some(), "{e}");
    }

    #[test]
    fn toml_errors_name_the_full_key_and_what_to_do() {
        let e = parse(&format!(
            "{MIN}[imap]\nhost = \"127.0.0.1\"\nbacth_size = 3\n"
        ))
        .unwrap_err();
        assert_eq!(e.key, "imap.bacth_size");
        assert!(e.reason.contains("did you mean `batch_size`?"), "{e}");
        let e = parse(&format!("{MIN}[imap]\nbatch_size = \n")).unwrap_err();
        assert_eq!(e.key, "imap.batch_size");
        assert!(e.reason.contains("has no value"), "{e}");
        let e = parse(&format!("{MIN}[triage]\ndefault_language = en\n")).unwrap_err();
        assert!(e.reason.contains("in quotes: \"en\""), "{e}");
        assert_eq!(
            table_at(
                "[[incident]]\na=1\n[[incident]]\nb=2\n[[incident]]\nc=3\n",
                6
            ),
            Some("incident[3]".into())
        );
    }

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let e = parse(&format!("{MIN}colour = \"red\"\n")).unwrap_err();
        let s = e.to_string();
        assert!(s.starts_with("/etc/mailtriage/config.toml:3:"), "{s}");
        assert!(s.contains("colour"), "{s}");
    }

    #[test]
    fn plain_to_remote_host_is_refused() {
        let e = parse(&format!(
            "{MIN}[imap]\nhost = \"imap.example.com\"\nsecurity = \"plain\"\nusername = \"u\"\npassword_env = \"P\"\n"
        ))
        .unwrap_err();
        assert_eq!(e.key, "imap.security");
        assert_eq!(e.position, Some((5, 1)));
        assert!(e.reason.contains("loopback"));
    }

    #[test]
    fn plain_to_loopback_is_allowed_and_paths_resolve() {
        let c = parse(&format!(
            "{MIN}[imap]\nhost = \"127.0.0.1\"\nsecurity = \"plain\"\nusername = \"u\"\npassword_file = \"secret\"\n[triage]\nfacts = \"facts.toml\"\n"
        ))
        .expect("valid");
        let imap = c.imap.expect("imap");
        assert_eq!(imap.port, 143);
        assert_eq!(
            imap.auth,
            Auth::PasswordFile("/etc/mailtriage/secret".into())
        );
        assert_eq!(c.triage.facts, Some("/etc/mailtriage/facts.toml".into()));
    }

    #[test]
    fn durations_and_sizes() {
        assert_eq!(parse_duration("60s"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("soon").is_err());
        assert_eq!(parse_size("25MB"), Ok(25 * 1024 * 1024));
        assert!(parse_size("lots").is_err());
    }

    #[test]
    fn metrics_listen_is_an_address() {
        assert_eq!(parse(MIN).expect("valid").metrics, None);
        let c = parse(&format!("{MIN}[metrics]\nlisten = \"127.0.0.1:9464\"\n")).expect("valid");
        assert_eq!(c.metrics, Some("127.0.0.1:9464".parse().expect("addr")));
        let e = parse(&format!("{MIN}[metrics]\nlisten = \"localhost\"\n")).unwrap_err();
        assert_eq!(e.key, "metrics.listen");
        assert!(e.reason.contains("127.0.0.1:9464"), "{}", e.reason);
    }

    #[test]
    fn bad_from_is_named() {
        let e = parse("[identity]\nfrom = \"not an address\"\n").unwrap_err();
        assert_eq!(e.key, "identity.from");
        assert_eq!(e.position, Some((2, 1)));
    }
}
