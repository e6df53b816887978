-- The retry scans (claim what is due, find claims gone stale, release claims on resume) read only the
-- rows that carry a due time: retries waiting, fallbacks born due, and retry claims (QUEUED rows keep
-- the due time they were claimed at). Before this index each scan read the whole partition, every
-- rescan-interval and per channel. The index holds none of the columns a send changes on a row that
-- goes straight to SENT (next_attempt_at stays NULL), so those writes stay HOT updates.
UPDATE delivery SET next_attempt_at = updated_at WHERE status = 'QUEUED' AND next_attempt_at IS NULL;
CREATE INDEX delivery_due_idx ON delivery (notice_id, channel, next_attempt_at) WHERE next_attempt_at IS NOT NULL;
