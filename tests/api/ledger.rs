//! The ledger is append-only and its hash chain catches tampering.

use crate::helpers::*;

async fn ledger_with_entries(app: &TestApp, n: usize) {
    let coordinator = app.coordinator_token().await;
    let mut offer = legal_offer();
    offer["per_citizen_limit"] = serde_json::Value::Null;
    let shop = app.shop(&coordinator, offer).await;
    for i in 0..n {
        assert_eq!(app.redeem_code(&shop, &app.code_text(&format!("c{i}")).await, 5000).await.status(), 201);
    }
}

async fn tamper(app: &TestApp, statements: &[&'static str]) {
    app.database.disable_ledger_triggers().await;
    for statement in statements {
        app.database.execute(statement).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_refuses_to_update_or_delete_ledger_rows() {
    let app = TestApp::spawn().await;
    ledger_with_entries(&app, 1).await;
    assert!(app.database.execute("UPDATE ledger SET discount_fen = 1").await.is_err());
    assert!(app.database.execute("DELETE FROM ledger").await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entry_changed_behind_the_service_s_back_is_named() {
    let app = TestApp::spawn().await;
    ledger_with_entries(&app, 3).await;
    assert!(app.ledger_verify().status.success());
    tamper(&app, &["UPDATE ledger SET discount_fen = discount_fen + 100 WHERE seq = 2"]).await;
    let out = app.ledger_verify();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("entry 2 was changed"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_entry_is_named() {
    let app = TestApp::spawn().await;
    ledger_with_entries(&app, 3).await;
    tamper(&app, &["DELETE FROM ledger WHERE seq = 2"]).await;
    let out = app.ledger_verify();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("entry 3 does not follow entry 1"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reordered_entries_are_caught() {
    let app = TestApp::spawn().await;
    ledger_with_entries(&app, 3).await;
    tamper(
        &app,
        &[
            "UPDATE ledger SET seq = -1 WHERE seq = 1",
            "UPDATE ledger SET seq = 1 WHERE seq = 2",
            "UPDATE ledger SET seq = 2 WHERE seq = -1",
        ],
    )
    .await;
    let out = app.ledger_verify();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ledger verification FAILED"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_removed_from_the_end_are_caught_by_the_redemptions_that_refer_to_them() {
    let app = TestApp::spawn().await;
    ledger_with_entries(&app, 3).await;
    tamper(&app, &["DELETE FROM ledger WHERE seq = 3"]).await;
    let out = app.ledger_verify();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("ends at entry 2, but redemptions refer to entry 3"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
