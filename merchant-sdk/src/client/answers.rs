//! How the service's answers are read: a success as JSON, a refusal as
//! problem+json the cashier can act on, and anything that may succeed on a
//! retry (no answer, 5xx, an unreadable body) as unavailable.

use super::ClientError;
use crate::api::ProblemDetails;

/// Why a request did not succeed.
pub(super) enum Failure {
    Refused(ProblemDetails),
    Unavailable(String),
}

pub(super) fn client_error(failure: Failure) -> ClientError {
    match failure {
        Failure::Refused(p) => ClientError::Refused(p),
        Failure::Unavailable(why) => ClientError::Unreachable(why),
    }
}

pub(super) async fn read_answer<T: serde::de::DeserializeOwned>(response: reqwest::Response) -> Result<T, Failure> {
    let status = response.status();
    let body = response.bytes().await.map_err(|e| Failure::Unavailable(e.to_string()))?;
    if status.is_server_error() {
        return Err(Failure::Unavailable(format!("HTTP {status}")));
    }
    if status.is_success() {
        return serde_json::from_slice(&body).map_err(|e| Failure::Unavailable(format!("unreadable answer: {e}")));
    }
    match serde_json::from_slice::<ProblemDetails>(&body) {
        Ok(problem) => Err(Failure::Refused(problem)),
        Err(_) => Err(Failure::Refused(ProblemDetails {
            problem_type: "about:blank".into(),
            code: "http_error".into(),
            title: format!("HTTP {status}"),
            status: status.as_u16(),
            detail: String::from_utf8_lossy(&body).chars().take(500).collect(),
            field: None,
        })),
    }
}
