-- TRUNCATE skips the row triggers that keep audit_log append-only (V7): refuse it as well, whoever asks.
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
