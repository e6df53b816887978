package dev.herald.notice;

import io.smallrye.config.ConfigMapping;

/** The two-person rule. */
@ConfigMapping(prefix = "herald.approval")
public interface ApprovalConfig {

    /** A notice to more customers than this needs an operator's approval, and another operator to dispatch it. */
    long audienceThreshold();
}
