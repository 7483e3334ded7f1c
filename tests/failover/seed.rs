//! What the failover run redeems against: two merchants with a till key
//! each, an offer without limits and one with a small budget, citizens at
//! level A, an auditor's token, and fresh codes signed with the service's
//! own key, as `POST /v1/me/code` signs them.

use time::OffsetDateTime;
use xinyi::auth::bearer_tokens::{new_merchant_key, token_hash};
use xinyi::citizen_handle::CitizenNumber;
use xinyi::domain::offers::OfferRules;
use xinyi::domain::score_event::NewScoreEvent;
use xinyi::signing::{MasterKey, SigningKeys};
use xinyi::storage::{Merchant, MerchantKey, SharedStore, StoredOffer};
use xinyi_merchant_sdk::{CodeClaims, CodeLifetime, CreditLevel};

pub const MASTER_KEY: &str = "the failover test's master key, local only";
const CITIZENS: usize = 200;
/// The budgeted offer's budget: at 10 % of 1,234 fen a redemption (123
/// fen), it runs out after 3,252 of them, about half a minute into the
/// run at the pace the load keeps, so spending it spans the failure.
pub const BUDGET_FEN: i64 = 400_000;

#[derive(Clone)]
pub struct Shop {
    pub api_key: String,
    pub merchant_id: String,
    pub offer_id: String,
    pub budget_fen: Option<i64>,
}

pub struct World {
    pub shops: Vec<Shop>,
    pub auditor: String,
    citizens: Vec<CitizenNumber>,
    keys: SigningKeys,
}

pub async fn seed(store: &SharedStore) -> World {
    let now = OffsetDateTime::now_utc();
    let mut shops = Vec::new();
    for (m, budget_fen) in [None, Some(BUDGET_FEN)].into_iter().enumerate() {
        shops.push(shop(store, m, budget_fen, now).await);
    }
    let ids: Vec<String> = (0..CITIZENS).map(|c| format!("ha-citizen-{c:04}")).collect();
    let events: Vec<_> = ids
        .iter()
        .map(|id| NewScoreEvent::parse(&format!("ev-{id}"), id, 10, "志愿服务 volunteering", "ha", now, now).unwrap())
        .collect();
    store.record_score_events(&events, now).await.unwrap();
    let mut citizens = Vec::new();
    for id in &ids {
        citizens.push(store.citizen_or_create(id, now).await.unwrap().number);
    }
    let new = xinyi::domain::principals::NewPrincipal::parse("auditor", "ha-auditor", None, None).unwrap();
    let auditor = xinyi::auth::staff::create_principal(store, &new, now).await.unwrap().1;
    let master = MasterKey::from_secret(MASTER_KEY).unwrap();
    let keys = SigningKeys::load(store.clone(), Some(master)).await.unwrap();
    World { shops, auditor, citizens, keys }
}

async fn shop(store: &SharedStore, m: usize, budget_fen: Option<i64>, now: OffsetDateTime) -> Shop {
    let merchant_id = format!("mer_ha_{m}");
    let merchant = Merchant {
        merchant_id: merchant_id.clone(),
        name: format!("商户 {m}"),
        category: ["mall", "housekeeping"][m % 2].into(),
        district: "district-1".into(),
        suspended: false,
        created_at: now,
        address: String::new(),
        location: None,
    };
    store.create_merchant(&merchant).await.unwrap();
    let request = serde_json::from_value(serde_json::json!({"title": "九折 10% off", "min_level": 2,
        "tiers": [{"min_level": 2, "kind": "percent_off", "percent": 10, "cap_fen": null}],
        "per_citizen_limit": null, "budget_fen": budget_fen, "budget_count": null}))
    .unwrap();
    let offer_id = format!("off_ha_{m}");
    let rules = OfferRules::parse(&request).unwrap();
    let offer = StoredOffer {
        offer_id: offer_id.clone(),
        merchant_id: merchant_id.clone(),
        rules,
        granted_fen: 0,
        granted_count: 0,
    };
    store.create_offer(&offer, now).await.unwrap();
    let api_key = new_merchant_key();
    let key = MerchantKey {
        key_id: format!("key_ha_{m}"),
        label: "till".into(),
        created_at: now,
        revoked: false,
        offline: false,
    };
    store.add_merchant_key(&merchant_id, &key, &token_hash(&api_key)).await.unwrap();
    Shop { api_key, merchant_id, offer_id, budget_fen }
}

impl World {
    /// `count` fresh codes, each for the next citizen in turn.
    pub async fn codes(&self, count: usize) -> Vec<String> {
        let ring = self.keys.ring().await.unwrap();
        let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
        let key = ring.signing_key_at(now).expect("a key signs now");
        (0..count)
            .map(|i| {
                let handle = key.sealer.seal(self.citizens[i % self.citizens.len()], &mut rand::rngs::OsRng);
                let claims = CodeClaims { level: CreditLevel::A, issued_at: now, lifetime: CodeLifetime::MAX, handle };
                key.signer.sign(&claims).unwrap()
            })
            .collect()
    }
}
