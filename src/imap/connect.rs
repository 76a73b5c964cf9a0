//! Opens an authenticated IMAP session: TCP, then implicit TLS, STARTTLS (refused when the
//! server does not offer it — never a silent fallback to plaintext) or plaintext to loopback;
//! then LOGIN with a password from a file or the environment, or XOAUTH2 with a token command.
//! Every step has a timeout. Secrets are never logged.

use std::io;
use std::pin::Pin;
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

/// The byte stream under a session: plain TCP (loopback only) or TLS.
#[derive(Debug)]
pub enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
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
    match tokio::time::timeout(limit, fut).await {
        Ok(r) => r.map_err(Into::into),
        Err(_) => Err(ImapError::Timeout(what.to_string())),
    }
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

async fn tls(cfg: &ImapConfig, tcp: TcpStream) -> Result<Stream, ImapError> {
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
    Ok(Stream::Tls(Box::new(stream)))
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
pub async fn open(cfg: &ImapConfig) -> Result<Client<Stream>, ImapError> {
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
            Client::new(Stream::Plain(tcp))
        }
        Security::Tls => Client::new(tls(cfg, tcp).await?),
        Security::StartTls => {
            let mut plain = Client::new(Stream::Plain(tcp));
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
            let Stream::Plain(tcp) = plain.into_inner() else {
                return Err(ImapError::Protocol("unexpected stream state".into()));
            };
            // No greeting follows STARTTLS.
            return Ok(Client::new(tls(cfg, tcp).await?));
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
pub async fn login(cfg: &ImapConfig) -> Result<ImapSession, ImapError> {
    match &cfg.auth {
        Auth::OAuth2Command(cmd, env) => {
            let mut last = String::new();
            for _ in 0..2 {
                let client = open(cfg).await?;
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
            let client = open(cfg).await?;
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
