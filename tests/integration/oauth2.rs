//! XOAUTH2 with `oauth2_token_command` against a real Dovecot whose oauth2 passdb checks each
//! token by POSTing it to a small introspection endpoint run here. That endpoint stands in for
//! the identity provider (Google's or Microsoft's token service); the IMAP side is Dovecot's.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::secrets::TRACE_ALL;
use crate::util::dovecot::{Dovecot, USER};
use crate::util::{fixtures, mailtriage, mailtriage_with_env, path_str};

const GOOD: &str = "ya29.good-token-5f1c2e";
const STALE: &str = "ya29.stale-token-0a9b7d";

/// The identity provider's token introspection (RFC 7662): `{"active": true, "username": …}`
/// for [`GOOD`], `{"active": false}` for anything else. Records every token it is asked about.
struct Introspection {
    port: u16,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Introspection {
    fn start() -> Introspection {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the introspection endpoint");
        let port = listener.local_addr().expect("local addr").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                if let Some(token) = answer(stream) {
                    log.lock().expect("introspection log").push(token);
                }
            }
        });
        Introspection { port, seen }
    }

    fn seen(&self) -> Vec<String> {
        self.seen.lock().expect("introspection log").clone()
    }
}

/// Answers one HTTP request and returns the token it asked about: the `token` form field of a
/// POST body, or a bearer token in Authorization.
fn answer(stream: TcpStream) -> Option<String> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut length = 0;
    let mut token = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').unwrap_or((line, ""));
        if name.eq_ignore_ascii_case("content-length") {
            length = value.trim().parse().unwrap_or(0);
        }
        if name.eq_ignore_ascii_case("authorization") {
            token = value.trim().strip_prefix("Bearer ").map(str::to_string);
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let body = String::from_utf8_lossy(&body);
    if let Some(t) = body.split('&').find_map(|kv| kv.strip_prefix("token=")) {
        token = Some(t.replace("%2E", ".").replace("%2e", "."));
    }
    let token = token.unwrap_or_default();
    let json = if token == GOOD {
        format!(r#"{{"active": true, "username": "{USER}", "scope": "https://mail.google.com/"}}"#)
    } else {
        r#"{"active": false}"#.to_string()
    };
    let mut stream = stream;
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{json}",
        json.len()
    );
    Some(token)
}

/// A token command: a shell script in the server's temp dir, run by mailtriage.
fn token_command(dv: &Dovecot, name: &str, script: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dv.dir.path().join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{script}")).expect("token command");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path
}

/// A token command named `get-token` that counts its runs (see [`runs`]), then runs `then`.
fn counted_token_command(dv: &Dovecot, then: &str) -> PathBuf {
    let dir = dv.dir.path().display();
    token_command(
        dv,
        "get-token",
        &format!("cd {dir}\necho run >> runs\n{then}\n"),
    )
}

/// The harness config with `oauth2_token_command` in place of the password file.
fn oauth2_config(dv: &Dovecot, command: &Path) -> PathBuf {
    let cfg = dv.config("plain", "");
    let text = std::fs::read_to_string(&cfg).expect("config");
    assert!(
        text.contains("password_file = \"imap-password\"\n"),
        "the harness config changed: {text}"
    );
    let text = text.replace(
        "password_file = \"imap-password\"\n",
        &format!("oauth2_token_command = [\"{}\"]\n", command.display()),
    );
    std::fs::write(&cfg, text).expect("config");
    cfg
}

fn deliver_one(dv: &Dovecot) {
    dv.deliver(
        "INBOX",
        &std::fs::read(fixtures().join("lat-en-billing-charged-twice.eml")).expect("fixture"),
    );
}

