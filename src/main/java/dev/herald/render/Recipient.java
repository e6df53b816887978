package dev.herald.render;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The per-customer data a notice's templates can use: {@code customer.*} and {@code vars.*}. */
public record Recipient(String id, String email, String displayName, String locale, String country, String region,
        List<String> tags, Map<String, Object> attributes, Map<String, Object> vars) {

    static final List<String> CUSTOMER_PROPERTIES = List.of("id", "email", "displayName", "locale", "country",
            "region", "tags", "attributes");

    /** Missing values stay null: Qute prints them as nothing, {#if} finds them false and .or(…) replaces them. */
    Map<String, Object> customerData() {
        Map<String, Object> data = new HashMap<>();
        data.put("id", id);
        data.put("email", email);
        data.put("displayName", displayName);
        data.put("locale", locale);
        data.put("country", country);
        data.put("region", region);
        data.put("tags", tags == null ? List.of() : tags);
        data.put("attributes", new AbsentAsEmpty(attributes == null ? Map.of() : attributes));
        return data;
    }

    /**
     * Attributes are free-form and differ between customers: one a template names but a customer lacks
     * reads as empty (false in {#if}) instead of failing that customer's message under strict rendering.
     */
    private static final class AbsentAsEmpty extends HashMap<String, Object> {
        AbsentAsEmpty(Map<String, Object> values) {
            super(values);
        }

        @Override
        public boolean containsKey(Object key) {
            return true;
        }

        @Override
        public Object get(Object key) {
            return getOrDefault(key, "");
        }
    }
}
