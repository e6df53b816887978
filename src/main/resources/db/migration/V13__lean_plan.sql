-- Issue 20: the planning insert is the one statement that writes every delivery row of a dispatch.
-- * The foreign key to notice, which V2 dropped for costing 30 % of planning and V8 brought back with the
--   partitioned table, cost a trigger call per planned row again. Each notice's rows live in a partition
--   of their own, made by NoticeLifecycle for a notice it has just read, and notices are never deleted:
--   the partition's bound holds the rule the key held.
ALTER TABLE delivery DROP CONSTRAINT delivery_notice_id_fkey;

-- * A retry claim (QUEUED) keeps the due time it was claimed at, so that delivery_due_idx finds it (V12);
--   only the claim makes a row QUEUED. Held here rather than only in DeliveryLedger's queries.
ALTER TABLE delivery ADD CONSTRAINT delivery_claim_has_due_time CHECK (status <> 'QUEUED' OR next_attempt_at IS NOT NULL);
