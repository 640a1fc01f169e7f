package dev.flashsale.charttests;

import java.util.List;
import java.util.Map;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LoadState;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.PackageLib;
import org.luaj.vm2.lib.StringLib;
import org.luaj.vm2.lib.TableLib;
import org.luaj.vm2.lib.jse.JseBaseLib;
import org.luaj.vm2.lib.jse.JseMathLib;

/**
 * Runs an Argo CD resource health check the way Argo CD does: the object (as parsed JSON) in the
 * global {@code obj}, only the base, table, string and math libraries, and the script's returned
 * table read as {status, message}.
 */
final class ArgoHealth {

    static final java.nio.file.Path FLASHSALE = ChartFiles.ARGOCD.resolve("health/flashsale.dev/FlashSale");

    record Result(String status, String message) {
    }

    private ArgoHealth() {
    }

    static Result evaluate(String script, Map<String, Object> obj) {
        Globals globals = new Globals();
        globals.load(new JseBaseLib());
        globals.load(new PackageLib());
        globals.load(new TableLib());
        globals.load(new StringLib());
        globals.load(new JseMathLib());
        LoadState.install(globals);
        LuaC.install(globals);
        globals.set("obj", toLua(obj));
        LuaValue hs = globals.load(script, "health.lua").call();
        return new Result(hs.get("status").optjstring(null), hs.get("message").optjstring(null));
    }

    /** Like Argo CD's conversion of an unstructured object: maps and lists become tables (lists from 1). */
    private static LuaValue toLua(Object value) {
        if (value == null) {
            return LuaValue.NIL;
        } else if (value instanceof Map<?, ?> map) {
            LuaTable table = new LuaTable();
            map.forEach((k, v) -> table.set(String.valueOf(k), toLua(v)));
            return table;
        } else if (value instanceof List<?> list) {
            LuaTable table = new LuaTable();
            for (int i = 0; i < list.size(); i++) {
                table.set(i + 1, toLua(list.get(i)));
            }
            return table;
        } else if (value instanceof Boolean b) {
            return LuaValue.valueOf(b);
        } else if (value instanceof Number n) {
            return n instanceof Double || n instanceof Float ? LuaValue.valueOf(n.doubleValue()) : LuaValue.valueOf(n.longValue());
        }
        return LuaValue.valueOf(String.valueOf(value));
    }
}
