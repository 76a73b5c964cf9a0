//! Fuzzes the whole pure pipeline (parse → screen → classify → facts → draft) on arbitrary
//! bytes. Besides "never panics", it checks that a draft's header block is well formed:
//! only CRLF line breaks (no bare CR or LF, which would let customer text inject headers)
//! and no NUL.
//!
//! Run from `fuzz/` (needs a nightly toolchain for the sanitizer; `RUSTC_BOOTSTRAP=1` on stable):
//!
//! ```text
//! mkdir -p corpus/pipeline && cp ../tests/fixtures/*.eml corpus/pipeline/
//! cargo +nightly fuzz run pipeline -- -max_total_time=1800 -rss_limit_mb=4096 -timeout=10
//! ```
//!
//! cargo-fuzz builds with debug assertions unless given `-O`. With them, mail-parser 0.11.9
//! trips its own `debug_assert!` ("Invalid part ID, could not find multipart.",
//! parsers/message.rs:485) on a message/rfc822 part nested in a message/rfc822 part; release
//! builds are unaffected. To fuzz past it, add `-O`, or keep the assertions and pass
//! `-fork=1 -ignore_crashes=1` to libFuzzer.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use mailtriage::config::Config;
use mailtriage::draft::DraftEnv;
use mailtriage::pipeline::Engine;

const CONFIG: &str = "[identity]\nfrom = \"Support <support@example.com>\"\n";

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let config = Config::parse(Path::new("/fuzz/config.toml"), CONFIG).expect("fuzz config");
        Engine::load(config).expect("fuzz engine")
    })
}

/// Panics unless every CR and LF in `head` is part of a CRLF pair and there is no NUL.
fn check_header_block(head: &[u8], raw: &[u8]) {
    let show = || String::from_utf8_lossy(raw).into_owned();
    assert!(!head.contains(&0), "NUL in draft header block:\n{}", show());
    let mut i = 0;
    while i < head.len() {
        match head[i] {
            b'\r' => {
                assert!(
                    head.get(i + 1) == Some(&b'\n'),
                    "bare CR at byte {i} of draft header block:\n{}",
                    show()
                );
                i += 2;
            }
            b'\n' => panic!("bare LF at byte {i} of draft header block:\n{}", show()),
            _ => i += 1,
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let env = DraftEnv {
        now: Utc.with_ymd_and_hms(2025, 3, 14, 9, 26, 53).unwrap(),
        nonce: 0x5eed_5eed_5eed_5eed,
    };
    let Ok(outcome) = engine().triage(data, "fuzz", &env, None) else {
        return;
    };
    if let Some(draft) = &outcome.draft {
        let raw = &draft.raw;
        let end = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or(raw.len());
        check_header_block(&raw[..end], raw);
    }
});
