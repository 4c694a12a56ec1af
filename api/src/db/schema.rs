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
        pending_email -> Nullable<Text>,
        created_at -> Timestamp,
        activated_at -> Nullable<Timestamp>,
        password_changed_at -> Nullable<Timestamp>,
        role -> Text,
        totp_secret -> Nullable<Text>,
        totp_enabled_at -> Nullable<Timestamp>,
        totp_last_step -> Nullable<BigInt>,
        last_seen_at -> Nullable<Timestamp>,
        inactivity_warned_at -> Nullable<Timestamp>,
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
        account_id -> Nullable<Text>,
        erase_after -> Nullable<Timestamp>,
        failed_at -> Nullable<Timestamp>,
        attachment_name -> Nullable<Text>,
        attachment -> Nullable<Binary>,
    }
}

diesel::table! {
    failed_logins (id) {
        id -> Text,
        at -> Timestamp,
        ip -> Text,
    }
}

diesel::table! {
    dossiers (id) {
        id -> Text,
        numero -> Nullable<Text>,
        adresse -> Nullable<Text>,
        code_postal -> Nullable<Text>,
        commune -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        contact_email -> Nullable<Text>,
        reference_externe -> Nullable<Text>,
    }
}

diesel::table! {
    dossier_accounts (account_id) {
        account_id -> Text,
        dossier_id -> Text,
        linked_at -> Timestamp,
    }
}

diesel::table! {
    members (id) {
        id -> Text,
        dossier_id -> Text,
        position -> Integer,
        role -> Text,
        sexe -> Nullable<Text>,
        nom -> Nullable<Text>,
        nom_naissance -> Nullable<Text>,
        prenom -> Nullable<Text>,
        autres_prenoms -> Nullable<Text>,
        nom_folded -> Text,
        prenom_folded -> Text,
        a_naitre -> Bool,
        date_naissance -> Nullable<Date>,
        date_naissance_prevue -> Nullable<Date>,
        pays_naissance -> Nullable<Text>,
        commune_naissance -> Nullable<Text>,
        situation_familiale -> Nullable<Text>,
        situation_depuis -> Nullable<Date>,
        telephone_mobile -> Nullable<Text>,
        telephone_fixe -> Nullable<Text>,
        email -> Nullable<Text>,
        profession -> Nullable<Text>,
        employeur -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        reference_externe -> Nullable<Text>,
    }
}

diesel::table! {
    member_links (child_id, adult_id) {
        child_id -> Text,
        adult_id -> Text,
        relation -> Text,
        autorite_parentale -> Bool,
        contact_urgence -> Bool,
        autorise_recuperer -> Bool,
    }
}

