//! The command-line contract: exit codes, JSON Lines, errors that name file and key, and the
//! shipped config and templates passing `check --offline`.

use serde_json::Value;

use crate::util::{fixtures, mailtriage, path_str, root};

fn config() -> String {
    path_str(&fixtures().join("config.toml"))
}

#[test]
fn triage_json_prints_one_line_per_input_and_exit_1_on_bad_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("empty.eml");
    std::fs::write(&bad, b"").expect("write");
    let good = fixtures().join("lat-en-billing-charged-twice.eml");
    let missing = dir.path().join("missing.eml");
    let out = mailtriage(
        &[
            "--config",
            &config(),
            "triage",
            "--json",
            &path_str(&good),
            &path_str(&bad),
            &path_str(&missing),
        ],
        b"",
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["action"], "draft");
    assert_eq!(lines[0]["category"], "billing");
    assert!(lines[0]["draft"]["body"]
        .as_str()
        .is_some_and(|b| !b.is_empty()));
    assert!(lines[1]["error"]
        .as_str()
        .is_some_and(|e| e.contains("empty")));
    assert!(lines[2]["error"]
        .as_str()
        .is_some_and(|e| e.contains("cannot read")));
}

#[test]
fn triage_reads_stdin_and_prints_a_readable_draft() {
    let raw = b"From: Jo <jo@example.org>\r\nTo: support@example.com\r\nSubject: Password\r\nMessage-ID: <s1@example.org>\r\n\r\nI forgot my password and cannot log in.\r\n";
    let out = mailtriage(&["--config", &config(), "triage", "-"], raw);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("draft · login"), "{text}");
    assert!(text.contains("To: Jo <jo@example.org>"), "{text}");
    assert!(text.contains("Subject: Re: Password"), "{text}");
}

#[test]
fn triage_raw_shows_the_draft_exactly_as_appended() {
    let raw = b"From: Jo <jo@example.org>\r\nTo: support@example.com\r\nSubject: Password\r\nMessage-ID: <s2@example.org>\r\n\r\nI forgot my password and cannot log in.\r\n";
    let out = mailtriage(&["--config", &config(), "triage", "--raw", "-"], raw);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    for header in [
        "To: Jo <jo@example.org>\r\n",
        "In-Reply-To: <s2@example.org>\r\n",
        "X-Mailtriage-Source-Digest: ",
        "Content-Transfer-Encoding: ",
        "MIME-Version: 1.0\r\n",
    ] {
        assert!(text.contains(header), "{header:?} missing: {text}");
    }
    let plain = mailtriage(&["--config", &config(), "triage", "-"], raw);
    let plain = String::from_utf8_lossy(&plain.stdout);
    assert!(
        plain.contains("--raw shows it exactly as appended"),
        "{plain}"
    );
    assert!(!plain.contains("X-Mailtriage-Source-Digest"), "{plain}");
}

#[test]
fn config_errors_exit_2_and_name_file_and_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = dir.path().join("config.toml");
    std::fs::write(&cfg, "[identity]\nfrom = \"Support <support@example.com>\"\n[triage]\ndefault_langauge = \"en\"\n").expect("write");
    let out = mailtriage(&["--config", &path_str(&cfg), "check", "--offline"], b"");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("{}:4:", cfg.display())), "{err}");
    assert!(err.contains("default_langauge"), "{err}");
}

#[test]
fn bad_facts_file_names_line_and_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("facts.toml"),
        "[[incident]]\nid = \"I\"\nservice = \"s\"\nstarted = \"yesterday\"\nstatus_url = \"u\"\n",
    )
    .expect("write");
    let cfg = dir.path().join("config.toml");
    std::fs::write(
        &cfg,
        "[identity]\nfrom = \"support@example.com\"\n[triage]\nfacts = \"facts.toml\"\n",
    )
    .expect("write");
    let out = mailtriage(&["--config", &path_str(&cfg), "check", "--offline"], b"");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("facts.toml:4:"), "{err}");
}

#[test]
fn shipped_example_config_and_templates_pass_check_offline() {
    let out = mailtriage(
        &[
            "--config",
            &path_str(&root().join("config.example.toml")),
            "check",
            "--offline",
        ],
        b"",
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains(": ok"));
}

