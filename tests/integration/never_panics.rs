//! Parsing and the whole pipeline never panic, whatever the bytes (the fuzz target in `fuzz/`
//! explores further; this runs in every test pass).

use proptest::prelude::*;

use crate::util::{engine, fixed_env};

fn message_like() -> impl Strategy<Value = Vec<u8>> {
    let header = prop_oneof![
        Just(b"From: a@b.c\r\n".to_vec()),
        Just(b"Subject: =?UTF-8?B?w6k=?= =?ISO-2022-JP?B?GyRCJEQbKEI=?=\r\n".to_vec()),
        Just(b"Content-Type: multipart/mixed; boundary=x\r\n".to_vec()),
        Just(b"Content-Type: message/rfc822\r\n".to_vec()),
        Just(b"Content-Transfer-Encoding: base64\r\n".to_vec()),
        Just(b"Content-Type: text/html; charset=gb18030\r\n".to_vec()),
        Just(b"Reply-To: group: a@b.c, <>;\r\n".to_vec()),
        Just(b"Date: 99 Foo 20266 99:99:99 +9999\r\n".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..40),
    ];
    (
        proptest::collection::vec(header, 0..8),
        proptest::collection::vec(any::<u8>(), 0..400),
    )
        .prop_map(|(hs, body)| {
            let mut raw: Vec<u8> = hs.concat();
            raw.extend_from_slice(b"\r\n--x\r\n");
            raw.extend_from_slice(&body);
            raw
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(raw in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let e = engine();
        let _ = e.triage(&raw, "prop", &fixed_env(), None);
    }

    #[test]
    fn message_shaped_bytes_never_panic(raw in message_like()) {
        let e = engine();
        if let Ok(o) = e.triage(&raw, "prop", &fixed_env(), None) {
            if let Some(d) = o.draft {
                prop_assert!(crate::fixtures::headers_are_safe(&d.raw).is_ok());
            }
        }
    }
}

/// Inputs the fuzzer found (fuzz/): each must triage without a panic.
#[test]
fn fuzz_regressions_never_panic() {
    let dir = crate::util::root().join("tests/regressions");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("tests/regressions") {
        let path = entry.expect("entry").path();
        let raw = std::fs::read(&path).expect("read");
        let result = std::panic::catch_unwind(|| {
            engine()
                .triage(&raw, "regression", &fixed_env(), None)
                .is_ok()
        });
        assert!(result.is_ok(), "{} panics", path.display());
        n += 1;
    }
    assert!(n > 0, "no regression inputs found");
}
