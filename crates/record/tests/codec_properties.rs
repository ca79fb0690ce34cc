//! Property tests of the record codec.
//!
//! - **Values round-trip**: `parse(write(x)) == x` for every record in the canonical domain (and
//!   in the old CDT layout), up to the documented escapes the writer makes in URLs.
//! - **Bytes round-trip**: `write(parse(b)) == b` for every byte string that parses, whether it
//!   is random bytes, assembled from record-like pieces, or a mutated real-looking record.
//! - **Errors are located**: `parse` never panics, and every error names the file and a line.

use chrono::{DateTime, FixedOffset};
use newsvault_record::{Form, Record, parse, write};
use proptest::prelude::*;
use proptest::sample::Index;

const PATH: &str = "p.md";

/// A title as an importer may find it: any characters but line breaks, with the pieces that
/// make the title rule interesting (brackets, `](`, things that look like URLs), CJK text,
/// U+2028 and trailing spaces.
fn title() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => any::<char>().prop_filter("no line break", |c| *c != '\n' && *c != '\r').prop_map(String::from),
        2 => proptest::char::range('\u{4e00}', '\u{9fff}').prop_map(String::from),
        1 => Just("[".to_owned()),
        1 => Just("]".to_owned()),
        1 => Just("](".to_owned()),
        1 => Just(")".to_owned()),
        1 => Just("[视频]".to_owned()),
        1 => Just("](https://example.org/x".to_owned()),
        1 => Just("](not a url)".to_owned()),
        1 => Just("\u{2028}".to_owned()),
        1 => Just(" ".to_owned()),
        1 => Just("\t".to_owned()),
        1 => Just("------".to_owned()),
        1 => Just("<!--1-->".to_owned()),
    ];
    (prop::collection::vec(piece, 0..16), 0..3usize)
        .prop_map(|(pieces, trailing)| pieces.concat() + &" ".repeat(trailing))
}

/// A real URL: what `https://example.com/` joined with an arbitrary reference serializes to
/// (WHATWG serialization; the reference may change scheme, host, path, query, fragment).
fn url() -> impl Strategy<Value = String> {
    let reference = prop_oneof![
        any::<String>(),
        "[a-z/\\]\\[()?#=&%:. -]{0,24}",
        "[a-z]{1,6}:[a-z \\](]{0,12}",
        Just("a](b".to_owned()),
        Just("?q=(1)](x)".to_owned()),
        Just("/zh/中国/文章.html".to_owned()),
    ];
    reference.prop_filter_map("reference does not join", |r| {
        let base = url::Url::parse("https://example.com/").expect("base URL");
        base.join(&r).ok().map(String::from)
    })
}

/// A body as stored: anything, including line breaks of every kind, U+2028 and empty.
fn body() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => any::<char>().prop_map(String::from),
        2 => proptest::char::range('\u{4e00}', '\u{9fff}').prop_map(String::from),
        1 => Just("\n".to_owned()),
        1 => Just("\r".to_owned()),
        1 => Just("\r\n".to_owned()),
        1 => Just("\u{2028}".to_owned()),
        1 => Just("<p>".to_owned()),
        1 => Just("------".to_owned()),
        1 => Just("日期：".to_owned()),
        1 => Just("[t](https://a.b/)".to_owned()),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|p| p.concat())
}

/// BOM, CRLF and final newline in any combination; timestamp line and blank line present.
fn canonical_form() -> impl Strategy<Value = Form> {
    (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(bom, crlf, final_newline)| Form {
        bom,
        crlf,
        final_newline,
        ..Form::default()
    })
}

/// Whether the writer's output for `r` is unambiguous. Outside the domain: a body that itself
/// ends with the line ending while `final_newline` is false. `write` gives the same bytes for
/// (`"x\n"`, no final newline) and (`"x"`, final newline), so only the latter can read back.
fn unambiguous(r: &Record) -> bool {
    let nl = if r.form.crlf { "\r\n" } else { "\n" };
    r.form.final_newline || !r.body.ends_with(nl)
}

/// Records in the canonical layout, with arbitrary time, title, URL, body and form.
fn canonical_record() -> impl Strategy<Value = Record> {
    (any::<i64>(), title(), url(), body(), canonical_form())
        .prop_map(|(ms, title, url, body, form)| Record {
            published_ms: Some(ms),
            title,
            url: Some(url),
            date_line: None,
            body,
            form,
        })
        .prop_filter("ambiguous final newline", unambiguous)
}

/// An RFC 2822 date between 1970 and 2100 in any UTC offset, and its epoch milliseconds.
fn rfc2822_date() -> impl Strategy<Value = (String, i64)> {
    (0i64..4_102_444_800, -720i32..=840).prop_map(|(secs, offset_min)| {
        let tz = FixedOffset::east_opt(offset_min * 60).expect("offset in range");
        let t = DateTime::from_timestamp(secs, 0)
            .expect("time in range")
            .with_timezone(&tz);
        (t.to_rfc2822(), secs * 1000)
    })
}

