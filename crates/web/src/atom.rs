//! Atom out (RFC 4287): `/feeds/all.atom`, `/feeds/sources/{id}.atom`,
//! `/feeds/search.atom?q=...` and `/feeds/changes.atom`, each the [`FEED_ENTRIES`] newest
//! entries with the full cleaned body (`content::body_html`, `type="html"`).
//!
//! Words: an *article entry* is one archived article in its latest version, identified
//! `urn:newsvault:<key>` and linking to its page here (readers behind a firewall may not reach
//! the original, which is the `related` link); a *change entry* is one edit or takedown
//! observation (`urn:newsvault:change:<source>:<seq>`), linking to the diff of an edit or to the
//! article page. Links are absolute: from `[server] base_url` when configured, else from the
//! request's `Host`.
//!
//! The XML is written by hand: a fixed, small vocabulary, every text and attribute value
//! through [`escape`], which also drops the characters XML 1.0 does not allow (a feed parser
//! rejects the whole document for one). Errors answer in plain text.

use crate::WebState;
use crate::api::params::{Params, rfc3339_ms, source_id};
use crate::content;
use crate::error::ApiError;
use axum::Router;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, SecondsFormat, Utc};
use index::search::Sort;
use index::{ArticleSummary, ChangeRow, Index};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt::Write as _;

/// Entries per feed: the newest.
pub(crate) const FEED_ENTRIES: usize = 50;

/// `updated` of a feed with no entries (a fixed time, so its ETag stays put).
const EMPTY_UPDATED: &str = "1970-01-01T00:00:00Z";

/// The feed routes.
pub(crate) fn routes() -> Router<WebState> {
    Router::new()
        .route("/feeds/all.atom", get(all))
        .route("/feeds/sources/{file}", get(source))
        .route("/feeds/search.atom", get(search))
        .route("/feeds/changes.atom", get(changes))
}

/// A feed error: the message as plain text (feed readers show text, not JSON).
struct Plain(ApiError);

impl From<ApiError> for Plain {
    fn from(e: ApiError) -> Plain {
        Plain(e)
    }
}

impl IntoResponse for Plain {
    fn into_response(self) -> Response {
        self.0.plain()
    }
}

/// One `<entry>`.
#[derive(Debug)]
struct Entry {
    id: String,
    title: String,
    /// `rel="alternate"`: the page here.
    link: String,
    /// `rel="related"`: the original article.
    related: Option<String>,
    published: Option<String>,
    updated: String,
    author: String,
    /// Source id, as `<category term>`.
    category: String,
    /// Cleaned HTML.
    content: String,
}

/// One `<feed>`.
#[derive(Debug)]
struct Feed {
    id: String,
    title: String,
    /// `rel="self"`: this feed.
    self_link: String,
    /// `rel="alternate"`: the HTML page showing the same list.
    page_link: String,
    entries: Vec<Entry>,
}

/// The absolute address links start with, without a trailing slash.
fn base(state: &WebState, headers: &HeaderMap) -> String {
    if let Some(url) = state.base_url() {
        return url.as_str().trim_end_matches('/').to_owned();
    }
    // A Host is only used when it is a plain host[:port]: it ends up in every link.
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}

/// The display name of each configured source, by id.
fn source_names(state: &WebState) -> HashMap<String, String> {
    state
        .sources()
        .into_iter()
        .map(|s| (s.id.to_string(), s.name))
        .collect()
}

/// A stored time (RFC 3339, any offset or precision) as Atom writes it (UTC, seconds).
fn atom_time(text: &str) -> Option<String> {
    DateTime::parse_from_rfc3339(text).ok().map(|t| {
        t.with_timezone(&Utc)
            .to_rfc3339_opts(SecondsFormat::Secs, true)
    })
}

/// The body of version `version` of `key`, cleaned, with asset links made absolute.
fn version_content(
    index: &Index,
    data_dir: &std::path::Path,
    key: &model::ArticleKey,
    version: u32,
    base: &str,
) -> Result<Option<(String, index::VersionRow)>, ApiError> {
    let versions = index.versions(key)?;
    let Some(row) = versions
        .into_iter()
        .rev()
        .find(|v| v.version <= version.max(1))
    else {
        return Ok(None);
    };
    let record = content::read_record(data_dir, &row.path)?;
    let html = content::body_html(index, &record);
    let html = html.replace(
        &format!("=\"{}", clean::ASSET_PREFIX),
        &format!("=\"{base}{}", clean::ASSET_PREFIX),
    );
    Ok(Some((html, row)))
}

