//! One module per screen, named after its route.

pub mod account;
pub mod activation;
pub mod activites;
pub mod confirm_email;
pub mod consent;
pub mod demande;
pub mod demarches;
pub mod dossier;
pub mod forgot_password;
pub mod home;
pub mod info;
pub mod login;
pub mod my_data;
pub mod not_found;
pub mod public;
pub mod reset_password;
pub mod sent_emails;
pub mod signup;
pub mod signup_done;
