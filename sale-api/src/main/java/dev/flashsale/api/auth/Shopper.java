package dev.flashsale.api.auth;

/**
 * The shopper a request acts for, as a handler argument: the verified token's subject, the
 * gateway's header, or (none mode) what the client says. Handlers never read identity elsewhere.
 * @param id     the shopper id, or null when the request named none (none mode only)
 * @param source where it came from, named in validation errors
 */
public record Shopper(String id, String source) {}
