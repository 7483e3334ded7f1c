//! The public directory of where a code works: every offer live now, with
//! its merchant's name and place, and never a budget, a total or a key.
//! Served from memory: a snapshot rebuilt every two seconds (and at once
//! after a change made through this node), so a city's phones asking at
//! once cost the database nothing.

use crate::domain::categories::Category;
use crate::domain::places::Location;
use crate::storage::{Merchant, Source, Store, StoreError, StoredOffer};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, RwLock, Weak};
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::Notify;
use utoipa::ToSchema;
use xinyi_merchant_sdk::CreditLevel;
use xinyi_merchant_sdk::api::Tier;

/// How often the snapshot is rebuilt when nothing said it changed: what
/// another node changed, a budget spent, an offer's window opening.
pub const REFRESH_EVERY: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DirectoryMerchant {
    pub merchant_id: String,
    pub name: String,
    /// The category's code; its names are those of the catalogue.
    pub category: String,
    pub category_name_zh: String,
    pub category_name_en: String,
    pub district: String,
    pub address: String,
    pub location: Option<Location>,
}

/// One live offer and where it is.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DirectoryEntry {
    pub offer_id: String,
    pub title: String,
    /// The lowest level rank the offer serves, 1–5.
    pub min_level: u8,
    /// What each level gets: the highest tier at or below a level applies.
    pub tiers: Vec<Tier>,
    pub merchant: DirectoryMerchant,
}

/// The directory at one moment.
pub struct Snapshot {
    entries: Vec<(DirectoryEntry, [bool; 6])>,
    /// The whole directory as JSON, answered as is when nothing is filtered.
    all_json: axum::body::Bytes,
}

/// What a caller asks for.
#[derive(Debug, Default)]
pub struct Filter<'a> {
    pub level: Option<CreditLevel>,
    pub category: Option<&'a str>,
    pub district: Option<&'a str>,
}

impl Snapshot {
    fn build(
        offers: Vec<StoredOffer>,
        merchants: Vec<Merchant>,
        categories: &[Category],
        now: OffsetDateTime,
    ) -> Snapshot {
        let merchants: HashMap<String, Merchant> = merchants.into_iter().map(|m| (m.merchant_id.clone(), m)).collect();
        let names: HashMap<&str, &Category> = categories.iter().map(|c| (c.code.as_str(), c)).collect();
        let mut entries: Vec<(DirectoryEntry, [bool; 6])> = offers
            .into_iter()
            .filter(|o| live(o, now))
            .filter_map(|o| {
                let m = merchants.get(&o.merchant_id).filter(|m| !m.suspended)?;
                let mut serves = [false; 6];
                for level in CreditLevel::ALL {
                    serves[usize::from(level.rank())] = level >= o.rules.min_level && o.rules.tier_for(level).is_some();
                }
                let entry = DirectoryEntry {
                    offer_id: o.offer_id,
                    title: o.rules.title,
                    min_level: o.rules.min_level.rank(),
                    tiers: o.rules.tiers,
                    merchant: DirectoryMerchant {
                        merchant_id: m.merchant_id.clone(),
                        name: m.name.clone(),
                        category: m.category.clone(),
                        // Every merchant's category is in the catalogue (checked when it was
                        // registered, seeded by migration 0010); the code stands in otherwise.
                        category_name_zh: names.get(m.category.as_str()).map_or(&m.category, |c| &c.name_zh).clone(),
                        category_name_en: names.get(m.category.as_str()).map_or(&m.category, |c| &c.name_en).clone(),
                        district: m.district.clone(),
                        address: m.address.clone(),
                        location: m.location.map(|p| p.location()),
                    },
                };
                Some((entry, serves))
            })
            .collect();
        entries.sort_by(|(a, _), (b, _)| {
            (&a.merchant.category, &a.merchant.district, &a.merchant.name, &a.title, &a.offer_id).cmp(&(
                &b.merchant.category,
                &b.merchant.district,
                &b.merchant.name,
                &b.title,
                &b.offer_id,
            ))
        });
        let all: Vec<&DirectoryEntry> = entries.iter().map(|(e, _)| e).collect();
        let all_json = serde_json::to_vec(&all).expect("a directory serialises").into();
        Snapshot { entries, all_json }
    }

    /// Everything, as JSON bytes ready to send.
    pub fn all_json(&self) -> axum::body::Bytes {
        self.all_json.clone()
    }

    pub fn matching(&self, filter: &Filter<'_>) -> Vec<&DirectoryEntry> {
        self.entries
            .iter()
            .filter(|(_, serves)| filter.level.is_none_or(|l| serves[usize::from(l.rank())]))
            .map(|(e, _)| e)
            .filter(|e| filter.category.is_none_or(|c| e.merchant.category == c))
            .filter(|e| filter.district.is_none_or(|d| e.merchant.district == d))
            .collect()
    }
}

/// Inside its window, active, with budget left.
fn live(offer: &StoredOffer, now: OffsetDateTime) -> bool {
    let rules = &offer.rules;
    let spent = rules.budget_fen.is_some_and(|b| offer.granted_fen >= b)
        || rules.budget_count.is_some_and(|b| offer.granted_count >= b);
    rules.open_at(now) && !spent
}

pub struct Directory {
    current: RwLock<Arc<Snapshot>>,
    changed: Notify,
}

impl Directory {
    /// Built once before the node serves, then kept fresh by a task that
    /// stops when the directory is dropped.
    pub async fn start(store: Arc<Store>) -> Result<Arc<Directory>, StoreError> {
        let first = build(&store, Source::Replica).await?;
        let directory = Arc::new(Directory { current: RwLock::new(Arc::new(first)), changed: Notify::new() });
        tokio::spawn(keep_fresh(Arc::downgrade(&directory), store));
        Ok(directory)
    }

    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.current.read().expect("directory lock").clone()
    }

    /// Something the directory shows changed through this node: rebuild now.
    pub fn changed(&self) {
        self.changed.notify_one();
    }
}

/// The periodic rebuild reads the replica, if there is one; a rebuild for a
/// change made through this node reads the primary, which has it for sure.
async fn build(store: &Store, source: Source) -> Result<Snapshot, StoreError> {
    let (offers, merchants) = (store.all_offers(source).await?, store.merchants(source).await?);
    let categories: Vec<Category> = store.categories().await?.into_iter().map(|(c, _)| c).collect();
    Ok(Snapshot::build(offers, merchants, &categories, OffsetDateTime::now_utc()))
}

async fn keep_fresh(directory: Weak<Directory>, store: Arc<Store>) {
    loop {
        let Some(notified) = directory.upgrade() else { return };
        let source = tokio::select! {
            _ = notified.changed.notified() => Source::Primary,
            _ = tokio::time::sleep(REFRESH_EVERY) => Source::Replica,
        };
        drop(notified);
        match build(&store, source).await {
            Ok(snapshot) => match directory.upgrade() {
                Some(d) => *d.current.write().expect("directory lock") = Arc::new(snapshot),
                None => return,
            },
            // The last snapshot stays in use; the next tick tries again.
            Err(error) => tracing::warn!(%error, "rebuilding the offer directory failed"),
        }
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
