//! Every resident can take part: care mode, the live screen, a family
//! member's code, a printed sheet read back from its screenshot, and every
//! page under axe-core at a small phone, a phone and a desk.

use super::axe::{axe_violations_with, overflowing, overflows};
use super::helpers::{TestApp, legal_offer};
use super::{Browser, decode_qr, decode_qrs};
use fantoccini::Locator;
use serde_json::{Value, json};
use std::time::Duration;
use time::OffsetDateTime;
use xinyi_merchant_sdk::{CodeMedium, CreditLevel};

const SIZES: [(u32, u32); 3] = [(320, 568), (390, 844), (1280, 800)];

impl Browser {
    async fn citizen_page(&self, app: &TestApp, citizen_id: &str, query: &str) {
        let token = app.citizen_token(citizen_id);
        self.client.goto(&app.url(&format!("/citizen{query}#token={token}"))).await.unwrap();
        self.client.wait().for_element(Locator::Css("#qr svg")).await.unwrap();
        self.client.wait().for_element(Locator::Css("#proxies-box:not(.hidden)")).await.unwrap();
    }

    async fn js(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.unwrap()
    }

    /// axe at each of [`SIZES`] and no sideways scroll; what failed, and a screenshot at each phone size.
    async fn check_page(&self, page: &str, extra_rules: &[&str], failures: &mut Vec<String>) {
        for (w, h) in SIZES {
            self.client.set_window_size(w, h).await.unwrap();
            tokio::time::sleep(Duration::from_millis(300)).await;
            let inner = self.js("return window.innerWidth;").await.as_u64().unwrap();
            assert!(inner <= u64::from(w), "the window is {inner} px wide, not {w}");
            let found = axe_violations_with(self, extra_rules).await;
            failures.extend(found.into_iter().map(|v| format!("{page} at {w}×{h}: {v}")));
            if overflows(self).await {
                failures.push(format!("{page} at {w}×{h}: scrolls sideways: {}", overflowing(self).await.join(", ")));
            }
            if w < 1000 {
                self.save_screenshot(&format!("{page}-{w}")).await;
            }
        }
    }

    /// The live screen's clock shows HH:MM:SS and turns within three seconds.
    async fn clock_ticks(&self) -> bool {
        let read = || self.js("return document.getElementById('live-clock').textContent;");
        let first = read().await;
        assert_eq!(first.as_str().unwrap().len(), 8, "{first}");
        for _ in 0..30 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if read().await != first {
                return true;
            }
        }
        false
    }

    /// Chooses a family member's code with the "为家人出示" switch.
    async fn show_for_family(&self) {
        let option = self.client.find(Locator::Css("#show-for option:nth-child(2)")).await.unwrap();
        option.click().await.unwrap();
        self.client.wait().for_element(Locator::Css("#showing-for:not(.hidden)")).await.unwrap();
    }
}

#[tokio::test]
#[ignore = "needs chromium and chromium-driver (apt-get install chromium chromium-driver)"]
async fn every_page_passes_axe_at_320_390_and_1280_and_none_scrolls_sideways() {
    let app = TestApp::spawn().await;
    app.age_signing_keys().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    app.citizen_with_score(&coordinator, "axe-grandpa", 650).await;
    app.family_grant("axe-grandpa", "axe-daughter").await;
    let browser = Browser::start().await;
    let mut failures = Vec::new();

    browser.citizen_page(&app, "axe-daughter", "?care=0").await;
    browser.check_page("citizen", &[], &mut failures).await;
    browser.show_for_family().await;
    browser.wait_for_text("level-name", "AA").await;
    browser.check_page("citizen-proxy", &[], &mut failures).await;
    // Care mode promises 7:1, so the enhanced contrast rule is on too.
    browser.citizen_page(&app, "axe-grandpa", "?care=1").await;
    browser.check_page("citizen-care", &["color-contrast-enhanced"], &mut failures).await;

    browser.citizen_page(&app, "axe-grandpa", "?care=0").await;
    browser.client.find(Locator::Id("open-statement")).await.unwrap().click().await.unwrap();
    browser.wait_through_navigation("p.jws").await;
    browser.check_page("statement", &[], &mut failures).await;
    browser.citizen_page(&app, "axe-grandpa", "").await;
    browser.client.find(Locator::Id("print-sheet")).await.unwrap().click().await.unwrap();
    browser.wait_through_navigation("li.code svg").await;
    browser.check_page("code-sheet", &[], &mut failures).await;

    browser.client.set_window_size(390, 844).await.unwrap();
    browser.sign_in(&app.url("/merchant"), "merchant", &shop.api_key).await;
    browser.client.wait().for_element(Locator::Css("#offer option")).await.unwrap();
    browser.check_page("merchant", &[], &mut failures).await;
    browser.sign_in(&app.url("/coordinator"), "coordinator", &coordinator).await;
    browser.wait_for_text("offer-table", "免费法律咨询").await;
    browser.check_page("coordinator", &[], &mut failures).await;
    browser.stop().await;
    assert!(failures.is_empty(), "axe-core and sideways scrolling:\n{}", failures.join("\n"));
}

