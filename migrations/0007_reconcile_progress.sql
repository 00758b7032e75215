-- Where the reconcile pass (functions/reconcile.py) stands: the scheduled function walks
-- every function-owned Firestore document a bounded slice at a time, resuming here.
CREATE TABLE reconcile_progress (
    id          boolean PRIMARY KEY DEFAULT true CHECK (id),
    -- The phase under way and the last key it finished; phase NULL: no pass under way.
    phase       text,
    after_key   text NOT NULL DEFAULT '',
    started_at  timestamptz,
    -- When the last complete pass ended, and how many documents the pass under way wrote.
    finished_at timestamptz,
    writes      bigint NOT NULL DEFAULT 0
);
INSERT INTO reconcile_progress DEFAULT VALUES;
