//! The scenario catalogue over HTTP: public to read, coordinators add and
//! rename. A code never changes once made: merchants and the ledger hold it.

use super::auth::CoordinatorAuth;
use super::problem::{ApiError, ApiJson, Problem};
use super::state::AppState;
use crate::domain::categories::Category;
use crate::storage::StoreError;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"code": "gov_service", "name_zh": "信易批", "name_en": "Government approvals", "merchants": 1}))]
pub struct CategoryView {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// Merchants registered under it, suspended ones included.
    pub merchants: i64,
}

impl CategoryView {
    fn of(category: Category, merchants: i64) -> CategoryView {
        CategoryView { code: category.code, name_zh: category.name_zh, name_en: category.name_en, merchants }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NewCategory {
    #[schema(pattern = "^[a-z][a-z0-9_]{1,31}$")]
    pub code: String,
    #[schema(min_length = 1, max_length = 60, pattern = "\\S")]
    pub name_zh: String,
    #[schema(min_length = 1, max_length = 60, pattern = "\\S")]
    pub name_en: String,
}

/// Either name, or both; the code stays.
#[derive(Deserialize, ToSchema)]
pub struct CategoryNames {
    #[schema(min_length = 1, max_length = 60, pattern = "\\S")]
    pub name_zh: Option<String>,
    #[schema(min_length = 1, max_length = 60, pattern = "\\S")]
    pub name_en: Option<String>,
}

/// The catalogue of 信易+ scenarios, with how many merchants each has.
#[utoipa::path(get, path = "/v1/categories", tag = "public", responses((status = 200, body = Vec<CategoryView>)))]
pub async fn list_categories(State(state): State<AppState>) -> Result<Json<Vec<CategoryView>>, ApiError> {
    Ok(Json(state.store.categories().await?.into_iter().map(|(c, n)| CategoryView::of(c, n)).collect()))
}

/// Adds a scenario to the catalogue.
#[utoipa::path(post, path = "/v1/categories", tag = "coordinator", security(("coordinator" = [])),
    request_body = NewCategory,
    responses((status = 201, body = CategoryView),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "category_exists"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_category(
    State(state): State<AppState>,
    CoordinatorAuth(_): CoordinatorAuth,
    ApiJson(body): ApiJson<NewCategory>,
) -> Result<(StatusCode, Json<CategoryView>), ApiError> {
    let category =
        Category::parse(&body.code, &body.name_zh, &body.name_en).map_err(|e| ApiError::invalid(e.field, e.message))?;
    match state.store.create_category(&category, OffsetDateTime::now_utc()).await {
        Ok(()) => {}
        Err(StoreError::AlreadyExists(_)) => {
            return Err(ApiError::Refused {
                status: StatusCode::CONFLICT,
                code: "category_exists",
                title: "类别已存在 / Category exists",
                detail: format!("已有类别 {0} / There is a category {0} already", category.code),
            });
        }
        Err(other) => return Err(other.into()),
    }
    state.directory.changed();
    Ok((StatusCode::CREATED, Json(CategoryView::of(category, 0))))
}

/// Renames a scenario, in either language or both.
#[utoipa::path(patch, path = "/v1/categories/{code}", tag = "coordinator", security(("coordinator" = [])),
    params(("code" = String, Path)), request_body = CategoryNames,
    responses((status = 200, body = CategoryView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn rename_category(
    State(state): State<AppState>,
    CoordinatorAuth(_): CoordinatorAuth,
    Path(code): Path<String>,
    ApiJson(body): ApiJson<CategoryNames>,
) -> Result<Json<CategoryView>, ApiError> {
    let current = state.store.category(&code).await?.ok_or_else(|| ApiError::not_found("类别 / category"))?;
    let renamed = current
        .renamed(body.name_zh.as_deref(), body.name_en.as_deref())
        .map_err(|e| ApiError::invalid(e.field, e.message))?;
    if !state.store.rename_category(&renamed).await? {
        return Err(ApiError::not_found("类别 / category"));
    }
    state.directory.changed();
    let merchants = state.store.categories().await?.into_iter().find(|(c, _)| c.code == code).map_or(0, |(_, n)| n);
    Ok(Json(CategoryView::of(renamed, merchants)))
}
