//! A real Cyrus IMAP for the tests: `master` with its own imapd.conf and cyrus.conf, config
//! directory and spool in a temp dir, one imapd service on a free loopback port, stopped in Drop.
//! Logins are plaintext and any password is accepted (`sasl_pwcheck_method: alwaystrue`: this is
//! about mailbox behaviour, not authentication); the admin `cyrus` creates the user's mailbox
//! and the user creates a drafts folder with the `\Drafts` special use under a non-ASCII name,
//! so mailtriage must find it by SPECIAL-USE and speak modified UTF-7.
//!
//! `cyrus-imapd` conflicts with `dovecot-imapd` (both provide `imap-server`) and `cyrus-common`
//! pulls in a mail transport agent, so scripts/test unpacks both .debs under
//! `target/test-servers/` and installs only the libraries they need.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::raw_imap::{RawImap, Server};
use super::test_servers;

pub const USER: &str = "support";
pub const PASSWORD: &str = "secret";
const ADMIN: &str = "cyrus";
/// The drafts folder, found by its `\Drafts` special use ("Entwürfe").
pub const DRAFTS: &str = "Entw&APw-rfe";

pub struct Cyrus {
    pub dir: tempfile::TempDir,
    pub port: u16,
    child: Child,
}

/// (master, ctl_cyrusdb, imapd, the directory of the libcyrus libraries).
fn binaries() -> (PathBuf, PathBuf, PathBuf, PathBuf) {
    let common = test_servers().join("cyrus-common");
    let imapd = test_servers().join("cyrus-imapd");
    let found = (
        common.join("usr/lib/cyrus/bin/master"),
        common.join("usr/lib/cyrus/bin/ctl_cyrusdb"),
        imapd.join("usr/lib/cyrus/bin/imapd"),
        common.join("usr/lib/x86_64-linux-gnu"),
    );
    if found.0.is_file() && found.2.is_file() {
        return found;
    }
    let system = Path::new("/usr/lib/cyrus/bin");
    if system.join("master").is_file() && system.join("imapd").is_file() {
        return (
            system.join("master"),
            system.join("ctl_cyrusdb"),
            system.join("imapd"),
            PathBuf::from("/usr/lib/x86_64-linux-gnu"),
        );
    }
    panic!(
        "Cyrus IMAP is missing: neither {} nor /usr/lib/cyrus/bin exists — scripts/test unpacks it",
        common.display()
    );
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Cyrus {
    pub fn start() -> Cyrus {
        let (master, ctl_cyrusdb, imapd, libs) = binaries();
        let dir = tempfile::Builder::new()
            .prefix("mailtriage-cyrus")
            .tempdir()
            .expect("tempdir");
        let d = dir.path();
        for sub in [
            "db", "proc", "socket", "log", "msg", "ptclient", "quota", "sieve", "user", "lock",
            "sync",
        ] {
            std::fs::create_dir_all(d.join("conf").join(sub)).expect("mkdir");
        }
        std::fs::create_dir_all(d.join("spool")).expect("mkdir spool");
        let port = super::free_port();
        let conf = d.join("imapd.conf");
        std::fs::write(
            &conf,
            format!(
                "configdirectory: {d}/conf
defaultpartition: default
partition-default: {d}/spool
servername: localhost
cyrus_user: nobody
admins: {ADMIN}
allowplaintext: yes
sasl_pwcheck_method: alwaystrue
sasl_mech_list: PLAIN LOGIN
unixhierarchysep: yes
altnamespace: yes
virtdomains: off
idlesocket: {d}/conf/socket/idle
lmtpsocket: {d}/conf/socket/lmtp
notifysocket: {d}/conf/socket/notify
syslog_prefix: mailtriage-test-cyrus
# Without idled, imapd looks for changes during IDLE this often (default 60 s).
imapidlepoll: 1
",
                d = d.display()
            ),
        )
        .expect("imapd.conf");
        std::fs::write(
            d.join("cyrus.conf"),
            format!(
                "START {{\n  recover cmd=\"{ctl} -r -C {conf}\"\n}}\nSERVICES {{\n  imap cmd=\"{imapd} -C {conf}\" listen=\"127.0.0.1:{port}\" prefork=0 maxchild=50\n}}\nEVENTS {{\n}}\n",
                ctl = ctl_cyrusdb.display(),
                imapd = imapd.display(),
                conf = conf.display(),
            ),
        )
        .expect("cyrus.conf");
        // master drops to `cyrus_user` (nobody), which must own its directories.
        run(Command::new("chown").args(["-R", "65534:65534", &d.display().to_string()]));
        run(Command::new("chmod").args(["0755", &d.display().to_string()]));
        use std::os::unix::process::CommandExt;
        let child = Command::new(&master)
            .arg("-C")
            .arg(&conf)
            .arg("-M")
            .arg(d.join("cyrus.conf"))
            .arg("-p")
            .arg(d.join("master.pid"))
            // -D: stay in the foreground, so Drop owns the process.
            .arg("-D")
            .env("LD_LIBRARY_PATH", &libs)
            // Its own process group, so Drop stops every imapd with it.
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(d.join("master.log")).expect("master.log"))
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e}", master.display()));
        let mut cyrus = Cyrus { dir, port, child };
        cyrus.wait_listening();
        cyrus.provision();
        cyrus
    }

    fn wait_listening(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("Cyrus master exited ({status}): {}", self.log());
            }
            assert!(
                Instant::now() < deadline,
                "Cyrus did not start listening: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The admin creates the user's mailbox; the user creates Drafts and Sent by special use.
    fn provision(&self) {
        let mut admin = RawImap::login(self.port, ADMIN, "any");
        admin.cmd(&format!("CREATE user/{USER}"));
        admin.logout();
        let mut user = self.imap();
        user.cmd(&format!("CREATE \"{DRAFTS}\" (USE (\\Drafts))"));
        user.cmd("CREATE Sent (USE (\\Sent))");
        user.logout();
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("master.log")).unwrap_or_default()
    }

    /// A config for mailtriage against this server; Drafts comes from SPECIAL-USE.
    pub fn config(&self, extra_imap: &str) -> PathBuf {
        super::plain_config(self.dir.path(), self.port, USER, PASSWORD, extra_imap)
    }

    pub fn state_dir(&self) -> PathBuf {
        self.dir.path().join("state-mailtriage")
    }
}

impl Server for Cyrus {
    fn imap(&self) -> RawImap {
        RawImap::login(self.port, USER, PASSWORD)
    }
}

impl Drop for Cyrus {
    fn drop(&mut self) {
        super::stop_group(&mut self.child);
    }
}
