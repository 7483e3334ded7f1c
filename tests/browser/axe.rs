//! axe-core in the page, and the sideways-scroll check: what every
//! browser test asks of a page it shows.

use super::Browser;

/// axe-core's browser build, installed from npm by `.ci/run`
/// (`npm install --prefix target/axe axe-core`), or where `XINYI_AXE_JS` says.
fn axe_source() -> String {
    let path = std::env::var("XINYI_AXE_JS").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/target/axe/node_modules/axe-core/axe.min.js").to_owned()
    });
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("axe-core is needed at {path} (npm install --prefix target/axe axe-core): {e}"))
}

/// Every violation axe-core finds of the WCAG 2.0, 2.1 and 2.2 A and AA
/// rules, target-size included, as "rule: target, …" lines.
pub async fn axe_violations(browser: &Browser) -> Vec<String> {
    axe_violations_with(browser, &[]).await
}

/// The same, with more rules turned on: `color-contrast-enhanced` (7:1)
/// for care mode, say.
pub async fn axe_violations_with(browser: &Browser, extra_rules: &[&str]) -> Vec<String> {
    browser.client.execute(&axe_source(), vec![]).await.unwrap();
    let script = r#"const done = arguments[arguments.length - 1];
        const rules = { "target-size": { enabled: true } };
        for (const id of arguments[0]) rules[id] = { enabled: true };
        axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] }, rules })
           .then((r) => done(r.violations.map((v) => v.id + " (" + v.impact + "): " + v.nodes.map((n) => n.target.join(" ")).join(", "))))
           .catch((e) => done(["axe failed: " + e]));"#;
    let found = browser.client.execute_async(script, vec![serde_json::json!(extra_rules)]).await.unwrap();
    serde_json::from_value(found).unwrap()
}

/// The page is wider than its viewport: something to scroll sideways.
pub async fn overflows(browser: &Browser) -> bool {
    let script = "return document.documentElement.scrollWidth > document.documentElement.clientWidth;";
    browser.client.execute(script, vec![]).await.unwrap().as_bool().unwrap()
}

/// The elements that reach past the viewport's right edge, innermost
/// first, as "tag#id.class (right edge)": where a sideways scroll comes from.
pub async fn overflowing(browser: &Browser) -> Vec<String> {
    let script = r##"const edge = document.documentElement.clientWidth;
        const clipped = (e) => { for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
            if (getComputedStyle(a).overflowX !== "visible") return true; } return false; };
        const past = [...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > edge + 0.5 && !clipped(e));
        const innermost = past.filter((e) => !past.some((o) => o !== e && e.contains(o)));
        return innermost.slice(0, 5).map((e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
            (e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\s+/).join(".") : "") +
            " (" + Math.round(e.getBoundingClientRect().right) + " > " + edge + ")");"##;
    serde_json::from_value(browser.client.execute(script, vec![]).await.unwrap()).unwrap()
}
