-- Operators pause, resume and cancel a running notice.
ALTER TABLE notice ADD COLUMN paused_at timestamptz, ADD COLUMN cancelled_at timestamptz;

-- Addresses that must not be mailed again: a hard bounce or a complaint put them here.
-- Lower-cased; planning skips them with the reason.
CREATE TABLE suppressed_address (
    address     text COLLATE "C" PRIMARY KEY,
    reason      text NOT NULL CHECK (reason IN ('HARD_BOUNCE', 'COMPLAINT')),
    detail      text,
    notice_id   bigint,
    delivery_id bigint,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Provider events already applied, by the provider's own id: a replayed event changes nothing.
CREATE TABLE provider_event (
    source      text NOT NULL,
    event_id    text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    outcome     text NOT NULL,
    PRIMARY KEY (source, event_id)
);

-- Send limits per channel and relay, for the whole fleet; changed at runtime, every pod reads
-- them every few seconds and takes its share (limit / live pods).
CREATE TABLE send_limit (
    channel             delivery_channel NOT NULL,
    relay               text NOT NULL,
    messages_per_second double precision NOT NULL CHECK (messages_per_second > 0),
    connections         integer NOT NULL CHECK (connections > 0),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (channel, relay)
);

-- The pods alive, for sharing the send limits; a pod refreshes its row while it runs.
CREATE TABLE pod (
    id      text PRIMARY KEY,
    seen_at timestamptz NOT NULL
);
