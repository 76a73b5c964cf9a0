//! The report page in a real browser: Debian's chromium, headless, loads the page that
//! `report::to_html` writes, and the test fails on anything the browser would show in its
//! developer console as a problem (an uncaught exception, a console error, a failed load) and
//! on any load at all besides the page itself, which must be self-contained. A screenshot then
//! shows that both charts were drawn.
//!
//! The browser is driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`,
//! JSON messages ending in NUL on its file descriptors 3 and 4): its stderr log shows uncaught
//! exceptions but not failed loads, which the protocol's Network and Log events do report.
//!
//! chromium comes from the Debian package `chromium`, which scripts/test installs: these tests
//! fail, not skip, when it is missing.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use chrono::{DateTime, Duration as Span, NaiveDate, TimeZone, Utc};
use mailtriage::report::{
    compute, to_html, DraftMade, Inputs, Message, Removed, SentReply, MESSAGES_RGB, OUTCOME_RGB,
};
use serde_json::{json, Value};

const BROWSER: &str = "chromium";
/// How long one protocol call or one whole page load may take.
const PATIENCE: Duration = Duration::from_secs(30);
/// After the load event, how long without any event before the page counts as settled.
const QUIET: Duration = Duration::from_millis(700);
const WINDOW: (u32, u32) = (1200, 2000);

/// Fails with what to do when chromium is not there.
fn require_chromium() {
    let found = Command::new(BROWSER)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        found,
        "`{BROWSER}` is not installed or does not start: the report HTML check needs it \
         (apt-get install chromium; scripts/test installs it)"
    );
}

