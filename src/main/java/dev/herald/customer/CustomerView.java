package dev.herald.customer;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

public record CustomerView(String id, String email, String displayName, String locale, String country,
        String region, List<String> tags, Map<String, Object> attributes, OffsetDateTime createdAt,
        OffsetDateTime updatedAt) {

    CustomerView withEmail(String shown) {
        return new CustomerView(id, shown, displayName, locale, country, region, tags, attributes, createdAt, updatedAt);
    }

    static CustomerView of(Customer c) {
        return new CustomerView(c.id, c.email, c.displayName, c.locale, c.country, c.region, c.tags, c.attributes,
                c.createdAt, c.updatedAt);
    }
}
