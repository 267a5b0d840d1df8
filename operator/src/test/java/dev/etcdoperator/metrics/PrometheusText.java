package dev.etcdoperator.metrics;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A strict parser of Prometheus' text exposition format (version 0.0.4), for tests (the e2e module's too): no Java
 * parser of the format resolves from the Maven mirror here (the Prometheus Java client ships writers only). It
 * refuses what Prometheus would refuse or what hides a mistake: a malformed name, label or value, an escape other
 * than {@code \\ \" \n}, a second HELP or TYPE for a family, a TYPE after the family's samples, a family whose
 * samples are not together, a sample name that does not belong to its family's type, a histogram bucket without
 * {@code le}, a duplicate series, and a body without a final newline.
 */
public final class PrometheusText {
  private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Pattern FLOAT = Pattern.compile(
      "[+-]?(?:(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?|Inf|inf|NaN)");
  private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

  public record Sample(String name, Map<String, String> labels, double value) {}

  public record Family(String name, String type, String help, List<Sample> samples) {}

  private PrometheusText() {}

  public static Map<String, Family> parse(String body) {
    if (!body.isEmpty() && !body.endsWith("\n")) {
      throw new IllegalArgumentException("the exposition does not end with a newline");
    }
    Map<String, String> types = new LinkedHashMap<>();
    Map<String, String> helps = new LinkedHashMap<>();
    Map<String, List<Sample>> samples = new LinkedHashMap<>();
    Set<String> closedFamilies = new HashSet<>();
    Set<String> series = new HashSet<>();
    String currentFamily = null;
    String[] lines = body.split("\n", -1);
    for (int i = 0; i < lines.length - 1; i++) {
      String line = lines[i];
      String where = "line " + (i + 1) + ": " + line;
      if (line.isBlank()) {
        continue;
      }
      if (line.startsWith("#")) {
        String[] parts = line.split(" ", 4);
        if (parts.length >= 3 && (parts[1].equals("HELP") || parts[1].equals("TYPE"))) {
          String name = name(parts[2], where);
          if (samples.containsKey(name)) {
            throw new IllegalArgumentException(parts[1] + " after the samples of " + name + ": " + where);
          }
          Map<String, String> target = parts[1].equals("HELP") ? helps : types;
          String text = parts.length == 4 ? parts[3] : "";
          if (target.put(name, text) != null) {
            throw new IllegalArgumentException("a second " + parts[1] + " for " + name + ": " + where);
          }
          if (parts[1].equals("TYPE") && !TYPES.contains(text)) {
            throw new IllegalArgumentException("unknown type: " + where);
          }
        }
        continue;
      }
      Sample sample = sample(line, where);
      String family = familyOf(sample.name(), types);
      if (!family.equals(currentFamily)) {
        if (!closedFamilies.add(family)) {
          throw new IllegalArgumentException("samples of " + family + " are not together: " + where);
        }
        currentFamily = family;
      }
      if ("histogram".equals(types.get(family)) && sample.name().endsWith("_bucket")
          && !sample.labels().containsKey("le")) {
        throw new IllegalArgumentException("a bucket without le: " + where);
      }
      if (!series.add(sample.name() + sample.labels())) {
        throw new IllegalArgumentException("a duplicate series: " + where);
      }
      samples.computeIfAbsent(family, f -> new ArrayList<>()).add(sample);
    }
    Map<String, Family> families = new LinkedHashMap<>();
    samples.forEach((name, list) -> families.put(name, new Family(name, types.getOrDefault(name, "untyped"),
        helps.get(name), List.copyOf(list))));
    return families;
  }

  /** The family a sample belongs to: its TYPE line's name, with the suffixes that type's samples carry. */
  private static String familyOf(String sampleName, Map<String, String> types) {
    if (types.containsKey(sampleName)) {
      return sampleName;
    }
    for (String suffix : List.of("_total", "_created", "_bucket", "_count", "_sum", "_gcount", "_gsum")) {
      if (sampleName.endsWith(suffix)) {
        String base = sampleName.substring(0, sampleName.length() - suffix.length());
        String type = types.get(base);
        boolean fits = switch (suffix) {
          case "_total" -> "counter".equals(type);
          case "_created" -> "counter".equals(type) || "histogram".equals(type) || "summary".equals(type);
          case "_bucket", "_gcount", "_gsum" -> "histogram".equals(type);
          default -> "histogram".equals(type) || "summary".equals(type);
        };
        if (fits) {
          return base;
        }
      }
    }
    return sampleName;
  }

  private static Sample sample(String line, String where) {
    int i = 0;
    while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
      i++;
    }
    String name = name(line.substring(0, i), where);
    Map<String, String> labels = new LinkedHashMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i = labels(line, i + 1, labels, where);
    }
    if (i >= line.length() || line.charAt(i) != ' ') {
      throw new IllegalArgumentException("expected a space before the value: " + where);
    }
    String[] rest = line.substring(i).trim().split(" +");
    if (rest.length > 2) {
      throw new IllegalArgumentException("expected a value and an optional timestamp: " + where);
    }
    if (!FLOAT.matcher(rest[0]).matches()) {
      throw new IllegalArgumentException("not a value: " + where);
    }
    if (rest.length == 2 && !rest[1].matches("-?\\d+")) {
      throw new IllegalArgumentException("not a timestamp: " + where);
    }
    String value = rest[0].replace("Inf", "Infinity").replace("inf", "Infinity");
    return new Sample(name, Map.copyOf(labels), Double.parseDouble(value));
  }

  /** Reads labels from just after '{' up to and past '}'; returns the index after '}'. */
  private static int labels(String line, int i, Map<String, String> labels, String where) {
    while (true) {
      if (i >= line.length()) {
        throw new IllegalArgumentException("unterminated labels: " + where);
      }
      if (line.charAt(i) == '}') {
        return i + 1;
      }
      int eq = line.indexOf('=', i);
      if (eq < 0 || eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
        throw new IllegalArgumentException("malformed label: " + where);
      }
      String label = line.substring(i, eq);
      if (!LABEL_NAME.matcher(label).matches() || labels.containsKey(label)) {
        throw new IllegalArgumentException("bad or repeated label name '" + label + "': " + where);
      }
      StringBuilder value = new StringBuilder();
      int j = eq + 2;
      for (; j < line.length() && line.charAt(j) != '"'; j++) {
        char c = line.charAt(j);
        if (c == '\\') {
          char escaped = j + 1 < line.length() ? line.charAt(++j) : ' ';
          value.append(switch (escaped) {
            case '\\' -> '\\';
            case '"' -> '"';
            case 'n' -> '\n';
            default -> throw new IllegalArgumentException("bad escape \\" + escaped + ": " + where);
          });
        } else {
          value.append(c);
        }
      }
      if (j >= line.length()) {
        throw new IllegalArgumentException("unterminated label value: " + where);
      }
      labels.put(label, value.toString());
      i = j + 1;
      if (i < line.length() && line.charAt(i) == ',') {
        i++;
      } else if (i >= line.length() || line.charAt(i) != '}') {
        throw new IllegalArgumentException("expected ',' or '}' after a label: " + where);
      }
    }
  }

  private static String name(String candidate, String where) {
    if (!METRIC_NAME.matcher(candidate).matches()) {
      throw new IllegalArgumentException("not a metric name '" + candidate + "': " + where);
    }
    return candidate;
  }

  /** The one sample of {@code name} whose labels include {@code labels}, if there is one (fails on several). */
  public static Optional<Sample> find(Map<String, Family> families, String name, Map<String, String> labels) {
    List<Sample> matching = families.values().stream().flatMap(f -> f.samples().stream())
        .filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet())).toList();
    if (matching.size() > 1) {
      throw new AssertionError("several samples of " + name + " with " + labels + ": " + matching);
    }
    return matching.stream().findFirst();
  }

  /** Every sample name in the exposition (histogram buckets, counters' _total...). */
  public static Set<String> sampleNames(Map<String, Family> families) {
    Set<String> names = new HashSet<>();
    families.values().forEach(f -> f.samples().forEach(s -> names.add(s.name())));
    return names;
  }
}
