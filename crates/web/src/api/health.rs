//! `GET /api/v1/health`: is the server up, can it read the archive, and is every enabled source
//! being checked successfully.
//!
//! 200 with `"status": "ok"` or `"degraded"` (an enabled source's last check failed; the server
//! itself works); 503 when the index cannot be opened at all. `search` says whether search
//! answers yet (a server started while the search index catches up serves everything else).

use super::sources::{SourceStatus, statuses};
use crate::error::ApiError;
use crate::{SearchReadiness, WebState};
use axum::Json;
use axum::extract::State;
use chrono::{SecondsFormat, Utc};
use serde::Serialize;

/// The server's overall condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Status {
    Ok,
    Degraded,
}

#[derive(Debug, Serialize)]
pub(crate) struct Health {
    status: Status,
    /// The newsvault version serving.
    version: &'static str,
    /// Now, RFC 3339 UTC.
    time: String,
    uptime_s: u64,
    articles: u64,
    versions: u64,
    sources: Vec<SourceStatus>,
    search: SearchStatus,
}

/// The search index as the server sees it.
#[derive(Debug, Serialize)]
struct SearchStatus {
    /// `ready`, or `catching_up` with the archive.
    state: &'static str,
    /// Capture-log bytes applied by the catch-up, and all it has to apply (0 when ready).
    done_bytes: u64,
    total_bytes: u64,
}

impl From<SearchReadiness> for SearchStatus {
    fn from(r: SearchReadiness) -> SearchStatus {
        match r {
            SearchReadiness::Ready => SearchStatus {
                state: "ready",
                done_bytes: 0,
                total_bytes: 0,
            },
            SearchReadiness::CatchingUp { done, total } => SearchStatus {
                state: "catching_up",
                done_bytes: done,
                total_bytes: total,
            },
        }
    }
}

/// `GET /api/v1/health`.
pub(crate) async fn health(State(state): State<WebState>) -> Result<Json<Health>, ApiError> {
    let ((_, articles, versions, _), states) = state
        .read_index(|index| Ok((index.counts()?, index.source_states()?)))
        .await?;
    let sources = statuses(&state.sources(), &states);
    let status = if sources.iter().any(SourceStatus::failing) {
        Status::Degraded
    } else {
        Status::Ok
    };
    Ok(Json(Health {
        status,
        version: env!("CARGO_PKG_VERSION"),
        time: Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
        uptime_s: state.uptime_s(),
        articles,
        versions,
        sources,
        search: state.search_readiness().into(),
    }))
}
