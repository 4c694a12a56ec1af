//! Diesel table definitions, one for both backends (see `migrations/{postgres,sqlite}`).

diesel::table! {
    accounts (id) {
        id -> Text,
        username -> Text,
        username_normalized -> Text,
        email -> Text,
        email_normalized -> Text,
        password_hash -> Nullable<Text>,
        state -> Text,
        new_household -> Bool,
        dossier_numero -> Nullable<Text>,
        pending_email -> Nullable<Text>,
        created_at -> Timestamp,
        activated_at -> Nullable<Timestamp>,
        password_changed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    action_tokens (id) {
        id -> Text,
        account_id -> Text,
        purpose -> Text,
        token_hash -> Text,
        new_email -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        account_id -> Text,
        created_at -> Timestamp,
        last_used_at -> Timestamp,
        absolute_expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        session_id -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    connection_logs (id) {
        id -> Text,
        account_id -> Text,
        at -> Timestamp,
        ip -> Text,
        user_agent -> Text,
        success -> Bool,
    }
}

diesel::table! {
    cgu_versions (version) {
        version -> Integer,
        published_at -> Timestamp,
        text -> Text,
    }
}

diesel::table! {
    cgu_acceptances (account_id, version) {
        account_id -> Text,
        version -> Integer,
        accepted_at -> Timestamp,
    }
}

diesel::table! {
    outbox_emails (id) {
        id -> Text,
        kind -> Text,
        to_address -> Text,
        subject -> Text,
        text_body -> Text,
        html_body -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    dossier_references (id) {
        id -> Text,
        numero -> Text,
        nom -> Text,
        prenom -> Text,
        nom_folded -> Text,
        prenom_folded -> Text,
    }
}

diesel::table! {
    failed_logins (id) {
        id -> Text,
        at -> Timestamp,
        ip -> Text,
    }
}

diesel::joinable!(action_tokens -> accounts (account_id));
diesel::joinable!(sessions -> accounts (account_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::joinable!(connection_logs -> accounts (account_id));
diesel::joinable!(cgu_acceptances -> accounts (account_id));
diesel::joinable!(cgu_acceptances -> cgu_versions (version));

diesel::allow_tables_to_appear_in_same_query!(
    accounts,
    action_tokens,
    sessions,
    refresh_tokens,
    connection_logs,
    cgu_versions,
    cgu_acceptances,
    outbox_emails,
    dossier_references,
    failed_logins,
);
