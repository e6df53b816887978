package dev.herald.security;

import java.util.List;

/**
 * The roles callers carry in their token's groups. An admin has every role; support-pii is worn
 * beside support, to see contact data unmasked.
 */
public final class Roles {

    /** Customers, devices, segments, notices, previews, affected lists. */
    public static final String NOTIFIER = "notifier";
    /** Dispatch, approval, pause, resume, cancel, send limits, reports. */
    public static final String OPERATOR = "operator";
    /** Reads one customer's data and deliveries, with contact data masked. */
    public static final String SUPPORT = "support";
    /** With support: contact data unmasked. */
    public static final String SUPPORT_PII = "support-pii";
    /** Everything, and the audit log. */
    public static final String ADMIN = "admin";

    /** Every role, in the order people are shown them. */
    public static final List<String> ALL = List.of(SUPPORT, SUPPORT_PII, OPERATOR, NOTIFIER, ADMIN);

    private Roles() {
    }
}
