use super::auth::CitizenAuth;
use super::problem::{ApiError, ApiQuery};
use super::state::AppState;
use crate::qr::QrMatrix;
use axum::Json;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use xinyi_merchant_sdk::{CodeClaims, LevelView};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CodeQuery {
    /// `json` (the default), `png` for an image/png QR, or `text` for the bare code as text/plain.
    #[param(pattern = "^(json|png|text)$")]
    pub format: Option<String>,
    /// A grant to the signed-in citizen (`POST /v1/me/proxies/accept`): the
    /// code is then the grantor's, at the grantor's level, and no merchant
    /// can tell it from one the grantor fetched.
    #[serde(rename = "for")]
    #[param(rename = "for")]
    pub for_grant: Option<String>,
}

#[derive(PartialEq, Eq)]
enum Format {
    Json,
    Png,
    Text,
}

#[derive(Serialize, ToSchema)]
pub struct IssuedCode {
    /// The credit code text (docs/credit-code.md).
    pub code: String,
    pub level: LevelView,
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// The code as a QR (level Q), ready to put in a page.
    pub qr_svg: String,
}

/// A fresh credit code for the signed-in citizen, or with `for` for the
/// citizen who made them their proxy. Writes nothing for one's own code:
/// the code carries everything a redemption needs, sealed and signed. A
/// proxy's code is recorded for the grantor to see.
#[utoipa::path(post, path = "/v1/me/code", tag = "citizen", security(("citizen" = [])), params(CodeQuery),
    responses(
        (status = 200, description = "the code: JSON, a PNG QR with ?format=png, or the bare code as text with ?format=text",
            content((IssuedCode = "application/json"), (Vec<u8> = "image/png"), (String = "text/plain"))),
        (status = 401, body = super::problem::Problem),
        (status = 403, body = super::problem::Problem, description = "level_too_low, or blacklisted: on the black list (the detail names the reason and the source); grant_ended for a grant that expired or was ended"),
        (status = 404, body = super::problem::Problem, description = "`for` names no grant to the signed-in citizen"),
        (status = 429, body = super::problem::Problem, description = "rate_limited: more than XINYI_CODES_PER_MINUTE codes")))]
pub async fn issue_code(
    State(state): State<AppState>,
    CitizenAuth(citizen): CitizenAuth,
    ApiQuery(query): ApiQuery<CodeQuery>,
) -> Result<Response, ApiError> {
    let format = match query.format.as_deref() {
        None | Some("json") => Format::Json,
        Some("png") => Format::Png,
        Some("text") => Format::Text,
        Some(other) => {
            return Err(ApiError::InvalidField {
                field: "format".into(),
                detail: format!("format 只能是 json、png 或 text / format must be json, png or text, not {other:?}"),
            });
        }
    };
    let now = super::whole_second_now();
    // The code is the holder's: the signed-in citizen's, or a grantor's.
    let (holder, level) = match &query.for_grant {
        None => (citizen.number, super::code_gate::code_level(&state, &citizen, now).await?),
        Some(grant_id) => super::proxies::grantor_for_code(&state, &citizen, grant_id, now).await?,
    };
    state.rate_limits.take_code(citizen.number.0)?;
    let ring = state.keys.ring().await?;
    let key = ring.signing_key_at(now).ok_or_else(|| ApiError::internal("no signing key may sign now"))?;
    let claims = CodeClaims {
        level,
        issued_at: now,
        lifetime: state.policy.code_lifetime,
        handle: key.sealer.seal(holder, &mut rand::rngs::OsRng),
    };
    let (code, code_id) = key.signer.sign_with_id(&claims).map_err(ApiError::internal)?;
    let expires_at = now + time::Duration::seconds(state.policy.code_lifetime.secs().into());
    if let Some(grant_id) = &query.for_grant {
        // Recorded before the code is shown: the grantor sees every code a
        // proxy fetched, and ending the grant withdraws it.
        state.store.record_proxy_code(grant_id, &code_id.to_hex(), now, expires_at).await?;
        crate::metrics::proxy_code_issued();
    }
    crate::metrics::code_issued();
    let no_store = (CACHE_CONTROL, "no-store");
    if format == Format::Text {
        return Ok(([(CONTENT_TYPE, "text/plain; charset=utf-8"), no_store], code).into_response());
    }
    let qr = QrMatrix::encode(&code).map_err(ApiError::internal)?;
    if format == Format::Png {
        return Ok(([(CONTENT_TYPE, "image/png"), no_store], qr.to_png()).into_response());
    }
    let body = IssuedCode { code, level: level.into(), issued_at: now, expires_at, qr_svg: qr.to_svg() };
    Ok(([no_store], Json(body)).into_response())
}
