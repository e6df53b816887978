package dev.herald.customer;

import java.io.InputStream;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestResponse;

import dev.herald.delivery.DeliveryViews.CustomerDeliveries;
import dev.herald.ops.InvalidInputException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import dev.herald.security.AuditLog;
import dev.herald.security.Caller;
import dev.herald.security.Roles;

@Path("/v1/customers")
@Tag(name = "Customers")
@Produces(MediaType.APPLICATION_JSON)
public class CustomerResource {

    public static final String NDJSON = "application/x-ndjson";
    public static final String CSV = "text/csv";

    private final CustomerStore store;
    private final DeviceStore devices;
    private final CustomerImporter importer;
    private final CustomerDirectory directory;
    private final AuditLog audit;
    private final Caller caller;
    private final Counter imported;

    CustomerResource(CustomerStore store, DeviceStore devices, CustomerImporter importer, CustomerDirectory directory,
            AuditLog audit, Caller caller, MeterRegistry registry) {
        this.imported = Counter.builder("herald.imported.rows").description("Customer rows read by imports")
                .register(registry);
        this.store = store;
        this.devices = devices;
        this.importer = importer;
        this.directory = directory;
        this.audit = audit;
        this.caller = caller;
    }

    @PUT
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.NOTIFIER)
    @Operation(summary = "Create or replace one customer", description = "201 when created, 200 when replaced.")
    public RestResponse<CustomerView> upsert(
            @RestPath @Size(max = 200) @Pattern(regexp = CustomerInput.ID_PATTERN, message = CustomerInput.ID_MESSAGE) String id,
            @Valid @NotNull CustomerInput input) {
        if (input.id() != null && !input.id().equals(id)) {
            throw InvalidInputException.of("id", "the body names customer '" + input.id() + "' but the path names '"
                    + id + "'");
        }
        String deviceProblem = input.deviceProblem();
        if (deviceProblem != null) {
            throw InvalidInputException.of(deviceProblem.substring(0, deviceProblem.indexOf(':')),
                    deviceProblem.substring(deviceProblem.indexOf(':') + 2));
        }
        CustomerStore.Written written = store.upsert(List.of(input.withId(id)));
        CustomerView view = CustomerView.of(Customer.findById(id));
        return written.inserted() == 1 ? RestResponse.status(RestResponse.Status.CREATED, view)
                : RestResponse.ok(view);
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({ Roles.NOTIFIER, Roles.SUPPORT })
    @Operation(summary = "One customer", description = "The email address is masked unless the caller has support-pii.")
    public CustomerView get(@RestPath String id) {
        CustomerView customer = directory.get(id);
        if (caller.isSupport()) {
            audit.customerViewed(id, null, "the customer record", AuditLog.Where.API);
        }
        return customer;
    }

    @GET
    @Path("/{id}/deliveries")
    @RolesAllowed(Roles.SUPPORT)
    @Operation(summary = "Every notice this customer was sent, per channel, with its timeline",
            description = "Newest notice first; at most 500 deliveries. Destinations, and email addresses quoted in "
                    + "providers' replies, are masked unless the caller has support-pii.")
    public CustomerDeliveries deliveries(@RestPath String id) {
        CustomerDeliveries deliveries = directory.deliveries(id);
        audit.customerViewed(id, null, "deliveries and timelines", AuditLog.Where.API);
        return deliveries;
    }

    @POST
    @Path("/{id}/devices")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.NOTIFIER)
    @Operation(summary = "Register a push device of a customer",
            description = "201 when the token is new, 200 when it was known: then it becomes this customer's (the "
                    + "phone changed hands) and active again. A token is unique per platform and app.")
    public RestResponse<DeviceView> registerDevice(@RestPath String id, @Valid @NotNull DeviceInput input) {
        DeviceStore.Registered registered = devices.register(id, input);
        return registered.created() ? RestResponse.status(RestResponse.Status.CREATED, registered.device())
                : RestResponse.ok(registered.device());
    }

    @GET
    @Path("/{id}/devices")
    @RolesAllowed({ Roles.NOTIFIER, Roles.SUPPORT })
    @Operation(summary = "A customer's push devices, active ones first",
            description = "A deactivated device says why (the provider reported its token gone) and when.")
    public List<DeviceView> devices(@RestPath String id) {
        List<DeviceView> devices = directory.devices(id);
        if (caller.isSupport()) {
            audit.customerViewed(id, null, "devices", AuditLog.Where.API);
        }
        return devices;
    }

    @DELETE
    @Path("/{id}/devices/{deviceId}")
    @RolesAllowed(Roles.NOTIFIER)
    @Operation(summary = "Remove one of a customer's devices")
    public RestResponse<Void> removeDevice(@RestPath String id, @RestPath long deviceId) {
        devices.delete(id, deviceId);
        return RestResponse.noContent();
    }

    @POST
    @Path("/import")
    @Consumes({ NDJSON, CSV })
    @RolesAllowed(Roles.NOTIFIER)
    @Operation(summary = "Stream many customers in one request",
            description = "NDJSON (one customer object per line) or CSV with a header line. Good lines are upserted "
                    + "even when others are refused; the answer counts them and lists refused lines by number.")
    public ImportReport importCustomers(InputStream body, @HeaderParam("Content-Type") MediaType type) {
        ImportReport report = type.isCompatible(MediaType.valueOf(CSV)) ? importer.importCsv(body)
                : importer.importNdjson(body);
        imported.increment(report.received());
        audit.record(AuditLog.Action.CUSTOMERS_IMPORTED, null, report.received() + " lines: " + report.inserted()
                + " inserted, " + report.updated() + " updated, " + report.unchanged() + " unchanged, " + report.rejected()
                + " refused");
        return report;
    }
}
