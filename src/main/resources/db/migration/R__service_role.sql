-- Two database roles (README, "Two database roles"): the migrations run as the owner role
-- (quarkus.flyway.username), the service as ${service_role} (quarkus.datasource.username). The service
-- owns the tables it changes the shape of (it attaches and drops the delivery partitions, which needs
-- ownership of delivery), but not audit_log: on that it may only INSERT and SELECT, so that neither a
-- bug nor a stolen service password can rewrite, delete, truncate or un-trigger the record of who did
-- what. The owner role must be a member of the service role (GRANT service TO owner, as bin/services
-- does) so that later migrations may still alter what the service owns.
--
-- Repeatable and safe to run again: Flyway re-applies it when this file or the service role changes
-- (placeholders count in its checksum), so a database first migrated with one role is split when a
-- second is configured. It takes only what the migration role owns (not an extension's or another
-- application's tables), and gives up rather than wait long for a table a running pod holds.
-- A later migration that creates a delivery partition must give it to the service role too, or the
-- retention job could not drop it.

SET LOCAL lock_timeout = '10s';

DO $$
DECLARE
    service text := '${service_role}';
    t record;
BEGIN
    IF service = current_user THEN
        RAISE NOTICE 'one database role (%): it owns audit_log too; only the triggers guard it', service;
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
    FOR t IN SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'S') AND pg_get_userbyid(c.relowner) = current_user
              AND c.relname NOT IN ('audit_log', 'flyway_schema_history')
              -- Not an extension's, and not a sequence a table owns (it follows its table).
              AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                  AND (d.deptype = 'e' OR c.relkind = 'S' AND d.deptype IN ('a', 'i'))) LOOP
        EXECUTE format(CASE WHEN t.relkind = 'S' THEN 'ALTER SEQUENCE %I OWNER TO %I' ELSE 'ALTER TABLE %I OWNER TO %I' END,
            t.relname, service);
    END LOOP;
    EXECUTE format('REVOKE ALL ON audit_log FROM %I', service);
    EXECUTE format('GRANT SELECT, INSERT ON audit_log TO %I', service);
    EXECUTE format('GRANT SELECT ON flyway_schema_history TO %I', service);
    -- Tables later migrations create belong to the owner role: the service may read and write them.
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I',
        service);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO %I', service);
END $$;
