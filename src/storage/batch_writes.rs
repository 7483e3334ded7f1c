//! A batch's rows, written in one round trip: one multi-row statement per
//! table, joined by [`Dialect::all_of`](super::dialect::Dialect::all_of).
//! The rows travel as JSON parameters, so each statement is prepared once.

use super::batch::{BatchWrites, RollupDelta, RollupKey, WriteBatch, q};
use super::dialect::Col::{Int, Text};
use super::dialect::{Col, Dialect};
use super::{StoreError, json, unix};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Statements, each with its one JSON parameter (`$1`, `$2`, … in order).
struct Writes {
    dialect: Dialect,
    statements: Vec<String>,
    params: Vec<String>,
}

impl Writes {
    /// Adds `INSERT INTO table (columns) SELECT columns FROM rows` + `tail`,
    /// when there are rows.
    fn insert(&mut self, table: &str, columns: &[(&str, Col)], rows: Vec<Value>, tail: &str) {
        let names = columns.iter().map(|(name, _)| *name).collect::<Vec<_>>().join(", ");
        let select = names.clone();
        self.add(
            rows,
            |from| format!("INSERT INTO {table} ({names}) SELECT {select} FROM {from} WHERE true {tail}"),
            columns,
        );
    }

    /// Adds `sql(rows source)` when there are rows.
    fn add(&mut self, rows: Vec<Value>, sql: impl FnOnce(&str) -> String, columns: &[(&str, Col)]) {
        if rows.is_empty() {
            return;
        }
        let param = format!("${}", self.params.len() + 1);
        self.statements.push(sql(&self.dialect.json_rows(&param, "r", columns)));
        self.params.push(json(&rows));
    }
}

const REDEMPTION_COLUMNS: [(&str, Col); 22] = [
    ("redemption_id", Text),
    ("code_id", Text),
    ("merchant_id", Text),
    ("offer_id", Text),
    ("citizen_number", Int),
    ("level", Int),
    ("amount_fen", Int),
    ("discount_fen", Int),
    ("payable_fen", Int),
    ("period_key", Text),
    ("scanned_at", Int),
    ("created_at", Int),
    ("ledger_seq", Int),
    ("voided_at", Int),
    ("void_ledger_seq", Int),
    ("offline", Int),
    ("terminal_key_id", Text),
    ("terminal_label", Text),
    ("void_terminal_key_id", Text),
    ("void_terminal_label", Text),
    ("medium", Text),
    ("code_level", Int),
];

const LEDGER_COLUMNS: [(&str, Col); 15] = [
    ("seq", Int),
    ("at", Int),
    ("kind", Text),
    ("redemption_id", Text),
    ("merchant_id", Text),
    ("category", Text),
    ("district", Text),
    ("offer_id", Text),
    ("level", Int),
    ("citizen_pseudonym", Text),
    ("amount_fen", Int),
    ("discount_fen", Int),
    ("payable_fen", Int),
    ("prev_hash", Text),
    ("hash", Text),
];

