-- Issue 20: a lease checks the ids of its batch against every lease of its notice and channel, and
-- unnesting all of them (16 leases of 250 ids for two SMTP connections) was half of its time. A lease's
-- lowest and highest id let the check skip every lease that cannot overlap the batch without reading its
-- array. The engine writes both; the defaults, which overlap every batch, hold for the leases of a
-- running send and for those a pod of the previous version writes during a rollout, so that those are
-- still checked id by id.
ALTER TABLE delivery_lease ADD COLUMN first_id bigint NOT NULL DEFAULT 0,
                           ADD COLUMN last_id bigint NOT NULL DEFAULT 9223372036854775807;
