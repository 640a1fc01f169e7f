package dev.flashsale.charttests;

import dev.flashsale.charttests.Chart.Manifests;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The queries of the rendered monitoring objects: alert expressions and the dashboard's PromQL. */
final class Monitoring {

    /** Grafana's label_values(selector, label) template query: only the selector is PromQL. */
    private static final Pattern LABEL_VALUES = Pattern.compile("^label_values\\((.*),\\s*[a-zA-Z_][a-zA-Z0-9_]*\\)$");

    private Monitoring() {
    }

    static Map<String, Object> dashboard(Manifests m) {
        Map<String, String> data = Yaml.at(m.one("ConfigMap"), "data");
        return Yaml.parse(data.get("flashsale.json"));
    }

    /** Alert name to the rule (alert, expr, for, labels, annotations). */
    static Map<String, Map<String, Object>> alerts(Manifests m) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        for (Map<String, Object> group : Yaml.list(m.one("PrometheusRule"), "spec.groups")) {
            for (Map<String, Object> rule : Yaml.list(group, "rules")) {
                out.put((String) rule.get("alert"), rule);
            }
        }
        return out;
    }

    static List<String> alertExpressions(Manifests m) {
        return alerts(m).values().stream().map(r -> (String) r.get("expr")).toList();
    }

    static List<Map<String, Object>> panels(Map<String, Object> dashboard) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> panel : Yaml.list(dashboard, "panels")) {
            out.add(panel);
            out.addAll(Yaml.list(panel, "panels")); // collapsed rows keep their panels inside
        }
        return out;
    }

    /** Every PromQL expression of the dashboard: panel targets and template variable queries. */
    static List<String> dashboardQueries(Map<String, Object> dashboard) {
        List<String> out = new ArrayList<>();
        for (Map<String, Object> panel : panels(dashboard)) {
            Yaml.list(panel, "targets").forEach(t -> out.add((String) t.get("expr")));
        }
        for (Map<String, Object> variable : Yaml.list(dashboard, "templating.list")) {
            Object query = variable.get("query");
            String text = query instanceof Map<?, ?> q ? (String) q.get("query") : (String) query;
            if ("query".equals(variable.get("type")) && text != null) {
                Matcher m = LABEL_VALUES.matcher(text.strip());
                out.add(m.matches() ? m.group(1) : text);
            }
        }
        return out;
    }
}