/// The entry of an article in its latest version; `None` (logged) when its record cannot be
/// read: one damaged record must not take the feed down.
fn article_entry(
    index: &Index,
    data_dir: &std::path::Path,
    base: &str,
    names: &HashMap<String, String>,
    a: ArticleSummary,
) -> Result<Option<Entry>, ApiError> {
    let Some(key) = model::ArticleKey::parse(&a.key) else {
        return Ok(None);
    };
    let (content, row) = match version_content(index, data_dir, &key, a.latest_version, base) {
        Ok(Some(found)) => found,
        Ok(None) => return Ok(None),
        Err(ApiError::Index(e)) => return Err(ApiError::Index(e)),
        Err(e) => {
            tracing::warn!(article_key = %a.key, error = %e, "left out of a feed");
            return Ok(None);
        }
    };
    let updated = atom_time(&row.captured)
        .or_else(|| atom_time(&a.last_seen))
        .unwrap_or_else(|| EMPTY_UPDATED.to_owned());
    Ok(Some(Entry {
        id: format!("urn:newsvault:{}", a.key),
        link: format!("{base}/articles/{}", a.key),
        related: Some(a.url),
        published: a
            .published_ms
            .and_then(rfc3339_ms)
            .or_else(|| atom_time(&a.first_seen)),
        updated,
        author: names
            .get(&a.source)
            .cloned()
            .unwrap_or_else(|| a.source.clone()),
        category: a.source,
        title: a.title,
        content,
    }))
}

/// The title of a change entry: what happened, then the article's title.
pub(crate) fn change_title(event: &str, title: &str) -> String {
    match event {
        "edited" => format!("已修改：{title}"),
        "back" => format!("已恢复：{title}"),
        "left-feed" => format!("已移出订阅源（left-feed）：{title}"),
        "byline" => format!("署名变更：{title}"),
        "gone" | "moved" | "redirected-home" | "soft-404" | "blocked" => {
            format!("已下架（{event}）：{title}")
        }
        other => format!("{other}：{title}"),
    }
}

/// The entry of one change; its content says what was observed, then shows the article as it
/// was archived at that point.
fn change_entry(
    index: &Index,
    data_dir: &std::path::Path,
    base: &str,
    names: &HashMap<String, String>,
    c: ChangeRow,
) -> Result<Entry, ApiError> {
    let key = model::ArticleKey::parse(&c.key);
    let link = match (&key, c.event.as_str()) {
        (Some(_), "edited") if c.version > 1 => format!(
            "{base}/articles/{}/diff?from={}&to={}",
            c.key,
            c.version - 1,
            c.version
        ),
        _ => format!("{base}/articles/{}", c.key),
    };
    let mut observed = format!("{}：{}", c.time, c.event);
    if let Some(status) = c.status {
        let _ = write!(observed, "，HTTP {status}");
    }
    if let Some(final_url) = &c.final_url {
        let _ = write!(observed, "，转到 {final_url}");
    }
    if let Some(note) = &c.note {
        let _ = write!(observed, "，{note}");
    }
    let mut content = format!("<p>{}</p>", escape(&observed));
    let body = match &key {
        Some(key) => version_content(index, data_dir, key, c.version, base),
        None => Ok(None),
    };
    match body {
        Ok(Some((html, _))) => content.push_str(&html),
        Ok(None) => {}
        Err(ApiError::Index(e)) => return Err(ApiError::Index(e)),
        Err(e) => tracing::warn!(article_key = %c.key, error = %e, "change shown without its body"),
    }
    let time = atom_time(&c.time).unwrap_or_else(|| EMPTY_UPDATED.to_owned());
    Ok(Entry {
        id: format!("urn:newsvault:change:{}:{}", c.source, c.seq),
        title: change_title(&c.event, &c.title),
        link,
        related: Some(c.url),
        published: Some(time.clone()),
        updated: time,
        author: names
            .get(&c.source)
            .cloned()
            .unwrap_or_else(|| c.source.clone()),
        category: c.source,
        content,
    })
}

/// `GET /feeds/all.atom`.
async fn all(State(state): State<WebState>, headers: HeaderMap) -> Result<Response, Plain> {
    let base = base(&state, &headers);
    let names = source_names(&state);
    let entries = {
        let base = base.clone();
        state
            .read_with(move |index, data_dir| {
                let page = index.list_articles(None, None, FEED_ENTRIES)?;
                let mut entries = Vec::with_capacity(page.items.len());
                for a in page.items {
                    entries.extend(article_entry(index, data_dir, &base, &names, a)?);
                }
                Ok(entries)
            })
            .await?
    };
    Ok(respond(Feed {
        id: "urn:newsvault:feed:all".into(),
        title: "newsvault：全部文章".into(),
        self_link: format!("{base}/feeds/all.atom"),
        page_link: format!("{base}/"),
        entries,
    }))
}

