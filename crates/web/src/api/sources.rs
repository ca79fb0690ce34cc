//! `GET /api/v1/sources`: every configured source with the state of its last checks.
//!
//! A *source status* joins a configured source (`newsvault.toml`, or the archive's folders when
//! there is no configuration) with its row in the index's operational state, by id. A source
//! that was never checked has no row: its state fields are null.

use crate::WebState;
use crate::error::ApiError;
use axum::Json;
use axum::extract::State;
use index::SourceState;
use model::SourceConfig;
use serde::Serialize;
use std::collections::HashMap;

/// One source as the API shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct SourceStatus {
    id: String,
    name: String,
    /// The feed URL; empty when the source is known only from the archive.
    url: String,
    enabled: bool,
    last_attempt: Option<String>,
    last_success: Option<String>,
    /// The last check's error; null after a success.
    last_error: Option<String>,
    last_error_time: Option<String>,
    next_due: Option<String>,
    /// Consecutive failed checks; null when never checked.
    failures: Option<u32>,
    /// Articles the last check archived; null when never checked.
    last_new: Option<u32>,
}

impl SourceStatus {
    fn new(config: &SourceConfig, state: Option<&SourceState>) -> SourceStatus {
        let checked = state.is_some();
        let s = state.cloned().unwrap_or_default();
        SourceStatus {
            id: config.id.to_string(),
            name: config.name.clone(),
            url: config.url.clone(),
            enabled: config.enabled,
            last_attempt: s.last_attempt,
            last_success: s.last_success,
            last_error: s.last_error,
            last_error_time: s.last_error_time,
            next_due: s.next_due,
            failures: checked.then_some(s.failures),
            last_new: checked.then_some(s.last_new),
        }
    }

    /// True when the source is enabled and its last check failed: what makes the server
    /// "degraded".
    pub(crate) fn failing(&self) -> bool {
        self.enabled && self.last_error.is_some()
    }
}

/// The configured sources, in configuration order, each with its state from `states`.
/// States of sources no longer configured are left out.
pub(crate) fn statuses(configured: &[SourceConfig], states: &[SourceState]) -> Vec<SourceStatus> {
    let by_id: HashMap<&str, &SourceState> = states.iter().map(|s| (s.id.as_str(), s)).collect();
    configured
        .iter()
        .map(|c| SourceStatus::new(c, by_id.get(c.id.as_str()).copied()))
        .collect()
}

/// `GET /api/v1/sources`.
pub(crate) async fn list(
    State(state): State<WebState>,
) -> Result<Json<Vec<SourceStatus>>, ApiError> {
    let states = state.read_index(|index| index.source_states()).await?;
    Ok(Json(statuses(&state.sources(), &states)))
}
