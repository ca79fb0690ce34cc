//! `GET /`: the newest articles across sources (paged by cursor, `?after=`) and every source
//! with its health.

use super::error::PageError;
use super::listing::{self, ArticleItem, Names, PAGE, SourceHealth};
use super::page::{Chrome, Feed, Reader, respond};
use crate::WebState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    articles: Vec<ArticleItem>,
    /// The next page's URL, when there is one.
    next: Option<String>,
    /// Whether this is a later page (`?after=`).
    later: bool,
    total: u64,
    sources: Vec<SourceHealth>,
}

/// `GET /`.
pub(crate) async fn home(
    State(state): State<WebState>,
    reader: Reader,
) -> Result<Response, PageError> {
    let after = reader.params().article_cursor("after")?;
    let later = after.is_some();
    let (page, total, counts, states) = state
        .read_index(move |index| {
            Ok((
                index.list_articles(None, after.as_ref(), PAGE)?,
                index.count_articles(None)?,
                index.source_counts()?,
                index.source_states()?,
            ))
        })
        .await?;
    let configured = state.sources();
    let names = Names::new(&configured);
    let page = HomePage {
        chrome: reader.chrome("最新文章", Feed::all()),
        articles: page
            .items
            .iter()
            .map(|a| ArticleItem::new(a, &names))
            .collect(),
        next: page.next.map(|c| format!("/?after={}", c.encode())),
        later,
        total,
        sources: listing::health(&configured, &counts, &states),
    };
    Ok(respond(&reader, StatusCode::OK, &page, None))
}
