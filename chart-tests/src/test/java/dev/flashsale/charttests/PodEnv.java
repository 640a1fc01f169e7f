package dev.flashsale.charttests;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The environment the kubelet would give a rendered container: literal values with $(VAR) expanded
 * from variables earlier in the list, secretKeyRef from the given Secrets, fieldRef from the given
 * pod fields. What the kubelet cannot resolve fails the test.
 */
final class PodEnv {

    private static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

    private PodEnv() {
    }

    /**
     * @param secrets "secret/key" to value
     * @param fields  fieldPath (metadata.name, ...) to value
     */
    static Map<String, String> resolve(List<Map<String, Object>> env, Map<String, String> secrets, Map<String, String> fields) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map<String, Object> var : env) {
            String name = (String) var.get("name");
            String value;
            if (var.get("value") != null) {
                value = expand(String.valueOf(var.get("value")), out);
            } else if (Yaml.at(var, "valueFrom.secretKeyRef") != null) {
                String key = Yaml.at(var, "valueFrom.secretKeyRef.name") + "/" + Yaml.at(var, "valueFrom.secretKeyRef.key");
                value = secrets.get(key);
                if (value == null) {
                    throw new IllegalArgumentException(name + " needs Secret key " + key + ", which the test does not provide");
                }
            } else if (Yaml.at(var, "valueFrom.fieldRef") != null) {
                value = fields.get(Yaml.<String>at(var, "valueFrom.fieldRef.fieldPath"));
            } else {
                throw new IllegalArgumentException("cannot resolve env " + var);
            }
            out.put(name, value);
        }
        return out;
    }

    /** $(VAR) of a variable defined before; anything else stays as written, as with the kubelet. */
    private static String expand(String value, Map<String, String> defined) {
        Matcher m = REFERENCE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement = defined.getOrDefault(m.group(1), m.group());
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        return m.appendTail(out).toString();
    }
}
