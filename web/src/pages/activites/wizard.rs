//! « Inscrire » (`/inscriptions/nouvelle`, signed in): Étape 1/3 the children, 2/3 the
//! périodes (for each child, those it may join, and the others with every reason in
//! French), 3/3 « Récapitulatif » then « Confirmer ».
//!
//! « Confirmer » sends one `POST /api/inscriptions` per child and période, one after the
//! other (so the waiting list follows the order shown), each with its own
//! `Idempotency-Key` made once for that pair and kept for its retries: a double click, a
//! « Réessayer » after a lost answer, never enrols a child twice. The step is in the
//! address (`?etape=2`, and `?periode=` for the période « Inscrire » was clicked on) so the
//! browser's back button moves between steps.
//!
//! Opening morning (issue 13): a période that only waits for its opening may be chosen
//! beforehand (« ouvre le … »), so the family reaches the récapitulatif early; « Confirmer »
//! then waits, with « Ouverture dans 2 min 05 s » by the server's clock, and is enabled at
//! the very instant. A 503 (the server is saturated) keeps every choice and sends again by
//! itself after `Retry-After` plus jitter, with the same key, until answered; a 409
//! `window_not_open` (the device was early) is sent again at the opening.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::api::activites::{
    ActiviteList, ActiviteView, InscriptionRequest, InscriptionView, PeriodeView,
};
use shared::api::dossier::{DemandeKind, DemandeList};
use shared::eligibility::{Reason, last_cancellation_day};
use shared::error::ErrorCode;
use uuid::Uuid;

use crate::api::{self, ApiError};
use crate::components::guard::RequireSession;
use crate::components::page_title::{PageTitle, set_document_title};
use crate::components::stepper::Stepper;
use crate::format::{day, paris_when};
use crate::i18n::problem_message;
use crate::pages::activites::attribution::voeux_path;
use crate::pages::activites::countdown::{
    announcer, jitter, monotonic_ms, server_ms, set_clock, sleep, ticker,
};
use crate::pages::activites::enrol::{Offer, Outcome, Pair, Wait, failure_text, key_for};
use crate::pages::activites::model::{
    ages, dates, expected_outcome, places, result_text, window_text,
};
use crate::pages::activites::opening::{
    ServerClock, countdown_text, instant, millis, opening_delay_ms, retry_delay_ms,
};
use crate::pages::activites::reasons::{ReasonContext, Remedy, reason_text, remedy};
use crate::pages::dossier::focus_selector;
use crate::state::{Session, use_session};

const STEPS: &[&str] = &["Enfants", "Périodes", "Récapitulatif"];
const TITLE: &str = "Inscrire à une activité";

/// The wizard's state (Leptos context).
#[derive(Clone, Copy)]
struct Enrol {
    session: Session,
    offer: RwSignal<Option<Result<Offer, ApiError>>>,
    /// The children ticked on step 1.
    children: RwSignal<Vec<Uuid>>,
    /// The (child, période) pairs ticked on step 2.
    pairs: RwSignal<Vec<Pair>>,
    /// Each pair's `Idempotency-Key`, made when it is first sent.
    keys: StoredValue<Vec<(Pair, String)>>,
    /// What the server answered for each pair sent.
    outcomes: RwSignal<Vec<(Pair, Outcome)>>,
    /// Why « Suivant » did not move on (nothing ticked).
    error: RwSignal<Option<String>>,
    /// Step 2 shows every activité, not only the one « Inscrire » was clicked on.
    all: RwSignal<bool>,
    /// The période « Inscrire » was clicked on.
    focus: StoredValue<Option<Uuid>>,
    /// The server's time (ms since the epoch), ticking at each of its seconds and at the
    /// opening « Confirmer » waits for.
    now: RwSignal<f64>,
}

impl Enrol {
    /// Loads the catalogue, the family's eligibilities and where its pièces are added.
    fn load(self) {
        spawn_local(async move {
            let client = api::authed(self.session);
            let catalogue = api::get::<ActiviteList>("/api/activites").await;
            let sent = monotonic_ms();
            let eligibilites = client.eligibilites().await;
            // The server's clock, for « Confirmer » to wait for the opening by it (at once:
            // not the phone's time until the next tick).
            if let Ok(found) = &eligibilites {
                set_clock(ServerClock::from_exchange(
                    millis(found.maintenant),
                    sent,
                    monotonic_ms(),
                ));
                self.now.try_set(server_ms());
            }
            let pieces_href = pieces_href(client.get::<DemandeList>("/api/demandes").await.ok());
            self.offer.set(Some(catalogue.and_then(|catalogue| {
                eligibilites.map(|eligibilites| Offer {
                    catalogue,
                    eligibilites,
                    pieces_href,
                })
            })));
        });
    }

