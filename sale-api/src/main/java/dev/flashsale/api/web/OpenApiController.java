package dev.flashsale.api.web;

import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** The contract as OpenAPI 3, kept beside the code and checked against it by the tests. */
@RestController
public class OpenApiController {

    private final Resource spec = new ClassPathResource("openapi.json");

    @GetMapping("/api/v1/openapi.json")
    public ResponseEntity<Resource> openApi() {
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(spec);
    }
}
