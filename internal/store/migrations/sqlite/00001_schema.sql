-- All times are UTC epoch milliseconds. Every table carries account_id and
-- every index that serves a query starts with it.

-- +goose Up
CREATE TABLE accounts (
    id              INTEGER PRIMARY KEY,
    name            TEXT    NOT NULL,
    time_zone       TEXT    NOT NULL,
    default_country TEXT    NOT NULL,
    settings        TEXT    NOT NULL DEFAULT '{}',
    created_at      INTEGER NOT NULL
);

CREATE TABLE api_keys (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts (id),
    name         TEXT    NOT NULL,
    key_hash     TEXT    NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL
);

CREATE TABLE provider_connections (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    kind       TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    secret     TEXT    NOT NULL,
    settings   TEXT    NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL
);
CREATE INDEX provider_connections_account ON provider_connections (account_id, id);

CREATE TABLE contacts (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts (id),
    phone           TEXT,
    viber_user_id   TEXT,
    email           TEXT,
    external_id     TEXT,
    first_name      TEXT    NOT NULL DEFAULT '',
    last_name       TEXT    NOT NULL DEFAULT '',
    language        TEXT    NOT NULL DEFAULT '',
    custom_fields   TEXT    NOT NULL DEFAULT '{}',
    unsubscribed_at INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX contacts_phone ON contacts (account_id, phone);
CREATE UNIQUE INDEX contacts_viber_user ON contacts (account_id, viber_user_id);
CREATE UNIQUE INDEX contacts_external ON contacts (account_id, external_id);
CREATE INDEX contacts_email ON contacts (account_id, email);

CREATE TABLE contact_lists (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX contact_lists_account ON contact_lists (account_id, id);

CREATE TABLE contact_list_members (
    account_id INTEGER NOT NULL,
    list_id    INTEGER NOT NULL REFERENCES contact_lists (id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL REFERENCES contacts (id),
    added_at   INTEGER NOT NULL,
    PRIMARY KEY (account_id, list_id, contact_id)
);

CREATE TABLE segments (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    name       TEXT    NOT NULL,
    list_id    INTEGER REFERENCES contact_lists (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX segments_account ON segments (account_id, id);

CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts (id),
    name            TEXT    NOT NULL,
    text            TEXT    NOT NULL DEFAULT '',
    image_url       TEXT    NOT NULL DEFAULT '',
    button_caption  TEXT    NOT NULL DEFAULT '',
    button_url      TEXT    NOT NULL DEFAULT '',
    ios_expiry_text TEXT    NOT NULL DEFAULT '',
    ttl_seconds     INTEGER NOT NULL,
    tags            TEXT    NOT NULL DEFAULT '[]',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX messages_account ON messages (account_id, id);

CREATE TABLE message_versions (
    account_id      INTEGER NOT NULL,
    message_id      INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    language        TEXT    NOT NULL,
    text            TEXT    NOT NULL DEFAULT '',
    image_url       TEXT    NOT NULL DEFAULT '',
    button_caption  TEXT    NOT NULL DEFAULT '',
    button_url      TEXT    NOT NULL DEFAULT '',
    ios_expiry_text TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (account_id, message_id, language)
);

CREATE TABLE campaigns (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id),
    name        TEXT    NOT NULL,
    message_id  INTEGER NOT NULL REFERENCES messages (id),
    segment_id  INTEGER REFERENCES segments (id),
    provider_id INTEGER NOT NULL REFERENCES provider_connections (id),
    tags        TEXT    NOT NULL DEFAULT '[]',
    ttl_seconds INTEGER NOT NULL,
    launched_by TEXT    NOT NULL DEFAULT '',
    segment_updated_at INTEGER,
    started_at  INTEGER,
    finished_at INTEGER,
    deleted_at  INTEGER,
    created_at  INTEGER NOT NULL
);
CREATE INDEX campaigns_account ON campaigns (account_id, id);

CREATE TABLE campaign_tags (
    account_id  INTEGER NOT NULL,
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    tag         TEXT    NOT NULL,
    PRIMARY KEY (account_id, campaign_id, tag)
);
CREATE INDEX campaign_tags_tag ON campaign_tags (account_id, tag);

-- status: 0 not sent, 1 sent, 2 failed, 3 delivered, 4 read, 5 clicked.
CREATE TABLE deliveries (
    id                  INTEGER PRIMARY KEY,
    account_id          INTEGER NOT NULL,
    campaign_id         INTEGER NOT NULL REFERENCES campaigns (id),
    contact_id          INTEGER NOT NULL REFERENCES contacts (id),
    provider_id         INTEGER NOT NULL,
    provider_message_id TEXT,
    language            TEXT    NOT NULL DEFAULT '',
    status              INTEGER NOT NULL,
    not_sent_reason     TEXT    NOT NULL DEFAULT '',
    sent_at             INTEGER,
    delivered_at        INTEGER,
    read_at             INTEGER,
    clicked_at          INTEGER,
    failed_at           INTEGER,
    expires_at          INTEGER,
    unsubscribed_at     INTEGER,
    failure_reason      TEXT    NOT NULL DEFAULT '',
    failure_detail      TEXT    NOT NULL DEFAULT '',
    clicks_total        INTEGER NOT NULL DEFAULT 0,
    click_os            TEXT    NOT NULL DEFAULT '',
    created_at          INTEGER NOT NULL
);
CREATE UNIQUE INDEX deliveries_provider_message ON deliveries (account_id, provider_id, provider_message_id);
CREATE UNIQUE INDEX deliveries_campaign_contact ON deliveries (account_id, campaign_id, contact_id)
    WHERE not_sent_reason <> 'duplicate';
CREATE INDEX deliveries_campaign_status ON deliveries (account_id, campaign_id, status, id);
CREATE INDEX deliveries_campaign ON deliveries (account_id, campaign_id, id);
CREATE INDEX deliveries_pending_expiry ON deliveries (account_id, expires_at) WHERE status = 1;

CREATE TABLE delivery_clicks (
    account_id  INTEGER NOT NULL,
    delivery_id INTEGER NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    link        TEXT    NOT NULL,
    clicks      INTEGER NOT NULL,
    first_at    INTEGER NOT NULL,
    PRIMARY KEY (account_id, delivery_id, link)
);

-- Each received callback body, byte for byte, as the provider sent it.
CREATE TABLE callbacks (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL,
    provider_id INTEGER,
    variant     TEXT    NOT NULL DEFAULT '',
    received_at INTEGER NOT NULL,
    body        BLOB    NOT NULL
);

-- The append-only history of status events. A parked event names a
-- provider message no delivery is registered for yet.
CREATE TABLE events (
    id                  INTEGER PRIMARY KEY,
    account_id          INTEGER NOT NULL,
    provider_id         INTEGER NOT NULL,
    callback_id         INTEGER REFERENCES callbacks (id),
    dedupe_key          TEXT    NOT NULL,
    provider_message_id TEXT    NOT NULL,
    delivery_id         INTEGER,
    parked              INTEGER NOT NULL,
    kind                TEXT    NOT NULL,
    occurred_at         INTEGER NOT NULL,
    received_at         INTEGER NOT NULL,
    reason              TEXT    NOT NULL DEFAULT '',
    reason_detail       TEXT    NOT NULL DEFAULT '',
    link                TEXT    NOT NULL DEFAULT '',
    device_os           TEXT    NOT NULL DEFAULT '',
    viber_user_id       TEXT    NOT NULL DEFAULT '',
    phone               TEXT    NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX events_dedupe ON events (account_id, provider_id, dedupe_key);
CREATE INDEX events_parked ON events (account_id, provider_id, provider_message_id) WHERE parked = 1;
CREATE INDEX events_delivery ON events (account_id, delivery_id);

CREATE TABLE campaign_counters (
    account_id  INTEGER NOT NULL,
    campaign_id INTEGER NOT NULL,
    dimension   TEXT    NOT NULL,
    key         TEXT    NOT NULL,
    metric      TEXT    NOT NULL,
    value       INTEGER NOT NULL,
    PRIMARY KEY (account_id, campaign_id, dimension, key, metric)
);

-- +goose Down
DROP TABLE campaign_counters;
DROP TABLE events;
DROP TABLE callbacks;
DROP TABLE delivery_clicks;
DROP TABLE deliveries;
DROP TABLE campaign_tags;
DROP TABLE campaigns;
DROP TABLE message_versions;
DROP TABLE messages;
DROP TABLE segments;
DROP TABLE contact_list_members;
DROP TABLE contact_lists;
DROP TABLE contacts;
DROP TABLE provider_connections;
DROP TABLE api_keys;
DROP TABLE accounts;
