//! What a witness keeps in its directory: its key (`witness.key`: the name
//! and the hex Ed25519 seed, made on first start, readable by its owner
//! only) and the last checkpoint it cosigned (`checkpoint`: the log's
//! signed note as received). The checkpoint is replaced whole (written
//! aside, synced, renamed, directory synced) before a cosignature leaves.

use rand::RngCore;
use std::path::{Path, PathBuf};
use xinyi_merchant_sdk::cosignature::Cosigner;
use xinyi_merchant_sdk::signed_note::{Checkpoint, NoteVerifier};

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("witness state {0}: {1}")]
    Io(PathBuf, std::io::Error),
    #[error("witness state {0} is corrupt: {1}")]
    Corrupt(PathBuf, String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StateError + '_ {
    move |e| StateError::Io(path.to_owned(), e)
}

/// The witness's key, made in `dir` under `name` if there is none yet.
pub fn load_or_create_key(dir: &Path, name: &str) -> Result<Cosigner, StateError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let path = dir.join("witness.key");
    if !path.exists() {
        let mut seed = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut seed);
        write_whole(dir, &path, format!("{name}\n{}\n", hex::encode(seed)).as_bytes(), 0o600)?;
    }
    let text = std::fs::read_to_string(&path).map_err(io(&path))?;
    let corrupt = |why: &str| StateError::Corrupt(path.clone(), why.to_owned());
    let (stored_name, seed) = text.trim_end().split_once('\n').ok_or_else(|| corrupt("not a name and a seed"))?;
    let seed: [u8; 32] = hex::decode(seed).ok().and_then(|s| s.try_into().ok()).ok_or_else(|| corrupt("the seed"))?;
    Cosigner::new(stored_name, ed25519_dalek::SigningKey::from_bytes(&seed)).map_err(|e| corrupt(&e.to_string()))
}

/// The last checkpoint cosigned, if any: its note must still verify.
pub fn load_checkpoint(dir: &Path, log_key: &NoteVerifier) -> Result<Option<(Checkpoint, String)>, StateError> {
    let path = dir.join("checkpoint");
    let note = match std::fs::read_to_string(&path) {
        Ok(note) => note,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StateError::Io(path, e)),
    };
    let corrupt = |why: String| StateError::Corrupt(path.clone(), why);
    let text = log_key.open(&note).map_err(|e| corrupt(format!("its note under the log key: {e}")))?;
    let checkpoint = Checkpoint::parse(text).map_err(|e| corrupt(e.to_string()))?;
    Ok(Some((checkpoint, note)))
}

pub fn store_checkpoint(dir: &Path, note: &str) -> Result<(), StateError> {
    write_whole(dir, &dir.join("checkpoint"), note.as_bytes(), 0o644)
}

fn write_whole(dir: &Path, path: &Path, bytes: &[u8], mode: u32) -> Result<(), StateError> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let partial = path.with_extension("partial");
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .open(&partial)
        .map_err(io(&partial))?;
    file.write_all(bytes).map_err(io(&partial))?;
    file.sync_all().map_err(io(&partial))?;
    std::fs::rename(&partial, path).map_err(io(path))?;
    std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))
}
