package dev.herald.customer;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * A push device as callers register it, alone or as part of a customer (import lines, upserts).
 *
 * @param appId the app the token belongs to: its bundle id for APNs (the apns-topic), its package or
 *        Firebase app for FCM
 * @param sandbox for APNs, a token of the development environment
 */
public record DeviceInput(
        @NotNull DevicePlatform platform,
        @NotBlank @Size(max = 4096) @Pattern(regexp = "\\p{Graph}+", message = "must be visible characters, without spaces") String token,
        @NotBlank @Size(max = 255) @Pattern(regexp = "[A-Za-z0-9._:-]+", message = "must be an app id such as com.example.app") String appId,
        Boolean sandbox) {

    /**
     * What is wrong with the token for its platform, or null: APNs tokens are the hex form of the bytes
     * Apple gives the app. (Checked beside the constraints, which cannot relate two fields.)
     */
    String tokenProblem() {
        return platform == DevicePlatform.APNS && token != null && !token.matches("[0-9a-fA-F]{64,200}")
                ? "an APNS token is hexadecimal, 64 to 200 digits" : null;
    }

    boolean inSandbox() {
        return Boolean.TRUE.equals(sandbox);
    }
}
