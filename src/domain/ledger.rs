//! The reduced-fee ledger's hash chain. Each entry's hash covers its
//! canonical bytes and the previous entry's hash, so changing, removing or
//! reordering any entry breaks every link after it.

use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use xinyi_merchant_sdk::ledger_entry::encode_entry;

/// The hash before the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Redemption,
    Reversal,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Redemption => "redemption",
            EntryKind::Reversal => "reversal",
        }
    }

    pub fn parse(text: &str) -> Option<EntryKind> {
        match text {
            "redemption" => Some(EntryKind::Redemption),
            "reversal" => Some(EntryKind::Reversal),
            _ => None,
        }
    }
}

/// One ledger entry. Amounts are fen and always positive; a reversal undoes
/// the redemption it names.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct LedgerEntry {
    pub seq: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub kind: EntryKind,
    pub redemption_id: String,
    pub merchant_id: String,
    pub category: String,
    pub district: String,
    pub offer_id: String,
    pub level: u8,
    /// A keyed hash of the citizen, never the citizen's id.
    pub citizen_pseudonym: String,
    pub amount_fen: i64,
    pub discount_fen: i64,
    pub payable_fen: i64,
    pub prev_hash: String,
    pub hash: String,
}

impl LedgerEntry {
    /// `xinyi-ledger-v1` and every field but `hash`, each as its length
    /// and UTF-8 bytes (the SDK's `ledger_entry`, where a merchant reads a
    /// receipt's entry back), so no choice of values can make two entries alike.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let (seq, at, level) = (self.seq.to_string(), self.at.unix_timestamp().to_string(), self.level.to_string());
        let (amount, discount, payable) =
            (self.amount_fen.to_string(), self.discount_fen.to_string(), self.payable_fen.to_string());
        encode_entry([
            &seq,
            &at,
            self.kind.as_str(),
            &self.redemption_id,
            &self.merchant_id,
            &self.category,
            &self.district,
            &self.offer_id,
            &level,
            &self.citizen_pseudonym,
            &amount,
            &discount,
            &payable,
            &self.prev_hash,
        ])
    }

    pub fn compute_hash(&self) -> String {
        hex::encode(Sha256::digest(self.canonical_bytes()))
    }

    /// Fills `prev_hash` and `hash` for an entry appended after `previous`.
    pub fn seal(mut self, previous_hash: &str) -> LedgerEntry {
        self.prev_hash = previous_hash.to_owned();
        self.hash = self.compute_hash();
        self
    }
}

/// Where and how the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("entry {seq} was changed: its hash does not match its contents")]
    Changed { seq: i64 },
    #[error("entry {expected_seq} is missing (found {found_seq} next): entries were removed")]
    Removed { expected_seq: i64, found_seq: i64 },
    #[error("entry {seq} does not follow entry {previous_seq}: entries were removed or reordered")]
    Broken { seq: i64, previous_seq: i64 },
    #[error(
        "the ledger ends at entry {last_seq}, but redemptions refer to entry {referenced_seq}: entries were removed from its end"
    )]
    Truncated { last_seq: i64, referenced_seq: i64 },
}

/// Walks entries in `seq` order and names the first break.
#[derive(Debug)]
pub struct ChainWalker {
    previous_seq: i64,
    previous_hash: String,
    pub entries: u64,
}

impl Default for ChainWalker {
    fn default() -> Self {
        ChainWalker { previous_seq: 0, previous_hash: GENESIS_HASH.into(), entries: 0 }
    }
}

impl ChainWalker {
    /// After the walk: the chain must reach the highest entry anything refers to.
    pub fn finish(&self, highest_reference: i64) -> Result<(), ChainBreak> {
        if highest_reference > self.previous_seq {
            return Err(ChainBreak::Truncated { last_seq: self.previous_seq, referenced_seq: highest_reference });
        }
        Ok(())
    }

    pub fn check(&mut self, entry: &LedgerEntry) -> Result<(), ChainBreak> {
        if entry.compute_hash() != entry.hash {
            return Err(ChainBreak::Changed { seq: entry.seq });
        }
        if entry.prev_hash != self.previous_hash {
            return Err(ChainBreak::Broken { seq: entry.seq, previous_seq: self.previous_seq });
        }
        if entry.seq != self.previous_seq + 1 {
            return Err(ChainBreak::Removed { expected_seq: self.previous_seq + 1, found_seq: entry.seq });
        }
        self.previous_seq = entry.seq;
        self.previous_hash = entry.hash.clone();
        self.entries += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn entry(seq: i64, discount: i64) -> LedgerEntry {
        LedgerEntry {
            seq,
            at: datetime!(2026-11-28 08:00 UTC),
            kind: EntryKind::Redemption,
            redemption_id: format!("red_{seq}"),
            merchant_id: "mer_1".into(),
            category: "mall".into(),
            district: "东城区".into(),
            offer_id: "off_1".into(),
            level: 4,
            citizen_pseudonym: "p".into(),
            amount_fen: 10_000,
            discount_fen: discount,
            payable_fen: 10_000 - discount,
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    fn chain(n: i64) -> Vec<LedgerEntry> {
        let mut previous = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let e = entry(seq, 100 * seq).seal(&previous);
                previous = e.hash.clone();
                e
            })
            .collect()
    }

    fn walk(entries: &[LedgerEntry]) -> Result<(), ChainBreak> {
        let mut walker = ChainWalker::default();
        entries.iter().try_for_each(|e| walker.check(e))
    }

    #[test]
    fn the_entry_bytes_are_the_documented_ones_and_read_back_in_the_sdk() {
        // Computed apart, in Python, from docs/ledger-log.md's layout.
        let first = entry(1, 100).seal(GENESIS_HASH);
        assert_eq!(first.hash, "84a9e30543fe59194b156c60e4c9ca867a9ebfe7e759cfc86ec0de4b5e00ae2a");
        let read = xinyi_merchant_sdk::ledger_entry::decode_entry(&first.canonical_bytes()).unwrap();
        assert_eq!((read.seq, read.at_unix, read.kind.as_str()), (1, first.at.unix_timestamp(), "redemption"));
        assert_eq!((read.redemption_id, read.district, read.level), ("red_1".to_owned(), "东城区".to_owned(), 4));
        assert_eq!((read.amount_fen, read.discount_fen, read.payable_fen), (10_000, 100, 9_900));
        assert_eq!(read.prev_hash, GENESIS_HASH);
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(walk(&chain(5)), Ok(()));
    }

    #[test]
    fn a_changed_entry_is_named() {
        let mut entries = chain(5);
        entries[2].discount_fen += 1;
        assert_eq!(walk(&entries), Err(ChainBreak::Changed { seq: 3 }));
    }

    #[test]
    fn a_removed_entry_is_named() {
        let mut entries = chain(5);
        entries.remove(2);
        assert_eq!(walk(&entries), Err(ChainBreak::Broken { seq: 4, previous_seq: 2 }));
    }

    #[test]
    fn a_chain_cut_short_of_what_redemptions_refer_to_is_caught() {
        let entries = chain(5);
        let mut walker = ChainWalker::default();
        entries[..3].iter().for_each(|e| walker.check(e).unwrap());
        assert_eq!(walker.finish(5), Err(ChainBreak::Truncated { last_seq: 3, referenced_seq: 5 }));
        assert_eq!(walker.finish(3), Ok(()));
    }

    #[test]
    fn reordered_entries_are_caught() {
        let mut entries = chain(5);
        entries.swap(1, 2);
        assert!(matches!(walk(&entries), Err(ChainBreak::Broken { seq: 3, previous_seq: 1 })));
    }
}