    /// Reads the offer, once loaded.
    fn with<R>(self, read: impl FnOnce(&Offer) -> R) -> Option<R> {
        self.offer
            .with(|o| o.as_ref().and_then(|o| o.as_ref().ok()).map(read))
    }

    fn outcome(self, pair: Pair) -> Option<Outcome> {
        self.outcomes
            .with(|o| o.iter().find(|(p, _)| *p == pair).map(|(_, o)| o.clone()))
    }

    fn set_outcome(self, pair: Pair, outcome: Outcome) {
        self.outcomes.update(|all| {
            all.retain(|(p, _)| *p != pair);
            all.push((pair, outcome));
        });
    }

    /// Why a pair was refused, in French, every reason in full.
    fn failure(self, pair: Pair, error: &ApiError) -> String {
        self.with(|o| {
            let prenom = o.prenom(pair.0);
            let found = o.periode(pair.1);
            let ctx = found.map(|(activite, periode)| ReasonContext {
                prenom: &prenom,
                periode,
                activite,
                catalogue: &o.catalogue.items,
                now: instant(server_ms()),
            });
            failure_text(error, ctx.as_ref())
        })
        .unwrap_or_else(|| failure_text(error, None))
    }

    /// Sends one pair until the server answers: after a 503, again after its
    /// `Retry-After` plus jitter; after a 409 `window_not_open`, again at the opening (when
    /// near); after a 409 `request_in_progress`, again a second later — each time with the
    /// same `Idempotency-Key`. `None` when the page is gone.
    async fn send_one(self, pair: Pair, key: &str) -> Option<Result<InscriptionView, ApiError>> {
        let request = InscriptionRequest {
            enfant_id: pair.0,
            periode_id: pair.1,
        };
        loop {
            let result = api::authed(self.session)
                .post_once::<_, InscriptionView>("/api/inscriptions", &request, key)
                .await;
            let pause = match &result {
                Err(e) if e.status() == 503 => {
                    Some((true, retry_delay_ms(e.retry_after, jitter())))
                }
                Err(e) if e.code() == ErrorCode::RequestInProgress => {
                    Some((true, retry_delay_ms(Some(1), jitter())))
                }
                Err(e) if e.code() == ErrorCode::WindowNotOpen => e
                    .problem
                    .opens_at
                    .and_then(|at| opening_delay_ms(at, server_ms(), jitter()))
                    .map(|ms| (false, ms)),
                _ => None,
            };
            let Some((busy, ms)) = pause else {
                return Some(result);
            };
            // The page is gone: nothing more to send.
            self.outcomes.try_with_untracked(|_| ())?;
            self.set_outcome(pair, Outcome::Waiting(Wait::new(busy, server_ms(), ms)));
            sleep(ms).await;
        }
    }

    /// Sends every chosen pair not enrolled yet, one after the other.
    fn send(self, pairs: Vec<Pair>) {
        let waiting: Vec<Pair> = pairs
            .into_iter()
            .filter(|p| {
                !self
                    .outcome(*p)
                    .is_some_and(|o| o.pending() || matches!(o, Outcome::Done(_)))
            })
            .collect();
        if waiting.is_empty() {
            return;
        }
        for pair in &waiting {
            self.set_outcome(*pair, Outcome::Sending);
        }
        spawn_local(async move {
            for pair in waiting {
                let key = self.keys.try_update_value(|keys| key_for(keys, pair));
                let Some(key) = key else { return };
                let Some(result) = self.send_one(pair, &key).await else {
                    return;
                };
                let outcome = match result {
                    Ok(view) => Outcome::Done(view),
                    Err(error) => Outcome::Failed(self.failure(pair, &error)),
                };
                self.set_outcome(pair, outcome);
            }
            focus_selector("#bilan-titre");
        });
    }

