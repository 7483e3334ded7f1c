//! `xinyi ledger audit`: what the audit office runs against the service,
//! from outside the database. It keeps the last checkpoint it verified in
//! its state file, with the log key it pinned on first use, and each run
//! checks the newest checkpoint's signature and the consistency proof from
//! the one it kept; with an auditor's token it also re-hashes every entry
//! from the entry bundles into the tree and compares the root. A log that
//! rewrote its history cannot pass: the run exits 1 and prints both
//! checkpoints, the signed evidence.

use super::CliFailure;
use crate::domain::ledger_tiles::TILE_WIDTH;
use crate::domain::ledger_tree::TreeFrontier;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::path::{Path, PathBuf};
use xinyi_merchant_sdk::ledger_entry::decode_entry;
use xinyi_merchant_sdk::merkle::{Hash, verify_consistency};
use xinyi_merchant_sdk::signed_note::{Checkpoint, NoteVerifier};

#[derive(serde::Serialize, serde::Deserialize)]
struct AuditState {
    log_key: String,
    /// The last checkpoint verified, as the log signed it.
    checkpoint: String,
}

pub struct AuditArgs {
    pub url: String,
    pub state: PathBuf,
    pub token: Option<String>,
    pub log_key: Option<String>,
}

fn unusable(message: String) -> CliFailure {
    CliFailure { message, exit_code: 2 }
}

fn evidence(what: &str, old: &str, new: &str) -> CliFailure {
    CliFailure {
        message: format!(
            "ledger audit FAILED: {what}\n--- the checkpoint verified before ---\n{old}--- the checkpoint served now ---\n{new}"
        ),
        exit_code: 1,
    }
}

async fn get(http: &reqwest::Client, url: &str, token: Option<&str>) -> Result<reqwest::Response, CliFailure> {
    let mut request = http.get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.map_err(|e| unusable(format!("{url}: {e}")))?;
    if !response.status().is_success() {
        let status = response.status();
        return Err(unusable(format!("{url}: HTTP {status}: {}", response.text().await.unwrap_or_default())));
    }
    Ok(response)
}

async fn text(http: &reqwest::Client, url: &str) -> Result<String, CliFailure> {
    get(http, url, None).await?.text().await.map_err(|e| unusable(format!("{url}: {e}")))
}

fn read_state(path: &Path) -> Result<Option<AuditState>, CliFailure> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| unusable(format!("{}: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(unusable(format!("{}: {e}", path.display()))),
    }
}

fn write_state(path: &Path, state: &AuditState) -> Result<(), CliFailure> {
    let partial = path.with_extension("partial");
    let bytes = serde_json::to_vec_pretty(state).expect("the state serialises");
    std::fs::write(&partial, bytes)
        .and_then(|_| std::fs::rename(&partial, path))
        .map_err(|e| unusable(format!("{}: {e}", path.display())))
}

pub async fn run(args: AuditArgs) -> Result<(), CliFailure> {
    let base = args.url.trim_end_matches('/');
    let http = reqwest::Client::new();
    let kept = read_state(&args.state)?;
    let key_text = match (&args.log_key, &kept) {
        (Some(key), _) => key.trim().to_owned(),
        (None, Some(kept)) => kept.log_key.clone(),
        // Trust on first use: the key is pinned from here on.
        (None, None) => text(&http, &format!("{base}/v1/ledger/key")).await?.trim().to_owned(),
    };
    let key = NoteVerifier::parse(&key_text).map_err(|e| unusable(format!("the log key: {e}")))?;
    let note = text(&http, &format!("{base}/v1/ledger/checkpoint")).await?;
    let new =
        key.open(&note).map_err(|e| evidence(&format!("the checkpoint is not signed by the log key: {e}"), "", &note));
    let new = Checkpoint::parse(new?).map_err(|e| unusable(format!("the checkpoint: {e}")))?;
    if new.origin != key.name {
        return Err(evidence("the checkpoint is of another log", "", &note));
    }
    let mut said = format!("checkpoint of {} entries signed by {}", new.size, key.encode());
    if let Some(kept) = &kept {
        let old =
            Checkpoint::parse(key.open(&kept.checkpoint).map_err(|e| unusable(format!("the kept checkpoint: {e}")))?)
                .map_err(|e| unusable(format!("the kept checkpoint: {e}")))?;
        if new.size < old.size {
            return Err(evidence("the log is smaller than when it was last verified", &kept.checkpoint, &note));
        }
        let body = text(&http, &format!("{base}/v1/ledger/consistency?old={}&new={}", old.size, new.size)).await?;
        let proof: Option<Vec<Hash>> =
            body.lines().map(|l| STANDARD.decode(l).ok().and_then(|h| h.try_into().ok())).collect();
        let proof = proof.ok_or_else(|| unusable("the consistency proof is not base64 hashes".into()))?;
        if verify_consistency(old.size, new.size, &old.root, &new.root, &proof).is_err() {
            return Err(evidence(
                "the new checkpoint does not extend the one verified before: the history was rewritten",
                &kept.checkpoint,
                &note,
            ));
        }
        said.push_str(&format!(", consistent with the {} verified before", old.size));
    }
    if let Some(token) = &args.token {
        let root = rehash(&http, base, token, new.size).await?;
        if root != new.root {
            return Err(evidence("the entries do not hash to the signed root", "", &note));
        }
        said.push_str(", every entry re-hashed into its root");
    }
    write_state(&args.state, &AuditState { log_key: key.encode(), checkpoint: note })?;
    println!("ledger audit ok: {said}");
    Ok(())
}

/// The root of the first `size` entries, from the entry bundles, each
/// entry read strictly and checked to be the next in order.
async fn rehash(http: &reqwest::Client, base: &str, token: &str, size: u64) -> Result<Hash, CliFailure> {
    let mut tree = TreeFrontier::empty();
    let mut n = 0;
    while tree.size() < size {
        let width = (size - n * TILE_WIDTH).min(TILE_WIDTH);
        let path = crate::domain::ledger_tiles::TilePath {
            kind: crate::domain::ledger_tiles::TileKind::Entries,
            n,
            width: width as u32,
        };
        let url = format!("{base}/v1/ledger/tile/{}", path.path());
        let bundle = get(http, &url, Some(token)).await?.bytes().await.map_err(|e| unusable(format!("{url}: {e}")))?;
        let mut rest = &bundle[..];
        while let [high, low, tail @ ..] = rest {
            let length = usize::from(u16::from_be_bytes([*high, *low]));
            let entry = tail.get(..length).ok_or_else(|| unusable(format!("{url}: a cut entry")))?;
            let decoded = decode_entry(entry).map_err(|e| unusable(format!("{url}: {e}")))?;
            if decoded.seq != tree.size() as i64 + 1 {
                return Err(unusable(format!("{url}: entry {} where {} belongs", decoded.seq, tree.size() + 1)));
            }
            tree.append(entry);
            rest = &tail[length..];
        }
        if tree.size() != n * TILE_WIDTH + width {
            return Err(unusable(format!("{url}: {} entries where {width} belong", tree.size() - n * TILE_WIDTH)));
        }
        n += 1;
    }
    Ok(tree.root())
}
