//! C2SP `tlog-tiles` over the ledger tree: hash tiles for anyone (hashes
//! only, nothing about a citizen or a merchant), entry bundles for auditors
//! and coordinators. Only tiles inside the newest checkpoint's tree are
//! served, so what a client fetches always matches a signed root; a tile's
//! bytes never change once served, so they are cached for good.

use super::auth::ReaderAuth;
use super::ledger_log::latest;
use super::problem::{ApiError, Problem};
use super::state::AppState;
use crate::domain::ledger_tiles::{TileKind, TilePath};
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

fn no_such_tile() -> ApiError {
    ApiError::NotFound {
        detail: "没有这个瓦片:路径不合 C2SP tlog-tiles,或超出最新检查点 / No such tile: not a C2SP tlog-tiles path, \
                 or beyond the newest checkpoint"
            .into(),
    }
}

/// The tile, if the path names one inside the newest checkpoint's tree.
async fn tile_at(state: &AppState, path: &str) -> Result<TilePath, ApiError> {
    let tile = TilePath::parse(path).ok_or_else(no_such_tile)?;
    if !tile.within(latest(state).await?.size) {
        return Err(no_such_tile());
    }
    Ok(tile)
}

fn bytes(body: Vec<u8>, cache: &'static str) -> Response {
    ([(CONTENT_TYPE, "application/octet-stream"), (CACHE_CONTROL, cache)], body).into_response()
}

/// A hash tile: the 32-byte hashes of tree level 8×L, nodes 256·N to
/// 256·N + W − 1, concatenated. `n` is C2SP's form of N (groups of three
/// digits, all but the last prefixed with `x`, joined by `/`), with
/// `.p/<W>` for a partial tile. Served at `/v1/ledger/tile/{*path}`, since
/// a path has any number of `/`.
#[utoipa::path(get, path = "/v1/ledger/tile/{level}/{n}", tag = "public",
    params(("level" = String, Path, description = "the tile level L, 0 to 7"),
        ("n" = String, Path, description = "N as C2SP writes it, e.g. `x001/234` or `005.p/17` (it may contain `/`)")),
    responses((status = 200, body = Vec<u8>, content_type = "application/octet-stream"),
        (status = 404, body = Problem, content_type = "application/problem+json",
            description = "not_found: not a tile path, or beyond the newest checkpoint")))]
pub async fn hash_tile(State(state): State<AppState>, Path(path): Path<String>) -> Result<Response, ApiError> {
    let tile = tile_at(&state, &path).await?;
    if tile.kind == TileKind::Entries {
        return Err(no_such_tile());
    }
    Ok(bytes(state.store.tree_hashes_in_order(&tile.hash_indices()).await?.concat(), IMMUTABLE))
}

/// An entry bundle: the ledger entries 256·N + 1 to 256·N + W, each as a
/// big-endian u16 length and the entry's canonical bytes
/// (docs/ledger-log.md); their leaf hashes are level 0's hash tile.
/// Served at `/v1/ledger/tile/entries/{*n}`.
#[utoipa::path(get, path = "/v1/ledger/tile/entries/{n}", tag = "coordinator",
    security(("coordinator" = []), ("auditor" = [])),
    params(("n" = String, Path, description = "N as C2SP writes it, e.g. `x001/234` or `005.p/17` (it may contain `/`)")),
    responses((status = 200, body = Vec<u8>, content_type = "application/octet-stream"),
        (status = 404, body = Problem, content_type = "application/problem+json",
            description = "not_found: not a bundle path, or beyond the newest checkpoint")))]
pub async fn entry_bundle(
    State(state): State<AppState>,
    ReaderAuth(_): ReaderAuth,
    Path(n): Path<String>,
) -> Result<Response, ApiError> {
    let tile = tile_at(&state, &format!("entries/{n}")).await?;
    let (after, count) = tile.entry_seqs();
    let entries = state.store.ledger_entries(after as i64, count, crate::storage::Source::Primary).await?;
    if entries.len() != count as usize {
        return Err(ApiError::internal("an entry inside a signed tree is missing"));
    }
    let mut bundle = Vec::new();
    for entry in entries {
        let entry = entry.canonical_bytes();
        let length = u16::try_from(entry.len()).map_err(|_| ApiError::internal("an entry over 64 KiB"))?;
        bundle.extend(length.to_be_bytes());
        bundle.extend(entry);
    }
    Ok(bytes(bundle, "private, no-store"))
}
