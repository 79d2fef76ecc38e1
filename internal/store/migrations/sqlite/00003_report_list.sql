-- Serves the report list: newest campaigns first by send time, lookups by
-- message id, and search by name and tag ignoring case.
--
-- search_name and search_tags hold the campaign's name and tags lowercased
-- by Go's strings.ToLower. SQLite's LOWER() folds only ASCII, and both
-- engines must match Cyrillic names alike. search_tags wraps each tag in
-- line feeds ("\nsale\nspring\n") so that a LIKE pattern can match one
-- whole tag. The store writes both whenever it writes a campaign.

-- +goose Up
ALTER TABLE campaigns ADD COLUMN search_name TEXT;
ALTER TABLE campaigns ADD COLUMN search_tags TEXT;
CREATE INDEX campaigns_account_sent ON campaigns (account_id, (COALESCE(started_at, created_at)), id);
CREATE INDEX campaigns_account_message ON campaigns (account_id, message_id);

-- +goose Down
DROP INDEX campaigns_account_message;
DROP INDEX campaigns_account_sent;
ALTER TABLE campaigns DROP COLUMN search_tags;
ALTER TABLE campaigns DROP COLUMN search_name;
