package dev.etcdoperator.deploy;

import static dev.etcdoperator.deploy.DeployManifests.SERIALIZATION;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.jse.JsePlatform;

/**
 * One of deploy/argocd's health checks, run the way Argo CD runs it: a fresh Lua 5.1 interpreter (LuaJ here,
 * gopher-lua in Argo CD) per object, the object as the global {@code obj} (its JSON as nested tables), the script's
 * returned table holding {@code status} and {@code message}.
 */
public final class LuaHealthCheck {
  public static final Path CUSTOMIZATIONS = Path.of("..", "deploy", "argocd", "resource_customizations");

  /** What Argo CD would show. */
  public record Health(String status, String message) {}

  private final Path script;
  private final String source;

  private LuaHealthCheck(Path script) {
    this.script = script;
    try {
      this.source = Files.readString(script);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static LuaHealthCheck of(String group, String kind) {
    return new LuaHealthCheck(CUSTOMIZATIONS.resolve(group).resolve(kind).resolve("health.lua"));
  }

  /** Runs the check on an object: a model object (EtcdCluster...) or its JSON as maps and lists. */
  public Health run(Object object) {
    Globals globals = JsePlatform.standardGlobals();
    globals.set("obj", toLua(SERIALIZATION.convertValue(object, Map.class)));
    LuaValue result = globals.load(source, script.toString()).call();
    if (!result.istable()) {
      throw new AssertionError(script + " returned " + result.typename() + ", not a table");
    }
    return new Health(text(result.get("status")), text(result.get("message")));
  }

  private static String text(LuaValue value) {
    return value.isnil() ? null : value.tojstring();
  }

  /** JSON as Lua sees it in Argo CD: objects and arrays are tables (arrays from 1), numbers are numbers. */
  private static LuaValue toLua(Object value) {
    return switch (value) {
      case null -> LuaValue.NIL;
      case Map<?, ?> map -> {
        LuaTable table = new LuaTable();
        map.forEach((k, v) -> table.set(String.valueOf(k), toLua(v)));
        yield table;
      }
      case List<?> list -> {
        LuaTable table = new LuaTable();
        for (int i = 0; i < list.size(); i++) {
          table.set(i + 1, toLua(list.get(i)));
        }
        yield table;
      }
      case Boolean b -> LuaValue.valueOf(b);
      case Integer i -> LuaValue.valueOf(i);
      case Number n -> LuaValue.valueOf(n.doubleValue());
      default -> LuaValue.valueOf(value.toString());
    };
  }
}
