package dev.herald.customer;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.herald.ops.InvalidInputException;
import dev.herald.ops.Jdbc;
import dev.herald.ops.NotFoundException;
import io.agroal.api.AgroalDataSource;

/**
 * The device table: customers' push endpoints. A token is unique per platform and app; registering
 * it again, for the same customer or another one (the phone changed hands), makes it that customer's
 * and active again. A token the provider reports gone is deactivated with the reason.
 */
@ApplicationScoped
public class DeviceStore {

    private static final Logger LOG = Logger.getLogger(DeviceStore.class);

    private static final String COLUMNS = """
            id, customer_id, platform::text, app_id, token, sandbox, active, deactivated_reason, deactivated_at,
            created_at, updated_at""";

    /** An import's devices, staged beside its customers; emptied at every commit. */
    static final String STAGING = """
            CREATE TEMP TABLE IF NOT EXISTS device_import (
                seq bigint, customer_id text COLLATE "C", platform text, app_id text, token text, sandbox boolean)
                ON COMMIT DELETE ROWS""";

    /** Upserts by token; when one token comes twice in a batch, its last line wins. */
    private static final String UPSERT = """
            INSERT INTO device AS d (customer_id, platform, app_id, token, sandbox)
            %s
            ON CONFLICT (platform, app_id, token) DO UPDATE
               SET customer_id = excluded.customer_id, sandbox = excluded.sandbox, active = true,
                   deactivated_reason = NULL, deactivated_at = NULL, updated_at = now()
             WHERE (d.customer_id, d.sandbox, d.active) IS DISTINCT FROM (excluded.customer_id, excluded.sandbox, true)
            """;

    private final AgroalDataSource dataSource;

    DeviceStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Registers one device for a customer; answers it, and whether it is new. */
    public Registered register(String customerId, DeviceInput input) {
        checkToken(input, "token");
        try (Connection connection = dataSource.getConnection()) {
            return Jdbc.inTransaction(connection, c -> {
                if (Jdbc.queryOne(c, Integer.class, "SELECT 1 FROM customer WHERE id = ?", customerId) == null) {
                    throw new NotFoundException("customer", customerId);
                }
                boolean existed = Jdbc.queryOne(c, Integer.class, "SELECT 1 FROM device WHERE platform = ?::device_platform"
                        + " AND app_id = ? AND token = ?", input.platform().name(), input.appId(), input.token()) != null;
                Jdbc.update(c, UPSERT.formatted("VALUES (?, ?::device_platform, ?, ?, ?)"), customerId,
                        input.platform().name(), input.appId(), input.token(), input.inSandbox());
                List<DeviceView> found = query(c, "WHERE platform = ?::device_platform AND app_id = ? AND token = ?",
                        input.platform().name(), input.appId(), input.token());
                return new Registered(found.get(0), !existed);
            });
        } catch (SQLException e) {
            throw new IllegalStateException("Device registration failed", e);
        }
    }

    /** A device as registered, and whether the registration created it. */
    public record Registered(DeviceView device, boolean created) {
    }

    /** A customer's devices, active ones first. */
    public List<DeviceView> list(String customerId) {
        try (Connection connection = dataSource.getConnection()) {
            return query(connection, "WHERE customer_id = ? ORDER BY active DESC, id", customerId);
        } catch (SQLException e) {
            throw new IllegalStateException("Device read failed", e);
        }
    }

    public void delete(String customerId, long deviceId) {
        try (Connection connection = dataSource.getConnection()) {
            if (Jdbc.update(connection, "DELETE FROM device WHERE id = ? AND customer_id = ?", deviceId, customerId) == 0) {
                throw new NotFoundException("device", deviceId);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Device removal failed", e);
        }
    }

    /**
     * The devices that push destinations ("PLATFORM:app:token", as planned) name, by destination; a
     * destination whose device was removed since is absent.
     */
    public Map<String, DeviceView> byDestination(List<String> destinations) {
        List<String[]> parts = destinations.stream().map(d -> d.split(":", 3)).filter(p -> p.length == 3).toList();
        Map<String, DeviceView> found = new HashMap<>();
        try (Connection connection = dataSource.getConnection()) {
            for (DeviceView device : query(connection, """
                    JOIN unnest(?::text[], ?::text[], ?::text[]) AS x(p, a, t)
                      ON platform = x.p::device_platform AND app_id = x.a AND token = x.t""",
                    connection.createArrayOf("text", parts.stream().map(p -> p[0]).toArray()),
                    connection.createArrayOf("text", parts.stream().map(p -> p[1]).toArray()),
                    connection.createArrayOf("text", parts.stream().map(p -> p[2]).toArray()))) {
                found.put(device.platform() + ":" + device.appId() + ":" + device.token(), device);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Device read failed", e);
        }
        return found;
    }

    /** The provider says this token is gone: it is never sent to again, and the reason is kept. */
    public void deactivate(DevicePlatform platform, String appId, String token, String reason) {
        try (Connection connection = dataSource.getConnection()) {
            if (Jdbc.update(connection, "UPDATE device SET active = false, deactivated_reason = ?, deactivated_at = now(),"
                    + " updated_at = now() WHERE platform = ?::device_platform AND app_id = ? AND token = ? AND active",
                    reason, platform.name(), appId, token) > 0) {
                LOG.infof("A %s device of app %s was deactivated: %s", platform, appId, reason);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Device deactivation failed", e);
        }
    }

    /** Merges the devices staged in device_import, inside the import's transaction; returns how many changed. */
    static int mergeStaged(Connection c) throws SQLException {
        return Jdbc.update(c, UPSERT.formatted("""
                SELECT DISTINCT ON (platform, app_id, token) customer_id, platform::device_platform, app_id, token, sandbox
                  FROM device_import ORDER BY platform, app_id, token, seq DESC"""));
    }

    /** Refuses a token that does not fit its platform, naming the field as the caller wrote it. */
    static void checkToken(DeviceInput input, String field) {
        String problem = input.tokenProblem();
        if (problem != null) {
            throw InvalidInputException.of(field, problem);
        }
    }

    private static List<DeviceView> query(Connection c, String where, Object... params) throws SQLException {
        List<DeviceView> devices = new ArrayList<>();
        try (PreparedStatement statement = c.prepareStatement("SELECT " + COLUMNS + " FROM device " + where)) {
            for (int i = 0; i < params.length; i++) {
                statement.setObject(i + 1, params[i]);
            }
            try (ResultSet r = statement.executeQuery()) {
                while (r.next()) {
                    devices.add(new DeviceView(r.getLong(1), r.getString(2), DevicePlatform.valueOf(r.getString(3)),
                            r.getString(4), r.getString(5), r.getBoolean(6), r.getBoolean(7), r.getString(8),
                            r.getObject(9, OffsetDateTime.class), r.getObject(10, OffsetDateTime.class),
                            r.getObject(11, OffsetDateTime.class)));
                }
            }
        }
        return devices;
    }
}
