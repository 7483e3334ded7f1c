//! Checkpoint lag under load: while the redeem phase runs, a probe makes
//! one redemption of its own every 50 ms and times how long until
//! `GET /v1/ledger/checkpoint` covers its ledger entry. The probe's
//! redemptions queue and commit with the load's, so they see its lag.

use std::time::{Duration, Instant};

pub struct Probe {
    pub node: String,
    pub api_key: String,
    pub offer_id: String,
    pub codes: Vec<String>,
}

/// The lags measured until `until`, sorted.
pub async fn run(probe: Probe, until: Instant) -> Vec<Duration> {
    let client = reqwest::Client::new();
    let mut lags = Vec::new();
    for (i, code) in probe.codes.iter().enumerate() {
        if Instant::now() >= until {
            break;
        }
        let body = serde_json::json!({"code": code, "offer_id": probe.offer_id, "amount_fen": 12_345});
        let answer = client
            .post(format!("{}/v1/redemptions", probe.node))
            .bearer_auth(&probe.api_key)
            .header("Idempotency-Key", format!("lag-{i}"))
            .json(&body)
            .send()
            .await;
        let Ok(answer) = answer else { continue };
        let committed = Instant::now();
        let Ok(answer) = answer.json::<serde_json::Value>().await else { continue };
        let Some(seq) = answer["ledger_seq"].as_u64() else { continue };
        loop {
            let note = client.get(format!("{}/v1/ledger/checkpoint", probe.node)).send().await;
            let size = match note {
                Ok(note) => note.text().await.ok().and_then(|t| t.lines().nth(1).and_then(|s| s.parse::<u64>().ok())),
                Err(_) => None,
            };
            if size.is_some_and(|size| size >= seq) {
                lags.push(committed.elapsed());
                break;
            }
            if committed.elapsed() > Duration::from_secs(30) {
                lags.push(committed.elapsed());
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    lags.sort_unstable();
    lags
}
