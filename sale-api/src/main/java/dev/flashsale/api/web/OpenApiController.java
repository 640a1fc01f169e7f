package dev.flashsale.api.web;

import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** The contract as OpenAPI 3, kept beside the code and checked against it by the tests; and a ping. */
@RestController
public class OpenApiController {

    private static final Json.Ok PONG = new Json.Ok("pong");

    private final Resource spec = new ClassPathResource("openapi.json");

    /** A trivial endpoint: the benchmark's yardstick for what HTTP alone costs on this server. */
    @GetMapping(path = "/api/v1/ping", produces = MediaType.APPLICATION_JSON_VALUE)
    public Json.Ok ping() {
        return PONG;
    }

    /** The same for a POST: the body is read as a purchase's is, so the two differ only by the sale. */
    @PostMapping(path = "/api/v1/ping", produces = MediaType.APPLICATION_JSON_VALUE)
    public Json.Ok ping(@RequestBody(required = false) String body) {
        return PONG;
    }

    @GetMapping("/api/v1/openapi.json")
    public ResponseEntity<Resource> openApi() {
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(spec);
    }
}
