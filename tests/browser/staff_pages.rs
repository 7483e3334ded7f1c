//! The pages of the program's staff: a department deciding a citizen's
//! declaration, and the coordinator console under axe-core.

use super::helpers::TestApp;
use super::{Browser, NEEDS_CHROMIUM};
use fantoccini::Locator;

#[tokio::test]
#[ignore = "needs chromium and chromium-driver (apt-get install chromium chromium-driver)"]
async fn a_declaration_goes_from_the_citizen_page_to_the_department_and_back_and_raises_the_level() {
    let _ = NEEDS_CHROMIUM;
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    app.citizen_with_score(&coordinator, "browser-volunteer", 595).await;
    let department = app.staff_token("department", Some("civil-affairs"), Some(50)).await;
    let browser = Browser::start().await;
    let token = app.citizen_token("browser-volunteer");
    browser.client.goto(&app.url(&format!("/citizen#token={token}"))).await.unwrap();
    browser.wait_for_text("level-name", "A").await;
    assert_eq!(browser.client.find(Locator::Id("level-name")).await.unwrap().text().await.unwrap(), "A");
    browser.wait_for_text("no-declarations", "No declarations yet").await;
    let field = |id: &'static str| browser.client.find(Locator::Id(id));
    field("declare-kind").await.unwrap().send_keys("志愿服务 volunteering").await.unwrap();
    field("declare-description")
        .await
        .unwrap()
        .send_keys("社区养老院 12 小时 / 12 hours at the care home")
        .await
        .unwrap();
    field("declare-evidence").await.unwrap().send_keys("证书 No. 1120").await.unwrap();
    browser.client.find(Locator::Css("#declare-form button[type=submit]")).await.unwrap().click().await.unwrap();
    browser.wait_for_text("declarations", "Pending").await;
    browser.save_screenshot("citizen-declaration").await;

    browser.sign_in(&app.url("/department"), "department", &department).await;
    browser.wait_for_text("queue", "12 hours at the care home").await;
    let points = browser.client.find(Locator::Css("#queue .decision-delta")).await.unwrap();
    points.clear().await.unwrap();
    points.send_keys("12").await.unwrap();
    browser
        .client
        .find(Locator::Css("#queue .decision-reason"))
        .await
        .unwrap()
        .send_keys("已核实 checked")
        .await
        .unwrap();
    browser.save_screenshot("department-queue").await;
    browser.client.find(Locator::Css("#queue button.approve")).await.unwrap().click().await.unwrap();
    browser.wait_for_text("no-queue", "No declarations").await;

    browser.sign_in(&app.url("/citizen"), "citizen", &token).await;
    let shown = browser.wait_for_text("declarations", "已核实 checked").await;
    assert!(shown.contains("Approved +12"), "{shown}");
    browser.wait_for_text("level-name", "AA").await;
    browser.wait_for_text("score-value", "607").await;
    browser.save_screenshot("citizen-declaration-approved").await;
    browser.stop().await;
    let me: serde_json::Value = app.me(&token).await.json().await.unwrap();
    assert_eq!(me["score"], 607, "the approved points counted once");
}
