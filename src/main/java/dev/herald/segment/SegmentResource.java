package dev.herald.segment;

import jakarta.annotation.security.RolesAllowed;
import jakarta.transaction.Transactional;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestResponse;

import dev.herald.ops.NotFoundException;
import dev.herald.ops.ConflictException;
import dev.herald.security.Roles;
import dev.herald.segment.SegmentDtos.AudienceCount;
import dev.herald.segment.SegmentDtos.CountRequest;
import dev.herald.segment.SegmentDtos.SegmentRequest;
import dev.herald.segment.SegmentDtos.SegmentView;

@Path("/v1/segments")
@Tag(name = "Segments")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.NOTIFIER)
public class SegmentResource {

    private final AudienceCounter counter;

    SegmentResource(AudienceCounter counter) {
        this.counter = counter;
    }

    @POST
    @Transactional
    @Operation(summary = "Save a named audience", description = "The criteria are checked and counted now.")
    public RestResponse<SegmentView> create(@Valid @NotNull SegmentRequest request) {
        SqlCondition condition = CriteriaCompiler.compile(request.criteria(), "criteria");
        if (Segment.count("name", request.name()) > 0) {
            throw new ConflictException("a segment named '" + request.name() + "' already exists");
        }
        Segment segment = new Segment();
        segment.name = request.name();
        segment.criteria = request.criteria();
        segment.persistAndFlush();
        Segment.getEntityManager().refresh(segment);
        return RestResponse.status(RestResponse.Status.CREATED, view(segment, counter.count(condition)));
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One segment with its current audience size")
    public SegmentView get(@RestPath long id) {
        Segment segment = Segment.findById(id);
        if (segment == null) {
            throw new NotFoundException("segment", id);
        }
        return view(segment, counter.count(CriteriaCompiler.compile(segment.criteria, "criteria")));
    }

    @POST
    @Path("/count")
    @Operation(summary = "How many customers a criteria matches, before sending anything")
    public AudienceCount count(@Valid @NotNull CountRequest request) {
        return new AudienceCount(counter.count(CriteriaCompiler.compile(request.criteria(), "criteria")));
    }

    private static SegmentView view(Segment segment, long count) {
        return new SegmentView(segment.id, segment.name, segment.criteria, count, segment.createdAt);
    }
}
