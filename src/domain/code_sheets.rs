//! Printed code sheets (纸质信用码): how many codes a sheet holds, how long
//! they live, and the time each code says it was issued. The codes are
//! signed and sealed like phone codes; what is decided here is what keeps
//! the codes of one sheet from looking alike to the merchants that see them.

use rand::Rng;
use time::{Duration, OffsetDateTime};
use xinyi_merchant_sdk::CodeLifetime;

/// Sheets a citizen may hold at once that are neither revoked nor expired:
/// one at home and one with a carer, say, and no drawer of them.
pub const MAX_ACTIVE_SHEETS: i64 = 2;
pub const CODES_DEFAULT: u8 = 10;
pub const CODES_MAX: u8 = 20;
pub const VALID_DAYS_DEFAULT: u8 = 28;
/// 28 days: the longest a paper code's lifetime field can say.
pub const VALID_DAYS_MAX: u8 = 28;
/// Each code's `issued_at` is moved back from the print time by a number
/// of seconds below this, different for every code of the sheet, so that
/// no two of them carry the same time: the same `issued_at` on two codes
/// would tell a merchant they came from one sheet. A code may therefore
/// outlive the sheet's printed expiry by less than this (and the key that
/// signed it is published for that much longer).
pub const ISSUE_SPREAD: Duration = Duration::hours(1);

/// A sheet as asked for, parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SheetRequest {
    pub codes: u8,
    pub valid_days: u8,
}

/// Which field is out of range, with a bilingual reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetRequestError {
    pub field: &'static str,
    pub detail: String,
}

impl SheetRequest {
    pub fn parse(codes: Option<i64>, valid_days: Option<i64>) -> Result<SheetRequest, SheetRequestError> {
        let codes = in_range("codes", codes, CODES_DEFAULT, CODES_MAX)?;
        let valid_days = in_range("valid_days", valid_days, VALID_DAYS_DEFAULT, VALID_DAYS_MAX)?;
        Ok(SheetRequest { codes, valid_days })
    }
}

fn in_range(field: &'static str, value: Option<i64>, default: u8, max: u8) -> Result<u8, SheetRequestError> {
    match value {
        None => Ok(default),
        Some(v) if (1..=i64::from(max)).contains(&v) => Ok(v as u8),
        Some(v) => {
            Err(SheetRequestError { field, detail: format!("须为 1 到 {max} / must be 1 to {max}, not {v}") })
        }
    }
}

/// One code of a sheet, before it is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannedCode {
    /// 1, 2, … as printed under the QR.
    pub number: u8,
    pub issued_at: OffsetDateTime,
    pub lifetime: CodeLifetime,
}

