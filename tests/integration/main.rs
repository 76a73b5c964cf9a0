//! The integration suite, one crate (as ripgrep does) with a shared `util`.

mod blind;
mod cli;
mod docs;
mod drafts;
mod drafts_current;
mod faults;
mod fixtures;
mod folders;
mod hostile;
mod imap;
mod learning;
mod model;
mod never_panics;
mod oauth2;
mod report_html;
mod report_mailbox;
mod secrets;
mod servers;
mod systemd;
mod util;
