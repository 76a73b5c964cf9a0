//! A real Dovecot for the tests: started in a temp dir on a free loopback port, with a
//! passwd-file user, Drafts and Sent special-use folders, optional TLS with a self-signed CA,
//! and stopped in Drop. Read-back goes through `doveadm`, an independent client.
//!
//! Which Dovecot: the host's (`dovecot` and `doveadm` on PATH), or, when
//! `MAILTRIAGE_DOVECOT_ROOT` names a Debian root (scripts/debian13-root makes one with Dovecot
//! 2.4), the one in that root, run with `chroot` (which needs root). Then the temp dir is made
//! inside the root's /tmp and a symlink at the same path in the host's /tmp points to it, so
//! every path means the same file to the server in the chroot and to the tests and mailtriage
//! on the host. The config is written in the syntax of the Dovecot found: 2.3's, or 2.4's
//! (which refuses 2.3's, and the other way round).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub const USER: &str = "support@example.com";
/// Distinctive, so that a test can look for it in a log.
pub const PASSWORD: &str = "pw-7Hq2x9Lk";

/// Names a Debian root whose Dovecot the tests run with chroot, instead of the host's.
pub const ROOT_VAR: &str = "MAILTRIAGE_DOVECOT_ROOT";

/// Which Dovecot to start.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Implicit TLS on a second port, and STARTTLS offered on the plain one.
    pub tls: bool,
}

pub struct Dovecot {
    pub dir: Workdir,
    pub port: u16,
    pub tls_port: u16,
    pub conf: PathBuf,
}

/// The server's temp dir. Its path is the same on the host and for the Dovecot in a root:
/// there it is a symlink into the root's /tmp, removed (with the dir) on drop.
pub struct Workdir {
    path: PathBuf,
    link: Option<PathBuf>,
    _dir: tempfile::TempDir,
}

impl Workdir {
    fn new() -> Workdir {
        let builder = || {
            let mut b = tempfile::Builder::new();
            b.prefix("mailtriage-dovecot");
            b
        };
        let Some(root) = dovecot_root() else {
            let dir = builder().tempdir().expect("tempdir");
            return Workdir {
                path: dir.path().to_path_buf(),
                link: None,
                _dir: dir,
            };
        };
        loop {
            let dir = builder()
                .tempdir_in(root.join("tmp"))
                .expect("tempdir in the root's /tmp");
            let name = dir.path().file_name().expect("temp dir name");
            let link = Path::new("/tmp").join(name);
            match std::os::unix::fs::symlink(dir.path(), &link) {
                Ok(()) => {
                    return Workdir {
                        path: link.clone(),
                        link: Some(link),
                        _dir: dir,
                    }
                }
                // A name taken on the host: take another.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => panic!(
                    "symlink {} -> {}: {e}",
                    link.display(),
                    dir.path().display()
                ),
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Workdir {
    fn drop(&mut self) {
        if let Some(link) = &self.link {
            let _ = std::fs::remove_file(link);
        }
    }
}

/// The root named by [`ROOT_VAR`], if any (read once).
fn dovecot_root() -> Option<&'static Path> {
    static ROOT: OnceLock<Option<PathBuf>> = OnceLock::new();
    ROOT.get_or_init(|| {
        let root = PathBuf::from(std::env::var_os(ROOT_VAR).filter(|v| !v.is_empty())?);
        assert!(
            root.join("usr/sbin/dovecot").exists() && root.join("usr/bin/doveadm").exists(),
            "{ROOT_VAR}={} has no Dovecot: make the root with scripts/debian13-root",
            root.display()
        );
        assert_eq!(
            current_uid(),
            0,
            "{ROOT_VAR} runs Dovecot with chroot, which needs root"
        );
        Some(root)
    })
    .as_deref()
}

/// A Dovecot program (`dovecot` or `doveadm`): the host's, or the root's run with chroot.
fn program(name: &str) -> Command {
    match dovecot_root() {
        Some(root) => {
            let path = match name {
                "dovecot" => "/usr/sbin/dovecot",
                _ => "/usr/bin/doveadm",
            };
            let mut c = Command::new("chroot");
            c.arg(root).arg(path);
            c
        }
        None => Command::new(name),
    }
}

/// The version of the Dovecot in use (`2.4.1-4 (7d8c0e5759)`), asked once.
pub fn version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        let out = run(program("dovecot").arg("--version"));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    })
}

