//! `GET /sources/{id}`: one source's articles, newest first, paged by cursor (`?after=`), and
//! its health. A source is known when it is configured or the archive holds articles of it.

use super::error::{PageError, PagePath};
use super::listing::{self, ArticleItem, Names, PAGE, SourceHealth};
use super::page::{Chrome, Feed, Reader, encode_segment, respond};
use crate::WebState;
use crate::api::params::source_id;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

#[derive(Template)]
#[template(path = "source.html")]
struct SourcePage {
    chrome: Chrome,
    source: SourceHealth,
    articles: Vec<ArticleItem>,
    next: Option<String>,
    later: bool,
}

/// `GET /sources/{id}`.
pub(crate) async fn source(
    State(state): State<WebState>,
    reader: Reader,
    PagePath(id): PagePath<String>,
) -> Result<Response, PageError> {
    let id = source_id("source", &id)?.to_string();
    let after = reader.params().article_cursor("after")?;
    let later = after.is_some();
    let wanted = id.clone();
    let (page, counts, states) = state
        .read_index(move |index| {
            Ok((
                index.list_articles(Some(&wanted), after.as_ref(), PAGE)?,
                index.source_counts()?,
                index.source_states()?,
            ))
        })
        .await?;
    let configured = state.sources();
    let Some(health) = listing::health(&configured, &counts, &states)
        .into_iter()
        .find(|s| s.id == id)
    else {
        return Err(PageError::not_found(format!("没有这个来源：{id}")));
    };
    let names = Names::new(&configured);
    let page = SourcePage {
        chrome: reader.chrome(health.name.clone(), Feed::source(&id, &health.name)),
        articles: page
            .items
            .iter()
            .map(|a| ArticleItem::new(a, &names))
            .collect(),
        next: page
            .next
            .map(|c| format!("/sources/{}?after={}", encode_segment(&id), c.encode())),
        later,
        source: health,
    };
    Ok(respond(&reader, StatusCode::OK, &page, None))
}
