//! What the content and administration screens share, drawn from data so that the bundle
//! holds one form and one table for all of them (each Leptos `view!` is compiled into its
//! own code: BENCHMARKS.md, back office bundle): labelled fields with their errors, the
//! preview of the text syntax families see, the lists, and the server's own French
//! explanation of a refused upload or catalogue.

use leptos::prelude::*;

use crate::api::ApiError;
use crate::components::field::FormErrors;
use crate::components::rich_text::RichText;
use crate::dialog::Doomed;
use crate::i18n::{field_message, problem_message};

/// The sentence for a refused upload or catalogue: the server's `detail` when it explains
/// the refusal in French (413, 415, and 422 that are not plain field errors), else the
/// usual message for the error code.
pub fn refusal(error: &ApiError) -> String {
    match &error.problem.detail {
        Some(detail)
            if matches!(error.status(), 413 | 415 | 422)
                && !detail.is_empty()
                && !detail.contains("`fields`") =>
        {
            detail.clone()
        }
        _ => problem_message(error),
    }
}

/// The syntax families' pages understand, in one line.
pub const SYNTAX_HELP: &str = "Mise en forme : une ligne vide sépare les paragraphes ; « ## » en début de ligne pour un intertitre, « - » pour une liste ; **gras**, *italique*, [texte du lien](https://adresse). Le HTML n'est pas interprété.";

/// A field error code carrying its own sentence (a refusal in the server's words).
pub const SAID: &str = "dit:";
/// Field codes only these screens use.
pub const BAD_TIME: &str = "invalid_time";
pub const NOT_A_NUMBER: &str = "not_a_number";
pub const BAD_MONTHS: &str = "bad_months";

/// The sentence for one field error code.
pub fn message(code: &str) -> String {
    if let Some(text) = code.strip_prefix(SAID) {
        return text.to_string();
    }
    match code {
        BAD_TIME => "Saisissez une heure, par exemple 09:30.".into(),
        NOT_A_NUMBER => "Saisissez un nombre entier, par exemple 1.".into(),
        BAD_MONTHS => "Saisissez un nombre de mois de 1 à 120.".into(),
        shared::validation::codes::CHOOSE_ONE => "Cochez au moins une case.".into(),
        _ => field_message(code),
    }
}

