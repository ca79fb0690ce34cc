//! The search index's schema: one tantivy document per stored article version.

use super::analyzer::{EXACT, ExactTokenizer, WORDS, WordsTokenizer};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

/// Bumped whenever the schema or an analyzer changes: an index of another format is wiped and
/// rebuilt from the archive on open.
pub(crate) const FORMAT: u32 = 1;

/// The fields, resolved once.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fields {
    /// Article key (stored; term for lookups of an article's documents).
    pub(crate) key: Field,
    /// `<key>/<version>`: the term that replaces one version's document.
    pub(crate) vid: Field,
    pub(crate) version: Field,
    pub(crate) source: Field,
    pub(crate) url: Field,
    /// The record file, relative to the data directory (to rewrite a document's flags).
    pub(crate) path: Field,
    /// The title and plain text as published (stored for display and snippets).
    pub(crate) title: Field,
    pub(crate) text: Field,
    /// Folded title and text through the exact analyzer.
    pub(crate) title_exact: Field,
    pub(crate) body_exact: Field,
    /// Folded title and text through the words analyzer.
    pub(crate) title_words: Field,
    pub(crate) body_words: Field,
    /// Publication time (epoch ms), when the record has one.
    pub(crate) published: Field,
    /// Capture time of this version (epoch ms).
    pub(crate) captured: Field,
    /// Publication time, else capture time: what date sorting and recency use.
    pub(crate) date: Field,
    pub(crate) language: Field,
    /// The newest version of its article.
    pub(crate) latest: Field,
    /// The version is not the first (the article changed).
    pub(crate) changed: Field,
    /// The source no longer serves the article as it was (takedown events).
    pub(crate) gone: Field,
}

pub(crate) fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let exact = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(EXACT)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let words = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(WORDS)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let fields = Fields {
        key: b.add_text_field("key", STRING | STORED),
        vid: b.add_text_field("vid", STRING),
        version: b.add_u64_field("version", STORED),
        source: b.add_text_field("source", STRING | STORED),
        url: b.add_text_field("url", STORED),
        path: b.add_text_field("path", STORED),
        title: b.add_text_field("title", STORED),
        text: b.add_text_field("text", STORED),
        title_exact: b.add_text_field("title_exact", exact.clone()),
        body_exact: b.add_text_field("body_exact", exact),
        title_words: b.add_text_field("title_words", words.clone()),
        body_words: b.add_text_field("body_words", words),
        published: b.add_i64_field("published", STORED),
        captured: b.add_i64_field("captured", INDEXED | STORED | FAST),
        date: b.add_i64_field("date", INDEXED | FAST),
        language: b.add_text_field("language", STRING | STORED),
        latest: b.add_bool_field("latest", INDEXED | STORED),
        changed: b.add_bool_field("changed", INDEXED),
        gone: b.add_bool_field("gone", INDEXED | STORED),
    };
    (b.build(), fields)
}

/// Registers the analyzers the schema names.
pub(crate) fn register(index: &tantivy::Index) {
    let tokenizers = index.tokenizers();
    tokenizers.register(EXACT, ExactTokenizer::default());
    tokenizers.register(WORDS, WordsTokenizer);
}
