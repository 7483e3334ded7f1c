//! Every error over HTTP is RFC 9457 problem+json, in Chinese with English.
//! 5xx details are logged and never shown.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every error response (RFC 9457), e.g. a code already redeemed.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"type": "urn:xinyi:problem:code_used", "code": "code_used",
    "title": "信用码已使用 / Code already used", "status": 409,
    "detail": "此信用码已核销过,请让顾客刷新 / This code was redeemed before; ask the customer to refresh it"}))]
pub struct Problem {
    /// `urn:xinyi:problem:<code>`; stable per reason.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// The reason's stable machine name, e.g. `code_used`.
    pub code: &'static str,
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
    /// The request field at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// With `forbidden_for_role`: the roles this endpoint lets in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roles_needed: Option<Vec<&'static str>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{detail}")]
    BadRequest { detail: String },
    #[error("{detail}")]
    Unauthorized { detail: String },
    #[error("{detail}")]
    NotFound { detail: String },
    #[error("{field}: {detail}")]
    InvalidField { field: String, detail: String },
    /// A business rule said no: any status, a stable code.
    #[error("{detail}")]
    Refused { status: StatusCode, code: &'static str, title: &'static str, detail: String },
    /// A business rule about one field said no: a stable code, and the field.
    #[error("{detail}")]
    RefusedField { code: &'static str, title: &'static str, field: &'static str, detail: String },
    /// A staff principal whose role this endpoint does not let in.
    #[error("{}的凭证不能用于此接口,需要:{} / A {} token cannot be used here; this endpoint needs: {}",
        role.name_zh(), super::auth::role_list(needed), role.as_str(), super::auth::role_list(needed))]
    ForbiddenForRole { role: crate::domain::principals::Role, needed: &'static [crate::domain::principals::Role] },
    /// Try again shortly: the write queue is full or the database did not
    /// take the write. Nothing was written.
    #[error("{detail}")]
    Unavailable { detail: &'static str },
    /// Too many requests: try again after this many seconds.
    #[error("{detail}")]
    RateLimited { retry_after_secs: u64, detail: String },
    /// What went wrong is logged, not shown.
    #[error("{0}")]
    Internal(String),
}

/// Seconds a client is asked to wait before retrying a 503.
const RETRY_AFTER_SECS: &str = "1";

impl ApiError {
    pub fn internal(error: impl std::fmt::Display) -> ApiError {
        ApiError::Internal(error.to_string())
    }

    fn parts(&self) -> (StatusCode, &'static str, &'static str) {
        match self {
            ApiError::BadRequest { .. } => (StatusCode::BAD_REQUEST, "bad_request", "请求格式有误 / Malformed request"),
            ApiError::Unauthorized { .. } => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "未登录或凭证无效 / Not signed in, or the credentials are invalid",
            ),
            ApiError::Refused { status: axum::http::StatusCode::FORBIDDEN, code, title, .. } => {
                (StatusCode::FORBIDDEN, code, title)
            }
            ApiError::RefusedField { code, title, .. } => (StatusCode::UNPROCESSABLE_ENTITY, code, title),
            ApiError::ForbiddenForRole { .. } => {
                (StatusCode::FORBIDDEN, "forbidden_for_role", "角色无权操作 / Not allowed for this role")
            }
            ApiError::NotFound { .. } => (StatusCode::NOT_FOUND, "not_found", "未找到 / Not found"),
            ApiError::Refused { status: axum::http::StatusCode::CONFLICT, code, title, .. } => {
                (StatusCode::CONFLICT, code, title)
            }
            ApiError::InvalidField { .. } => {
                (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", "字段无效 / A field is invalid")
            }
            ApiError::Refused { status, code, title, .. } => (*status, code, title),
            ApiError::Unavailable { .. } => {
                (StatusCode::SERVICE_UNAVAILABLE, "unavailable", "服务繁忙,请稍后重试 / Busy: please retry shortly")
            }
            ApiError::RateLimited { .. } => {
                (StatusCode::TOO_MANY_REQUESTS, "rate_limited", "请求过于频繁 / Too many requests")
            }
            ApiError::Internal(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, "internal", "服务器内部错误 / Internal server error")
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, title) = self.parts();
        let detail = match &self {
            ApiError::Internal(inner) => {
                tracing::error!(error = %inner, "request failed");
                "请稍后重试 / Please try again later".to_owned()
            }
            ApiError::InvalidField { detail, .. } => detail.clone(),
            other => other.to_string(),
        };
        let field = match &self {
            ApiError::InvalidField { field, .. } => Some(field.clone()),
            ApiError::RefusedField { field, .. } => Some((*field).to_owned()),
            _ => None,
        };
        let roles_needed = match &self {
            ApiError::ForbiddenForRole { needed, .. } => Some(needed.iter().map(|r| r.as_str()).collect()),
            _ => None,
        };
        let body = Problem {
            problem_type: format!("urn:xinyi:problem:{code}"),
            code,
            title,
            status: status.as_u16(),
            detail,
            field,
            roles_needed,
        };
        let mut response = (status, Json(body)).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let ApiError::RateLimited { retry_after_secs, .. } = &self {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_SECS));
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return ApiError::body_too_large();
        }
        ApiError::BadRequest {
            detail: format!("请求体不是有效的 JSON / The body is not valid JSON: {}", rejection.body_text()),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::BadRequest {
            detail: format!("查询参数无效 / Invalid query parameters: {}", rejection.body_text())
        }
    }
}

