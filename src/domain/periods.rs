//! Calendar periods for per-citizen limits, in China Standard Time (UTC+8),
//! because that is the calendar the citizens and merchants live by.

use time::macros::offset;
use time::{Date, Duration, OffsetDateTime, UtcOffset};
use xinyi_merchant_sdk::api::LimitPeriod;

pub const CHINA_STANDARD_TIME: UtcOffset = offset!(+8);

/// The UTC span of a China Standard Time day: its start, and the next day's.
pub fn day_span(day: Date) -> (OffsetDateTime, OffsetDateTime) {
    let start = day.midnight().assume_offset(CHINA_STANDARD_TIME).to_offset(time::UtcOffset::UTC);
    (start, start + Duration::days(1))
}

/// A name for the period containing `at`: `2026-11-28`, `2026-W48`, `2026-11` or `2026`.
pub fn period_key(period: LimitPeriod, at: OffsetDateTime) -> String {
    let local = at.to_offset(CHINA_STANDARD_TIME);
    match period {
        LimitPeriod::Day => format!("{:04}-{:02}-{:02}", local.year(), local.month() as u8, local.day()),
        LimitPeriod::Week => {
            let (year, week, _) = local.date().to_iso_week_date();
            format!("{year:04}-W{week:02}")
        }
        LimitPeriod::Month => format!("{:04}-{:02}", local.year(), local.month() as u8),
        LimitPeriod::Year => format!("{:04}", local.year()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn periods_follow_the_calendar_in_china_not_in_utc() {
        // 16:30 UTC on 31 January is already 1 February in Beijing.
        let at = datetime!(2026-01-31 16:30 UTC);
        assert_eq!(period_key(LimitPeriod::Day, at), "2026-02-01");
        assert_eq!(period_key(LimitPeriod::Month, at), "2026-02");
        assert_eq!(period_key(LimitPeriod::Month, datetime!(2026-01-31 15:59 UTC)), "2026-01");
        assert_eq!(period_key(LimitPeriod::Year, datetime!(2026-12-31 16:00 UTC)), "2027");
    }

    #[test]
    fn weeks_are_iso_weeks_starting_on_monday() {
        assert_eq!(period_key(LimitPeriod::Week, datetime!(2026-11-29 12:00 +8)), "2026-W48");
        assert_eq!(period_key(LimitPeriod::Week, datetime!(2026-11-30 00:00 +8)), "2026-W49");
        assert_eq!(period_key(LimitPeriod::Week, datetime!(2027-01-01 12:00 +8)), "2026-W53");
    }
}
