-- One delivery engine for every channel (issue 8).
--
-- * Planning runs in parallel key ranges ("plan chunks"), each in its own transaction. A chunk's
--   delivery ids are a block of their own (chunk_no << 24 plus the row's number), so ids of chunks
--   committed out of order never interleave, and the dispatcher hands out ids only below the first
--   chunk not yet planned.
-- * Each channel has its own dispatch cursor and windows, so one channel can wait (its provider is
--   down) while the others go on.
-- * A worker claims a batch with a lease (a row here naming its pod) in a short transaction, sends
--   outside any transaction, and records outcomes as it goes. The lease, not a row lock, keeps a second
--   worker off those deliveries; the sweeper takes back the leases of pods that stopped beating.

CREATE SEQUENCE plan_chunk_seq;
-- Blocks of existing ids must stay below the new ones.
SELECT setval('plan_chunk_seq', (SELECT coalesce(max(id), 0) FROM delivery) / 16777216 + 1);

CREATE TABLE plan_chunk (
    notice_id  bigint NOT NULL,
    chunk_no   bigint NOT NULL,
    -- customers with after_key < id <= upto_key; upto_key NULL: to the end of the audience
    after_key  text COLLATE "C" NOT NULL,
    upto_key   text COLLATE "C",
    planned_at timestamptz,
    PRIMARY KEY (notice_id, chunk_no)
);

-- A notice being planned when this migration ran resumes after its cursor as one chunk.
INSERT INTO plan_chunk (notice_id, chunk_no, after_key, upto_key)
SELECT id, nextval('plan_chunk_seq'), coalesce(plan_cursor, ''), NULL
  FROM notice WHERE status IN ('DISPATCHING', 'PAUSED') AND planned_at IS NULL;

CREATE TABLE dispatch_cursor (
    notice_id bigint NOT NULL,
    channel   delivery_channel NOT NULL,
    position  bigint NOT NULL,
    PRIMARY KEY (notice_id, channel)
);
INSERT INTO dispatch_cursor (notice_id, channel, position)
SELECT id, 'EMAIL', dispatch_cursor FROM notice WHERE dispatch_cursor > 0;

ALTER TABLE dispatch_window ADD COLUMN channel delivery_channel NOT NULL DEFAULT 'EMAIL';
ALTER TABLE dispatch_window ALTER COLUMN channel DROP DEFAULT;
ALTER TABLE dispatch_window DROP CONSTRAINT dispatch_window_pkey;
ALTER TABLE dispatch_window ADD PRIMARY KEY (notice_id, channel, last_id);

-- The QUEUED rule (a never-attempted delivery behind its channel's cursor counts as QUEUED) now lives
-- in the delivery ledger's code only.
DROP VIEW delivery_view;
ALTER TABLE notice DROP COLUMN plan_cursor, DROP COLUMN dispatch_cursor;

-- Why a notice was paused by Herald itself rather than by an operator (a provider refused Herald's credentials).
ALTER TABLE notice ADD COLUMN pause_reason text;

CREATE TABLE delivery_lease (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pod        text NOT NULL,
    notice_id  bigint NOT NULL,
    channel    delivery_channel NOT NULL,
    ids        bigint[] NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX delivery_lease_notice_idx ON delivery_lease (notice_id, channel);

-- A channel whose provider cannot be reached: nothing is sent on it until a probe gets an answer.
CREATE TABLE channel_state (
    channel    delivery_channel PRIMARY KEY,
    down_since timestamptz NOT NULL,
    reason     text NOT NULL
);
