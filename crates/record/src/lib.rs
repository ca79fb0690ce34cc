//! The duty-machine record format, newsvault's on-disk compatibility contract, and the
//! duty-machine repository layout (`articles/<site>/<id>.md`, `lists/<site name>.md`).
//!
//! This crate is pure: bytes in, values out; it knows paths only as text. Reading is lenient
//! (real archives have BOMs, CRLF, missing final newlines, an older CDT layout) and exact:
//! [`write`] of what [`parse`] read gives back the same bytes, because every deviation is kept
//! in [`Form`]. Anything it cannot read is a [`RecordError`] naming the file and line.

mod codec;
pub mod layout;
pub mod list;

pub use codec::{Form, Head, Parsed, Record, RecordError, Warning, parse, parse_head, write};
