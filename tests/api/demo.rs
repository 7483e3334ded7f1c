//! `xinyi demo`, followed as the README tells a newcomer to.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use time::OffsetDateTime;
use xinyi_merchant_sdk::{CreditLevel, TrustedKeys, Verifier};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_serves_citizens_at_every_level_and_their_codes_verify() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_xinyi"))
        .args(["demo", "--addr", "127.0.0.1:0"])
        .current_dir(dir.path())
        .env("XINYI_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first_line = String::new();
    stdout.read_line(&mut first_line).unwrap();
    // Keep reading, as a terminal would, so the demo's output never blocks.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let base =
        first_line.split_whitespace().find(|w| w.starts_with("http://")).expect("the demo prints its URL").to_owned();
    let http = reqwest::Client::new();
    let keys = http.get(format!("{base}/v1/keys")).send().await.unwrap().text().await.unwrap();
    let verifier = Verifier::new(TrustedKeys::from_json(&keys).unwrap());
    for (citizen, level) in [
        ("demo-aaa", CreditLevel::AAA),
        ("demo-aa", CreditLevel::AA),
        ("demo-a", CreditLevel::A),
        ("demo-b", CreditLevel::B),
    ] {
        let token = http.get(format!("{base}/demo/token/{citizen}")).send().await.unwrap().text().await.unwrap();
        let code = http
            .post(format!("{base}/v1/me/code?format=text"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(verifier.verify(&code, OffsetDateTime::now_utc()).unwrap().level, level, "{citizen}");
    }
    let c_token = http.get(format!("{base}/demo/token/demo-c")).send().await.unwrap().text().await.unwrap();
    let refused = http.post(format!("{base}/v1/me/code")).bearer_auth(&c_token).send().await.unwrap();
    assert_eq!(refused.status(), 403);
    let coordinator = http.get(format!("{base}/demo/token/coordinator")).send().await.unwrap().text().await.unwrap();
    assert!(coordinator.starts_with("xyc_"));

    // SIGTERM: the service shuts down gracefully and exits 0.
    assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success());
    assert!(child.wait().unwrap().success());
}
