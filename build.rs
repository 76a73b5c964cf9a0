//! Embeds the built-in rule files (`rules/*.toml`) and templates (`templates/**/*.hbs`) in the
//! binary, so `mailtriage` works without any data files installed next to it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
}

fn table(root: &Path, sub: &str, ext: &str, name: &str, code: &mut String) {
    let dir = root.join(sub);
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files = Vec::new();
    collect(&dir, ext, &mut files);
    files.sort();
    let _ = writeln!(code, "pub static {name}: &[(&str, &str)] = &[");
    for file in files {
        println!("cargo:rerun-if-changed={}", file.display());
        let rel = file
            .strip_prefix(&dir)
            .expect("collected below dir")
            .to_string_lossy()
            .replace('\\', "/");
        let _ = writeln!(
            code,
            "    ({rel:?}, include_str!({:?})),",
            file.display().to_string()
        );
    }
    code.push_str("];\n");
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let mut code = String::new();
    table(&root, "rules", "toml", "RULES", &mut code);
    table(&root, "templates", "hbs", "TEMPLATES", &mut code);
    table(&root, "templates", "toml", "LOCALES", &mut code);
    // The built-in classifier model, made by `mailtriage train corpus/train tests/fixtures
    // --out models/builtin.mtm` (a test checks that it is what that command makes).
    let model = root.join("models/builtin.mtm");
    println!("cargo:rerun-if-changed={}", model.display());
    let _ = writeln!(
        code,
        "pub static MODEL: &[u8] = include_bytes!({:?});",
        model.display().to_string()
    );
    // What that model was trained on, for `mailtriage learn` (written by the same command with
    // `--samples models/builtin-samples.jsonl`; the same test checks it).
    let samples = root.join("models/builtin-samples.jsonl");
    println!("cargo:rerun-if-changed={}", samples.display());
    let _ = writeln!(
        code,
        "pub static SAMPLES: &str = include_str!({:?});",
        samples.display().to_string()
    );
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo")).join("builtin.rs");
    std::fs::write(out, code).expect("write builtin.rs");
}