/// `GET /feeds/sources/{id}.atom`.
async fn source(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Result<Response, Plain> {
    let Some(id) = file.strip_suffix(".atom") else {
        return Err(ApiError::Missing(format!(
            "no feed /feeds/sources/{file}: source feeds are /feeds/sources/<id>.atom"
        ))
        .into());
    };
    let id = source_id("id", id)?;
    let base = base(&state, &headers);
    let names = source_names(&state);
    let configured = names.contains_key(id.as_str());
    let name = names
        .get(id.as_str())
        .cloned()
        .unwrap_or_else(|| id.to_string());
    let entries = {
        let (base, id) = (base.clone(), id.clone());
        state
            .read_with(move |index, data_dir| {
                let page = index.list_articles(Some(id.as_str()), None, FEED_ENTRIES)?;
                if page.items.is_empty() && !configured {
                    return Err(ApiError::Missing(format!("no source {:?}", id.as_str())));
                }
                let mut entries = Vec::with_capacity(page.items.len());
                for a in page.items {
                    entries.extend(article_entry(index, data_dir, &base, &names, a)?);
                }
                Ok(entries)
            })
            .await?
    };
    let path_id = url::form_urlencoded::byte_serialize(id.as_str().as_bytes()).collect::<String>();
    Ok(respond(Feed {
        id: format!("urn:newsvault:feed:source:{path_id}"),
        title: format!("newsvault：{name}"),
        self_link: format!("{base}/feeds/sources/{path_id}.atom"),
        page_link: format!("{base}/sources/{path_id}"),
        entries,
    }))
}

/// `GET /feeds/search.atom?q=...`: the newest matches (add `sort=relevance` for the best).
async fn search(
    State(state): State<WebState>,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    params: Params,
) -> Result<Response, Plain> {
    let mut q = crate::api::search::query_from(&params, FEED_ENTRIES)?;
    // A feed shows no count.
    q.count_limit = Some(0);
    if params.get("sort")?.is_none() {
        q.sort = Sort::Date;
    }
    let text = q.text.clone();
    let results = state.search(q).await?;
    let base = base(&state, &headers);
    let names = source_names(&state);
    let entries = {
        let base = base.clone();
        state
            .read_with(move |index, data_dir| {
                let mut entries = Vec::with_capacity(results.hits.len());
                for hit in results.hits.iter() {
                    let Some(a) = index.article_summary(&hit.key)? else {
                        continue;
                    };
                    entries.extend(article_entry(index, data_dir, &base, &names, a)?);
                }
                Ok(entries)
            })
            .await?
    };
    let query = uri.query().unwrap_or("");
    let digest = Sha256::digest(text.as_bytes());
    let id: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    let page_query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("q", &text)
        .finish();
    Ok(respond(Feed {
        id: format!("urn:newsvault:feed:search:{id}"),
        title: format!("newsvault 搜索：{text}"),
        self_link: format!("{base}/feeds/search.atom?{query}"),
        page_link: format!("{base}/search?{page_query}"),
        entries,
    }))
}

/// `GET /feeds/changes.atom?source=`: edits and takedowns, one entry per observation.
async fn changes(
    State(state): State<WebState>,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, Plain> {
    let source = params.source("source")?;
    let base = base(&state, &headers);
    let names = source_names(&state);
    let entries = {
        let (base, source) = (base.clone(), source.clone());
        state
            .read_with(move |index, data_dir| {
                let page =
                    index.list_changes(source.as_ref().map(|s| s.as_str()), None, FEED_ENTRIES)?;
                page.items
                    .into_iter()
                    .map(|c| change_entry(index, data_dir, &base, &names, c))
                    .collect::<Result<Vec<_>, _>>()
            })
            .await?
    };
    let (suffix, title) = match &source {
        Some(s) => {
            let name = names_of(&state, s.as_str());
            let q = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("source", s.as_str())
                .finish();
            (format!("?{q}"), format!("newsvault 修改与下架：{name}"))
        }
        None => (String::new(), "newsvault：修改与下架".to_owned()),
    };
    Ok(respond(Feed {
        id: format!(
            "urn:newsvault:feed:changes{}",
            source.map(|s| format!(":{s}")).unwrap_or_default()
        ),
        title,
        self_link: format!("{base}/feeds/changes.atom{suffix}"),
        page_link: format!("{base}/changes{suffix}"),
        entries,
    }))
}

fn names_of(state: &WebState, id: &str) -> String {
    source_names(state)
        .remove(id)
        .unwrap_or_else(|| id.to_owned())
}

/// The feed as a response: Atom's content type and `Last-Modified` of its newest entry.
fn respond(feed: Feed) -> Response {
    let updated = feed_updated(&feed);
    let mut response = (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/atom+xml; charset=utf-8"),
        )],
        render(&feed, &updated),
    )
        .into_response();
    let modified = DateTime::parse_from_rfc3339(&updated)
        .ok()
        .map(|t| httpdate::fmt_http_date(t.with_timezone(&Utc).into()))
        .and_then(|t| HeaderValue::from_str(&t).ok());
    if let Some(modified) = modified {
        response
            .headers_mut()
            .insert(header::LAST_MODIFIED, modified);
    }
    response
}

