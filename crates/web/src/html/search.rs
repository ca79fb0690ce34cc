//! `GET /search?q=&source=&since=&until=&sort=&page=`: the query box with its filters, and the
//! hits with their highlighted snippets, [`PAGE`] per page.
//!
//! Without `q` the page shows the form only. A query the query language does not accept, or a
//! malformed filter, answers 400 with the message on the page above the form (never a 500).
//! `since` and `until` are dates (`YYYY-MM-DD`, as a date input sends them) in UTC+8, both
//! inclusive; empty fields are ignored, as a form sends them. Snippets come from the search
//! index already escaped, with matches in `<mark>`.

use super::error::PageError;
use super::listing::{Names, display_title};
use super::page::{Chrome, Feed, Reader, respond};
use super::time::{When, day_start_ms};
use crate::WebState;
use crate::api::params::{Params, source_id};
use crate::error::ApiError;
use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::Response;
use index::search::{Query, SearchResults, Sort};

/// Hits per page.
const PAGE: usize = 20;
/// Deepest page (the search index pays for every hit before a page).
const MAX_PAGE: usize = 500;
/// Hits a search page counts before the count may stop (then it says "at least" and the pager
/// goes on page by page): a later page counts as far as its own hits (see
/// `index::search::Query::count_limit`). Counting checks every hit, a phrase's positions
/// included, while the best hits after the count are found by skipping blocks of documents
/// that cannot reach the page and reading positions only where a bound can. On the web
/// benchmark's random searches (100,000 articles, 16 connections) a page took 1.26 ms of CPU at
/// 200 against 1.39 ms at 1,000 (ten pages are counted; 100 was no cheaper).
pub(crate) const COUNT_LIMIT: usize = 200;

/// A `<select>` option.
#[derive(Clone, Debug)]
pub(crate) struct Opt {
    pub(crate) value: String,
    pub(crate) label: String,
    pub(crate) selected: bool,
}

/// One hit as the page shows it.
#[derive(Clone, Debug)]
pub(crate) struct HitItem {
    pub(crate) key: String,
    pub(crate) title: String,
    pub(crate) source_name: String,
    pub(crate) published: Option<When>,
    /// Escaped text with `<mark>` around matches (from the search index).
    pub(crate) snippet: String,
    pub(crate) gone: bool,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    chrome: Chrome,
    form: Form,
    sources: Vec<Opt>,
    sorts: Vec<Opt>,
    error: Option<String>,
    searched: bool,
    total: u64,
    /// Whether `total` is every hit (else the count stopped there).
    total_exact: bool,
    hits: Vec<HitItem>,
    page: usize,
    pages: usize,
    prev: Option<String>,
    next: Option<String>,
}

/// The form's fields as the request gave them (empty when absent).
#[derive(Clone, Debug, Default)]
pub(crate) struct Form {
    pub(crate) q: String,
    pub(crate) source: String,
    pub(crate) since: String,
    pub(crate) until: String,
    pub(crate) sort: String,
}

impl Form {
    fn read(params: &Params) -> Result<Form, ApiError> {
        let field = |name| -> Result<String, ApiError> {
            Ok(params.get(name)?.unwrap_or("").trim().to_owned())
        };
        Ok(Form {
            q: field("q")?,
            source: field("source")?,
            since: field("since")?,
            until: field("until")?,
            sort: field("sort")?,
        })
    }

    /// The search this form asks for, `page` (from 1) of it.
    fn query(&self, page: usize) -> Result<Query, ApiError> {
        let mut q = Query::new(self.q.clone());
        if !self.source.is_empty() {
            q.sources
                .push(source_id("source", &self.source)?.to_string());
        }
        let day = |name: &str, text: &str| {
            day_start_ms(text).ok_or_else(|| {
                ApiError::BadRequest(format!("{name}: {text:?} is not a date (2024-05-01)"))
            })
        };
        if !self.since.is_empty() {
            q.since_ms = Some(day("since", &self.since)?);
        }
        if !self.until.is_empty() {
            // Inclusive: up to the end of that day.
            q.until_ms = Some(day("until", &self.until)? + 86_400_000);
        }
        if let (Some(since), Some(until)) = (q.since_ms, q.until_ms)
            && since >= until
        {
            return Err(ApiError::BadRequest("since must not be after until".into()));
        }
        q.sort = match self.sort.as_str() {
            "" | "relevance" => Sort::Relevance,
            "date" => Sort::Date,
            other => {
                return Err(ApiError::BadRequest(format!(
                    "sort: {other:?} is not an order; use relevance or date"
                )));
            }
        };
        q.limit = PAGE;
        q.offset = (page - 1) * PAGE;
        q.count_limit = Some(COUNT_LIMIT);
        Ok(q)
    }

