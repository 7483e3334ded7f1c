//! Family proxies (亲友代办): the rules of letting a family member show a
//! code for a citizen. The grantor makes a short invitation and says it to
//! the family member, who accepts it signed in as themselves; the grant
//! then lets them fetch the grantor's codes until it expires or either
//! side ends it.

use rand::Rng;
use time::{Duration, OffsetDateTime};

/// How long an invitation may be accepted: long enough to say six digits
/// over the phone, short enough that a note of them soon means nothing.
pub const INVITATION_LIFETIME: Duration = Duration::minutes(10);
/// Grants a citizen may have given that are still running: a few family
/// members, not a circle of strangers fetching one person's codes.
pub const MAX_GRANTS_TO_OTHERS: i64 = 3;
/// Wrong invitations one citizen may try in [`LOCKOUT`] before accepting
/// is locked for them: a million six-digit numbers cannot be walked.
pub const WRONG_INVITATIONS_ALLOWED: usize = 5;
pub const LOCKOUT: Duration = Duration::hours(1);
pub const DAYS_MAX: u8 = 90;

/// A grant's length in days as asked for, 1 to [`DAYS_MAX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GrantDays(u8);

impl GrantDays {
    pub fn parse(days: i64) -> Result<GrantDays, String> {
        match u8::try_from(days) {
            Ok(d) if (1..=DAYS_MAX).contains(&d) => Ok(GrantDays(d)),
            _ => Err(format!("须为 1 到 {DAYS_MAX} 天 / must be 1 to {DAYS_MAX} days, not {days}")),
        }
    }
    pub fn get(self) -> u8 {
        self.0
    }
    pub fn duration(self) -> Duration {
        Duration::days(self.0.into())
    }
}

/// Six decimal digits, as said aloud and typed on a phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationDigits(String);

impl InvitationDigits {
    pub fn parse(text: &str) -> Result<InvitationDigits, String> {
        if text.len() == 6 && text.bytes().all(|b| b.is_ascii_digit()) {
            Ok(InvitationDigits(text.to_owned()))
        } else {
            Err("邀请码须为 6 位数字 / the invitation is 6 digits".to_owned())
        }
    }
    /// Fresh digits from the OS's generator; leading zeros are kept.
    pub fn random() -> InvitationDigits {
        InvitationDigits(format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000u32)))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Until when a citizen may not accept invitations, given the times of
/// their wrong tries: locked for [`LOCKOUT`] from any try that made
/// [`WRONG_INVITATIONS_ALLOWED`] within one [`LOCKOUT`]. Tries made while
/// locked are not recorded, so the lock does not extend itself. Only tries
/// of the last two [`LOCKOUT`]s can matter.
pub fn locked_until(wrong_tries: &[OffsetDateTime], now: OffsetDateTime) -> Option<OffsetDateTime> {
    let mut tries = wrong_tries.to_vec();
    tries.sort_unstable();
    let n = WRONG_INVITATIONS_ALLOWED;
    let lock_end =
        (n - 1..tries.len()).filter(|&k| tries[k] - tries[k + 1 - n] < LOCKOUT).map(|k| tries[k] + LOCKOUT).max()?;
    (lock_end > now).then_some(lock_end)
}

/// Wrong tries a citizen not locked out may still make before the lock:
/// those of the last [`LOCKOUT`] count.
pub fn tries_left(wrong_tries: &[OffsetDateTime], now: OffsetDateTime) -> usize {
    let recent = wrong_tries.iter().filter(|t| **t > now - LOCKOUT).count();
    WRONG_INVITATIONS_ALLOWED.saturating_sub(recent)
}

/// Which side of a grant a citizen is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Grantor,
    Proxy,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Grantor => "grantor",
            Side::Proxy => "proxy",
        }
    }
    pub fn parse(text: &str) -> Option<Side> {
        match text {
            "grantor" => Some(Side::Grantor),
            "proxy" => Some(Side::Proxy),
            _ => None,
        }
    }
}

/// A citizen id as the other side of a grant sees it: enough for family to
/// recognise (the first character and the last four), not the whole id.
pub fn masked_citizen_id(citizen_id: &str) -> String {
    let chars: Vec<char> = citizen_id.chars().collect();
    if chars.len() <= 5 {
        return format!("{}****", chars.first().copied().unwrap_or('*'));
    }
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{}****{tail}", chars[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_800_000_000 + secs).unwrap()
    }

    #[test]
    fn grant_days_are_one_to_ninety() {
        assert!(GrantDays::parse(0).is_err());
        assert_eq!(GrantDays::parse(1).unwrap().get(), 1);
        assert_eq!(GrantDays::parse(90).unwrap().duration(), Duration::days(90));
        assert!(GrantDays::parse(91).is_err());
        assert!(GrantDays::parse(-3).is_err());
        assert!(GrantDays::parse(256 + 7).is_err(), "no wrapping into range");
    }

    #[test]
    fn invitations_are_six_ascii_digits_and_random_ones_keep_leading_zeros() {
        assert!(InvitationDigits::parse("012345").is_ok());
        for bad in ["12345", "1234567", "12345a", "１２３４５６", " 12345", ""] {
            assert!(InvitationDigits::parse(bad).is_err(), "{bad:?}");
        }
        for _ in 0..1000 {
            let digits = InvitationDigits::random();
            assert!(InvitationDigits::parse(digits.as_str()).is_ok(), "{digits:?}");
        }
    }

    #[test]
    fn five_wrong_tries_within_an_hour_lock_for_an_hour_from_the_fifth() {
        let four: Vec<_> = (0..4).map(|i| at(i * 60)).collect();
        assert_eq!(locked_until(&four, at(300)), None);
        let mut five = four.clone();
        five.push(at(600));
        assert_eq!(locked_until(&five, at(601)), Some(at(600 + 3600)));
        assert_eq!(locked_until(&five, at(600 + 3599)), Some(at(4200)), "still locked just before the hour");
        assert_eq!(locked_until(&five, at(3601)), Some(at(4200)), "an hour from the fifth, not from the first");
        assert_eq!(locked_until(&five, at(4200)), None);
    }

    #[test]
    fn tries_left_counts_down_from_five_over_the_last_hour() {
        assert_eq!(tries_left(&[], at(0)), 5);
        assert_eq!(tries_left(&[at(0), at(10)], at(20)), 3);
        assert_eq!(tries_left(&[at(0), at(10)], at(3601)), 4, "the first aged out");
    }

    #[test]
    fn tries_spread_over_more_than_an_hour_do_not_lock() {
        let spread: Vec<_> = (0..10).map(|i| at(i * 1000)).collect();
        assert_eq!(locked_until(&spread, at(10_000)), None);
    }

    #[test]
    fn a_masked_id_keeps_the_first_character_and_the_last_four() {
        assert_eq!(masked_citizen_id("110101199001011234"), "1****1234");
        assert_eq!(masked_citizen_id("demo-aa"), "d****o-aa");
        assert_eq!(masked_citizen_id("abc"), "a****");
        assert_eq!(masked_citizen_id("张三丰李四王五"), "张****李四王五");
    }
}
