//! `xinyi witness serve`: a C2SP `tlog-witness` for the ledger log, run by
//! someone other than the service's operator (the audit office, a
//! neighbouring city). It cosigns (`cosignature/v1`) only checkpoints that
//! the log's key signed and that extend, by a consistency proof, the last
//! one it cosigned, and records each before it answers; a log that
//! rewrote its history gets 422 and never a cosignature.

mod add_checkpoint;
mod state;

pub use add_checkpoint::{AddCheckpoint, Refusal};
pub use state::{StateError, load_or_create_key};

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use std::path::PathBuf;
use std::sync::Arc;
use xinyi_merchant_sdk::cosignature::Cosigner;
use xinyi_merchant_sdk::signed_note::{Checkpoint, NoteVerifier};

/// The name a witness's key gets when its first start names none.
pub const DEFAULT_NAME: &str = "witness.xinyi.example";

pub struct Witness {
    cosigner: Cosigner,
    log_key: NoteVerifier,
    dir: PathBuf,
    /// The last checkpoint cosigned: checked and replaced under this lock,
    /// so two requests can never roll the witness back (the spec's race).
    last: tokio::sync::Mutex<Option<Checkpoint>>,
}

impl Witness {
    pub fn open(dir: PathBuf, name: &str, log_key: NoteVerifier) -> Result<Witness, StateError> {
        let cosigner = load_or_create_key(&dir, name)?;
        let last = state::load_checkpoint(&dir, &log_key)?.map(|(checkpoint, _)| checkpoint);
        Ok(Witness { cosigner, log_key, dir, last: tokio::sync::Mutex::new(last) })
    }

    /// Decides, records and cosigns one `add-checkpoint` body.
    pub async fn add_checkpoint(&self, body: &str) -> Result<String, Refusal> {
        let request = AddCheckpoint::parse(body)?;
        let mut last = self.last.lock().await;
        let checkpoint = request.decide(&self.log_key, last.as_ref()).inspect_err(|refusal| {
            if matches!(refusal, Refusal::BadProof | Refusal::OtherRoot) {
                // Evidence: a checkpoint the log signed that contradicts one cosigned here.
                tracing::error!(cosigned = ?last.as_ref(), submitted = %request.note, %refusal, "the log's checkpoint does not extend the one cosigned here");
            }
        })?;
        if let Err(error) = state::store_checkpoint(&self.dir, &request.note) {
            tracing::error!(%error, "the witness could not record the checkpoint; not cosigning");
            return Err(Refusal::NotRecorded);
        }
        let now = time::OffsetDateTime::now_utc().unix_timestamp().max(0) as u64;
        let line = self.cosigner.cosign(&checkpoint.to_text(), now);
        *last = Some(checkpoint);
        Ok(line)
    }

    pub fn cosigner(&self) -> &Cosigner {
        &self.cosigner
    }
}

async fn add_checkpoint(State(witness): State<Arc<Witness>>, body: String) -> Response {
    match witness.add_checkpoint(&body).await {
        Ok(line) => ([(CONTENT_TYPE, "text/plain; charset=utf-8")], line).into_response(),
        Err(Refusal::OldSize(size)) => {
            (StatusCode::CONFLICT, [(CONTENT_TYPE, "text/x.tlog.size")], format!("{size}\n")).into_response()
        }
        Err(refusal) => {
            let status = StatusCode::from_u16(refusal.status()).expect("the refusals' statuses are valid");
            (status, [(CONTENT_TYPE, "text/plain; charset=utf-8")], format!("{refusal}\n")).into_response()
        }
    }
}

pub fn router(witness: Arc<Witness>) -> Router {
    Router::new()
        .route("/add-checkpoint", post(add_checkpoint))
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024))
        .with_state(witness)
}
