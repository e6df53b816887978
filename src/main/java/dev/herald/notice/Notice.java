package dev.herald.notice;

import java.time.OffsetDateTime;
import java.util.List;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/**
 * A breach notice. Content is fixed at creation; its status and timestamps are moved by
 * {@link NoticeLifecycle} alone, with plain SQL.
 */
@Entity
public class Notice extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public String name;
    @Enumerated(EnumType.STRING)
    @Column(updatable = false)
    public NoticeStatus status;
    public List<String> channels;
    @Enumerated(EnumType.STRING)
    public Fallback fallback;
    @JdbcTypeCode(SqlTypes.JSON)
    public JsonNode audience;
    public List<String> variables;
    @Column(name = "fallback_locale")
    public String fallbackLocale;
    @JdbcTypeCode(SqlTypes.JSON)
    public JsonNode templates;
    @Column(name = "idempotency_key")
    public String idempotencyKey;
    @Column(name = "request_hash")
    public String requestHash;
    @Column(name = "created_at", insertable = false, updatable = false)
    public OffsetDateTime createdAt;
    @Column(name = "dispatched_at", insertable = false, updatable = false)
    public OffsetDateTime dispatchedAt;
    @Column(name = "planned_at", insertable = false, updatable = false)
    public OffsetDateTime plannedAt;
    @Column(name = "completed_at", insertable = false, updatable = false)
    public OffsetDateTime completedAt;
    @Column(name = "paused_at", insertable = false, updatable = false)
    public OffsetDateTime pausedAt;
    @Column(name = "cancelled_at", insertable = false, updatable = false)
    public OffsetDateTime cancelledAt;
    @Column(name = "pause_reason", insertable = false, updatable = false)
    public String pauseReason;
    @Column(name = "created_by", updatable = false)
    public String createdBy;
    @Column(name = "approved_by", insertable = false, updatable = false)
    public String approvedBy;
    @Column(name = "approved_at", insertable = false, updatable = false)
    public OffsetDateTime approvedAt;
    @Column(name = "dispatched_by", insertable = false, updatable = false)
    public String dispatchedBy;
    public List<String> jurisdictions;
    @JdbcTypeCode(SqlTypes.JSON)
    public JsonNode facts;
    /** What the content checks found worth a second look when the notice was created. */
    public List<String> warnings;
    @Column(name = "evidence_archive", insertable = false, updatable = false)
    public String evidenceArchive;
    @Column(name = "purged_at", insertable = false, updatable = false)
    public OffsetDateTime purgedAt;
}