fn redemptions_and_ledger(w: &mut Writes, b: &BatchWrites) {
    let rows = b
        .redemptions
        .iter()
        .map(|r| {
            json!([
                r.redemption_id,
                r.code_id,
                r.stored.merchant_id,
                r.stored.offer_id,
                r.stored.citizen_number,
                r.stored.level,
                r.stored.amount_fen,
                r.stored.discount_fen,
                r.stored.payable_fen,
                r.stored.period_key,
                unix(r.scanned_at),
                unix(r.stored.created_at),
                r.ledger_seq,
                r.voided.as_ref().map(|v| unix(v.at)),
                r.voided.as_ref().map(|v| v.seq),
                r.offline as i64,
                r.terminal.key_id,
                r.terminal.label,
                r.voided.as_ref().and_then(|v| v.terminal.as_ref()).map(|t| &t.key_id),
                r.voided.as_ref().and_then(|v| v.terminal.as_ref()).map(|t| &t.label),
                r.medium.as_str(),
                r.code_level,
            ])
        })
        .collect();
    w.insert("redemptions", &REDEMPTION_COLUMNS, rows, "");
    let rows = b
        .redemptions
        .iter()
        .map(|r| {
            json!([r.stored.merchant_id, r.idempotency_key, r.request_hash, r.redemption_id, unix(r.stored.created_at)])
        })
        .collect();
    let columns = [
        ("merchant_id", Text),
        ("idempotency_key", Text),
        ("request_hash", Text),
        ("redemption_id", Text),
        ("created_at", Int),
    ];
    w.insert("idempotency_keys", &columns, rows, "");
    let rows = b
        .ledger
        .iter()
        .map(|e| {
            json!([
                e.seq,
                unix(e.at),
                e.kind.as_str(),
                e.redemption_id,
                e.merchant_id,
                e.category,
                e.district,
                e.offer_id,
                e.level,
                e.citizen_pseudonym,
                e.amount_fen,
                e.discount_fen,
                e.payable_fen,
                e.prev_hash,
                e.hash
            ])
        })
        .collect();
    w.insert("ledger", &LEDGER_COLUMNS, rows, "");
    // The tree's hashes go with the entries they hash, in one commit.
    let rows = b.tree.iter().map(|(idx, hash)| json!([idx, hex::encode(hash)])).collect();
    let from_hex = w.dialect.from_hex("r.hash");
    w.add(
        rows,
        |from| format!("INSERT INTO ledger_tree (idx, hash) SELECT r.idx, {from_hex} FROM {from}"),
        &[("idx", Int), ("hash", Text)],
    );
    // Only the largest of the batch's checkpoints, and only above every one
    // stored: under the writer lock, so the published sizes only grow.
    let largest = b.checkpoints.iter().max_by_key(|c| c.size);
    let rows = largest.map(|c| json!([c.size, hex::encode(c.root), c.note, unix(time::OffsetDateTime::now_utc())]));
    let from_hex = w.dialect.from_hex("r.root");
    w.add(
        rows.into_iter().collect(),
        |from| {
            format!(
                "INSERT INTO ledger_checkpoints (size, root, note, signed_at) SELECT r.size, {from_hex}, r.note, r.at \
                 FROM {from} WHERE NOT EXISTS (SELECT 1 FROM ledger_checkpoints c WHERE c.size >= r.size)"
            )
        },
        &[("size", Int), ("root", Text), ("note", Text), ("at", Int)],
    );
}

fn voids_usage_offers_disputes(w: &mut Writes, b: &BatchWrites) {
    let rows = b
        .voids
        .iter()
        .map(|(id, v)| {
            let terminal = v.terminal.as_ref();
            json!([id, unix(v.at), v.seq, terminal.map(|t| &t.key_id), terminal.map(|t| &t.label)])
        })
        .collect();
    w.add(
        rows,
        |from| {
            format!(
                "UPDATE redemptions SET voided_at = r.at, void_ledger_seq = r.seq, void_terminal_key_id = r.tk, \
                 void_terminal_label = r.tl FROM {from} WHERE redemptions.redemption_id = r.id"
            )
        },
        &[("id", Text), ("at", Int), ("seq", Int), ("tk", Text), ("tl", Text)],
    );
    let rows = b.usage.iter().map(|((o, c, p), n)| json!([o, c, p, n])).collect();
    w.insert(
        "citizen_offer_usage",
        &[("offer_id", Text), ("citizen_number", Int), ("period_key", Text), ("used", Int)],
        rows,
        "ON CONFLICT (offer_id, citizen_number, period_key) DO UPDATE SET used = citizen_offer_usage.used + excluded.used",
    );
    let rows = b.offer_totals.iter().map(|(offer, (fen, n))| json!([offer, fen, n])).collect();
    w.add(
        rows,
        |from| format!("UPDATE offers SET granted_fen = offers.granted_fen + r.fen, granted_count = offers.granted_count + r.n FROM {from} WHERE offers.offer_id = r.offer_id"),
        &[("offer_id", Text), ("fen", Int), ("n", Int)],
    );
    let rows = b.resolutions.iter().map(|r| json!([r.dispute_id, r.status, r.note, unix(r.at), r.by])).collect();
    w.add(
        rows,
        |from| format!("UPDATE disputes SET status = r.status, note = r.note, resolved_at = r.at, resolved_by = r.who FROM {from} WHERE disputes.dispute_id = r.id"),
        &[("id", Text), ("status", Text), ("note", Text), ("at", Int), ("who", Text)],
    );
}

