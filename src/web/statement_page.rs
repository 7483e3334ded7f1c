//! The signed credit statement as a printable page: A4, Chinese first,
//! with the JWS as a QR and as text so that a paper copy can be checked too.

use crate::domain::redemption::yuan;
use crate::qr::QrMatrix;
use html_escape::encode_text as esc;
use std::fmt::Write as _;
use xinyi_merchant_sdk::statement::StatementClaims;

const STYLE: &str = "body{font:14px/1.5 system-ui,\"PingFang SC\",\"Noto Sans CJK SC\",\"Microsoft YaHei\",sans-serif;color:#1d2433;max-width:190mm;margin:0 auto;padding:12px}\
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:18px 0 6px;border-bottom:1px solid #d9dee8}\
table{width:100%;border-collapse:collapse}th,td{text-align:left;padding:4px 6px;border-bottom:1px solid #e4e7ee;vertical-align:top}\
td.num{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#5b6475;font-size:12px}\
.jws{font-family:monospace;font-size:9px;word-break:break-all}.qr svg{width:60mm;height:60mm}\
@media screen and (max-width:600px){table,tbody,tr,td{display:block;width:100%}tr:first-child{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}\
tr{border-bottom:1px solid #e4e7ee;padding:4px 0}td{border:0;padding:2px 0}td::before{content:attr(data-label);display:block;font-size:12px;color:#5b6475}}\
@page{size:A4;margin:15mm}@media print{body{padding:0}.no-print{display:none}h2{break-after:avoid}tr{break-inside:avoid}}";

fn table(out: &mut String, head: &[&str], rows: impl Iterator<Item = Vec<String>>) {
    out.push_str("<table><tr>");
    for h in head {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr>");
    for row in rows {
        out.push_str("<tr>");
        assert_eq!(row.len(), head.len(), "a cell for every heading");
        // The label lets a phone show each row as a block, heading by value.
        for (cell, h) in row.iter().zip(head) {
            let _ = write!(out, "<td data-label=\"{}\">{}</td>", esc(h), esc(cell));
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
}

fn day(t: time::OffsetDateTime) -> String {
    t.to_offset(crate::domain::periods::CHINA_STANDARD_TIME).date().to_string()
}

pub fn render(claims: &StatementClaims, jws: &str) -> String {
    let signed_at = time::OffsetDateTime::from_unix_timestamp(claims.iat).map(day).unwrap_or_default();
    let mut out = format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>信用报告 · Credit statement</title>\
         <style>{STYLE}</style></head><body><h1>信易+ 信用报告 · Credit statement</h1>\
         <p>市民 Citizen: <b>{}</b> · 签发 Signed: {} · 信用分 Score: <b>{}</b> · 等级 Level: <b>{}</b> · 权益等级 Benefit level: <b>{}</b></p>",
        esc(&claims.sub),
        signed_at,
        claims.score,
        esc(&claims.level.name),
        esc(&claims.benefit_level.name)
    );
    out.push_str("<h2>信用名单 · Lists</h2>");
    table(
        &mut out,
        &["名单 List", "原因 Reason", "来源 Source", "起 From", "止 Until"],
        claims.lists.iter().map(|e| {
            let list = if e.list == "red" { "红名单 red" } else { "失信名单 black" };
            vec![
                list.into(),
                e.reason.clone(),
                e.source.clone(),
                day(e.starts_at),
                e.ends_at.map(day).unwrap_or_default(),
            ]
        }),
    );
    out.push_str("<h2>信用事件 · Score events</h2>");
    table(
        &mut out,
        &["日期 Date", "原因 Reason", "来源 Source", "分值 Points"],
        claims
            .score_events
            .iter()
            .map(|e| vec![day(e.occurred_at), e.reason.clone(), e.source.clone(), format!("{:+}", e.delta)]),
    );
    out.push_str("<h2>信用修复 · Repairs</h2>");
    table(
        &mut out,
        &["日期 Date", "对象 Subject", "状态 Status", "理由 Reason"],
        claims.repairs.iter().map(|r| {
            let subject = r.entry_id.clone().or_else(|| r.event_id.clone()).unwrap_or_default();
            vec![day(r.created_at), subject, r.status.clone(), r.decision_reason.clone().unwrap_or_default()]
        }),
    );
    out.push_str("<h2>优惠使用 · Redemptions</h2>");
    table(
        &mut out,
        &["日期 Date", "商户 Merchant", "优惠 Offer", "金额 Amount", "优惠 Discount", "状态 Status"],
        claims.redemptions.iter().map(|r| {
            vec![
                day(r.redeemed_at),
                r.merchant_name.clone(),
                r.offer_title.clone(),
                yuan(r.amount_fen),
                yuan(r.discount_fen),
                r.status.clone(),
            ]
        }),
    );
    out.push_str("<h2>验证 · Verify</h2><p class=\"muted\">本报告以 JWS(EdDSA)签名,可用任何 JOSE 库对照 /v1/keys 公布的公钥离线验证。 \
         This statement is a JWS (EdDSA): check it offline with any JOSE library against the keys published at /v1/keys.</p>");
    match QrMatrix::encode(jws) {
        Ok(qr) => {
            let _ = write!(out, "<div class=\"qr\">{}</div>", qr.to_svg());
        }
        Err(_) => out.push_str("<p class=\"muted\">报告较长,无法放入二维码,请使用下方文本验证。 Too long for a QR code: verify the text below.</p>"),
    }
    let _ = write!(
        out,
        "<p class=\"jws\">{}</p><p class=\"no-print muted\">打印 · Print: Ctrl+P</p></body></html>",
        esc(jws)
    );
    out
}