impl PlannedCode {
    pub fn expires_at(&self) -> OffsetDateTime {
        self.issued_at + Duration::seconds(self.lifetime.secs().into())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetPlan {
    /// The printed expiry: every code of the sheet is valid until then.
    pub valid_until: OffsetDateTime,
    pub codes: Vec<PlannedCode>,
}

/// The signing key began less than one second per code ago: too few
/// distinct seconds to date every code apart. Try again after `wait`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyTooNew {
    pub wait: Duration,
}

/// The codes of a sheet printed at `now` with a key that signs from
/// `sign_from`. Every code expires by `now + valid_days`, in whole minutes
/// of lifetime, and none before the returned `valid_until`. No two codes
/// carry the same `issued_at`; in the first seconds of a new key, when
/// there are not enough seconds to date them apart, there is no plan.
pub fn plan(
    request: SheetRequest,
    now: OffsetDateTime,
    sign_from: OffsetDateTime,
    rng: &mut impl Rng,
) -> Result<SheetPlan, KeyTooNew> {
    assert!(sign_from <= now, "the key signs at the print time");
    assert!((1..=CODES_MAX).contains(&request.codes));
    let asked_until = now + Duration::days(request.valid_days.into());
    // A key that began signing less than an hour ago cannot sign codes
    // dated before it began: the spread shrinks to what it can sign.
    let spread = (now - sign_from).whole_seconds().min(ISSUE_SPREAD.whole_seconds() - 1) + 1;
    if spread < i64::from(request.codes) {
        return Err(KeyTooNew { wait: Duration::seconds(i64::from(request.codes) - spread) });
    }
    let offsets = rand::seq::index::sample(rng, spread as usize, request.codes.into()).into_vec();
    let codes: Vec<PlannedCode> = offsets
        .into_iter()
        .zip(1..)
        .map(|(back, number)| {
            let issued_at = now - Duration::seconds(back as i64);
            let minutes = ((asked_until - issued_at).whole_seconds() / 60) as u64;
            let lifetime = CodeLifetime::paper_from_minutes(minutes.min(CodeLifetime::PAPER_MAX.secs() as u64 / 60))
                .expect("1 day to 28 days of minutes");
            PlannedCode { number, issued_at, lifetime }
        })
        .collect();
    let valid_until = codes.iter().map(PlannedCode::expires_at).min().expect("a sheet has a code");
    assert!(codes.iter().all(|c| c.expires_at() <= asked_until && c.issued_at >= sign_from));
    Ok(SheetPlan { valid_until, codes })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn at(unix: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(unix).unwrap()
    }

    #[test]
    fn a_request_takes_defaults_and_refuses_what_is_out_of_range() {
        assert_eq!(SheetRequest::parse(None, None).unwrap(), SheetRequest { codes: 10, valid_days: 28 });
        assert_eq!(SheetRequest::parse(Some(20), Some(1)).unwrap(), SheetRequest { codes: 20, valid_days: 1 });
        assert_eq!(SheetRequest::parse(Some(0), None).unwrap_err().field, "codes");
        assert_eq!(SheetRequest::parse(Some(21), None).unwrap_err().field, "codes");
        assert_eq!(SheetRequest::parse(None, Some(29)).unwrap_err().field, "valid_days");
        assert_eq!(SheetRequest::parse(None, Some(-1)).unwrap_err().field, "valid_days");
    }

    #[test]
    fn no_two_codes_of_a_sheet_carry_the_same_issue_time() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let now = at(1_800_000_000);
        for _ in 0..200 {
            let plan = plan(SheetRequest { codes: 20, valid_days: 28 }, now, at(0), &mut rng).unwrap();
            let mut times: Vec<_> = plan.codes.iter().map(|c| c.issued_at).collect();
            times.sort();
            times.dedup();
            assert_eq!(times.len(), 20);
            assert!(plan.codes.iter().all(|c| now - c.issued_at < ISSUE_SPREAD));
            let numbers: Vec<u8> = plan.codes.iter().map(|c| c.number).collect();
            assert_eq!(numbers, (1..=20).collect::<Vec<_>>());
        }
    }

    #[test]
    fn every_code_lives_until_the_printed_expiry_and_at_most_the_days_asked() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(8);
        let now = at(1_800_000_000);
        for days in [1u8, 7, 28] {
            let plan = plan(SheetRequest { codes: 10, valid_days: days }, now, at(0), &mut rng).unwrap();
            let asked = now + Duration::days(days.into());
            for code in &plan.codes {
                assert!(code.expires_at() >= plan.valid_until);
                assert!(code.expires_at() <= asked);
                assert!(code.expires_at() - plan.valid_until < ISSUE_SPREAD);
            }
            // Short of the 28-day cap, a code ends within its last minute.
            if days < 28 {
                assert!(asked - plan.valid_until < Duration::minutes(1));
            }
        }
    }

    #[test]
    fn a_new_key_signs_no_code_dated_before_it_began() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(9);
        let now = at(1_800_000_000);
        let request = SheetRequest { codes: 20, valid_days: 28 };
        let plan = plan(request, now, now - Duration::seconds(25), &mut rng).unwrap();
        assert!(plan.codes.iter().all(|c| c.issued_at >= now - Duration::seconds(25)));
        // 20 codes need 20 distinct seconds; a key 5 s old has 6.
        let too_new = super::plan(request, now, now - Duration::seconds(5), &mut rng).unwrap_err();
        assert_eq!(too_new.wait, Duration::seconds(14));
    }
}
