package dev.flashsale.api;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;
import org.springframework.http.HttpStatus;
import org.springframework.test.web.reactive.server.EntityExchangeResult;

/**
 * Every answer the integration tests receive over HTTP is checked against the OpenAPI document that
 * sale-api publishes (the machine-readable form of docs/contract/api.md): its status must be
 * described for the path and method, and its body and headers must match the schema. Answers to
 * routes the document does not have are only allowed as the envelope's 404/405.
 */
final class OpenApiContract {

    private static final String DOCUMENT = "openapi.json";
    private static final OpenApiInteractionValidator VALIDATOR = OpenApiInteractionValidator
            .createForInlineApiSpecification(read()).build();

    private OpenApiContract() {
    }

    /** For WebTestClient's {@code entityExchangeResultConsumer}: throws when an answer breaks the contract. */
    static void validate(EntityExchangeResult<?> result) {
        String path = result.getUrl().getRawPath();
        Request.Method method = Request.Method.valueOf(result.getMethod().name());
        SimpleResponse.Builder response = SimpleResponse.Builder.status(result.getStatus().value());
        result.getResponseHeaders().forEach(response::withHeader);
        byte[] body = result.getResponseBodyContent();
        if (body != null && body.length > 0) {
            response.withBody(new String(body, StandardCharsets.UTF_8));
        }
        ValidationReport report = VALIDATOR.validateResponse(path, method, response.build());
        // a route or method the document does not have: only the envelope's 404 or 405 may answer it
        boolean unknownPath = report.getMessages().stream().anyMatch(m -> m.getKey().endsWith(".path.missing"));
        boolean unknownMethod = report.getMessages().stream().anyMatch(m -> m.getKey().endsWith(".operation.notAllowed"));
        if ((unknownPath && result.getStatus().isSameCodeAs(HttpStatus.NOT_FOUND))
                || ((unknownPath || unknownMethod) && result.getStatus().isSameCodeAs(HttpStatus.METHOD_NOT_ALLOWED))) {
            return;
        }
        if (report.hasErrors()) {
            throw new AssertionError(method + " " + path + " answered " + result.getStatus().value()
                    + " outside the OpenAPI document (" + DOCUMENT + "):\n"
                    + report.getMessages().stream().map(m -> "  - " + m.getKey() + ": " + m.getMessage())
                    .collect(Collectors.joining("\n")));
        }
    }

    private static String read() {
        try (InputStream in = OpenApiContract.class.getClassLoader().getResourceAsStream(DOCUMENT)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
