//! A tiny blocking IMAP client written against RFC 3501 by hand, independent of async-imap:
//! the harnesses of servers without a delivery tool (Courier, Cyrus) deliver test mail with it
//! (APPEND) and read back what mailtriage did (flags, headers, counts).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

pub struct RawImap {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    tag: u32,
}

/// The number in a trailing `{n}` or `{n+}` literal marker of a response line, if any.
fn literal_len(line: &str) -> Option<usize> {
    let body = line.strip_suffix('}')?;
    let open = body.rfind('{')?;
    body[open + 1..].trim_end_matches('+').parse().ok()
}

impl RawImap {
    /// Connects to a plaintext loopback port and logs in with LOGIN.
    pub fn login(port: u16, user: &str, password: &str) -> RawImap {
        let stream = TcpStream::connect(("127.0.0.1", port))
            .unwrap_or_else(|e| panic!("connect to 127.0.0.1:{port}: {e}"));
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("read timeout");
        let writer = stream.try_clone().expect("clone stream");
        let mut c = RawImap {
            reader: BufReader::new(stream),
            writer,
            tag: 0,
        };
        let greeting = c.read_response();
        assert!(greeting.starts_with("* OK"), "greeting: {greeting}");
        c.cmd(&format!("LOGIN {} {}", quote(user), quote(password)));
        c
    }

    /// One response: a line, with any literals it announces read in (CRLFs kept).
    fn read_response(&mut self) -> String {
        let mut out = String::new();
        loop {
            let mut line = Vec::new();
            self.reader
                .read_until(b'\n', &mut line)
                .expect("read from the server");
            assert!(!line.is_empty(), "the server closed the connection: {out}");
            let line = String::from_utf8_lossy(&line).into_owned();
            let trimmed = line.trim_end_matches(['\r', '\n']);
            out.push_str(&line);
            let Some(n) = literal_len(trimmed) else {
                return out.trim_end_matches(['\r', '\n']).to_string();
            };
            let mut lit = vec![0u8; n];
            self.reader.read_exact(&mut lit).expect("read a literal");
            out.push_str(&String::from_utf8_lossy(&lit));
        }
    }

    fn next_tag(&mut self) -> String {
        self.tag += 1;
        format!("r{}", self.tag)
    }

    /// Reads untagged responses up to the tagged one; panics unless it is OK.
    fn finish(&mut self, tag: &str, what: &str) -> Vec<String> {
        let mut untagged = Vec::new();
        loop {
            let r = self.read_response();
            if let Some(rest) = r.strip_prefix(&format!("{tag} ")) {
                assert!(rest.starts_with("OK"), "{what}: {rest}\n{untagged:#?}");
                return untagged;
            }
            untagged.push(r);
        }
    }

    /// Runs one command (no literals in it) and returns its untagged responses.
    pub fn cmd(&mut self, command: &str) -> Vec<String> {
        let tag = self.next_tag();
        self.writer
            .write_all(format!("{tag} {command}\r\n").as_bytes())
            .expect("send a command");
        let what = if command.starts_with("LOGIN") {
            "LOGIN"
        } else {
            command
        };
        self.finish(&tag, what)
    }

    /// APPENDs one message with a synchronising literal (the server need not offer LITERAL+).
    /// Bare LFs become CRLF, as an MTA would deliver them (Cyrus refuses bare newlines).
    pub fn append(&mut self, folder: &str, flags: &str, message: &[u8]) {
        let message = &crlf(message);
        let tag = self.next_tag();
        self.writer
            .write_all(
                format!(
                    "{tag} APPEND {} ({flags}) {{{}}}\r\n",
                    quote(folder),
                    message.len()
                )
                .as_bytes(),
            )
            .expect("send APPEND");
        let go = self.read_response();
        assert!(go.starts_with('+'), "APPEND to {folder}: {go}");
        self.writer.write_all(message).expect("send the message");
        self.writer.write_all(b"\r\n").expect("end APPEND");
        self.finish(&tag, "APPEND");
    }

    /// Opens a folder read-only and returns its EXISTS count.
    fn examine(&mut self, folder: &str) -> usize {
        self.cmd(&format!("EXAMINE {}", quote(folder)))
            .iter()
            .find_map(|r| r.strip_prefix("* ")?.strip_suffix(" EXISTS")?.parse().ok())
            .expect("EXISTS in the EXAMINE response")
    }

    pub fn count(&mut self, folder: &str) -> usize {
        self.examine(folder)
    }

    /// (uid, flags) of every message in a folder, in UID order.
    pub fn flags(&mut self, folder: &str) -> Vec<(u32, String)> {
        if self.examine(folder) == 0 {
            return Vec::new();
        }
        let mut out: Vec<(u32, String)> = self
            .cmd("UID FETCH 1:* (UID FLAGS)")
            .iter()
            .filter(|r| r.contains(" FETCH "))
            .map(|r| {
                let uid = r
                    .split_once("UID ")
                    .and_then(|(_, rest)| rest.split([' ', ')']).next())
                    .and_then(|u| u.parse().ok())
                    .unwrap_or_else(|| panic!("no UID in {r}"));
                let flags = r
                    .split_once("FLAGS (")
                    .and_then(|(_, rest)| rest.split_once(')'))
                    .map(|(f, _)| f.to_string())
                    .unwrap_or_else(|| panic!("no FLAGS in {r}"));
                (uid, flags)
            })
            .collect();
        out.sort_by_key(|(u, _)| *u);
        out
    }

    /// The header block of every message in a folder, in UID order.
    pub fn headers(&mut self, folder: &str) -> Vec<String> {
        if self.examine(folder) == 0 {
            return Vec::new();
        }
        self.cmd("UID FETCH 1:* (BODY.PEEK[HEADER])")
            .into_iter()
            .filter(|r| r.contains(" FETCH "))
            .collect()
    }

    pub fn logout(mut self) {
        let tag = self.next_tag();
        let _ = self
            .writer
            .write_all(format!("{tag} LOGOUT\r\n").as_bytes());
    }
}

/// The message with every line ending CRLF.
fn crlf(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + message.len() / 40);
    for (i, b) in message.iter().enumerate() {
        if *b == b'\n' && (i == 0 || message[i - 1] != b'\r') {
            out.push(b'\r');
        }
        out.push(*b);
    }
    out
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A server under test seen through [`RawImap`]: each call logs in, does one thing, logs out.
pub trait Server {
    /// A logged-in independent client, as the test user.
    fn imap(&self) -> RawImap;

    /// Delivers a message into a folder over IMAP APPEND, with no flags.
    fn deliver(&self, folder: &str, raw: &[u8]) {
        self.with_imap(|c| c.append(folder, "", raw))
    }

    fn flags(&self, folder: &str) -> Vec<(u32, String)> {
        self.with_imap(|c| c.flags(folder))
    }

    fn count(&self, folder: &str) -> usize {
        self.with_imap(|c| c.count(folder))
    }

    fn headers(&self, folder: &str) -> Vec<String> {
        self.with_imap(|c| c.headers(folder))
    }

    fn with_imap<T>(&self, f: impl FnOnce(&mut RawImap) -> T) -> T {
        let mut c = self.imap();
        let out = f(&mut c);
        c.logout();
        out
    }
}