    /// « Inscrire à une autre activité »: everything chosen is forgotten, the offer is
    /// loaded again (the places and the reasons changed).
    fn restart(self) {
        self.children.set(Vec::new());
        self.pairs.set(Vec::new());
        self.outcomes.set(Vec::new());
        self.keys.set_value(Vec::new());
        self.error.set(None);
        self.all.set(true);
        self.offer.set(None);
        self.load();
    }
}

/// The dossier's step 2 while the family can still change its dossier, « Mes démarches »
/// otherwise (a validated dossier is changed by the town).
fn pieces_href(demandes: Option<DemandeList>) -> String {
    demandes
        .and_then(|list| {
            list.items
                .into_iter()
                .find(|d| d.kind == DemandeKind::CreationDossier && d.status.family_can_edit())
        })
        .map_or_else(
            || "/demarches".to_string(),
            |d| format!("/demarches/dossier/{}?etape=2", d.dossier_id),
        )
}

fn use_enrol() -> Enrol {
    expect_context::<Enrol>()
}

/// `/inscriptions/nouvelle`.
#[component]
pub fn EnrolWizardPage() -> impl IntoView {
    view! {
        <RequireSession>
            <WizardView/>
        </RequireSession>
    }
}

#[component]
fn WizardView() -> impl IntoView {
    let query = use_query_map();
    let navigate = use_navigate();
    let focus = query
        .with_untracked(|q| q.get("periode"))
        .and_then(|p| Uuid::parse_str(&p).ok());
    let offer = RwSignal::new(None::<Result<Offer, ApiError>>);
    let (children, pairs) = (RwSignal::new(Vec::new()), RwSignal::new(Vec::new()));
    // The tick that matters: the opening « Confirmer » waits for (otherwise the ticker
    // ticks every second, enough for a pause's countdown).
    let targets = Box::new(move || {
        offer
            .try_with_untracked(|o| {
                let o = o.as_ref()?.as_ref().ok()?;
                o.gate(&o.ordered(&children.get_untracked(), &pairs.get_untracked()))
            })
            .flatten()
            .into_iter()
            .map(millis)
            .collect()
    });
    let enrol = Enrol {
        session: use_session(),
        offer,
        children,
        pairs,
        keys: StoredValue::new(Vec::new()),
        outcomes: RwSignal::new(Vec::new()),
        error: RwSignal::new(None),
        all: RwSignal::new(focus.is_none()),
        focus: StoredValue::new(focus),
        now: ticker(targets),
    };
    provide_context(enrol);
    enrol.load();

    let asked = Memo::new(move |_| {
        query
            .with(|q| q.get("etape"))
            .and_then(|s| s.parse::<usize>().ok())
            .filter(|s| (1..=STEPS.len()).contains(s))
            .unwrap_or(1)
            - 1
    });
    // A step whose choices are missing (a reload, a bookmark) falls back to the first.
    let step = Memo::new(move |_| {
        let asked = asked.get();
        if asked >= 1 && enrol.children.with(Vec::is_empty) {
            0
        } else if asked >= 2 && enrol.pairs.with(Vec::is_empty) {
            1
        } else {
            asked
        }
    });
    let go = Callback::new(move |target: usize| {
        let periode = focus.map(|p| format!("&periode={p}")).unwrap_or_default();
        enrol.error.set(None);
        navigate(
            &format!("/inscriptions/nouvelle?etape={}{periode}", target + 1),
            Default::default(),
        );
    });
    provide_context(go);
    Effect::new(move |previous: Option<usize>| {
        let current = step.get();
        set_document_title(&format!(
            "Étape {}/{} {} — {TITLE}",
            current + 1,
            STEPS.len(),
            STEPS[current]
        ));
        if previous.is_some_and(|p| p != current) {
            focus_selector("main h2.step-heading");
        }
        current
    });
    view! {
        <PageTitle title=TITLE/>
        <Stepper steps=STEPS current=step/>
        {move || match enrol.offer.get() {
            None => view! { <p class="loading" role="status">"Chargement des activités…"</p> }.into_any(),
            Some(Err(error)) => view! { <div role="alert"><p class="notice">{problem_message(&error)}</p></div> }.into_any(),
            Some(Ok(_)) => match step.get() {
                0 => view! { <ChildrenStep/> }.into_any(),
                1 => view! { <PeriodesStep/> }.into_any(),
                _ => view! { <RecapStep/> }.into_any(),
            },
        }}
    }
}

