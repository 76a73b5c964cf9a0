//! A TCP proxy between the daemon and Dovecot that injects network faults on loopback: stall
//! everything (connections open, no bytes) or cut every connection by hand, or arm a one-shot
//! [`Fault`] that watches the client→server command stream and, at a chosen step of the IMAP
//! protocol (before a command, once it is sent, once it is answered, half-way into one of its
//! literals), freezes that connection, cuts it, answers `* BYE` or answers the command `NO`,
//! and reports that it fired.
//! Watching the wire keeps test hooks out of the daemon: the fault lands at an exact protocol
//! step whatever the timing.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Where in the client's command stream a [`Fault`] lands. The pattern is matched against the
/// first line of each command (`A7 UID FETCH 1:4 BODY.PEEK[]`), case-sensitively.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    /// The command never reaches the server.
    Before(&'static str),
    /// The whole command reached the server; its answer does not come back (with `Freeze`).
    Sent(&'static str),
    /// The command was answered: the fault lands just before the client's next command.
    After(&'static str),
    /// Half of literal number `.1` (from 0; the last one if there are fewer) of the command
    /// reached the server, the rest did not.
    MidLiteral(&'static str, usize),
}

/// What happens to the connection when a [`Fault`] lands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// No more bytes either way; the connection stays open until a side closes it.
    Freeze,
    /// Both sockets are shut down, as a dropped network would.
    Cut,
    /// The server says `* BYE test` and closes.
    Bye,
    /// With [`At::Before`] on a command without literals: the server answers the command `NO`
    /// (it never sees it) and the connection carries on.
    No,
    /// With [`At::Before`] on a `UID FETCH` of a body: the server answers in the real one's
    /// place with a body of this many bytes for the first UID, whatever was asked for, as a
    /// hostile server announcing 1 KB and sending 300 MB would.
    Flood(usize),
}

/// A one-shot fault: at the `nth` (from 1) command matching `at`, counted over all
/// connections, do `action`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fault {
    pub at: At,
    pub nth: usize,
    pub action: Action,
}

impl At {
    fn pattern(&self) -> &'static str {
        match *self {
            At::Before(p) | At::Sent(p) | At::After(p) | At::MidLiteral(p, _) => p,
        }
    }
}

#[derive(Debug)]
struct Armed {
    fault: Fault,
    seen: usize,
}

/// State shared by the proxy and every connection.
struct Shared {
    stalled: AtomicBool,
    stop: AtomicBool,
    conns: Mutex<Vec<TcpStream>>,
    armed: Mutex<Vec<Armed>>,
    fired: Mutex<Sender<Fault>>,
}

pub struct Proxy {
    pub port: u16,
    shared: Arc<Shared>,
    fired: Mutex<Receiver<Fault>>,
}

/// One proxied connection: both sockets and whether it is frozen.
struct Conn {
    client: TcpStream,
    server: TcpStream,
    frozen: AtomicBool,
}

impl Conn {
    fn close(&self) {
        let _ = self.client.shutdown(Shutdown::Both);
        let _ = self.server.shutdown(Shutdown::Both);
    }
}

/// Reads with a short timeout so the pumps notice `stop`; `None` means the socket is done.
fn read_some(from: &mut TcpStream, buf: &mut [u8]) -> Option<usize> {
    match from.read(buf) {
        Ok(0) => None,
        Ok(n) => Some(n),
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) =>
        {
            Some(0)
        }
        Err(_) => None,
    }
}

/// Server → client: bytes pass unless the proxy is stalled or the connection frozen.
fn pump_down(conn: Arc<Conn>, shared: Arc<Shared>) {
    let mut from = conn.server.try_clone().expect("clone server socket");
    let mut to = conn.client.try_clone().expect("clone client socket");
    let _ = from.set_read_timeout(Some(Duration::from_millis(50)));
    let mut buf = [0u8; 16 * 1024];
    while !shared.stop.load(Ordering::Relaxed) {
        if shared.stalled.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(20));
            continue;
        }
        let Some(n) = read_some(&mut from, &mut buf) else {
            break;
        };
        // Read before looking: an answer to a command sent after the freeze is never passed on.
        if n == 0 || conn.frozen.load(Ordering::SeqCst) {
            continue;
        }
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    conn.close();
}

/// Client → server: splits the stream into commands (lines and the literals they announce)
/// and applies armed faults at their step.
struct Scanner {
    line: Vec<u8>,
    /// Bytes of the current literal still to come.
    literal_left: usize,
    /// The current command continues after a literal (its next line is not a new command).
    continuing: bool,
    /// Literals seen in the current command.
    literals: usize,
    /// The fault of the current command, landing at its end or in its literal.
    current: Option<Fault>,
    /// Where the half-way point of the target literal is, counted down.
    mid_left: Option<usize>,
    /// A fault landing before the next command.
    after: Option<Fault>,
}

