package dev.herald.channel.email;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.smallrye.config.ConfigMapping;

/** How email is paced per receiving domain group, and how Herald learns a group's pace from its deferrals. */
@ConfigMapping(prefix = "herald.email.pace")
public interface PaceConfig {

    /**
     * Receiving domains that share one provider, by group name ({@code "gmail.com"} holds gmail.com and
     * googlemail.com). An entry {@code hotmail.*} matches that name under any top-level domain
     * (hotmail.com, hotmail.co.uk). A domain in no group is a group of its own.
     */
    Map<String, List<String>> groups();

    /**
     * Whether a domain in no configured group is grouped by its MX hosts: a company domain whose mail
     * Google or Microsoft hosts then shares that provider's pace. Looked up once per domain and cached;
     * until the answer is in, the domain is a group of its own.
     */
    boolean mxLookup();

    /**
     * MX host suffixes by group name ({@code "gmail.com"} for google.com and googlemail.com hosts), for
     * {@link #mxLookup}.
     */
    Map<String, List<String>> mxGroups();

    /** How long a domain's group found by its MX hosts is kept. */
    Duration mxCache();

    /**
     * Regular expressions (case-insensitive, found anywhere in the reply) that make a 421, 450 or 451 a
     * deferral for the sender's pace rather than the recipient's own transient failure.
     */
    List<String> deferralPatterns();

    /** The factor a deferral multiplies the group's pace by, for the whole fleet (at most once a second). */
    double decrease();

    /** What the pace grows by per quiet second, as a share of the pace set by the last deferral. */
    double increase();

    /** How long a group must be quiet (no deferral) before its pace grows again. */
    Duration quiet();

    /** A group quiet this long is no longer paced by what it deferred (an operator's limit stays). */
    Duration forgetAfter();

    /** The slowest pace a deferral may bring a group to, in messages per second for the whole fleet. */
    double minimum();

    /**
     * How long a sender of the later queue (deliveries postponed for their group's pace) waits for
     * their groups' pace before postponing what is left again.
     */
    Duration laterWait();
}
