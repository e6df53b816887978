package dev.herald.ops;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How much of what Herald accepts from callers. Imports stream and may be gigabytes
 * (quarkus.http.limits.max-body-size); every other body is small, and so is each import line.
 */
@ConfigMapping(prefix = "herald.input")
public interface InputLimits {

    /** Largest JSON request body, in bytes (not imports nor affected-account uploads). */
    @WithDefault("1048576")
    int jsonBody();

    /** Largest import or upload line, in bytes. */
    @WithDefault("1048576")
    int importLine();

    /** Longest request address (path and query), in characters: longer ones get 414. */
    @WithDefault("8192")
    int url();

    /** Largest total of request headers, in bytes: more gets 431. */
    @WithDefault("16384")
    int headers();

    /**
     * Deepest nesting of a JSON document, request or import line: audience criteria take two levels
     * per {"all": [...]}, so 64 allows criteria 30 conditions deep.
     */
    @WithDefault("64")
    int jsonDepth();
}
