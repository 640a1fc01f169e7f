package dev.flashsale.charttests;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** YAML (and JSON, a subset) as plain maps and lists, navigated by dotted paths. */
final class Yaml {

    static final YAMLMapper MAPPER = new YAMLMapper();

    private Yaml() {
    }

    /** Multi-document YAML to maps; empty documents (a template that rendered nothing) are dropped. */
    static List<Map<String, Object>> parseAll(String yaml) {
        try (MappingIterator<Map<String, Object>> docs = MAPPER.readerForMapOf(Object.class).readValues(yaml)) {
            List<Map<String, Object>> out = new ArrayList<>();
            while (docs.hasNext()) {
                Map<String, Object> doc = docs.next();
                if (doc != null && !doc.isEmpty()) {
                    out.add(doc);
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, Object> parse(String yaml) {
        List<Map<String, Object>> docs = parseAll(yaml);
        if (docs.size() != 1) {
            throw new IllegalArgumentException("expected one YAML document, got " + docs.size());
        }
        return docs.get(0);
    }

    static Map<String, Object> read(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(Path file, Object value) {
        try {
            MAPPER.writeValue(file.toFile(), value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The node at a dotted path ({@code spec.template.spec.containers.0.name}); null when absent. */
    @SuppressWarnings("unchecked")
    static <T> T at(Object root, String path) {
        Object node = root;
        for (String segment : path.split("\\.")) {
            if (node instanceof Map<?, ?> map) {
                node = map.get(segment);
            } else if (node instanceof List<?> list && segment.chars().allMatch(Character::isDigit)) {
                int i = Integer.parseInt(segment);
                node = i < list.size() ? list.get(i) : null;
            } else {
                return null;
            }
        }
        return (T) node;
    }

    static List<Map<String, Object>> list(Object root, String path) {
        List<Map<String, Object>> list = at(root, path);
        return list == null ? List.of() : list;
    }

    /**
     * Helm's coalescing of a values file over the defaults: maps merge key by key, anything else
     * (lists included) is replaced, and a null removes the key.
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> override) {
        Map<String, Object> out = new LinkedHashMap<>(base);
        override.forEach((key, value) -> {
            if (value == null) {
                out.remove(key);
            } else if (value instanceof Map<?, ?> m && out.get(key) instanceof Map<?, ?> b) {
                out.put(key, merge((Map<String, Object>) b, (Map<String, Object>) m));
            } else {
                out.put(key, value);
            }
        });
        return out;
    }
}