fn once(cfg: &Path) -> (Option<i32>, String) {
    let out = mailtriage(&["--config", &path_str(cfg), "once"], b"");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

fn runs(dv: &Dovecot) -> usize {
    std::fs::read_to_string(dv.dir.path().join("runs"))
        .map(|s| s.lines().count())
        .unwrap_or(0)
}

#[test]
fn xoauth2_good_token_logs_in_and_once_drafts() {
    let idp = Introspection::start();
    let dv = Dovecot::start_oauth2(idp.port);
    deliver_one(&dv);
    let cmd = counted_token_command(&dv, &format!("echo {GOOD}"));
    let cfg = oauth2_config(&dv, &cmd);
    let (code, out) = once(&cfg);
    assert_eq!(code, Some(0), "{out}\n{}", dv.log());
    assert_eq!(dv.count("Drafts"), 1, "{out}");
    assert!(
        dv.flags("INBOX")[0].1.contains("triage:billing"),
        "{:?}",
        dv.flags("INBOX")
    );
    assert!(
        dv.log().contains("method=XOAUTH2"),
        "Dovecot did not log an XOAUTH2 login: {}",
        dv.log()
    );
    assert_eq!(idp.seen(), vec![GOOD.to_string()]);
    assert!(!out.contains(GOOD), "the token was logged: {out}");
}

#[test]
fn xoauth2_stale_token_runs_the_command_again() {
    let idp = Introspection::start();
    let dv = Dovecot::start_oauth2(idp.port);
    deliver_one(&dv);
    // The first run prints a token the provider no longer accepts; the next a fresh one.
    let cmd = counted_token_command(
        &dv,
        &format!("if [ \"$(wc -l < runs)\" -eq 1 ]; then echo {STALE}; else echo {GOOD}; fi"),
    );
    let cfg = oauth2_config(&dv, &cmd);
    let (code, out) = once(&cfg);
    assert_eq!(code, Some(0), "{out}\n{}", dv.log());
    assert_eq!(runs(&dv), 2, "the token command ran {} times", runs(&dv));
    assert_eq!(idp.seen(), vec![STALE.to_string(), GOOD.to_string()]);
    assert_eq!(dv.count("Drafts"), 1, "{out}");
    assert!(
        !out.contains(GOOD) && !out.contains(STALE),
        "a token was logged: {out}"
    );
}

#[test]
fn xoauth2_refused_twice_is_a_clear_error_without_the_token() {
    let idp = Introspection::start();
    let dv = Dovecot::start_oauth2(idp.port);
    deliver_one(&dv);
    let cmd = counted_token_command(&dv, &format!("echo {STALE}"));
    let cfg = oauth2_config(&dv, &cmd);
    let (code, out) = once(&cfg);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("XOAUTH2") && out.contains(USER),
        "unclear error: {out}"
    );
    // Dovecot's reason, sent as the XOAUTH2 error challenge, is part of the message.
    assert!(out.contains(r#""status":"401""#), "no reason given: {out}");
    assert_eq!(runs(&dv), 2, "the token command ran {} times", runs(&dv));
    assert!(!out.contains(STALE), "the token was logged: {out}");
    assert_eq!(dv.count("Drafts"), 0);
}

#[test]
fn xoauth2_failing_token_command_names_it_and_never_logs_the_token() {
    let idp = Introspection::start();
    let dv = Dovecot::start_oauth2(idp.port);
    deliver_one(&dv);
    // A helper that prints a token and then fails: the output is not to be trusted or shown.
    let cmd = token_command(
        &dv,
        "refresh-imap-token",
        &format!("echo {GOOD}\necho 'invalid_grant: refresh token revoked' >&2\nexit 3\n"),
    );
    let cfg = oauth2_config(&dv, &cmd);
    let (code, out) = once(&cfg);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("refresh-imap-token") && out.contains("refresh token revoked"),
        "the error does not name the command and its complaint: {out}"
    );
    assert!(!out.contains(GOOD), "the token was logged: {out}");
    assert!(
        idp.seen().is_empty(),
        "a token from a failed command was used: {:?}",
        idp.seen()
    );
    assert_eq!(dv.count("Drafts"), 0);
}

/// Standard base64 with padding, as the XOAUTH2 exchange sends the token.
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn xoauth2_token_is_not_logged_at_trace_level() {
    let idp = Introspection::start();
    let dv = Dovecot::start_oauth2(idp.port);
    deliver_one(&dv);
    let cmd = counted_token_command(&dv, &format!("echo {GOOD}"));
    let cfg = oauth2_config(&dv, &cmd);
    let out = mailtriage_with_env(
        &["--config", &path_str(&cfg), "once"],
        b"",
        &[("RUST_LOG", TRACE_ALL)],
    );
    let log = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{log}\n{}", dv.log());
    assert_eq!(idp.seen(), vec![GOOD.to_string()]);
    let sasl = base64(format!("user={USER}\x01auth=Bearer {GOOD}\x01\x01").as_bytes());
    assert_eq!(base64(b"user"), "dXNlcg==");
    assert!(!log.contains(GOOD), "the token is in the log: {log}");
    assert!(
        !log.contains(&sasl),
        "the encoded token is in the log: {log}"
    );
    assert!(
        !log.contains("async_imap"),
        "async-imap's trace is in the log"
    );
}

#[test]
fn the_token_command_sees_only_the_allowed_environment() {
    let idp = Introspection::start();
    let dv = Dovecot::start_oauth2(idp.port);
    deliver_one(&dv);
    let dump = dv.dir.path().join("env-seen");
    let cmd = token_command(
        &dv,
        "get-token",
        &format!("env > {}\necho {GOOD}\n", dump.display()),
    );
    let cfg = oauth2_config(&dv, &cmd);
    let text = std::fs::read_to_string(&cfg).expect("config");
    let text = text.replace(
        "oauth2_token_command = [",
        "oauth2_token_env = [\"TENANT_ID\"]\noauth2_token_command = [",
    );
    std::fs::write(&cfg, text).expect("config");
    let out = mailtriage_with_env(
        &["--config", &path_str(&cfg), "once"],
        b"",
        &[
            ("NOTIFY_SOCKET", "/run/systemd/notify"),
            ("IMAP_PASSWORD", "not-for-the-token-command"),
            ("TENANT_ID", "tenant-42"),
        ],
    );
    let log = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{log}\n{}", dv.log());
    let seen = std::fs::read_to_string(&dump).expect("the command ran");
    assert!(seen.contains("TENANT_ID=tenant-42"), "{seen}");
    assert!(seen.lines().any(|l| l.starts_with("PATH=")), "{seen}");
    assert!(!seen.contains("NOTIFY_SOCKET"), "{seen}");
    assert!(!seen.contains("IMAP_PASSWORD"), "{seen}");
}
