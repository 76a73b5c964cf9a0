//! Opens an authenticated IMAP session: TCP, then implicit TLS, STARTTLS (refused when the
//! server does not offer it — never a silent fallback to plaintext) or plaintext to loopback;
//! then LOGIN with a password from a file or the environment, or XOAUTH2 with a token command.
//! Every step has a timeout. Secrets are never logged.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use async_imap::imap_proto;
use async_imap::{Client, Session};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::{self, pki_types::ServerName};

use super::ImapError;
use crate::config::{Auth, ImapConfig, Security, TOKEN_ENV};

/// What the server may send: at most `left` more bytes while a FETCH of bodies runs (so a
/// server that sends more than was asked for, a 300 MB literal announced as 1 KB, ends the
/// connection instead of filling memory), and never a literal longer than `max_literal`:
/// the IMAP library allocates a literal's announced size before reading it, so an announced
/// size is checked as soon as it arrives, before the library sees it.
#[derive(Debug, Clone)]
pub struct ReadBudget(Arc<Limits>);

#[derive(Debug)]
struct Limits {
    left: AtomicU64,
    max_literal: AtomicU64,
}

impl Default for ReadBudget {
    fn default() -> ReadBudget {
        ReadBudget(Arc::new(Limits {
            left: AtomicU64::new(u64::MAX),
            max_literal: AtomicU64::new(u64::MAX),
        }))
    }
}

impl ReadBudget {
    /// No literal may announce more than `bytes`.
    pub fn max_literal(&self, bytes: u64) {
        self.0.max_literal.store(bytes, Ordering::SeqCst);
    }

    /// At most `bytes` more may be read.
    pub fn limit(&self, bytes: u64) {
        self.0.left.store(bytes.min(OVERRUN - 1), Ordering::SeqCst);
    }

    /// No limit on the bytes read (literals stay capped).
    pub fn unlimited(&self) {
        self.0.left.store(u64::MAX, Ordering::SeqCst);
    }

    /// Whether the last limit was overrun.
    pub fn overrun(&self) -> bool {
        self.0.left.load(Ordering::SeqCst) == OVERRUN
    }

    /// Takes `n` bytes that announce literals of `literals` bytes; false when they were not
    /// allowed (the budget is then overrun).
    fn take(&self, n: u64, literals: &[u64]) -> bool {
        let max_literal = self.0.max_literal.load(Ordering::SeqCst);
        let too_long = literals.iter().any(|l| *l > max_literal);
        let result =
            self.0
                .left
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| match left {
                    OVERRUN => Some(OVERRUN),
                    u64::MAX if !too_long => None,
                    u64::MAX => Some(OVERRUN),
                    left if too_long || n > left || literals.iter().any(|l| *l > left) => {
                        Some(OVERRUN)
                    }
                    left => Some(left - n),
                });
        match result {
            Err(_) => true,
            Ok(before) => before != OVERRUN && self.0.left.load(Ordering::SeqCst) != OVERRUN,
        }
    }
}

/// The budget's value once overrun (one below "unlimited").
const OVERRUN: u64 = u64::MAX - 1;

