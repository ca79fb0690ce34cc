//! Errors of the search index and of the query language.

use std::path::PathBuf;

/// A query that the query language does not accept. The message says what to write instead.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    /// Nothing to search for.
    #[error("empty query: give one or more terms, e.g. 美国 \"new york\" -体育")]
    Empty,
    /// A `"` without its closing `"`.
    #[error("unbalanced quote at character {at}: close the phrase with a matching \"")]
    UnbalancedQuote {
        /// 1-based character position of the opening quote.
        at: usize,
    },
    /// `""`: a phrase with nothing in it.
    #[error("empty phrase at character {at}: put the words between the quotes")]
    EmptyPhrase {
        /// 1-based character position of the opening quote.
        at: usize,
    },
    /// A `-` with nothing after it.
    #[error(
        "'-' at character {at} excludes nothing: write -term, or quote a term that starts with '-'"
    )]
    DanglingMinus {
        /// 1-based character position of the `-`.
        at: usize,
    },
    /// Only `-term`s: there is nothing to exclude them from.
    #[error("the query only excludes (-term): add at least one term to search for")]
    OnlyExclusions,
    /// More terms than a query may have.
    #[error("too many terms ({count}); a query may have at most {max}")]
    TooManyTerms {
        /// Terms given.
        count: usize,
        /// The limit.
        max: usize,
    },
}

/// What went wrong while maintaining or searching the search index.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SearchError {
    /// The query was not understood.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// A filter value that cannot be used (e.g. a negative limit window).
    #[error("invalid search option {option}: {message}")]
    Option {
        /// The option.
        option: &'static str,
        /// Why.
        message: String,
    },
    /// Another process holds the search index's writer lock (a running `newsvault run`).
    #[error("search index {path} is being written by another process")]
    Busy {
        /// The search directory.
        path: PathBuf,
    },
    /// tantivy failed.
    #[error("search index {path}: cannot {op}: {source}")]
    Tantivy {
        /// What we were doing.
        op: &'static str,
        /// The search directory.
        path: PathBuf,
        /// The tantivy error.
        source: tantivy::TantivyError,
    },
    /// A file or directory could not be used.
    #[error("cannot {op} {path}: {source}")]
    Io {
        /// What we were doing.
        op: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// There is no search index yet (a read-only open never creates one).
    #[error("there is no search index at {path} yet: run `newsvault reindex`")]
    Missing {
        /// The search directory.
        path: PathBuf,
    },
    /// The index was written in another format; a writing open rebuilds it, a read-only open
    /// leaves it alone.
    #[error(
        "search index {path} has format {found}, this newsvault reads format {expected}: run `newsvault reindex`"
    )]
    Format {
        /// The search directory.
        path: PathBuf,
        /// The format the index was written in.
        found: u32,
        /// The format this build reads.
        expected: u32,
    },
    /// The commit payload (watermarks) of the index cannot be read.
    #[error("search index {path}: unreadable watermarks: {message}")]
    Watermarks {
        /// The search directory.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The archive could not be read.
    #[error(transparent)]
    Archive(#[from] archive::ArchiveError),
}

impl SearchError {
    pub(crate) fn tantivy(
        op: &'static str,
        path: &std::path::Path,
    ) -> impl FnOnce(tantivy::TantivyError) -> SearchError {
        let path = path.to_owned();
        move |source| SearchError::Tantivy { op, path, source }
    }
}
