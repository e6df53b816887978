package dev.herald.customer;

import java.util.List;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;

import dev.herald.ops.StrictJson;

/**
 * A customer as callers send it, for one upsert or one line of an import. The same constraints
 * guard both paths; {@code id} may be left out of a PUT body, which names it in the path. Devices
 * given here are registered for the customer (added or moved to it; others it has stay).
 */
public record CustomerInput(
        @Size(max = 200) @Pattern(regexp = CustomerInput.ID_PATTERN, message = CustomerInput.ID_MESSAGE) String id,
        @Email @Size(max = 254) @Pattern(regexp = "[^\\s]+", message = "must not contain white space") String email,
        @Size(max = 200) @Pattern(regexp = "[^\\r\\n]*", message = "must not contain line breaks") String displayName,
        @Pattern(regexp = "[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", message = "must be a BCP 47 language tag such as en or pt-BR") String locale,
        @Pattern(regexp = "[A-Z]{2}", message = "must be an ISO 3166-1 alpha-2 code such as US") String country,
        @Size(max = 100) String region,
        @Size(max = 100) List<@NotBlank @Size(max = 100) String> tags,
        @Size(max = 100) @JsonDeserialize(contentUsing = StrictJson.SingleValue.class) Map<@NotBlank @Size(max = 100) String, Object> attributes,
        @Size(max = 20) List<@NotNull @Valid DeviceInput> devices) {

    static final String ID_PATTERN = "[\\p{Graph}]+";
    static final String ID_MESSAGE = "must be 1 to 200 visible characters, without spaces";

    CustomerInput withId(String newId) {
        return new CustomerInput(newId, email, displayName, locale, country, region, tags, attributes, devices);
    }

    /** What is wrong with the devices' tokens for their platforms ("devices[0].token: …"), or null. */
    String deviceProblem() {
        for (int i = 0; devices != null && i < devices.size(); i++) {
            String problem = devices.get(i).tokenProblem();
            if (problem != null) {
                return "devices[" + i + "].token: " + problem;
            }
        }
        return null;
    }
}