#[test]
fn check_warns_about_a_readable_password_file_and_a_writable_config() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = crate::util::plain_config(dir.path(), 143, "u", "pw", "");
    let chmod = |p: &std::path::Path, m: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).expect("chmod")
    };
    let password = dir.path().join("imap-password");
    let check = || {
        let out = mailtriage(&["--config", &path_str(&cfg), "check", "--offline"], b"");
        assert_eq!(out.status.code(), Some(0), "warnings do not fail check");
        String::from_utf8_lossy(&out.stderr).to_string()
    };
    chmod(&password, 0o600);
    chmod(&cfg, 0o644);
    let quiet = check();
    assert!(!quiet.contains("warning"), "{quiet}");
    chmod(&password, 0o644);
    chmod(&cfg, 0o666);
    let loud = check();
    assert!(
        loud.contains(&format!(
            "warning: {}: the password file is readable",
            password.display()
        )),
        "{loud}"
    );
    assert!(
        loud.contains(&format!("warning: {}: writable by others", cfg.display())),
        "{loud}"
    );
}

#[test]
fn template_override_with_a_syntax_error_is_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("templates/en")).expect("mkdir");
    std::fs::write(
        dir.path().join("templates/en/general.hbs"),
        "Hello {{#if x}}\n",
    )
    .expect("write");
    let cfg = dir.path().join("config.toml");
    std::fs::write(
        &cfg,
        "[identity]\nfrom = \"support@example.com\"\n[triage]\ntemplates = \"templates\"\n",
    )
    .expect("write");
    let out = mailtriage(&["--config", &path_str(&cfg), "check", "--offline"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("general.hbs"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn custom_category_from_config_is_classified_and_drafted() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("templates/en")).expect("mkdir");
    std::fs::write(
        dir.path().join("templates/en/privacy.hbs"),
        "{{> en/greeting}}\n\nYour privacy matters to us ({{value}}).\n\n{{> en/signature}}\n",
    )
    .expect("write");
    let cfg = dir.path().join("config.toml");
    std::fs::write(&cfg, "[identity]\nfrom = \"support@example.com\"\n[triage]\ntemplates = \"templates\"\n[[triage.category]]\nid = \"privacy\"\nvalue = \"privacy\"\nphrases = { en = [\"delete my data\", \"gdpr request\"] }\n").expect("write");
    let raw = b"From: jo@example.org\r\nSubject: GDPR request\r\n\r\nPlease delete my data.\r\n";
    let out = mailtriage(&["--config", &path_str(&cfg), "triage", "--json", "-"], raw);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["category"], "privacy");
    assert_eq!(v["draft"]["template"], "en/privacy");
    assert!(v["draft"]["body"]
        .as_str()
        .is_some_and(|b| b.contains("Your privacy matters to us (privacy).")));
}

/// `triage` never connects: a wrong `[imap]` is a warning there, while `check` refuses it.
#[test]
fn triage_works_with_an_imap_section_it_does_not_use_and_check_still_refuses_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = dir.path().join("config.toml");
    std::fs::write(
        &cfg,
        "[identity]\nfrom = \"Support <support@example.com>\"\n[imap]\nhost = \"imap.example.com\"\nbacth_size = 3\n",
    )
    .expect("write");
    let raw = b"From: Jo <jo@example.org>\r\nTo: support@example.com\r\nSubject: Password\r\nMessage-ID: <w1@example.org>\r\n\r\nI forgot my password and cannot log in.\r\n";
    let cfg = cfg.display().to_string();
    let out = mailtriage(&["--config", &cfg, "triage", "-"], raw);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("warning") && err.contains("imap.bacth_size"),
        "{err}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("draft · login"));
    let out = mailtriage(&["--config", &cfg, "check", "--offline"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("imap.bacth_size"));
}

