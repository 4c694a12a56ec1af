//! Accessible form fields, the per-form error state and the error summary.
//!
//! Every input has a visible `<label for>`, a `name`, an `autocomplete` hint, and, when it
//! is refused, `aria-invalid="true"` plus `aria-describedby` pointing at the French error
//! text right under it. Forms show an error summary (`role="alert"`) at the top and move
//! the focus to the first invalid field after a failed submit.

use leptos::prelude::*;
use shared::error::FieldErrors;
use wasm_bindgen::JsCast;

use crate::api::ApiError;
use crate::i18n::{field_message, problem_message};

/// The errors of one form: field path → codes, plus one message for the whole form.
#[derive(Clone, Copy)]
pub struct FormErrors {
    /// Field path (as in `Problem::fields`) → field error codes.
    pub fields: RwSignal<FieldErrors>,
    /// A message about the whole form (wrong credentials, server down…).
    pub general: RwSignal<Option<String>>,
}

impl FormErrors {
    /// No errors yet.
    pub fn new() -> Self {
        Self {
            fields: RwSignal::new(FieldErrors::new()),
            general: RwSignal::new(None),
        }
    }

    /// The codes of one field, as a signal for [`Field`].
    pub fn field(&self, name: &'static str) -> Signal<Vec<String>> {
        let fields = self.fields;
        Signal::derive(move || fields.with(|f| f.get(name).cloned().unwrap_or_default()))
    }

    /// Forgets every error (before a new submit).
    pub fn clear(&self) {
        self.fields.set(FieldErrors::new());
        self.general.set(None);
    }

    /// Forgets one field's errors and the general message, as soon as the person types in
    /// it: the message goes while they type, not when they leave the field — by pressing a
    /// button below, whose click a shrinking page would lose.
    pub fn forget_on_input(&self, ev: &leptos::ev::Event) {
        use wasm_bindgen::JsCast;
        let name = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.get_attribute("name"));
        if let Some(name) = name
            && self.fields.with_untracked(|f| f.contains_key(&name))
        {
            self.fields.update(|f| {
                f.remove(&name);
            });
        }
        if self.general.with_untracked(Option::is_some) {
            self.general.set(None);
        }
    }

    /// Shows client-side field errors; returns true when there were some.
    pub fn show_fields(&self, fields: FieldErrors) -> bool {
        let any = !fields.is_empty();
        self.fields.set(fields);
        if any {
            focus_first_invalid();
        }
        any
    }

    /// Shows an API failure: its field errors under the fields, and a general message.
    pub fn show_api(&self, error: &ApiError) {
        let fields = error.problem.fields.clone();
        let any = !fields.is_empty();
        self.fields.set(fields);
        self.general.set(Some(problem_message(error)));
        if any {
            focus_first_invalid();
        }
    }
}

impl Default for FormErrors {
    fn default() -> Self {
        Self::new()
    }
}

/// Adds one field error code to a map (for checks only the browser does, like the
/// password confirmation).
pub fn add_error(fields: &mut FieldErrors, name: &str, code: &str) {
    fields
        .entry(name.to_string())
        .or_default()
        .push(code.to_string());
}

/// Moves the keyboard focus to the first field marked invalid, once the DOM is updated: in
/// the open dialog if there is one (the page behind a modal dialog is inert, and may hold
/// a field left invalid earlier), else in the page.
pub fn focus_first_invalid() {
    request_animation_frame(|| {
        let first = |selector: &str| {
            document()
                .query_selector(selector)
                .ok()
                .flatten()
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        };
        let element = match first("dialog[open]") {
            Some(_) => first("dialog[open] [aria-invalid='true']"),
            None => first("main [aria-invalid='true']"),
        };
        if let Some(element) = element {
            let _ = element.focus();
        }
    });
}