/// Whether the Dovecot in use takes 2.4's config syntax (2.4 and later) rather than 2.3's.
pub fn is_2_4() -> bool {
    let mut parts = version()
        .split(|c: char| !c.is_ascii_digit())
        .map(|n| n.parse::<u32>().unwrap_or(0));
    let major = parts.next().unwrap_or(0);
    let minor = parts.next().unwrap_or(0);
    (major, minor) >= (2, 4)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn run(cmd: &mut Command) -> std::process::Output {
    let out = cmd.output().unwrap_or_else(|e| {
        panic!("{cmd:?}: {e} — is Dovecot installed? scripts/test installs it")
    });
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The account the mail processes run as: the current user, or `nobody` for root (Dovecot
/// refuses uid 0 for mail). `nobody` is 65534 on the host and in a Debian root alike.
fn mail_user() -> (u32, u32, String) {
    let uid = current_uid();
    if uid == 0 {
        (65534, 65534, "nobody".into())
    } else {
        let name = std::env::var("USER").unwrap_or_else(|_| "nobody".into());
        (uid, gid(), name)
    }
}

fn current_uid() -> u32 {
    let out = Command::new("id").arg("-u").output().expect("id -u");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("numeric uid")
}

fn gid() -> u32 {
    let out = Command::new("id").arg("-g").output().expect("id -g");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("numeric gid")
}

/// What the config says, whatever the syntax.
struct Settings<'a> {
    d: &'a Path,
    port: u16,
    tls_port: u16,
    tls: bool,
    /// The introspection endpoint's port, for XOAUTH2 and OAUTHBEARER.
    oauth2: Option<u16>,
    uid: u32,
    gid: u32,
    user: &'a str,
}

/// The parts both syntaxes share: the listeners and the special-use folders. `address` is
/// 2.3's per-listener address line (2.4 has none: the global `listen` holds).
fn common_tail(port: u16, tls_port: u16, address: &str) -> String {
    format!(
        r#"service imap-login {{
  chroot =
  inet_listener imap {{
    {address}port = {port}
  }}
  inet_listener imaps {{
    {address}port = {tls_port}
  }}
}}
service anvil {{
  chroot =
}}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Drafts {{
    special_use = \Drafts
    auto = subscribe
  }}
  mailbox Sent {{
    special_use = \Sent
    auto = subscribe
  }}
}}
"#
    )
}

/// Dovecot 2.3's config.
fn config_2_3(s: &Settings) -> String {
    let d = s.d.display();
    let ssl = if s.tls {
        format!("ssl = yes\nssl_cert = <{d}/server.pem\nssl_key = <{d}/server.key\n")
    } else {
        "ssl = no\n".to_string()
    };
    let (mechanisms, oauth2_passdb) = match s.oauth2 {
        Some(p) => {
            std::fs::write(s.d.join("dovecot-oauth2.conf.ext"), format!("introspection_mode = post\nintrospection_url = http://127.0.0.1:{p}/introspect\nusername_attribute = username\nactive_attribute = active\nactive_value = true\n")).expect("oauth2 conf");
            (
                "plain login xoauth2 oauthbearer",
                format!("passdb {{\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = {d}/dovecot-oauth2.conf.ext\n}}\n"),
            )
        }
        None => ("plain login", String::new()),
    };
    let (uid, gid, user) = (s.uid, s.gid, s.user);
    format!(
        r#"protocols = imap
listen = 127.0.0.1
base_dir = {d}/base
state_dir = {d}/state
log_path = {d}/dovecot.log
info_log_path = {d}/dovecot.log
{ssl}disable_plaintext_auth = no
auth_mechanisms = {mechanisms}
first_valid_uid = 1
last_valid_uid = 0
first_valid_gid = 1
mail_location = maildir:{d}/mail/%u
default_internal_user = {user}
default_login_user = {user}
mail_max_userip_connections = 100
shutdown_clients = yes
imap_idle_notify_interval = 1 mins
{oauth2_passdb}passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={d}/mail/%u
}}
{tail}"#,
        tail = common_tail(s.port, s.tls_port, "address = 127.0.0.1\n    "),
    )
}

