//! One child's wishes on « Mes vœux »: the ranked list (« 1er vœu », « 2e vœu »…) with
//! « Monter », « Descendre » and « Retirer » on each (named after the période, the focus
//! kept on the moved wish), « Ajouter une période » (the périodes the child may still wish
//! for; the others listed with every reason), « Enregistrer les vœux de Léa » (`PUT
//! /api/voeux`), each wish's public number and, after the draw, its result. Read-only
//! outside the wishes' window.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::voeux::{VoeuView, VoeuxEnfant, VoeuxRequest};
use uuid::Uuid;

use crate::api;
use crate::pages::activites::attribution::{
    rang_label, resultat_class, resultat_text, short_numero,
};
use crate::pages::activites::model::dates;
use crate::pages::activites::ranking::{AddRefused, Focus, Move, Ranking, button_id};
use crate::pages::activites::voeux_model::VoeuxOffer;
use crate::pages::activites::voeux_refusal::refusal;
use crate::state::{Session, use_session};

/// Focuses the element `id` once the list is drawn again.
fn focus_element(id: String) {
    request_animation_frame(move || {
        if let Some(element) = document()
            .get_element_by_id(&id)
            .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
        {
            let _ = element.focus();
        }
    });
}

/// The card's state.
#[derive(Clone, Copy)]
struct Card {
    session: Session,
    offer: StoredValue<VoeuxOffer>,
    child: Uuid,
    /// The list as the family arranges it (the ids of a [`Ranking`]: a signal type the
    /// app already has, rather than one more in the bundle).
    ranking: RwSignal<Vec<Uuid>>,
    /// The wishes as the server last answered (numbers, results); the list is drawn again
    /// when `ranking` is set after it.
    saved: StoredValue<Vec<VoeuView>>,
    /// The période chosen in « Ajouter une période » (its id, or empty).
    choice: RwSignal<String>,
    /// What was done last, said politely (a move, a save).
    said: RwSignal<Option<String>>,
    /// Why the list could not be saved, or why nothing was added.
    error: RwSignal<Option<String>>,
    pending: RwSignal<bool>,
}

impl Card {
    /// The list as it stands (tracked).
    fn ranking(self) -> Ranking {
        Ranking::new(self.ranking.get())
    }

    fn libelle(self, periode: Uuid) -> String {
        self.offer
            .with_value(|o| o.periode(periode).map(|p| p.libelle.clone()))
            .unwrap_or_default()
    }

    /// Whether the list differs from what the server holds.
    fn dirty(self) -> bool {
        let saved: Vec<Uuid> = self
            .saved
            .with_value(|s| s.iter().map(|v| v.periode_id).collect());
        self.ranking.with(|r| *r != saved)
    }

    /// « Monter », « Descendre » or « Retirer » on a wish.
    fn apply(self, action: Move, periode: Uuid) {
        let mut ranking = Ranking::new(self.ranking.get_untracked());
        let Some(focus) = ranking.apply(action, periode) else {
            return;
        };
        let libelle = self.libelle(periode);
        let said = match ranking.rank(periode) {
            Some(rank) => format!("{libelle} : {}.", rang_label(rank)),
            None => format!("{libelle} retirée des vœux."),
        };
        self.ranking.set(ranking.ids().to_vec());
        self.error.set(None);
        self.said.set(Some(said));
        focus_element(match focus {
            Focus::Button(action, periode) => button_id(self.child, action, periode),
            Focus::Add => format!("ajout-{}", self.child),
        });
    }

    /// « Ajouter »: the chosen période as the last wish.
    fn add(self) {
        let choice = Uuid::parse_str(&self.choice.get_untracked()).ok();
        let Some(periode) = choice else {
            self.error
                .set(Some("Choisissez d'abord une période à ajouter.".into()));
            focus_element(format!("ajout-{}", self.child));
            return;
        };
        let mut ranking = Ranking::new(self.ranking.get_untracked());
        match ranking.add(periode) {
            Ok(rank) => {
                let said = format!("{} ajoutée : {}.", self.libelle(periode), rang_label(rank));
                self.ranking.set(ranking.ids().to_vec());
                self.choice.set(String::new());
                self.error.set(None);
                self.said.set(Some(said));
            }
            Err(AddRefused::Already) => self
                .error
                .set(Some("Cette période figure déjà dans la liste.".into())),
            Err(AddRefused::Full) => self.error.set(Some(format!(
                "{} vœux au plus par enfant : retirez-en un avant d'en ajouter.",
                shared::api::voeux::VOEUX_MAX
            ))),
        }
    }

