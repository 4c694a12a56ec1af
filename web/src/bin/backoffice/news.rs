//! « Actualités »: every news item, scheduled ones included (newest first), the form that
//! writes or schedules one with a live preview of the text as families read it, and the
//! confirmed deletion.

use chrono::{DateTime, Local, NaiveDate, NaiveTime, TimeZone, Utc};
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::content::{Actualite, ActualiteInput, ActualiteList};
use shared::validation::codes;
use shared::validation::field_errors;
use validator::Validate;

use crate::api::ApiError;
use crate::components::field::{FormErrors, add_error};
use crate::components::page_title::PageTitle;
use crate::components::status::StatusMessage;
use crate::dialog::{DeleteDialog, Doomed};
use crate::format::{date_time, iso_date, parse_iso_date};
use crate::forms::{
    BAD_TIME, Cell, Editor, Form, Kind, ListSection, Row, RowAction, SYNTAX_HELP, Spec,
};
use crate::login::focus_id;
use crate::state::{Session, use_session};

const PER_PAGE: u32 = 50;
const LIST: &str = "actu-liste-titre";
const FORM: &str = "actu-form-titre";

/// The page's state, shared with its parts.
#[derive(Clone, Copy)]
struct Page {
    session: Session,
    list: RwSignal<Option<Result<ActualiteList, ApiError>>>,
    page: RwSignal<u32>,
    done: RwSignal<Option<String>>,
    /// The form: `Some(None)` writes a new item, `Some(Some(item))` changes one.
    editing: RwSignal<Option<Option<Actualite>>>,
    doomed: RwSignal<Option<Doomed>>,
}

impl Page {
    fn reload(self) {
        let path = format!(
            "/api/backoffice/actualites?page={}&per_page={PER_PAGE}",
            self.page.get_untracked()
        );
        spawn_local(async move {
            let list = crate::api::authed(self.session)
                .get::<ActualiteList>(&path)
                .await;
            self.list.set(Some(list));
        });
    }

    /// After a change: the message, the list again, the focus on it.
    fn changed(self, message: String) {
        self.done.set(Some(message));
        self.editing.set(None);
        self.reload();
        focus_id(LIST);
    }

    fn row(self, item: &Actualite, now: DateTime<Utc>) -> Row {
        let mut badges = Vec::new();
        if item.publie_le > now {
            badges.push("Programmée");
        }
        if item.a_la_une {
            badges.push("À la une");
        }
        let (edited, what) = (item.clone(), format!("l'actualité « {} »", item.titre));
        let doomed = Doomed {
            path: format!("/api/backoffice/actualites/{}", item.id),
            question: format!("Supprimer l'actualité « {} » ?", item.titre),
            done: format!("Actualité « {} » supprimée.", item.titre),
        };
        Row {
            cells: vec![
                Cell {
                    strong: true,
                    ..Cell::new("Titre", item.titre.clone())
                },
                Cell {
                    badges,
                    ..Cell::new("Publication", date_time(&item.publie_le))
                },
            ],
            actions: vec![
                RowAction::edit(&what, self.done, self.editing, edited, FORM),
                RowAction::delete(&what, self.done, self.doomed, doomed),
            ],
        }
    }
}

/// `/backoffice/actualites`.
#[component]
pub fn NewsPage() -> impl IntoView {
    let page = Page {
        session: use_session(),
        list: RwSignal::new(None),
        page: RwSignal::new(1),
        done: RwSignal::new(None),
        editing: RwSignal::new(None),
        doomed: RwSignal::new(None),
    };
    page.reload();
    let rows = Signal::derive(move || {
        let now = Utc::now();
        page.list.with(|l| match l {
            Some(Ok(l)) => l.items.iter().map(|i| page.row(i, now)).collect(),
            _ => Vec::new(),
        })
    });
    let count = Signal::derive(move || {
        page.list.with(|l| {
            l.as_ref().map(|l| match l {
                Ok(l) if l.total == 0 => "Aucune actualité pour l'instant.".to_string(),
                Ok(l) if l.total == 1 => "1 actualité.".to_string(),
                Ok(l) => format!("{} actualités.", l.total),
                Err(_) => String::new(),
            })
        })
    });
    let failure = crate::forms::failure_of(page.list);
    let pages = move || {
        page.list.with(|l| match l {
            Some(Ok(l)) => l.total.div_ceil(u64::from(PER_PAGE)).max(1) as u32,
            _ => 1,
        })
    };
    let go = move |delta: i32| {
        let to = page
            .page
            .get_untracked()
            .saturating_add_signed(delta)
            .max(1);
        page.page.set(to);
        page.reload();
        focus_id(LIST);
    };
    view! {
        <PageTitle title="Actualités"/>
        <p>"Les actualités paraissent sur la page « Actualités » du portail à leur date de publication ; celles « à la une » aussi sur la page d'accueil."</p>
        <StatusMessage message=page.done/>
        <Show when=move || page.editing.with(Option::is_none)>
            <p><button type="button" id="actu-nouvelle" class="button primary" on:click=move |_| {
                page.done.set(None);
                page.editing.set(Some(None));
                focus_id(FORM);
            }>"Nouvelle actualité"</button></p>
        </Show>
        {move || page.editing.get().map(|item| news_form(page, item))}
        <ListSection id=LIST heading="Actualités publiées et programmées"
            caption="Actualités, de la plus récente à la plus ancienne" count failure rows/>
        <Show when=move || { pages() > 1 }>
            <nav class="pagination" aria-label="Pages d'actualités">
                <button type="button" class="button secondary" disabled=move || page.page.get() <= 1 on:click=move |_| go(-1)>"Page précédente"</button>
                <span>{move || format!("Page {} sur {}", page.page.get(), pages())}</span>
                <button type="button" class="button secondary" disabled=move || page.page.get() >= pages() on:click=move |_| go(1)>"Page suivante"</button>
            </nav>
        </Show>
        <DeleteDialog id="actu-suppression" doomed=page.doomed
            text="Elle disparaît aussitôt du portail. Cette action est définitive."
            on_deleted=Callback::new(move |message| page.changed(message))/>
    }
}