/// Each rollup row once: part 0 with the batch's sums, and every part
/// whose citizens changed with its whole new list. A row whose list did
/// not change is sent with an empty list, which keeps the stored one.
fn rollups(w: &mut Writes, b: &BatchWrites) {
    let zero = |place: &RollupDelta| RollupDelta {
        redemptions: 0,
        reversals: 0,
        gross_fen: 0,
        reversed_fen: 0,
        ..place.clone()
    };
    let mut rows: BTreeMap<(&RollupKey, i64), (RollupDelta, &[u8])> = BTreeMap::new();
    for (key, sums) in &b.rollups {
        rows.insert((key, 0), (sums.clone(), &[]));
    }
    for (key, place, part, citizens) in &b.citizen_parts {
        rows.entry((key, *part)).or_insert_with(|| (zero(place), &[])).1 = citizens;
    }
    let rows = rows
        .into_iter()
        .map(|(((day, merchant, offer, level), part), (d, citizens))| {
            json!([
                day,
                merchant,
                d.category,
                d.district,
                offer,
                level,
                part,
                d.redemptions,
                d.reversals,
                d.gross_fen,
                d.reversed_fen,
                d.offline_redemptions,
                hex::encode(citizens)
            ])
        })
        .collect();
    let columns = [
        ("day", Text),
        ("merchant_id", Text),
        ("category", Text),
        ("district", Text),
        ("offer_id", Text),
        ("level", Int),
        ("part", Int),
        ("redemptions", Int),
        ("reversals", Int),
        ("gross_fen", Int),
        ("reversed_fen", Int),
        ("offline_redemptions", Int),
        ("citizens", Text),
    ];
    let from_hex = w.dialect.from_hex("r.citizens");
    w.add(
        rows,
        |from| {
            format!(
                "INSERT INTO reduction_rollups (day, merchant_id, category, district, offer_id, level, part, redemptions, \
                 reversals, gross_fen, reversed_fen, offline_redemptions, citizens) SELECT r.day, r.merchant_id, \
                 r.category, r.district, r.offer_id, r.level, r.part, r.redemptions, r.reversals, r.gross_fen, \
                 r.reversed_fen, r.offline_redemptions, {from_hex} \
                 FROM {from} WHERE true ON CONFLICT (day, merchant_id, offer_id, level, part) DO UPDATE SET \
                 redemptions = reduction_rollups.redemptions + excluded.redemptions, \
                 reversals = reduction_rollups.reversals + excluded.reversals, \
                 gross_fen = reduction_rollups.gross_fen + excluded.gross_fen, \
                 reversed_fen = reduction_rollups.reversed_fen + excluded.reversed_fen, \
                 offline_redemptions = reduction_rollups.offline_redemptions + excluded.offline_redemptions, \
                 citizens = CASE WHEN length(excluded.citizens) = 0 THEN reduction_rollups.citizens \
                 ELSE excluded.citizens END"
            )
        },
        &columns,
    );
}

impl WriteBatch<'_> {
    /// Writes the batch in one round trip, whatever its size.
    pub async fn write(&mut self, batch: &BatchWrites) -> Result<(), StoreError> {
        let mut writes = Writes { dialect: self.dialect, statements: Vec::new(), params: Vec::new() };
        redemptions_and_ledger(&mut writes, batch);
        voids_usage_offers_disputes(&mut writes, batch);
        rollups(&mut writes, batch);
        assert!(self.begun && !self.committed, "a batch writes inside its transaction, once");
        let after_write = self.dialect.batch_transaction().after_write;
        let mut sql = self.dialect.all_of(&writes.statements);
        match after_write {
            Some(commit) if sql.is_empty() => sql = commit.trim_start_matches([';', '\n']).to_owned(),
            Some(commit) => sql.push_str(commit),
            None if sql.is_empty() => return Ok(()),
            None => {}
        }
        let mut query = q(sql);
        for param in writes.params {
            query = query.bind(param);
        }
        query.execute(&mut *self.conn).await?;
        self.committed = after_write.is_some();
        Ok(())
    }
}