/// The flags of every run: headless, no sandbox (tests run as root), no GPU, its own profile,
/// and none of the browser's own background traffic.
fn common_flags(profile: &Path) -> Vec<String> {
    [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([format!("--user-data-dir={}", profile.display())])
    .collect()
}

fn file_url(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// Waits for `child` up to `PATIENCE`, then kills it.
fn reap(child: &mut Child) {
    let start = Instant::now();
    while start.elapsed() < PATIENCE {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// One headless chromium driven over the DevTools protocol.
struct Browser {
    child: Child,
    commands: ChildStdin,
    messages: Receiver<Value>,
    next_id: u64,
    /// Events received while waiting for a reply.
    events: Vec<Value>,
    stderr: PathBuf,
}

impl Browser {
    fn start(dir: &Path) -> Browser {
        let stderr = dir.join("chromium.stderr");
        let mut args = common_flags(&dir.join("profile"));
        args.extend([
            "--remote-debugging-pipe".to_string(),
            "about:blank".to_string(),
        ]);
        // The shell puts our stdin and stdout on the descriptors the pipe protocol uses.
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(r#"exec "$0" "$@" 3<&0 4>&1 </dev/null >/dev/null"#)
            .arg(BROWSER)
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(File::create(&stderr).unwrap())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {BROWSER}: {e}"));
        let commands = child.stdin.take().unwrap();
        let mut out = child.stdout.take().unwrap();
        let (tx, messages) = mpsc::channel();
        std::thread::spawn(move || {
            let mut pending = Vec::new();
            let mut buf = [0u8; 65536];
            while let Ok(n @ 1..) = out.read(&mut buf) {
                pending.extend_from_slice(&buf[..n]);
                while let Some(end) = pending.iter().position(|&b| b == 0) {
                    let message: Vec<u8> = pending.drain(..=end).collect();
                    let value = serde_json::from_slice(&message[..end]).unwrap();
                    if tx.send(value).is_err() {
                        return;
                    }
                }
            }
        });
        Browser {
            child,
            commands,
            messages,
            next_id: 0,
            events: Vec::new(),
            stderr,
        }
    }

    fn stderr_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.stderr).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    fn receive(&mut self, timeout: Duration) -> Option<Value> {
        match self.messages.recv_timeout(timeout) {
            Ok(v) => Some(v),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => panic!(
                "{BROWSER} closed the protocol pipe; its stderr ends:\n{}",
                self.stderr_tail()
            ),
        }
    }

    /// Sends a command and returns its result, keeping the events that come before it.
    fn call(&mut self, method: &str, params: Value, session: Option<&str>) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(s) = session {
            message["sessionId"] = json!(s);
        }
        let mut bytes = serde_json::to_vec(&message).unwrap();
        bytes.push(0);
        self.commands.write_all(&bytes).unwrap();
        self.commands.flush().unwrap();
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let Some(m) = self.receive(left) else {
                panic!("no answer to {method} within {PATIENCE:?}");
            };
            if m["id"] == json!(id) {
                assert!(m.get("error").is_none(), "{method}: {m}");
                return m["result"].clone();
            }
            self.events.push(m);
        }
    }

    /// Opens `url` in a new tab and lets it settle; returns what the browser reported as a
    /// problem, and the result of `probe` (a JavaScript expression) evaluated in the page.
    fn visit(&mut self, url: &str, probe: &str) -> (Vec<String>, Value) {
        let target = self.call("Target.createTarget", json!({ "url": "about:blank" }), None);
        let attached = self.call(
            "Target.attachToTarget",
            json!({ "targetId": target["targetId"], "flatten": true }),
            None,
        );
        let session = attached["sessionId"].as_str().unwrap().to_string();
        let s = Some(session.as_str());
        for domain in ["Runtime", "Log", "Network", "Page"] {
            self.call(&format!("{domain}.enable"), json!({}), s);
        }
        self.events.clear();
        self.call("Page.navigate", json!({ "url": url }), s);

        let start = Instant::now();
        let mut loaded = self
            .events
            .iter()
            .any(|e| e["method"] == "Page.loadEventFired");
        while start.elapsed() < PATIENCE {
            match self.receive(QUIET) {
                Some(e) => {
                    loaded |= e["method"] == "Page.loadEventFired";
                    self.events.push(e);
                }
                None if loaded => break,
                None => {}
            }
        }
        assert!(loaded, "{url} did not finish loading within {PATIENCE:?}");

        let mut problems = Vec::new();
        for e in &self.events {
            if e["sessionId"] != json!(session) {
                continue;
            }
            let p = &e["params"];
            match e["method"].as_str().unwrap_or_default() {
                "Runtime.exceptionThrown" => {
                    let d = &p["exceptionDetails"];
                    let what = d["exception"]["description"]
                        .as_str()
                        .or(d["text"].as_str());
                    problems.push(format!("uncaught exception: {}", what.unwrap_or("?")));
                }
                "Runtime.consoleAPICalled" if p["type"] == "error" || p["type"] == "assert" => {
                    problems.push(format!("console.{}: {}", p["type"], p["args"]));
                }
                "Log.entryAdded" if p["entry"]["level"] == "error" => {
                    let entry = &p["entry"];
                    problems.push(format!(
                        "console error ({}): {} {}",
                        entry["source"].as_str().unwrap_or("?"),
                        entry["text"].as_str().unwrap_or("?"),
                        entry["url"].as_str().unwrap_or("")
                    ));
                }
                "Network.loadingFailed" => {
                    problems.push(format!("failed load: {}", p["errorText"]));
                }
                "Network.requestWillBeSent" if p["request"]["url"] != json!(url) => {
                    problems.push(format!("load of {}", p["request"]["url"]));
                }
                _ => {}
            }
        }
        let probed = self.call(
            "Runtime.evaluate",
            json!({ "expression": probe, "returnByValue": true }),
            s,
        );
        self.call(
            "Target.closeTarget",
            json!({ "targetId": target["targetId"] }),
            None,
        );
        (problems, probed["result"]["value"].clone())
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        self.next_id += 1;
        let close = json!({ "id": self.next_id, "method": "Browser.close", "params": {} });
        let mut bytes = serde_json::to_vec(&close).unwrap_or_default();
        bytes.push(0);
        let _ = self.commands.write_all(&bytes);
        let _ = self.commands.flush();
        reap(&mut self.child);
    }
}

/// What the page holds, counted in the browser's DOM.
const DOM_PROBE: &str = "({
    svg: document.querySelectorAll('svg').length,
    rect: document.querySelectorAll('svg rect').length,
    text: document.querySelectorAll('svg text').length,
    table: document.querySelectorAll('table').length,
    script: document.querySelectorAll('script').length,
})";

/// Loads `page` in a fresh browser: the problems reported and the DOM counts.
fn load(page: &Path) -> (Vec<String>, Value) {
    let dir = tempfile::tempdir().unwrap();
    let mut browser = Browser::start(dir.path());
    browser.visit(&file_url(page), DOM_PROBE)
}