/// Records in the old CDT layout: no timestamp line, `日期：<RFC 2822 date>` below the underline.
/// `published_ms` is what the reader derives from the date line.
fn old_cdt_record() -> impl Strategy<Value = Record> {
    (title(), url(), body(), canonical_form(), rfc2822_date())
        .prop_map(|(title, url, body, form, (date, ms))| Record {
            published_ms: Some(ms),
            title,
            url: Some(url),
            date_line: Some(date),
            body,
            form: Form {
                timestamp_line: false,
                ..form
            },
        })
        .prop_filter("ambiguous final newline", unambiguous)
}

/// Old CDT records whose date line is not a date (no digits, so never RFC 2822): the reader
/// keeps the line and has no publication time.
fn old_cdt_record_with_unreadable_date() -> impl Strategy<Value = Record> {
    (old_cdt_record(), "[a-zA-Z ,:+]{0,24}").prop_map(|(r, date)| Record {
        published_ms: None,
        date_line: Some(date),
        ..r
    })
}

/// `r` as it reads back: the writer writes a `](` inside a URL as `%5D(` and whitespace as
/// percent-escapes (module doc). The only whitespace a WHATWG serialization keeps is the space,
/// in opaque paths (`javascript:a b`).
fn as_read_back(mut r: Record) -> Record {
    r.url = r.url.map(|u| u.replace("](", "%5D(").replace(' ', "%20"));
    r
}

/// Pieces of record files, structural and not, for assembling and mutating byte strings.
fn fragment() -> impl Strategy<Value = Vec<u8>> {
    let text = prop_oneof![
        Just("<!--"),
        Just("-->"),
        Just("<!--1593198946000-->"),
        Just("<!-- 42 -->"),
        Just("["),
        Just("]"),
        Just("]("),
        Just(")"),
        Just("[标题](https://a.b/c)"),
        Just("https://example.com/a](b"),
        Just("------"),
        Just("日期："),
        Just("Fri, 26 Jun 2020 19:15:46 +0000"),
        Just("\n"),
        Just("\r"),
        Just("\r\n"),
        Just("\u{feff}"),
        Just("\u{2028}"),
        Just(" "),
        Just(""),
        Just("x"),
        Just("<p>正文</p>"),
    ];
    prop_oneof![
        6 => text.prop_map(|s| s.as_bytes().to_vec()),
        1 => any::<u8>().prop_map(|b| vec![b]),
        1 => any::<char>().prop_map(|c| c.to_string().into_bytes()),
    ]
}

/// A line of a record-like file: a structural line or a few arbitrary pieces.
fn line() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        2 => Just("<!--1593198946000-->"),
        3 => Just("[t](https://a.b/)"),
        1 => Just("[a ](b) c](https://example.com/p?q=(1)"),
        3 => Just("------"),
        2 => Just(""),
        1 => Just("日期：Fri, 26 Jun 2020 19:15:46 +0000"),
    ]
    .prop_map(|s| s.as_bytes().to_vec())
    .boxed()
    .prop_union(
        prop::collection::vec(fragment(), 0..4)
            .prop_map(|p| p.concat())
            .boxed(),
    )
}

/// A record-like file: maybe a BOM, then lines with any line endings (or none).
fn assembled_record() -> impl Strategy<Value = Vec<u8>> {
    let ending = prop_oneof![4 => Just("\n"), 2 => Just("\r\n"), 1 => Just(""), 1 => Just("\r")];
    (any::<bool>(), prop::collection::vec((line(), ending), 0..8)).prop_map(|(bom, lines)| {
        let mut bytes = if bom {
            "\u{feff}".as_bytes().to_vec()
        } else {
            Vec::new()
        };
        for (line, ending) in lines {
            bytes.extend(line);
            bytes.extend(ending.as_bytes());
        }
        bytes
    })
}

/// Real-looking records to mutate: canonical, CRLF with BOM, old CDT, plain title, multi-line.
const BASES: &[&str] = &[
    "<!--1593198946000-->\n[[视频]标题 ](https://www.rfi.fr/cn/a-b)\n------\n\n<div>26/06/2020 - 19:15</div><p>正文</p>\n",
    "\u{feff}<!--1-->\r\n[t](https://a.b/)\r\n------\r\n\r\n<p>x\ny\r</p>\r\n",
    "[新周刊](https://chinadigitaltimes.net/chinese/2020/06/x/)\n------\n日期：Fri, 26 Jun 2020 19:15:46 +0000\n\n<p>正文</p>\n",
    "<!--5-->\nplain title\n------\n\nbody",
    "<!--0005-->\n[two\nlines](https://a.b/?q=(1))\n------\n\n\n",
];

