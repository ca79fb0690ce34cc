//! One indexed article version: read from its record file, turned into a tantivy document.
//!
//! What is searched is the record's title and `clean::text` of its body (the plain text,
//! paragraphs separated by a blank line), each folded with [`clean::fold`]. Title and text are
//! separate values, so a term never matches across the two.
//!
//! The index stores the title and what identifies the version (key, version, source, URL, record
//! path, times, flags), not the text: the record file has it, and is read again for the few
//! documents that need it (the snippets of a page of hits, a document rewritten with new flags).
//! The text would otherwise be about half of the index.

use super::schema::Fields;
use archive::Archive;
use model::{ArticleKey, Capture};
use std::path::Path;
use tantivy::TantivyDocument;
use tantivy::schema::document::{Document, ReferenceValue, ReferenceValueLeaf};
use tantivy::schema::{Field, Value};

/// An article version as the search index keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DocData {
    pub(crate) key: String,
    pub(crate) version: u32,
    pub(crate) source: String,
    pub(crate) url: String,
    pub(crate) path: String,
    pub(crate) title: String,
    /// The plain text; empty in a [`DocData`] read back from the index (see [`DocData::load`]).
    pub(crate) text: String,
    pub(crate) published_ms: Option<i64>,
    pub(crate) captured_ms: i64,
    pub(crate) language: String,
}

/// The flags of a document that change after it is written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Flags {
    pub(crate) latest: bool,
    pub(crate) gone: bool,
}

impl DocData {
    /// Reads the version a capture line stored. `None` (with a warning) when the record file is
    /// missing or unreadable: `verify` reports it, and indexing goes on.
    pub(crate) fn from_capture(archive: &Archive, c: &Capture) -> Option<DocData> {
        let path = c.path.as_deref()?;
        Self::from_record(
            archive.root(),
            path,
            &c.key,
            c.version,
            c.source.as_str(),
            &c.url,
            parse_time_ms(&c.time).unwrap_or(0),
        )
    }

    /// Reads a record file (`path`, relative to the data directory `root`) as the given version
    /// of `key`.
    pub(crate) fn from_record(
        root: &Path,
        path: &str,
        key: &ArticleKey,
        version: u32,
        source: &str,
        capture_url: &str,
        captured_ms: i64,
    ) -> Option<DocData> {
        let (record, text) = read_record(root, path)?;
        let language = detect_language(&record.title, &text).to_owned();
        Some(DocData {
            key: key.as_str().to_owned(),
            version,
            source: source.to_owned(),
            url: record.url.unwrap_or_else(|| capture_url.to_owned()),
            path: path.to_owned(),
            title: record.title,
            text,
            published_ms: record.published_ms,
            captured_ms,
            language,
        })
    }

    /// This version with its text read from its record file (a [`DocData`] read back from the
    /// index has none). `None` (with a warning) when the record cannot be read.
    pub(crate) fn load(mut self, root: &Path) -> Option<DocData> {
        if self.text.is_empty() {
            self.text = read_record(root, &self.path)?.1;
        }
        Some(self)
    }

    /// The tantivy document for this version with `flags`.
    pub(crate) fn to_document(&self, f: &Fields, flags: Flags) -> VersionDoc {
        let mut folded = clean::fold(&self.title);
        let title_len = folded.len();
        folded.push(VALUE_SEPARATOR);
        folded.push_str(&clean::fold(&self.text));
        VersionDoc {
            f: *f,
            key: self.key.clone(),
            version: u64::from(self.version),
            source: self.source.clone(),
            url: self.url.clone(),
            path: self.path.clone(),
            title: self.title.clone(),
            folded,
            title_len,
            published_ms: self.published_ms,
            captured_ms: self.captured_ms,
            language: self.language.clone(),
            flags,
            changed: self.version > 1,
        }
    }

    /// Reads a stored document back: everything but the text (see [`DocData::load`]).
    pub(crate) fn from_document(d: &TantivyDocument, f: &Fields) -> Option<(DocData, Flags)> {
        let text = |field| {
            d.get_first(field)
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        };
        let data = DocData {
            key: text(f.key)?,
            version: u32::try_from(d.get_first(f.version)?.as_u64()?).ok()?,
            source: text(f.source)?,
            url: text(f.url).unwrap_or_default(),
            path: text(f.path).unwrap_or_default(),
            title: text(f.title).unwrap_or_default(),
            text: String::new(),
            published_ms: d.get_first(f.published).and_then(|v| v.as_i64()),
            captured_ms: d
                .get_first(f.captured)
                .and_then(|v| v.as_i64())
                .unwrap_or(0),
            language: text(f.language).unwrap_or_default(),
        };
        let flag = |field| {
            d.get_first(field)
                .and_then(|v| v.as_bool())
                .unwrap_or(false)
        };
        let flags = Flags {
            latest: flag(f.latest),
            gone: flag(f.gone),
        };
        Some((data, flags))
    }
}