/// A literal announced at the end of a line: `{123}` or `{123+}`.
fn literal_len(line: &[u8]) -> Option<usize> {
    let body = line.strip_suffix(b"\r\n").unwrap_or(line);
    let body = body.strip_suffix(b"}")?;
    let open = body.iter().rposition(|b| *b == b'{')?;
    let digits = &body[open + 1..];
    let digits = digits
        .strip_suffix(b"+")
        .or_else(|| digits.strip_suffix(b"-"))
        .unwrap_or(digits);
    std::str::from_utf8(digits).ok()?.parse().ok()
}

fn pump_up(conn: Arc<Conn>, shared: Arc<Shared>) {
    let mut from = conn.client.try_clone().expect("clone client socket");
    let mut to = conn.server.try_clone().expect("clone server socket");
    let _ = from.set_read_timeout(Some(Duration::from_millis(50)));
    let mut sc = Scanner {
        line: Vec::new(),
        literal_left: 0,
        continuing: false,
        literals: 0,
        current: None,
        mid_left: None,
        after: None,
    };
    let mut buf = [0u8; 16 * 1024];
    let fire = |fault: Fault, line: &[u8]| {
        match fault.action {
            Action::Freeze => conn.frozen.store(true, Ordering::SeqCst),
            Action::No => {
                let tag = line.split(|b| *b == b' ').next().unwrap_or(b"*");
                let mut answer = tag.to_vec();
                answer.extend_from_slice(b" NO [UNAVAILABLE] test\r\n");
                let _ = (&conn.client).write_all(&answer);
            }
            Action::Cut => conn.close(),
            Action::Flood(bytes) => {
                let text = String::from_utf8_lossy(line);
                let words: Vec<&str> = text.split_whitespace().collect();
                let tag = words.first().copied().unwrap_or("*");
                let uid: String = words
                    .get(3)
                    .map(|set| set.chars().take_while(char::is_ascii_digit).collect())
                    .unwrap_or_default();
                let mut client = &conn.client;
                let head = format!("* 1 FETCH (UID {uid} BODY[]<0> {{{bytes}}}\r\n");
                let chunk = vec![b'x'; 64 * 1024];
                let mut left = bytes;
                let mut ok = client.write_all(head.as_bytes()).is_ok();
                while ok && left > 0 {
                    let n = left.min(chunk.len());
                    ok = client.write_all(&chunk[..n]).is_ok();
                    left -= n;
                }
                if ok {
                    let _ = client.write_all(format!(")\r\n{tag} OK done\r\n").as_bytes());
                }
            }
            Action::Bye => {
                // Let any answer in flight reach the client first, as a server would.
                std::thread::sleep(Duration::from_millis(200));
                conn.frozen.store(true, Ordering::SeqCst);
                let _ = (&conn.client).write_all(b"* BYE test\r\n");
                conn.close();
            }
        }
        if let Ok(tx) = shared.fired.lock() {
            let _ = tx.send(fault);
        }
    };
    'outer: while !shared.stop.load(Ordering::Relaxed) {
        if shared.stalled.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(20));
            continue;
        }
        let Some(n) = read_some(&mut from, &mut buf) else {
            break;
        };
        let mut i = 0;
        while i < n {
            if conn.frozen.load(Ordering::SeqCst) {
                continue 'outer;
            }
            if sc.literal_left > 0 {
                let mut take = sc.literal_left.min(n - i);
                if let Some(mid) = sc.mid_left {
                    take = take.min(mid);
                }
                if to.write_all(&buf[i..i + take]).is_err() {
                    break 'outer;
                }
                i += take;
                sc.literal_left -= take;
                if let Some(mid) = sc.mid_left.as_mut() {
                    *mid -= take;
                    if *mid == 0 {
                        sc.mid_left = None;
                        if let Some(f) = sc.current.take() {
                            fire(f, b"");
                        }
                    }
                }
                continue;
            }
            let end = buf[i..n].iter().position(|b| *b == b'\n');
            let stop = end.map_or(n, |e| i + e + 1);
            sc.line.extend_from_slice(&buf[i..stop]);
            i = stop;
            if end.is_none() {
                continue;
            }
            let line = std::mem::take(&mut sc.line);
            let first = !sc.continuing;
            if first {
                sc.literals = 0;
                if let Some(f) = sc.after.take() {
                    fire(f, &line);
                    continue 'outer;
                }
                let text = String::from_utf8_lossy(&line);
                let mut armed = shared.armed.lock().expect("armed faults");
                let hit = armed
                    .iter_mut()
                    .position(|a| {
                        text.contains(a.fault.at.pattern()) && {
                            a.seen += 1;
                            a.seen == a.fault.nth
                        }
                    })
                    .map(|k| armed.remove(k).fault);
                drop(armed);
                if let Some(f) = hit {
                    if matches!(f.at, At::Before(_)) {
                        fire(f, &line);
                        if matches!(f.action, Action::No | Action::Flood(_)) {
                            // Answered in the server's place; the stream goes on.
                            continue;
                        }
                        continue 'outer;
                    }
                    sc.current = Some(f);
                }
            }
            let literal = literal_len(&line);
            let ends_command = literal.is_none();
            let freeze_now = ends_command
                && matches!(
                    sc.current,
                    Some(Fault {
                        at: At::Sent(_),
                        action: Action::Freeze,
                        ..
                    })
                );
            if freeze_now {
                // Frozen before the server can answer, so the answer is never passed back.
                conn.frozen.store(true, Ordering::SeqCst);
            }
            if to.write_all(&line).is_err() {
                break 'outer;
            }
            if freeze_now {
                if let Some(f) = sc.current.take() {
                    fire(f, &line);
                }
                continue 'outer;
            }
            if let Some(len) = literal {
                sc.literal_left = len;
                sc.continuing = true;
                if let Some(Fault {
                    at: At::MidLiteral(_, k),
                    ..
                }) = sc.current
                {
                    if sc.literals == k && len > 0 {
                        sc.mid_left = Some((len / 2).max(1));
                    }
                }
                sc.literals += 1;
            } else {
                sc.continuing = false;
                if let Some(f) = sc.current.take() {
                    match f.at {
                        At::After(_) => sc.after = Some(f),
                        // Too few literals: wait for the next matching command.
                        At::MidLiteral(..) => {
                            shared.armed.lock().expect("armed faults").push(Armed {
                                fault: f,
                                seen: f.nth - 1,
                            })
                        }
                        _ => fire(f, &line),
                    }
                }
            }
        }
    }
    conn.close();
}