diesel::table! {
    demandes (id) {
        id -> Text,
        dossier_id -> Text,
        kind -> Text,
        status -> Text,
        observation -> Nullable<Text>,
        agent_message -> Nullable<Text>,
        snapshot -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        submitted_at -> Nullable<Timestamp>,
        draft_warned_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    demande_events (id) {
        id -> Text,
        demande_id -> Text,
        at -> Timestamp,
        status -> Text,
        actor -> Text,
        actor_account_id -> Nullable<Text>,
        message -> Nullable<Text>,
    }
}

diesel::table! {
    piece_types (code) {
        code -> Text,
        libelle -> Text,
        cible -> Text,
        roles -> Text,
        formats -> Text,
        validite -> Text,
        validite_mois -> Nullable<Integer>,
        emis_depuis_moins_de_mois -> Nullable<Integer>,
        exigence -> Text,
        aide -> Nullable<Text>,
        position -> Integer,
        actif -> Bool,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    pieces (id) {
        id -> Text,
        dossier_id -> Text,
        type_code -> Text,
        member_id -> Nullable<Text>,
        status -> Text,
        motif_refus -> Nullable<Text>,
        presente_le -> Date,
        emis_le -> Date,
        fin_validite -> Nullable<Date>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        commentaire -> Nullable<Text>,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        files_erased_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    counters (name) {
        name -> Text,
        value -> BigInt,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Text,
        at -> Timestamp,
        actor_account_id -> Text,
        actor_role -> Text,
        action -> Text,
        dossier_id -> Text,
        object_id -> Nullable<Text>,
        detail -> Nullable<Text>,
    }
}

diesel::table! {
    piece_files (id) {
        id -> Text,
        piece_id -> Text,
        position -> Integer,
        display_name -> Text,
        format -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (owner_id, idem_key) {
        owner_id -> Text,
        idem_key -> Text,
        fingerprint -> Nullable<Text>,
        response_status -> Nullable<Integer>,
        response_body -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    actualites (id) {
        id -> Text,
        titre -> Text,
        corps -> Text,
        publie_le -> Timestamp,
        a_la_une -> Bool,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    town_settings (id) {
        id -> Integer,
        name -> Text,
        tagline -> Text,
        contact -> Text,
        welcome_text -> Text,
        updated_by -> Nullable<Text>,
        updated_at -> Timestamp,
        codes_postaux -> Text,
        dpo_contact -> Text,
    }
}

diesel::table! {
    faq (id) {
        id -> Text,
        question -> Text,
        reponse -> Text,
        categorie -> Text,
        position -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    documents (id) {
        id -> Text,
        titre -> Text,
        categorie -> Text,
        display_name -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    rattachements (id) {
        id -> Text,
        account_id -> Text,
        dossier_id -> Text,
        numero -> Text,
        nom -> Text,
        prenom -> Text,
        method -> Text,
        status -> Text,
        code_hash -> Nullable<Text>,
        code_expires_at -> Nullable<Timestamp>,
        code_attempts -> Integer,
        codes_sent -> Integer,
        code_sent_at -> Nullable<Timestamp>,
        demande_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    activites (id) {
        id -> Text,
        nom -> Text,
        description -> Text,
        categorie -> Text,
        lieu -> Text,
        age_min -> Integer,
        age_max -> Integer,
        tarifs -> Text,
        publiee -> Bool,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    activite_pieces (activite_id, piece_type) {
        activite_id -> Text,
        piece_type -> Text,
    }
}

diesel::table! {
    periodes (id) {
        id -> Text,
        activite_id -> Text,
        libelle -> Text,
        premier_jour -> Date,
        dernier_jour -> Date,
        horaires -> Text,
        capacite -> Integer,
        places_prises -> Integer,
        ouverture -> Timestamp,
        ouverture_residents -> Nullable<Timestamp>,
        fermeture -> Timestamp,
        annulation_jours -> Integer,
        limite_famille -> Nullable<Integer>,
        liste_attente -> Bool,
        mode_validation -> Text,
        offre_heures -> Nullable<Integer>,
        statut -> Text,
        dernier_rang -> Integer,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        attribution -> Text,
        tirage_id -> Nullable<Text>,
        tirage_le -> Nullable<Timestamp>,
        tirage_places -> Nullable<Integer>,
    }
}

diesel::table! {
    tirages (id) {
        id -> Text,
        activite_id -> Text,
        fermeture -> Timestamp,
        graine -> Text,
        graine_tirage -> Nullable<Text>,
        tirage_le -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    voeux (id) {
        id -> Text,
        tirage_id -> Text,
        periode_id -> Text,
        member_id -> Text,
        dossier_id -> Text,
        demandeur_id -> Nullable<Text>,
        rang -> Integer,
        resident -> Nullable<Bool>,
        tirage -> Nullable<Text>,
        resultat -> Nullable<Text>,
        position -> Nullable<Integer>,
        ordre -> Nullable<Integer>,
        inscription_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    inscriptions (id) {
        id -> Text,
        periode_id -> Text,
        member_id -> Text,
        dossier_id -> Text,
        demandeur_id -> Nullable<Text>,
        par_agent -> Bool,
        statut -> Text,
        rang -> Integer,
        offre_expire_at -> Nullable<Timestamp>,
        motif -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    applications (id) {
        id -> Text,
        name -> Text,
        contact_email -> Text,
        scopes -> Text,
        created_at -> Timestamp,
        created_by -> Text,
        revoked_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
        request_count -> BigInt,
    }
}

diesel::table! {
    application_secrets (id) {
        id -> Text,
        application_id -> Text,
        secret_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sync_changes (seq) {
        seq -> BigInt,
        txid -> BigInt,
        resource -> Text,
        object_id -> Text,
        dossier_id -> Text,
        deleted -> Bool,
        at -> Timestamp,
    }
}

diesel::table! {
    webhook_subscriptions (id) {
        id -> Text,
        application_id -> Text,
        url -> Text,
        events -> Text,
        secret -> Text,
        created_at -> Timestamp,
        paused_at -> Nullable<Timestamp>,
        pause_reason -> Nullable<Text>,
    }
}

diesel::table! {
    webhook_events (id) {
        id -> Text,
        kind -> Text,
        payload -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        subscription_id -> Text,
        event_id -> Text,
        state -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_status -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        delivered_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    webhook_attempts (id) {
        id -> Text,
        delivery_id -> Text,
        at -> Timestamp,
        status_code -> Nullable<Integer>,
        error -> Nullable<Text>,
        duration_ms -> Integer,
    }
}

diesel::table! {
    file_scans (object_id) {
        object_id -> Text,
        shelf -> Text,
        state -> Text,
        signature -> Nullable<Text>,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        scanned_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    rate_counters (bucket, key, window_start) {
        bucket -> Text,
        key -> Text,
        window_start -> Timestamp,
        count -> Integer,
    }
}

diesel::table! {
    login_locks (account_key, origin) {
        account_key -> Text,
        origin -> Text,
        consecutive_failures -> Integer,
        locked_until -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    data_exports (id) {
        id -> Text,
        account_id -> Text,
        state -> Text,
        requested_at -> Timestamp,
        lease_until -> Nullable<Timestamp>,
        attempts -> Integer,
        ready_at -> Nullable<Timestamp>,
        expires_at -> Nullable<Timestamp>,
        size_bytes -> Nullable<BigInt>,
        last_error -> Nullable<Text>,
        download_token_hash -> Nullable<Text>,
        download_expires_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(application_secrets -> applications (application_id));
diesel::joinable!(webhook_subscriptions -> applications (application_id));
diesel::joinable!(webhook_deliveries -> webhook_subscriptions (subscription_id));
diesel::joinable!(webhook_deliveries -> webhook_events (event_id));
diesel::joinable!(webhook_attempts -> webhook_deliveries (delivery_id));
diesel::joinable!(action_tokens -> accounts (account_id));
diesel::joinable!(sessions -> accounts (account_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::joinable!(connection_logs -> accounts (account_id));
diesel::joinable!(data_exports -> accounts (account_id));
diesel::joinable!(cgu_acceptances -> accounts (account_id));
diesel::joinable!(cgu_acceptances -> cgu_versions (version));
diesel::joinable!(dossier_accounts -> accounts (account_id));
diesel::joinable!(dossier_accounts -> dossiers (dossier_id));
diesel::joinable!(members -> dossiers (dossier_id));
diesel::joinable!(demandes -> dossiers (dossier_id));
diesel::joinable!(demande_events -> demandes (demande_id));
diesel::joinable!(pieces -> dossiers (dossier_id));
diesel::joinable!(pieces -> piece_types (type_code));
diesel::joinable!(piece_files -> pieces (piece_id));
diesel::joinable!(rattachements -> accounts (account_id));
diesel::joinable!(outbox_emails -> accounts (account_id));
diesel::joinable!(rattachements -> dossiers (dossier_id));
diesel::joinable!(activite_pieces -> activites (activite_id));
diesel::joinable!(activite_pieces -> piece_types (piece_type));
diesel::joinable!(periodes -> activites (activite_id));
diesel::joinable!(inscriptions -> periodes (periode_id));
diesel::joinable!(inscriptions -> members (member_id));
diesel::joinable!(inscriptions -> dossiers (dossier_id));
diesel::joinable!(periodes -> tirages (tirage_id));
diesel::joinable!(tirages -> activites (activite_id));
diesel::joinable!(voeux -> tirages (tirage_id));
diesel::joinable!(voeux -> periodes (periode_id));
diesel::joinable!(voeux -> members (member_id));

diesel::allow_tables_to_appear_in_same_query!(
    accounts,
    data_exports,
    file_scans,
    login_locks,
    rate_counters,
    applications,
    application_secrets,
    sync_changes,
    webhook_subscriptions,
    webhook_events,
    webhook_deliveries,
    webhook_attempts,
    tirages,
    voeux,
    activites,
    activite_pieces,
    periodes,
    inscriptions,
    action_tokens,
    sessions,
    refresh_tokens,
    connection_logs,
    cgu_versions,
    cgu_acceptances,
    outbox_emails,
    failed_logins,
    dossiers,
    dossier_accounts,
    members,
    member_links,
    demandes,
    demande_events,
    piece_types,
    pieces,
    piece_files,
    idempotency_keys,
    counters,
    audit_log,
    actualites,
    faq,
    documents,
    town_settings,
    rattachements,
);