    /// The URL of `page` of this search.
    fn href(&self, page: usize) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("q", &self.q),
            ("source", &self.source),
            ("since", &self.since),
            ("until", &self.until),
            ("sort", &self.sort),
        ] {
            if !v.is_empty() {
                s.append_pair(k, v);
            }
        }
        if page > 1 {
            s.append_pair("page", &page.to_string());
        }
        format!("/search?{}", s.finish())
    }
}

/// `GET /search`.
pub(crate) async fn search(
    State(state): State<WebState>,
    reader: Reader,
) -> Result<Response, PageError> {
    let params = reader.params();
    let form = Form::read(&params)?;
    let configured = state.sources();
    let names = Names::new(&configured);
    let mut page = SearchPage {
        chrome: reader.chrome(
            if form.q.is_empty() {
                "搜索".to_owned()
            } else {
                format!("搜索：{}", form.q)
            },
            if form.q.is_empty() {
                Feed::all()
            } else {
                Feed::search(&form.q)
            },
        ),
        sources: std::iter::once(Opt {
            value: String::new(),
            label: "全部来源".into(),
            selected: form.source.is_empty(),
        })
        .chain(configured.iter().map(|s| Opt {
            value: s.id.to_string(),
            label: s.name.clone(),
            selected: form.source == s.id.as_str(),
        }))
        .collect(),
        sorts: [("relevance", "相关度"), ("date", "日期（新→旧）")]
            .into_iter()
            .map(|(value, label)| Opt {
                value: value.into(),
                label: label.into(),
                selected: form.sort == value || (form.sort.is_empty() && value == "relevance"),
            })
            .collect(),
        error: None,
        searched: false,
        total: 0,
        total_exact: true,
        hits: Vec::new(),
        page: 1,
        pages: 0,
        prev: None,
        next: None,
        form,
    };
    page.chrome.q = page.form.q.clone();
    if page.form.q.is_empty() {
        return Ok(respond(&reader, StatusCode::OK, &page, None));
    }
    let outcome = match params.number("page", 1, MAX_PAGE, 1) {
        Ok(n) => {
            page.page = n;
            match page.form.query(n) {
                Ok(q) => state.search(q).await,
                Err(e) => Err(e),
            }
        }
        Err(e) => Err(e),
    };
    let mut retry_after = None;
    let status = match outcome {
        Ok(results) => {
            fill(&mut page, &results, &names);
            StatusCode::OK
        }
        Err(e) => {
            let status = e.status();
            retry_after = e.retry_after();
            page.error = Some(if status == StatusCode::BAD_REQUEST {
                format!("查询有误：{e}")
            } else {
                format!("暂时无法搜索：{e}")
            });
            if status.is_server_error() {
                tracing::warn!(error = %e, "search page failed");
            }
            status
        }
    };
    let mut response = respond(&reader, status, &page, None);
    if let Some(retry) = retry_after {
        response.headers_mut().insert(header::RETRY_AFTER, retry);
    }
    Ok(response)
}

/// Puts `results` on `page`.
fn fill(page: &mut SearchPage, results: &SearchResults, names: &Names) {
    page.searched = true;
    page.total = results.total;
    page.total_exact = results.total_exact;
    // A count that stopped is a lower bound, and a hit past it is known to exist (the count
    // stops at a hit it does not count), so there is a next page while pages last.
    page.pages = (results.total as usize).div_ceil(PAGE).min(MAX_PAGE);
    page.hits = results
        .hits
        .iter()
        .map(|h| HitItem {
            key: h.key.clone(),
            title: display_title(&h.title),
            source_name: names.name(&h.source),
            published: h.published_ms.and_then(When::from_ms),
            snippet: h.snippet.clone(),
            gone: h.gone,
        })
        .collect();
    page.prev = (page.page > 1).then(|| page.form.href(page.page - 1));
    page.next = (page.page < page.pages || !results.total_exact && page.page < MAX_PAGE)
        .then(|| page.form.href(page.page + 1));
}
