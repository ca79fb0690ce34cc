//! The search index's schema: one tantivy document per stored article version.

use super::analyzer::{
    CHARS, CharsTokenizer, EXACT, EXACT_FULL, ExactTokenizer, RunTokens, WORDS, WordsTokenizer,
};
use tantivy::IndexSettings;
use tantivy::schema::{
    FAST, Field, IndexRecordOption, NumericOptions, STORED, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::store::{Compressor, ZstdCompressor};

/// Bumped whenever the schema or an analyzer changes: an index of another format is wiped and
/// rebuilt from the archive on open.
pub(crate) const FORMAT: u32 = 3;

/// The fields, resolved once.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fields {
    /// Article key (stored; term for lookups of an article's documents).
    pub(crate) key: Field,
    /// Stored, and indexed so that a version's document can be found (with `key`) to replace it.
    pub(crate) version: Field,
    pub(crate) source: Field,
    pub(crate) url: Field,
    /// The record file, relative to the data directory (to rewrite a document's flags).
    pub(crate) path: Field,
    /// The title as published (stored for display; the text is read from the record file).
    pub(crate) title: Field,
    /// Folded title and folded text (two values) through the exact analyzer: what decides
    /// whether a term of two or more units matches.
    pub(crate) exact: Field,
    /// Folded title and text, as one value, through the characters analyzer: whether a
    /// one-character term matches.
    pub(crate) chars: Field,
    /// Folded title and text, as one value, through the words analyzer: the word-level ranking
    /// bonus.
    pub(crate) words: Field,
    /// Folded title through the exact analyzer with every character, documents only: the title
    /// boost (a title that has every unit and bigram of a term; titles are too short for that
    /// to differ from containing the term often enough to need positions).
    pub(crate) title_exact: Field,
    /// Publication time (epoch ms), when the record has one.
    pub(crate) published: Field,
    /// Capture time of this version (epoch ms; a fast field: ranges are read from it).
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
    let positions = |tokenizer| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
    };
    // Documents-only fields emit each term once per document, so their frequencies are 1:
    // recorded all the same, because tantivy keeps block-max scores (what a search skips
    // blocks by, `top.rs`) only for fields with frequencies, and a block of frequencies that
    // are all 1 takes 0 bits.
    let documents = |tokenizer| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::WithFreqs),
        )
    };
    // Fields that only filter or find documents keep no field norms (a byte per document and
    // field, which only scoring reads).
    let string = || {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("raw")
                .set_index_option(IndexRecordOption::Basic)
                .set_fieldnorms(false),
        )
    };
    let flag = || NumericOptions::default().set_indexed();
    let fields = Fields {
        key: b.add_text_field("key", string().set_stored()),
        version: b.add_u64_field("version", flag().set_stored()),
        source: b.add_text_field("source", string().set_stored()),
        url: b.add_text_field("url", STORED),
        path: b.add_text_field("path", STORED),
        title: b.add_text_field("title", STORED),
        exact: b.add_text_field("exact", positions(EXACT)),
        chars: b.add_text_field("chars", documents(CHARS)),
        words: b.add_text_field("words", documents(WORDS)),
        title_exact: b.add_text_field("title_exact", documents(EXACT_FULL)),
        published: b.add_i64_field("published", STORED),
        captured: b.add_i64_field("captured", STORED | FAST),
        date: b.add_i64_field("date", FAST),
        language: b.add_text_field("language", string().set_stored()),
        latest: b.add_bool_field("latest", flag().set_stored().set_fast()),
        changed: b.add_bool_field("changed", flag()),
        gone: b.add_bool_field("gone", flag().set_stored()),
    };
    (b.build(), fields)
}

/// Settings of a new index: the stored fields (titles, URLs, paths) compressed with zstd (its
/// default level). Against lz4 the stored fields are 25 % smaller (9.2 against 12.3 MB at
/// 100,000 articles, 0.9 % of the index, which brings the index under the size of its text).
/// Decompressing a zstd block costs more, but a server keeps up to
/// [`super::DOCSTORE_CACHE_BLOCKS`] decompressed blocks: on the web benchmark's search pages
/// (100,000 articles, whose stored fields all fit) three alternating pairs of runs showed no
/// difference. Segments keep the compressor they were written with, so older indexes still read.
pub(crate) fn settings() -> IndexSettings {
    IndexSettings {
        docstore_compression: Compressor::Zstd(ZstdCompressor::default()),
        docstore_blocksize: DOCSTORE_BLOCK_BYTES,
        ..IndexSettings::default()
    }
}

/// Bytes per compressed doc-store block: reading a hit decompresses its whole block, so a
/// page of 20 hits decompresses up to 20 blocks; 8 KiB costs a few percent of size against
/// 32 KiB and a quarter of the time per hit.
const DOCSTORE_BLOCK_BYTES: usize = 8 * 1024;

/// Registers the analyzers the schema names.
pub(crate) fn register(index: &tantivy::Index) {
    let tokenizers = index.tokenizers();
    tokenizers.register(
        EXACT,
        ExactTokenizer {
            run: RunTokens::Edges,
        },
    );
    tokenizers.register(
        EXACT_FULL,
        ExactTokenizer {
            run: RunTokens::All,
        },
    );
    tokenizers.register(CHARS, CharsTokenizer);
    tokenizers.register(WORDS, WordsTokenizer);
}