impl Proxy {
    /// Forwards a free loopback port to `127.0.0.1:target`.
    pub fn start(target: u16) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let port = listener.local_addr().expect("addr").port();
        let (tx, rx) = channel();
        let shared = Arc::new(Shared {
            stalled: AtomicBool::new(false),
            stop: AtomicBool::new(false),
            conns: Mutex::new(Vec::new()),
            armed: Mutex::new(Vec::new()),
            fired: Mutex::new(tx),
        });
        let sh = shared.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                if sh.stop.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(server) = TcpStream::connect(("127.0.0.1", target)) else {
                    continue;
                };
                if let Ok(mut list) = sh.conns.lock() {
                    list.extend(client.try_clone().ok());
                    list.extend(server.try_clone().ok());
                }
                let conn = Arc::new(Conn {
                    client,
                    server,
                    frozen: AtomicBool::new(false),
                });
                let (c1, s1) = (conn.clone(), sh.clone());
                std::thread::spawn(move || pump_up(c1, s1));
                let s2 = sh.clone();
                std::thread::spawn(move || pump_down(conn, s2));
            }
        });
        Proxy {
            port,
            shared,
            fired: Mutex::new(rx),
        }
    }

    /// Stops passing bytes (connections stay open) until `resume`.
    pub fn stall(&self) {
        self.shared.stalled.store(true, Ordering::Relaxed);
    }

    pub fn resume(&self) {
        self.shared.stalled.store(false, Ordering::Relaxed);
    }

    /// Closes every connection made so far, as a dropped network would.
    pub fn cut(&self) {
        if let Ok(mut list) = self.shared.conns.lock() {
            for c in list.drain(..) {
                let _ = c.shutdown(Shutdown::Both);
            }
        }
    }

    /// Arms a one-shot fault (its count starts now).
    pub fn arm(&self, fault: Fault) {
        self.shared
            .armed
            .lock()
            .expect("armed faults")
            .push(Armed { fault, seen: 0 });
    }

    /// Drops every armed fault that has not fired, and forgets reports not yet read.
    pub fn disarm(&self) {
        self.shared.armed.lock().expect("armed faults").clear();
        while self.fired(Duration::ZERO).is_some() {}
    }

    /// The next fault that fired, waiting up to `wait`.
    pub fn fired(&self, wait: Duration) -> Option<Fault> {
        self.fired
            .lock()
            .expect("fired faults")
            .recv_timeout(wait)
            .ok()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        self.cut();
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}
