//! systemd's notify protocol (sd_notify(3)) without a C library: datagrams of `KEY=VALUE`
//! lines to `$NOTIFY_SOCKET`. Silent no-op when not started by systemd.

use std::os::unix::net::UnixDatagram;

/// A handle to the notify socket, if there is one.
pub struct Notifier {
    socket: Option<(UnixDatagram, String)>,
}

impl Notifier {
    /// Reads `$NOTIFY_SOCKET` (a path, or `@name` for the abstract namespace).
    pub fn from_env() -> Notifier {
        let socket = std::env::var("NOTIFY_SOCKET")
            .ok()
            .filter(|s| !s.is_empty())
            .and_then(|path| UnixDatagram::unbound().ok().map(|s| (s, path)));
        Notifier { socket }
    }

    /// Sends one notification such as `READY=1` or `STATUS=idle`; errors are ignored, as
    /// systemd itself does.
    pub fn send(&self, state: &str) {
        let Some((sock, path)) = &self.socket else {
            return;
        };
        if let Some(name) = path.strip_prefix('@') {
            use std::os::linux::net::SocketAddrExt;
            if let Ok(addr) = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes()) {
                let _ = sock.send_to_addr(state.as_bytes(), &addr);
            }
        } else {
            let _ = sock.send_to(state.as_bytes(), path);
        }
    }

    /// WatchdogSec, when systemd expects WATCHDOG=1 pings from this process.
    pub fn watchdog_limit() -> Option<std::time::Duration> {
        let usec: u64 = std::env::var("WATCHDOG_USEC").ok()?.parse().ok()?;
        let pid_ok = std::env::var("WATCHDOG_PID")
            .ok()
            .and_then(|p| p.parse::<u32>().ok())
            .is_none_or(|p| p == std::process::id());
        (pid_ok && usec > 0).then(|| std::time::Duration::from_micros(usec))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sends_to_a_path_socket() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("notify");
        let server = UnixDatagram::bind(&path).expect("bind");
        let n = Notifier {
            socket: Some((
                UnixDatagram::unbound().expect("socket"),
                path.display().to_string(),
            )),
        };
        n.send("READY=1\nSTATUS=idle");
        let mut buf = [0u8; 64];
        let len = server.recv(&mut buf).expect("recv");
        assert_eq!(&buf[..len], b"READY=1\nSTATUS=idle");
    }
}
