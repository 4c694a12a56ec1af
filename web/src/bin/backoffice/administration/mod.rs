//! « Administration » (administrators only; the API answers 403 to anyone else): the staff
//! accounts, the CGU, the town's settings, the catalogue of types de pièce and the
//! connected applications.

mod applications;
mod catalogue;
mod staff;
mod terms;
mod town;

use leptos::prelude::*;

use crate::app::use_staff;
use crate::components::page_title::PageTitle;

/// `/backoffice/administration`.
#[component]
pub fn AdministrationPage() -> impl IntoView {
    let staff = use_staff();
    let administrator = move || {
        staff
            .profile
            .with(|p| p.as_ref().is_some_and(|p| p.role == "administrateur"))
    };
    view! {
        <PageTitle title="Administration"/>
        {move || if administrator() {
            view! {
                <staff::StaffSection/>
                <terms::TermsSection/>
                <town::TownSection/>
                <catalogue::CatalogueSection/>
                <applications::ApplicationsSection/>
            }.into_any()
        } else {
            view! {
                <div class="card" role="alert">
                    <p>"Cette page est réservée aux administrateurs. Pour créer un compte, changer les conditions générales d'utilisation, les paramètres de la commune, le catalogue des pièces ou les applications connectées, adressez-vous à un administrateur de la mairie."</p>
                </div>
            }.into_any()
        }}
    }
}
