-- Issue 20: a lease checks the ids of its batch against every lease of its notice and channel, and
-- unnesting all of them (16 leases of 250 ids for two SMTP connections) was half of its time. A lease's
-- lowest and highest id let the check skip every lease that cannot overlap the batch without reading its
-- array. Leases of a running send are filled in here; the engine writes both for every new one.
ALTER TABLE delivery_lease ADD COLUMN first_id bigint, ADD COLUMN last_id bigint;
UPDATE delivery_lease SET first_id = (SELECT min(x) FROM unnest(ids) x), last_id = (SELECT max(x) FROM unnest(ids) x);
ALTER TABLE delivery_lease ALTER COLUMN first_id SET NOT NULL, ALTER COLUMN last_id SET NOT NULL;
