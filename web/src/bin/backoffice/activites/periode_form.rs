//! The form that creates or changes a période (dates and times in Europe/Paris), with how
//! its places are given: *premier arrivé* or *attribution équitable* (issue 13). A 409
//! is said under the capacity (it cannot go below the places held).

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::activites::PeriodeAgentView;
use uuid::Uuid;

use super::page::{FORM, LIST, Page, explained};
use super::periode_values::{ATTRIBUTIONS, MODES, PeriodeValues, STATUTS};
use crate::api;
use crate::components::field::FormErrors;
use crate::forms::{Editor, Form, Kind, SAID, Spec};
use crate::login::focus_id;

pub fn periode_form(
    page: Page,
    activite_id: Uuid,
    activite: String,
    periode: Option<PeriodeAgentView>,
) -> impl IntoView {
    let id = periode.as_ref().map(|p| p.periode.id);
    let held = periode
        .as_ref()
        .map(|p| p.confirmees + p.demandees + p.proposees)
        .unwrap_or_default();
    let initial = PeriodeValues::of(periode.as_ref());
    let s = |v: &String| RwSignal::new(v.clone());
    let (libelle, premier_jour, dernier_jour, horaires, capacite) = (
        s(&initial.libelle),
        s(&initial.premier_jour),
        s(&initial.dernier_jour),
        s(&initial.horaires),
        s(&initial.capacite),
    );
    let (ouverture, ouverture_residents, fermeture, annulation_jours) = (
        s(&initial.ouverture),
        s(&initial.ouverture_residents),
        s(&initial.fermeture),
        s(&initial.annulation_jours),
    );
    let (limite_famille, liste_attente, mode_validation, offre_heures, statut) = (
        s(&initial.limite_famille),
        s(&initial.liste_attente),
        s(&initial.mode_validation),
        s(&initial.offre_heures),
        s(&initial.statut),
    );
    let attribution = s(&initial.attribution);
    let errors = FormErrors::new();
    let pending = RwSignal::new(false);
    let heading = match &periode {
        Some(p) => format!(
            "Modifier la période « {} » de « {activite} »",
            p.periode.libelle
        ),
        None => format!("Nouvelle période de « {activite} »"),
    };
    let submit = Callback::new(move |()| {
        errors.clear();
        let values = PeriodeValues {
            libelle: libelle.get_untracked(),
            premier_jour: premier_jour.get_untracked(),
            dernier_jour: dernier_jour.get_untracked(),
            horaires: horaires.get_untracked(),
            capacite: capacite.get_untracked(),
            ouverture: ouverture.get_untracked(),
            ouverture_residents: ouverture_residents.get_untracked(),
            fermeture: fermeture.get_untracked(),
            annulation_jours: annulation_jours.get_untracked(),
            limite_famille: limite_famille.get_untracked(),
            liste_attente: liste_attente.get_untracked(),
            mode_validation: mode_validation.get_untracked(),
            offre_heures: offre_heures.get_untracked(),
            statut: statut.get_untracked(),
            attribution: attribution.get_untracked(),
        };
        let input = match values.input() {
            Ok(input) => input,
            Err(fields) => {
                errors.show_fields(fields);
                return;
            }
        };
        pending.set(true);
        spawn_local(async move {
            let client = api::authed(page.session);
            let result = match id {
                Some(id) => {
                    client
                        .put::<_, PeriodeAgentView>(
                            &format!("/api/backoffice/periodes/{id}"),
                            &input,
                        )
                        .await
                }
                None => {
                    client
                        .post::<_, PeriodeAgentView>(
                            &format!("/api/backoffice/activites/{activite_id}/periodes"),
                            &input,
                        )
                        .await
                }
            };
            pending.set(false);
            match result {
                Ok(saved) => page.changed(format!(
                    "Période « {} » {}.",
                    saved.periode.libelle,
                    if id.is_some() {
                        "enregistrée"
                    } else {
                        "créée"
                    }
                )),
                Err(e) if e.status() == 409 => {
                    // Two refusals: the capacity under the places held, or the draw's
                    // attribution and close that can no longer change (its own words).
                    let detail = e.problem.detail.clone().unwrap_or_default();
                    let (field, text) = if detail.contains("tirage") || detail.contains("vœux") {
                        ("attribution", detail)
                    } else {
                        (
                            "capacite",
                            format!(
                                "La capacité ne peut pas descendre sous les places déjà confirmées, demandées ou proposées ({held} au dernier chargement)."
                            ),
                        )
                    };
                    let mut fields = shared::error::FieldErrors::new();
                    crate::components::field::add_error(
                        &mut fields,
                        field,
                        &format!("{SAID}{text}"),
                    );
                    errors.show_fields(fields);
                }
                Err(e) => errors.show_api(&explained(&e)),
            }
        });
    });
    let paris = "Heure de Paris.";
    let fields = vec![
        Spec::new("libelle", "Libellé", libelle)
            .hint("Par exemple « Semaine 1 : du 16 au 20 février 2026 »."),
        Spec::new("premier_jour", "Premier jour", premier_jour).kind(Kind::Date),
        Spec::new("dernier_jour", "Dernier jour", dernier_jour).kind(Kind::Date),
        Spec::new("horaires", "Jours et horaires", horaires)
            .hint("Par exemple « Du lundi au vendredi, 9 h – 17 h »."),
        Spec::new("capacite", "Capacité (places)", capacite).kind(Kind::Number),
        Spec::new("attribution", "Attribution des places", attribution)
            .kind(Kind::Select(ATTRIBUTIONS))
            .hint("Attribution équitable : les familles classent leurs vœux de l'ouverture à la fermeture, puis un tirage au sort public attribue les places (habitants d'abord, frères et sœurs ensemble). Les périodes équitables d'une activité ferment au même instant."),
        Spec::new("ouverture", "Ouverture des inscriptions", ouverture)
            .kind(Kind::DateTime)
            .hint(paris),
        Spec::new(
            "ouverture_residents",
            "Ouverture pour les habitants de la commune",
            ouverture_residents,
        )
        .kind(Kind::DateTime)
        .optional()
        .hint("Facultatif : une ouverture plus tôt pour les foyers de la commune. Heure de Paris."),
        Spec::new("fermeture", "Fermeture des inscriptions", fermeture)
            .kind(Kind::DateTime)
            .hint("Heure de Paris. En attribution équitable : la fin des vœux et l'heure du tirage au sort."),
        Spec::new("annulation_jours", "Délai d'annulation (jours)", annulation_jours)
            .kind(Kind::Number)
            .hint("Une famille peut annuler jusqu'à ce nombre de jours avant le premier jour (0 : jusqu'à la veille au soir)."),
        Spec::new("limite_famille", "Limite par famille (enfants)", limite_famille)
            .kind(Kind::Number)
            .optional()
            .hint("Facultatif : combien d'enfants d'une même famille peuvent avoir une place."),
        Spec::new("liste_attente", "Liste d'attente", liste_attente)
            .kind(Kind::Check)
            .hint("Une fois la période complète, les demandes suivantes vont sur la liste d'attente."),
        Spec::new("mode_validation", "Mode de validation", mode_validation).kind(Kind::Select(MODES)),
        Spec::new("offre_heures", "Délai pour accepter une place libérée (heures)", offre_heures)
            .kind(Kind::Number)
            .optional()
            .hint("Facultatif : une place libérée est proposée au suivant de la liste pour ce délai ; vide, elle lui est donnée aussitôt."),
        Spec::new("statut", "Statut", statut).kind(Kind::Select(STATUTS)),
    ];
    let cancel = Callback::new(move |()| {
        page.editing.set(None);
        focus_id(LIST);
    });
    view! {
        <Editor id=FORM heading>
            <Form prefix="periode" fields errors pending=pending.into() on_submit=submit on_cancel=cancel
                submit_label=if id.is_some() { "Enregistrer les modifications" } else { "Créer la période" }/>
        </Editor>
    }
}
