package dev.herald.console;

import java.net.URI;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

import io.quarkus.security.Authenticated;

/** The console's address: support starts from the customer search, operators from the notices. */
@Path("/console")
@Authenticated
public class ConsoleHome {

    private final ConsoleView console;

    ConsoleHome(ConsoleView console) {
        this.console = console;
    }

    @GET
    public Response home() {
        return Response.seeOther(URI.create(console.supports() ? "/console/customers" : "/console/notices")).build();
    }
}
