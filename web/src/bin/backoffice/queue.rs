//! « Demandes en attente »: the agents' queue, oldest submission first, with the count
//! waiting and the median wait, a status filter, a search (nom ou numéro) and pages.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::api::backoffice::Queue;
use shared::api::dossier::{DemandeKind, DemandeStatus};

use crate::api::{self, ApiError};
use crate::components::page_title::PageTitle;
use crate::format::date_time;
use crate::i18n::{problem_message, status_label};
use crate::state::use_session;

/// The statuses an agent filters on, with their query value.
const STATUSES: &[(DemandeStatus, &str)] = &[
    (DemandeStatus::EnAttenteValidation, "en_attente_validation"),
    (DemandeStatus::ACompleter, "a_completer"),
    (DemandeStatus::Validee, "validee"),
    (DemandeStatus::Refusee, "refusee"),
];

/// The kinds of request an agent filters on (« Tous les types » is the empty value).
const KINDS: &[(&str, DemandeKind)] = &[
    ("creation_dossier", DemandeKind::CreationDossier),
    ("rattachement_dossier", DemandeKind::RattachementDossier),
];

const PER_PAGE: u32 = 25;

/// What the queue shows: its address holds it, so a filtered page can be bookmarked.
#[derive(Clone, Debug, PartialEq)]
struct Filters {
    statut: String,
    /// A kind of request, or empty for every kind.
    kind: String,
    search: String,
}

impl Filters {
    /// The queue's address for these filters, at `page`.
    fn link(&self, page: u32) -> String {
        let mut href = format!("/backoffice?statut={}", self.statut);
        if !self.kind.is_empty() {
            href.push_str(&format!("&type={}", self.kind));
        }
        if !self.search.is_empty() {
            href.push_str("&q=");
            href.push_str(&String::from(js_sys::encode_uri_component(&self.search)));
        }
        if page > 1 {
            href.push_str(&format!("&page={page}"));
        }
        href
    }
}

