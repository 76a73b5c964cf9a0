//! The README and docs/ are checked against the program: every `mailtriage` command they
//! show names a real subcommand and real options, every script and file they install exists,
//! and every error message they quote is what the program prints for it (produced here).

use std::path::PathBuf;

use crate::util::{mailtriage_with_env, path_str, root};

/// README.md and docs/*.md.
fn pages() -> Vec<PathBuf> {
    let mut v = vec![root().join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .expect("docs/")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    v.extend(docs);
    v
}

/// The lines inside fenced code blocks, with the page they are on.
fn code_lines() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for page in pages() {
        let text = std::fs::read_to_string(&page).expect("read page");
        let name = page.strip_prefix(root()).map(path_str).unwrap_or_default();
        let mut inside = false;
        for line in text.lines() {
            if line.trim_start().starts_with("```") {
                inside = !inside;
            } else if inside {
                out.push((name.clone(), line.trim().to_string()));
            }
        }
    }
    out
}

#[test]
fn every_mailtriage_command_in_the_docs_exists() {
    let commands: Vec<(String, String)> = code_lines()
        .into_iter()
        .filter(|(_, l)| l.starts_with("mailtriage ") && !l.starts_with("mailtriage: "))
        .collect();
    assert!(commands.len() >= 5, "{} commands found", commands.len());
    for (page, line) in &commands {
        let line = line.split(" #").next().unwrap_or_default();
        let words: Vec<&str> = line.split_whitespace().skip(1).collect();
        let mut sub = None;
        let mut options = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let w = words[i];
            if w == "--config" || w == "--log-format" {
                options.push((None, w));
                i += 2;
                continue;
            }
            if w.starts_with('-') && w != "-" {
                options.push((sub, w.split('=').next().unwrap_or(w)));
            } else if sub.is_none() {
                sub = Some(w);
            }
            i += 1;
        }
        let sub = sub.unwrap_or_else(|| panic!("{page}: `{line}` has no subcommand"));
        let help = |of: Option<&str>| {
            let mut args: Vec<&str> = of.into_iter().collect();
            args.push("--help");
            let out = mailtriage_with_env(&args, b"", &[]);
            assert!(
                out.status.success(),
                "{page}: `{line}`: `mailtriage {sub} --help` fails"
            );
            String::from_utf8_lossy(&out.stdout).into_owned()
        };
        let sub_help = help(Some(sub));
        let top_help = help(None);
        for (of, option) in options {
            let text = if of.is_some() { &sub_help } else { &top_help };
            assert!(
                text.split(|c: char| c.is_whitespace() || c == ',')
                    .any(|w| w == option),
                "{page}: `{line}`: {option} is not an option of `mailtriage {}`",
                of.unwrap_or("")
            );
        }
    }
}

#[test]
fn every_script_and_installed_file_in_the_docs_exists() {
    let mut checked = 0;
    for (page, line) in code_lines() {
        let words: Vec<&str> = line
            .split(" #")
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .collect();
        for w in &words {
            if let Some(script) = w.strip_prefix("scripts/") {
                let path = root().join("scripts").join(script);
                let mode = std::fs::metadata(&path)
                    .map(|m| std::os::unix::fs::PermissionsExt::mode(&m.permissions()))
                    .unwrap_or_else(|_| panic!("{page}: `{line}`: no scripts/{script}"));
                assert!(
                    mode & 0o111 != 0,
                    "{page}: scripts/{script} is not executable"
                );
                checked += 1;
            }
        }
        // `install -m MODE SOURCE TARGET`: a source in the repository must be there.
        if words.first() == Some(&"install") && !words.contains(&"-d") && words.len() >= 5 {
            let source = words[words.len() - 2];
            if !source.starts_with('~') && !source.starts_with('/') {
                assert!(
                    root().join(source).exists(),
                    "{page}: `{line}`: no {source} in the repository"
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 4, "only {checked} scripts and files checked");
}

/// Writes `files` into a temp dir standing for /etc/mailtriage, runs `check --offline` on its
/// config.toml, and returns the first line of the error with the dir shown as /etc/mailtriage.
fn error_for(files: &[(&str, &str)]) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&path, text).expect("write");
    }
    let out = mailtriage_with_env(
        &[
            "--config",
            &path_str(&dir.path().join("config.toml")),
            "check",
            "--offline",
        ],
        b"",
        &[("IMAP_PASSWORD", "x")],
    );
    assert_eq!(out.status.code(), Some(2));
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .next()
        .unwrap_or_default()
        .replace(&path_str(dir.path()), "/etc/mailtriage")
}

#[test]
fn every_error_the_docs_quote_is_what_the_program_prints() {
    const CONFIG: &str = "[identity]\nfrom = \"Example Support <support@example.com>\"\n\n[triage]\nfacts = \"facts.toml\"\ntemplates = \"templates\"\n";
    let produced = [
        error_for(&[(
            "config.toml",
            "[identity]\nfrom = \"Example Support <support@example.com>\"\n[imap]\nhost = \"imap.example.com\"\nsecurity = \"plain\"\nusername = \"support@example.com\"\npassword_env = \"IMAP_PASSWORD\"\n",
        )]),
        error_for(&[
            ("config.toml", CONFIG),
            (
                "facts.toml",
                "[[incident]]\nid = \"INC-8\"\nservice = \"Notification email delivery\"\nstarted = 2026-11-21\nstatus_url = \"https://status.example.com/incidents/INC-8\"\n",
            ),
        ]),
        error_for(&[
            ("config.toml", CONFIG),
            ("facts.toml", ""),
            (
                "templates/en/general.hbs",
                "Hello,\n{{facts.incident.id}}\n",
            ),
        ]),
    ];
    let quoted: Vec<(String, String)> = code_lines()
        .into_iter()
        .filter(|(_, l)| l.starts_with("mailtriage: /etc/mailtriage/"))
        .collect();
    for line in &produced {
        assert!(
            quoted.iter().any(|(_, q)| q == line),
            "the docs do not quote this error as printed:\n{line}"
        );
    }
    for (page, q) in &quoted {
        assert!(
            produced.contains(q),
            "{page} quotes an error this test does not produce:\n{q}"
        );
    }
}