/// One version as tantivy indexes it. Its own document type rather than a `TantivyDocument`:
/// the folded title and text go to four fields, and a `TantivyDocument` would hold a copy per
/// field, for each of the thousands of documents queued for the indexing threads (they borrow
/// values from this one instead).
pub(crate) struct VersionDoc {
    f: Fields,
    key: String,
    version: u64,
    source: String,
    url: String,
    path: String,
    title: String,
    /// The folded title, [`VALUE_SEPARATOR`], the folded text.
    folded: String,
    /// Where the folded title ends in `folded`.
    title_len: usize,
    published_ms: Option<i64>,
    captured_ms: i64,
    language: String,
    flags: Flags,
    changed: bool,
}

/// A value of a [`VersionDoc`].
#[derive(Clone, Copy, Debug)]
pub(crate) enum Leaf<'a> {
    Str(&'a str),
    U64(u64),
    I64(i64),
    Bool(bool),
}

impl<'a> Value<'a> for Leaf<'a> {
    type ArrayIter = std::iter::Empty<Leaf<'a>>;
    type ObjectIter = std::iter::Empty<(&'a str, Leaf<'a>)>;

    fn as_value(&self) -> ReferenceValue<'a, Self> {
        ReferenceValue::Leaf(match *self {
            Leaf::Str(s) => ReferenceValueLeaf::Str(s),
            Leaf::U64(n) => ReferenceValueLeaf::U64(n),
            Leaf::I64(n) => ReferenceValueLeaf::I64(n),
            Leaf::Bool(b) => ReferenceValueLeaf::Bool(b),
        })
    }
}

impl VersionDoc {
    fn values(&self) -> Vec<(Field, Leaf<'_>)> {
        let f = &self.f;
        let title = &self.folded[..self.title_len];
        let text = &self.folded[self.title_len + VALUE_SEPARATOR.len_utf8()..];
        let mut v = vec![
            (f.key, Leaf::Str(&self.key)),
            (f.version, Leaf::U64(self.version)),
            (f.source, Leaf::Str(&self.source)),
            (f.url, Leaf::Str(&self.url)),
            (f.path, Leaf::Str(&self.path)),
            (f.title, Leaf::Str(&self.title)),
        ];
        // Title and text are separate values of the exact field: positions leave a gap
        // between values, so no phrase matches across the two.
        v.push((f.exact, Leaf::Str(title)));
        v.push((f.exact, Leaf::Str(text)));
        // The documents-only fields take both as one value, so that a term in both is still
        // emitted once: every frequency is 1, which tantivy packs in 0 bits (1 bit per
        // document in a block with a 2), and the separator ends every character run and word.
        v.push((f.chars, Leaf::Str(&self.folded)));
        v.push((f.words, Leaf::Str(&self.folded)));
        v.push((f.title_exact, Leaf::Str(title)));
        if let Some(p) = self.published_ms {
            v.push((f.published, Leaf::I64(p)));
        }
        v.push((f.captured, Leaf::I64(self.captured_ms)));
        v.push((
            f.date,
            Leaf::I64(self.published_ms.unwrap_or(self.captured_ms)),
        ));
        v.push((f.language, Leaf::Str(&self.language)));
        v.push((f.latest, Leaf::Bool(self.flags.latest)));
        v.push((f.changed, Leaf::Bool(self.changed)));
        v.push((f.gone, Leaf::Bool(self.flags.gone)));
        v
    }
}

impl Document for VersionDoc {
    type Value<'a> = Leaf<'a>;
    type FieldsValuesIter<'a> = std::vec::IntoIter<(Field, Leaf<'a>)>;

    fn iter_fields_and_values(&self) -> Self::FieldsValuesIter<'_> {
        self.values().into_iter()
    }
}