impl ApiError {
    /// 413: a body over `limits::MAX_BODY`, wherever it was read.
    pub fn body_too_large() -> ApiError {
        ApiError::Refused {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            code: "body_too_large",
            title: "请求体过大 / Request body too large",
            detail: "请求体不能超过 64 KiB / The request body may be at most 64 KiB".into(),
        }
    }

    pub fn not_found(what: &str) -> ApiError {
        ApiError::NotFound { detail: format!("{what} 不存在 / {what} was not found") }
    }

    pub fn invalid(field: &str, detail: impl Into<String>) -> ApiError {
        ApiError::InvalidField { field: field.to_owned(), detail: detail.into() }
    }
}

impl From<crate::storage::StoreError> for ApiError {
    fn from(error: crate::storage::StoreError) -> Self {
        if error.is_unavailable() {
            // Logged as a warning: the database is away (a failover, a
            // restart), not wrong, and the caller is told to retry.
            tracing::warn!(%error, "the database is unavailable; answered 503");
            return ApiError::Unavailable {
                detail: "数据库暂时不可用,请稍后用同一 Idempotency-Key 重试 / The database is unavailable for a moment; retry shortly with the same Idempotency-Key",
            };
        }
        ApiError::internal(error)
    }
}

impl From<crate::engine::EngineError> for ApiError {
    fn from(error: crate::engine::EngineError) -> Self {
        ApiError::Unavailable {
            detail: match error {
                crate::engine::EngineError::Busy => {
                    "核销队列已满,请用同一 Idempotency-Key 重试 / The write queue is full; retry with the same Idempotency-Key"
                }
                crate::engine::EngineError::Unavailable => {
                    "数据库未确认写入,请用同一 Idempotency-Key 重试 / The database did not confirm the write; retry with the same Idempotency-Key"
                }
            },
        }
    }
}

impl From<crate::domain::principals::RecordRefusal> for ApiError {
    fn from(refusal: crate::domain::principals::RecordRefusal) -> Self {
        use crate::domain::principals::RecordRefusal;
        match refusal {
            RecordRefusal::SourceNotYours { own } => ApiError::Refused {
                status: StatusCode::FORBIDDEN,
                code: "source_not_yours",
                title: "来源不属于本部门 / Not your source",
                detail: format!("本部门只能使用来源 {own} / This department may only use the source {own}"),
            },
            RecordRefusal::DeltaTooLarge { max_delta } => ApiError::RefusedField {
                code: "delta_too_large",
                title: "分值超出本部门上限 / Delta beyond this department's limit",
                field: "delta",
                detail: format!(
                    "本部门单次分值不能超过 ±{max_delta} / This department's events may change a score by at most {max_delta} points"
                ),
            },
        }
    }
}

impl From<crate::signing::KeyError> for ApiError {
    fn from(error: crate::signing::KeyError) -> Self {
        if let crate::signing::KeyError::Store(store) = error {
            return store.into();
        }
        ApiError::internal(error)
    }
}

/// `Json<T>` whose rejection is problem+json, and whose body must be a JSON
/// object: serde would otherwise take `[…]` for a struct, field by field.
pub struct ApiJson<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        let json =
            request.headers().get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
                v.starts_with("application/json") || v.split(';').next().is_some_and(|t| t.ends_with("+json"))
            });
        if !json {
            return Err(ApiError::BadRequest {
                detail: "请求体须为 JSON(Content-Type: application/json)/ The body must be JSON (Content-Type: application/json)".into(),
            });
        }
        let bytes = axum::body::Bytes::from_request(request, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::body_too_large()
            } else {
                ApiError::BadRequest { detail: "请求体读取失败 / The request body could not be read".into() }
            }
        })?;
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return Err(ApiError::BadRequest {
                detail: "请求体须为 JSON 对象 / The body must be a JSON object".into(),
            });
        }
        let axum::Json(value) = axum::Json::<T>::from_bytes(&bytes)?;
        Ok(ApiJson(value))
    }
}

/// `Query<T>` whose rejection is problem+json.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);
