//! A printed code sheet (纸质信用码) as an A4 page: large instructions,
//! Chinese first, and a grid of QRs each 38 mm wide (the credit-code format
//! asks for at least 35 mm at ECC Q) with its number under it. Nothing on
//! it names the resident: no name, no id, no score, only the level the
//! codes carry and the sheet's id (for revoking it when lost).

use crate::qr::QrMatrix;
use html_escape::encode_text as esc;
use std::fmt::Write as _;
use time::OffsetDateTime;

pub struct Sheet<'a> {
    pub sheet_id: &'a str,
    pub valid_until: OffsetDateTime,
    pub level: &'a str,
    /// Each code by its printed number.
    pub codes: Vec<(u8, &'a str)>,
}

// 20 px body text and 26 px instructions: read at arm's length by older
// eyes. Three 38 mm columns fit A4's 180 mm between 15 mm margins with room
// for gaps; on a narrow screen the grid falls back to fewer columns.
const STYLE: &str = "body{font:20px/1.5 system-ui,\"PingFang SC\",\"Noto Sans CJK SC\",\"Microsoft YaHei\",sans-serif;\
color:#111;background:#fff;max-width:180mm;margin:0 auto;padding:12px}\
h1{font-size:30px;margin:0 0 8px}.lead{font-size:26px;margin:0 0 6px}ol{font-size:22px;margin:0 0 8px;padding-left:1.4em}\
li{margin:2px 0}.en{color:#333;font-size:18px}.small{color:#333;font-size:16px}\
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(42mm,1fr));gap:6mm 4mm;margin:10px 0;padding:0;list-style:none}\
.code{break-inside:avoid;text-align:center;border:1px dashed #555;padding:2mm}\
.code svg{width:38mm;height:38mm;display:block;margin:0 auto}.num{font-size:26px;font-weight:700}\
@page{size:A4;margin:15mm}@media print{body{padding:0}.no-print{display:none}}";

fn beijing(t: OffsetDateTime) -> String {
    let local = t.to_offset(crate::domain::periods::CHINA_STANDARD_TIME);
    format!("{} {:02}:{:02}", local.date(), local.hour(), local.minute())
}

fn instructions(out: &mut String, sheet: &Sheet<'_>) {
    let until = beijing(sheet.valid_until);
    let _ = write!(
        out,
        "<p class=\"lead\">有效期至 <b>{until}</b>(北京时间) · 信用等级 <b>{level}</b></p>\
         <p class=\"en\">Valid until {until} Beijing time · credit level {level}</p>\
         <ol>\
         <li>结账时出示<b>一个</b>二维码,店员扫码后用笔划掉它。<br><span class=\"en\">At checkout show <b>one</b> code; \
         cross it out once it is scanned.</span></li>\
         <li>每个二维码只能用一次。<br><span class=\"en\">Each code works once.</span></li>\
         <li>请勿复印、拍照或交给他人:谁拿到未用的码,谁就能用掉您的优惠。<br><span class=\"en\">Do not copy, photograph or \
         hand it on: whoever holds an unused code can spend your benefit.</span></li>\
         <li>丢失后请尽快到服务大厅或在信用码页面作废本页。<br><span class=\"en\">If it is lost, revoke this sheet at a \
         service hall or on the credit code page.</span></li>\
         </ol>",
        level = esc(sheet.level),
    );
}

pub fn render(sheet: &Sheet<'_>) -> String {
    let mut out = format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>纸质信用码 · Printed credit codes</title><style>{STYLE}</style></head><body><main>\
         <h1>信易+ 纸质信用码 <span class=\"en\" lang=\"en\">Printed credit codes</span></h1>"
    );
    instructions(&mut out, sheet);
    out.push_str("<ul class=\"grid\">");
    for &(number, code) in &sheet.codes {
        // Every code was signed by this service and fits a QR: a failure
        // here is a bug, and a sheet missing a code must not be printed.
        let qr = QrMatrix::encode(code).expect("a credit code fits a QR at ECC Q");
        let svg = qr.to_svg().replacen(
            "<svg ",
            &format!("<svg role=\"img\" aria-label=\"信用码 {number} · code {number}\" "),
            1,
        );
        let _ = write!(out, "<li class=\"code\">{svg}<div class=\"num\">{number}</div></li>");
    }
    let _ = write!(
        out,
        "</ul><p class=\"small\">本页编号 Sheet: {} · 不含姓名、证件号或信用分 No name, id or score is printed.</p>\
         <p class=\"no-print small\">打印 · Print: Ctrl+P</p></main></body></html>",
        esc(sheet.sheet_id)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_prints_every_code_with_its_number_and_nothing_that_names_the_resident() {
        let sheet = Sheet {
            sheet_id: "cs_1",
            valid_until: OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap(),
            level: "A",
            codes: vec![(1, "XY2:ABC"), (2, "XY2:DEF")],
        };
        let page = render(&sheet);
        assert_eq!(page.matches("<svg ").count(), 2);
        assert!(page.contains("aria-label=\"信用码 2 · code 2\""));
        assert!(page.contains("<div class=\"num\">1</div>") && page.contains("<div class=\"num\">2</div>"));
        assert!(page.contains("2027-01-15 16:00"), "the expiry in Beijing time");
        assert!(!page.contains("XY2:ABC"), "the code is only in the QR, not as text to copy");
    }
}
