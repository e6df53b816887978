package dev.herald.console;

import java.time.Duration;
import java.time.ZoneId;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "herald.console")
public interface ConsoleConfig {

    /** Whether anyone may sign in with a name and roles of their choosing: demo and tests only. */
    @WithDefault("false")
    boolean localSignIn();

    /** How long a console session lasts before signing in again. */
    @WithDefault("8h")
    Duration session();

    @WithDefault("UTC")
    ZoneId timeZone();

    /** Whether the session cookie is sent over HTTPS only; off only for a demo on plain HTTP. */
    @WithDefault("true")
    boolean secureCookie();
}