#[tokio::test]
#[ignore = "needs chromium and chromium-driver (apt-get install chromium chromium-driver)"]
async fn care_mode_shows_a_family_members_code_in_large_type_beside_a_live_clock_and_reads_it_aloud() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    app.citizen_with_score(&coordinator, "care-grandpa", 650).await;
    app.family_grant("care-grandpa", "care-daughter").await;
    let browser = Browser::start().await;
    browser.client.set_window_size(390, 844).await.unwrap();
    browser.citizen_page(&app, "care-daughter", "?care=1").await;
    let switch = browser
        .js("const r = document.getElementById('care-toggle').getBoundingClientRect(); \
        return [r.bottom <= window.innerHeight, document.getElementById('care-toggle').getAttribute('aria-checked')];")
        .await;
    assert_eq!(switch, json!([true, "true"]), "the switch is on the first screen, and on");
    let measured = browser
        .js(r#"
        const shown = (e) => e.offsetParent !== null && !e.closest(".sr-only");
        const texts = [...document.querySelectorAll("main *, header *")].filter((e) => shown(e) &&
            [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()));
        const targets = [...document.querySelectorAll("button, a, select, input, summary")].filter(shown)
            .map((e) => e.getBoundingClientRect()).filter((r) => r.width < 60 || r.height < 60);
        const first = [...document.querySelectorAll("main section")].find((s) => !s.classList.contains("hidden"));
        return { smallest: Math.min(...texts.map((e) => parseFloat(getComputedStyle(e).fontSize))),
                 small_targets: targets.length, qr: document.getElementById("qr").getBoundingClientRect().width,
                 first: first.id };"#)
        .await;
    assert!(measured["smallest"].as_f64().unwrap() >= 24.0, "{measured}");
    assert_eq!(measured["small_targets"], 0, "every target 60×60: {measured}");
    assert!(measured["qr"].as_f64().unwrap() >= 280.0, "{measured}");
    assert_eq!(measured["first"], "code", "the code first: {measured}");

    browser.show_for_family().await;
    browser.wait_for_text("level-name", "AA").await;
    browser.wait_for_text("code-announcer", "AA").await;
    // The whole screen, as a cashier's scanner sees the phone.
    browser.js("document.getElementById('qr').scrollIntoView({ block: 'center' });").await;
    let png = std::fs::read(browser.save_screenshot("citizen-care-family").await).unwrap();
    let shown = decode_qr(&png);
    let verified = app.verifier().await.verify(&shown, OffsetDateTime::now_utc()).unwrap();
    assert_eq!((verified.level, verified.medium), (CreditLevel::AA, CodeMedium::Phone), "the grandfather's level");
    browser.js("window.spoken = []; speechSynthesis.speak = (u) => spoken.push([u.lang, u.text]);").await;
    browser.client.find(Locator::Id("read-aloud")).await.unwrap().click().await.unwrap();
    let spoken = browser.js("return window.spoken;").await;
    assert_eq!(spoken[0][0], "zh-CN");
    let words = spoken[0][1].as_str().unwrap();
    assert!(words.contains("A A 级") && words.contains("收银员") && words.contains("家人"), "{words}");

    assert!(browser.clock_ticks().await, "a clock to the second");
    let moving = browser.js("return getComputedStyle(document.querySelector('.live-mark')).animationName;").await;
    assert_eq!(moving, "live-sweep");

    browser.client.find(Locator::Id("care-toggle")).await.unwrap().click().await.unwrap();
    browser.citizen_page(&app, "care-daughter", "").await;
    assert_eq!(browser.js("return document.body.classList.contains('care');").await, false, "off is kept too");
    browser.stop().await;

    let still = Browser::start_with(&["--force-prefers-reduced-motion"]).await;
    still.citizen_page(&app, "care-grandpa", "").await;
    let moving = still.js("return getComputedStyle(document.querySelector('.live-mark')).animationName;").await;
    assert_eq!(moving, "none", "nothing moves under prefers-reduced-motion");
    assert!(still.clock_ticks().await, "the clock ticks without the moving mark");
    still.stop().await;
}