fn use_go() -> Callback<usize> {
    expect_context::<Callback<usize>>()
}

/// The message of a step that cannot move on, with the id the controls point at.
#[component]
fn StepError(id: &'static str) -> impl IntoView {
    let enrol = use_enrol();
    view! {
        <div role="alert">
            {move || enrol.error.get().map(|text| view! {
                <p class="field-error" id=id><span class="visually-hidden">"Erreur : "</span>{text}</p>
            })}
        </div>
    }
}

/// Étape 1/3: the children of the dossier, as checkboxes.
#[component]
fn ChildrenStep() -> impl IntoView {
    let enrol = use_enrol();
    let go = use_go();
    let children = enrol.with(|o| o.children().to_vec()).unwrap_or_default();
    let focused = enrol
        .with(|o| {
            let id = enrol.focus.get_value()?;
            o.periode(id)
                .map(|(a, p)| format!("{} — {}", a.nom, p.libelle))
        })
        .flatten();
    // A family with one child has nothing to choose.
    if let [only] = children.as_slice()
        && enrol.children.with_untracked(Vec::is_empty)
    {
        enrol.children.set(vec![only.id]);
    }
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let chosen = enrol.children.get_untracked();
        if chosen.is_empty() {
            enrol.error.set(Some("Cochez au moins un enfant.".into()));
            focus_selector("main input[name='enfants']");
            return;
        }
        let focus = enrol.focus.get_value();
        enrol.with(|o| {
            enrol
                .pairs
                .update(|pairs| o.preselect(&chosen, focus, pairs))
        });
        go.run(1);
    };
    let invalid = move || {
        if enrol.error.with(Option::is_some) {
            "true"
        } else {
            "false"
        }
    };
    let described = move || {
        enrol
            .error
            .with(Option::is_some)
            .then_some("enfants-erreur")
    };
    view! {
        <section aria-labelledby="etape-enfants">
            <h2 id="etape-enfants" class="step-heading" tabindex="-1">"Quels enfants inscrire ?"</h2>
            {focused.map(|name| view! { <p>"Période choisie : "<strong>{name}</strong></p> })}
            {if children.is_empty() {
                view! {
                    <p class="notice">"Votre dossier famille ne compte aucun enfant, ou vous n'avez pas encore de dossier validé par la mairie."</p>
                    <p><A href="/demarches">"Mes démarches"</A></p>
                }.into_any()
            } else {
                view! {
                    <form novalidate=true on:submit=submit>
                        <StepError id="enfants-erreur"/>
                        <fieldset class="radios">
                            <legend>"Enfants de votre dossier"</legend>
                            {children.into_iter().map(|child| {
                                let id = child.id;
                                let input_id = format!("enfant-{id}");
                                let born = child.date_naissance.map(|d| format!(" — né(e) le {}", day(&d))).unwrap_or_default();
                                view! {
                                    <div class="radio">
                                        <input type="checkbox" id=input_id.clone() name="enfants" value=id.to_string()
                                            aria-invalid=invalid aria-describedby=described
                                            prop:checked=move || enrol.children.with(|c| c.contains(&id))
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                enrol.error.set(None);
                                                enrol.children.update(|c| {
                                                    c.retain(|x| *x != id);
                                                    if on {
                                                        c.push(id);
                                                    }
                                                });
                                            }/>
                                        <label for=input_id>{format!("{} {}{born}", child.prenom, child.nom)}</label>
                                    </div>
                                }
                            }).collect_view()}
                        </fieldset>
                        <div class="actions">
                            <A href="/activites" attr:class="button secondary">"Retour aux activités"</A>
                            <button type="submit" class="button primary">"Suivant"</button>
                        </div>
                    </form>
                }.into_any()
            }}
        </section>
    }
}