/// What kind of input a field is.
#[derive(Clone)]
pub enum Kind {
    Text,
    Email,
    Date,
    Time,
    /// A `type=datetime-local` input (the town's time, Europe/Paris).
    DateTime,
    Number,
    /// A `<textarea>` of that many rows.
    Area(u32),
    /// A checkbox; its value is `"true"` or empty.
    Check,
    /// A `<select>`: (value, label).
    Select(&'static [(&'static str, &'static str)]),
    /// Checkboxes in a fieldset; the value holds the checked values, comma-separated.
    Checks(&'static [(&'static str, &'static str)]),
    /// The same, with options drawn from data (the catalogue's types de pièce).
    Choices(Vec<(String, String)>),
    /// One file.
    File(NodeRef<leptos::html::Input>, &'static str),
}

/// One labelled field: its `name` is also its key in the problem's `fields`.
#[derive(Clone)]
pub struct Spec {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: Kind,
    pub hint: Option<String>,
    pub required: bool,
    pub value: RwSignal<String>,
}

impl Spec {
    /// A required text field.
    pub fn new(name: &'static str, label: &'static str, value: RwSignal<String>) -> Self {
        Self {
            name,
            label,
            kind: Kind::Text,
            hint: None,
            required: true,
            value,
        }
    }

    pub fn kind(self, kind: Kind) -> Self {
        Self { kind, ..self }
    }

    pub fn hint(self, hint: impl Into<String>) -> Self {
        Self {
            hint: Some(hint.into()),
            ..self
        }
    }

    pub fn optional(self) -> Self {
        Self {
            required: false,
            ..self
        }
    }
}

/// A form drawn from its fields: the error summary (announced), the fields with their
/// hints and errors (`aria-describedby`, `aria-invalid`), an optional preview, the buttons.
#[component]
pub fn Form(
    /// Prefix of the inputs' ids.
    prefix: &'static str,
    fields: Vec<Spec>,
    errors: FormErrors,
    #[prop(into)] submit_label: String,
    pending: Signal<bool>,
    on_submit: Callback<()>,
    /// « Annuler », when the form can be closed.
    #[prop(optional)]
    on_cancel: Option<Callback<()>>,
    /// A preview of this field's text, under this title (news, FAQ, welcome text).
    #[prop(optional)]
    preview: Option<(RwSignal<String>, Option<RwSignal<String>>)>,
    /// What shows between the fields and the buttons (upload progress).
    #[prop(optional)]
    extra: Option<ViewFn>,
) -> impl IntoView {
    let labels: Vec<(&'static str, &'static str)> =
        fields.iter().map(|s| (s.name, s.label)).collect();
    let summary = move || {
        errors.fields.with(|fields| {
            let mut lines: Vec<String> = labels
                .iter()
                .filter_map(|(name, label)| {
                    fields.get(*name).filter(|c| !c.is_empty()).map(|codes| {
                        let text: Vec<String> = codes.iter().map(|c| message(c)).collect();
                        format!("{label} : {}", text.join(" "))
                    })
                })
                .collect();
            for (name, codes) in fields {
                if !labels.iter().any(|(known, _)| known == name) {
                    lines.extend(codes.iter().map(|c| message(c)));
                }
            }
            lines
        })
    };
    view! {
        <form novalidate=true on:submit=move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if !pending.get_untracked() {
                on_submit.run(());
            }
        }>
            <div class="error-summary" role="alert">
                {move || errors.general.get().map(|text| view! { <p class="error-summary-title">{text}</p> })}
                {move || {
                    let lines = summary();
                    (!lines.is_empty()).then(|| view! { <ul>{lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul> })
                }}
            </div>
            {fields.into_iter().map(|spec| field(prefix, spec, errors)).collect_view()}
            {preview.map(|(source, title)| view! { <Preview id=prefix title source/> })}
            {extra.map(|extra| extra.run())}
            <div class="actions">
                <button type="submit" class="button primary" aria-disabled=move || pending.get().then_some("true")>{submit_label}</button>
                {on_cancel.map(|cancel| view! {
                    <button type="button" class="button secondary" on:click=move |_| cancel.run(())>"Annuler"</button>
                })}
            </div>
        </form>
    }
}

/// One field of a [`Form`].
fn field(prefix: &'static str, spec: Spec, errors: FormErrors) -> AnyView {
    let Spec {
        name,
        label,
        kind,
        hint,
        required,
        value,
    } = spec;
    let id = format!("{prefix}-{name}");
    let (hint_id, error_id) = (format!("{id}-aide"), format!("{id}-erreur"));
    let codes = errors.field(name);
    let invalid = move || !codes.with(Vec::is_empty);
    let described_by = {
        let (hint_id, error_id, has_hint) = (hint_id.clone(), error_id.clone(), hint.is_some());
        move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(hint_id.clone());
            }
            if invalid() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let aria_invalid = move || if invalid() { "true" } else { "false" };
    let hint_view = hint.map(|h| view! { <p class="hint" id=hint_id>{h}</p> });
    let error_view = move || {
        invalid().then(|| {
            view! {
                <p class="field-error" id=error_id.clone()>
                    <span class="visually-hidden">"Erreur : "</span>
                    {codes.get().iter().map(|c| message(c)).collect::<Vec<_>>().join(" ")}
                </p>
            }
        })
    };
    let mark = required.then(|| view! { <span class="required" aria-hidden="true">" *"</span> });
    let input = match kind {
        Kind::Check => {
            return view! {
                <div class="field checkbox">
                    <input type="checkbox" id=id.clone() name=name aria-describedby=described_by
                        prop:checked=move || !value.get().is_empty()
                        on:change=move |ev| value.set(if event_target_checked(&ev) { "true".into() } else { String::new() })/>
                    <label for=id>{label}</label>
                    {hint_view}
                </div>
            }
            .into_any();
        }
        Kind::Checks(options) => {
            let options = options
                .iter()
                .map(|(value, text)| ((*value).to_string(), (*text).to_string()))
                .collect();
            return checks(id, name, (label, mark, hint_view), options, value, described_by, errors);
        }
        Kind::Choices(options) => {
            return checks(id, name, (label, mark, hint_view), options, value, described_by, errors);
        }
        Kind::Area(rows) => view! {
            <textarea id=id.clone() name=name rows=rows required=required
                aria-invalid=aria_invalid aria-describedby=described_by
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))></textarea>
        }
        .into_any(),
        Kind::Select(options) => view! {
            <select id=id.clone() name=name aria-describedby=described_by
                on:change=move |ev| value.set(event_target_value(&ev))>
                {options.iter().map(|(option, text)| view! {
                    <option value=*option selected=move || value.with(|v| v == option)>{*text}</option>
                }).collect_view()}
            </select>
        }
        .into_any(),
        Kind::File(node, accept) => view! {
            <input type="file" id=id.clone() name=name accept=accept required=required node_ref=node
                aria-invalid=aria_invalid aria-describedby=described_by
                on:change=move |_| errors.fields.update(|f| { f.remove(name); })/>
        }
        .into_any(),
        kind => {
            let input_type = match kind {
                Kind::Email => "email",
                Kind::Date => "date",
                Kind::Time => "time",
                Kind::DateTime => "datetime-local",
                Kind::Number => "number",
                _ => "text",
            };
            view! {
                <input type=input_type id=id.clone() name=name required=required autocomplete="off"
                    aria-invalid=aria_invalid aria-describedby=described_by
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))/>
            }
            .into_any()
        }
    };
    view! {
        <div class="field" class:field-invalid=invalid>
            <label for=id>{label}{mark}</label>
            {hint_view}
            {input}
            {error_view}
        </div>
    }
    .into_any()
}