/// Dovecot 2.4's config: versioned, `mail_driver`/`mail_path` for `mail_location`, named
/// passdb/userdb blocks with settings for `args`, `ssl_server_*_file` paths (no `<`),
/// `auth_allow_cleartext` for `disable_plaintext_auth`, and the OAuth2 settings in an
/// `oauth2` block (the mechanisms no longer go through a passdb).
fn config_2_4(s: &Settings) -> String {
    let d = s.d.display();
    let ssl = if s.tls {
        format!(
            "ssl = yes\nssl_server_cert_file = {d}/server.pem\nssl_server_key_file = {d}/server.key\n"
        )
    } else {
        "ssl = no\n".to_string()
    };
    let (mechanisms, oauth2) = match s.oauth2 {
        Some(p) => (
            "plain login xoauth2 oauthbearer",
            format!("oauth2 {{\n  introspection_mode = post\n  introspection_url = http://127.0.0.1:{p}/introspect\n  username_attribute = username\n  active_attribute = active\n  active_value = true\n}}\n"),
        ),
        None => ("plain login", String::new()),
    };
    let (uid, gid, user) = (s.uid, s.gid, s.user);
    format!(
        r#"dovecot_config_version = 2.4.0
dovecot_storage_version = 2.4.0
protocols = imap
listen = 127.0.0.1
base_dir = {d}/base
state_dir = {d}/state
log_path = {d}/dovecot.log
info_log_path = {d}/dovecot.log
{ssl}auth_allow_cleartext = yes
auth_mechanisms = {mechanisms}
first_valid_uid = 1
last_valid_uid = 0
first_valid_gid = 1
mail_driver = maildir
mail_path = {d}/mail/%{{user}}
default_internal_user = {user}
default_login_user = {user}
mail_max_userip_connections = 100
shutdown_clients = yes
imap_idle_notify_interval = 1 mins
{oauth2}passdb passwd-file {{
  default_password_scheme = PLAIN
  auth_username_format = %{{user}}
  passwd_file_path = {d}/passwd
}}
userdb static {{
  fields {{
    uid = {uid}
    gid = {gid}
    home = {d}/mail/%{{user}}
  }}
}}
{tail}"#,
        tail = common_tail(s.port, s.tls_port, ""),
    )
}

impl Dovecot {
    pub fn start() -> Dovecot {
        Dovecot::start_with(Options::default())
    }

    pub fn start_with(opts: Options) -> Dovecot {
        Dovecot::start_inner(opts, None)
    }

    /// A server that also takes XOAUTH2 and OAUTHBEARER, validating each token with a POST
    /// to `http://127.0.0.1:<introspection_port>/introspect` (RFC 7662 style: the token is
    /// good when the answer has `"active": true` and `"username"` is the user's).
    pub fn start_oauth2(introspection_port: u16) -> Dovecot {
        Dovecot::start_inner(Options::default(), Some(introspection_port))
    }

    fn start_inner(opts: Options, oauth2: Option<u16>) -> Dovecot {
        let dir = Workdir::new();
        let d = dir.path();
        for sub in ["base", "state", "mail"] {
            std::fs::create_dir_all(d.join(sub)).expect("mkdir");
        }
        let (uid, gid, user) = mail_user();
        // The mail processes run as `user`: let them into the temp dir.
        run(Command::new("chmod").args(["0755", &d.display().to_string()]));
        run(Command::new("chmod").args(["0777", &d.join("mail").display().to_string()]));
        std::fs::write(d.join("passwd"), format!("{USER}:{{PLAIN}}{PASSWORD}\n")).expect("passwd");
        let port = free_port();
        let tls_port = if opts.tls { free_port() } else { 0 };
        if opts.tls {
            make_certs(d);
        }
        let settings = Settings {
            d,
            port,
            tls_port,
            tls: opts.tls,
            oauth2,
            uid,
            gid,
            user: &user,
        };
        let text = if is_2_4() {
            config_2_4(&settings)
        } else {
            config_2_3(&settings)
        };
        let conf = d.join("dovecot.conf");
        std::fs::write(&conf, text).expect("dovecot.conf");
        let dv = Dovecot {
            dir,
            port,
            tls_port,
            conf,
        };
        dv.launch();
        dv
    }

    fn launch(&self) {
        // The daemon keeps inherited pipes open: give it none, or reading its output never ends.
        let status = program("dovecot")
            .arg("-c")
            .arg(&self.conf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("dovecot — is it installed? scripts/test installs it");
        assert!(status.success(), "dovecot failed to start: {}", self.log());
        self.wait_listening();
    }

    fn wait_listening(&self) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "dovecot did not start listening: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("dovecot.log")).unwrap_or_default()
    }

