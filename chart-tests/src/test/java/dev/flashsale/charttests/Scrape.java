package dev.flashsale.charttests;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The series of a Prometheus text exposition: metric name to the label sets of its samples. */
record Scrape(Map<String, List<Map<String, String>>> series) {

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+\\S+.*$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    static Scrape parse(String text) {
        Map<String, List<Map<String, String>>> series = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (line.startsWith("#") || !m.matches()) {
                continue;
            }
            Map<String, String> labels = new LinkedHashMap<>();
            Matcher l = LABEL.matcher(Optional.ofNullable(m.group(3)).orElse(""));
            while (l.find()) {
                labels.put(l.group(1), l.group(2).replace("\\\"", "\"").replace("\\\\", "\\"));
            }
            series.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(labels);
        }
        return new Scrape(series);
    }

    Scrape plus(Scrape other) {
        Map<String, List<Map<String, String>>> all = new LinkedHashMap<>(series);
        other.series.forEach((name, sets) -> all.merge(name, sets, (a, b) -> {
            List<Map<String, String>> both = new ArrayList<>(a);
            both.addAll(b);
            return both;
        }));
        return new Scrape(all);
    }

    boolean has(String metric) {
        return series.containsKey(metric);
    }

    List<Map<String, String>> of(String metric) {
        return series.getOrDefault(metric, List.of());
    }
}