/// The newest `updated` of the entries (RFC 3339 UTC strings of one format sort by time).
fn feed_updated(feed: &Feed) -> String {
    feed.entries
        .iter()
        .map(|e| e.updated.as_str())
        .max()
        .unwrap_or(EMPTY_UPDATED)
        .to_owned()
}

/// The feed document.
fn render(feed: &Feed, updated: &str) -> String {
    let mut out = String::with_capacity(4096 + feed.entries.len() * 8192);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    element(&mut out, 1, "id", &feed.id);
    element(&mut out, 1, "title", &feed.title);
    element(&mut out, 1, "updated", updated);
    link(&mut out, 1, "self", "application/atom+xml", &feed.self_link);
    link(&mut out, 1, "alternate", "text/html", &feed.page_link);
    out.push_str("  <author><name>newsvault</name></author>\n");
    let _ = writeln!(
        out,
        "  <generator version=\"{}\">newsvault</generator>",
        env!("CARGO_PKG_VERSION")
    );
    for e in &feed.entries {
        out.push_str("  <entry>\n");
        element(&mut out, 2, "id", &e.id);
        element(&mut out, 2, "title", &e.title);
        link(&mut out, 2, "alternate", "text/html", &e.link);
        if let Some(related) = &e.related {
            link(&mut out, 2, "related", "text/html", related);
        }
        if let Some(published) = &e.published {
            element(&mut out, 2, "published", published);
        }
        element(&mut out, 2, "updated", &e.updated);
        let _ = writeln!(
            out,
            "    <author><name>{}</name></author>",
            escape(&e.author)
        );
        let _ = writeln!(out, "    <category term=\"{}\"/>", escape(&e.category));
        let _ = writeln!(
            out,
            "    <content type=\"html\">{}</content>",
            escape(&e.content)
        );
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

fn element(out: &mut String, depth: usize, name: &str, text: &str) {
    let _ = writeln!(
        out,
        "{}<{name}>{}</{name}>",
        "  ".repeat(depth),
        escape(text)
    );
}

fn link(out: &mut String, depth: usize, rel: &str, kind: &str, href: &str) {
    let _ = writeln!(
        out,
        "{}<link rel=\"{rel}\" type=\"{kind}\" href=\"{}\"/>",
        "  ".repeat(depth),
        escape(href)
    );
}

/// `text` as XML character data or attribute value: markup characters as entities, and the
/// characters XML 1.0 forbids (C0 controls but tab, LF, CR; U+FFFE, U+FFFF) left out.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_leaves_out_what_xml_forbids() {
        assert_eq!(
            escape("a<b>&\"c'\u{1}\u{FFFF}\td"),
            "a&lt;b&gt;&amp;&quot;c&#39;\td"
        );
    }

    #[test]
    fn change_titles_name_the_class() {
        assert_eq!(change_title("edited", "标题"), "已修改：标题");
        assert_eq!(change_title("byline", "标题"), "署名变更：标题");
        assert_eq!(change_title("gone", "标题"), "已下架（gone）：标题");
        assert_eq!(change_title("soft-404", "标题"), "已下架（soft-404）：标题");
        assert_eq!(change_title("back", "标题"), "已恢复：标题");
    }

    #[test]
    fn a_feed_renders_well_formed() {
        let feed = Feed {
            id: "urn:newsvault:feed:all".into(),
            title: "t & t".into(),
            self_link: "http://h/feeds/all.atom".into(),
            page_link: "http://h/".into(),
            entries: vec![Entry {
                id: "urn:newsvault:0123456789abcdef".into(),
                title: "<标题>".into(),
                link: "http://h/articles/0123456789abcdef".into(),
                related: Some("https://news.example/a?x=1&y=2".into()),
                published: Some("2024-05-01T00:00:00Z".into()),
                updated: "2024-05-02T00:00:00Z".into(),
                author: "法广".into(),
                category: "rfi".into(),
                content: "<p>正文 &amp; more</p>".into(),
            }],
        };
        let xml = render(&feed, &feed_updated(&feed));
        assert!(
            xml.contains("<updated>2024-05-02T00:00:00Z</updated>"),
            "{xml}"
        );
        assert!(xml.contains("<title>&lt;标题&gt;</title>"), "{xml}");
        assert!(
            xml.contains("href=\"https://news.example/a?x=1&amp;y=2\""),
            "{xml}"
        );
        assert!(
            xml.contains("<content type=\"html\">&lt;p&gt;正文 &amp;amp; more&lt;/p&gt;</content>"),
            "{xml}"
        );
    }
}
