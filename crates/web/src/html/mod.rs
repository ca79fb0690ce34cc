//! The HTML reader: every page a browser sees, rendered on the server from askama templates
//! (`crates/web/templates/`), styled by one embedded stylesheet, readable without JavaScript.
//!
//! Owns the pages (`/`, `/sources/{id}`, `/articles/{key}` with its versions, diffs and raw
//! captures, `/changes`, `/search`), the stylesheet route, the 简/繁 toggle and the HTML error
//! pages (every unknown path outside the API is an HTML 404). Does not own the data (the index
//! and the archive decide what exists), the JSON API, Atom out, archived assets (`media.rs`) or
//! the headers every response gets (`layers.rs`: CSP, ETag, compression).
//!
//! Words: the *reader* of a request ([`page::Reader`]) is what it asked for besides its route:
//! the script preference (`zh`) and the path and query the toggle links rebuild; the *chrome*
//! ([`page::Chrome`]) is what every page shows around its content (title, feed link, search
//! box, toggle); a *badge* marks an article that changed (`changed`, more than one version) or
//! that its source no longer serves (`gone`).
//!
//! Safety: archived HTML reaches a page only through `content::body_html` (the sanitizer, with
//! unarchived images turned into links); everything else goes through askama's escaping, and the
//! few fragments built here (`diff.rs`) escape their text themselves.

mod article;
mod body_cache;
mod changes;
mod diff;
mod error;
mod events;
mod home;
mod listing;
mod page;
mod search;
mod source;
mod style;
mod time;
mod version;
mod zh;

use crate::WebState;
use axum::Router;
use axum::routing::get;

/// The reader's routes (merged at the root, beside the API and the feeds).
///
/// The fallback answers unknown paths with an HTML 404 page; `/api/v1` has its own JSON one.
pub(crate) fn routes() -> Router<WebState> {
    Router::new()
        .route("/", get(home::home))
        .route("/sources/{id}", get(source::source))
        .route("/articles/{key}", get(article::article))
        .route("/articles/{key}/v/{n}", get(version::version))
        .route("/articles/{key}/raw/{n}", get(version::raw))
        .route("/articles/{key}/diff", get(diff::diff))
        .route("/changes", get(changes::changes))
        .route("/search", get(search::search))
        .route("/static/{file}", get(style::stylesheet))
        .fallback(error::not_found)
}
