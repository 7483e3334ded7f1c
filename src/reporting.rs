//! The reduction report, shared by `GET /v1/reports/reductions` and
//! `xinyi report reductions`.

use crate::domain::redemption::yuan;
use crate::domain::reports::{GroupBy, GroupFigures, Labels, ReportRow, assemble};
use crate::domain::text::spreadsheet_safe;
use crate::storage::{SharedStore, Source, StatementRow, StoreError};
use serde::Serialize;
use std::collections::HashMap;
use time::macros::format_description;
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;

/// The first day a report covers when none is given.
const PROGRAMME_START: Date = time::macros::date!(2020 - 01 - 01);

#[derive(Debug, Clone, Copy)]
pub struct ReportPeriod {
    pub from: Date,
    pub to: Date,
}

impl ReportPeriod {
    /// Calendar days in China Standard Time, both included; `to` defaults to today.
    pub fn parse(from: Option<&str>, to: Option<&str>) -> Result<ReportPeriod, (&'static str, String)> {
        let parse = |field: &'static str, text: &str| {
            Date::parse(text.trim(), format_description!("[year]-[month]-[day]")).map_err(|_| {
                (field, format!("须为日期,如 2026-11-01 / must be a date such as 2026-11-01, not {text:?}"))
            })
        };
        let from = from.filter(|s| !s.is_empty()).map(|s| parse("from", s)).transpose()?.unwrap_or(PROGRAMME_START);
        let today = OffsetDateTime::now_utc().to_offset(crate::domain::periods::CHINA_STANDARD_TIME).date();
        let to = to.filter(|s| !s.is_empty()).map(|s| parse("to", s)).transpose()?.unwrap_or(today);
        if from > to {
            return Err(("to", "不能早于 from / must not be before from".into()));
        }
        Ok(ReportPeriod { from, to })
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Headline {
    /// Net fee reduction: granted minus reversed, in fen.
    pub net_fen: i64,
    /// The same in yuan, for people: "870000.00".
    pub net_yuan: String,
    pub redemptions: i64,
    pub reversals: i64,
    /// Unique citizens served in the period.
    pub citizens: u64,
    /// Merchants with at least one redemption in the period.
    pub merchants_with_redemptions: u64,
    /// Merchants registered and not suspended now.
    pub participating_merchants: u64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReductionReport {
    pub from: String,
    pub to: String,
    pub group_by: GroupBy,
    pub headline: Headline,
    pub rows: Vec<ReportRow>,
    pub totals: ReportRow,
    /// What the figures are at least as fresh as (RFC 3339, UTC): the read
    /// time on the primary; with `XINYI_READ_DATABASE_URL`, the commit time
    /// of the last transaction the replica replayed. Null when a replica
    /// has replayed nothing since it started.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub as_of: Option<String>,
}

/// Whose redemptions a report covers: every merchant's, or one's. A
/// terminal report is always one merchant's: terminals belong to a merchant.
pub fn check_scope(by: GroupBy, merchant_id: Option<&str>) -> Result<(), String> {
    match (by, merchant_id) {
        (GroupBy::Terminal, None) => {
            Err("按收银端分组须指定 merchant_id / group_by=terminal needs a merchant_id".into())
        }
        _ => Ok(()),
    }
}

pub async fn reduction_report(
    store: &SharedStore,
    period: ReportPeriod,
    by: GroupBy,
    merchant_id: Option<&str>,
) -> Result<ReductionReport, StoreError> {
    assert!(check_scope(by, merchant_id).is_ok(), "the caller checked the scope");
    let day = format_description!("[year]-[month]-[day]");
    let (from, to) = (period.from.format(day).expect("a date formats"), period.to.format(day).expect("a date formats"));
    // Read before the figures: they are at least this fresh.
    let as_of = store.read_as_of(Source::Replica).await?.map(|t| {
        t.to_offset(time::UtcOffset::UTC)
            .format(&time::format_description::well_known::Rfc3339)
            .expect("a time formats")
    });
    let mut labels = Labels::default();
    let (groups, merchants_with_redemptions) = match (by, merchant_id) {
        (GroupBy::Terminal, Some(merchant_id)) => {
            let (start, _) = crate::domain::periods::day_span(period.from);
            let (_, end) = crate::domain::periods::day_span(period.to);
            let rows = store.statement_rows(merchant_id, start, end, Source::Replica).await?;
            let (groups, terminals) = terminal_groups(&rows);
            labels.terminals = terminals;
            let merchants = u64::from(groups.iter().any(|g| g.redemptions > 0));
            (groups, merchants)
        }
        _ => store.reduction_groups(&from, &to, merchant_id.unwrap_or(""), by).await?,
    };
    let merchants = store.merchants(Source::Replica).await?;
    labels.merchants = merchants.iter().map(|m| (m.merchant_id.clone(), m.name.clone())).collect();
    if by == GroupBy::Category {
        labels.categories = store.categories().await?.into_iter().map(|(c, _)| (c.code.clone(), c.label())).collect();
    }
    if by == GroupBy::Offer {
        labels.offers =
            store.all_offers(Source::Replica).await?.into_iter().map(|o| (o.offer_id, o.rules.title)).collect();
    }
    let (rows, totals, merchants_with_redemptions) = assemble(groups, by, &labels, merchants_with_redemptions);
    let headline = Headline {
        net_fen: totals.net_fen,
        net_yuan: yuan(totals.net_fen),
        redemptions: totals.redemptions,
        reversals: totals.reversals,
        citizens: totals.citizens,
        merchants_with_redemptions,
        participating_merchants: merchants.iter().filter(|m| !m.suspended).count() as u64,
    };
    Ok(ReductionReport { from, to, group_by: by, headline, rows, totals, as_of })
}

/// One merchant's redemptions and voids, summed per terminal key: a void
/// counts at the terminal that made it (a coordinator's as `coordinator`),
/// as the statements list it. Also each key's label.
fn terminal_groups(rows: &[StatementRow]) -> (Vec<GroupFigures>, HashMap<String, String>) {
    let mut groups: HashMap<String, GroupFigures> = HashMap::new();
    let mut labels = HashMap::new();
    for row in rows {
        let (key, label) = match (&row.terminal_key_id, &row.terminal) {
            (Some(key), Some(label)) => (key.clone(), label.clone()),
            _ if row.is_void => ("coordinator".to_owned(), "协调员撤销 / voided by a coordinator".to_owned()),
            _ => ("unrecorded".to_owned(), "未记录收银端 / terminal not recorded".to_owned()),
        };
        labels.insert(key.clone(), label);
        let group = groups.entry(key.clone()).or_insert_with(|| GroupFigures {
            key,
            redemptions: 0,
            reversals: 0,
            gross_fen: 0,
            reversed_fen: 0,
            offline_redemptions: 0,
            merchants_with_redemptions: 0,
            citizens: Vec::new(),
        });
        if row.is_void {
            group.reversals += 1;
            group.reversed_fen += row.discount_fen;
        } else {
            group.redemptions += 1;
            group.gross_fen += row.discount_fen;
            group.offline_redemptions += i64::from(row.offline);
            group.merchants_with_redemptions = 1;
            // Citizen numbers past u32 are refused before a redemption is made.
            group.citizens.push(u32::try_from(row.citizen_number).expect("a stored citizen number fits u32"));
        }
    }
    (groups.into_values().collect(), labels)
}

/// CSV with a header row, one row per group and a final total row. The
/// counts and sums are integers the service wrote; the key and label are
/// text and are made safe for spreadsheets.
pub fn to_csv(report: &ReductionReport) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record([
            "key",
            "label",
            "redemptions",
            "reversals",
            "gross_fen",
            "reversed_fen",
            "net_fen",
            "citizens",
            "offline_redemptions",
        ])
        .expect("writing CSV to memory");
    for row in report.rows.iter().chain(std::iter::once(&report.totals)) {
        writer
            .write_record([
                spreadsheet_safe(&row.key),
                spreadsheet_safe(&row.label),
                row.redemptions.to_string(),
                row.reversals.to_string(),
                row.gross_fen.to_string(),
                row.reversed_fen.to_string(),
                row.net_fen.to_string(),
                row.citizens.to_string(),
                row.offline_redemptions.to_string(),
            ])
            .expect("writing CSV to memory");
    }
    String::from_utf8(writer.into_inner().expect("flushing CSV to memory")).expect("CSV of strings is UTF-8")
}