/// `/backoffice/?statut=…&q=…&page=…`.
#[component]
pub fn QueuePage() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    let statut = Memo::new(move |_| {
        query.with(|q| {
            q.get("statut")
                .filter(|s| STATUSES.iter().any(|(_, v)| v == s))
                .unwrap_or_else(|| "en_attente_validation".into())
        })
    });
    let search = Memo::new(move |_| query.with(|q| q.get("q").unwrap_or_default()));
    let kind = Memo::new(move |_| {
        query.with(|q| {
            q.get("type")
                .filter(|k| KINDS.iter().any(|(v, _)| v == k))
                .unwrap_or_default()
        })
    });
    let page = Memo::new(move |_| {
        query.with(|q| {
            q.get("page")
                .and_then(|p| p.parse::<u32>().ok())
                .filter(|p| *p >= 1)
                .unwrap_or(1)
        })
    });
    let data = RwSignal::new(None::<Result<Queue, ApiError>>);
    Effect::new(move |_| {
        let path = format!(
            "/api/backoffice/demandes?status={}{}&q={}&page={}&per_page={PER_PAGE}",
            statut.get(),
            kind.with(|k| if k.is_empty() {
                String::new()
            } else {
                format!("&kind={k}")
            }),
            String::from(js_sys::encode_uri_component(&search.get())),
            page.get()
        );
        spawn_local(async move {
            data.set(Some(api::authed(session).get::<Queue>(&path).await));
        });
    });

    // The form's own values, sent on « Rechercher ».
    let chosen = RwSignal::new(statut.get_untracked());
    let chosen_kind = RwSignal::new(kind.get_untracked());
    let typed = RwSignal::new(search.get_untracked());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let filters = Filters {
            statut: chosen.get_untracked(),
            kind: chosen_kind.get_untracked(),
            search: typed.get_untracked().trim().to_string(),
        };
        navigate(&filters.link(1), Default::default());
    };

    view! {
        <PageTitle title="Demandes en attente"/>
        // Always there (one line high while the queue loads): the filters below do not move.
        <p class="queue-summary">
            {move || data.with(|d| match d {
                Some(Ok(q)) => Some(view! {
                    <strong>{waiting(q.en_attente)}</strong>
                    {q.attente_mediane_heures.map(|h| format!(" · délai médian : {} h", h.round()))}
                }),
                _ => None,
            })}
        </p>
        <form class="queue-filters" role="search" aria-label="Filtrer les demandes" on:submit=submit>
            <div class="field">
                <label for="filtre-statut">"Statut"</label>
                <select id="filtre-statut" name="statut"
                    on:change=move |ev| chosen.set(event_target_value(&ev))>
                    {STATUSES.iter().map(|(s, value)| view! {
                        <option value=*value selected=move || chosen.get() == *value>{status_label(*s)}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="filtre-type">"Type de demande"</label>
                <select id="filtre-type" name="type"
                    on:change=move |ev| chosen_kind.set(event_target_value(&ev))>
                    <option value="" selected=move || chosen_kind.with(String::is_empty)>"Tous les types"</option>
                    {KINDS.iter().map(|(value, kind)| view! {
                        <option value=*value selected=move || chosen_kind.get() == *value>{kind.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="filtre-recherche">"Rechercher (nom ou numéro de dossier)"</label>
                <input id="filtre-recherche" name="q" type="text" autocomplete="off"
                    prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev))/>
            </div>
            <button type="submit" class="button secondary">"Rechercher"</button>
        </form>
        <div role="status" class="status-line">
            {move || data.with(|d| match d {
                None => Some("Chargement…".to_string()),
                Some(Ok(q)) => Some(results(q.total)),
                Some(Err(_)) => None,
            })}
        </div>
        {move || data.with(|d| match d {
            Some(Err(e)) => view! { <div role="alert"><p class="notice">{problem_message(e)}</p></div> }.into_any(),
            Some(Ok(q)) if q.items.is_empty() => view! {
                <p class="empty">"Aucune demande ne correspond."</p>
            }.into_any(),
            Some(Ok(q)) => view! {
                <QueueTable queue=q.clone()/>
                <Pager queue=q.clone() filters=Filters {
                    statut: statut.get_untracked(),
                    kind: kind.get_untracked(),
                    search: search.get_untracked(),
                }/>
            }.into_any(),
            None => ().into_any(),
        })}
    }
}

#[component]
fn QueueTable(queue: Queue) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-labelledby="file-titre">
            <table class="queue">
                <caption id="file-titre">"Demandes, de la plus ancienne à la plus récente"</caption>
                <thead><tr>
                    <th scope="col">"Famille"</th>
                    <th scope="col">"N° de dossier"</th>
                    <th scope="col">"Type"</th>
                    <th scope="col">"Statut"</th>
                    <th scope="col">"Transmise le"</th>
                </tr></thead>
                <tbody>
                    {queue.items.into_iter().map(|item| view! {
                        <tr>
                            <th scope="row">
                                <A href=format!("/backoffice/demandes/{}", item.demande_id)>{item.famille.clone()}</A>
                            </th>
                            <td>{item.numero.clone().unwrap_or_else(|| "—".into())}</td>
                            <td>{item.kind.label()}</td>
                            <td>{status_label(item.status)}</td>
                            <td>{item.submitted_at.as_ref().map(date_time).unwrap_or_else(|| "—".into())}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn Pager(queue: Queue, filters: Filters) -> impl IntoView {
    let pages = (queue.total.div_ceil(u64::from(queue.per_page.max(1)))).max(1) as u32;
    let page = queue.page;
    (pages > 1).then(|| {
        view! {
            <nav class="pagination" aria-label="Pages de résultats">
                {(page > 1).then(|| view! { <A href=filters.link(page - 1)>"Page précédente"</A> })}
                <span>{format!("Page {page} sur {pages}")}</span>
                {(page < pages).then(|| view! { <A href=filters.link(page + 1)>"Page suivante"</A> })}
            </nav>
        }
    })
}

/// « 3 demandes en attente ».
fn waiting(count: u64) -> String {
    match count {
        0 => "Aucune demande en attente".into(),
        1 => "1 demande en attente".into(),
        n => format!("{n} demandes en attente"),
    }
}

/// « 12 demandes trouvées ».
fn results(count: u64) -> String {
    match count {
        0 => "Aucune demande trouvée.".into(),
        1 => "1 demande trouvée.".into(),
        n => format!("{n} demandes trouvées."),
    }
}

#[cfg(test)]
mod tests {
    use super::{Filters, waiting};

    #[test]
    fn filters_are_kept_in_the_address() {
        let mut filters = Filters {
            statut: "validee".into(),
            kind: String::new(),
            search: String::new(),
        };
        assert_eq!(filters.link(1), "/backoffice?statut=validee");
        filters.kind = "creation_dossier".into();
        assert_eq!(
            filters.link(2),
            "/backoffice?statut=validee&type=creation_dossier&page=2"
        );
        assert_eq!(waiting(2), "2 demandes en attente");
    }
}
