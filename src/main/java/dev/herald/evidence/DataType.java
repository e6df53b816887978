package dev.herald.evidence;

/** Kinds of personal information a breach can involve, as the laws name them. */
public enum DataType {
    NAME, EMAIL, PHONE, POSTAL_ADDRESS, DATE_OF_BIRTH, USERNAME, PASSWORD, SECURITY_QUESTIONS,
    SOCIAL_SECURITY_NUMBER, DRIVERS_LICENSE, ID_CARD, PASSPORT,
    FINANCIAL_ACCOUNT, PAYMENT_CARD, HEALTH, HEALTH_INSURANCE, BIOMETRIC, LOCATION, OTHER;

    /** Numbers that make California require the credit bureaus' contacts (1798.82(d)(2)(G)(i)). */
    boolean isGovernmentId() {
        return this == SOCIAL_SECURITY_NUMBER || this == DRIVERS_LICENSE || this == ID_CARD;
    }
}