/// A labelled input with its hint and its errors.
#[component]
pub fn Field(
    /// The element id (also used for the hint and error ids).
    #[prop(into)]
    id: String,
    /// The `name` attribute.
    #[prop(into)]
    name: String,
    /// The visible label, without the asterisk.
    #[prop(into)]
    label: String,
    /// The value, two-way bound.
    value: RwSignal<String>,
    /// The field's error codes.
    errors: Signal<Vec<String>>,
    /// `type` of the input (text, email, password).
    #[prop(default = "text")]
    input_type: &'static str,
    /// `autocomplete` token (username, email, new-password, current-password…).
    #[prop(default = "off")]
    autocomplete: &'static str,
    /// Help text shown under the label (may change, e.g. with the chosen type of piece).
    #[prop(optional, into)]
    hint: MaybeProp<String>,
    /// Whether the field is required (adds the asterisk and `required`).
    #[prop(default = true)]
    required: bool,
    /// Whether the field is disabled.
    #[prop(optional, into)]
    disabled: MaybeProp<bool>,
    /// `max` of a date input (the latest date accepted).
    #[prop(optional, into)]
    max: MaybeProp<String>,
    /// Turns an error code into its sentence when the field needs context (« de moins de
    /// 3 mois »); [`field_message`] otherwise.
    #[prop(optional)]
    translate: Option<Callback<String, String>>,
    /// Called with the new value on each keystroke.
    #[prop(optional)]
    on_input: Option<Callback<String>>,
) -> impl IntoView {
    let hint_id = format!("{id}-aide");
    let error_id = format!("{id}-erreur");
    let has_hint = move || hint.with(|h| h.as_ref().is_some_and(|h| !h.is_empty()));
    let invalid = move || !errors.with(Vec::is_empty);
    let message = move |code: &String| match translate {
        Some(translate) => translate.run(code.clone()),
        None => field_message(code),
    };
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let mut ids = Vec::new();
            if has_hint() {
                ids.push(hint_id.clone());
            }
            if invalid() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field" class:field-invalid=invalid>
            <label for=id.clone()>
                {label}
                {required.then(|| view! { <span class="required" aria-hidden="true">" *"</span> })}
            </label>
            <Show when=has_hint>
                <p class="hint" id=hint_id.clone()>{move || hint.get()}</p>
            </Show>
            <input
                id=id
                name=name
                type=input_type
                autocomplete=autocomplete
                required=required
                max=move || max.get()
                disabled=move || disabled.get().unwrap_or(false)
                aria-invalid=move || if invalid() { "true" } else { "false" }
                aria-describedby=described_by
                prop:value=move || value.get()
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    value.set(text.clone());
                    if let Some(callback) = on_input {
                        callback.run(text);
                    }
                }
            />
            <Show when=invalid>
                <p class="field-error" id=error_id.clone()>
                    <span class="visually-hidden">"Erreur : "</span>
                    {move || errors.get().iter().map(message).collect::<Vec<_>>().join(" ")}
                </p>
            </Show>
        </div>
    }
}

/// The summary at the top of a form: one line per error, announced when it appears.
#[component]
pub fn ErrorSummary(
    /// The form's errors.
    errors: FormErrors,
    /// Field path → label, in the order of the form.
    labels: &'static [(&'static str, &'static str)],
) -> impl IntoView {
    let lines = move || {
        errors.fields.with(|fields| {
            let mut lines: Vec<String> = labels
                .iter()
                .filter_map(|(name, label)| {
                    fields.get(*name).filter(|c| !c.is_empty()).map(|codes| {
                        let text: Vec<String> = codes.iter().map(|c| field_message(c)).collect();
                        format!("{label} : {}", text.join(" "))
                    })
                })
                .collect();
            // Errors on fields this form does not show (or on the whole request).
            for (name, codes) in fields {
                if !labels.iter().any(|(known, _)| known == name) {
                    lines.extend(codes.iter().map(|c| field_message(c)));
                }
            }
            lines
        })
    };
    view! {
        <div class="error-summary" role="alert">
            {move || errors.general.get().map(|text| view! { <p class="error-summary-title">{text}</p> })}
            <Show when=move || !lines().is_empty()>
                <ul>{move || lines().into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}</ul>
            </Show>
        </div>
    }
}
