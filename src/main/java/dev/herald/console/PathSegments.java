package dev.herald.console;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import io.quarkus.qute.TemplateExtension;

/** {@code {customer.id.pathSegment}}: an id in a link, whatever characters it holds ("/", "?", "#", "%"). */
@TemplateExtension
final class PathSegments {

    private PathSegments() {
    }

    static String pathSegment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
