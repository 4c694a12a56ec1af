//! A child's ranked wishes as the family edits them on « Mes vœux »: the périodes best
//! first, each once, moved up or down, removed or added at the end — and where the focus
//! goes after each move, so that a keyboard or screen reader user stays on the période
//! they moved. Pure, tested natively; the view is [`super::voeux_child`].

use shared::api::voeux::VOEUX_MAX;
use uuid::Uuid;

/// The périodes a child wishes for, best first, each once (rank = index + 1).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ranking(Vec<Uuid>);

/// Why a période could not be added.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddRefused {
    /// It is ranked already.
    Already,
    /// [`VOEUX_MAX`] wishes are ranked already.
    Full,
}

/// A button of a ranked wish.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    Up,
    Down,
    Remove,
}

/// Where the focus goes after a move: a button of a wish, or the « Ajouter une période »
/// control when no wish is left.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    Button(Move, Uuid),
    Add,
}

impl Ranking {
    /// The ranking of `ids`, a repeated période kept at its first place.
    pub fn new(ids: impl IntoIterator<Item = Uuid>) -> Self {
        let mut ranking = Self::default();
        for id in ids {
            let _ = ranking.add(id);
        }
        ranking
    }

    /// The périodes, best first.
    pub fn ids(&self) -> &[Uuid] {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether the période is ranked.
    pub fn contains(&self, id: Uuid) -> bool {
        self.0.contains(&id)
    }

    /// The rank of a période (1 = first wish).
    pub fn rank(&self, id: Uuid) -> Option<u32> {
        self.index(id).and_then(|i| u32::try_from(i + 1).ok())
    }

    fn index(&self, id: Uuid) -> Option<usize> {
        self.0.iter().position(|p| *p == id)
    }

    /// Adds a période as the last wish; answers its rank.
    pub fn add(&mut self, id: Uuid) -> Result<u32, AddRefused> {
        if self.contains(id) {
            return Err(AddRefused::Already);
        }
        if self.0.len() >= VOEUX_MAX {
            return Err(AddRefused::Full);
        }
        self.0.push(id);
        self.rank(id).ok_or(AddRefused::Full)
    }

    /// Applies a button of the wish `id`; answers where the focus goes, or `None` when
    /// nothing moved (the first wish cannot go up, the last one down, an unknown one at all).
    pub fn apply(&mut self, action: Move, id: Uuid) -> Option<Focus> {
        let at = self.index(id)?;
        let last = self.0.len() - 1;
        match action {
            Move::Up if at > 0 => {
                self.0.swap(at, at - 1);
                // Still on « Monter » unless it reached the top, where only « Descendre » works.
                Some(Focus::Button(
                    if at - 1 > 0 { Move::Up } else { Move::Down },
                    id,
                ))
            }
            Move::Down if at < last => {
                self.0.swap(at, at + 1);
                Some(Focus::Button(
                    if at + 1 < last { Move::Down } else { Move::Up },
                    id,
                ))
            }
            Move::Remove => {
                self.0.remove(at);
                // The wish that took its place, else the one before, else « Ajouter ».
                Some(
                    self.0
                        .get(at)
                        .or_else(|| at.checked_sub(1).and_then(|i| self.0.get(i)))
                        .map_or(Focus::Add, |next| Focus::Button(Move::Remove, *next)),
                )
            }
            _ => None,
        }
    }
}

/// The id of a wish's button on the page, for the focus to find it again.
pub fn button_id(child: Uuid, action: Move, periode: Uuid) -> String {
    let verb = match action {
        Move::Up => "monter",
        Move::Down => "descendre",
        Move::Remove => "retirer",
    };
    format!("{verb}-{child}-{periode}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    /// Ranks 1..n, each période once.
    fn well_formed(ranking: &Ranking) {
        let mut seen = std::collections::HashSet::new();
        for (index, p) in ranking.ids().iter().enumerate() {
            assert!(seen.insert(*p), "{p} twice in {ranking:?}");
            assert_eq!(ranking.rank(*p), u32::try_from(index + 1).ok());
        }
        assert!(ranking.len() <= VOEUX_MAX);
    }

    #[test]
    fn moving_up_and_down_swaps_with_the_neighbour_and_keeps_the_focus_on_the_wish() {
        let mut r = Ranking::new([id(1), id(2), id(3)]);
        assert_eq!(
            r.apply(Move::Up, id(3)),
            Some(Focus::Button(Move::Up, id(3)))
        );
        assert_eq!(r.ids(), [id(1), id(3), id(2)]);
        // At the top « Monter » does nothing: the focus goes to « Descendre ».
        assert_eq!(
            r.apply(Move::Up, id(3)),
            Some(Focus::Button(Move::Down, id(3)))
        );
        assert_eq!(r.ids(), [id(3), id(1), id(2)]);
        assert_eq!(r.apply(Move::Up, id(3)), None, "already first");
        assert_eq!(
            r.apply(Move::Down, id(1)),
            Some(Focus::Button(Move::Up, id(1)))
        );
        assert_eq!(r.ids(), [id(3), id(2), id(1)]);
        assert_eq!(r.apply(Move::Down, id(1)), None, "already last");
        assert_eq!(r.apply(Move::Down, id(9)), None, "not ranked");
        well_formed(&r);
    }

    #[test]
    fn removing_moves_the_focus_to_the_next_wish_then_the_previous_then_add() {
        let mut r = Ranking::new([id(1), id(2), id(3)]);
        assert_eq!(
            r.apply(Move::Remove, id(2)),
            Some(Focus::Button(Move::Remove, id(3)))
        );
        assert_eq!(r.rank(id(3)), Some(2));
        assert_eq!(
            r.apply(Move::Remove, id(3)),
            Some(Focus::Button(Move::Remove, id(1)))
        );
        assert_eq!(r.apply(Move::Remove, id(1)), Some(Focus::Add));
        assert!(r.is_empty());
        well_formed(&r);
    }

    #[test]
    fn adding_appends_once_and_at_most_the_maximum() {
        let mut r = Ranking::new([id(1), id(1), id(2)]);
        assert_eq!(r.ids(), [id(1), id(2)], "a repeated période is kept once");
        assert_eq!(r.add(id(3)), Ok(3));
        assert_eq!(r.add(id(1)), Err(AddRefused::Already));
        for n in 4..=u128::try_from(VOEUX_MAX).expect("small") {
            assert!(r.add(id(n)).is_ok());
        }
        assert_eq!(r.add(id(99)), Err(AddRefused::Full));
        well_formed(&r);
    }

    #[test]
    fn any_sequence_of_buttons_keeps_ranks_one_to_n_without_duplicates() {
        // A small deterministic generator: every kind of step, on every position.
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let mut r = Ranking::default();
        for _ in 0..2_000 {
            let periode = id(u128::from(next(14)));
            let before = r.clone();
            match next(4) {
                0 => {
                    let added = r.add(periode);
                    assert_eq!(
                        added.is_ok(),
                        !before.contains(periode) && before.len() < VOEUX_MAX
                    );
                }
                1 => {
                    let _ = r.apply(Move::Up, periode);
                }
                2 => {
                    let _ = r.apply(Move::Down, periode);
                }
                _ => {
                    let _ = r.apply(Move::Remove, periode);
                    assert!(!r.contains(periode));
                }
            }
            well_formed(&r);
            // A move changes the order, never the set.
            if r.len() == before.len() {
                let mut a = r.ids().to_vec();
                let mut b = before.ids().to_vec();
                a.sort();
                b.sort();
                assert_eq!(a, b);
            }
        }
    }

    #[test]
    fn each_button_has_its_own_id() {
        let (child, periode) = (id(7), id(1));
        assert_ne!(
            button_id(child, Move::Up, periode),
            button_id(child, Move::Down, periode)
        );
        assert_eq!(
            button_id(child, Move::Remove, periode),
            format!("retirer-{child}-{periode}")
        );
    }
}
