-- A delivery row is now written once after it is planned: by the worker, with its outcome.
-- Handing a never-attempted delivery to the broker no longer rewrites it; such a row stays
-- PENDING (next_attempt_at NULL) behind the notice's dispatch_cursor and counts as QUEUED in
-- delivery_count. Retries still claim their rows (status QUEUED): they are few.
--
-- Each window of deliveries handed to the broker is recorded here, so that the sweeper can find
-- deliveries whose message or pod was lost: one row per window (max-in-flight deliveries).
CREATE TABLE dispatch_window (
    notice_id    bigint NOT NULL,
    first_id     bigint NOT NULL,
    last_id      bigint NOT NULL,
    published_at timestamptz NOT NULL,
    PRIMARY KEY (notice_id, last_id)
);

-- Batches take every K-th delivery of a window, so one worker transaction changes about one row
-- per page; the dead versions are pruned between transactions and the update stays HOT with little
-- free space per page.
ALTER TABLE delivery SET (fillfactor = 85);

-- The status a caller sees: never-attempted deliveries already handed to the broker are QUEUED.
CREATE VIEW delivery_view AS
SELECT d.*,
       CASE WHEN d.status = 'PENDING' AND d.next_attempt_at IS NULL AND d.id <= n.dispatch_cursor
            THEN 'QUEUED'::delivery_status ELSE d.status END AS state,
       n.name AS notice_name
  FROM delivery d JOIN notice n ON n.id = d.notice_id;
