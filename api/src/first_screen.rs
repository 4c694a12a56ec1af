//! What the first screen shows in `<main>` before the WASM arrives.
//!
//! On « Accueil » that is the page's heading and the town's welcome text, written in by the
//! server exactly as the app draws them (`web/src/pages/home.rs`, `RichText` with level-2
//! subheadings); on « Création de compte », the heading, the steps and the first step's
//! title (`web/src/pages/signup.rs`, `Stepper`). The largest text of the page then paints
//! with the HTML — on a phone over a slow network that is seconds before the app — and
//! nothing moves when the app takes over. Every other page shows « Chargement… » until the
//! app draws it.
//!
//! The text comes from `shared::markdown`, the parser the app uses: what an agent typed is
//! escaped here as the app's DOM text nodes would keep it, so it never becomes markup.

use shared::markdown::{Block, Inline, parse};
use shared::wizards::SIGNUP_STEPS;

use crate::spa::escape_html;

/// The status line every page shows until the app draws it.
const LOADING: &str = r#"<p class="loading" role="status">Chargement…</p>"#;

/// The content of `<main>` for the page at `path`, given the town's welcome text.
pub fn main_content(path: &str, welcome_text: Option<&str>) -> String {
    let welcome = welcome_text.filter(|text| !text.trim().is_empty());
    match (path, welcome) {
        ("/", Some(text)) => format!(
            r#"<h1 tabindex="-1">Accueil</h1><div class="welcome-text">{}</div>{LOADING}"#,
            rich_text(text)
        ),
        ("/creer-mon-compte", _) => signup_first_step(),
        _ => LOADING.to_string(),
    }
}

/// The top of the sign-up wizard at its first step, as `Stepper` and the wizard draw it.
fn signup_first_step() -> String {
    let total = SIGNUP_STEPS.len();
    let steps: String = SIGNUP_STEPS
        .iter()
        .enumerate()
        .map(|(index, title)| {
            let (class, current) = if index == 0 {
                ("current", r#" aria-current="step""#)
            } else {
                ("todo", "")
            };
            format!(
                r#"<li class="step step-{class}"{current}><span class="step-number">Étape {}/{total}</span> <span class="step-title">{title}</span></li>"#,
                index + 1
            )
        })
        .collect();
    format!(
        concat!(
            r#"<h1 tabindex="-1">Création de compte</h1>"#,
            r#"<div class="stepper"><ol aria-label="Étapes">{steps}</ol></div>"#,
            r#"<div class="card wizard"><h2 id="etape-titre" tabindex="-1">Étape 1/{total} : {first}</h2>"#,
            r#"<p class="hint">Les champs marqués d'un * sont obligatoires.</p>{loading}</div>"#
        ),
        steps = steps,
        total = total,
        first = SIGNUP_STEPS[0],
        loading = LOADING
    )
}

/// `source` as HTML, block by block, with `<h2>` subheadings (as the welcome text has).
fn rich_text(source: &str) -> String {
    parse(source)
        .into_iter()
        .map(|block| match block {
            Block::Heading(parts) => format!("<h2>{}</h2>", inlines(parts)),
            Block::Paragraph(parts) => format!("<p>{}</p>", inlines(parts)),
            Block::List { ordered, items } => {
                let tag = if ordered { "ol" } else { "ul" };
                let items: String = items
                    .into_iter()
                    .map(|item| format!("<li>{}</li>", inlines(item)))
                    .collect();
                format!("<{tag}>{items}</{tag}>")
            }
        })
        .collect()
}

fn inlines(parts: Vec<Inline>) -> String {
    parts
        .into_iter()
        .map(|part| match part {
            Inline::Text(text) => escape_html(&text),
            Inline::Strong(text) => format!("<strong>{}</strong>", escape_html(&text)),
            Inline::Emphasis(text) => format!("<em>{}</em>", escape_html(&text)),
            // Addresses outside the portal open in a new tab, which says so (as in the app).
            Inline::Link { text, href } if href.starts_with('/') => {
                format!(r#"<a href="{}">{}</a>"#, escape_html(&href), escape_html(&text))
            }
            Inline::Link { text, href } => format!(
                r#"<a href="{}" target="_blank" rel="noopener noreferrer">{}<span class="visually-hidden"> (nouvelle fenêtre)</span></a>"#,
                escape_html(&href),
                escape_html(&text)
            ),
            Inline::LineBreak => "<br>".to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::main_content;

    #[test]
    fn the_home_page_paints_the_welcome_text_as_the_app_draws_it() {
        let html = main_content(
            "/",
            Some(
                "## Rentrée\n\nBienvenue **à tous**, voir [la FAQ](/faq)\nou [le site](https://ville.fr).\n\n- un\n- deux",
            ),
        );
        assert_eq!(
            html,
            concat!(
                r#"<h1 tabindex="-1">Accueil</h1><div class="welcome-text">"#,
                "<h2>Rentrée</h2>",
                r#"<p>Bienvenue <strong>à tous</strong>, voir <a href="/faq">la FAQ</a><br>ou "#,
                r#"<a href="https://ville.fr" target="_blank" rel="noopener noreferrer">le site<span class="visually-hidden"> (nouvelle fenêtre)</span></a>.</p>"#,
                "<ul><li>un</li><li>deux</li></ul></div>",
                r#"<p class="loading" role="status">Chargement…</p>"#
            )
        );
    }

    #[test]
    fn what_an_agent_typed_never_becomes_markup() {
        let html = main_content(
            "/",
            Some("</main><script>alert(1)</script> [x](javascript:alert(1))"),
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("</main>"), "{html}");
        assert!(!html.contains("href=\"javascript"), "{html}");
        assert!(html.contains("&lt;/main&gt;&lt;script&gt;"), "{html}");
    }

    #[test]
    fn the_sign_up_page_paints_its_steps_and_its_first_step_title() {
        let html = main_content("/creer-mon-compte", None);
        assert!(
            html.starts_with(r#"<h1 tabindex="-1">Création de compte</h1>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<li class="step step-current" aria-current="step"><span class="step-number">Étape 1/3</span> <span class="step-title">Mes informations personnelles</span></li>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<h2 id="etape-titre" tabindex="-1">Étape 1/3 : Mes informations personnelles</h2>"#),
            "{html}"
        );
        assert!(html.contains("Chargement…"), "{html}");
    }

    #[test]
    fn other_pages_and_an_empty_welcome_show_the_loading_line_only() {
        let loading = r#"<p class="loading" role="status">Chargement…</p>"#;
        assert_eq!(main_content("/connexion", Some("Bienvenue")), loading);
        assert_eq!(main_content("/", Some("  \n")), loading);
        assert_eq!(main_content("/", None), loading);
    }
}
