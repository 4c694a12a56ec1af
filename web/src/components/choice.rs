//! Form controls beyond the text input of [`crate::components::field::Field`]: selects,
//! radio groups, checkboxes and multi-line text. Same conventions: a visible label, the
//! French error text under the control, `aria-invalid` and `aria-describedby`.

use leptos::prelude::*;

use crate::i18n::field_message;

/// `aria-describedby` for a control with an optional hint and its error.
fn described_by(
    hint_id: Option<String>,
    error_id: String,
    errors: Signal<Vec<String>>,
) -> impl Fn() -> Option<String> + Send + Sync + 'static {
    move || {
        let mut ids = Vec::new();
        if let Some(hint) = &hint_id {
            ids.push(hint.clone());
        }
        if !errors.with(Vec::is_empty) {
            ids.push(error_id.clone());
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    }
}

/// The French text of a control's errors, when it has some.
#[component]
fn ErrorText(id: String, errors: Signal<Vec<String>>) -> impl IntoView {
    view! {
        <Show when=move || !errors.with(Vec::is_empty)>
            <p class="field-error" id=id.clone()>
                <span class="visually-hidden">"Erreur : "</span>
                {move || errors.get().iter().map(|c| field_message(c)).collect::<Vec<_>>().join(" ")}
            </p>
        </Show>
    }
}

/// The (value, label) pairs of a [`SelectField`]: a fixed list, or one computed from data
/// (the types of piece of the town's catalogue).
#[derive(Clone, Copy)]
pub enum SelectOptions {
    Fixed(&'static [(&'static str, &'static str)]),
    Computed(Signal<Vec<(String, String)>>),
}

impl SelectOptions {
    fn list(self) -> Vec<(String, String)> {
        match self {
            Self::Fixed(options) => options
                .iter()
                .map(|(code, text)| ((*code).to_string(), (*text).to_string()))
                .collect(),
            Self::Computed(options) => options.get(),
        }
    }
}

impl From<&'static [(&'static str, &'static str)]> for SelectOptions {
    fn from(options: &'static [(&'static str, &'static str)]) -> Self {
        Self::Fixed(options)
    }
}

impl From<Signal<Vec<(String, String)>>> for SelectOptions {
    fn from(options: Signal<Vec<(String, String)>>) -> Self {
        Self::Computed(options)
    }
}

/// A `<select>` whose first option (« Choisir… », value "") means « not given ».
#[component]
pub fn SelectField(
    #[prop(into)] id: String,
    #[prop(into)] name: String,
    #[prop(into)] label: String,
    /// The chosen option's value ("" for none).
    value: RwSignal<String>,
    /// (value, label) pairs.
    #[prop(into)]
    options: SelectOptions,
    #[prop(optional, into)] errors: Option<Signal<Vec<String>>>,
    #[prop(default = false)] required: bool,
    /// Text of the empty option.
    #[prop(default = "Choisir…")]
    placeholder: &'static str,
    /// Help text shown under the label.
    #[prop(optional, into)]
    hint: MaybeProp<String>,
    #[prop(optional, into)] disabled: MaybeProp<bool>,
) -> impl IntoView {
    let errors = errors.unwrap_or_else(|| Signal::derive(Vec::new));
    let error_id = format!("{id}-erreur");
    let hint_id = format!("{id}-aide");
    let has_hint = move || hint.with(|h| h.as_ref().is_some_and(|h| !h.is_empty()));
    let invalid = move || !errors.with(Vec::is_empty);
    let described = {
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
            <select
                id=id
                name=name
                required=required
                disabled=move || disabled.get().unwrap_or(false)
                aria-invalid=move || if invalid() { "true" } else { "false" }
                aria-describedby=described
                // Also as a property: a value set by code after the options changed (a new
                // type of piece, a new target) must show even if the `selected` attributes
                // were drawn before it.
                prop:value=move || value.get()
                on:change=move |ev| value.set(event_target_value(&ev))
            >
                <option value="" selected=move || value.with(String::is_empty)>{placeholder}</option>
                {move || options.list()
                    .into_iter()
                    .map(|(code, text)| {
                        let chosen = code.clone();
                        view! { <option value=code selected=move || value.with(|v| *v == chosen)>{text}</option> }
                    })
                    .collect_view()}
            </select>
            <ErrorText id=error_id errors=errors/>
        </div>
    }
}

