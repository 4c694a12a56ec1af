//! HTTP handlers, one module per resource, registered through utoipa-actix-web so each
//! appears in the OpenAPI document.

pub mod activations;
pub mod activites;
pub mod auth;
pub mod backoffice;
pub mod backoffice_activites;
pub mod backoffice_applications;
pub mod backoffice_content;
pub mod content;
pub mod credentials;
pub mod demandes;
pub mod dossier_access;
pub mod dossiers;
pub mod health;
pub mod integration;
pub mod me;
pub mod my_data;
pub mod oauth;
pub mod password_resets;
pub mod pieces;
pub mod public_documents;
pub mod rattachement;
pub mod registrations;
pub mod review;
pub mod voeux;

use actix_web::HttpResponse;
use actix_web::http::header;
use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every API route under `/api`.
pub fn configure(config: &mut ServiceConfig) {
    config
        .service(health::get_health)
        .service(health::get_live)
        .service(health::get_ready)
        .service(content::get_town)
        .service(content::get_terms)
        .service(content::get_privacy_notice)
        .service(content::get_accessibility_statement)
        .service(activites::list_activites)
        .service(activites::create_inscription)
        .service(activites::list_inscriptions)
        .service(activites::list_eligibilites)
        .service(activites::cancel_inscription)
        .service(activites::answer_offer)
        .service(voeux::list_voeux)
        .service(voeux::replace_voeux)
        .service(voeux::get_tirage)
        .service(registrations::check_registration_step)
        .service(registrations::create_registration)
        .service(activations::create_activation)
        .service(activations::resend_activation)
        .service(auth::login)
        .service(auth::refresh)
        .service(auth::logout)
        .service(password_resets::create_password_reset)
        .service(password_resets::confirm_password_reset)
        .service(me::get_me)
        .service(me::accept_terms)
        .service(me::change_password)
        .service(me::change_email)
        .service(me::confirm_email_change)
        .service(me::list_connections)
        .service(me::list_emails)
        .service(me::resend_email)
        .service(my_data::list_exports)
        .service(my_data::request_export)
        .service(my_data::export_link)
        .service(my_data::download_export)
        .service(my_data::close_account)
        .service(rattachement::create_rattachement)
        .service(rattachement::confirm_rattachement_code)
        .service(rattachement::resend_rattachement_code)
        .service(rattachement::ask_rattachement_validation)
        .service(dossiers::create_dossier)
        .service(dossiers::get_dossier)
        .service(dossiers::update_dossier)
        .service(dossiers::create_member)
        .service(dossiers::update_member)
        .service(dossiers::delete_member)
        .service(dossiers::set_links)
        .service(demandes::list_demandes)
        .service(demandes::get_demande)
        .service(demandes::update_demande)
        .service(demandes::submit_demande)
        .service(demandes::get_receipt)
        .service(pieces::list_piece_types)
        .service(pieces::list_pieces)
        .service(pieces::create_piece)
        .service(pieces::replace_piece)
        .service(pieces::delete_piece)
        .service(pieces::download_file)
        .service(backoffice::enrol_totp)
        .service(backoffice::staff_profile)
        .service(backoffice::queue)
        .service(backoffice::waiting_time)
        .service(backoffice::list_staff)
        .service(backoffice::create_staff)
        .service(backoffice::update_staff)
        .service(backoffice::reset_totp)
        .service(backoffice::failed_emails)
        .service(backoffice::requeue_failed_emails)
        .service(review::review)
        .service(review::download)
        .service(review::decide_piece)
        .service(review::decide_demande)
        .service(review::set_contact_email)
        .service(review::consultations)
        .service(content::list_actualites)
        .service(content::get_actualite)
        .service(content::list_faq)
        .service(backoffice_content::list_all_actualites)
        .service(backoffice_content::create_actualite)
        .service(backoffice_content::update_actualite)
        .service(backoffice_content::delete_actualite)
        .service(backoffice_content::create_faq)
        .service(backoffice_content::update_faq)
        .service(backoffice_content::delete_faq)
        .service(backoffice_content::update_town)
        .service(backoffice_content::publish_terms)
        .service(backoffice_content::replace_catalogue)
        .service(public_documents::list_documents)
        .service(public_documents::download_document)
        .service(public_documents::create_document)
        .service(public_documents::delete_document)
        .service(backoffice_activites::list_activites)
        .service(backoffice_activites::create_activite)
        .service(backoffice_activites::update_activite)
        .service(backoffice_activites::create_periode)
        .service(backoffice_activites::update_periode)
        .service(backoffice_activites::run_draw)
        .service(backoffice_activites::get_roster_csv)
        .service(backoffice_activites::get_roster)
        .service(backoffice_activites::enrol_child)
        .service(backoffice_activites::children_of_dossier)
        .service(backoffice_activites::cancel_inscription)
        .service(backoffice_activites::decide)
        .service(backoffice_activites::awaiting)
        .service(backoffice_applications::list_applications)
        .service(backoffice_applications::create_application)
        .service(backoffice_applications::rotate_secret)
        .service(backoffice_applications::revoke_application)
        .service(backoffice_applications::application_webhooks)
        .service(backoffice_applications::webhook_log)
        .service(backoffice_applications::replay_delivery)
        .service(oauth::token)
        .service(integration::feeds::sync_dossiers)
        .service(integration::feeds::get_dossier)
        .service(integration::feeds::sync_demandes)
        .service(integration::feeds::get_demande)
        .service(integration::feeds::sync_pieces)
        .service(integration::feeds::download_piece_file)
        .service(integration::feeds::sync_inscriptions)
        .service(integration::feeds::get_inscription)
        .service(integration::feeds::sync_activites)
        .service(integration::writes::decide_demande)
        .service(integration::writes::create_inscription)
        .service(integration::writes::cancel_inscription)
        .service(integration::writes::set_dossier_reference)
        .service(integration::writes::set_member_reference)
        .service(integration::writes::create_activite)
        .service(integration::writes::update_activite)
        .service(integration::writes::create_periode)
        .service(integration::writes::update_periode)
        .service(integration::webhooks::list_webhooks)
        .service(integration::webhooks::create_webhook)
        .service(integration::webhooks::delete_webhook)
        .service(integration::webhooks::resume_webhook)
        .service(integration::webhooks::webhook_deliveries)
        .service(integration::webhooks::replay_webhook);
}

/// A JSON answer that no cache may keep: account data is personal (SECURITY.md G-07).
pub fn private_json<T: serde::Serialize>(
    status: actix_web::http::StatusCode,
    body: &T,
) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(body)
}

/// The accepted answer of endpoints that must not reveal whether an account exists.
pub fn accepted(message: &str) -> HttpResponse {
    private_json(
        actix_web::http::StatusCode::ACCEPTED,
        &shared::api::registration::AcceptedResponse {
            message: message.to_string(),
        },
    )
}
