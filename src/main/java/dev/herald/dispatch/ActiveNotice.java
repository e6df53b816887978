package dev.herald.dispatch;

import com.fasterxml.jackson.databind.JsonNode;

/** The dispatch state of one notice, read once its lock is held. */
record ActiveNotice(long id, JsonNode audience, String planCursor, boolean planned, long dispatchCursor) {
}
