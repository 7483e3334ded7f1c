//! The till side of the failover run: workers send redemptions with fresh
//! codes through both nodes, each under an Idempotency-Key of its own, and
//! retry a 503 (or no answer) under the same key and body as the SDK does,
//! on the other node, with a doubling delay; meanwhile both nodes'
//! `/healthz` is watched.

use super::seed::Shop;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The amount of every redemption; 10 % of it is the discount.
pub const AMOUNT_FEN: i64 = 1_234;
const WORKERS: usize = 8;
/// Each worker sends at most one new redemption this often: about 200 a
/// second in all, steady, so the run measures the failover and not the
/// two cores' limit.
const PACE: Duration = Duration::from_millis(40);
/// A redemption still unanswered after this long is given up.
const GIVE_UP: Duration = Duration::from_secs(60);

/// One redemption's final answer.
pub struct Answer {
    pub shop: usize,
    pub status: u16,
    pub body: serde_json::Value,
    pub answered: Instant,
}

pub struct Run {
    pub started: Instant,
    pub answers: Vec<Answer>,
    pub gave_up: usize,
    pub retries: u64,
}

impl Run {
    pub fn successes(&self) -> impl Iterator<Item = &Answer> {
        self.answers.iter().filter(|a| a.status == 201)
    }

    /// The longest time between two successes after `from`, and when it
    /// ended: the window the failure cost.
    pub fn longest_gap_after(&self, from: Instant) -> (Duration, Instant) {
        let mut times: Vec<Instant> = self.successes().map(|a| a.answered).collect();
        times.sort();
        let before = times.iter().rev().find(|t| **t <= from).copied().unwrap_or(self.started);
        let after: Vec<Instant> = times.iter().copied().filter(|t| *t > from).collect();
        let mut best = (Duration::ZERO, from);
        let mut last = before;
        for t in after {
            if t - last > best.0 {
                best = (t - last, t);
            }
            last = t;
        }
        best
    }
}

/// Redemptions for `seconds` through `nodes`, one per code at most.
pub async fn drive(nodes: &[String], shops: &[Shop], codes: Vec<String>, phase: &str, seconds: u64) -> Run {
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    let (codes, next, retries) = (Arc::new(codes), Arc::new(AtomicUsize::new(0)), Arc::new(AtomicU64::new(0)));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let (client, codes, next, retries) = (client.clone(), codes.clone(), next.clone(), retries.clone());
            let (nodes, shops, phase) = (nodes.to_vec(), shops.to_vec(), phase.to_owned());
            tokio::spawn(async move {
                let (mut answers, mut gave_up) = (Vec::new(), 0);
                let mut tick = tokio::time::interval(PACE);
                while Instant::now() < deadline {
                    tick.tick().await;
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    let Some(code) = codes.get(n) else { break };
                    let shop = n % shops.len();
                    let key = format!("ha-{phase}-{n}");
                    match redeem(&client, &nodes, &shops[shop], code, &key, n, &retries).await {
                        Some((status, body)) => answers.push(Answer { shop, status, body, answered: Instant::now() }),
                        None => gave_up += 1,
                    }
                }
                (answers, gave_up)
            })
        })
        .collect();
    let mut run = Run { started, answers: Vec::new(), gave_up: 0, retries: 0 };
    for worker in workers {
        let (answers, gave_up) = worker.await.unwrap();
        run.answers.extend(answers);
        run.gave_up += gave_up;
    }
    run.retries = retries.load(Ordering::Relaxed);
    run
}

/// Sends one redemption until it has an answer that is not "retry": its
/// status and body; None if it never had one.
async fn redeem(
    client: &reqwest::Client,
    nodes: &[String],
    shop: &Shop,
    code: &str,
    key: &str,
    n: usize,
    retries: &AtomicU64,
) -> Option<(u16, serde_json::Value)> {
    let body = serde_json::json!({"code": code, "offer_id": shop.offer_id, "amount_fen": AMOUNT_FEN});
    let first = Instant::now();
    let mut delay = Duration::from_millis(100);
    for attempt in 0.. {
        let node = &nodes[(n + attempt as usize) % nodes.len()];
        let sent = client
            .post(format!("{node}/v1/redemptions"))
            .bearer_auth(&shop.api_key)
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
            .await;
        if let Ok(response) = sent {
            let status = response.status().as_u16();
            if status < 500 {
                if let Ok(answer) = response.json().await {
                    return Some((status, answer));
                }
            } else {
                // A 500 would be a defect the test reports: the SDK retries
                // it, but this run counts it by its body.
                assert_eq!(status, 503, "a redemption answered {status}: {:?}", response.text().await);
            }
        }
        if first.elapsed() > GIVE_UP {
            return None;
        }
        retries.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(1));
    }
    unreachable!("the loop returns")
}

/// Polls each node's `/healthz` every 100 ms until `stop`: the statuses
/// seen, in order, with when.
pub async fn watch_health(nodes: Vec<String>, stop: Arc<std::sync::atomic::AtomicBool>) -> Vec<(Instant, usize, u16)> {
    let client = reqwest::Client::builder().timeout(Duration::from_secs(3)).build().unwrap();
    let mut seen = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        for (i, node) in nodes.iter().enumerate() {
            let status = match client.get(format!("{node}/healthz")).send().await {
                Ok(response) => response.status().as_u16(),
                Err(_) => 0,
            };
            seen.push((Instant::now(), i, status));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    seen
}
