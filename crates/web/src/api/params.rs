//! Reading request parameters strictly: every malformed value is a 400 that names the parameter
//! and says what is expected, never a 500 and never silently ignored.
//!
//! Query strings are decoded with `application/x-www-form-urlencoded` rules; an invalid
//! percent escape (`%ZZ`) stays literal and then fails the parameter's own check.

use crate::error::ApiError;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use chrono::{DateTime, NaiveDate, NaiveTime, SecondsFormat, TimeZone, Utc};
use index::{ArticleCursor, ChangeCursor};
use model::{ArticleKey, SourceId};

/// Path parameters, like axum's `Path`, with a malformed segment (invalid percent-encoding or
/// UTF-8) answered as a JSON 400 instead of axum's plain-text one.
#[derive(Debug)]
pub(crate) struct ApiPath<T>(pub(crate) T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<ApiPath<T>, ApiError> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(ApiPath(value)),
            Err(rejection) if rejection.status().is_server_error() => {
                Err(ApiError::Internal(rejection.body_text()))
            }
            Err(rejection) => Err(ApiError::BadRequest(format!(
                "path {:?}: {}",
                parts.uri.path(),
                rejection.body_text()
            ))),
        }
    }
}

/// The decoded query string of a request, in order.
#[derive(Debug, Default)]
pub(crate) struct Params(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Params, ApiError> {
        Ok(Params::parse(parts.uri.query().unwrap_or("")))
    }
}

impl Params {
    pub(crate) fn parse(query: &str) -> Params {
        Params(
            url::form_urlencoded::parse(query.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The value of `name`; a parameter given twice is an error (which one was meant?).
    pub(crate) fn get(&self, name: &str) -> Result<Option<&str>, ApiError> {
        let mut values = self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v);
        let first = values.next();
        if values.next().is_some() {
            return Err(ApiError::BadRequest(format!(
                "{name}: given more than once; give it once"
            )));
        }
        Ok(first.map(String::as_str))
    }

    /// Every value of `name`, each split at commas (`source=a&source=b,c`), empty parts
    /// dropped.
    pub(crate) fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// A whole number in `min..=max`, `default` when absent.
    pub(crate) fn number(
        &self,
        name: &str,
        min: usize,
        max: usize,
        default: usize,
    ) -> Result<usize, ApiError> {
        let Some(text) = self.get(name)? else {
            return Ok(default);
        };
        match text.parse::<usize>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(ApiError::BadRequest(format!(
                "{name}: {text:?} is not a whole number from {min} to {max}"
            ))),
        }
    }

    /// A source id (`source=rfi`).
    pub(crate) fn source(&self, name: &str) -> Result<Option<SourceId>, ApiError> {
        self.get(name)?.map(|s| source_id(name, s)).transpose()
    }

    /// A date (`2024-05-01`, midnight UTC) or an RFC 3339 time, as epoch ms.
    pub(crate) fn date_ms(&self, name: &str) -> Result<Option<i64>, ApiError> {
        let Some(text) = self.get(name)? else {
            return Ok(None);
        };
        if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            return Ok(Some(
                day.and_time(NaiveTime::MIN).and_utc().timestamp_millis(),
            ));
        }
        DateTime::parse_from_rfc3339(text)
            .map(|t| Some(t.timestamp_millis()))
            .map_err(|_| {
                ApiError::BadRequest(format!(
                    "{name}: {text:?} is neither a date (2024-05-01) nor an RFC 3339 time \
                     (2024-05-01T08:00:00Z)"
                ))
            })
    }

    /// An articles cursor (`after=`), as the previous page's `next` gave it.
    pub(crate) fn article_cursor(&self, name: &str) -> Result<Option<ArticleCursor>, ApiError> {
        self.get(name)?
            .map(|t| ArticleCursor::parse(t).ok_or_else(|| bad_cursor(name, t)))
            .transpose()
    }

    /// A changes cursor (`after=`), as the previous page's `next` gave it.
    pub(crate) fn change_cursor(&self, name: &str) -> Result<Option<ChangeCursor>, ApiError> {
        self.get(name)?
            .map(|t| ChangeCursor::parse(t).ok_or_else(|| bad_cursor(name, t)))
            .transpose()
    }
}

fn bad_cursor(name: &str, token: &str) -> ApiError {
    ApiError::BadRequest(format!(
        "{name}: {token:?} is not a cursor; pass the `next` value of the previous page"
    ))
}

/// A source id from a parameter or path segment.
pub(crate) fn source_id(name: &str, text: &str) -> Result<SourceId, ApiError> {
    SourceId::new(text).map_err(|e| ApiError::BadRequest(format!("{name}: {e}")))
}

/// An article key from the path: 16 lower-case hex digits.
pub(crate) fn article_key(text: &str) -> Result<ArticleKey, ApiError> {
    ArticleKey::parse(text).ok_or_else(|| {
        ApiError::BadRequest(format!(
            "key: {text:?} is not an article key (16 lower-case hex digits)"
        ))
    })
}

/// A version number from the path: a whole number from 1.
pub(crate) fn version_number(text: &str) -> Result<u32, ApiError> {
    match text.parse::<u32>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(ApiError::BadRequest(format!(
            "version: {text:?} is not a version number (1, 2, ...)"
        ))),
    }
}

/// Epoch ms as RFC 3339 UTC with seconds (`2024-05-01T08:00:00Z`), as DESIGN.md's JSON uses.
pub(crate) fn rfc3339_ms(ms: i64) -> Option<String> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_read_strictly() {
        let p = Params::parse("limit=5&after=%ZZ&source=a,b&source=c&x=1&x=2&since=2024-05-01");
        assert_eq!(p.number("limit", 1, 10, 3).unwrap(), 5);
        assert_eq!(p.number("missing", 1, 10, 3).unwrap(), 3);
        assert!(p.number("x", 1, 10, 3).is_err(), "given twice");
        assert!(Params::parse("limit=-1").number("limit", 1, 10, 3).is_err());
        assert!(Params::parse("limit=11").number("limit", 1, 10, 3).is_err());
        assert!(p.article_cursor("after").is_err());
        assert_eq!(p.all("source"), ["a", "b", "c"]);
        assert_eq!(p.date_ms("since").unwrap(), Some(1_714_521_600_000));
        assert!(Params::parse("since=yesterday").date_ms("since").is_err());
        assert!(article_key("zzz").is_err());
        assert!(article_key("0123456789abcdef").is_ok());
        assert!(version_number("0").is_err());
        assert_eq!(rfc3339_ms(0).as_deref(), Some("1970-01-01T00:00:00Z"));
    }
}