/// A group of radio buttons in a `<fieldset>` whose `<legend>` is the question.
#[component]
pub fn RadioGroup(
    /// Prefix of the radio ids, also the `name`.
    #[prop(into)]
    name: String,
    #[prop(into)] legend: String,
    value: RwSignal<String>,
    options: &'static [(&'static str, &'static str)],
    #[prop(optional, into)] errors: Option<Signal<Vec<String>>>,
    #[prop(default = false)] required: bool,
) -> impl IntoView {
    let errors = errors.unwrap_or_else(|| Signal::derive(Vec::new));
    let error_id = format!("{name}-erreur");
    let invalid = move || !errors.with(Vec::is_empty);
    let described = described_by(None, error_id.clone(), errors);
    view! {
        <fieldset class="field radios" class:field-invalid=invalid aria-describedby=described>
            <legend>
                {legend}
                {required.then(|| view! { <span class="required" aria-hidden="true">" *"</span> })}
            </legend>
            {options
                .iter()
                .map(|(code, text)| {
                    let id = format!("{name}-{code}");
                    view! {
                        <div class="radio">
                            <input
                                type="radio"
                                id=id.clone()
                                name=name.clone()
                                value=*code
                                aria-invalid=move || if invalid() { "true" } else { "false" }
                                prop:checked=move || value.with(|v| v == code)
                                on:change=move |_| value.set((*code).to_string())
                            />
                            <label for=id>{*text}</label>
                        </div>
                    }
                })
                .collect_view()}
            <ErrorText id=error_id errors=errors/>
        </fieldset>
    }
}

/// One checkbox with its label on the right.
#[component]
pub fn CheckboxField(
    #[prop(into)] id: String,
    #[prop(into)] name: String,
    #[prop(into)] label: String,
    checked: RwSignal<bool>,
) -> impl IntoView {
    view! {
        <div class="field checkbox">
            <input
                type="checkbox"
                id=id.clone()
                name=name
                prop:checked=move || checked.get()
                on:change=move |ev| checked.set(event_target_checked(&ev))
            />
            <label for=id>{label}</label>
        </div>
    }
}

/// A multi-line text field.
#[component]
pub fn TextAreaField(
    #[prop(into)] id: String,
    #[prop(into)] name: String,
    #[prop(into)] label: String,
    value: RwSignal<String>,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional, into)] errors: Option<Signal<Vec<String>>>,
    /// Called when the text changed and the field lost the focus.
    #[prop(optional)]
    on_change: Option<Callback<String>>,
) -> impl IntoView {
    let errors = errors.unwrap_or_else(|| Signal::derive(Vec::new));
    let error_id = format!("{id}-erreur");
    let hint_id = hint.as_ref().map(|_| format!("{id}-aide"));
    let invalid = move || !errors.with(Vec::is_empty);
    view! {
        <div class="field" class:field-invalid=invalid>
            <label for=id.clone()>{label}</label>
            {hint.map(|text| view! { <p class="hint" id=hint_id.clone().unwrap_or_default()>{text}</p> })}
            <textarea
                id=id
                name=name
                rows="4"
                maxlength="2000"
                aria-invalid=move || if invalid() { "true" } else { "false" }
                aria-describedby=described_by(hint_id.clone(), error_id.clone(), errors)
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                on:change=move |ev| {
                    if let Some(callback) = on_change {
                        callback.run(event_target_value(&ev));
                    }
                }
            ></textarea>
            <ErrorText id=error_id errors=errors/>
        </div>
    }
}
