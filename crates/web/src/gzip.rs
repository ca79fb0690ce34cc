//! gzip of whole response bodies, with one deflate state per thread.
//!
//! tower-http's compression layer streams every body through a new encoder, and zlib-rs sets
//! each one up from nothing: about 300 KB allocated and zeroed per response, for pages of 5 to
//! 20 KB. Every body this server sends is already whole in memory (the validators layer has
//! buffered it to tag it), so it is compressed here in one call, with a deflate state each
//! thread keeps and resets, and sent with its length instead of in chunks. tower-http still
//! answers clients that prefer br (see [`takes_gzip`]).

use axum::http::{HeaderMap, HeaderValue, header};
use flate2::{Compress, Compression, Crc, FlushCompress, Status};
use std::cell::RefCell;

/// Smallest body worth compressing (tower-http's default: below it the gzip framing alone
/// outgrows what deflate saves).
pub(crate) const MIN_BYTES: u64 = 32;

/// The gzip member header (RFC 1952): deflate, no flags, no time, fastest level (XFL 4),
/// unknown system.
const HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 4, 0xff];

thread_local! {
    /// Raw deflate at the fastest level: what tower-http's `CompressionLevel::Fastest` gives.
    static DEFLATE: RefCell<Compress> = RefCell::new(Compress::new(Compression::fast(), false));
}

/// `body` as one gzip member.
pub(crate) fn compress(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER.len() + body.len() / 2 + 64);
    out.extend_from_slice(&HEADER);
    DEFLATE.with(|cell| {
        let mut deflate = cell.borrow_mut();
        deflate.reset();
        loop {
            let read = usize::try_from(deflate.total_in()).expect("a body fits in memory");
            // Writes into the spare capacity only; a full buffer is grown and the call repeated.
            match deflate.compress_vec(&body[read..], &mut out, FlushCompress::Finish) {
                Ok(Status::StreamEnd) => break,
                Ok(Status::Ok | Status::BufError) => out.reserve(out.capacity().max(4096)),
                // Deflating memory into memory has no failure but a bug in the encoder.
                Err(e) => panic!("deflate failed: {e}"),
            }
        }
    });
    let mut crc = Crc::new();
    crc.update(body);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    // ISIZE is the length modulo 2^32 (RFC 1952).
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out
}

/// Whether a request with these headers gets gzip from us: its `Accept-Encoding` takes gzip
/// (q above 0) at least as gladly as br. Browsers send `gzip, deflate, br`; at the fastest
/// levels gzip made our pages no larger than br did (a search page 6,904 against 7,189 bytes,
/// the home page 3,814 against 4,003, the Atom feed within 1 %) at a quarter of the CPU. A
/// client that prefers br, or takes only br, is left to tower-http's br.
pub(crate) fn takes_gzip(headers: &HeaderMap) -> bool {
    let mut gzip: Option<f32> = None;
    let mut br: Option<f32> = None;
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else {
            continue;
        };
        for entry in value.split(',') {
            let mut parts = entry.split(';');
            let coding = parts.next().unwrap_or("").trim();
            // An unreadable q-value counts as 0: never preferred.
            let q = parts
                .filter_map(|p| {
                    let p = p.trim();
                    p.strip_prefix("q=").or(p.strip_prefix("Q="))
                })
                .map(|v| v.trim().parse::<f32>().unwrap_or(0.0))
                .next()
                .unwrap_or(1.0);
            let slot = if coding.eq_ignore_ascii_case("gzip") {
                &mut gzip
            } else if coding.eq_ignore_ascii_case("br") {
                &mut br
            } else {
                continue;
            };
            *slot = Some(slot.map_or(q, |m| m.max(q)));
        }
    }
    match gzip {
        Some(g) => g > 0.0 && br.is_none_or(|b| g >= b),
        None => false,
    }
}

/// Whether a response of this type is worth compressing: not an image (but SVG, which is
/// text), nor gRPC or an event stream (as tower-http's default predicate).
pub(crate) fn compressible(headers: &HeaderMap) -> bool {
    if headers.contains_key(header::CONTENT_ENCODING) || headers.contains_key(header::CONTENT_RANGE)
    {
        return false;
    }
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    !(kind.starts_with("image/") && !kind.starts_with("image/svg+xml")
        || kind.starts_with("application/grpc")
        || kind.starts_with("text/event-stream"))
}

/// The `Vary` a compressed response needs, unless one is there already.
pub(crate) fn add_vary(headers: &mut HeaderMap) {
    let varies = headers.get_all(header::VARY).iter().any(|v| {
        v.to_str().is_ok_and(|v| {
            v.split(',')
                .any(|n| n.trim().eq_ignore_ascii_case("accept-encoding") || n.trim() == "*")
        })
    });
    if !varies {
        headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn accept(value: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(value));
        h
    }

    #[test]
    fn gzip_when_taken_at_least_as_gladly_as_br() {
        for yes in [
            "gzip",
            "gzip, deflate, br",
            "br;q=1.0, gzip;q=1.0, *;q=0.1",
            "GZIP;Q=0.5",
            "deflate, gzip;q=0.3, br;q=0.3",
        ] {
            assert!(takes_gzip(&accept(yes)), "{yes}");
        }
        for no in [
            "",
            "br",
            "gzip;q=0, br",
            "gzip;q=0.5, br;q=0.9",
            "gzip;q=x",
            "deflate, identity",
        ] {
            assert!(!takes_gzip(&accept(no)), "{no}");
        }
        assert!(!takes_gzip(&HeaderMap::new()));
    }

    #[test]
    fn members_decode_to_the_body_with_the_encoder_reused() {
        // Bodies of several sizes, on one thread: each call resets the same deflate state, so
        // a state left over from the previous body would show as a wrong decoding here.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let page =
            "<li class=\"hit\"><a href=\"/articles/0123\">美国总统选举</a></li>\n".repeat(400);
        let mut bodies: Vec<Vec<u8>> = vec![Vec::new(), b"x".to_vec(), page.into_bytes()];
        for len in [31, 4096, 70_000, 300_000] {
            // Random bytes do not compress: the output outgrows the first guess of its size.
            bodies.push((0..len).map(|_| next() as u8).collect());
        }
        for body in bodies.iter().chain(bodies.iter().rev()) {
            let member = compress(body);
            let mut decoded = Vec::new();
            flate2::read::GzDecoder::new(&member[..])
                .read_to_end(&mut decoded)
                .expect("a valid gzip member");
            assert_eq!(&decoded, body, "{} bytes", body.len());
        }
    }

    #[test]
    fn images_and_encoded_bodies_are_left_alone() {
        let with = |name, value: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(name, HeaderValue::from_static(value));
            h
        };
        assert!(compressible(&with(
            header::CONTENT_TYPE,
            "text/html; charset=utf-8"
        )));
        assert!(compressible(&with(header::CONTENT_TYPE, "image/svg+xml")));
        assert!(!compressible(&with(header::CONTENT_TYPE, "image/jpeg")));
        assert!(!compressible(&with(header::CONTENT_ENCODING, "br")));
        assert!(!compressible(&with(header::CONTENT_RANGE, "bytes 0-1/2")));
    }

    #[test]
    fn vary_is_added_once() {
        let mut h = HeaderMap::new();
        h.insert(header::VARY, HeaderValue::from_static("Cookie"));
        add_vary(&mut h);
        add_vary(&mut h);
        let all: Vec<_> = h.get_all(header::VARY).iter().collect();
        assert_eq!(all, ["Cookie", "accept-encoding"]);
    }
}
