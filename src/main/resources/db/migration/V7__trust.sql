-- Trust (issue 10): who did what, and the two-person rule.

ALTER TABLE notice
    ADD COLUMN created_by    text,
    ADD COLUMN approved_by   text,
    ADD COLUMN approved_at   timestamptz,
    ADD COLUMN dispatched_by text;

-- Who did what to which notice, when, from where. Append-only: Herald only inserts, and the table
-- refuses updates and deletes.
CREATE TABLE audit_log (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        timestamptz NOT NULL DEFAULT now(),
    actor     text NOT NULL,
    action    text NOT NULL,
    notice_id bigint,
    address   text,
    detail    text
);
CREATE INDEX audit_log_notice_idx ON audit_log (notice_id, id);
CREATE INDEX audit_log_actor_idx ON audit_log (actor, id);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