/// A screenshot of the top of `page`, the window [`WINDOW`] big, as RGB rows.
fn screenshot(page: &Path) -> (u32, u32, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let png_path = dir.path().join("shot.png");
    let mut args = common_flags(&dir.path().join("profile"));
    args.extend([
        format!("--window-size={},{}", WINDOW.0, WINDOW.1),
        format!("--screenshot={}", png_path.display()),
        file_url(page),
    ]);
    let mut child = Command::new(BROWSER)
        .args(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {BROWSER}: {e}"));
    reap(&mut child);
    let file = File::open(&png_path)
        .unwrap_or_else(|e| panic!("{BROWSER} wrote no screenshot {}: {e}", png_path.display()));
    let mut decoder = png::Decoder::new(BufReader::new(file));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    assert!(channels >= 3, "a screenshot in {:?}", info.color_type);
    let rgb = buf[..info.line_size * info.height as usize]
        .chunks(info.line_size)
        .flat_map(|row| row[..info.width as usize * channels].chunks(channels))
        .flat_map(|px| px[..3].to_vec())
        .collect();
    (info.width, info.height, rgb)
}

fn at(day: NaiveDate, seconds: i64) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0).unwrap()) + Span::seconds(seconds)
}

const BODY: &str = "Hello,\n\nThank you for your message about the outage. We are sorry for the \
    trouble it caused your team. Our engineers found the cause and fixed it this morning. \
    Every page has loaded normally since then in our checks. If you still see errors, please \
    reply to this email with a screenshot and we will look into it the same day.\n\n\
    Kind regards,\nThe support team";

/// Two weeks of mail: a few messages a day in four languages and five categories, some
/// skipped; drafts from six templates with every outcome; corrections; a template name and a
/// category with markup in them.
fn inputs() -> Inputs {
    let first = NaiveDate::from_ymd_opt(2024, 6, 1).unwrap();
    let categories = ["outage", "billing", "login", "question", "<b>bold</b>"];
    let languages = ["en", "de", "fr", "ja"];
    let mut i = Inputs {
        since: Some(first),
        now: at(first, 15 * 86_400),
        messages: vec![],
        drafts_made: vec![],
        in_drafts: vec![],
        sent: vec![],
        removed: vec![],
        corrections: vec![
            ("question".into(), "billing".into()),
            ("question".into(), "billing".into()),
            ("login".into(), "outage".into()),
        ],
    };
    let mut n = 0usize;
    for d in 0..14u64 {
        let day = first + chrono::Days::new(d);
        for k in 0..(2 + (d * 7 % 5) as usize) {
            n += 1;
            let id = format!("m{n}@example.com");
            let arrived = at(day, 3600 * (8 + k as i64));
            let language = languages[n % languages.len()];
            let skip = n.is_multiple_of(9);
            i.messages.push(Message {
                message_id: Some(id.clone()),
                arrived,
                category: (!skip).then(|| categories[n % categories.len()].to_string()),
                skip_reason: skip.then(|| ["auto-reply", "newsletter"][n % 2].to_string()),
                language: (!n.is_multiple_of(11)).then(|| language.to_string()),
            });
            if skip {
                continue;
            }
            let category = categories[n % categories.len()];
            let draft_language = ["en", "de"][n / 5 % 2];
            let template = if n.is_multiple_of(13) {
                "en/<script>x</script>".to_string()
            } else {
                format!("{draft_language}/{category}")
            };
            let made = arrived + Span::seconds(30 + (n as i64 % 7) * 20);
            i.drafts_made.push(DraftMade {
                source: id.clone(),
                at: made,
                template,
                category: category.to_string(),
                language: draft_language.to_string(),
                body: BODY.to_string(),
            });
            let answered = made + Span::minutes(20 + (n as i64 % 5) * 15);
            let reply = match n % 6 {
                0 | 1 => Some(format!(
                    "{BODY}\n\nOn Monday, Customer <{id}> wrote:\n> Help!\n"
                )),
                2 => Some(BODY.replace(
                    "Our engineers found the cause and fixed it this morning.",
                    "A failed disk took the main database down for an hour before noon.",
                )),
                3 => Some("Thanks, we will call you tomorrow to go through the invoice.".into()),
                4 => {
                    i.in_drafts.push(id.clone());
                    None
                }
                // Removed by the daemon, or else deleted by an agent (discarded).
                _ => {
                    if (n / 6).is_multiple_of(2) {
                        i.removed.push(Removed {
                            source: id.clone(),
                            why: "answered".into(),
                            at: answered,
                        });
                    }
                    None
                }
            };
            if let Some(body) = reply {
                i.sent.push(SentReply {
                    replies_to: vec![id.clone()],
                    at: answered,
                    body,
                });
            }
        }
    }
    i
}