/// One edit of a byte string.
#[derive(Clone, Debug)]
enum Mutation {
    Insert(Index, Vec<u8>),
    Delete(Index, usize),
    Replace(Index, u8),
    Truncate(Index),
    /// Removes a whole line with its line ending.
    DeleteLine(Index),
    /// Repeats a whole line.
    DuplicateLine(Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<Index>(), fragment()).prop_map(|(i, f)| Mutation::Insert(i, f)),
        2 => (any::<Index>(), 1..8usize).prop_map(|(i, n)| Mutation::Delete(i, n)),
        1 => (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Replace(i, b)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
        1 => any::<Index>().prop_map(Mutation::DeleteLine),
        1 => any::<Index>().prop_map(Mutation::DuplicateLine),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let at = |i: &Index, len: usize| i.index(len + 1);
    match m {
        Mutation::Insert(i, f) => {
            let at = at(i, bytes.len());
            bytes.splice(at..at, f.iter().copied());
        }
        Mutation::Delete(i, n) => {
            let at = at(i, bytes.len());
            let end = (at + n).min(bytes.len());
            bytes.drain(at..end);
        }
        Mutation::Replace(i, b) => {
            if !bytes.is_empty() {
                let at = i.index(bytes.len());
                bytes[at] = *b;
            }
        }
        Mutation::Truncate(i) => bytes.truncate(at(i, bytes.len())),
        Mutation::DeleteLine(i) | Mutation::DuplicateLine(i) => {
            let mut lines: Vec<&[u8]> = bytes.split_inclusive(|&b| b == b'\n').collect();
            if lines.is_empty() {
                return;
            }
            let k = i.index(lines.len());
            if matches!(m, Mutation::DeleteLine(_)) {
                lines.remove(k);
            } else {
                lines.insert(k, lines[k]);
            }
            *bytes = lines.concat();
        }
    }
}

fn mutated_record() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::sample::select(BASES),
        prop::collection::vec(mutation(), 1..5),
    )
        .prop_map(|(base, mutations)| {
            let mut bytes = base.as_bytes().to_vec();
            for m in &mutations {
                apply(&mut bytes, m);
            }
            bytes
        })
}

/// The byte-level property: a file that parses writes back to the same bytes, and a file that
/// does not gets an error naming the file and a line.
fn check_bytes(bytes: &[u8]) -> Result<(), TestCaseError> {
    match parse(bytes, PATH) {
        Ok(parsed) => {
            let written = write(&parsed.record);
            prop_assert_eq!(
                String::from_utf8_lossy(&written),
                String::from_utf8_lossy(bytes),
                "write(parse(bytes)) != bytes; record: {:?}",
                parsed.record
            );
            prop_assert_eq!(written, bytes);
        }
        Err(e) => {
            let message = e.to_string();
            let located = message
                .strip_prefix("p.md:")
                .and_then(|rest| rest.split(':').next())
                .is_some_and(|line| line.parse::<usize>().is_ok_and(|n| n >= 1));
            prop_assert!(located, "error does not name file and line: {message}");
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn canonical_records_read_back_as_written(r in canonical_record()) {
        let bytes = write(&r);
        let parsed = parse(&bytes, PATH).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(parsed.record, as_read_back(r));
    }

    #[test]
    fn canonical_records_with_urls_needing_no_escape_read_back_exactly(
        r in canonical_record().prop_filter("URL with `](` or a space", |r| {
            let url = r.url.as_deref().unwrap_or("");
            !url.contains("](") && !url.contains(' ')
        })
    ) {
        let bytes = write(&r);
        let parsed = parse(&bytes, PATH).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(parsed.record, r);
    }

    #[test]
    fn old_cdt_records_take_their_time_from_the_date_line(r in old_cdt_record()) {
        let bytes = write(&r);
        let parsed = parse(&bytes, PATH).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(parsed.record, as_read_back(r));
    }

    #[test]
    fn old_cdt_records_with_unreadable_dates_have_no_time(r in old_cdt_record_with_unreadable_date()) {
        let bytes = write(&r);
        let parsed = parse(&bytes, PATH).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(parsed.warnings.iter().any(|w| w.message.contains("cannot read the date")));
        prop_assert_eq!(parsed.record, as_read_back(r));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_never_panic_and_round_trip_when_they_parse(
        bytes in prop::collection::vec(any::<u8>(), 0..512)
    ) {
        check_bytes(&bytes)?;
    }

    #[test]
    fn assembled_records_round_trip_when_they_parse(bytes in assembled_record()) {
        check_bytes(&bytes)?;
    }

    #[test]
    fn mutated_records_round_trip_when_they_parse(bytes in mutated_record()) {
        check_bytes(&bytes)?;
    }
}

#[test]
fn the_mutation_bases_round_trip() {
    for base in BASES {
        let parsed = parse(base.as_bytes(), PATH).expect("base parses");
        assert_eq!(write(&parsed.record), base.as_bytes());
    }
}
