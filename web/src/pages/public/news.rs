//! ACTUALITÉS: the published news, newest first, ten a page; one item's page; and the news
//! cards of the home page (« À la une », « Dernières actualités »).

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};
use shared::api::content::{Actualite, ActualiteList};
use shared::markdown::excerpt;

use super::{load, loaded};
use crate::components::page_title::PageTitle;
use crate::components::rich_text::RichText;
use crate::format::long_date;

/// News per page of `/actualites`.
const PER_PAGE: u64 = 10;
/// Characters of a body shown on a card.
const EXCERPT_CHARS: usize = 180;

/// A news card: date, title (the link to the item), the start of its body.
#[component]
pub fn NewsCard(item: Actualite, #[prop(default = 2)] level: u8) -> impl IntoView {
    let href = format!("/actualites/{}", item.id);
    let title = view! { <A href=href>{item.titre.clone()}</A> };
    let heading = if level == 2 {
        view! { <h2>{title}</h2> }.into_any()
    } else {
        view! { <h3>{title}</h3> }.into_any()
    };
    view! {
        <article class="news-card">
            {heading}
            <p class="published">"Publié le "{long_date(&item.publie_le)}</p>
            <p>{excerpt(&item.corps, EXCERPT_CHARS)}</p>
        </article>
    }
}

/// `/actualites`, `?page=N` for older news.
#[component]
pub fn NewsPage() -> impl IntoView {
    let query = use_query_map();
    let page = move || {
        query
            .with(|q| q.get("page").and_then(|p| p.parse::<u64>().ok()))
            .unwrap_or(1)
            .max(1)
    };
    view! {
        <PageTitle title="Actualités"/>
        {move || {
            let page = page();
            let data = load::<ActualiteList>(format!("/api/actualites?page={page}&per_page={PER_PAGE}"));
            loaded(data, move |list: ActualiteList| {
                let pages = list.total.div_ceil(PER_PAGE).max(1);
                view! {
                    {list.items.is_empty().then(|| view! { <p class="empty">"Aucune actualité pour le moment."</p> })}
                    <div class="news-list">
                        {list.items.into_iter().map(|item| view! { <NewsCard item=item/> }).collect_view()}
                    </div>
                    <Pager page=page pages=pages/>
                }
            })
        }}
    }
}

/// « Actualités plus récentes / plus anciennes », and where the reader is.
#[component]
fn Pager(page: u64, pages: u64) -> impl IntoView {
    (pages > 1).then(|| {
        view! {
            <nav class="pager" aria-label="Pages des actualités">
                {(page > 1).then(|| view! {
                    <A href=format!("/actualites?page={}", page - 1)>"Actualités plus récentes"</A>
                })}
                <span>{format!("Page {page} sur {pages}")}</span>
                {(page < pages).then(|| view! {
                    <A href=format!("/actualites?page={}", page + 1)>"Actualités plus anciennes"</A>
                })}
            </nav>
        }
    })
}

/// `/actualites/{id}`: one news item.
#[component]
pub fn NewsItemPage() -> impl IntoView {
    let params = use_params_map();
    let id = params.with_untracked(|p| p.get("id")).unwrap_or_default();
    let data = load::<Actualite>(format!(
        "/api/actualites/{}",
        js_sys::encode_uri_component(&id)
    ));
    view! {
        {loaded(data, |item: Actualite| view! {
            <article class="news-item">
                <PageTitle title=item.titre.clone()/>
                <p class="published">"Publié le "{long_date(&item.publie_le)}</p>
                <RichText source=item.corps.clone() heading_level=2/>
            </article>
        })}
        <p><A href="/actualites">"Toutes les actualités"</A></p>
    }
}

/// The home page's news: the items « à la une », then the latest others.
#[component]
pub fn HomeNews() -> impl IntoView {
    let une = load::<ActualiteList>("/api/actualites?a_la_une=true&per_page=3".into());
    let latest = load::<ActualiteList>("/api/actualites?per_page=4".into());
    view! {
        <section class="home-news" aria-labelledby="une-titre">
            <h2 id="une-titre">"À la une"</h2>
            {loaded(une, |list: ActualiteList| {
                if list.items.is_empty() {
                    view! { <p class="empty">"Aucune actualité à la une pour le moment."</p> }.into_any()
                } else {
                    list.items.into_iter().map(|item| view! { <NewsCard item=item level=3/> }).collect_view().into_any()
                }
            })}
        </section>
        <section class="home-news" aria-labelledby="dernieres-titre">
            <h2 id="dernieres-titre">"Dernières actualités"</h2>
            {loaded(latest, |list: ActualiteList| {
                let others: Vec<Actualite> = list.items.into_iter().filter(|i| !i.a_la_une).take(3).collect();
                view! {
                    {others.is_empty().then(|| view! { <p class="empty">"Pas d'autre actualité."</p> })}
                    {others.into_iter().map(|item| view! { <NewsCard item=item level=3/> }).collect_view()}
                    <p><A href="/actualites">"Toutes les actualités"</A></p>
                }
            })}
        </section>
    }
}
