//! The pages in real headless Chromium, driven through chromedriver.
//! Needs Debian's `chromium` and `chromium-driver`; `.ci/run` installs them
//! and runs these with `cargo nextest run --workspace --run-ignored only`.
//! Screenshots are saved under `target/browser-screenshots/`.

#[path = "api/database.rs"]
#[allow(dead_code)]
mod database;
#[path = "api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

#[path = "browser/axe.rs"]
mod axe;
#[path = "browser/inclusion.rs"]
mod inclusion;
#[path = "browser/staff_pages.rs"]
mod staff_pages;

use fantoccini::{Client, ClientBuilder, Locator};
use helpers::TestApp;
use std::os::unix::process::CommandExt as _;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use time::OffsetDateTime;
use xinyi_merchant_sdk::CreditLevel;

const NEEDS_CHROMIUM: &str = "needs chromium and chromium-driver (apt-get install chromium chromium-driver)";

struct Browser {
    client: Client,
    driver: Child,
}

impl Browser {
    async fn start() -> Browser {
        Browser::start_with(&[]).await
    }

    /// With more Chromium switches: `--force-prefers-reduced-motion`, say.
    async fn start_with(extra_args: &[&str]) -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        // A process group of its own, so that dropping the browser ends the
        // Chromium that chromedriver starts, not only chromedriver: a failed
        // test used to leave Chromium running, and a benchmark after it slow.
        let mut driver = Command::new("chromedriver")
            .process_group(0)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect(NEEDS_CHROMIUM);
        let profile = tempfile::tempdir().unwrap().keep();
        let mut args: Vec<String> = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--window-size=390,1100",
        ]
        .map(String::from)
        .into();
        args.push(format!("--user-data-dir={}", profile.display()));
        args.extend(extra_args.iter().map(|a| a.to_string()));
        let capabilities = serde_json::json!({"goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": args}});
        let mut builder = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new());
        builder.capabilities(capabilities.as_object().unwrap().clone());
        for _ in 0..100 {
            if let Ok(client) = builder.connect(&format!("http://127.0.0.1:{port}")).await {
                return Browser { client, driver };
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = driver.kill();
        let _ = driver.wait();
        panic!("chromedriver did not start: {NEEDS_CHROMIUM}");
    }

    /// Opens `page` signed in with `token`, as the page keeps it.
    async fn sign_in(&self, page: &str, kind: &str, token: &str) {
        self.client.goto(page).await.unwrap();
        let script = format!("sessionStorage.setItem('xinyi.{kind}', arguments[0]); location.reload();");
        self.client.execute(&script, vec![serde_json::json!(token)]).await.unwrap();
    }

    /// Waits until the element's text contains `expected`, and returns the text.
    async fn wait_for_text(&self, id: &str, expected: &str) -> String {
        let mut text = String::new();
        for _ in 0..100 {
            if let Ok(element) = self.client.find(Locator::Id(id)).await {
                text = element.text().await.unwrap_or_default();
                if text.contains(expected) {
                    return text;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("#{id} never showed {expected:?}; it shows {text:?}");
    }

    /// Waits for an element on a page that is still navigating: a find
    /// the navigation aborts is tried again, not taken as an answer.
    async fn wait_through_navigation(&self, css: &str) {
        for _ in 0..100 {
            if self.client.find(Locator::Css(css)).await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{css} never appeared");
    }

    async fn save_screenshot(&self, name: &str) -> PathBuf {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/browser-screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, self.client.screenshot().await.unwrap()).unwrap();
        println!("screenshot: {}", path.display());
        path
    }

    async fn stop(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Reads the QR code in a PNG, as a phone camera would.
fn decode_qr(png_bytes: &[u8]) -> String {
    let mut found = decode_qrs(png_bytes);
    assert_eq!(found.len(), 1, "one QR code in the screenshot");
    found.remove(0)
}

/// Every QR code in a PNG (a printed sheet holds many), in no set order.
fn decode_qrs(png_bytes: &[u8]) -> Vec<String> {
    let mut reader = png::Decoder::new(std::io::Cursor::new(png_bytes)).read_info().unwrap();
    let mut buffer = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buffer).unwrap();
    let channels = info.color_type.samples();
    let (w, h) = (info.width as usize, info.height as usize);
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
        let p = &buffer[y * info.line_size + x * channels..];
        if channels >= 3 { ((u16::from(p[0]) + u16::from(p[1]) + u16::from(p[2])) / 3) as u8 } else { p[0] }
    });
    image.detect_grids().iter().map(|grid| grid.decode().expect("the QR decodes").1).collect()
}

#[tokio::test]
#[ignore = "needs chromium and chromium-driver (apt-get install chromium chromium-driver)"]
async fn a_code_shown_on_the_citizen_page_is_read_back_redeemed_at_the_counter_and_reported() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    app.citizen_with_score(&coordinator, "browser-citizen", 650).await;
    let browser = Browser::start().await;
    let token = app.citizen_token("browser-citizen");
    browser.client.goto(&app.url(&format!("/citizen#token={token}"))).await.unwrap();
    browser.client.wait().for_element(Locator::Css("#qr svg")).await.unwrap();
    let qr = browser.client.find(Locator::Id("qr")).await.unwrap();
    let issued = qr.attr("data-code").await.unwrap().expect("the page keeps the code it was issued");
    let decoded = decode_qr(&qr.screenshot().await.unwrap());
    assert_eq!(decoded, issued, "the QR on the page is the code the API issued");
    let verified = app.verifier().await.verify(&decoded, OffsetDateTime::now_utc()).unwrap();
    assert_eq!(verified.level, CreditLevel::AA);
    let level = browser.client.find(Locator::Id("level-name")).await.unwrap().text().await.unwrap();
    assert_eq!(level, "AA");
    browser.client.wait().for_element(Locator::Css("#events li")).await.unwrap();
    browser.save_screenshot("citizen").await;

    // The merchant page redeems that very code, typed as a wedge scanner types it.
    let shop = app.shop(&coordinator, helpers::legal_offer()).await;
    browser.sign_in(&app.url("/merchant"), "merchant", &shop.api_key).await;
    browser.client.wait().for_element(Locator::Css("#offer option")).await.unwrap();
    browser.client.find(Locator::Id("amount")).await.unwrap().send_keys("150").await.unwrap();
    browser.client.find(Locator::Id("code")).await.unwrap().send_keys(&format!("{decoded}\u{E007}")).await.unwrap();
    // First the quote, and nothing redeemed yet.
    let quote = browser.wait_for_text("verdict", "AA 级 · 优惠 ¥20.00").await;
    assert!(!quote.contains("已核销"), "{quote}");
    assert!(browser.client.find(Locator::Id("confirm")).await.unwrap().is_displayed().await.unwrap());
    assert!(browser.client.find(Locator::Css("#recent li")).await.is_err(), "a quote redeems nothing");
    browser.save_screenshot("merchant-quote").await;
    // Enter on the empty scan field confirms.
    browser.client.find(Locator::Id("code")).await.unwrap().send_keys("\u{E007}").await.unwrap();
    browser.wait_for_text("verdict", "已核销 · AA 级 · 优惠 ¥20.00").await;
    let detail = browser.client.find(Locator::Id("verdict-detail")).await.unwrap().text().await.unwrap();
    assert!(detail.contains("¥130.00"), "payable after ¥20.00 off ¥150.00: {detail}");
    browser.client.wait().for_element(Locator::Css("#recent li")).await.unwrap();
    browser.save_screenshot("merchant").await;

    // A till set to redeem on scan does it in one step.
    browser.client.find(Locator::Id("one-step")).await.unwrap().click().await.unwrap();
    let second = app.code_text("browser-second").await;
    browser.client.find(Locator::Id("code")).await.unwrap().send_keys(&format!("{second}\u{E007}")).await.unwrap();
    browser.wait_for_text("verdict", "已核销 · A 级 · 优惠 ¥15.00").await;
    assert!(!browser.client.find(Locator::Id("confirm")).await.unwrap().is_displayed().await.unwrap());

    // The dashboard shows the reduction.
    browser.sign_in(&app.url("/coordinator"), "coordinator", &coordinator).await;
    browser.wait_for_text("net", "¥35.00").await;
    let citizens = browser.client.find(Locator::Id("citizens")).await.unwrap().text().await.unwrap();
    assert_eq!(citizens, "2");
    browser.client.wait().for_element(Locator::Css("#top tbody tr")).await.unwrap();
    browser.save_screenshot("coordinator").await;
    browser.stop().await;
}

#[tokio::test]
#[ignore = "needs chromium and chromium-driver (apt-get install chromium chromium-driver)"]
async fn a_citizen_asks_for_repair_of_a_black_list_entry_and_a_coordinator_approves_it() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let listing =
        serde_json::json!({"list": "black", "reason": "失信被执行人 judgment debtor", "source": "东城区人民法院"});
    let listed = app.coordinator_post(&coordinator, "/v1/citizens/browser-debtor/list-entries", listing).await;
    assert_eq!(listed.status(), 201);
    let browser = Browser::start().await;
    let token = app.citizen_token("browser-debtor");
    browser.client.goto(&app.url(&format!("/citizen#token={token}"))).await.unwrap();
    browser.wait_for_text("no-code-text", "东城区人民法院").await;
    browser.wait_for_text("list-entries", "judgment debtor").await;
    browser.client.find(Locator::Css("#list-entries button.repair")).await.unwrap().click().await.unwrap();
    let statement = browser.client.find(Locator::Id("repair-statement")).await.unwrap();
    statement.send_keys("已全额履行判决 paid in full").await.unwrap();
    browser.client.find(Locator::Css("#repair-form button[type=submit]")).await.unwrap().click().await.unwrap();
    browser.wait_for_text("repairs", "Pending").await;
    browser.save_screenshot("citizen-repair").await;

    browser.sign_in(&app.url("/coordinator"), "coordinator", &coordinator).await;
    browser.wait_for_text("repair-queue", "paid in full").await;
    browser
        .client
        .find(Locator::Css("#repair-queue .repair-reason"))
        .await
        .unwrap()
        .send_keys("核实已履行 verified")
        .await
        .unwrap();
    browser.save_screenshot("coordinator-repairs").await;
    browser.client.find(Locator::Css("#repair-queue button.approve")).await.unwrap().click().await.unwrap();
    browser.wait_for_text("no-repairs", "No pending repairs").await;

    browser.sign_in(&app.url("/citizen"), "citizen", &token).await;
    browser.wait_for_text("repairs", "核实已履行 verified").await;
    browser.client.wait().for_element(Locator::Css("#qr svg")).await.unwrap();
    browser.stop().await;
}

