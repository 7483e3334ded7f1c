//! Asking the log's witnesses (`XINYI_WITNESSES`) to cosign a checkpoint,
//! by C2SP `tlog-witness` `add-checkpoint`. A witness answers 409 with its
//! size when it last cosigned another size than the one sent: it is asked
//! again from that size, with the consistency proof from there. Only
//! cosignatures that verify under the witness's configured key count.

use crate::domain::ledger_proofs::ProofPlan;
use crate::storage::{Store, StoredCheckpoint};
use crate::witness::AddCheckpoint;
use futures::future::join_all;
use std::sync::Mutex;
use std::time::Duration;
use xinyi_merchant_sdk::cosignature::CosignerKey;

/// How long one witness may take to answer.
const WITNESS_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone)]
pub struct WitnessConfig {
    /// The witness's submission prefix: `POST <url>/add-checkpoint`.
    pub url: String,
    pub key: CosignerKey,
}

impl WitnessConfig {
    /// `URL=KEY`, as `XINYI_WITNESSES` lists them.
    pub fn parse(text: &str) -> Result<WitnessConfig, String> {
        let (url, key) = text.trim().split_once('=').ok_or("a witness is URL=KEY")?;
        let key = CosignerKey::parse(key.trim()).map_err(|e| format!("witness key: {e}"))?;
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(format!("witness URL {url:?}: not http(s)"));
        }
        Ok(WitnessConfig { url: url.trim_end_matches('/').to_owned(), key })
    }
}

pub(super) struct Witnesses {
    list: Vec<(WitnessConfig, Mutex<Option<u64>>)>,
    pub(super) quorum: usize,
    http: reqwest::Client,
}

impl Witnesses {
    pub(super) fn new(list: &[WitnessConfig], quorum: usize) -> Witnesses {
        let http = reqwest::Client::builder().timeout(WITNESS_TIMEOUT).build().expect("a rustls HTTP client");
        Witnesses { list: list.iter().map(|w| (w.clone(), Mutex::new(None))).collect(), quorum, http }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The cosignature lines of every witness that cosigned `signed`,
    /// starting from `published` for a witness not heard from yet.
    pub(super) async fn cosign(&self, store: &Store, signed: &StoredCheckpoint, published: u64) -> Vec<String> {
        let asks = self.list.iter().map(|(witness, known)| async move {
            let from = known.lock().expect("never held across a panic").unwrap_or(published);
            match self.ask(store, witness, signed, from).await {
                Ok((lines, size)) => {
                    *known.lock().expect("never held across a panic") = Some(size);
                    Some(lines)
                }
                Err(why) => {
                    tracing::warn!(witness = %witness.url, size = signed.size, %why, "a witness did not cosign");
                    None
                }
            }
        });
        join_all(asks).await.into_iter().flatten().collect()
    }

    async fn ask(
        &self,
        store: &Store,
        witness: &WitnessConfig,
        signed: &StoredCheckpoint,
        mut old: u64,
    ) -> Result<(String, u64), String> {
        for _ in 0..2 {
            if old > signed.size {
                return Err(format!("the witness has cosigned size {old}, above {}", signed.size));
            }
            let proof =
                store.proof_hashes(&ProofPlan::consistency(old, signed.size)).await.map_err(|e| e.to_string())?;
            let body = AddCheckpoint { old, proof, note: signed.note.clone() }.to_text();
            let url = format!("{}/add-checkpoint", witness.url);
            let response = self.http.post(&url).body(body).send().await.map_err(|e| e.to_string())?;
            let status = response.status().as_u16();
            let text = response.text().await.map_err(|e| e.to_string())?;
            match status {
                200 => return own_lines(witness, signed, &text).map(|lines| (lines, signed.size)),
                409 => old = text.trim_end().parse().map_err(|_| format!("409 without a size: {text}"))?,
                _ => return Err(format!("HTTP {status}: {}", text.trim_end())),
            }
        }
        Err("the witness's size moved twice".into())
    }
}

/// The witness's own cosignature lines from its answer, if they verify.
fn own_lines(witness: &WitnessConfig, signed: &StoredCheckpoint, answer: &str) -> Result<String, String> {
    let prefix = format!("\u{2014} {} ", witness.key.name);
    let lines: String = answer.lines().filter(|l| l.starts_with(&prefix)).map(|l| format!("{l}\n")).collect();
    witness.key.verify(&format!("{}{lines}", signed.note)).map_err(|e| format!("its cosignature: {e}"))?;
    Ok(lines)
}
