//! The ledger log with a witness and an auditor outside the service: a
//! history rewritten in the database, its tree recomputed and re-signed
//! with the log's own key, is refused by the witness and caught by
//! `xinyi ledger audit` holding the earlier checkpoint.

use crate::helpers::*;
use crate::ledger_log::{checkpoint_of, log_key, redemptions, rewrite_history, tree_of, unlimited_offer};
use std::io::BufRead as _;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use xinyi_merchant_sdk::cosignature::CosignerKey;
use xinyi_merchant_sdk::merkle::leaf_hash;
use xinyi_merchant_sdk::signed_note::{Checkpoint, NoteSigner};

/// A `xinyi witness serve` process, killed when dropped.
struct WitnessProcess(Child);

impl Drop for WitnessProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn xinyi() -> Command {
    Command::new(env!("CARGO_BIN_EXE_xinyi"))
}

fn witness_key(state: &std::path::Path) -> CosignerKey {
    let out = xinyi().args(["witness", "key", "--name", "witness.test/w1", "--state"]).arg(state).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    CosignerKey::parse(String::from_utf8(out.stdout).unwrap().trim()).unwrap()
}

fn serve_witness(addr: &str, log_key: &str, state: &std::path::Path) -> WitnessProcess {
    let mut child = xinyi()
        .args(["witness", "serve", "--addr", addr, "--log-key", log_key, "--state"])
        .arg(state)
        .env("XINYI_LOG_FORMAT", "json")
        .env("XINYI_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    loop {
        let line = lines.next().expect("the witness logs before it exits").unwrap();
        if line.contains("the witness is listening") {
            break;
        }
    }
    std::thread::spawn(move || for _ in lines {});
    WitnessProcess(child)
}

fn audit(app: &TestApp, state: &std::path::Path, token: &str) -> std::process::Output {
    app.xinyi(&["ledger", "audit", "--url", &app.base, "--state", state.to_str().unwrap(), "--token", token])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rewritten_and_re_signed_history_is_refused_by_the_witness_and_caught_by_the_audit() {
    // The witness's key first; its port before the service starts, which names it.
    let witness_dir = tempfile::tempdir().unwrap();
    let witness = witness_key(witness_dir.path());
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let witness_url = format!("http://127.0.0.1:{port}");
    let app = TestApp::spawn_with_log(xinyi::ledger_log::LogSettings {
        checkpoint_interval: Duration::from_millis(100),
        witnesses: vec![xinyi::ledger_log::WitnessConfig { url: witness_url.clone(), key: witness.clone() }],
        quorum: 1,
        ..Default::default()
    })
    .await;
    let key = log_key(&app).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let unwitnessed = app.http.get(app.url("/v1/ledger/checkpoint")).send().await.unwrap();
    assert_eq!(unwitnessed.status(), 503, "nothing is published before the quorum cosigns");
    let witness_process = serve_witness(&format!("127.0.0.1:{port}"), &key.encode(), witness_dir.path());
    let coordinator = app.coordinator_token().await;
    let auditor = app.staff_token("auditor", None, None).await;
    let shop = app.shop(&coordinator, unlimited_offer()).await;
    redemptions(&app, &shop, 3).await;

    // Only cosigned checkpoints are published.
    let honest = checkpoint_of(&app, &key, 3).await;
    let note = app.http.get(app.url("/v1/ledger/checkpoint")).send().await.unwrap().text().await.unwrap();
    assert!(witness.verify(&note).is_ok(), "the published checkpoint carries the witness's cosignature:\n{note}");
    let audit_state = app.dir.path().join("audit.json");
    let out = audit(&app, &audit_state, &auditor);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("checkpoint of 3 entries") && said.contains("every entry re-hashed"), "{said}");

    // The forger: entry 2 rewritten, the chain re-sealed, the tree recomputed,
    // and a checkpoint over it signed with the log's key from the database.
    let forged = rewrite_history(&app).await;
    let root = xinyi_merchant_sdk::merkle::root_of(&forged.iter().map(|e| leaf_hash(e)).collect::<Vec<_>>());
    assert_ne!(root, honest.root);
    let sealed: Vec<u8> = {
        let store = &app.state.store;
        let key = store
            .log_key(
                &xinyi::storage::StoredLogKey {
                    origin: String::new(),
                    public_key: [0; 32],
                    secret: vec![],
                    sealed: false,
                },
                time::OffsetDateTime::now_utc(),
            )
            .await
            .unwrap();
        key.secret
    };
    let seed = xinyi::signing::MasterKey::from_secret(MASTER_KEY).unwrap().open("ledger-log-key", &sealed).unwrap();
    let log_signer = NoteSigner::new(&key.name, ed25519_dalek::SigningKey::from_bytes(&seed)).unwrap();
    let forged_note = log_signer.sign(&Checkpoint { origin: key.name.clone(), size: 3, root }.to_text()).unwrap();
    assert!(key.open(&forged_note).is_ok(), "the forgery is signed by the real log key");
    app.database.replace_ledger_checkpoints(3, &root, &forged_note).await;
    assert!(app.ledger_verify().status.success(), "inside the database, everything agrees now");

    // The witness refuses it: it cosigned another root at that size.
    let body = xinyi::witness::AddCheckpoint { old: 3, proof: vec![], note: forged_note.clone() }.to_text();
    let response = app.http.post(format!("{witness_url}/add-checkpoint")).body(body).send().await.unwrap();
    assert_eq!(response.status(), 409, "{}", response.text().await.unwrap());
    // A forger who grows the forged tree instead gets 422: its proof from
    // the cosigned size does not reach the cosigned root.
    let mut grown = forged.clone();
    grown.push(b"a fourth entry, made up".to_vec());
    let grown_root = xinyi_merchant_sdk::merkle::root_of(&grown.iter().map(|e| leaf_hash(e)).collect::<Vec<_>>());
    let stored: std::collections::HashMap<u64, [u8; 32]> = tree_of(&grown).into_iter().collect();
    let proof = xinyi::domain::ledger_proofs::ProofPlan::consistency(3, 4).hashes(&stored).unwrap();
    let note = log_signer.sign(&Checkpoint { origin: key.name.clone(), size: 4, root: grown_root }.to_text()).unwrap();
    let body = xinyi::witness::AddCheckpoint { old: 3, proof, note }.to_text();
    let response = app.http.post(format!("{witness_url}/add-checkpoint")).body(body).send().await.unwrap();
    assert_eq!(response.status(), 422, "{}", response.text().await.unwrap());
    // Restarted, it still holds what it recorded before cosigning, and asked
    // from the wrong size it says which size that is.
    drop(witness_process);
    let _witness = serve_witness(&format!("127.0.0.1:{port}"), &key.encode(), witness_dir.path());
    let body = xinyi::witness::AddCheckpoint { old: 1, proof: vec![], note: forged_note.clone() }.to_text();
    let response = app.http.post(format!("{witness_url}/add-checkpoint")).body(body).send().await.unwrap();
    assert_eq!(response.status(), 409);
    assert_eq!(response.headers()["content-type"], "text/x.tlog.size");
    assert_eq!(response.text().await.unwrap(), "3\n");

    // The audit that kept the honest checkpoint exits 1 with both as evidence.
    let out = audit(&app, &audit_state, &auditor);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("does not extend the one verified before"), "{said}");
    let honest_root = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, honest.root);
    let forged_root = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, root);
    assert!(said.contains(&honest_root) && said.contains(&forged_root), "both checkpoints are printed:\n{said}");
}