/// Checkboxes in a fieldset whose legend is the field's label; the value holds the checked
/// values, comma-separated.
fn checks(
    id: String,
    name: &'static str,
    (label, mark, hint_view): (
        &'static str,
        Option<impl IntoView + 'static>,
        Option<impl IntoView + 'static>,
    ),
    options: Vec<(String, String)>,
    value: RwSignal<String>,
    described_by: impl Fn() -> Option<String> + Send + Sync + 'static,
    errors: FormErrors,
) -> AnyView {
    let codes = errors.field(name);
    let invalid = move || !codes.with(Vec::is_empty);
    let error_id = format!("{id}-erreur");
    let aria_invalid = move || if invalid() { "true" } else { "false" };
    view! {
        <fieldset class="radios" class:field-invalid=invalid aria-describedby=described_by>
            <legend>{label}{mark}</legend>
            {hint_view}
            {options.into_iter().map(|(option, text)| {
                let option_id = format!("{id}-{option}");
                let mine = option.clone();
                let checked = move || value.with(|v| v.split(',').any(|x| x == mine));
                view! {
                    <div class="radio">
                        <input type="checkbox" id=option_id.clone() name=name value=option.clone()
                            aria-invalid=aria_invalid prop:checked=checked
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                value.update(|v| {
                                    let mut chosen: Vec<&str> = v.split(',').filter(|x| !x.is_empty() && *x != option).collect();
                                    if on {
                                        chosen.push(&option);
                                    }
                                    *v = chosen.join(",");
                                });
                            }/>
                        <label for=option_id>{text}</label>
                    </div>
                }
            }).collect_view()}
            {move || invalid().then(|| view! {
                <p class="field-error" id=error_id.clone()>
                    <span class="visually-hidden">"Erreur : "</span>
                    {codes.get().iter().map(|c| message(c)).collect::<Vec<_>>().join(" ")}
                </p>
            })}
        </fieldset>
    }
    .into_any()
}

