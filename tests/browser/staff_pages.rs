//! The pages of the program's staff: a department deciding a citizen's
//! declaration, and the coordinator console under axe-core.

use super::axe::{axe_violations, overflows};
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
    let violations = axe_violations(&browser).await;
    assert!(violations.is_empty(), "axe-core on the department page:\n{}", violations.join("\n"));
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

#[tokio::test]
#[ignore = "needs chromium and chromium-driver (apt-get install chromium chromium-driver)"]
async fn the_coordinator_console_makes_an_offer_without_json_and_passes_axe_at_a_phone_and_a_desk_width() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, super::helpers::legal_offer()).await;
    app.staff_token("department", Some("civil-affairs"), Some(50)).await;
    let browser = Browser::start().await;
    browser.client.set_window_size(390, 844).await.unwrap();
    browser.sign_in(&app.url("/coordinator"), "coordinator", &coordinator).await;
    browser.wait_for_text("principal-table", "department").await;
    browser.wait_for_text("offer-table", "免费法律咨询").await;
    browser.wait_for_text("category-table", "law_firm").await;

    // A bad tier: the service's problem lands next to the field it names.
    let form = |id: &'static str| browser.client.find(Locator::Id(id));
    form("o-title").await.unwrap().send_keys("家政九折 Housekeeping 10% off").await.unwrap();
    let percent = browser.client.find(Locator::Css("#o-tier-rows .tier-row input[id$='-percent']")).await.unwrap();
    percent.clear().await.unwrap();
    percent.send_keys("150").await.unwrap();
    browser.wait_for_text("o-preview", "150% off").await;
    browser.client.find(Locator::Id("o-submit")).await.unwrap().click().await.unwrap();
    let error = browser
        .client
        .wait()
        .for_element(Locator::Css("[data-field='tiers[0].percent'] + .field-error"))
        .await
        .unwrap();
    assert!(error.text().await.unwrap().contains("100"), "the service's words about the percent");
    browser.save_screenshot("coordinator-offer-field-error").await;
    percent.clear().await.unwrap();
    percent.send_keys("10").await.unwrap();
    form("o-budget-yuan").await.unwrap().send_keys("500").await.unwrap();
    let preview = browser.wait_for_text("o-preview", "10% off").await;
    assert!(
        preview.contains("L1 · C") && preview.contains("无 · Nothing"),
        "levels below the offer get nothing: {preview}"
    );
    browser.client.find(Locator::Id("o-submit")).await.unwrap().click().await.unwrap();
    browser.wait_for_text("offer-saved", "家政九折").await;
    let table = browser.wait_for_text("offer-table", "家政九折").await;
    assert!(table.contains("¥500.00 / ¥500.00"), "the budget left: {table}");
    let offers: serde_json::Value =
        app.get_json(&coordinator, &format!("/v1/merchants/{}/offers", shop.merchant_id)).await;
    let made = offers.as_array().unwrap().iter().find(|o| o["title"] == "家政九折 Housekeeping 10% off").expect("made");
    assert_eq!((made["budget_fen"].as_i64(), made["tiers"][0]["percent"].as_i64()), (Some(50_000), Some(10)));

    assert!(!overflows(&browser).await, "the console reflows at 390 px");
    browser.client.execute("document.getElementById('offer-table').scrollIntoView()", vec![]).await.unwrap();
    browser.save_screenshot("coordinator-offers-390").await;
    let phone = axe_violations(&browser).await;
    browser.save_screenshot("coordinator-390").await;
    browser.client.set_window_size(1280, 800).await.unwrap();
    let desk = axe_violations(&browser).await;
    browser.save_screenshot("coordinator-1280").await;
    browser.stop().await;
    assert!(phone.is_empty(), "axe-core at 390×844:\n{}", phone.join("\n"));
    assert!(desk.is_empty(), "axe-core at 1280×800:\n{}", desk.join("\n"));
}
