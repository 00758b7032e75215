-- The message trigger asks when a person's standing in a room last changed, to tell a
-- message that slipped through a stale mirror from one sent just before a removal or block.
CREATE INDEX outbox_room_history_idx ON outbox (subject_id, created_at) WHERE topic = 'room';
