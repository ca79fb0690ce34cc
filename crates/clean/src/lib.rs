//! Display-safe HTML and plain text from article HTML.
//!
//! Owns: the allowlist sanitizer that **always runs last** before anything is shown or
//! exported ([`sanitize`]), the tidy-up before it (absolute URLs honouring `<base>`, the span
//! soup and empty wrappers of real feeds, tracking pixels, `utm_*` parameters, lazy images),
//! and plain text for indexing ([`text`], paragraphs separated by a blank line).
//! Does not own: finding the article in a page (`extract`), storage (bodies are stored as
//! published and cleaned when shown).
//!
//! Words: a *wrapper* is an element that only groups others (`div`, `span`, `section`, ...);
//! it is *empty* when it holds no text and no image.

mod sanitize;
mod text;
mod tidy;
mod urls;

pub use sanitize::{ASSET_PREFIX, sanitize, sanitize_with_assets};
pub use text::text;
pub use urls::strip_tracking_params;
