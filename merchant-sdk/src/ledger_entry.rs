//! The bytes of one reduced-fee ledger entry (`docs/ledger-log.md`): what
//! the hash chain hashes and what a Merkle leaf, and so a receipt, proves.
//! The tag `xinyi-ledger-v1` and 14 fields, each as its length (4 bytes,
//! big-endian) and UTF-8 text, so no choice of values makes two entries
//! alike. The service writes them with [`encode_entry`]; a merchant reads a
//! receipt's entry back with [`decode_entry`].

/// The first field of every entry.
pub const ENTRY_TAG: &str = "xinyi-ledger-v1";

/// An entry's fields as text, in order: seq, at (Unix seconds), kind,
/// redemption id, merchant id, category, district, offer id, level,
/// citizen pseudonym, amount, discount, payable (fen), previous hash.
pub type EntryFields<'a> = [&'a str; 14];

pub fn encode_entry(fields: EntryFields<'_>) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(256);
    for field in std::iter::once(ENTRY_TAG).chain(fields) {
        let len = u32::try_from(field.len()).expect("a ledger field under 4 GiB");
        bytes.extend_from_slice(&len.to_be_bytes());
        bytes.extend_from_slice(field.as_bytes());
    }
    bytes
}

/// An entry read back from its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedEntry {
    pub seq: i64,
    pub at_unix: i64,
    /// `redemption` or `reversal`.
    pub kind: String,
    pub redemption_id: String,
    pub merchant_id: String,
    pub category: String,
    pub district: String,
    pub offer_id: String,
    pub level: u8,
    pub citizen_pseudonym: String,
    pub amount_fen: i64,
    pub discount_fen: i64,
    pub payable_fen: i64,
    pub prev_hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a ledger entry: {0}")]
pub struct EntryError(&'static str);

/// Reads an entry's bytes, strictly: the tag, exactly 14 fields, numbers
/// written as the service writes them, and nothing after.
pub fn decode_entry(bytes: &[u8]) -> Result<DecodedEntry, EntryError> {
    let mut rest = bytes;
    let mut fields = Vec::with_capacity(15);
    while !rest.is_empty() {
        let (len, tail) = rest.split_first_chunk::<4>().ok_or(EntryError("a field's length is cut short"))?;
        let len = u32::from_be_bytes(*len) as usize;
        let field = tail.get(..len).ok_or(EntryError("a field is cut short"))?;
        fields.push(std::str::from_utf8(field).map_err(|_| EntryError("a field is not UTF-8"))?);
        rest = &tail[len..];
    }
    let [
        tag,
        seq,
        at,
        kind,
        redemption_id,
        merchant_id,
        category,
        district,
        offer_id,
        level,
        pseudonym,
        amount,
        discount,
        payable,
        prev_hash,
    ] = fields[..]
    else {
        return Err(EntryError("not the tag and 14 fields"));
    };
    if tag != ENTRY_TAG {
        return Err(EntryError("the tag is not xinyi-ledger-v1"));
    }
    if kind != "redemption" && kind != "reversal" {
        return Err(EntryError("the kind is neither redemption nor reversal"));
    }
    Ok(DecodedEntry {
        seq: number(seq)?,
        at_unix: number(at)?,
        kind: kind.to_owned(),
        redemption_id: redemption_id.to_owned(),
        merchant_id: merchant_id.to_owned(),
        category: category.to_owned(),
        district: district.to_owned(),
        offer_id: offer_id.to_owned(),
        level: number(level)?,
        citizen_pseudonym: pseudonym.to_owned(),
        amount_fen: number(amount)?,
        discount_fen: number(discount)?,
        payable_fen: number(payable)?,
        prev_hash: prev_hash.to_owned(),
    })
}

/// A number as Rust's `to_string` writes it, and only so: one text per value.
fn number<N: std::str::FromStr + ToString>(text: &str) -> Result<N, EntryError> {
    let n: N = text.parse().map_err(|_| EntryError("a number field is not a number"))?;
    (n.to_string() == text).then_some(n).ok_or(EntryError("a number field is not written plainly"))
}
