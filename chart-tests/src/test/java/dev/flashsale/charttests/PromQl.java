package dev.flashsale.charttests;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Just enough of PromQL to find the series selectors of an expression: the metric names with their
 * label matchers. Function and aggregation names (an identifier followed by "(", and the
 * aggregation operators), keywords, label
 * lists of by/without/on/ignoring/group_left/group_right, strings, range and subquery brackets and
 * numbers or durations are skipped.
 */
final class PromQl {

    /** A label matcher: {@code op} is one of =, !=, =~, !~. */
    record Matcher(String label, String op, String value) {
        /** = and =~ select the series with matching values; != and !~ exclude. */
        boolean selects() {
            return op.equals("=") || op.equals("=~");
        }

        /** Whether a label value satisfies this matcher (PromQL regexes are anchored). */
        boolean matches(String labelValue) {
            return switch (op) {
                case "=" -> value.equals(labelValue);
                case "!=" -> !value.equals(labelValue);
                case "=~" -> labelValue.matches(value);
                case "!~" -> !labelValue.matches(value);
                default -> throw new IllegalStateException("unknown matcher " + op);
            };
        }
    }

    record Selector(String metric, List<Matcher> matchers) {
    }

    private static final Set<String> GROUPING = Set.of("by", "without", "on", "ignoring", "group_left", "group_right");
    /** Aggregations may put their by/without clause before the "(": {@code sum by (le) (x)}. */
    private static final Set<String> AGGREGATIONS = Set.of("sum", "min", "max", "avg", "group", "stddev", "stdvar",
            "count", "count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "inf", "nan", "atan2");

    private final String text;
    private int pos;

    private PromQl(String text) {
        this.text = text;
    }

    static List<Selector> selectors(String expr) {
        return new PromQl(expr).parse();
    }

    private List<Selector> parse() {
        List<Selector> out = new ArrayList<>();
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '"' || c == '\'' || c == '`') {
                string();
            } else if (c == '[') {
                skipPast(']');
            } else if (c == '{') {
                // a selector without a metric name, e.g. {__name__=~"x.*"}: nothing to check by name
                matchers();
            } else if (Character.isDigit(c) || (c == '.' && pos + 1 < text.length() && Character.isDigit(text.charAt(pos + 1)))) {
                while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '.')) {
                    pos++;
                }
            } else if (Character.isLetter(c) || c == '_' || c == ':') {
                String name = identifier();
                int after = skipSpaces(pos);
                boolean call = after < text.length() && text.charAt(after) == '(';
                if (GROUPING.contains(name)) {
                    if (call) {
                        pos = after;
                        skipPast(')');
                    }
                } else if (!call && !KEYWORDS.contains(name) && !AGGREGATIONS.contains(name)) {
                    List<Matcher> matchers = List.of();
                    if (after < text.length() && text.charAt(after) == '{') {
                        pos = after;
                        matchers = matchers();
                    }
                    out.add(new Selector(name, matchers));
                }
            } else {
                pos++;
            }
        }
        return out;
    }

    private String identifier() {
        int start = pos;
        while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_'
                || text.charAt(pos) == ':')) {
            pos++;
        }
        return text.substring(start, pos);
    }

    /** At "{": the matchers up to the matching "}". */
    private List<Matcher> matchers() {
        pos++;
        List<Matcher> out = new ArrayList<>();
        while (true) {
            pos = skipSpaces(pos);
            if (pos >= text.length()) {
                throw new IllegalArgumentException("unterminated { in " + text);
            }
            char c = text.charAt(pos);
            if (c == '}') {
                pos++;
                return out;
            }
            if (c == ',') {
                pos++;
                continue;
            }
            String label = identifier();
            if (label.isEmpty()) {
                throw new IllegalArgumentException("bad label matcher at " + pos + " in " + text);
            }
            pos = skipSpaces(pos);
            int opStart = pos;
            while (pos < text.length() && "=!~".indexOf(text.charAt(pos)) >= 0) {
                pos++;
            }
            String op = text.substring(opStart, pos);
            pos = skipSpaces(pos);
            out.add(new Matcher(label, op, string()));
        }
    }

    /** At a quote: the string's value, escapes resolved. */
    private String string() {
        char quote = text.charAt(pos++);
        StringBuilder value = new StringBuilder();
        while (pos < text.length() && text.charAt(pos) != quote) {
            if (text.charAt(pos) == '\\' && quote != '`') {
                pos++;
            }
            value.append(text.charAt(pos++));
        }
        pos++;
        return value.toString();
    }

    private void skipPast(char close) {
        int end = text.indexOf(close, pos);
        if (end < 0) {
            throw new IllegalArgumentException("missing " + close + " in " + text);
        }
        pos = end + 1;
    }

    private int skipSpaces(int from) {
        int i = from;
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        return i;
    }

    /** The metric names used, with the matchers of each use. */
    static Map<String, List<List<Matcher>>> byMetric(Iterable<String> exprs) {
        Map<String, List<List<Matcher>>> out = new LinkedHashMap<>();
        for (String expr : exprs) {
            for (Selector s : selectors(expr)) {
                out.computeIfAbsent(s.metric(), m -> new ArrayList<>()).add(s.matchers());
            }
        }
        return out;
    }
}
