//! Scores and the five credit levels that sit on them.

use std::str::FromStr;
use xinyi_merchant_sdk::CreditLevel;

/// Every citizen starts here; events add and take away points.
pub const BASE_SCORE: i64 = 500;

/// The lowest score of each level above C, highest level first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LevelThresholds {
    /// Minimum scores for AAA, AA, A and B; below B's is C.
    minimums: [i64; 4],
}

impl Default for LevelThresholds {
    fn default() -> Self {
        LevelThresholds { minimums: [700, 600, 500, 400] }
    }
}

impl LevelThresholds {
    pub fn level_for(&self, score: i64) -> CreditLevel {
        let levels = [CreditLevel::AAA, CreditLevel::AA, CreditLevel::A, CreditLevel::B];
        levels.into_iter().zip(self.minimums).find(|&(_, min)| score >= min).map_or(CreditLevel::C, |(level, _)| level)
    }

    /// The next level up and the points still needed, or `None` at the top.
    pub fn next_level(&self, score: i64) -> Option<(CreditLevel, i64)> {
        let next = self.level_for(score).next()?;
        let index = (CreditLevel::HIGHEST_RANK - next.rank()) as usize;
        Some((next, self.minimums[index] - score))
    }
}

impl FromStr for LevelThresholds {
    type Err = String;

    /// `"700,600,500,400"`: the minimum scores of AAA, AA, A and B, strictly falling.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let values: Vec<i64> = text
            .split(',')
            .map(|v| v.trim().parse::<i64>().map_err(|_| format!("{v:?} is not a whole number")))
            .collect::<Result<_, _>>()?;
        let minimums: [i64; 4] =
            values.try_into().map_err(|_| "give four minimum scores: AAA,AA,A,B (e.g. 700,600,500,400)".to_owned())?;
        if minimums.windows(2).any(|w| w[0] <= w[1]) {
            return Err("the minimum scores must fall strictly from AAA to B".to_owned());
        }
        Ok(LevelThresholds { minimums })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_thresholds_put_each_boundary_score_in_the_higher_level() {
        let t = LevelThresholds::default();
        let cases = [
            (399, CreditLevel::C),
            (400, CreditLevel::B),
            (499, CreditLevel::B),
            (500, CreditLevel::A),
            (599, CreditLevel::A),
            (600, CreditLevel::AA),
            (699, CreditLevel::AA),
            (700, CreditLevel::AAA),
            (10_000, CreditLevel::AAA),
            (-50, CreditLevel::C),
        ];
        for (score, level) in cases {
            assert_eq!(t.level_for(score), level, "score {score}");
        }
    }

    #[test]
    fn the_next_level_says_how_many_points_are_missing() {
        let t = LevelThresholds::default();
        assert_eq!(t.next_level(500), Some((CreditLevel::AA, 100)));
        assert_eq!(t.next_level(399), Some((CreditLevel::B, 1)));
        assert_eq!(t.next_level(700), None);
    }

    #[test]
    fn thresholds_are_read_from_four_falling_numbers() {
        let t: LevelThresholds = "800, 650, 500, 300".parse().unwrap();
        assert_eq!(t.level_for(649), CreditLevel::A);
        assert!("700,600,500".parse::<LevelThresholds>().is_err());
        assert!("700,600,600,400".parse::<LevelThresholds>().is_err());
        assert!("700,x,500,400".parse::<LevelThresholds>().is_err());
    }
}
