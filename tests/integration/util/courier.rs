//! A real Courier-IMAP for the tests, started in a temp dir on a free loopback port and stopped
//! in Drop: `couriertcpd` → `imaplogin` → `imapd` on a maildir, with `authdaemond` and a userdb
//! holding the one test user.
//!
//! None of Courier is installed: courier-imap conflicts with dovecot-imapd (both provide
//! `imap-server`), and the others start `courier-authdaemon` at boot and generate DH parameters
//! when installed. scripts/test unpacks the four .debs the server is made of under
//! `target/test-servers/` (scripts/unpack-test-servers) and installs only the libraries they
//! link against. Courier has its paths compiled in (the programs under `/usr`, its modules in
//! `/usr/lib/courier-authlib`, `/etc/courier/authdaemonrc`, `/etc/courier/userdb.dat`, the
//! socket in `/run/courier/authdaemon`), so the harness runs the whole server in a private mount
//! namespace (`unshare --mount`) in which the unpacked `usr` trees are laid over `/usr`
//! (read-only overlayfs) and the temp dir's `etc` and `run` are bind-mounted over those two
//! directories; where `/etc/courier` or `/run/courier/authdaemon` does not exist, an overlay
//! adds the mount point, in the namespace only. Nothing outside the temp dir is written, any
//! system Courier is never touched, and several servers run side by side. That needs root (the
//! tests run as root in CI) and overlayfs. A package that is not unpacked is used from the
//! system, if installed.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::raw_imap::{RawImap, Server};
use super::test_servers;

pub const USER: &str = "support@example.com";
pub const PASSWORD: &str = "secret";
/// Courier keeps folders under INBOX with `.` as the separator and has no SPECIAL-USE, so the
/// config names the drafts folder.
pub const DRAFTS: &str = "INBOX.Drafts";

/// Which Courier to start.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// `IMAP_KEYWORDS`: without it, PERMANENTFLAGS has no `\*` and mailtriage keeps local state.
    pub keywords: bool,
}

pub struct Courier {
    pub dir: tempfile::TempDir,
    pub port: u16,
    child: Child,
}

/// The packages the server is made of, each with a file of it that the harness runs.
const PACKAGES: [(&str, &str); 4] = [
    ("courier-imap", "usr/bin/imapd"),
    ("courier-base", "usr/sbin/couriertcpd"),
    (
        "courier-authlib",
        "usr/lib/courier/courier-authlib/authdaemond",
    ),
    ("courier-authlib-userdb", "usr/sbin/makeuserdb"),
];

/// The `usr` trees of the unpacked packages, to lay over `/usr`; a package that is not unpacked
/// must be installed.
fn usr_layers() -> Vec<PathBuf> {
    let mut layers = Vec::new();
    for (package, file) in PACKAGES {
        let unpacked = test_servers().join(package);
        if unpacked.join(file).is_file() {
            let usr = unpacked.join("usr");
            // overlayfs separates lower directories with ':' and options with ','.
            assert!(
                !usr.display().to_string().contains([':', ',', '\'']),
                "{}: overlayfs and the start script cannot take a path with ':', ',' or a quote",
                usr.display()
            );
            layers.push(usr);
        } else {
            assert!(
                Path::new("/").join(file).is_file(),
                "Courier-IMAP is missing: neither {} nor /{file} exists — scripts/test unpacks {package}",
                unpacked.join(file).display()
            );
        }
    }
    layers
}

fn run(cmd: &mut Command) -> std::process::Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Makes a maildir (`cur`, `new`, `tmp`); `folder` marks a subfolder as Courier expects.
fn maildir(path: &Path, folder: bool) {
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(path.join(sub)).expect("maildir");
    }
    if folder {
        std::fs::write(path.join("maildirfolder"), "").expect("maildirfolder");
    }
}

impl Courier {
    pub fn start(opts: Options) -> Courier {
        let layers = usr_layers();
        let out = Command::new("id").arg("-u").output().expect("id -u");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            "0",
            "the Courier harness needs root: it mounts Courier's directories in a private namespace"
        );
        let dir = tempfile::Builder::new()
            .prefix("mailtriage-courier")
            .tempdir()
            .expect("tempdir");
        let d = dir.path();
        assert!(
            !d.display().to_string().contains([':', ',', '\'']),
            "{}: overlayfs and the start script cannot take a path with ':', ',' or a quote",
            d.display()
        );
        let home = d.join("home");
        maildir(&home.join("Maildir"), false);
        maildir(&home.join("Maildir/.Drafts"), true);
        // imapd runs as nobody, like Dovecot's mail processes in util::dovecot.
        run(Command::new("chown").args(["-R", "65534:65534", &home.display().to_string()]));
        run(Command::new("chmod").args(["0755", &d.display().to_string()]));
        // `etc` and `run` go over /etc/courier and /run/courier/authdaemon; `mnt` holds the
        // mount points for them, for where the system has none.
        for sub in [
            "etc",
            "run",
            "mnt/etc/courier",
            "mnt/run/courier/authdaemon",
        ] {
            std::fs::create_dir_all(d.join(sub)).expect("mkdir");
        }
        std::fs::write(
            d.join("etc/authdaemonrc"),
            "authmodulelist=\"authuserdb\"\ndaemons=1\nauthdaemonvar=/run/courier/authdaemon\nDEBUG_LOGIN=0\nDEFAULTOPTIONS=\"\"\n",
        )
        .expect("authdaemonrc");
        let hash = run(Command::new("openssl").args(["passwd", "-6", PASSWORD]));
        let hash = String::from_utf8_lossy(&hash.stdout).trim().to_string();
        let userdb = d.join("etc/userdb");
        std::fs::write(
            &userdb,
            format!(
                "{USER}\tuid=65534|gid=65534|home={h}|mail={h}/Maildir|systempw={hash}\n",
                h = home.display()
            ),
        )
        .expect("userdb");
        run(Command::new("chmod").args(["0600", &userdb.display().to_string()]));

