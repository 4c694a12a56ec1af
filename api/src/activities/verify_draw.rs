//! Re-running a published draw (`portail-famille attribution verifier`): from the public
//! document alone — the published seed, the wishes' numbers, pseudonyms, ranks and
//! residence, the places — the lottery seed and the allocation are computed again and
//! compared with what the town published, line by line.

use std::collections::HashMap;

use shared::api::voeux::{ResultatVoeu, TirageView};

use super::allocation::{self, Outcome, Wish};

/// What a verification found.
#[derive(Debug, PartialEq, Eq)]
pub struct Verified {
    pub wishes: usize,
    pub placed: usize,
    /// Every difference between the document and the re-run (none: the draw holds).
    pub differences: Vec<String>,
}

/// Re-runs the draw published in `view`.
pub fn verify(view: &TirageView) -> Verified {
    let mut differences = Vec::new();
    if view.tirage_le.is_none() {
        differences.push("Le tirage n'a pas encore eu lieu : rien à vérifier.".to_string());
    }
    let numbers: Vec<String> = view.lignes.iter().map(|l| l.numero.to_string()).collect();
    let seed = allocation::lottery_seed(&view.graine, numbers.iter().map(String::as_str));
    if view.graine_tirage.as_deref() != Some(seed.as_str()) {
        differences.push(format!(
            "Graine du tirage : publiée {:?}, recalculée {seed}.",
            view.graine_tirage
        ));
    }
    let capacity: HashMap<String, u32> = view
        .periodes
        .iter()
        .map(|p| (p.id.to_string(), p.places))
        .collect();
    // Lines without a lottery number were not in the draw (a période closed by the town,
    // a child enrolled meanwhile): they are published, not drawn.
    let drawn: Vec<_> = view
        .lignes
        .iter()
        .filter(|l| !l.tirage.is_empty())
        .collect();
    let wishes: Vec<Wish> = drawn
        .iter()
        .map(|l| Wish {
            id: l.numero.to_string(),
            household: l.foyer.clone(),
            child: l.enfant.clone(),
            periode: l.periode_id.to_string(),
            rank: l.rang,
            resident: l.resident,
        })
        .collect();
    let served = allocation::serve(&capacity, &wishes, &seed);
    if served.len() != drawn.len() {
        differences.push(format!(
            "{} demandes tirées publiées, {} recalculées.",
            drawn.len(),
            served.len()
        ));
    }
    let mut placed = 0;
    for (published, again) in drawn.iter().zip(&served) {
        let expected = match again.outcome {
            Outcome::Placed => (ResultatVoeu::Place, None),
            Outcome::Waiting(position) => match published.resultat {
                // A période without a waiting list publishes « non retenu », no position.
                ResultatVoeu::NonRetenu => (ResultatVoeu::NonRetenu, None),
                _ => (ResultatVoeu::ListeAttente, Some(position)),
            },
            Outcome::Withdrawn => (ResultatVoeu::SansObjet, None),
        };
        if expected.0 == ResultatVoeu::Place {
            placed += 1;
        }
        let number = published.numero.to_string();
        if again.id != number {
            differences.push(format!(
                "Ordre : publiée {number}, recalculée {} à cette place.",
                again.id
            ));
        } else if (published.resultat, published.position) != expected
            || published.tirage != again.draw
        {
            differences.push(format!(
                "Demande {number} : publiée {:?} {:?} ({}), recalculée {:?} {:?} ({}).",
                published.resultat,
                published.position,
                published.tirage,
                expected.0,
                expected.1,
                again.draw
            ));
        }
    }
    Verified {
        wishes: view.lignes.len(),
        placed,
        differences,
    }
}
