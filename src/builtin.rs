//! The rule files and templates shipped in `rules/` and `templates/`, embedded at build time
//! (see `build.rs`) so the binary stands alone. Each entry is (path relative to its folder, text).

include!(concat!(env!("OUT_DIR"), "/builtin.rs"));
