//! The read-only dossier (« Récapitulatif » and « Consulter ma demande »), the list of its
//! pièces justificatives, and the problems that prevent submitting it, grouped by member
//! (or under « Pièces justificatives ») with a « Corriger » link.

use leptos::prelude::*;
use leptos_router::components::A;
use shared::api::dossier::{DossierResponse, Member, Role};
use shared::api::pieces::PiecesResponse;
use shared::error::FieldErrors;

use crate::format::day;
use crate::i18n::{field_message, relation_label, role_label, sexe_label, situation_label};
use crate::pages::dossier::model::{display_name, field_label, initials};
use crate::pages::dossier::pieces::{PiecesData, piece_status_badge};
use crate::pages::dossier::pieces_model::{piece_problem_lines, recap_list};

const NOT_GIVEN: &str = "Non renseigné";

fn or_not_given(value: Option<String>) -> String {
    value
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| NOT_GIVEN.into())
}

/// The whole dossier as the family typed it.
#[component]
pub fn DossierRecap(
    dossier: DossierResponse,
    /// Heading level of the sections (2 on its own page, 3 inside a step).
    #[prop(default = 2)]
    level: u8,
) -> impl IntoView {
    let address = dossier.address.clone();
    let heading = move |text: String| match level {
        2 => view! { <h2>{text}</h2> }.into_any(),
        _ => view! { <h3>{text}</h3> }.into_any(),
    };
    let members = dossier
        .members
        .iter()
        .map(|member| view! { <MemberRecap member=member.clone() dossier=dossier.clone() level=level/> })
        .collect_view();
    view! {
        <section class="card recap-section" aria-label="Adresse du foyer">
            {heading("Adresse du foyer".into())}
            <dl class="details">
                <dt>"Adresse"</dt><dd>{or_not_given(address.adresse.clone())}</dd>
                <dt>"Code postal"</dt><dd>{or_not_given(address.code_postal.clone())}</dd>
                <dt>"Commune"</dt><dd>{or_not_given(address.commune.clone())}</dd>
            </dl>
        </section>
        {if dossier.members.is_empty() {
            view! { <p class="empty">"Aucun membre déclaré."</p> }.into_any()
        } else {
            view! { <ul class="member-recaps">{members}</ul> }.into_any()
        }}
    }
}

