-- Measured on 2 cores with 1M-row notices (see README, "Where the time goes"):
-- * The foreign key to notice cost a trigger call per planned row (30% of planning time).
--   Notices are never deleted and only the planner inserts deliveries, for a notice it has just read.
ALTER TABLE delivery DROP CONSTRAINT delivery_notice_id_fkey;

-- * The unique index carried the whole destination (an email address, later a push token of ~160
--   bytes). A 64-bit hash of it keeps the same rule at a fraction of the size; customer_id still
--   leads, so the index also serves the support lookup by customer.
DROP INDEX delivery_customer_notice_uq;
CREATE UNIQUE INDEX delivery_customer_notice_uq
    ON delivery (customer_id, notice_id, channel, hashtextextended(coalesce(destination, ''), 0));

-- * Every row is updated twice (claimed, then its outcome) by statements that touch every row of
--   a page at once; the page must hold a second version of each of its rows for those updates to
--   stay HOT (no new index entries, dead versions pruned in place).
ALTER TABLE delivery SET (fillfactor = 50);
