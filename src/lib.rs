//! mailtriage: watches a support mailbox, classifies each new customer message in the
//! customer's language, checks the claim against known facts, and saves a threaded
//! acknowledgement draft for an agent to approve. It never sends mail.
//!
//! The pipeline stages, each a module, run in this order on the raw bytes of a message:
//! [`parse`] → [`screen`] → [`classify`] → [`facts`] → [`draft`], tied together by
//! [`pipeline::Engine`]. [`config`] and [`rules`] load what the stages need; [`output`] prints
//! outcomes; [`check`] validates an installation; [`report`] sums up for the mailbox owner what
//! became of the messages and drafts.
//!
//! Around the pipeline: [`imap`] is the only network code, [`daemon`] the loop that drives the
//! pipeline from a mailbox, [`shutdown`] the signal it stops on.

pub mod allocator;
pub mod builtin;
pub mod check;
pub mod classify;
pub mod config;
pub mod daemon;
pub mod draft;
pub mod facts;
pub mod imap;
pub mod journal;
pub mod learn;
pub mod logging;
pub mod metrics;
pub mod notify;
pub mod output;
pub mod parse;
pub mod pipeline;
pub mod report;
pub mod rules;
pub mod screen;
pub mod service;
pub mod shutdown;