/// The sizes of the literals announced (`{123}` at a line end) in `bytes`, read after `tail`
/// (the end of the previous read, so an announcement split between two reads is seen).
fn literals(tail: &[u8], bytes: &[u8]) -> Vec<u64> {
    let mut joined = Vec::with_capacity(tail.len() + bytes.len());
    joined.extend_from_slice(tail);
    joined.extend_from_slice(bytes);
    let mut out = Vec::new();
    for (i, _) in joined.iter().enumerate().filter(|(_, b)| **b == b'{') {
        let digits: Vec<u8> = joined[i + 1..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .copied()
            .collect();
        let rest = &joined[i + 1 + digits.len()..];
        // Only an announcement that ends in this read counts, so none is counted twice.
        let end = i + 1 + digits.len() + 3;
        if !digits.is_empty() && rest.starts_with(b"}\r\n") && end > tail.len() {
            let n = std::str::from_utf8(&digits)
                .ok()
                .and_then(|d| d.parse().ok())
                .unwrap_or(u64::MAX);
            out.push(n);
        }
    }
    out
}

/// How much of a read is kept to find a literal announcement split between reads.
const TAIL: usize = 24;

/// The transport under a session: plain TCP (loopback only) or TLS.
#[derive(Debug)]
pub enum Io {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

/// The byte stream under a session, with its [`ReadBudget`].
#[derive(Debug)]
pub struct Stream {
    io: Io,
    budget: ReadBudget,
    /// The last bytes read, for [`literals`].
    tail: Vec<u8>,
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = match &mut this.io {
            Io::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Io::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        };
        if matches!(polled, Poll::Ready(Ok(()))) {
            let new = &buf.filled()[before..];
            let announced = literals(&this.tail, new);
            if !this.budget.take(new.len() as u64, &announced) {
                return Poll::Ready(Err(io::Error::other(
                    "the server sent more than the bytes asked for",
                )));
            }
            this.tail.extend_from_slice(new);
            let cut = this.tail.len().saturating_sub(TAIL);
            this.tail.drain(..cut);
        }
        polled
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match &mut self.get_mut().io {
            Io::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Io::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().io {
            Io::Plain(s) => Pin::new(s).poll_flush(cx),
            Io::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().io {
            Io::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Io::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// An authenticated session.
pub type ImapSession = Session<Stream>;

/// Runs `fut` with the configured timeout, so a silent server never hangs the daemon.
pub async fn timed<T, E: Into<ImapError>>(
    limit: Duration,
    what: &str,
    fut: impl std::future::Future<Output = Result<T, E>>,
) -> Result<T, ImapError> {
    let started = std::time::Instant::now();
    let result = match tokio::time::timeout(limit, fut).await {
        Ok(r) => r.map_err(Into::into),
        Err(_) => Err(ImapError::Timeout(what.to_string())),
    };
    crate::metrics::command(what, started.elapsed());
    result
}

fn tls_config(cfg: &ImapConfig) -> Result<Arc<rustls::ClientConfig>, ImapError> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(ca) = &cfg.ca_file {
        let pem = std::fs::read(ca)
            .map_err(|e| ImapError::Tls(format!("cannot read ca_file {}: {e}", ca.display())))?;
        let mut added = 0;
        for cert in rustls_pemfile::certs(&mut pem.as_slice()) {
            let cert =
                cert.map_err(|e| ImapError::Tls(format!("ca_file {}: {e}", ca.display())))?;
            roots
                .add(cert)
                .map_err(|e| ImapError::Tls(format!("ca_file {}: {e}", ca.display())))?;
            added += 1;
        }
        if added == 0 {
            return Err(ImapError::Tls(format!(
                "ca_file {} holds no PEM certificate",
                ca.display()
            )));
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ImapError::Tls(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

async fn tls(cfg: &ImapConfig, tcp: TcpStream, budget: &ReadBudget) -> Result<Stream, ImapError> {
    let name = ServerName::try_from(cfg.host.clone())
        .map_err(|e| ImapError::Tls(format!("host {:?}: {e}", cfg.host)))?;
    let connector = tokio_rustls::TlsConnector::from(tls_config(cfg)?);
    let stream = timed(cfg.timeout, "TLS handshake", async {
        connector
            .connect(name, tcp)
            .await
            .map_err(|e| ImapError::Tls(e.to_string()))
    })
    .await?;
    Ok(Stream {
        io: Io::Tls(Box::new(stream)),
        budget: budget.clone(),
        tail: Vec::new(),
    })
}

/// Reads the server greeting; a `* BYE` greeting is a refusal.
async fn greeting(cfg: &ImapConfig, client: &mut Client<Stream>) -> Result<(), ImapError> {
    let resp = timed(cfg.timeout, "greeting", async {
        client.read_response().await.map_err(ImapError::Io)
    })
    .await?;
    match resp {
        Some(r)
            if matches!(
                r.parsed(),
                imap_proto::Response::Data {
                    status: imap_proto::Status::Bye,
                    ..
                }
            ) =>
        {
            Err(ImapError::Protocol(
                "server said BYE in its greeting".into(),
            ))
        }
        Some(_) => Ok(()),
        None => Err(ImapError::Protocol(
            "connection closed before the greeting".into(),
        )),
    }
}

/// Whether the unauthenticated server lists `cap` in CAPABILITY.
async fn has_capability(
    cfg: &ImapConfig,
    client: &mut Client<Stream>,
    cap: &str,
) -> Result<bool, ImapError> {
    let (tx, rx) = async_channel::bounded(16);
    timed(
        cfg.timeout,
        "CAPABILITY",
        client.run_command_and_check_ok("CAPABILITY", Some(tx)),
    )
    .await?;
    let mut found = false;
    while let Ok(resp) = rx.try_recv() {
        if let async_imap::types::UnsolicitedResponse::Other(data) = resp {
            if let imap_proto::Response::Capabilities(caps) = data.parsed() {
                found |= caps.iter().any(
                    |c| matches!(c, imap_proto::Capability::Atom(a) if a.eq_ignore_ascii_case(cap)),
                );
            }
        }
    }
    Ok(found)
}

/// Connects and returns a client ready to authenticate.
pub async fn open(cfg: &ImapConfig, budget: &ReadBudget) -> Result<Client<Stream>, ImapError> {
    let plain = |tcp| Stream {
        io: Io::Plain(tcp),
        budget: budget.clone(),
        tail: Vec::new(),
    };
    let tcp = timed(
        cfg.timeout,
        "connect",
        TcpStream::connect((cfg.host.as_str(), cfg.port)),
    )
    .await?;
    let _ = tcp.set_nodelay(true);
    let mut client = match cfg.security {
        Security::Plain => {
            if !crate::config::is_loopback(&cfg.host) {
                return Err(ImapError::Tls(
                    "plaintext IMAP is only allowed to a loopback host".into(),
                ));
            }
            Client::new(plain(tcp))
        }
        Security::Tls => Client::new(tls(cfg, tcp, budget).await?),
        Security::StartTls => {
            let mut plain = Client::new(plain(tcp));
            greeting(cfg, &mut plain).await?;
            if !has_capability(cfg, &mut plain, "STARTTLS").await? {
                return Err(ImapError::StartTlsUnavailable(cfg.host.clone()));
            }
            timed(
                cfg.timeout,
                "STARTTLS",
                plain.run_command_and_check_ok("STARTTLS", None),
            )
            .await?;
            let Io::Plain(tcp) = plain.into_inner().io else {
                return Err(ImapError::Protocol("unexpected stream state".into()));
            };
            // No greeting follows STARTTLS.
            return Ok(Client::new(tls(cfg, tcp, budget).await?));
        }
    };
    greeting(cfg, &mut client).await?;
    Ok(client)
}

/// The XOAUTH2 exchange: the token in the first response; after a refusal the server sends
/// its reason (JSON) as a second challenge, which gets the empty response the protocol asks
/// for and is kept for the error message.
struct XOAuth2 {
    user: String,
    token: String,
    sent: bool,
    refusal: Option<String>,
}

impl async_imap::Authenticator for &mut XOAuth2 {
    type Response = String;
    fn process(&mut self, challenge: &[u8]) -> String {
        if self.sent {
            self.refusal = Some(String::from_utf8_lossy(challenge).trim().to_string());
            return String::new();
        }
        self.sent = true;
        format!("user={}\x01auth=Bearer {}\x01\x01", self.user, self.token)
    }
}

/// Runs the configured token command and returns its trimmed stdout.
async fn oauth2_token(
    cfg: &ImapConfig,
    cmd: &[String],
    env: &[String],
) -> Result<String, ImapError> {
    let (prog, args) = cmd
        .split_first()
        .ok_or_else(|| ImapError::Auth("oauth2_token_command is empty".into()))?;
    let out = timed(
        cfg.timeout,
        "oauth2_token_command",
        tokio::process::Command::new(prog)
            .args(args)
            // A cleared environment plus an allow-list: the command sees no NOTIFY_SOCKET,
            // no password_env variable, nothing it was not meant to.
            .env_clear()
            .envs(
                TOKEN_ENV
                    .iter()
                    .copied()
                    .chain(env.iter().map(String::as_str))
                    .filter_map(|k| std::env::var_os(k).map(|v| (k, v))),
            )
            .kill_on_drop(true)
            .output(),
    )
    .await?;
    if !out.status.success() {
        // Its stdout may hold a token: only stderr, shortened, goes into the error.
        let stderr = String::from_utf8_lossy(&out.stderr);
        let stderr: String = stderr.trim().chars().take(500).collect();
        return Err(ImapError::Auth(format!(
            "oauth2_token_command {prog:?} failed ({}): {stderr}",
            out.status,
        )));
    }
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if token.is_empty() {
        return Err(ImapError::Auth(format!(
            "oauth2_token_command {prog:?} printed no token"
        )));
    }
    Ok(token)
}

/// Reads the password; a file's trailing newline is not part of it.
fn password(auth: &Auth) -> Result<String, ImapError> {
    match auth {
        Auth::PasswordFile(p) => std::fs::read_to_string(p)
            .map(|s| s.trim_end_matches(['\r', '\n']).to_string())
            .map_err(|e| {
                ImapError::Auth(format!("cannot read password_file {}: {e}", p.display()))
            }),
        Auth::PasswordEnv(v) => {
            std::env::var(v).map_err(|_| ImapError::Auth(format!("password_env: ${v} is not set")))
        }
        Auth::OAuth2Command(..) => Err(ImapError::Auth("no password for XOAUTH2".into())),
    }
}

/// Connects and authenticates. XOAUTH2 runs the token command again once after a failure,
/// since tokens expire.
pub async fn login(cfg: &ImapConfig, budget: &ReadBudget) -> Result<ImapSession, ImapError> {
    match &cfg.auth {
        Auth::OAuth2Command(cmd, env) => {
            let mut last = String::new();
            for _ in 0..2 {
                let client = open(cfg, budget).await?;
                let mut auth = XOAuth2 {
                    user: cfg.username.clone(),
                    token: oauth2_token(cfg, cmd, env).await?,
                    sent: false,
                    refusal: None,
                };
                let result = timed(cfg.timeout, "AUTHENTICATE", async {
                    client
                        .authenticate("XOAUTH2", &mut auth)
                        .await
                        .map_err(|(e, _)| match e {
                            async_imap::error::Error::No(m) | async_imap::error::Error::Bad(m) => {
                                ImapError::Auth(m.trim().to_string())
                            }
                            other => other.into(),
                        })
                })
                .await;
                match result {
                    Ok(s) => return Ok(s),
                    // Refused: a fresh token may do (the first one had expired).
                    Err(ImapError::Auth(m)) => {
                        last = match auth.refusal {
                            Some(reason) => format!("{m} (reason: {reason})"),
                            None => m,
                        };
                    }
                    Err(e) => return Err(e),
                }
            }
            Err(ImapError::Auth(format!(
                "XOAUTH2 for {:?} was refused, also with a fresh token from oauth2_token_command: {last}",
                cfg.username,
            )))
        }
        auth => {
            let pass = password(auth)?;
            let client = open(cfg, budget).await?;
            timed(cfg.timeout, "LOGIN", async {
                client
                    .login(&cfg.username, &pass)
                    .await
                    .map_err(|(e, _)| match e {
                        async_imap::error::Error::No(m) | async_imap::error::Error::Bad(m) => {
                            ImapError::Auth(format!(
                                "the server refused the login for {:?}: {}",
                                cfg.username,
                                m.trim()
                            ))
                        }
                        other => other.into(),
                    })
            })
            .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_imap::Authenticator as _;

    #[test]
    fn xoauth2_sends_the_token_once_and_answers_a_refusal_empty() {
        let mut auth = XOAuth2 {
            user: "support@example.com".into(),
            token: "tok".into(),
            sent: false,
            refusal: None,
        };
        let first = (&mut auth).process(b"");
        assert_eq!(first, "user=support@example.com\x01auth=Bearer tok\x01\x01");
        let second = (&mut auth).process(br#"{"status":"401"}"#);
        assert_eq!(
            second, "",
            "the refusal challenge must get an empty response"
        );
        assert_eq!(auth.refusal.as_deref(), Some(r#"{"status":"401"}"#));
    }
}

#[cfg(test)]
mod budget_tests {
    use super::*;

    #[test]
    fn literal_announcements_are_found_once_even_across_reads() {
        assert_eq!(literals(b"", b"* 1 FETCH (BODY[] {12}\r\nhello"), vec![12]);
        // Split between two reads: seen in the second, not counted in both.
        assert_eq!(literals(b"", b"BODY[] {3000"), Vec::<u64>::new());
        assert_eq!(literals(b"BODY[] {3000", b"00}\r\nxx"), vec![300000]);
        assert_eq!(literals(b"{5}\r\n", b"abcde"), Vec::<u64>::new());
        assert_eq!(literals(b"", b"{not a literal}"), Vec::<u64>::new());
    }

    #[test]
    fn the_budget_refuses_long_literals_and_bytes_beyond_the_limit() {
        let b = ReadBudget::default();
        b.max_literal(1000);
        assert!(b.take(10_000, &[]), "unlimited bytes");
        assert!(!b.take(10, &[1001]), "a literal over the cap");
        assert!(b.overrun());
        let b = ReadBudget::default();
        b.max_literal(u64::MAX);
        b.limit(100);
        assert!(b.take(60, &[]));
        assert!(!b.take(60, &[]), "over the limit");
        assert!(b.overrun() && !b.take(1, &[]), "stays overrun");
        let b = ReadBudget::default();
        b.limit(100);
        assert!(!b.take(10, &[500]), "a literal longer than what is left");
        b.unlimited();
        assert!(!b.overrun() && b.take(1, &[]));
    }
}