#[tokio::test]
#[ignore = "needs chromium and chromium-driver (apt-get install chromium chromium-driver)"]
async fn a_sheet_printed_from_the_citizen_page_reads_back_from_its_screenshot_and_a_code_redeems_at_the_checkout() {
    let app = TestApp::spawn().await;
    app.age_signing_keys().await;
    let coordinator = app.coordinator_token().await;
    app.citizen_with_score(&coordinator, "sheet-grandma", 650).await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    // Twice the pixels, as a phone camera sees a printed page better than a screen's 96 dpi.
    let browser = Browser::start_with(&["--force-device-scale-factor=2"]).await;
    browser.client.set_window_size(1280, 800).await.unwrap();
    browser.citizen_page(&app, "sheet-grandma", "").await;
    browser.client.find(Locator::Css("#sheet-codes option:nth-child(1)")).await.unwrap().click().await.unwrap();
    browser.client.find(Locator::Id("print-sheet")).await.unwrap().click().await.unwrap();
    browser.wait_through_navigation("li.code svg").await;
    let height = browser.js("return document.documentElement.scrollHeight;").await.as_u64().unwrap();
    browser.client.set_window_size(1280, height as u32 + 40).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let printed = browser.save_screenshot("code-sheet-printed").await;
    let codes = decode_qrs(&std::fs::read(&printed).unwrap());
    assert_eq!(codes.len(), 5, "every QR of the sheet reads back");
    let verifier = app.verifier().await;
    for code in &codes {
        let checked = verifier.verify(code, OffsetDateTime::now_utc()).unwrap();
        assert_eq!((checked.medium, checked.level), (CodeMedium::Paper, CreditLevel::AA));
    }
    let distinct: std::collections::BTreeSet<_> = codes.iter().collect();
    assert_eq!(distinct.len(), 5);

    browser.client.set_window_size(390, 844).await.unwrap();
    browser.sign_in(&app.url("/merchant"), "merchant", &shop.api_key).await;
    browser.client.wait().for_element(Locator::Css("#offer option")).await.unwrap();
    browser.client.find(Locator::Id("amount")).await.unwrap().send_keys("150").await.unwrap();
    let scanned = format!("{}\u{E007}", codes[2]);
    browser.client.find(Locator::Id("code")).await.unwrap().send_keys(&scanned).await.unwrap();
    browser.wait_for_text("verdict", "AA 级 · 优惠 ¥20.00").await;
    browser.client.find(Locator::Id("code")).await.unwrap().send_keys("\u{E007}").await.unwrap();
    browser.wait_for_text("verdict", "已核销 · AA 级 · 优惠 ¥20.00").await;
    browser.save_screenshot("merchant-paper-code").await;
    browser.stop().await;
    let sheets = app.get_json(&app.citizen_token("sheet-grandma"), "/v1/me/code-sheets").await;
    assert_eq!(sheets["sheets"][0]["numbers_used"].as_array().unwrap().len(), 1, "{sheets}");
}
