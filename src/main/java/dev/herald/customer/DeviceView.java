package dev.herald.customer;

import java.time.OffsetDateTime;

import com.fasterxml.jackson.annotation.JsonInclude;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeviceView(long id, String customerId, DevicePlatform platform, String appId, String token,
        boolean sandbox, boolean active, String deactivatedReason, OffsetDateTime deactivatedAt,
        OffsetDateTime createdAt, OffsetDateTime updatedAt) {

    DeviceView withToken(String shown) {
        return new DeviceView(id, customerId, platform, appId, shown, sandbox, active, deactivatedReason, deactivatedAt,
                createdAt, updatedAt);
    }
}
