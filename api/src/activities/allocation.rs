//! *Attribution équitable* (issue 13): instead of a race at the opening instant, families
//! rank their wishes during a pre-registration window; at its close the places are given
//! once, by rules the town publishes, then by a seeded lottery among equals. Nothing here
//! depends on when a request arrived, nor on anything but its inputs: anyone holding the
//! published seed and the list of requests re-runs it and gets the same result
//! (`portail-famille attribution verifier`).
//!
//! The rules, in order:
//! 1. **Wishes by rank**: every child's first wish is served before anyone's second.
//! 2. **Residents first** among the wishes of one rank (households living in the town).
//! 3. **Siblings together**: the children of one household asking for the same période at
//!    the same rank are drawn as one group, placed together or not at all.
//! 4. **A seeded lottery** among equals: each group's draw is the SHA-256 of the seed and
//!    the group's first request id — unpredictable before the seed is published, fixed
//!    after.
//!
//! A child placed somewhere is not placed again by a later wish. Requests not placed go on
//! the période's waiting list in the same order (rank, residence, draw), which then works
//! as for any période.

use std::collections::{BTreeMap, HashMap, HashSet};

use sha2::{Digest, Sha256};

/// One wish of one child.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wish {
    /// The request's id (public in the draw: never a name).
    pub id: String,
    pub household: String,
    pub child: String,
    pub periode: String,
    /// 1 = the child's first wish.
    pub rank: u32,
    pub resident: bool,
}

/// What a wish became.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Placed,
    /// On the période's waiting list, at this position (1 = next).
    Waiting(u32),
    /// The child got a place through another wish.
    Withdrawn,
}

/// The draw of a group: SHA-256(seed ":" first request id), as hex.
pub fn draw(seed: &str, first_id: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(seed.as_bytes());
    hasher.update(b":");
    hasher.update(first_id.as_bytes());
    hex::encode(hasher.finalize())
}

/// The lottery's seed: SHA-256(published seed ":" the wishes' ids sorted and joined by
/// ","), as hex. The published seed is fixed before any wish; the ids are known only once
/// the wishes close: neither the town nor a family can steer the result.
pub fn lottery_seed<'a>(published: &str, ids: impl IntoIterator<Item = &'a str>) -> String {
    let mut ids: Vec<&str> = ids.into_iter().collect();
    ids.sort_unstable();
    let mut hasher = Sha256::new();
    hasher.update(published.as_bytes());
    hasher.update(b":");
    hasher.update(ids.join(",").as_bytes());
    hex::encode(hasher.finalize())
}

/// A group drawn together: the wishes of one household for one période at one rank.
struct Group<'a> {
    wishes: Vec<&'a Wish>,
    rank: u32,
    resident: bool,
    draw: String,
}

/// What the draw did with one wish, in the order the rules served the wishes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Served {
    pub id: String,
    pub outcome: Outcome,
    /// The lottery number of the wish's group.
    pub draw: String,
}

/// Allocates `capacity` (places per période) among `wishes` with `seed`. Answers each
/// wish's outcome, by id.
pub fn allocate(
    capacity: &HashMap<String, u32>,
    wishes: &[Wish],
    seed: &str,
) -> BTreeMap<String, Outcome> {
    serve(capacity, wishes, seed)
        .into_iter()
        .map(|served| (served.id, served.outcome))
        .collect()
}

