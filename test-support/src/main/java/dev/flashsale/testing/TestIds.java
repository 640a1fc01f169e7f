package dev.flashsale.testing;

import java.util.UUID;

/** Names no other test (nor an earlier run against the same services) uses. */
public final class TestIds {

    private TestIds() {
    }

    /** {@code prefix-xxxxxxxx}: still a DNS-1123 label when the prefix is one. */
    public static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
