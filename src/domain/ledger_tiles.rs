//! C2SP `tlog-tiles` paths over the ledger tree: tiles of height 8, so a
//! full tile is 256 hashes of one tree level (level 8L, the tile's bottom
//! row), and an entry bundle is 256 entries, each as a big-endian u16
//! length and its canonical bytes. A path names one tile or bundle in one
//! way only; any other spelling is no path.

use super::ledger_tree::stored_hash_index;

/// Hashes (or entries) in a full tile.
pub const TILE_WIDTH: u64 = 256;
const TILE_HEIGHT: u32 = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TileKind {
    /// Hashes of tree level `8 × level`.
    Hashes { level: u8 },
    /// Ledger entries, the leaves themselves.
    Entries,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TilePath {
    pub kind: TileKind,
    /// The tile's number within its level.
    pub n: u64,
    /// 1 to 256; 256 is a full tile.
    pub width: u32,
}

/// `N` as C2SP writes it: groups of three digits, each but the last with an `x`.
fn encode_n(n: u64) -> String {
    let mut groups = vec![format!("{:03}", n % 1000)];
    let mut rest = n / 1000;
    while rest > 0 {
        groups.push(format!("x{:03}", rest % 1000));
        rest /= 1000;
    }
    groups.reverse();
    groups.join("/")
}

fn plain_decimal(text: &str) -> Option<u64> {
    let plain = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) && (text == "0" || !text.starts_with('0'));
    plain.then(|| text.parse().ok()).flatten()
}

impl TilePath {
    /// Reads `<L>/<N>[.p/<W>]` or `entries/<N>[.p/<W>]` (what follows `tile/`).
    pub fn parse(path: &str) -> Option<TilePath> {
        if path.len() > 64 {
            return None;
        }
        let (body, width) = match path.split_once(".p/") {
            Some((body, width)) => (body, u32::try_from(plain_decimal(width)?).ok().filter(|w| (1..256).contains(w))?),
            None => (path, TILE_WIDTH as u32),
        };
        let (kind, n) = body.split_once('/')?;
        let kind = match kind {
            "entries" => TileKind::Entries,
            level => TileKind::Hashes { level: u8::try_from(plain_decimal(level)?).ok().filter(|l| *l < 64)? },
        };
        let mut number: u64 = 0;
        for group in n.split('/') {
            let digits = group.strip_prefix('x').unwrap_or(group);
            if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            number = number.checked_mul(1000)?.checked_add(digits.parse().ok()?)?;
        }
        let tile = TilePath { kind, n: number, width };
        (tile.path() == path).then_some(tile)
    }

    /// The canonical path, after `tile/`.
    pub fn path(&self) -> String {
        let kind = match self.kind {
            TileKind::Hashes { level } => level.to_string(),
            TileKind::Entries => "entries".to_owned(),
        };
        let partial = if self.is_full() { String::new() } else { format!(".p/{}", self.width) };
        format!("{kind}/{}{partial}", encode_n(self.n))
    }

    pub fn is_full(&self) -> bool {
        u64::from(self.width) == TILE_WIDTH
    }

    fn tree_level(&self) -> u32 {
        match self.kind {
            TileKind::Hashes { level } => TILE_HEIGHT * u32::from(level),
            TileKind::Entries => 0,
        }
    }

    /// The first node of its tree level the tile holds.
    fn first(&self) -> Option<u64> {
        self.n.checked_mul(TILE_WIDTH)
    }

    /// Whether every node the tile holds is complete in the tree of `size`.
    pub fn within(&self, size: u64) -> bool {
        let Some(end) = self.first().and_then(|f| f.checked_add(u64::from(self.width))) else { return false };
        let level = self.tree_level();
        level < 64 && end.checked_mul(1 << level).is_some_and(|leaves| leaves <= size)
    }

    /// The stored indices of the tile's hashes, in order (a hash tile).
    pub fn hash_indices(&self) -> Vec<u64> {
        let first = self.first().expect("a tile within the tree has a first node");
        (0..u64::from(self.width)).map(|i| stored_hash_index(self.tree_level(), first + i)).collect()
    }

    /// The ledger seqs of the bundle's entries: after `after`, `count` of them.
    pub fn entry_seqs(&self) -> (u64, u32) {
        (self.first().expect("a bundle within the tree has a first entry"), self.width)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tlog_tiles::Tile;

    #[test]
    fn paths_are_tlogs_both_ways_for_hash_tiles() {
        for (level, n, width) in [(0u8, 0u64, 256u32), (0, 1, 5), (1, 999, 256), (2, 1000, 1), (0, 1_234_067, 17)] {
            let ours = TilePath { kind: TileKind::Hashes { level }, n, width };
            let theirs = Tile::new(8, level, n, width, false);
            assert_eq!(format!("tile/8/{}", ours.path()), theirs.path());
            assert_eq!(TilePath::parse(&ours.path()), Some(ours));
            assert!(ours.within(u64::MAX));
        }
        assert_eq!(TilePath::parse("0/x001/x234/067.p/17").unwrap().n, 1_234_067);
        assert_eq!(
            TilePath::parse("entries/x001/000").unwrap(),
            TilePath { kind: TileKind::Entries, n: 1000, width: 256 }
        );
    }

    #[test]
    fn any_other_spelling_of_a_tile_is_no_path() {
        for bad in [
            "",
            "0",
            "0/",
            "0/1",
            "0/01",
            "0/0001",
            "00/000",
            "01/000",
            "0/x000",
            "0/001/002",
            "0/x1/002",
            "0/000.p/0",
            "0/000.p/256",
            "0/000.p/01",
            "0/000.p/",
            "entry/000",
            "-1/000",
            "64/000",
            "0/000/",
            "0/000.p/1/2",
            "0/x000/001",
            "data/000",
            "0/+01",
        ] {
            assert_eq!(TilePath::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_tile_is_within_a_tree_when_all_its_nodes_are_complete() {
        let full = TilePath { kind: TileKind::Hashes { level: 0 }, n: 1, width: 256 };
        assert!(!full.within(511) && full.within(512));
        let partial = TilePath { width: 3, ..full };
        assert!(!partial.within(258) && partial.within(259));
        let upper = TilePath { kind: TileKind::Hashes { level: 1 }, n: 0, width: 2 };
        assert!(!upper.within(511) && upper.within(512));
        assert!(!TilePath { kind: TileKind::Hashes { level: 63 }, n: 0, width: 1 }.within(u64::MAX));
        assert!(!TilePath { n: u64::MAX, ..full }.within(u64::MAX));
    }

    #[test]
    fn a_tiles_hashes_are_its_tree_levels_nodes() {
        let tile = TilePath { kind: TileKind::Hashes { level: 1 }, n: 2, width: 3 };
        let theirs: Vec<u64> = (0..3).map(|i| tlog_tiles::stored_hash_index(8, 512 + i)).collect();
        assert_eq!(tile.hash_indices(), theirs);
    }
}