/// Étape 2/3: for each chosen child, the périodes it may join (checkboxes) and the others
/// with their reasons.
#[component]
fn PeriodesStep() -> impl IntoView {
    let enrol = use_enrol();
    let go = use_go();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let chosen = enrol
            .with(|o| {
                o.ordered(
                    &enrol.children.get_untracked(),
                    &enrol.pairs.get_untracked(),
                )
            })
            .unwrap_or_default();
        if chosen.is_empty() {
            enrol.error.set(Some("Cochez au moins une période.".into()));
            focus_selector("main .periode-choice input");
            return;
        }
        go.run(2);
    };
    let show_all = move |_| {
        enrol.all.set(true);
        focus_selector("main h2.step-heading");
    };
    view! {
        <section aria-labelledby="etape-periodes">
            <h2 id="etape-periodes" class="step-heading" tabindex="-1">"Quelles périodes ?"</h2>
            <p class="hint">"Cochez, pour chaque enfant, les périodes voulues. Quand une inscription n'est pas possible, toutes les raisons sont indiquées."</p>
            <form novalidate=true on:submit=submit>
                <StepError id="periodes-erreur"/>
                {move || {
                    let all = enrol.all.get();
                    let children = enrol.children.get();
                    enrol.with(|offer| {
                        offer.children().iter().filter(|c| children.contains(&c.id)).map(|child| {
                            let (heading, labelled_by) = (format!("periodes-{}", child.id), format!("periodes-{}", child.id));
                            let activites: Vec<ActiviteView> = offer
                                .activites(enrol.focus.get_value(), all)
                                .into_iter()
                                .cloned()
                                .collect();
                            view! {
                                <section class="card" aria-labelledby=labelled_by>
                                    <h3 id=heading>{format!("Périodes pour {}", child.prenom)}</h3>
                                    {if activites.is_empty() {
                                        view! { <p class="empty">"Aucune activité n'est ouverte aux inscriptions pour le moment."</p> }.into_any()
                                    } else {
                                        activites.iter().map(|a| activite_choices(offer, child.id, &child.prenom, a)).collect_view().into_any()
                                    }}
                                </section>
                            }
                        }).collect_view()
                    })
                }}
                <Show when=move || !enrol.all.get()>
                    <p><button type="button" class="button secondary" on:click=show_all>"Voir les autres activités"</button></p>
                </Show>
                <div class="actions">
                    <button type="button" class="button secondary" on:click=move |_| go.run(0)>"Retour"</button>
                    <button type="submit" class="button primary">"Suivant"</button>
                </div>
            </form>
        </section>
    }
}

