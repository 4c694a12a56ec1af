-- Webhooks (issue 14): a connected application subscribes a URL to events; each event is
-- written in the same transaction as the change it tells (an outbox), then delivered at
-- least once, signed as the Standard Webhooks specification says, retried with backoff
-- for three days, after which the subscription is paused and its contact emailed.

CREATE TABLE webhook_subscriptions (
    id TEXT PRIMARY KEY NOT NULL,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    -- Space-separated event types (`demande.validee` …); checked by the server.
    events TEXT NOT NULL,
    -- The signing secret (`whsec_…`), sealed with SECRETS_KEY like staff TOTP secrets: a
    -- leaked database must not let anyone forge the town's events.
    secret TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    -- Set when deliveries failed for three days (or the application was revoked): nothing
    -- is sent until the application resumes it.
    paused_at TIMESTAMP,
    pause_reason TEXT
);
CREATE INDEX webhook_subscriptions_application ON webhook_subscriptions (application_id);

-- What happened, once, whoever listens.
CREATE TABLE webhook_events (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    -- The JSON body sent: {"type", "timestamp", "data"}.
    payload TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- One event to one subscription; its id is the `webhook-id` the receiver de-duplicates on.
CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY NOT NULL,
    subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    event_id TEXT NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
    state TEXT NOT NULL CHECK (state IN ('en_attente', 'envoi', 'livree', 'abandonnee')),
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    -- When it is due; while `envoi`, when the lease of the worker sending it ends.
    next_attempt_at TIMESTAMP NOT NULL,
    last_status INTEGER,
    last_error TEXT,
    delivered_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription_id, created_at);

-- Every attempt, with the receiver's status code: the delivery log.
CREATE TABLE webhook_attempts (
    id TEXT PRIMARY KEY NOT NULL,
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    at TIMESTAMP NOT NULL,
    status_code INTEGER,
    error TEXT,
    duration_ms INTEGER NOT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, at);
