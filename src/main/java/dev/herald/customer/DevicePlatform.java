package dev.herald.customer;

/** Where a device's push token was issued; the database enum device_platform has the same names. */
public enum DevicePlatform {
    /** Firebase Cloud Messaging (Android, and any app using FCM). */
    FCM,
    /** Apple Push Notification service. */
    APNS
}