    /// Stops the server (connections drop), for restart tests.
    pub fn stop(&self) {
        let _ = self.doveadm().arg("stop").stderr(Stdio::null()).status();
        let pid_file = self.dir.path().join("base/master.pid");
        let deadline = Instant::now() + Duration::from_secs(10);
        while pid_file.exists() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn restart(&self) {
        self.stop();
        self.launch();
    }

    pub fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// `doveadm -c <this server's config>`, for the commands the helpers below do not cover.
    pub fn doveadm(&self) -> Command {
        let mut c = program("doveadm");
        c.arg("-c").arg(&self.conf);
        c
    }

    /// Runs `doveadm` with these arguments against this server; the test fails if it does.
    pub fn admin(&self, args: &[&str]) -> std::process::Output {
        run(self.doveadm().args(args))
    }

    /// What an agent's mail client does to correct a category: on the inbox messages `uids`
    /// (a UID set), keyword `from` removed and `to` added.
    pub fn change_keyword(&self, uids: &str, from: &str, to: &str) {
        for (op, flag) in [("remove", from), ("add", to)] {
            self.admin(&[
                "flags", op, "-u", USER, flag, "mailbox", "INBOX", "uid", uids,
            ]);
        }
    }

    /// Delivers a message into a folder, as the MTA would.
    pub fn deliver(&self, folder: &str, raw: &[u8]) {
        use std::io::Write;
        let mut child = self
            .doveadm()
            .args(["save", "-u", USER, "-m", folder])
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("doveadm save");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(raw)
            .expect("write message");
        let out = child.wait_with_output().expect("doveadm save");
        assert!(
            out.status.success(),
            "doveadm save: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `doveadm fetch` of `fields` for every message in `folder`, split per message.
    pub fn fetch(&self, folder: &str, fields: &str) -> Vec<String> {
        let out = run(self
            .doveadm()
            .args(["fetch", "-u", USER, fields, "mailbox", folder]));
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        // doveadm separates messages with a form feed line.
        text.split('\u{c}')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// (uid, flags) of every message in a folder.
    pub fn flags(&self, folder: &str) -> Vec<(u32, String)> {
        self.fetch(folder, "uid flags")
            .iter()
            .map(|m| {
                let uid = m
                    .lines()
                    .find_map(|l| l.strip_prefix("uid: "))
                    .and_then(|u| u.trim().parse().ok())
                    .unwrap_or(0);
                let flags = m
                    .lines()
                    .find_map(|l| l.strip_prefix("flags:"))
                    .unwrap_or("")
                    .trim()
                    .to_string();
                (uid, flags)
            })
            .collect()
    }

    pub fn count(&self, folder: &str) -> usize {
        self.fetch(folder, "uid").len()
    }

    /// Removes keywords or flags from every message of a folder.
    pub fn remove_flags(&self, folder: &str, flags: &str) {
        run(self
            .doveadm()
            .args(["flags", "remove", "-u", USER, flags, "mailbox", folder]));
    }

    /// A config file for mailtriage against this server, in the temp dir.
    pub fn config(&self, security: &str, extra_imap: &str) -> PathBuf {
        let d = self.dir.path();
        std::fs::write(d.join("imap-password"), format!("{PASSWORD}\n")).expect("password file");
        std::fs::copy(
            crate::util::fixtures().join("facts.toml"),
            d.join("facts.toml"),
        )
        .expect("facts");
        let (host, port, ca) = match security {
            "tls" => (
                "localhost",
                self.tls_port,
                format!("ca_file = \"{}\"\n", self.ca_file().display()),
            ),
            "starttls" => (
                "localhost",
                self.port,
                format!("ca_file = \"{}\"\n", self.ca_file().display()),
            ),
            _ => ("127.0.0.1", self.port, String::new()),
        };
        let path = d.join("config.toml");
        std::fs::write(
            &path,
            format!(
                "[identity]\nfrom = \"Example Cloud Support <support@example.com>\"\nown_addresses = [\"noc@example.com\"]\n\n[imap]\nhost = \"{host}\"\nport = {port}\nsecurity = \"{security}\"\nusername = \"{USER}\"\npassword_file = \"imap-password\"\n{ca}timeout = \"10s\"\nstate_dir = \"state-mailtriage\"\n{extra_imap}\n[triage]\nfacts = \"facts.toml\"\n"
            ),
        )
        .expect("config");
        path
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        self.stop();
        if let Ok(pid) = std::fs::read_to_string(self.dir.path().join("base/master.pid")) {
            let _ = Command::new("kill").arg("-9").arg(pid.trim()).status();
        }
    }
}

fn make_certs(d: &Path) {
    let p = |f: &str| d.join(f).display().to_string();
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    run(Command::new("openssl")
        .args(["req", "-x509"])
        .args(ec)
        .args([
            "-keyout",
            &p("ca.key"),
            "-out",
            &p("ca.pem"),
            "-days",
            "2",
            "-subj",
            "/CN=mailtriage test CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign",
        ]));
    run(Command::new("openssl").args(["req"]).args(ec).args([
        "-keyout",
        &p("server.key"),
        "-out",
        &p("server.csr"),
        "-subj",
        "/CN=localhost",
    ]));
    std::fs::write(d.join("ext.cnf"), "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n").expect("ext");
    run(Command::new("openssl").args([
        "x509",
        "-req",
        "-in",
        &p("server.csr"),
        "-CA",
        &p("ca.pem"),
        "-CAkey",
        &p("ca.key"),
        "-CAcreateserial",
        "-out",
        &p("server.pem"),
        "-days",
        "2",
        "-extfile",
        &p("ext.cnf"),
    ]));
    run(Command::new("chmod").args(["0644", &p("server.key")]));
}
