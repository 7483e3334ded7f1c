//! Which departments take declarations: public, so a citizen's page can
//! offer them. Names and sources only, never a principal's id or token.

use super::problem::ApiError;
use super::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"source": "civil-affairs", "name": "民政局 Civil Affairs"}))]
pub struct Department {
    pub source: String,
    pub name: String,
}

/// Every source a live department posts under, with its name.
#[utoipa::path(get, path = "/v1/departments", tag = "public", responses((status = 200, body = Vec<Department>)))]
pub async fn departments(State(state): State<AppState>) -> Result<Json<Vec<Department>>, ApiError> {
    let sources = state.store.department_sources().await?;
    Ok(Json(sources.into_iter().map(|(source, name)| Department { source, name }).collect()))
}
