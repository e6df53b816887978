-- Proof for the regulator (issue 11): the laws a notice answers to and its breach facts, the hash of
-- what each delivery sent, first and last delivery times, and deliveries partitioned by notice so
-- that a notice's rows can be removed at the end of their retention without a table-wide delete.

ALTER TABLE notice
    ADD COLUMN jurisdictions    text[] NOT NULL DEFAULT '{GENERIC}',
    ADD COLUMN facts            jsonb,
    ADD COLUMN warnings         text[] NOT NULL DEFAULT '{}',
    -- Where the signed evidence export was written before the notice's deliveries were removed.
    ADD COLUMN evidence_archive text,
    ADD COLUMN purged_at        timestamptz;

-- When each channel first and last had a message accepted for the notice (the clock's first and last delivery).
ALTER TABLE delivery_count
    ADD COLUMN first_at timestamptz,
    ADD COLUMN last_at  timestamptz;

-- Ids: fallbacks take them from this sequence (2^62 up, as V6 set); planned rows get blocks of their own.
CREATE SEQUENCE delivery_ids AS bigint START WITH 4611686018427387904;
SELECT setval('delivery_ids', greatest(4611686018427387904, (SELECT coalesce(max(id), 0) FROM delivery
                                                                 WHERE id >= 4611686018427387904) + 1), false);

ALTER TABLE delivery RENAME TO delivery_unpartitioned;
ALTER TABLE delivery_unpartitioned RENAME CONSTRAINT delivery_pkey TO delivery_unpartitioned_pkey;
ALTER INDEX delivery_customer_notice_uq RENAME TO delivery_unpartitioned_uq;

-- One partition per notice, created when it is dispatched (NoticeLifecycle), each with the fillfactor
-- that keeps outcome writes HOT. The support lookup by customer probes each partition's index.
CREATE TABLE delivery (
    notice_id           bigint NOT NULL REFERENCES notice (id),
    id                  bigint NOT NULL DEFAULT nextval('delivery_ids'),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    next_attempt_at     timestamptz,
    channel             delivery_channel NOT NULL,
    status              delivery_status  NOT NULL,
    attempts            smallint NOT NULL DEFAULT 0,
    customer_id         text COLLATE "C" NOT NULL,
    destination         text,
    last_error          text,
    provider_message_id text,
    fallback_of         bigint,
    -- SHA-256 of the exact bytes handed to the provider (MIME message, push payload).
    content_sha256      bytea,
    PRIMARY KEY (notice_id, id)
) PARTITION BY LIST (notice_id);
ALTER SEQUENCE delivery_ids OWNED BY delivery.id;

CREATE UNIQUE INDEX delivery_customer_notice_uq
    ON delivery (customer_id, notice_id, channel, hashtextextended(coalesce(destination, ''), 0));

DO $$
DECLARE n bigint;
BEGIN
    FOR n IN SELECT DISTINCT notice_id FROM delivery_unpartitioned LOOP
        EXECUTE format('CREATE TABLE delivery_%s (LIKE delivery INCLUDING DEFAULTS) WITH (fillfactor = 80)', n);
        EXECUTE format('ALTER TABLE delivery ATTACH PARTITION delivery_%s FOR VALUES IN (%s)', n, n);
    END LOOP;
END $$;

INSERT INTO delivery (notice_id, id, updated_at, next_attempt_at, channel, status, attempts, customer_id,
                      destination, last_error, provider_message_id, fallback_of)
SELECT notice_id, id, updated_at, next_attempt_at, channel, status, attempts, customer_id,
       destination, last_error, provider_message_id, fallback_of
  FROM delivery_unpartitioned;
DROP TABLE delivery_unpartitioned;

-- A notice's timeline events go with its deliveries.
CREATE INDEX delivery_event_notice_idx ON delivery_event (notice_id);
