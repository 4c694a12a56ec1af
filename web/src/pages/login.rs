//! « Connexion »: the login box alone (the target of guarded pages).

use leptos::prelude::*;

use crate::components::login_box::LoginBox;
use crate::components::page_title::PageTitle;

/// `/connexion`.
#[component]
pub fn LoginPage() -> impl IntoView {
    view! {
        <PageTitle title="Connexion"/>
        <div class="narrow"><LoginBox/></div>
    }
}
