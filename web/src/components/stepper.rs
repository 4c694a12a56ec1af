//! The « Étape 1/3 » stepper of multi-step forms.

use leptos::prelude::*;

/// The list of steps; the current one has `aria-current="step"`.
#[component]
pub fn Stepper(
    /// Step titles, in order.
    steps: &'static [&'static str],
    /// Index (0-based) of the current step.
    #[prop(into)]
    current: Signal<usize>,
    /// Accessible name of the list (distinct when a page shows two steppers).
    #[prop(default = "Étapes")]
    label: &'static str,
) -> impl IntoView {
    let total = steps.len();
    view! {
        <div class="stepper">
            <ol aria-label=label>
                {steps
                    .iter()
                    .enumerate()
                    .map(|(index, title)| {
                        let state = move || match index.cmp(&current.get()) {
                            std::cmp::Ordering::Less => "done",
                            std::cmp::Ordering::Equal => "current",
                            std::cmp::Ordering::Greater => "todo",
                        };
                        view! {
                            <li
                                class=move || format!("step step-{}", state())
                                aria-current=move || (state() == "current").then_some("step")
                            >
                                <span class="step-number">{format!("Étape {}/{total}", index + 1)}</span>
                                " "
                                <span class="step-title">{*title}</span>
                                {move || (state() == "done").then(|| view! { <span class="visually-hidden">" (terminée)"</span> })}
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        </div>
    }
}
