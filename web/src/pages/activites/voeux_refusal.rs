//! How « Mes vœux » says a refused `PUT /api/voeux` in French: the reasons the server
//! gives (`raisons`, those of the first période that cannot be wished for), the field
//! errors of the list (`periodes`: the same période twice, too many), or the problem.
//! Pure, tested natively.

use shared::api::voeux::VOEUX_MAX;
use shared::validation::codes;
use uuid::Uuid;

use crate::api::ApiError;
use crate::i18n::{field_message, problem_message};
use crate::pages::activites::ranking::Ranking;
use crate::pages::activites::reasons::{code_text, reason_text};
use crate::pages::activites::voeux_model::VoeuxOffer;

/// Why `PUT /api/voeux` refused the child's `ranking`, in French. A refusal with
/// reasons gives those of the first période that cannot be wished for: the first of
/// the ranking the page knows a reason for (else the first of the ranking).
pub fn refusal(offer: &VoeuxOffer, child: Uuid, ranking: &Ranking, error: &ApiError) -> String {
    let raisons = &error.problem.raisons;
    if !raisons.is_empty() {
        let prenom = offer.prenom(child);
        let blocked = ranking
            .ids()
            .iter()
            .find(|p| {
                offer
                    .wish_reasons(child, **p)
                    .is_some_and(|r| !r.is_empty())
            })
            .or_else(|| ranking.ids().first())
            .and_then(|p| offer.periode(*p))
            .or_else(|| offer.activite.periodes.first());
        if let Some(periode) = blocked {
            let ctx = offer.context(&prenom, periode);
            let said: Vec<String> = raisons.iter().map(|r| reason_text(r, &ctx)).collect();
            return format!(
                "Vœux non enregistrés ({}) : {}",
                periode.libelle,
                said.join(" ")
            );
        }
    }
    let mut said: Vec<String> = error
        .problem
        .field("periodes")
        .iter()
        .map(|code| match code.as_str() {
            codes::TOO_LONG | "length" => format!("{VOEUX_MAX} vœux au plus par enfant."),
            code => field_message(code),
        })
        .chain(
            error
                .problem
                .field("_")
                .iter()
                .map(|code| code_text(code).to_string()),
        )
        .collect();
    if said.is_empty() {
        said.push(match error.status() {
            404 => "Cette activité ou l'une des périodes choisies n'est plus proposée au tirage au sort : rechargez la page.".into(),
            409 => "Ces périodes ne relèvent pas d'un même tirage au sort : rechargez la page.".into(),
            _ => problem_message(error),
        });
    }
    format!("Vœux non enregistrés : {}", said.join(" "))
}

#[cfg(test)]
mod tests {
    use shared::eligibility::Reason;
    use shared::error::{ErrorCode, FieldErrors, Problem};

    use super::*;
    use crate::pages::activites::voeux_model::tests::{at, id, offer};

    fn refused(
        status: u16,
        code: ErrorCode,
        fields: FieldErrors,
        raisons: Vec<Reason>,
    ) -> ApiError {
        ApiError {
            problem: Problem {
                problem_type: "about:blank".into(),
                title: String::new(),
                status,
                detail: None,
                code,
                fields,
                opens_at: None,
                raisons,
            },
            retry_after: None,
        }
    }

    #[test]
    fn refusals_are_said_in_french_with_the_periode_they_are_about() {
        let offer = offer(at(6, 12));
        let ranking = Ranking::new([id(2), id(3)]);
        let age = Reason::Age {
            age: 12,
            min: 6,
            max: 11,
        };
        let error = refused(
            422,
            ErrorCode::ValidationFailed,
            FieldErrors::from([("_".into(), vec!["age".into()])]),
            vec![age],
        );
        assert_eq!(
            refusal(&offer, id(8), &ranking, &error),
            "Vœux non enregistrés (Semaine 3) : Noé aura 12 ans le 16 février ; l'activité est pour les 6 à 11 ans."
        );
        let duplicate = refused(
            422,
            ErrorCode::ValidationFailed,
            FieldErrors::from([(
                "periodes".into(),
                vec!["duplicate".into(), "too_long".into()],
            )]),
            vec![],
        );
        assert_eq!(
            refusal(&offer, id(7), &ranking, &duplicate),
            "Vœux non enregistrés : La même période figure deux fois dans la liste : retirez l'une des deux. 10 vœux au plus par enfant."
        );
        let gone = refused(404, ErrorCode::NotFound, FieldErrors::new(), vec![]);
        assert!(
            refusal(&offer, id(7), &ranking, &gone)
                .contains("n'est plus proposée au tirage au sort")
        );
        let closed = refused(
            409,
            ErrorCode::Internal,
            FieldErrors::new(),
            vec![Reason::Closed],
        );
        assert_eq!(
            refusal(&offer, id(7), &ranking, &closed),
            "Vœux non enregistrés (Semaine 2) : Les inscriptions sont closes depuis le lundi 19 janvier à 23 h."
        );
    }
}
