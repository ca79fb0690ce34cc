//! Validators (ETag, Last-Modified) and freshness (Cache-Control, Expires, RSS `ttl`).

use chrono::{DateTime, Duration, Utc};

/// What a server said to identify a response, sent back to ask "has it changed?".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Validators {
    /// `ETag`, sent back as `If-None-Match`.
    pub etag: Option<String>,
    /// `Last-Modified`, sent back as `If-Modified-Since`.
    pub last_modified: Option<String>,
}

impl Validators {
    /// The validators of a response's headers (lower-case names).
    pub fn from_headers(headers: &[(String, String)]) -> Validators {
        let get = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        Validators {
            etag: get("etag"),
            last_modified: get("last-modified"),
        }
    }

    /// Whether there is anything to send.
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }
}

/// Until when a response may be considered fresh (no need to ask again), from `Cache-Control:
/// max-age` (or `no-cache`/`no-store`: not at all), else `Expires` against `Date`, else an RSS
/// `ttl` in minutes. `None` when nothing says so.
pub fn fresh_until(
    headers: &[(String, String)],
    received: DateTime<Utc>,
    rss_ttl_minutes: Option<u32>,
) -> Option<DateTime<Utc>> {
    let get = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if let Some(cc) = get("cache-control") {
        let directives: Vec<String> = cc
            .split(',')
            .map(|d| d.trim().to_ascii_lowercase())
            .collect();
        if directives
            .iter()
            .any(|d| d == "no-cache" || d == "no-store")
        {
            return None;
        }
        if let Some(age) = directives.iter().find_map(|d| {
            d.strip_prefix("max-age=")?
                .trim_matches('"')
                .parse::<i64>()
                .ok()
        }) {
            return Some(received + Duration::seconds(age.max(0)));
        }
    }
    if let Some(expires) = get("expires").and_then(|e| httpdate::parse_http_date(e).ok()) {
        let expires: DateTime<Utc> = expires.into();
        // Against the server's clock when it sent one, so that clock skew does not matter.
        let date = get("date")
            .and_then(|d| httpdate::parse_http_date(d).ok())
            .map(DateTime::<Utc>::from);
        let lifetime = expires - date.unwrap_or(received);
        return Some(received + lifetime.max(Duration::zero()));
    }
    rss_ttl_minutes.map(|m| received + Duration::minutes(i64::from(m)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn max_age_wins_then_expires_then_ttl() {
        let now = DateTime::parse_from_rfc3339("2026-11-26T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let cc = h(&[
            ("cache-control", "public, max-age=600"),
            ("expires", "Thu, 26 Nov 2026 05:00:00 GMT"),
        ]);
        assert_eq!(
            fresh_until(&cc, now, Some(60)),
            Some(now + Duration::seconds(600))
        );
        let ex = h(&[
            ("date", "Thu, 26 Nov 2026 01:00:00 GMT"),
            ("expires", "Thu, 26 Nov 2026 01:30:00 GMT"),
        ]);
        assert_eq!(
            fresh_until(&ex, now, None),
            Some(now + Duration::minutes(30))
        );
        assert_eq!(
            fresh_until(&[], now, Some(15)),
            Some(now + Duration::minutes(15))
        );
        assert_eq!(
            fresh_until(
                &h(&[("cache-control", "no-cache, max-age=60")]),
                now,
                Some(15)
            ),
            None
        );
        assert_eq!(fresh_until(&[], now, None), None);
    }

    #[test]
    fn validators_come_from_headers() {
        let v = Validators::from_headers(&h(&[
            ("etag", "\"abc\""),
            ("last-modified", "Wed, 25 Nov 2026 10:00:00 GMT"),
        ]));
        assert_eq!(v.etag.as_deref(), Some("\"abc\""));
        assert!(!v.is_empty());
        assert!(Validators::default().is_empty());
    }
}
