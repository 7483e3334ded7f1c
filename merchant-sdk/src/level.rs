//! The five credit levels. A merchant learns only this from a credit code.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A credit level by rank: 1 (C, lowest) to 5 (AAA, highest).
///
/// The score thresholds that map a score to a level are the service's
/// configuration; the ranks and their names are fixed here because they are
/// part of the credit-code format and of every offer's tiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CreditLevel(u8);

impl CreditLevel {
    pub const C: CreditLevel = CreditLevel(1);
    pub const B: CreditLevel = CreditLevel(2);
    pub const A: CreditLevel = CreditLevel(3);
    pub const AA: CreditLevel = CreditLevel(4);
    pub const AAA: CreditLevel = CreditLevel(5);

    pub const LOWEST_RANK: u8 = 1;
    pub const HIGHEST_RANK: u8 = 5;

    /// All levels, lowest first.
    pub const ALL: [CreditLevel; 5] = [Self::C, Self::B, Self::A, Self::AA, Self::AAA];

    /// The level with this rank, or `None` outside 1–5.
    pub const fn from_rank(rank: u8) -> Option<CreditLevel> {
        if rank >= Self::LOWEST_RANK && rank <= Self::HIGHEST_RANK { Some(CreditLevel(rank)) } else { None }
    }

    pub const fn rank(self) -> u8 {
        self.0
    }

    /// The level's name as citizens and merchants know it: AAA, AA, A, B or C.
    pub const fn name(self) -> &'static str {
        match self.0 {
            5 => "AAA",
            4 => "AA",
            3 => "A",
            2 => "B",
            _ => "C",
        }
    }

    /// The next level up, or `None` at AAA.
    pub const fn next(self) -> Option<CreditLevel> {
        Self::from_rank(self.0 + 1)
    }
}

impl fmt::Display for CreditLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The wire form of a level in every JSON body: `{"rank": 4, "name": "AA"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LevelView {
    pub rank: u8,
    pub name: String,
}

impl From<CreditLevel> for LevelView {
    fn from(level: CreditLevel) -> Self {
        LevelView { rank: level.rank(), name: level.name().to_owned() }
    }
}

impl TryFrom<LevelView> for CreditLevel {
    type Error = String;

    fn try_from(view: LevelView) -> Result<Self, Self::Error> {
        let level = CreditLevel::from_rank(view.rank)
            .ok_or_else(|| format!("credit level rank {} is outside 1–5", view.rank))?;
        if level.name() != view.name {
            return Err(format!("rank {} is named {}, not {}", view.rank, level.name(), view.name));
        }
        Ok(level)
    }
}

impl Serialize for CreditLevel {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        LevelView::from(*self).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for CreditLevel {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        CreditLevel::try_from(LevelView::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_outside_one_to_five_are_not_levels() {
        assert_eq!(CreditLevel::from_rank(0), None);
        assert_eq!(CreditLevel::from_rank(6), None);
        assert_eq!(CreditLevel::from_rank(5), Some(CreditLevel::AAA));
    }

    #[test]
    fn a_higher_rank_is_a_higher_level() {
        assert!(CreditLevel::AAA > CreditLevel::AA && CreditLevel::B > CreditLevel::C);
        assert_eq!(CreditLevel::AA.next(), Some(CreditLevel::AAA));
        assert_eq!(CreditLevel::AAA.next(), None);
    }

    #[test]
    fn a_level_travels_as_rank_and_name() {
        let json = serde_json::to_string(&CreditLevel::AA).unwrap();
        assert_eq!(json, r#"{"rank":4,"name":"AA"}"#);
        let back: CreditLevel = serde_json::from_str(&json).unwrap();
        assert_eq!(back, CreditLevel::AA);
        assert!(serde_json::from_str::<CreditLevel>(r#"{"rank":4,"name":"AAA"}"#).is_err());
    }
}