        let port = super::free_port();
        let keywords = u8::from(opts.keywords);
        // The unpacked packages over /usr, then the mount points and what goes on them.
        let usr = if layers.is_empty() {
            String::new()
        } else {
            let lower: Vec<String> = layers.iter().map(|l| l.display().to_string()).collect();
            format!(
                "mount -t overlay overlay -o 'ro,lowerdir={}:/usr' /usr",
                lower.join(":")
            )
        };
        // IMAP_ENHANCEDIDLE=0: no FAM; IDLE then looks at the maildir every IMAP_IDLE_TIMEOUT
        // seconds (1 here, so the `run` tests wait little). The rest are the package's defaults.
        let script = format!(
            r#"set -e
{usr}
[ -d /etc/courier ] || mount -t overlay overlay -o 'ro,lowerdir={d}/mnt/etc:/etc' /etc
[ -d /run/courier/authdaemon ] || mount -t overlay overlay -o 'ro,lowerdir={d}/mnt/run:/run' /run
mount --bind '{d}/etc' /etc/courier
mount --bind '{d}/run' /run/courier/authdaemon
makeuserdb
/usr/lib/courier/courier-authlib/authdaemond >'{d}/authdaemond.log' 2>&1 &
i=0
while [ ! -S /run/courier/authdaemon/socket ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done
exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
  IMAP_CAPABILITY='IMAP4rev1 UIDPLUS CHILDREN NAMESPACE IDLE' \
  IMAP_KEYWORDS={keywords} IMAP_ACL=0 IMAP_TLS_REQUIRED=0 IMAP_USELOCKS=1 \
  IMAP_ENHANCEDIDLE=0 IMAP_IDLE_TIMEOUT=1 IMAP_UMASK=022 IMAP_MAILBOX_SANITY_CHECK=1 \
  IMAP_SHAREDINDEXFILE='{d}/etc/shared/index' IMAP_TRASHFOLDERNAME=Trash IMAP_EMPTYTRASH= \
  MAILDIRPATH=Maildir \
  couriertcpd -address=127.0.0.1 -maxprocs=40 -maxperip=40 -nodnslookup -noidentlookup \
    -stderr='{d}/imapd.log' {port} /usr/lib/courier/courier/imaplogin /usr/bin/imapd Maildir
"#,
            d = d.display(),
        );
        std::fs::write(d.join("start.sh"), script).expect("start.sh");
        use std::os::unix::process::CommandExt;
        let child = Command::new("unshare")
            .args(["--mount", "--propagation", "private", "sh"])
            .arg(d.join("start.sh"))
            .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
            // Its own process group, so Drop stops authdaemond and every imapd with it.
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(d.join("start.log")).expect("start.log"))
            .spawn()
            .expect("unshare — util-linux");
        let mut courier = Courier { dir, port, child };
        courier.wait_ready();
        courier
    }

    /// Waits until a login works (couriertcpd listens before authdaemond may be up).
    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("Courier exited ({status}): {}", self.log());
            }
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                self.imap().logout();
                return;
            }
            assert!(
                Instant::now() < deadline,
                "Courier did not start listening: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The start script's, authdaemond's and imapd's logs, for failure messages.
    pub fn log(&self) -> String {
        ["start.log", "authdaemond.log", "imapd.log"]
            .iter()
            .map(|f| {
                let text = std::fs::read_to_string(self.dir.path().join(f)).unwrap_or_default();
                format!("--- {f}\n{text}")
            })
            .collect()
    }

    /// A config for mailtriage against this server; it names the drafts folder (no SPECIAL-USE).
    pub fn config(&self, extra_imap: &str) -> PathBuf {
        super::plain_config(
            self.dir.path(),
            self.port,
            USER,
            PASSWORD,
            &format!("drafts = \"{DRAFTS}\"\n{extra_imap}"),
        )
    }

    /// The local state directory of that config.
    pub fn state_dir(&self) -> PathBuf {
        self.dir.path().join("state-mailtriage")
    }
}

impl Server for Courier {
    fn imap(&self) -> RawImap {
        RawImap::login(self.port, USER, PASSWORD)
    }
}

impl Drop for Courier {
    fn drop(&mut self) {
        super::stop_group(&mut self.child);
    }
}