#[tokio::test]
#[ignore = "needs chromium and chromium-driver (apt-get install chromium chromium-driver)"]
async fn a_citizen_finds_where_the_code_works_and_opens_the_printable_statement() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    app.citizen_with_score(&coordinator, "browser-finder", 650).await;
    app.shop(&coordinator, helpers::legal_offer()).await;
    let mall = serde_json::json!({"name": "万达广场", "category": "mall", "district": "西城区", "address": "西单北大街 130 号"});
    let aaa_only = serde_json::json!({"title": "贵宾折扣 VIP 20% off", "min_level": 5,
        "tiers": [{"min_level": 5, "kind": "percent_off", "percent": 20}]});
    app.shop_of(&coordinator, mall, aaa_only).await;
    let browser = Browser::start().await;
    let token = app.citizen_token("browser-finder");
    browser.client.goto(&app.url(&format!("/citizen#token={token}"))).await.unwrap();
    let listed = browser.wait_for_text("where-list", "明理律师事务所").await;
    assert!(listed.contains("¥20.00 off ≥¥100.00"), "what the offer gives at AA: {listed}");
    let (mine, higher) = listed.split_once("At higher levels").expect("offers for other levels come after");
    assert!(mine.contains("律师事务所") && higher.contains("贵宾折扣") && higher.contains("needs level 5"), "{listed}");
    browser.client.find(Locator::Css("#where-district option[value='西城区']")).await.unwrap().click().await.unwrap();
    let west = browser.wait_for_text("where-list", "贵宾折扣").await;
    assert!(!west.contains("明理律师事务所"), "the district filter: {west}");
    browser.save_screenshot("citizen-directory").await;

    browser.client.find(Locator::Id("open-statement")).await.unwrap().click().await.unwrap();
    // The statement opens as a new document (a blob: URL).
    browser.wait_through_navigation("p.jws").await;
    let page = browser.client.source().await.unwrap();
    assert!(page.contains("信用报告") && page.contains("<svg"), "the printable statement with its QR");
    browser.save_screenshot("statement").await;
    browser.stop().await;
}

#[tokio::test]
#[ignore = "needs chromium and chromium-driver (apt-get install chromium chromium-driver)"]
async fn the_api_reference_renders_for_till_vendors_without_the_internet() {
    let app = TestApp::spawn().await;
    let browser = Browser::start().await;
    browser.client.goto(&app.url("/docs")).await.unwrap();
    // Redoc draws one section per operation, from the document embedded in the page.
    browser.client.wait().for_element(Locator::Css("[id='operation/redeem']")).await.unwrap();
    let text = browser.client.find(Locator::Id("redoc-container")).await.unwrap().text().await.unwrap();
    assert!(
        text.contains("/v1/redemptions/quote") || text.contains("Redeems a credit code"),
        "{}",
        &text[..text.len().min(500)]
    );
    let page = browser.client.source().await.unwrap();
    assert!(!page.contains("cdn.") && !page.contains("googleapis"), "nothing is fetched from elsewhere");
    browser.save_screenshot("api-reference").await;
    browser.stop().await;
}
