package dev.flashsale.tools;

import java.util.HashMap;
import java.util.Map;

/** The {@code --name value} and {@code --flag} arguments of the tools' command lines. */
final class CliOptions {

    private CliOptions() {}

    /** The options from {@code args[from]} on; anything that is not an option is refused. */
    static Map<String, String> parse(String[] args, int from) {
        Map<String, String> opts = new HashMap<>();
        for (int i = from; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument: " + args[i]);
            }
            boolean flag = i + 1 >= args.length || args[i + 1].startsWith("--");
            opts.put(args[i].substring(2), flag ? "true" : args[++i]);
        }
        return opts;
    }

    static String required(Map<String, String> opts, String name) {
        String v = opts.get(name);
        if (v == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v;
    }
}
