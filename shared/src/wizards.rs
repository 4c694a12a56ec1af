//! The steps of the sign-up wizard, named once: the SPA shows them, and the server writes
//! the first one into the page's first screen (what a phone paints before the app).

/// « Création de compte », in order.
pub const SIGNUP_STEPS: [&str; 3] = [
    "Mes informations personnelles",
    "Mes références dossier",
    "Récapitulatif",
];