    /// « Enregistrer les vœux de … »: `PUT /api/voeux` with the list as it stands.
    fn save(self, prenom: String) {
        if self.pending.get_untracked() {
            return;
        }
        let ranking = Ranking::new(self.ranking.get_untracked());
        let request = VoeuxRequest {
            activite_id: self.offer.with_value(|o| o.activite.id),
            enfant_id: self.child,
            periodes: ranking.ids().to_vec(),
        };
        self.pending.set(true);
        self.error.set(None);
        self.said.set(None);
        spawn_local(async move {
            let answer = api::authed(self.session)
                .put_with_raisons::<_, VoeuxEnfant>("/api/voeux", &request)
                .await;
            // The page may have been left meanwhile: nothing to show then.
            if self.pending.try_set(false).is_some() {
                return;
            }
            match answer {
                Ok(saved) => {
                    let count = saved.voeux.len();
                    let ranking = saved.voeux.iter().map(|v| v.periode_id).collect();
                    self.saved.set_value(saved.voeux);
                    self.ranking.set(ranking);
                    self.said.set(Some(match count {
                        0 => format!("Les vœux de {prenom} sont retirés."),
                        1 => format!("Vœux de {prenom} enregistrés : 1 vœu."),
                        n => format!("Vœux de {prenom} enregistrés : {n} vœux."),
                    }));
                }
                Err(error) => {
                    let text = self
                        .offer
                        .with_value(|o| refusal(o, self.child, &ranking, &error));
                    self.error.set(Some(text));
                }
            }
        });
    }
}

/// A child's card.
#[component]
pub fn ChildWishes(offer: StoredValue<VoeuxOffer>, child: Uuid, prenom: String) -> impl IntoView {
    let saved = offer.with_value(|o| o.saved(child));
    let card = Card {
        session: use_session(),
        offer,
        child,
        ranking: RwSignal::new(saved.iter().map(|v| v.periode_id).collect()),
        saved: StoredValue::new(saved),
        choice: RwSignal::new(String::new()),
        said: RwSignal::new(None),
        error: RwSignal::new(None),
        pending: RwSignal::new(false),
    };
    let editable = offer.with_value(VoeuxOffer::editable);
    let heading = format!("voeux-{child}");
    let error_id = format!("voeux-erreur-{child}");
    let select_id = format!("ajout-{child}");
    let described = {
        let error_id = error_id.clone();
        move || card.error.with(Option::is_some).then(|| error_id.clone())
    };
    let list = {
        let (heading, described) = (heading.clone(), described.clone());
        move || {
            let ranking = card.ranking();
            if ranking.is_empty() {
                return view! { <p class="empty">"Aucun vœu pour l'instant."</p> }.into_any();
            }
            let last = ranking.len();
            view! {
                <ol class="plain voeux" aria-labelledby=heading.clone() aria-describedby=described.clone()>
                    {ranking.ids().iter().enumerate().map(|(index, periode)| {
                        wish_row(card, *periode, index + 1, last, editable)
                    }).collect_view()}
                </ol>
            }
            .into_any()
        }
    };
    let save_label = format!("Enregistrer les vœux de {prenom}");
    let title = format!("Vœux de {prenom}");
    let labelled_by = heading.clone();
    view! {
        <section class="card voeux-enfant" aria-labelledby=labelled_by>
            <h2 id=heading>{title}</h2>
            {list}
            <div role="alert" id=error_id>
                {move || card.error.get().map(|text| view! {
                    <p class="field-error"><span class="visually-hidden">"Erreur : "</span>{text}</p>
                })}
            </div>
            {editable.then(|| view! {
                <div class="field voeux-ajout">
                    <label for=select_id.clone()>"Ajouter une période"</label>
                    <div class="inline-controls">
                        <select id=select_id aria-describedby=described
                            on:change=move |ev| card.choice.set(event_target_value(&ev))>
                            <option value="" selected=move || card.choice.with(String::is_empty)>"Choisir une période"</option>
                            {move || {
                                let ranking = card.ranking();
                                card.offer.with_value(|o| o.addable(child, &ranking).into_iter().map(|p| {
                                    let value = p.id.to_string();
                                    let text = format!("{} ({})", p.libelle, dates(p.premier_jour, p.dernier_jour));
                                    view! { <option value=value.clone() selected=move || card.choice.with(|c| *c == value)>{text}</option> }
                                }).collect_view())
                            }}
                        </select>
                        <button type="button" class="button secondary" on:click=move |_| card.add()>
                            "Ajouter"<span class="visually-hidden">{format!(" aux vœux de {prenom}")}</span>
                        </button>
                    </div>
                </div>
                {
                    let intro = format!("Périodes impossibles pour {prenom} :");
                    move || {
                    let ranking = card.ranking();
                    let blocked = card.offer.with_value(|o| o.blocked(child, &ranking));
                    let intro = intro.clone();
                    (!blocked.is_empty()).then(|| view! {
                        <div class="periode-blocked">
                            <p>{intro}</p>
                            <ul>
                                {blocked.into_iter().map(|(libelle, reasons)| view! {
                                    <li><strong>{libelle}</strong>" — "{reasons.join(" ")}</li>
                                }).collect_view()}
                            </ul>
                        </div>
                    })
                }}
                <div class="actions">
                    <button type="button" class="button primary"
                        aria-disabled=move || card.pending.get().then_some("true")
                        on:click={
                            let prenom = prenom.clone();
                            move |_| card.save(prenom.clone())
                        }>{save_label.clone()}</button>
                </div>
                <p class="hint">{move || if card.pending.get() {
                    "Enregistrement…"
                } else if card.dirty() {
                    "Modifications non enregistrées."
                } else {
                    ""
                }}</p>
            })}
            <div role="status" class="status">{move || card.said.get().map(|text| view! { <p>{text}</p> })}</div>
        </section>
    }
}

