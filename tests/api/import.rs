//! `xinyi import score-events`: good rows kept, bad rows named, re-runs harmless.

use crate::helpers::*;
use std::io::Write as _;

const CSV: &str = "\
event_id,citizen_id,delta,reason,source,occurred_at
e1,zhang,50,志愿服务 volunteering,civil-affairs,2026-10-01T09:00:00+08:00
e2,zhang,-20,\"交通违章, 闯红灯 red light\",traffic-police,2026-10-02T09:00:00Z
e3,li,abc,bad delta,tests,2026-10-03T09:00:00Z
e4,li,10,missing a field,tests
e5,li,10,bad time,tests,last tuesday
e6,li,120,无偿献血 blood donation,health,2026-10-04T09:00:00Z
e1,wang,50,reused id with other content,tests,2026-10-01T09:00:00+08:00
e7,li,0,zero delta,tests,2026-10-05T09:00:00Z
";

fn write_csv(app: &TestApp, contents: &str) -> std::path::PathBuf {
    let path = app.dir.path().join("events.csv");
    std::fs::File::create(&path).unwrap().write_all(contents.as_bytes()).unwrap();
    path
}

async fn score(app: &TestApp, citizen: &str) -> i64 {
    let me: serde_json::Value = app.me(&app.citizen_token(citizen)).await.json().await.unwrap();
    me["score"].as_i64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_keeps_the_good_rows_and_names_each_bad_row_by_line() {
    let app = TestApp::spawn().await;
    let path = write_csv(&app, CSV);
    let out = app.xinyi(&["import", "score-events", path.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "bad rows make the exit code 1: {stderr}");
    for (line, field) in [(4, "delta"), (5, "row"), (6, "occurred_at"), (8, "event_id"), (9, "delta")] {
        assert!(stderr.contains(&format!("line {line}: {field}")), "line {line} ({field}) is named in:\n{stderr}");
    }
    assert!(stderr.contains("3 imported, 0 already present, 5 bad rows"), "{stderr}");
    assert_eq!(score(&app, "zhang").await, 530);
    assert_eq!(score(&app, "li").await, 620);
    assert_eq!(score(&app, "wang").await, 500);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn running_an_import_twice_changes_nothing() {
    let app = TestApp::spawn().await;
    let good: String = CSV.lines().take(3).map(|l| format!("{l}\n")).collect();
    let path = write_csv(&app, &good);
    let first = app.xinyi(&["import", "score-events", path.to_str().unwrap()]);
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let second = app.xinyi(&["import", "score-events", path.to_str().unwrap()]);
    assert!(second.status.success());
    assert!(String::from_utf8_lossy(&second.stderr).contains("0 imported, 2 already present, 0 bad rows"));
    assert_eq!(score(&app, "zhang").await, 530);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_with_the_wrong_header_is_refused_whole() {
    let app = TestApp::spawn().await;
    let path = write_csv(&app, "id,citizen,points\n1,zhang,50\n");
    let out = app.xinyi(&["import", "score-events", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("header must be event_id,citizen_id,delta,reason,source,occurred_at")
    );
    assert_eq!(score(&app, "zhang").await, 500);
}

const LISTS: &str = "\
citizen_id,list,reason,source,starts_at,ends_at,entry_id
debtor-1,black,失信被执行人,东城区人民法院,2026-01-01T00:00:00+08:00,,court-0001
hero-1,red,见义勇为,市文明办,,2099-01-01T00:00:00Z,
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_entries_import_idempotently_and_a_bad_row_holds_its_batch_back() {
    let app = TestApp::spawn().await;
    let path = write_csv(&app, LISTS);
    for _ in 0..2 {
        let out = app.xinyi(&["import", "list-entries", path.to_str().unwrap()]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        // A row without a start starts when first recorded; a repeat in a
        // later second must still be a repeat (it once was a conflict).
        std::thread::sleep(std::time::Duration::from_millis(1100));
    }
    let out = app.xinyi(&["import", "list-entries", path.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("0 imported, 2 already present"), "a re-import adds nothing");
    assert_eq!(app.issue_code(&app.citizen_token("debtor-1")).await.status(), 403);
    let hero = app.get_json(&app.citizen_token("hero-1"), "/v1/me").await;
    assert_eq!(hero["lists"][0]["list"], "red");

    let bad = "citizen_id,list,reason,source,starts_at,ends_at\nok-1,black,r,s,,\nbad-1,grey,r,s,,\nbad-2,black,r,s,yesterday,\n";
    let out = app.xinyi(&["import", "list-entries", write_csv(&app, bad).to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("line 3: list") && stderr.contains("line 4: starts_at"), "{stderr}");
    assert_eq!(
        app.issue_code(&app.citizen_token("ok-1")).await.status(),
        200,
        "the good row of that batch was not written"
    );
}
