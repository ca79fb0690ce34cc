//! `GET /api/v1/sources` and `/sources/{id}`: configured sources with the state of their last
//! checks; the admin actions `POST /sources` (add), `DELETE /sources/{id}` (remove) and
//! `POST /sources/{id}/refresh` (check now), which need `Authorization: Bearer <token>`.
//!
//! A *source status* joins a configured source (`newsvault.toml`, or the archive's folders when
//! there is no configuration) with its row in the index's operational state, by id. A source
//! that was never checked has no row: its state fields are null.

use super::params::{ApiPath, source_id};
use crate::WebState;
use crate::admin::{Admin, RefreshSummary, token_matches};
use crate::error::ApiError;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};
use index::SourceState;
use model::SourceConfig;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

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

/// `GET /api/v1/sources/{id}`.
pub(crate) async fn one(
    State(state): State<WebState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<SourceStatus>, ApiError> {
    let id = source_id("id", &id)?;
    let Some(config) = state.sources().into_iter().find(|s| s.id == id) else {
        return Err(ApiError::Missing(format!(
            "no source {:?} is configured",
            id.as_str()
        )));
    };
    let found = id.clone();
    let source_state = state
        .read_index(move |index| index.source_state(found.as_str()))
        .await?;
    Ok(Json(SourceStatus::new(&config, source_state.as_ref())))
}

/// The admin actions, when the request carries the configured token.
///
/// Admin off (no `[server] admin_token`) and a wrong token are 403; no or a malformed
/// `Authorization` header is 401.
fn authorize(state: &WebState, headers: &HeaderMap) -> Result<Arc<dyn Admin>, ApiError> {
    let Some(access) = state.admin() else {
        return Err(ApiError::Forbidden(
            "admin is off: set [server] admin_token in newsvault.toml to enable it".into(),
        ));
    };
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(ApiError::Unauthorized(
            "this admin action needs `Authorization: Bearer <token>` ([server] admin_token)".into(),
        ));
    };
    let token = value.to_str().ok().and_then(|v| {
        let (scheme, token) = v.trim().split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
    });
    let Some(token) = token else {
        return Err(ApiError::Unauthorized(
            "the Authorization header must be `Bearer <token>`".into(),
        ));
    };
    if !token_matches(token, &access.token) {
        return Err(ApiError::Forbidden(
            "the admin token is not the configured one".into(),
        ));
    }
    Ok(Arc::clone(&access.actions))
}

/// The body of `POST /api/v1/sources`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewSource {
    id: String,
    url: String,
    name: Option<String>,
    #[serde(default)]
    full_text: bool,
    interval_minutes: Option<u32>,
    #[serde(default = "enabled_by_default")]
    enabled: bool,
}

fn enabled_by_default() -> bool {
    true
}

impl NewSource {
    fn into_config(self) -> Result<SourceConfig, ApiError> {
        let id = source_id("id", self.id.trim())?;
        let url = self.url.trim();
        match url::Url::parse(url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
            _ => {
                return Err(ApiError::BadRequest(format!(
                    "url: {url:?} is not an absolute http(s) feed URL"
                )));
            }
        }
        let name = match self.name.as_deref().map(str::trim) {
            Some(name) if !name.is_empty() => name.to_owned(),
            _ => id.to_string(),
        };
        let mut source = SourceConfig::new(id, name, url);
        source.full_text = self.full_text;
        source.enabled = self.enabled;
        if let Some(minutes) = self.interval_minutes {
            if minutes == 0 {
                return Err(ApiError::BadRequest(
                    "interval_minutes: must be at least 1".into(),
                ));
            }
            source.interval_minutes = minutes;
        }
        Ok(source)
    }
}

/// `POST /api/v1/sources` (admin): 201 with the new source's status.
pub(crate) async fn add(
    State(state): State<WebState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<SourceStatus>), ApiError> {
    let admin = authorize(&state, &headers)?;
    let body = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge {
            limit: crate::layers::MAX_BODY_BYTES,
        },
        _ => ApiError::BadRequest(format!(
            "the request body cannot be read: {}",
            e.body_text()
        )),
    })?;
    let new: NewSource = serde_json::from_slice(&body).map_err(|e| {
        ApiError::BadRequest(format!(
            "the body is not a source ({e}); send {{\"id\": \"...\", \"url\": \"https://...\"}} \
             with optional name, full_text, interval_minutes, enabled"
        ))
    })?;
    let source = new.into_config()?;
    admin.add_source(source.clone()).await?;
    tracing::info!(source = %source.id, url = %source.url, "source added through the API");
    Ok((StatusCode::CREATED, Json(SourceStatus::new(&source, None))))
}

/// What `DELETE /api/v1/sources/{id}` answers.
#[derive(Debug, Serialize)]
pub(crate) struct Removed {
    id: String,
    removed: bool,
}

/// `DELETE /api/v1/sources/{id}` (admin): the archive of the source stays.
pub(crate) async fn remove(
    State(state): State<WebState>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Removed>, ApiError> {
    let admin = authorize(&state, &headers)?;
    let id = source_id("id", &id)?;
    admin.remove_source(id.clone()).await?;
    tracing::info!(source = %id, "source removed through the API");
    Ok(Json(Removed {
        id: id.to_string(),
        removed: true,
    }))
}

/// `POST /api/v1/sources/{id}/refresh` (admin): checks the source now and reports what it did.
pub(crate) async fn refresh(
    State(state): State<WebState>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<RefreshSummary>, ApiError> {
    let admin = authorize(&state, &headers)?;
    let id = source_id("id", &id)?;
    if !state.sources().iter().any(|s| s.id == id) {
        return Err(ApiError::Missing(format!(
            "no source {:?} is configured",
            id.as_str()
        )));
    }
    Ok(Json(admin.refresh(id).await?))
}