/// « Aperçu »: the text exactly as families will see it, updated as it is typed.
#[component]
pub fn Preview(
    /// Prefix of the heading's id.
    id: &'static str,
    /// The title shown above the text (news, FAQ), if any.
    title: Option<RwSignal<String>>,
    source: RwSignal<String>,
) -> impl IntoView {
    let (heading_id, labelled_by) = (format!("{id}-apercu"), format!("{id}-apercu"));
    view! {
        <section class="text-preview" aria-labelledby=labelled_by>
            <h3 id=heading_id>"Aperçu (tel que les familles le verront)"</h3>
            <div class="text-preview-body">
                {title.map(|t| view! { <p class="text-preview-title">{move || t.get()}</p> })}
                {move || {
                    let text = source.get();
                    if text.trim().is_empty() {
                        view! { <p class="empty">"Le texte apparaîtra ici."</p> }.into_any()
                    } else {
                        view! { <RichText source=text heading_level=4/> }.into_any()
                    }
                }}
            </div>
        </section>
    }
}

/// One cell of a [`ListSection`]'s table.
#[derive(Clone, Default)]
pub struct Cell {
    /// The column (shown before the value on narrow screens).
    pub label: &'static str,
    pub text: String,
    /// The row's name (bold).
    pub strong: bool,
    pub badges: Vec<&'static str>,
    /// A download link: (address, file name).
    pub download: Option<(String, String)>,
}

impl Cell {
    pub fn new(label: &'static str, text: impl Into<String>) -> Self {
        Self {
            label,
            text: text.into(),
            ..Self::default()
        }
    }
}

/// A button of a row: its text, its accessible name (which names the row), what it does.
#[derive(Clone)]
pub struct RowAction {
    pub text: &'static str,
    pub name: String,
    pub danger: bool,
    pub run: Callback<()>,
}

/// The French message of a list that failed to load, for [`ListSection`]'s `failure`.
pub fn failure_of<T: Send + Sync + 'static>(
    list: RwSignal<Option<Result<T, ApiError>>>,
) -> Signal<Option<String>> {
    Signal::derive(move || {
        list.with(|l| {
            l.as_ref()
                .and_then(|l| l.as_ref().err().map(problem_message))
        })
    })
}

/// Saves an editor's form: `POST collection` for a new item, `PUT collection/{id}` for an
/// existing one; answers the saved item.
pub async fn save<B: serde::Serialize, T: serde::de::DeserializeOwned>(
    session: crate::state::Session,
    collection: &str,
    id: Option<uuid::Uuid>,
    body: &B,
) -> Result<T, ApiError> {
    let api = crate::api::authed(session);
    match id {
        Some(id) => api.put(&format!("{collection}/{id}"), body).await,
        None => api.post(collection, body).await,
    }
}

impl RowAction {
    /// « Modifier » `what` (« l'actualité « … » »): opens the page's form, `form_id`, on
    /// `item`.
    pub fn edit<T: Clone + Send + Sync + 'static>(
        what: &str,
        done: RwSignal<Option<String>>,
        editing: RwSignal<Option<Option<T>>>,
        item: T,
        form_id: &'static str,
    ) -> Self {
        Self {
            text: "Modifier",
            name: format!("Modifier {what}"),
            danger: false,
            run: Callback::new(move |()| {
                done.set(None);
                editing.set(Some(Some(item.clone())));
                crate::login::focus_id(form_id);
            }),
        }
    }

    /// « Supprimer » `what`: asks the page's delete dialog about `doomed`.
    pub fn delete(
        what: &str,
        done: RwSignal<Option<String>>,
        asking: RwSignal<Option<Doomed>>,
        doomed: Doomed,
    ) -> Self {
        Self {
            text: "Supprimer",
            name: format!("Supprimer {what}"),
            danger: true,
            run: Callback::new(move |()| {
                done.set(None);
                asking.set(Some(doomed.clone()));
            }),
        }
    }
}