#[component]
fn MemberRecap(member: Member, dossier: DossierResponse, level: u8) -> impl IntoView {
    let f = member.fields.clone();
    let name = display_name(&f);
    let role = f.role;
    let unborn = role == Role::Enfant && f.a_naitre;
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| day(&d));
    let mut rows: Vec<(&'static str, String)> = Vec::new();
    match role {
        Role::Enfant if unborn => {
            rows.push(("À naître", "Oui".into()));
            rows.push((
                "Date de naissance prévue",
                or_not_given(date(f.date_naissance_prevue)),
            ));
        }
        Role::Enfant => {
            rows.push(("Sexe", or_not_given(f.sexe.map(|s| sexe_label(s).into()))));
            rows.push(("Date de naissance", or_not_given(date(f.date_naissance))));
            rows.push(("À naître", "Non".into()));
            rows.push(("Autres prénoms", or_not_given(f.autres_prenoms.clone())));
            rows.push(("Pays de naissance", or_not_given(f.pays_naissance.clone())));
            rows.push((
                "Commune de naissance",
                or_not_given(f.commune_naissance.clone()),
            ));
        }
        Role::Contact => {
            rows.push(("Téléphone mobile", or_not_given(f.telephone_mobile.clone())));
            rows.push(("Téléphone fixe", or_not_given(f.telephone_fixe.clone())));
            rows.push(("Email", or_not_given(f.email.clone())));
        }
        _ => {
            rows.push(("Sexe", or_not_given(f.sexe.map(|s| sexe_label(s).into()))));
            rows.push((
                "Situation familiale",
                or_not_given(f.situation_familiale.map(|s| situation_label(s).into())),
            ));
            rows.push(("Date de naissance", or_not_given(date(f.date_naissance))));
            rows.push((
                "Début de la situation familiale",
                or_not_given(date(f.situation_depuis)),
            ));
            rows.push(("Nom de naissance", or_not_given(f.nom_naissance.clone())));
            rows.push(("Autres prénoms", or_not_given(f.autres_prenoms.clone())));
            rows.push(("Pays de naissance", or_not_given(f.pays_naissance.clone())));
            rows.push((
                "Commune de naissance",
                or_not_given(f.commune_naissance.clone()),
            ));
            rows.push(("Téléphone mobile", or_not_given(f.telephone_mobile.clone())));
            rows.push(("Téléphone fixe", or_not_given(f.telephone_fixe.clone())));
            rows.push(("Email", or_not_given(f.email.clone())));
            rows.push(("Profession", or_not_given(f.profession.clone())));
            rows.push(("Employeur", or_not_given(f.employeur.clone())));
        }
    }
    let links: Vec<String> = if role == Role::Enfant {
        dossier
            .links
            .iter()
            .filter(|l| l.child_id == member.id)
            .filter_map(|l| {
                let adult = dossier.members.iter().find(|m| m.id == l.link.adult_id)?;
                let mut parts = vec![relation_label(l.link.relation).to_string()];
                if l.link.autorite_parentale {
                    parts.push("autorité parentale".into());
                }
                if l.link.contact_urgence {
                    parts.push("contact en cas d'urgence".into());
                }
                if l.link.autorise_recuperer {
                    parts.push("autorisé·e à récupérer l'enfant".into());
                }
                Some(format!(
                    "{} : {}",
                    display_name(&adult.fields),
                    parts.join(", ")
                ))
            })
            .collect()
    } else {
        Vec::new()
    };
    let title = view! {
        <span class="avatar" aria-hidden="true">{initials(&f)}</span>
        <span class="member-role">{role_label(role)}</span>
        " "
        <span class="member-name">{name}</span>
    };
    view! {
        <li class="card member-recap">
            {match level {
                2 => view! { <h2 class="member-title">{title}</h2> }.into_any(),
                _ => view! { <h3 class="member-title">{title}</h3> }.into_any(),
            }}
            <dl class="details">
                {rows.into_iter().map(|(label, value)| {
                    let missing = value == NOT_GIVEN;
                    view! { <dt>{label}</dt><dd class:not-given=missing>{value}</dd> }
                }).collect_view()}
                {(role == Role::Enfant).then(|| view! {
                    <dt>"Liens de parenté"</dt>
                    <dd>{if links.is_empty() {
                        view! { <span class="not-given">{NOT_GIVEN}</span> }.into_any()
                    } else {
                        view! { <ul class="plain">{links.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul> }.into_any()
                    }}</dd>
                })}
            </dl>
        </li>
    }
}

/// One problem group: who it is about, its lines, where to correct it.
struct Group {
    title: String,
    lines: Vec<String>,
    href: Option<String>,
    link_label: String,
}

fn groups(
    errors: &FieldErrors,
    dossier: &DossierResponse,
    pieces: Option<&PiecesResponse>,
) -> Vec<Group> {
    let base = format!("/demarches/dossier/{}?etape=1", dossier.id);
    let mut out = Vec::new();
    if let Some(codes) = errors.get("_") {
        out.push(Group {
            title: "Le foyer".into(),
            lines: codes.iter().map(|c| field_message(c)).collect(),
            href: Some(base.clone()),
            link_label: "Corriger la composition du foyer".into(),
        });
    }
    let address: Vec<String> = errors
        .iter()
        .filter_map(|(key, codes)| key.strip_prefix("address.").map(|f| (f, codes)))
        .flat_map(|(field, codes)| {
            codes
                .iter()
                .map(move |c| format!("{} : {}", field_label(field), field_message(c)))
        })
        .collect();
    if !address.is_empty() {
        out.push(Group {
            title: "Adresse du foyer".into(),
            lines: address,
            href: Some(format!("{base}#adresse-foyer")),
            link_label: "Corriger l'adresse du foyer".into(),
        });
    }
    for member in &dossier.members {
        let prefix = format!("members.{}", member.id);
        let mut lines = Vec::new();
        let mut links_only = true;
        for (key, codes) in errors {
            if key == &prefix {
                lines.extend(codes.iter().map(|c| field_message(c)));
            } else if let Some(field) = key.strip_prefix(&format!("{prefix}.")) {
                links_only = false;
                lines.extend(
                    codes
                        .iter()
                        .map(|c| format!("{} : {}", field_label(field), field_message(c))),
                );
            }
        }
        if lines.is_empty() {
            continue;
        }
        let name = display_name(&member.fields);
        let part = if links_only && member.fields.role == Role::Enfant {
            "&partie=liens"
        } else {
            ""
        };
        out.push(Group {
            title: format!("{} — {}", role_label(member.fields.role), name),
            lines,
            href: Some(format!("{base}&membre={}{part}", member.id)),
            link_label: format!("Corriger {name}"),
        });
    }
    let missing = piece_problem_lines(errors, pieces);
    if !missing.is_empty() {
        out.push(Group {
            title: "Pièces justificatives".into(),
            lines: missing,
            href: Some(format!("/demarches/dossier/{}?etape=2", dossier.id)),
            link_label: "Corriger les pièces justificatives".into(),
        });
    }
    // Problems about members this dossier no longer has (edited elsewhere meanwhile).
    let known = |key: &str| {
        key == "_"
            || key.starts_with("address.")
            || key.starts_with("pieces.")
            || dossier
                .members
                .iter()
                .any(|m| key.starts_with(&format!("members.{}", m.id)))
    };
    let orphans: Vec<String> = errors
        .iter()
        .filter(|(key, _)| !known(key))
        .flat_map(|(_, codes)| codes.iter().map(|c| field_message(c)))
        .collect();
    if !orphans.is_empty() {
        out.push(Group {
            title: "Autres points".into(),
            lines: orphans,
            href: None,
            link_label: String::new(),
        });
    }
    out
}

/// « Votre dossier n'est pas encore complet » with every problem, grouped by member.
#[component]
pub fn ProblemList(
    errors: FieldErrors,
    dossier: DossierResponse,
    /// The pieces, to name the missing ones.
    pieces: PiecesData,
) -> impl IntoView {
    let groups = pieces.with(|pieces| groups(&errors, &dossier, pieces));
    view! {
        <ul class="problem-groups">
            {groups.into_iter().map(|group| view! {
                <li>
                    <h3>{group.title}</h3>
                    <ul>{group.lines.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}</ul>
                    {group.href.map(|href| view! {
                        <A href=href attr:class="correct-link">
                            "Corriger"<span class="visually-hidden">{group.link_label.trim_start_matches("Corriger").to_string()}</span>
                        </A>
                    })}
                </li>
            }).collect_view()}
        </ul>
    }
}

/// « Liste des pièces justificatives »: each required piece with its status (the recap of
/// the seed), then the optional ones provided.
pub fn pieces_recap(pieces: &PiecesResponse) -> impl IntoView + use<> {
    let rows = recap_list(pieces);
    view! {
        <section class="card recap-section" aria-labelledby="liste-pieces-titre">
            <h3 id="liste-pieces-titre">"Liste des pièces justificatives"</h3>
            {if rows.is_empty() {
                view! { <p class="empty">"Aucune pièce justificative."</p> }.into_any()
            } else {
                view! {
                    <table class="stack-table" aria-labelledby="liste-pieces-titre">
                        <thead><tr>
                            <th scope="col">"Statut"</th>
                            <th scope="col">"Type"</th>
                            <th scope="col">"Lié à"</th>
                        </tr></thead>
                        <tbody>
                            {rows.into_iter().map(|row| view! {
                                <tr>
                                    <td data-label="Statut">{piece_status_badge(row.status)}</td>
                                    <td data-label="Type">{row.type_libelle}</td>
                                    <td data-label="Lié à">{row.lie_a}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}
