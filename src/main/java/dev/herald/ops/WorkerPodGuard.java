package dev.herald.ops;

import java.util.Optional;

import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * A worker pod (QUARKUS_PROFILE=prod,worker) sends notices but serves no caller: whoever reaches one directly,
 * past the Service and the NetworkPolicy, gets a 404 saying where the API is, never a customer's data.
 * Health, readiness and metrics ({@code /q/...}) are not REST resources and stay open for the kubelet
 * and the scraper.
 */
public class WorkerPodGuard {

    private final Pods pods;

    WorkerPodGuard(Pods pods) {
        this.pods = pods;
    }

    @ServerRequestFilter(preMatching = true)
    public Optional<Response> refuseOnWorkers() {
        if (pods.servesApi()) {
            return Optional.empty();
        }
        return Optional.of(Response.status(404).type(Problem.MEDIA_TYPE).entity(Problem.of(404, "Not Found",
                "this pod is a worker: it sends notices but serves no API; call Herald's API through its Service")).build());
    }
}
