package dev.flashsale.operator;

import dev.flashsale.operator.crd.Scaling;
import java.time.Instant;
import java.time.OffsetDateTime;

/** The spec's time fields. The CRD's pattern guarantees the format; CEL's timestamp() reads the same. */
final class Times {

    static final String DEFAULT_LEAD_TIME = "5m";

    private Times() {
    }

    static Instant parse(String rfc3339) {
        return OffsetDateTime.parse(rfc3339).toInstant();
    }

    /** The API server defaults leadTime; an object built in code may still leave it out. */
    static String leadTime(Scaling scaling) {
        return scaling.getLeadTime() == null ? DEFAULT_LEAD_TIME : scaling.getLeadTime();
    }
}