/// The record at `path` (relative to the data directory `root`) and the plain text of its body.
/// `None` (with a warning) when the file is missing or unreadable.
pub(crate) fn read_record(root: &Path, path: &str) -> Option<(record::Record, String)> {
    let parsed = std::fs::read(root.join(path))
        .map_err(|e| e.to_string())
        .and_then(|b| record::parse(&b, path).map_err(|e| e.to_string()));
    match parsed {
        Ok(p) => {
            let text = clean::text(&p.record.body);
            Some((p.record, text))
        }
        Err(error) => {
            tracing::warn!(path, %error, "cannot read an archived record for the search index");
            None
        }
    }
}

/// Between the folded title and the folded text of a [`VersionDoc`]: a line break, which the
/// analyzers read as white space.
const VALUE_SEPARATOR: char = '\n';

/// Epoch milliseconds of an RFC 3339 capture time.
pub(crate) fn parse_time_ms(time: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(time)
        .ok()
        .map(|t| t.timestamp_millis())
}

/// A coarse language tag from the script of the text: `zh` (Han), `ja` (kana), `ko` (Hangul),
/// `en` (mostly ASCII letters), else `und`. Records carry no language, and the sources of this
/// archive publish in one language per article, so the dominant script is a good guess.
pub(crate) fn detect_language(title: &str, text: &str) -> &'static str {
    let (mut han, mut kana, mut hangul, mut ascii, mut other) = (0usize, 0, 0, 0, 0);
    for c in title.chars().chain(text.chars().take(4000)) {
        match c as u32 {
            0x3041..=0x30FF => kana += 1,
            0xAC00..=0xD7AF | 0x1100..=0x11FF | 0x3131..=0x318E => hangul += 1,
            0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F => han += 1,
            _ if c.is_ascii_alphabetic() => ascii += 1,
            _ if c.is_alphabetic() => other += 1,
            _ => {}
        }
    }
    // A CJK character carries about as much as a short word; weigh letters down accordingly.
    let latin = ascii / 4;
    let cjk = han + kana + hangul;
    if cjk == 0 && latin == 0 && other == 0 {
        "und"
    } else if cjk >= latin && cjk >= other / 4 {
        if kana * 10 > cjk {
            "ja"
        } else if hangul * 2 > cjk {
            "ko"
        } else {
            "zh"
        }
    } else if latin >= other / 4 {
        "en"
    } else {
        "und"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::schema::IndexRecordOption;

    #[test]
    fn documents_only_fields_count_a_term_of_title_and_text_once() {
        use tantivy::postings::Postings;
        use tantivy::{DocSet, Index};
        let (schema, f) = super::super::schema::build();
        let index = Index::create_in_ram(schema);
        super::super::schema::register(&index);
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let data = DocData {
            key: "0123456789abcdef".into(),
            version: 1,
            source: "s".into(),
            url: "https://example.org/1".into(),
            path: "archive/s/2024/01/0123456789abcdef/v1.md".into(),
            title: "中国经济".into(),
            text: "中国的经济。经济".into(),
            published_ms: None,
            captured_ms: 0,
            language: "zh".into(),
        };
        writer
            .add_document(data.to_document(&f, Flags::default()))
            .unwrap();
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let segment = searcher.segment_reader(0);
        let freq = |field, text: &str| {
            let inverted = segment.inverted_index(field).unwrap();
            let postings = inverted
                .read_postings(
                    &tantivy::Term::from_field_text(field, text),
                    IndexRecordOption::WithFreqs,
                )
                .unwrap()
                .unwrap_or_else(|| panic!("{text} is indexed"));
            assert_eq!(postings.doc(), 0);
            postings.term_freq()
        };
        // A frequency above 1 costs a bit per document in every block it is in (see schema.rs).
        assert_eq!(freq(f.chars, "国"), 1);
        assert_eq!(freq(f.words, "经济"), 1);
        // The exact field keeps title and text apart and counts every occurrence.
        assert_eq!(freq(f.exact, "经济"), 3);
    }

    #[test]
    fn languages_by_script() {
        assert_eq!(detect_language("美国总统", "今天发表讲话。"), "zh");
        assert_eq!(detect_language("東京", "きょうはいい天気です。"), "ja");
        assert_eq!(detect_language("서울", "오늘 날씨가 좋습니다."), "ko");
        assert_eq!(detect_language("Hello", "The president spoke today."), "en");
        assert_eq!(detect_language("", "123"), "und");
        assert_eq!(
            detect_language("美国 Apple 公司", "苹果公司 iPhone 发布会在加州举行"),
            "zh"
        );
    }
}
