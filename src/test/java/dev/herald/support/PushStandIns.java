package dev.herald.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import dev.herald.standin.ApnsStandIn;
import dev.herald.standin.FcmStandIn;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** The FCM and APNs stand-ins, shared by every test of the run, with Herald pointed at them. */
public class PushStandIns implements QuarkusTestResourceLifecycleManager {

    private static FcmStandIn fcm;
    private static ApnsStandIn apns;

    @Override
    public Map<String, String> start() {
        try {
            Path directory = Files.createDirectories(Path.of("target", "push-standins"));
            fcm = new FcmStandIn(directory, true);
            apns = new ApnsStandIn(directory, true);
        } catch (Exception e) {
            throw new IllegalStateException("The push stand-ins did not start", e);
        }
        Map<String, String> configuration = new HashMap<>(fcm.configuration());
        configuration.putAll(apns.configuration());
        return configuration;
    }

    @Override
    public void stop() {
        try {
            if (fcm != null) {
                fcm.close();
            }
            if (apns != null) {
                apns.close();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static FcmStandIn fcm() {
        return fcm;
    }

    public static ApnsStandIn apns() {
        return apns;
    }
}
