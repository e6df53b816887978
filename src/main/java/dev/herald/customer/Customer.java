package dev.herald.customer;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** Read side of a customer; writes go through {@link CustomerStore}, which upserts set-based. */
@Entity
public class Customer extends PanacheEntityBase {

    @Id
    public String id;
    public String email;
    @Column(name = "display_name")
    public String displayName;
    public String locale;
    public String country;
    public String region;
    public List<String> tags;
    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Object> attributes;
    @Column(name = "created_at")
    public OffsetDateTime createdAt;
    @Column(name = "updated_at")
    public OffsetDateTime updatedAt;
}