/// One wish: its rank, période, number, result and buttons.
fn wish_row(card: Card, periode: Uuid, rank: usize, last: usize, editable: bool) -> AnyView {
    let Some(p) = card.offer.with_value(|o| o.periode(periode).cloned()) else {
        return ().into_any();
    };
    let rank = u32::try_from(rank).unwrap_or(u32::MAX);
    let saved = card
        .saved
        .with_value(|s| s.iter().find(|v| v.periode_id == periode).cloned());
    let numero = saved.as_ref().map(|v| {
        let full = v.numero.to_string();
        view! {
            <span class="numero" title=full.clone()>{format!("N°\u{a0}{}", short_numero(v.numero))}</span>
            <span class="visually-hidden">{format!(" (numéro complet : {full})")}</span>
        }
    });
    let result = saved
        .as_ref()
        .and_then(|v| v.resultat.map(|r| (r, v.position)))
        .map(|(r, position)| {
            view! { <p>"Résultat : "<span class=resultat_class(r)>{resultat_text(r, position)}</span></p> }
        });
    let child = card.child;
    let libelle = p.libelle.clone();
    let button = move |action: Move, text: &'static str, disabled: bool| {
        view! {
            <button type="button" class="button secondary" id=button_id(child, action, periode)
                aria-label=format!("{text} {libelle}") disabled=disabled
                on:click=move |_| card.apply(action, periode)>{text}</button>
        }
    };
    view! {
        <li class="voeu">
            <p class="voeu-titre"><span class="voeu-rang">{rang_label(rank)}</span>" : "<strong>{p.libelle.clone()}</strong></p>
            <p class="hint">{dates(p.premier_jour, p.dernier_jour)}" · "{numero.map_or_else(|| view! { <span>"numéro attribué à l'enregistrement"</span> }.into_any(), IntoAny::into_any)}</p>
            {result}
            {editable.then(|| view! {
                <div class="row-actions">
                    {button(Move::Up, "Monter", rank == 1)}
                    {button(Move::Down, "Descendre", rank as usize == last)}
                    {button(Move::Remove, "Retirer", false)}
                </div>
            })}
        </li>
    }
    .into_any()
}
