//! The reply: [`Templates`] renders `templates/<lang>/<category>.hbs` against the
//! [`context`] (what the customer told us, the facts in their language, the promises), and
//! [`build`] makes it a threaded draft message. Dates, times and promised delays are written
//! the way the draft's language writes them ([`locale`]).

mod context;
pub mod locale;
mod message;
mod templates;

pub use context::{context, ContextInput, SENDER_LINES};
pub use message::{
    body_digest, body_of, build, clean_line, drafted_key, fingerprint, recipient, reply_subject,
    safe_msg_id, strip_prefixes, Draft, DraftEnv, DraftError, DraftInput, Fingerprint, Sender,
};
pub use templates::{describe_render_error, TemplateError, Templates};