/// Pixels within a small distance of `rgb` (anti-aliased edges aside).
fn count_colour(rgb_pixels: &[u8], rgb: (u8, u8, u8)) -> usize {
    rgb_pixels
        .chunks(3)
        .filter(|p| {
            p[0].abs_diff(rgb.0) <= 6 && p[1].abs_diff(rgb.1) <= 6 && p[2].abs_diff(rgb.2) <= 6
        })
        .count()
}

#[test]
fn the_report_page_loads_cleanly_and_shows_its_charts() {
    require_chromium();
    let report = compute(&inputs());
    assert!(report.messages.total > 40, "{}", report.messages.total);
    let outcome_counts = [
        report.drafts.sent_unchanged,
        report.drafts.sent_edited,
        report.drafts.rewritten,
        report.drafts.pending,
        report.drafts.removed,
        report.drafts.discarded,
    ];
    assert!(outcome_counts.iter().all(|&c| c > 0), "{:?}", report.drafts);
    assert!(report.templates.len() >= 6);

    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    std::fs::write(&page, to_html(&report)).unwrap();

    let (problems, dom) = load(&page);
    assert!(problems.is_empty(), "the browser reported: {problems:#?}");
    assert_eq!(dom["svg"], 2, "{dom}");
    assert_eq!(dom["script"], 0, "{dom}");
    assert!(dom["rect"].as_u64().unwrap() > 20, "{dom}");
    assert!(dom["text"].as_u64().unwrap() > 10, "{dom}");
    assert!(dom["table"].as_u64().unwrap() >= 8, "{dom}");

    let (width, height, rgb) = screenshot(&page);
    assert_eq!((width, height), WINDOW);
    let pixels = rgb.len() / 3;
    let inked = rgb.chunks(3).filter(|p| p.iter().any(|&c| c < 230)).count();
    assert!(
        inked * 100 > pixels * 3,
        "only {inked} of {pixels} pixels are not (near) white"
    );
    // Messages per day: fourteen bars, each several thousand pixels.
    let blue = count_colour(&rgb, MESSAGES_RGB);
    assert!(blue > 20_000, "{blue} pixels of the messages-per-day bars");
    // Outcomes per template: every outcome's colour well beyond its legend swatch.
    let by_outcome: BTreeMap<&str, usize> = OUTCOME_RGB
        .iter()
        .map(|(label, rgb_)| (*label, count_colour(&rgb, *rgb_)))
        .collect();
    for (label, px) in &by_outcome {
        assert!(*px > 600, "{px} pixels of {label}: {by_outcome:?}");
    }
}

#[test]
fn an_empty_report_page_loads_cleanly() {
    require_chromium();
    let report = compute(&Inputs {
        now: Utc::now(),
        ..Inputs::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("empty.html");
    std::fs::write(&page, to_html(&report)).unwrap();
    let (problems, dom) = load(&page);
    assert!(problems.is_empty(), "the browser reported: {problems:#?}");
    assert_eq!(dom["svg"], 2, "{dom}");
}

/// The detector itself: a page with a script error and an image from elsewhere must fail.
#[test]
fn a_broken_page_is_caught() {
    require_chromium();
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("broken.html");
    std::fs::write(
        &page,
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>broken</title></head>\
         <body><p>broken</p><script>undefinedFunction()</script>\
         <img src=\"https://example.invalid/x.png\" alt=\"\"></body></html>",
    )
    .unwrap();
    let (problems, dom) = load(&page);
    let has = |what: &str| problems.iter().any(|p| p.contains(what));
    assert!(
        has("uncaught exception") && has("undefinedFunction"),
        "{problems:#?}"
    );
    assert!(
        has("load of \"https://example.invalid/x.png\""),
        "{problems:#?}"
    );
    assert!(has("failed load"), "{problems:#?}");
    assert!(has("Failed to load resource"), "{problems:#?}");
    assert_eq!(dom["script"], 1, "{dom}");
}
