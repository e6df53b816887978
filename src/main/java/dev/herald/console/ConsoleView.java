package dev.herald.console;

import java.time.OffsetDateTime;
import java.util.List;

import jakarta.enterprise.context.RequestScoped;

import dev.herald.notice.NoticeDtos.NoticeView;
import dev.herald.notice.NoticeStatus;
import dev.herald.security.Caller;
import dev.herald.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;

/** What every console page shows of the person signed in, and what they may do there. */
@RequestScoped
public class ConsoleView {

    private final SecurityIdentity identity;
    private final Caller caller;
    private final ConsoleConfig config;
    private Timeline timeline;

    ConsoleView(SecurityIdentity identity, Caller caller, ConsoleConfig config) {
        this.identity = identity;
        this.caller = caller;
        this.config = config;
    }

    public String name() {
        return caller.name();
    }

    public List<String> roles() {
        return Roles.ALL.stream().filter(identity.getRoles()::contains).toList();
    }

    public boolean supports() {
        return identity.hasRole(Roles.SUPPORT);
    }

    public boolean operates() {
        return identity.hasRole(Roles.OPERATOR);
    }

    public boolean seesContactData() {
        return caller.seesContactData();
    }

    public String timeZone() {
        return config.timeZone().getId();
    }

    /** A time as the console writes it everywhere: "26 Nov at 14:02". */
    public String when(OffsetDateTime at) {
        return timeline().when(at);
    }

    /** Deliveries in plain words (read through CustomerDirectory, already masked for this caller). */
    Timeline timeline() {
        if (timeline == null) {
            timeline = new Timeline(config.timeZone(), OffsetDateTime.now());
        }
        return timeline;
    }

    /** Time left means something only while the notice sends. */
    public String timeLeft(NoticeView notice) {
        return notice.status() == NoticeStatus.DISPATCHING ? duration(notice.progress().counts().etaSeconds()) : "—";
    }

    /** "2 d 3 h", "5 min 10 s"; "overdue by …" when negative; "—" when unknown. */
    public String duration(Long seconds) {
        if (seconds == null) {
            return "—";
        }
        long s = Math.abs(seconds);
        String text = s >= 86_400 ? s / 86_400 + " d " + s % 86_400 / 3_600 + " h"
                : s >= 3_600 ? s / 3_600 + " h " + s % 3_600 / 60 + " min"
                : s >= 60 ? s / 60 + " min " + s % 60 + " s" : s + " s";
        return seconds < 0 ? "overdue by " + text : text;
    }
}