/// Without a config anywhere, the error says how to name one.
#[test]
fn a_missing_default_config_says_how_to_name_one() {
    let out = crate::util::mailtriage_with_env(&["triage", "-"], b"", &[("MAILTRIAGE_CONFIG", "")]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    // (A machine with mailtriage installed in /etc would fail the exit status above.)
    assert!(err.contains("--config FILE or $MAILTRIAGE_CONFIG"), "{err}");
}

/// #13: broken configs, facts, rules and templates, each reported with the file, the line and
/// column, the full key path and what is wrong, on one line, with no Rust debug text.
#[test]
fn every_broken_input_names_file_line_key_and_reason() {
    const ID: &str = "[identity]\nfrom = \"Support <support@example.com>\"\n";
    const IMAP: &str = "[imap]\nhost = \"127.0.0.1\"\nport = 143\nsecurity = \"plain\"\nusername = \"u\"\npassword_env = \"X\"\n";
    const WITH: &str = "[identity]\nfrom = \"Support <support@example.com>\"\n[triage]\nfacts = \"facts.toml\"\ntemplates = \"templates\"\nrules = \"rules\"\n";
    const INCIDENT: &str = "[[incident]]\nid = \"I-1\"\nservice = \"Sync\"\nstarted = 2026-12-01T08:00:00Z\nstatus_url = \"https://status.example.com/1\"\n\n";
    // (what, file to write, its text, the config, expected "file:line:col: key `…`", reason)
    let cases: Vec<(&str, &str, String, String, &str, &str)> = vec![
        ("typo in [imap]", "config.toml", format!("{ID}{IMAP}bacth_size = 5\n"), String::new(), "config.toml:9:1: key `imap.bacth_size`", "did you mean `batch_size`?"),
        ("number out of range", "config.toml", format!("{ID}{IMAP}batch_size = 0\n"), String::new(), "config.toml:9:1: key `imap.batch_size`", "0 is not between 1 and 1000"),
        ("empty value", "config.toml", format!("{ID}{IMAP}batch_size = \n"), String::new(), "config.toml:9:14: key `imap.batch_size`", "has no value after `=`"),
        ("unquoted text", "config.toml", format!("{ID}[triage]\ndefault_language = en\n"), String::new(), "config.toml:4:20: key `triage.default_language`", "in quotes: \"en\""),
        ("bad duration", "config.toml", format!("{ID}{IMAP}timeout = \"soon\"\n"), String::new(), "config.toml:9:1: key `imap.timeout`", "\"soon\" is not a duration like \"60s\""),
        ("bad from", "config.toml", "[identity]\nfrom = \"nope\"\n".into(), String::new(), "config.toml:2:1: key `identity.from`", "\"nope\" is not an address like"),
        ("bad metrics address", "config.toml", format!("{ID}[metrics]\nlisten = \"localhost\"\n"), String::new(), "config.toml:4:1: key `metrics.listen`", "\"localhost\" is not an IP address and port"),
        ("promise out of range", "config.toml", format!("{ID}[promises]\nreply_business_days = 40\n"), String::new(), "config.toml:4:1: key `promises.reply_business_days`", "40 is not a number of business days from 1 to 30"),
        ("confidence out of range", "config.toml", format!("{ID}[triage]\nmin_confidence = 2\n"), String::new(), "config.toml:4:1: key `triage.min_confidence`", "2 is not between 0 and 1"),
        ("bad category id", "config.toml", format!("{ID}[[triage.category]]\nid = \"ok\"\nvalue = \"x\"\nphrases = {{ en = [\"a\"] }}\n\n[[triage.category]]\nid = \"Bad Id\"\nvalue = \"x\"\nphrases = {{ en = [\"b\"] }}\n"), String::new(), "config.toml:9:1: key `triage.category[2].id`", "\"Bad Id\" must be lower-case"),
        ("unclosed table header", "config.toml", "[identity\nfrom = \"x\"\n".into(), String::new(), "config.toml:1:10: key `identity`", "unclosed table, expected `]`"),
        ("facts: typo in the second incident", "facts.toml", format!("{INCIDENT}[[incident]]\nid = \"I-2\"\nservice = \"API\"\nstarted = 2026-12-01T08:00:00Z\nstatusurl = \"u\"\n"), WITH.into(), "facts.toml:11:1: key `incident[2].statusurl`", "did you mean `status_url`?"),
        ("facts: date in quotes", "facts.toml", "[[incident]]\nid = \"I\"\nservice = \"s\"\nstarted = \"yesterday\"\nstatus_url = \"u\"\n".into(), WITH.into(), "facts.toml:4:11: key `incident[1].started`", "\"yesterday\" is not a date or date-time like 2026-12-01T08:00:00Z"),
        ("facts: resolved before started", "facts.toml", format!("{INCIDENT}[[incident]]\nid = \"I-2\"\nservice = \"API\"\nstarted = 2026-12-01T08:00:00Z\nresolved = 2026-11-01T08:00:00Z\nstatus_url = \"u\"\n"), WITH.into(), "facts.toml:11:1: key `incident[2].resolved`", "is before `started`"),
        ("facts: bad retired address", "facts.toml", "[[retired_address]]\nreplacement = \"support@example.com\"\naddress = \"nope\"\nretired_on = 2025-01-01\n".into(), WITH.into(), "facts.toml:3:1: key `retired_address[1].address`", "\"nope\" is neither an address nor \"@domain\""),
        ("rules: typo in a rule", "rules/x.toml", "language = \"en\"\n\n[[rule]]\ncategory = \"login\"\nwieght = 3\nphrases = [\"a\"]\n".into(), WITH.into(), "rules/x.toml:5:1: key `rule[1].wieght`", "did you mean `weight`?"),
        ("rules: bad regex in the second rule", "rules/x.toml", "language = \"en\"\n\n[[rule]]\ncategory = \"login\"\nweight = 3\nphrases = [\"a\"]\n\n[[rule]]\ncategory = \"login\"\nweight = 3\npatterns = [\"(unclosed\"]\n".into(), WITH.into(), "rules/x.toml:11:1: key `rule[2].patterns`", "\"(unclosed\" is not a valid regular expression: unclosed group"),
        ("rules: unknown category", "rules/x.toml", "language = \"en\"\n[[rule]]\nweight = 3\ncategory = \"nosuch\"\nphrases = [\"a\"]\n".into(), WITH.into(), "rules/x.toml:4:1: key `rule[1].category`", "\"nosuch\" is not a known category"),
        ("rules: unknown signal", "rules/x.toml", "language = \"en\"\n[signals]\ntried = { reset = [\"x\"] }\n".into(), WITH.into(), "rules/x.toml:3:1: key `signals.tried.reset`", "`reset` is not one of password_reset"),
        ("template: unclosed block", "templates/en/general.hbs", "Hello\n\n{{#if first_name}}Hi {{first_name}}\n{{#each x}}{{/each}}\n".into(), WITH.into(), "templates/en/general.hbs:3:1", "`{{#if}}` is opened here and never closed: add `{{/if}}`"),
        ("template: block closed by another name", "templates/en/login.hbs", "{{#each x}}\n{{/if}}\n".into(), WITH.into(), "templates/en/login.hbs:2:1", "\"each\" was opened, but \"if\" is closing"),
        ("template: a value that is not in the context", "templates/en/general.hbs", "Hello\n{{facts.nosuch}}\n".into(), WITH.into(), "templates/en/general.hbs:2:1", "`facts.nosuch` is not in the context here"),
        ("template: broken braces", "templates/en/login.hbs", "Hello {{name}\n".into(), WITH.into(), "templates/en/login.hbs:1:13", "check the `{{` and `}}`"),
    ];
    assert!(cases.len() >= 15);
    for (what, file, text, config, place, reason) in &cases {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        for sub in ["rules", "templates/en"] {
            std::fs::create_dir_all(d.join(sub)).expect("mkdir");
        }
        std::fs::write(d.join("facts.toml"), "").expect("facts");
        if !config.is_empty() {
            std::fs::write(d.join("config.toml"), config).expect("config");
        }
        std::fs::write(d.join(file), text).expect("write");
        let out = crate::util::mailtriage_with_env(
            &[
                "--config",
                &path_str(&d.join("config.toml")),
                "check",
                "--offline",
            ],
            b"",
            &[("X", "secret")],
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{what}: {err}");
        let line = err.lines().next().unwrap_or_default();
        assert!(
            line.contains(&format!("{}/{place}", d.display())),
            "{what}: want `{place}` in\n{err}"
        );
        assert!(line.contains(reason), "{what}: want `{reason}` in\n{err}");
        assert_eq!(
            err.trim_end().lines().count(),
            1,
            "{what}: one line:\n{err}"
        );
        for debug in ["Some(", "None", "Error {", "\\\""] {
            assert!(!err.contains(debug), "{what}: Rust debug text in\n{err}");
        }
    }
}