/// « HH:MM » (or « HH:MM:SS ») from a `type=time` input, read by hand like the dates.
fn parse_time(value: &str) -> Option<NaiveTime> {
    let mut parts = value.trim().split(':').map(str::parse::<u32>);
    let (hour, minute) = (parts.next()?.ok()?, parts.next()?.ok()?);
    NaiveTime::from_hms_opt(hour, minute, 0)
}

/// The instant of a local date and time (the earlier one when the clock goes back).
fn instant(date: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
    Local
        .from_local_datetime(&date.and_time(time))
        .earliest()
        .map(|at| at.with_timezone(&Utc))
}

fn news_form(page: Page, item: Option<Actualite>) -> impl IntoView {
    let id = item.as_ref().map(|i| i.id);
    let at = item
        .as_ref()
        .map_or_else(Local::now, |i| i.publie_le.with_timezone(&Local));
    let titre = RwSignal::new(item.as_ref().map(|i| i.titre.clone()).unwrap_or_default());
    let corps = RwSignal::new(item.as_ref().map(|i| i.corps.clone()).unwrap_or_default());
    let jour = RwSignal::new(iso_date(&at.date_naive()));
    let heure = RwSignal::new(at.format("%H:%M").to_string());
    let une = RwSignal::new(if item.as_ref().is_some_and(|i| i.a_la_une) {
        "true".to_string()
    } else {
        String::new()
    });
    let errors = FormErrors::new();
    let pending = RwSignal::new(false);
    let heading = match &item {
        Some(i) => format!("Modifier l'actualité « {} »", i.titre),
        None => "Nouvelle actualité".into(),
    };
    let submit = Callback::new(move |()| {
        errors.clear();
        let day = parse_iso_date(&jour.get_untracked());
        let time = parse_time(&heure.get_untracked());
        let publie_le = day.zip(time).and_then(|(d, t)| instant(d, t));
        let input = ActualiteInput {
            titre: titre.get_untracked().trim().to_string(),
            corps: corps.get_untracked(),
            publie_le: publie_le.unwrap_or_default(),
            a_la_une: !une.get_untracked().is_empty(),
        };
        // The shared rules, as the server applies them, then the date and time.
        let mut fields = input
            .validate()
            .err()
            .map(|e| field_errors(&e))
            .unwrap_or_default();
        if day.is_none() {
            add_error(&mut fields, "publie_le", codes::REQUIRED);
        } else if publie_le.is_none() {
            add_error(&mut fields, "heure", BAD_TIME);
        }
        if errors.show_fields(fields) {
            return;
        }
        pending.set(true);
        spawn_local(async move {
            let result = crate::forms::save::<_, Actualite>(
                page.session,
                "/api/backoffice/actualites",
                id,
                &input,
            )
            .await;
            pending.set(false);
            match result {
                Ok(saved) => {
                    let when = if saved.publie_le > Utc::now() {
                        format!("programmée pour le {}", date_time(&saved.publie_le))
                    } else if id.is_some() {
                        "enregistrée".into()
                    } else {
                        "publiée".into()
                    };
                    page.changed(format!("Actualité « {} » {when}.", saved.titre));
                }
                Err(e) => errors.show_api(&e),
            }
        });
    });
    let fields = vec![
        Spec::new("titre", "Titre", titre),
        Spec::new("corps", "Texte", corps)
            .kind(Kind::Area(10))
            .hint(SYNTAX_HELP),
        Spec::new("publie_le", "Date de publication", jour)
            .kind(Kind::Date)
            .hint("Une date à venir programme l'actualité : elle paraîtra à ce moment-là."),
        Spec::new("heure", "Heure de publication", heure).kind(Kind::Time),
        Spec::new("a_la_une", "À la une", une)
            .kind(Kind::Check)
            .hint("Affichée aussi sur la page d'accueil du portail."),
    ];
    let cancel = Callback::new(move |()| {
        page.editing.set(None);
        focus_id(if id.is_some() { LIST } else { "actu-nouvelle" });
    });
    view! {
        <Editor id=FORM heading>
            <Form prefix="actu" fields errors pending=pending.into() on_submit=submit on_cancel=cancel
                submit_label=if id.is_some() { "Enregistrer les modifications" } else { "Publier l'actualité" }
                preview=(corps, Some(titre))/>
        </Editor>
    }
}

#[cfg(test)]
mod tests {
    use super::parse_time;

    #[test]
    fn hours_are_read_by_hand() {
        assert_eq!(
            parse_time("09:30").map(|t| t.to_string()),
            Some("09:30:00".into())
        );
        assert_eq!(parse_time("9h30"), None);
        assert_eq!(parse_time("25:00"), None);
    }
}