/// One activité's périodes for one child.
fn activite_choices(offer: &Offer, child: Uuid, prenom: &str, activite: &ActiviteView) -> AnyView {
    let legend = format!(
        "{} ({})",
        activite.nom,
        ages(activite.age_min, activite.age_max)
    );
    let now = offer.eligibilites.maintenant;
    let items = activite
        .periodes
        .iter()
        .map(|periode| {
            let pair = (child, periode.id);
            if offer.readiness(pair).selectable() {
                periode_choice(pair, periode, offer.opens_at(pair), now).into_any()
            } else {
                let reasons = offer
                    .reasons(pair)
                    .map(<[Reason]>::to_vec)
                    .unwrap_or_default();
                let ctx = ReasonContext {
                    prenom,
                    periode,
                    activite,
                    catalogue: &offer.catalogue.items,
                    now,
                };
                let mut lines: Vec<(String, Option<(&'static str, String)>)> = reasons
                    .iter()
                    .map(|r| {
                        let link = remedy(r).map(|(text, to)| {
                            (
                                text,
                                match to {
                                    Remedy::Pieces => offer.pieces_href.clone(),
                                    Remedy::Demarches => "/demarches".to_string(),
                                    Remedy::Inscriptions => "/inscriptions".to_string(),
                                    Remedy::Voeux => voeux_path(activite.id),
                                },
                            )
                        });
                        (reason_text(r, &ctx), link)
                    })
                    .collect();
                if lines.is_empty() {
                    // No reason, but no place nor waiting list left.
                    lines.push((expected_outcome(periode), None));
                }
                blocked_periode(periode, lines).into_any()
            }
        })
        .collect_view();
    view! {
        <fieldset class="radios periode-group">
            <legend>{legend}</legend>
            {items}
        </fieldset>
    }
    .into_any()
}

/// A période the child may join (now, or from `opens_at`: « ouvre le … »): its checkbox,
/// its dates, places and window.
fn periode_choice(
    pair: Pair,
    periode: &PeriodeView,
    opens_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> impl IntoView + use<> {
    let enrol = use_enrol();
    let input_id = format!("choix-{}-{}", pair.0, pair.1);
    let state_id = format!("{input_id}-etat");
    let described = {
        let state_id = state_id.clone();
        move || {
            if enrol.error.with(Option::is_some) {
                format!("{state_id} periodes-erreur")
            } else {
                state_id.clone()
            }
        }
    };
    let window = opens_at.map_or_else(
        || window_text(periode, now),
        |at| {
            format!(
                "ouvre le {} : vous pouvez la choisir dès maintenant",
                paris_when(at, now)
            )
        },
    );
    let state = format!(
        "{} · {} · {window}",
        dates(periode.premier_jour, periode.dernier_jour),
        places(periode),
    );
    view! {
        <div class="periode-choice">
            <div class="radio">
                <input type="checkbox" id=input_id.clone() name="periodes" value=pair.1.to_string()
                    aria-describedby=described
                    prop:checked=move || enrol.pairs.with(|p| p.contains(&pair))
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        enrol.error.set(None);
                        enrol.pairs.update(|p| {
                            p.retain(|x| *x != pair);
                            if on {
                                p.push(pair);
                            }
                        });
                    }/>
                <label for=input_id>{periode.libelle.clone()}</label>
            </div>
            <p class="hint" id=state_id>{state}</p>
        </div>
    }
}

/// A période the child may not join, with every reason.
fn blocked_periode(
    periode: &PeriodeView,
    lines: Vec<(String, Option<(&'static str, String)>)>,
) -> impl IntoView + use<> {
    view! {
        <div class="periode-blocked">
            <p><strong>{periode.libelle.clone()}</strong>" — inscription impossible :"</p>
            <ul>
                {lines.into_iter().map(|(text, link)| view! {
                    <li>
                        {text}
                        {link.map(|(label, href)| view! { " " <A href=href>{label}</A> })}
                    </li>
                }).collect_view()}
            </ul>
        </div>
    }
}

/// Étape 3/3: what will be asked, « Confirmer », then each answer.
#[component]
fn RecapStep() -> impl IntoView {
    let enrol = use_enrol();
    let go = use_go();
    let pairs = Memo::new(move |_| {
        enrol
            .with(|o| o.ordered(&enrol.children.get(), &enrol.pairs.get()))
            .unwrap_or_default()
    });
    let sent = move || enrol.outcomes.with(|o| !o.is_empty());
    let sending = move || enrol.outcomes.with(|o| o.iter().any(|(_, o)| o.pending()));
    let failed = move || {
        enrol.outcomes.with(|o| {
            o.iter()
                .filter(|(_, o)| matches!(o, Outcome::Failed(_)))
                .count()
        })
    };
    let done = move || {
        enrol.outcomes.with(|o| {
            o.iter()
                .filter(|(_, o)| matches!(o, Outcome::Done(_)))
                .count()
        })
    };
    // « Confirmer » waits for the first opening of what was chosen, by the server's clock.
    let now = enrol.now;
    let gate = move || enrol.with(|o| o.gate(&pairs.get())).flatten();
    let locked = move || gate().is_some_and(|at| now.get() < millis(at));
    // Said once (it stays true after the opening).
    let ready = untrack(gate).map(|at| {
        format!(
            "Votre choix est prêt : « Confirmer » s'active à l'ouverture des inscriptions, le {}.",
            paris_when(at, instant(now.get_untracked()))
        )
    });
    let confirm = move |_| {
        if !sending() && !untrack(locked) {
            enrol.send(pairs.get_untracked());
        }
    };
    let bilan = move || {
        if !sent() || sending() {
            return None;
        }
        let (done, failed) = (done(), failed());
        let mut text = match done {
            0 => "Aucune inscription n'a été enregistrée.".to_string(),
            1 => "1 inscription enregistrée.".to_string(),
            n => format!("{n} inscriptions enregistrées."),
        };
        if failed > 0 {
            text.push_str(&format!(
                " {failed} {} : voir ci-dessus.",
                if failed == 1 { "refusée" } else { "refusées" }
            ));
        }
        Some(text)
    };
    view! {
        <section aria-labelledby="etape-recap">
            <h2 id="etape-recap" class="step-heading" tabindex="-1">"Récapitulatif"</h2>
            <ul class="plain enrol-recap">
                {move || pairs.get().into_iter().map(|pair| view! { <RecapItem pair/> }).collect_view()}
            </ul>
            // Before the opening: when « Confirmer » will be enabled, and the countdown.
            <p class="opening-note" id="confirmer-quand">{ready}</p>
            <p class="countdown" id="confirmer-ouverture" role="timer">{move || gate().and_then(|at| countdown_text(at, instant(now.get())))}</p>
            {announcer(gate, now, "Les inscriptions sont ouvertes : vous pouvez confirmer.")}
            // A pause is said once when it starts; its seconds count down on screen only.
            <p role="status" class="visually-hidden">{move || enrol.outcomes.with(|o| o.iter().find_map(|(_, o)| match o {
                Outcome::Waiting(wait) => Some(wait.said.clone()),
                _ => None,
            }))}</p>
            <div role="status">
                {move || bilan().map(|text| view! {
                    <h3 id="bilan-titre" tabindex="-1">"Résultat"</h3>
                    <p>{text}</p>
                })}
            </div>
            <div class="actions">
                {move || if !sent() {
                    view! {
                        <button type="button" class="button secondary" on:click=move |_| go.run(1)>"Retour"</button>
                        <button type="button" class="button primary" on:click=confirm
                            aria-disabled=move || (sending() || locked()).then_some("true")
                            aria-describedby="confirmer-quand confirmer-ouverture">"Confirmer"</button>
                    }.into_any()
                } else if sending() {
                    view! { <p class="loading">"Envoi en cours…"</p> }.into_any()
                } else {
                    view! {
                        {(failed() > 0).then(|| view! {
                            <button type="button" class="button secondary" on:click=confirm>"Réessayer les inscriptions refusées"</button>
                        })}
                        <A href="/inscriptions" attr:class="button primary">"Voir mes inscriptions"</A>
                        <button type="button" class="button secondary" on:click=move |_| {
                            enrol.restart();
                            go.run(0);
                        }>"Inscrire à une autre activité"</button>
                    }.into_any()
                }}
            </div>
        </section>
    }
}

/// One child and one période on the recap, with its answer once sent.
#[component]
fn RecapItem(pair: Pair) -> impl IntoView {
    let enrol = use_enrol();
    let Some((title, periode)) = enrol
        .with(|o| {
            o.periode(pair.1)
                .map(|(a, p)| (format!("{} — {}", o.prenom(pair.0), a.nom), p.clone()))
        })
        .flatten()
    else {
        return ().into_any();
    };
    let deadline = last_cancellation_day(periode.premier_jour, periode.annulation_jours);
    let outcome = move || enrol.outcome(pair);
    // Chosen before its opening: when it opens.
    let now = enrol.now;
    let opening = enrol.with(|o| o.opens_at(pair)).flatten().map(|at| {
        format!(
            "Ouverture des inscriptions le {}.",
            paris_when(at, instant(now.get_untracked()))
        )
    });
    view! {
        <li class="card">
            <h3>{title}</h3>
            <p><strong>{periode.libelle.clone()}</strong>{format!(" — {}", dates(periode.premier_jour, periode.dernier_jour))}</p>
            {(!periode.horaires.trim().is_empty()).then(|| view! { <p>{format!("Horaires : {}", periode.horaires)}</p> })}
            <p>{format!("Annulation possible jusqu'au {} inclus.", day(&deadline))}</p>
            {opening.map(|text| view! { <p><strong>{text}</strong></p> })}
            {move || match outcome() {
                None => view! { <p>{expected_outcome(&periode)}</p> }.into_any(),
                Some(Outcome::Sending) => view! { <p class="loading">"Envoi en cours…"</p> }.into_any(),
                // The seconds count down on screen; the recap's live region said it once.
                Some(Outcome::Waiting(wait)) => view! {
                    <p class="notice wait" aria-hidden="true">{move || wait.text(now.get())}</p>
                }.into_any(),
                Some(Outcome::Done(view)) => view! {
                    <p class="status-line">"Résultat : "<span class=result_class(&view)>{result_text(&view)}</span></p>
                }.into_any(),
                Some(Outcome::Failed(text)) => view! {
                    <p class="field-error"><span class="visually-hidden">"Erreur : "</span>{text}</p>
                }.into_any(),
            }}
        </li>
    }
    .into_any()
}

fn result_class(view: &InscriptionView) -> &'static str {
    crate::pages::activites::model::statut_class(view.statut)
}