/// [`allocate`], answering every wish in the order the rules served it.
pub fn serve(capacity: &HashMap<String, u32>, wishes: &[Wish], seed: &str) -> Vec<Served> {
    let mut grouped: BTreeMap<(u32, &str, &str), Vec<&Wish>> = BTreeMap::new();
    for wish in wishes {
        grouped
            .entry((wish.rank, wish.household.as_str(), wish.periode.as_str()))
            .or_default()
            .push(wish);
    }
    let mut groups: Vec<Group> = grouped
        .into_values()
        .map(|mut members| {
            members.sort_by(|a, b| a.id.cmp(&b.id));
            let first = members[0];
            Group {
                rank: first.rank,
                // A household is resident or not: its wishes agree.
                resident: first.resident,
                draw: draw(seed, &first.id),
                wishes: members,
            }
        })
        .collect();
    // The order of the rules: rank, residents first, then the lottery.
    groups.sort_by(|a, b| (a.rank, !a.resident, &a.draw).cmp(&(b.rank, !b.resident, &b.draw)));

    let mut left: HashMap<&str, u32> = capacity.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let mut placed_children: HashSet<&str> = HashSet::new();
    let mut served = Vec::with_capacity(wishes.len());
    let mut waiting: HashMap<&str, u32> = HashMap::new();
    for group in &groups {
        let mut record = |wish: &Wish, outcome: Outcome| {
            served.push(Served {
                id: wish.id.clone(),
                outcome,
                draw: group.draw.clone(),
            });
        };
        // Children already placed by an earlier wish leave the group.
        let (gone, still): (Vec<&Wish>, Vec<&Wish>) = group
            .wishes
            .iter()
            .copied()
            .partition(|w| placed_children.contains(w.child.as_str()));
        for wish in gone {
            record(wish, Outcome::Withdrawn);
        }
        let Some(periode) = still.first().map(|w| w.periode.as_str()) else {
            continue;
        };
        let places = left.entry(periode).or_insert(0);
        let size = u32::try_from(still.len()).unwrap_or(u32::MAX);
        if size <= *places {
            *places -= size;
            for wish in still {
                placed_children.insert(wish.child.as_str());
                record(wish, Outcome::Placed);
            }
        } else {
            for wish in still {
                let position = waiting.entry(periode).or_insert(0);
                *position += 1;
                record(wish, Outcome::Waiting(*position));
            }
        }
    }
    // A child waiting on an earlier wish and placed by a later one keeps its place on that
    // waiting list: the family may still prefer its first wish.
    served
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wish(
        id: &str,
        household: &str,
        child: &str,
        periode: &str,
        rank: u32,
        resident: bool,
    ) -> Wish {
        Wish {
            id: id.into(),
            household: household.into(),
            child: child.into(),
            periode: periode.into(),
            rank,
            resident,
        }
    }

    fn capacity(places: &[(&str, u32)]) -> HashMap<String, u32> {
        places.iter().map(|(p, n)| (p.to_string(), *n)).collect()
    }

    /// Many households, one child each, all for « a » (2 places), half of them residents.
    fn crowd() -> Vec<Wish> {
        (0..20)
            .map(|n| {
                let id = format!("r{n:02}");
                wish(&id, &format!("h{n}"), &format!("c{n}"), "a", 1, n % 2 == 0)
            })
            .collect()
    }

    #[test]
    fn the_same_inputs_and_seed_give_the_same_allocation_and_another_seed_another() {
        let places = capacity(&[("a", 2)]);
        let first = allocate(&places, &crowd(), "graine-2027");
        let mut shuffled = crowd();
        shuffled.reverse();
        assert_eq!(
            allocate(&places, &shuffled, "graine-2027"),
            first,
            "order of arrival is irrelevant"
        );
        let placed = |o: &BTreeMap<String, Outcome>| {
            o.iter()
                .filter(|(_, v)| **v == Outcome::Placed)
                .map(|(k, _)| k.clone())
                .collect::<Vec<_>>()
        };
        let others = (0..10).map(|n| placed(&allocate(&places, &crowd(), &format!("autre-{n}"))));
        assert!(
            others.into_iter().any(|p| p != placed(&first)),
            "the seed decides"
        );
    }

    #[test]
    fn capacity_is_never_exceeded_and_residents_come_first() {
        let outcome = allocate(&capacity(&[("a", 2)]), &crowd(), "graine");
        let placed: Vec<&String> = outcome
            .iter()
            .filter(|(_, v)| **v == Outcome::Placed)
            .map(|(k, _)| k)
            .collect();
        assert_eq!(placed.len(), 2);
        for id in placed {
            let n: usize = id[1..].parse().expect("number");
            assert_eq!(n % 2, 0, "{id} is not a resident's");
        }
        let mut positions: Vec<u32> = outcome
            .values()
            .filter_map(|v| match v {
                Outcome::Waiting(p) => Some(*p),
                _ => None,
            })
            .collect();
        positions.sort_unstable();
        assert_eq!(positions, (1..=18).collect::<Vec<_>>());
    }

    #[test]
    fn first_wishes_before_second_ones_and_a_placed_child_is_not_placed_twice() {
        let wishes = [
            wish("1", "h1", "c1", "a", 1, false),
            wish("2", "h1", "c1", "b", 2, false),
            wish("3", "h2", "c2", "b", 1, false),
            wish("4", "h3", "c3", "a", 2, true),
        ];
        let outcome = allocate(&capacity(&[("a", 1), ("b", 1)]), &wishes, "s");
        assert_eq!(outcome["1"], Outcome::Placed);
        assert_eq!(outcome["2"], Outcome::Withdrawn);
        assert_eq!(
            outcome["3"],
            Outcome::Placed,
            "a first wish beats a second one"
        );
        assert_eq!(
            outcome["4"],
            Outcome::Waiting(1),
            "a resident's second wish comes after first wishes"
        );
    }

    #[test]
    fn siblings_asking_together_are_placed_together_or_not_at_all() {
        let wishes = [
            wish("1", "h1", "twin-a", "a", 1, true),
            wish("2", "h1", "twin-b", "a", 1, true),
            wish("3", "h2", "solo", "a", 1, false),
        ];
        // One place: the twins (residents, first) do not fit together; the next fits.
        let outcome = allocate(&capacity(&[("a", 1)]), &wishes, "s");
        assert_eq!(outcome["3"], Outcome::Placed);
        assert!(matches!(outcome["1"], Outcome::Waiting(_)));
        assert!(matches!(outcome["2"], Outcome::Waiting(_)));
        // Two places: the twins together.
        let outcome = allocate(&capacity(&[("a", 2)]), &wishes, "s");
        assert_eq!(
            (&outcome["1"], &outcome["2"]),
            (&Outcome::Placed, &Outcome::Placed)
        );
        assert!(matches!(outcome["3"], Outcome::Waiting(1)));
    }
}
