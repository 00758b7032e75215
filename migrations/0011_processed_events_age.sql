-- The scheduled purge of old push claims (db/notifications.purge_processed_events) finds
-- them by age.
CREATE INDEX processed_events_age_idx ON processed_events (processed_at);
