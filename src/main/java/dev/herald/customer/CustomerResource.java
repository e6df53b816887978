package dev.herald.customer;

import java.io.InputStream;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
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

import dev.herald.delivery.DeliveryLookup;
import dev.herald.delivery.DeliveryViews.CustomerDeliveries;
import dev.herald.ops.InvalidInputException;
import dev.herald.ops.NotFoundException;

@Path("/v1/customers")
@Tag(name = "Customers")
@Produces(MediaType.APPLICATION_JSON)
public class CustomerResource {

    public static final String NDJSON = "application/x-ndjson";
    public static final String CSV = "text/csv";

    private final CustomerStore store;
    private final CustomerImporter importer;
    private final DeliveryLookup deliveries;

    CustomerResource(CustomerStore store, CustomerImporter importer, DeliveryLookup deliveries) {
        this.store = store;
        this.importer = importer;
        this.deliveries = deliveries;
    }

    @PUT
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create or replace one customer", description = "201 when created, 200 when replaced.")
    public RestResponse<CustomerView> upsert(
            @RestPath @Size(max = 200) @Pattern(regexp = CustomerInput.ID_PATTERN, message = CustomerInput.ID_MESSAGE) String id,
            @Valid @NotNull CustomerInput input) {
        if (input.id() != null && !input.id().equals(id)) {
            throw InvalidInputException.of("id", "the body names customer '" + input.id() + "' but the path names '"
                    + id + "'");
        }
        CustomerStore.Written written = store.upsert(List.of(input.withId(id)));
        CustomerView view = CustomerView.of(Customer.findById(id));
        return written.inserted() == 1 ? RestResponse.status(RestResponse.Status.CREATED, view)
                : RestResponse.ok(view);
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One customer")
    public CustomerView get(@RestPath String id) {
        return CustomerView.of(find(id));
    }

    @GET
    @Path("/{id}/deliveries")
    @Operation(summary = "Every notice this customer was sent, per channel, with its timeline",
            description = "Newest notice first; at most 500 deliveries.")
    public CustomerDeliveries deliveries(@RestPath String id) {
        find(id);
        return new CustomerDeliveries(id, deliveries.ofCustomer(id));
    }

    @POST
    @Path("/import")
    @Consumes({ NDJSON, CSV })
    @Operation(summary = "Stream many customers in one request",
            description = "NDJSON (one customer object per line) or CSV with a header line. Good lines are upserted "
                    + "even when others are refused; the answer counts them and lists refused lines by number.")
    public ImportReport importCustomers(InputStream body, @HeaderParam("Content-Type") MediaType type) {
        return type.isCompatible(MediaType.valueOf(CSV)) ? importer.importCsv(body) : importer.importNdjson(body);
    }

    private static Customer find(String id) {
        Customer customer = Customer.findById(id);
        if (customer == null) {
            throw new NotFoundException("customer", id);
        }
        return customer;
    }
}
