//! What every page shares: the request's [`Reader`] (script preference, toggle links), the
//! [`Chrome`] around the content, and [`respond`], which renders a template, converts its text
//! to the reader's script and answers.

use super::error::PageError;
use super::style;
use super::zh::{self, Zh};
use crate::api::params::Params;
use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::convert::Infallible;

/// Where the article body goes in a rendered page. The page's own text is converted to the
/// reader's script first; the body, converted once and cached (`body_cache`), replaces this
/// marker afterwards. A comment: the converter passes it through like a tag, and the sanitizer
/// removes comments, so an archived body cannot contain it.
pub(crate) const BODY_SLOT: &str = "<!--newsvault:body-->";

/// A request as the reader sees it: which script to show, and how to link to this same page
/// in the other script.
#[derive(Clone, Debug)]
pub(crate) struct Reader {
    /// The script to show.
    pub(crate) zh: Zh,
    /// Whether the request chose the script (`?zh=`): the answer then sets the cookie.
    chose: bool,
    /// The request path (as received: already percent-encoded).
    path: String,
    /// The query string without `zh`, decoded.
    params: Vec<(String, String)>,
    /// The query string as received.
    query: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Reader {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Reader, Infallible> {
        let query = parts.uri.query().unwrap_or("").to_owned();
        let mut chosen = None;
        let mut params = Vec::new();
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            if k == zh::COOKIE {
                chosen = chosen.or(Zh::parse(&v));
            } else {
                params.push((k.into_owned(), v.into_owned()));
            }
        }
        let from_cookie = parts
            .headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(k, _)| *k == zh::COOKIE)
            .and_then(|(_, v)| Zh::parse(v));
        Ok(Reader {
            zh: chosen.or(from_cookie).unwrap_or_default(),
            chose: chosen.is_some(),
            path: parts.uri.path().to_owned(),
            params,
            query,
        })
    }
}

impl Reader {
    /// The query parameters, read strictly (`api::params`).
    pub(crate) fn params(&self) -> Params {
        Params::parse(&self.query)
    }

    /// This page's URL with `zh` set to `choice` (the toggle's links).
    fn with_zh(&self, choice: Zh) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.params {
            query.append_pair(k, v);
        }
        query.append_pair(zh::COOKIE, choice.as_str());
        format!("{}?{}", self.path, query.finish())
    }

    /// The chrome of a page titled `title` whose feed is `feed`.
    pub(crate) fn chrome(&self, title: impl Into<String>, feed: Feed) -> Chrome {
        Chrome {
            title: title.into(),
            feed,
            lang: self.zh.lang(),
            css: style::href(),
            q: String::new(),
            hans: self.with_zh(Zh::Hans),
            hant: self.with_zh(Zh::Hant),
            zh: self.zh.as_str(),
        }
    }
}

/// The Atom feed a page advertises (`<link rel="alternate">`, served by `atom.rs`).
#[derive(Clone, Debug)]
pub(crate) struct Feed {
    /// Its path (`/feeds/all.atom`).
    pub(crate) href: String,
    /// Its title.
    pub(crate) title: String,
}

impl Feed {
    /// Every article.
    pub(crate) fn all() -> Feed {
        Feed {
            href: "/feeds/all.atom".into(),
            title: "newsvault：全部文章".into(),
        }
    }

    /// One source's articles. Source ids are URL-safe (`SourceId` rules), but the id is
    /// still encoded as a path segment.
    pub(crate) fn source(id: &str, name: &str) -> Feed {
        Feed {
            href: format!("/feeds/sources/{}.atom", encode_segment(id)),
            title: format!("newsvault：{name}"),
        }
    }

    /// Edits and takedowns.
    pub(crate) fn changes() -> Feed {
        Feed {
            href: "/feeds/changes.atom".into(),
            title: "newsvault：修改与删除".into(),
        }
    }

    /// The results of a search for `q`.
    pub(crate) fn search(q: &str) -> Feed {
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("q", q)
            .finish();
        Feed {
            href: format!("/feeds/search.atom?{query}"),
            title: format!("newsvault 搜索：{q}"),
        }
    }
}

/// A path segment, percent-encoded.
pub(crate) fn encode_segment(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// What every page shows around its content.
#[derive(Clone, Debug)]
pub(crate) struct Chrome {
    /// The page title (`<title>` adds the site name).
    pub(crate) title: String,
    /// Its Atom feed.
    pub(crate) feed: Feed,
    /// `lang` of `<html>`.
    pub(crate) lang: &'static str,
    /// The stylesheet's path.
    pub(crate) css: &'static str,
    /// The search box's text.
    pub(crate) q: String,
    /// This page in simplified characters.
    pub(crate) hans: String,
    /// This page in traditional characters.
    pub(crate) hant: String,
    /// The script shown (`orig`, `hans`, `hant`), to mark the active toggle link.
    pub(crate) zh: &'static str,
}

/// Renders `page`, converts its text to the reader's script, puts `body` (already converted)
/// in its [`BODY_SLOT`], and answers with `status`.
pub(crate) fn respond(
    reader: &Reader,
    status: StatusCode,
    page: &impl Template,
    body: Option<&str>,
) -> Response {
    let html = match page.render() {
        Ok(html) => html,
        Err(e) => {
            return PageError::internal(format!("rendering a page failed: {e}")).into_response();
        }
    };
    let html = match reader.zh {
        Zh::Original => html,
        zh => zh.html(&html),
    };
    let html = match body {
        Some(body) => html.replacen(BODY_SLOT, body, 1),
        None => html,
    };
    html_response(status, html, reader)
}

/// An HTML answer: content type, `Vary: Cookie` (the script may come from the cookie), and the
/// cookie when the request chose a script.
fn html_response(status: StatusCode, html: String, reader: &Reader) -> Response {
    let mut response = (
        status,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (header::VARY, HeaderValue::from_static("Cookie")),
        ],
        html,
    )
        .into_response();
    if reader.chose
        && let Ok(cookie) = HeaderValue::from_str(&reader.zh.cookie())
    {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feeds_encode_what_they_carry() {
        assert_eq!(
            Feed::search("美国 a&b").href,
            "/feeds/search.atom?q=%E7%BE%8E%E5%9B%BD+a%26b"
        );
        assert_eq!(Feed::source("rfi", "法广").href, "/feeds/sources/rfi.atom");
        assert_eq!(encode_segment("a b/c"), "a%20b%2Fc");
    }
}