/// One row: its cells, then its buttons.
#[derive(Clone, Default)]
pub struct Row {
    pub cells: Vec<Cell>,
    pub actions: Vec<RowAction>,
}

/// A list: its heading (focused after a change), a status line (announced), a failure,
/// or a table that becomes cards on narrow screens.
#[component]
pub fn ListSection(
    /// Id of the heading.
    id: &'static str,
    heading: &'static str,
    /// What the table holds (for screen readers).
    caption: &'static str,
    /// « 3 actualités. », or `None` while loading.
    #[prop(into)]
    count: Signal<Option<String>>,
    #[prop(into)] failure: Signal<Option<String>>,
    #[prop(into)] rows: Signal<Vec<Row>>,
) -> impl IntoView {
    view! {
        <section aria-labelledby=id>
            <h2 id=id tabindex="-1">{heading}</h2>
            <div role="status" class="status-line">{move || count.get().unwrap_or_else(|| "Chargement…".into())}</div>
            <div role="alert">{move || failure.get().map(|t| view! { <p class="notice">{t}</p> })}</div>
            {move || rows_table(caption.to_string(), rows.get())}
        </section>
    }
}

/// Rows as a table that becomes cards on narrow screens (nothing when there are none).
pub fn rows_table(caption: String, rows: Vec<Row>) -> Option<impl IntoView> {
    let headers: Vec<&'static str> = rows
        .first()
        .map(|r| {
            r.cells
                .iter()
                .map(|c| c.label)
                .chain((!r.actions.is_empty()).then_some("Actions"))
                .collect()
        })
        .unwrap_or_default();
    (!rows.is_empty()).then(|| view! {
        <div class="table-wrap">
            <table class="stack-table content-table">
                <caption class="visually-hidden">{caption}</caption>
                <thead><tr>{headers.into_iter().map(|h| view! { <th scope="col">{h}</th> }).collect_view()}</tr></thead>
                <tbody>{rows.into_iter().map(row).collect_view()}</tbody>
            </table>
        </div>
    })
}

fn row(row: Row) -> impl IntoView {
    let has_actions = !row.actions.is_empty();
    view! {
        <tr>
            {row.cells.into_iter().map(|c| view! {
                <td data-label=c.label>
                    <span class:row-title=c.strong>
                        {match c.download {
                            Some((href, file)) => view! {
                                <a class="file-link" href=href download=file rel="external">
                                    <span class="visually-hidden">"Télécharger "</span>{c.text}
                                </a>
                            }.into_any(),
                            None => c.text.into_any(),
                        }}
                        {c.badges.into_iter().map(|b| view! { " " <span class="badge badge-todo">{b}</span> }).collect_view()}
                    </span>
                </td>
            }).collect_view()}
            {has_actions.then(|| view! {
                <td data-label="Actions">
                    <span class="row-actions">
                        {row.actions.into_iter().map(|a| view! {
                            <button type="button" class="button secondary" class:danger=a.danger aria-label=a.name
                                on:click=move |_| a.run.run(())>{a.text}</button>
                        }).collect_view()}
                    </span>
                </td>
            })}
        </tr>
    }
}

/// A form's frame: a card with its heading (focused when it opens).
#[component]
pub fn Editor(
    id: &'static str,
    #[prop(into)] heading: String,
    children: Children,
) -> impl IntoView {
    view! {
        <section class="card editor" aria-labelledby=id>
            <h2 id=id tabindex="-1">{heading}</h2>
            {children()}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::{BAD_TIME, SAID, message};

    #[test]
    fn refusals_in_the_servers_words_are_shown_as_they_are() {
        assert_eq!(
            message(&format!("{SAID}Le fichier « a.txt » est refusé.")),
            "Le fichier « a.txt » est refusé."
        );
        assert_eq!(message(BAD_TIME), "Saisissez une heure, par exemple 09:30.");
        assert_eq!(message("required"), "Ce champ est obligatoire.");
    }
}
