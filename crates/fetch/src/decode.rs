//! Content-Encoding: undoing gzip, deflate and br with the body cap enforced on the output, so
//! that a small compressed body cannot expand into gigabytes (a "gzip bomb").

use std::io::Read;

/// Why a body could not be decoded.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum DecodeError {
    /// The decoded body would exceed the cap.
    TooLarge,
    /// The encoding is unknown or the data is corrupt.
    Invalid(String),
}

/// Decodes `raw` for a `Content-Encoding` header value (codings applied in order, so undone in
/// reverse). `identity` and an absent header return the bytes unchanged.
pub(crate) fn decode(
    raw: Vec<u8>,
    content_encoding: Option<&str>,
    cap: u64,
) -> Result<Vec<u8>, DecodeError> {
    let codings: Vec<String> = content_encoding
        .unwrap_or("")
        .split(',')
        .map(|c| c.trim().to_ascii_lowercase())
        .filter(|c| !c.is_empty() && c != "identity")
        .collect();
    let mut body = raw;
    for coding in codings.iter().rev() {
        body = match coding.as_str() {
            "gzip" | "x-gzip" => read_capped(flate2::read::MultiGzDecoder::new(&body[..]), cap)?,
            "deflate" => inflate(&body, cap)?,
            "br" => read_capped(brotli_decompressor::Decompressor::new(&body[..], 8192), cap)?,
            other => {
                return Err(DecodeError::Invalid(format!(
                    "unsupported content-encoding {other:?}"
                )));
            }
        };
    }
    Ok(body)
}

/// Undoes `Content-Encoding` for a body read back from WARC (which keeps bodies as received),
/// with the same cap as a live fetch. The error says what failed.
pub fn decode_body(
    raw: Vec<u8>,
    content_encoding: Option<&str>,
    cap: u64,
) -> Result<Vec<u8>, String> {
    decode(raw, content_encoding, cap).map_err(|e| match e {
        DecodeError::TooLarge => format!("decoded body larger than {cap} bytes"),
        DecodeError::Invalid(m) => m,
    })
}

/// `deflate` is meant to be zlib-wrapped, but many servers send raw deflate: accept both.
fn inflate(body: &[u8], cap: u64) -> Result<Vec<u8>, DecodeError> {
    match read_capped(flate2::read::ZlibDecoder::new(body), cap) {
        Ok(out) => Ok(out),
        Err(DecodeError::TooLarge) => Err(DecodeError::TooLarge),
        Err(_) => read_capped(flate2::read::DeflateDecoder::new(body), cap),
    }
}

fn read_capped(reader: impl Read, cap: u64) -> Result<Vec<u8>, DecodeError> {
    let mut out = Vec::new();
    let read = reader
        .take(cap.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|e| DecodeError::Invalid(e.to_string()))?;
    if read as u64 > cap {
        return Err(DecodeError::TooLarge);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn gzip_deflate_and_identity_decode() {
        let text = "新闻 news ".repeat(100).into_bytes();
        assert_eq!(decode(gzip(&text), Some("gzip"), 1 << 20).unwrap(), text);
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(&text).unwrap();
        assert_eq!(
            decode(z.finish().unwrap(), Some("deflate"), 1 << 20).unwrap(),
            text
        );
        let mut raw =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        raw.write_all(&text).unwrap();
        assert_eq!(
            decode(raw.finish().unwrap(), Some("Deflate"), 1 << 20).unwrap(),
            text
        );
        assert_eq!(decode(text.clone(), None, 1 << 20).unwrap(), text);
        assert_eq!(
            decode(gzip(&gzip(&text)), Some("gzip, gzip"), 1 << 20).unwrap(),
            text
        );
    }

    #[test]
    fn a_gzip_bomb_stops_at_the_cap() {
        let bomb = gzip(&vec![0u8; 50 * 1024 * 1024]);
        assert!(bomb.len() < 100 * 1024, "the bomb is small: {}", bomb.len());
        assert_eq!(
            decode(bomb, Some("gzip"), 1024 * 1024),
            Err(DecodeError::TooLarge)
        );
    }

    #[test]
    fn corrupt_or_unknown_encodings_are_errors() {
        assert!(matches!(
            decode(b"not gzip".to_vec(), Some("gzip"), 1024),
            Err(DecodeError::Invalid(_))
        ));
        assert!(matches!(
            decode(b"x".to_vec(), Some("compress"), 1024),
            Err(DecodeError::Invalid(_))
        ));
    }
}
