//! A terminal's receipts: for each of its redemptions, the C2SP
//! `tlog-proof` that its entry is in the signed ledger tree, kept on disk
//! once it verified offline against the pinned log key and its entry said
//! what the redemption's answer said. A redemption waits as
//! `<id>.pending.json` (its answer) until its proof exists (the service
//! signs a checkpoint about a second after a commit), then is kept as
//! `<id>.tlog-proof`. Files are written whole, then renamed, so a crash
//! leaves the old file or the new one.

use super::answers::{Failure, read_answer};
use super::{ClientError, MerchantClient};
use crate::api::Redemption;
use crate::ledger_entry::{DecodedEntry, decode_entry};
use crate::signed_note::NoteVerifier;
use crate::tlog_proof::verify_receipt;
use std::path::{Path, PathBuf};

/// What `collect_receipts` did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ReceiptReport {
    /// Redemptions whose proof verified and is now kept.
    pub kept: Vec<String>,
    /// Not in a signed checkpoint yet, or the service could not be reached: asked again next time.
    pub waiting: Vec<String>,
    /// The service answered a proof that does not verify, or whose entry
    /// disagrees with the redemption's answer: evidence to keep and report.
    pub refused: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub(super) struct ReceiptBook {
    dir: PathBuf,
    pub(super) log_key: NoteVerifier,
}

/// A redemption id as a file name: ids are `red_` and hex, and anything
/// else is refused rather than written somewhere unexpected.
fn file_stem(id: &str) -> std::io::Result<&str> {
    let safe =
        !id.is_empty() && id.len() <= 128 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    safe.then_some(id).ok_or_else(|| std::io::Error::other(format!("not a redemption id: {id:?}")))
}

fn write_whole(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let partial = path.with_extension("partial");
    std::fs::write(&partial, bytes)?;
    std::fs::File::open(&partial)?.sync_all()?;
    std::fs::rename(&partial, path)
}

impl ReceiptBook {
    pub(super) fn new(dir: PathBuf, log_key: NoteVerifier) -> ReceiptBook {
        ReceiptBook { dir, log_key }
    }

    fn path(&self, id: &str, extension: &str) -> std::io::Result<PathBuf> {
        Ok(self.dir.join(format!("{}.{extension}", file_stem(id)?)))
    }

    /// Remembers a redemption whose receipt is still to fetch.
    pub(super) fn expect(&self, redemption: &Redemption) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let answer = serde_json::to_vec(redemption).expect("a redemption serialises");
        write_whole(&self.path(&redemption.redemption_id, "pending.json")?, &answer)
    }

    /// The redemptions waiting for their receipt, in no order.
    pub(super) fn pending(&self) -> std::io::Result<Vec<Redemption>> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let mut pending = Vec::new();
        for entry in entries {
            let path = entry?.path();
            if path.to_string_lossy().ends_with(".pending.json") {
                let bytes = std::fs::read(&path)?;
                pending.push(serde_json::from_slice(&bytes).map_err(std::io::Error::other)?);
            }
        }
        Ok(pending)
    }

    /// Checks a proof for `redemption` offline; the reason when it fails.
    pub(super) fn check(&self, redemption: &Redemption, proof: &str) -> Result<(), String> {
        let (included, entry) = verify_receipt(proof, &self.log_key).map_err(|e| e.to_string())?;
        let entry = decode_entry(&entry).map_err(|e| e.to_string())?;
        if included.index + 1 != entry.seq as u64 {
            return Err(format!("the proof is of leaf {}, the entry says seq {}", included.index, entry.seq));
        }
        disagreement(redemption, &entry).map_or(Ok(()), Err)
    }

    /// Keeps a verified proof and forgets the redemption's pending file.
    pub(super) fn keep(&self, id: &str, proof: &str) -> std::io::Result<()> {
        write_whole(&self.path(id, "tlog-proof")?, proof.as_bytes())?;
        match std::fs::remove_file(self.path(id, "pending.json")?) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// The kept proof of a redemption, if there is one.
    pub(super) fn proof(&self, id: &str) -> std::io::Result<Option<String>> {
        match std::fs::read_to_string(self.path(id, "tlog-proof")?) {
            Ok(proof) => Ok(Some(proof)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// What the entry in the books says that the redemption's answer did not.
fn disagreement(redemption: &Redemption, entry: &DecodedEntry) -> Option<String> {
    let checks = [
        ("kind", entry.kind == "redemption"),
        ("redemption_id", entry.redemption_id == redemption.redemption_id),
        ("seq", entry.seq == redemption.ledger_seq),
        ("level", i64::from(entry.level) == i64::from(redemption.level.rank)),
        ("amount_fen", entry.amount_fen == redemption.amount_fen),
        ("discount_fen", entry.discount_fen == redemption.discount_fen),
        ("payable_fen", entry.payable_fen == redemption.payable_fen),
    ];
    checks
        .iter()
        .find(|(_, agrees)| !agrees)
        .map(|(field, _)| format!("the entry in the books disagrees with the redemption's answer on {field}"))
}

impl MerchantClient {
    #[allow(clippy::result_large_err)] // the client's one error type, as its async calls return
    pub(super) fn expect_receipt(&self, redemption: &Redemption) -> Result<(), ClientError> {
        match &self.receipts {
            Some(book) => book.expect(redemption).map_err(ClientError::Receipts),
            None => Ok(()),
        }
    }

    /// Fetches the receipt of every redemption still waiting for one,
    /// checks it offline (the proof against the pinned log key, and that
    /// the entry in the books says what the redemption's answer said), and
    /// keeps those that pass. Call it now and then, e.g. after `sync`.
    pub async fn collect_receipts(&self) -> Result<ReceiptReport, ClientError> {
        let Some(book) = &self.receipts else { return Ok(ReceiptReport::default()) };
        let mut report = ReceiptReport::default();
        for redemption in book.pending().map_err(ClientError::Receipts)? {
            let id = redemption.redemption_id.clone();
            let Some(proof) = self.fetch_proof(&id).await? else {
                report.waiting.push(id);
                continue;
            };
            match book.check(&redemption, &proof) {
                Ok(()) => {
                    book.keep(&id, &proof).map_err(ClientError::Receipts)?;
                    report.kept.push(id);
                }
                Err(why) => report.refused.push((id, why)),
            }
        }
        Ok(report)
    }

    /// The kept receipt of one of this terminal's redemptions: a C2SP
    /// `tlog-proof@v1` to show anyone who holds the log key.
    #[allow(clippy::result_large_err)] // the client's one error type, as its async calls return
    pub fn receipt(&self, redemption_id: &str) -> Result<Option<String>, ClientError> {
        match &self.receipts {
            Some(book) => book.proof(redemption_id).map_err(ClientError::Receipts),
            None => Ok(None),
        }
    }

    /// The proof as served; `None` while it is not in a checkpoint yet or
    /// the service cannot be reached.
    async fn fetch_proof(&self, redemption_id: &str) -> Result<Option<String>, ClientError> {
        let url = self.url(&format!("/v1/redemptions/{redemption_id}/proof"));
        let response = match self.http.get(&url).bearer_auth(&self.config.api_key).send().await {
            Ok(response) => response,
            Err(_) => return Ok(None),
        };
        let status = response.status();
        if status.is_success() {
            return Ok(response.text().await.ok());
        }
        if status.as_u16() == 409 || status.is_server_error() {
            return Ok(None);
        }
        match read_answer::<serde_json::Value>(response).await {
            Err(Failure::Refused(problem)) => Err(ClientError::Refused(problem)),
            _ => Ok(None),
        }
    }
}
