//! Display-safe HTML and plain text from article HTML.
//!
//! Owns: the allowlist sanitizer that **always runs last** before anything is shown or
//! exported ([`sanitize`]), the tidy-up before it (absolute URLs honouring `<base>`, the span
//! soup and empty wrappers of real feeds, tracking pixels, `utm_*` parameters, lazy images),
//! plain text for indexing ([`text`], paragraphs separated by a blank line), and readable
//! differences between two such texts ([`diff`](diff()): paragraph moves, CJK characters,
//! Latin words).
//! Also the search folding ([`fold`]: NFKC, case, whitespace, traditional→simplified per
//! character) and phrase-level simplified/traditional conversion for display
//! ([`to_simplified`], [`to_traditional`]).
//! Does not own: finding the article in a page (`extract`), storage (bodies are stored as
//! published and cleaned when shown).
//!
//! Words: a *wrapper* is an element that only groups others (`div`, `span`, `section`, ...);
//! it is *empty* when it holds no text and no image.

mod diff;
mod fold;
mod sanitize;
mod text;
mod tidy;
mod urls;
mod zh;

pub use diff::{Diff, DiffSummary, ParagraphOp, Span, TextOptions, diff};
pub use fold::{FoldedSpans, fold, fold_spans, is_ignorable};
pub use sanitize::{
    ASSET_PREFIX, UNARCHIVED_IMAGE_LABEL, sanitize, sanitize_for_reader, sanitize_with_assets,
};
pub use text::text;
pub use urls::strip_tracking_params;
pub use zh::{simplified_char, to_simplified, to_traditional};
