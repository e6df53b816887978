-- Two database roles (issue 19): the migrations run as the owner role (quarkus.flyway.username), the
-- service as ${service_role} (quarkus.datasource.username). The service owns the tables it changes the
-- shape of (it attaches and drops the delivery partitions, which needs ownership of delivery), but not
-- audit_log: on that it may only INSERT and SELECT, so that neither a bug nor a stolen service
-- password can rewrite, delete, truncate or un-trigger the record of who did what.
-- The owner role must be a member of the service role (GRANT service TO owner, as bin/services does),
-- so that later migrations may still alter the tables the service owns.
-- With a single role (the service role is the owner) only the TRUNCATE guard below applies.

CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();

DO $$
DECLARE
    service text := '${service_role}';
    t record;
BEGIN
    IF service = current_user THEN
        RAISE NOTICE 'one database role (%): the service owns audit_log; only its triggers guard it', service;
        RETURN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = service) THEN
        RAISE EXCEPTION 'the service role "%" does not exist: create it as bin/services does, or set '
            'quarkus.flyway.placeholders.service_role to the role of quarkus.datasource.username', service;
    END IF;
    IF NOT pg_has_role(current_user, service, 'MEMBER') THEN
        RAISE EXCEPTION 'the migration role "%" must be a member of the service role "%" (GRANT % TO %)',
            current_user, service, service, current_user;
    END IF;
    -- A new owner needs CREATE on the schema; the service needs it too, for the partitions it adds.
    EXECUTE format('GRANT USAGE, CREATE ON SCHEMA public TO %I', service);
    FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public'
            AND tablename NOT IN ('audit_log', 'flyway_schema_history') LOOP
        EXECUTE format('ALTER TABLE %I OWNER TO %I', t.tablename, service);
    END LOOP;
    FOR t IN SELECT sequencename FROM pg_sequences s WHERE schemaname = 'public' AND NOT EXISTS (
            SELECT FROM pg_depend d WHERE d.objid = format('%I.%I', s.schemaname, s.sequencename)::regclass
              AND d.deptype IN ('a', 'i')) LOOP
        EXECUTE format('ALTER SEQUENCE %I OWNER TO %I', t.sequencename, service);
    END LOOP;
    EXECUTE format('REVOKE ALL ON audit_log FROM %I', service);
    EXECUTE format('GRANT SELECT, INSERT ON audit_log TO %I', service);
    EXECUTE format('GRANT SELECT ON flyway_schema_history TO %I', service);
    -- Tables later migrations create belong to the owner role: the service may read and write them.
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I',
        service);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO %I', service);
END $$;
