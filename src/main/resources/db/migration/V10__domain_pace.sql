-- The pace of each receiving domain group (gmail.com with googlemail.com, ...) for the whole fleet.
-- An operator may set a limit; a deferral for the sender's pace (421 4.7.28 ...) sets the learned rate,
-- which grows back additively once the group is quiet. Only channel.email.DomainPaces writes this table.
CREATE TABLE email_domain_pace (
    domain_group        text PRIMARY KEY,
    limit_per_second    double precision CHECK (limit_per_second > 0),
    learned_per_second  double precision CHECK (learned_per_second > 0),
    deferring_since     timestamptz,
    last_deferral_at    timestamptz,
    last_reply          text,
    updated_at          timestamptz NOT NULL DEFAULT now()
);

-- A delivery postponed for its domain group's pace names that group until it is sent: the retry scan
-- hands such rows to the channel's "later" queue, whose senders may wait for the group's pace without
-- holding up fresh batches. Nullable columns without a default rewrite no partition.
-- deferrals counts the provider's deferrals for the sender's pace (no attempt counted for them), so that a
-- reply taken for one by mistake cannot postpone a delivery forever (herald.retry.max-deferrals). NULL for
-- none: a delivery never deferred stores nothing for either column.
ALTER TABLE delivery ADD COLUMN waiting_for text, ADD COLUMN deferrals smallint;
