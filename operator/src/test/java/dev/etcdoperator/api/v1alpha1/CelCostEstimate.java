package dev.etcdoperator.api.v1alpha1;

import dev.etcdoperator.api.v1alpha1.CelExpression.Call;
import dev.etcdoperator.api.v1alpha1.CelExpression.Comprehension;
import dev.etcdoperator.api.v1alpha1.CelExpression.Ident;
import dev.etcdoperator.api.v1alpha1.CelExpression.ListLiteral;
import dev.etcdoperator.api.v1alpha1.CelExpression.Literal;
import dev.etcdoperator.api.v1alpha1.CelExpression.MapLiteral;
import dev.etcdoperator.api.v1alpha1.CelExpression.Node;
import dev.etcdoperator.api.v1alpha1.CelExpression.Select;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A rough, deliberately pessimistic estimate of a validation rule's cost, after the model the Kubernetes API server
 * uses when it admits a CRD (CEL's static cost estimator with the sizes apiextensions-apiserver derives from the
 * schema): reading a variable or a field costs 1, a comparison a tenth of the smaller operand's size, a membership
 * test the list's size, a macro its range's size times its body; sizes come from maxLength (times 4: bytes per
 * character), maxItems, maxProperties and enums, and where the schema gives none, from what fits into one 3 MiB
 * request. Where the model is unsure this estimate takes the larger figure (an object compared as a whole counts
 * everything in it). A function it does not know is refused, so that a new kind of rule cannot slip by unestimated.
 */
final class CelCostEstimate {
  static final long MAX_REQUEST_BYTES = 3L * 1024 * 1024;
  private static final long UNBOUNDED_STRING = MAX_REQUEST_BYTES - 2;
  private static final Set<String> SCALAR_METHODS = Set.of("size", "compareTo", "isGreaterThan", "isLessThan",
      "asInteger", "asApproximateFloat", "sign", "isInteger", "int", "uint", "double", "string", "bool");
  private static final Map<String, Long> MACRO_OVERHEAD = Map.of("all", 3L, "exists", 4L, "exists_one", 3L,
      "map", 13L, "filter", 13L);

  /** What an expression costs to evaluate and how large its value can be (CEL's size, and every byte in it). */
  private record Value(long cost, long size, long traversal, JSONSchemaProps schema) {
    static Value scalar(long cost) {
      return new Value(cost, 1, 1, null);
    }
  }

  private final Map<String, JSONSchemaProps> variables = new HashMap<>();

  private CelCostEstimate(JSONSchemaProps self) {
    variables.put("self", self);
    variables.put("oldSelf", self);
  }

  /** The estimated cost of one evaluation of {@code rule} on a node of this schema. */
  static long of(String rule, JSONSchemaProps node) {
    return new CelCostEstimate(node).estimate(CelExpression.parse(rule)).cost();
  }

  /** CEL's size of a value of this schema: characters (bytes) of a string, entries of a list or map. */
  static long size(JSONSchemaProps schema) {
    if (Boolean.TRUE.equals(schema.getXKubernetesIntOrString())) {
      return UNBOUNDED_STRING;
    }
    String type = String.valueOf(schema.getType());
    return switch (type) {
      case "string" -> stringSize(schema);
      case "array" -> schema.getMaxItems() != null ? schema.getMaxItems()
          : (MAX_REQUEST_BYTES - 2) / (minSerializedSize(schema.getItems().getSchema()) + 1);
      case "object" -> isMap(schema) ? mapSize(schema) : schema.getProperties() == null ? 0
          : schema.getProperties().size();
      default -> 1;
    };
  }

  static boolean isMap(JSONSchemaProps schema) {
    return schema.getAdditionalProperties() != null && schema.getAdditionalProperties().getSchema() != null;
  }

  private static long mapSize(JSONSchemaProps schema) {
    return schema.getMaxProperties() != null ? schema.getMaxProperties()
        : (MAX_REQUEST_BYTES - 2) / (minSerializedSize(schema.getAdditionalProperties().getSchema()) + 6);
  }

  private static long stringSize(JSONSchemaProps schema) {
    if (schema.getMaxLength() != null) {
      return schema.getMaxLength() * 4;
    }
    if (schema.getEnum() != null && !schema.getEnum().isEmpty()) {
      return schema.getEnum().stream().mapToLong(v -> v.asText().length()).max().orElse(0);
    }
    return switch (String.valueOf(schema.getFormat())) {
      case "date" -> 10;
      case "date-time", "duration" -> 32;
      default -> UNBOUNDED_STRING;
    };
  }

  private static long minSerializedSize(JSONSchemaProps schema) {
    return switch (String.valueOf(schema.getType())) {
      case "boolean" -> 4;
      case "integer", "number" -> 1;
      default -> 2;
    };
  }

  /** Every byte a full comparison of two such values would look at. */
  private static long traversal(JSONSchemaProps schema) {
    if (schema == null) {
      return 1;
    }
    String type = String.valueOf(schema.getType());
    if (type.equals("array")) {
      return times(size(schema), traversal(schema.getItems().getSchema()));
    }
    if (type.equals("object") && isMap(schema)) {
      return times(size(schema), plus(UNBOUNDED_STRING, traversal(schema.getAdditionalProperties().getSchema())));
    }
    if (type.equals("object")) {
      long sum = 0;
      for (JSONSchemaProps property : schema.getProperties() == null ? List.<JSONSchemaProps>of()
          : schema.getProperties().values()) {
        sum = plus(sum, traversal(property));
      }
      return sum;
    }
    return size(schema);
  }

  private Value estimate(Node node) {
    return switch (node) {
      case Literal literal -> new Value(0, literal.size(), literal.size(), null);
      case Ident ident -> field(1, lookup(ident.name()));
      case Select select -> select(select);
      case ListLiteral list -> collection(10, list.elements());
      case MapLiteral map -> collection(30, map.entries());
      case Comprehension comprehension -> comprehension(comprehension);
      case Call call -> call(call);
    };
  }

  private JSONSchemaProps lookup(String name) {
    if (!variables.containsKey(name)) {
      throw new IllegalArgumentException("unknown variable " + name);
    }
    return variables.get(name);
  }

  private static Value field(long cost, JSONSchemaProps schema) {
    return schema == null ? Value.scalar(cost) : new Value(cost, size(schema), traversal(schema), schema);
  }

  private Value select(Select select) {
    Value operand = estimate(select.operand());
    if (select.presenceTest()) {
      return Value.scalar(operand.cost() + 1);
    }
    return field(operand.cost() + 1, child(operand.schema(), select.field()));
  }

  private static JSONSchemaProps child(JSONSchemaProps schema, String field) {
    if (schema == null) {
      throw new IllegalArgumentException("cannot select ." + field + " from a computed value");
    }
    if (isMap(schema)) {
      return schema.getAdditionalProperties().getSchema();
    }
    JSONSchemaProps child = schema.getProperties() == null ? null : schema.getProperties().get(field);
    if (child == null) {
      throw new IllegalArgumentException("the schema has no field " + field);
    }
    return child;
  }

  private Value collection(long baseCost, List<Node> elements) {
    long cost = baseCost;
    long traversal = 0;
    for (Node element : elements) {
      Value value = estimate(element);
      cost = plus(cost, value.cost());
      traversal = plus(traversal, value.traversal());
    }
    return new Value(cost, elements.size(), traversal, null);
  }

  private Value comprehension(Comprehension comprehension) {
    Value range = estimate(comprehension.range());
    JSONSchemaProps element = elementOf(range.schema());
    JSONSchemaProps shadowed = variables.put(comprehension.variable(), element);
    long perElement = MACRO_OVERHEAD.get(comprehension.macro());
    for (Node body : comprehension.body()) {
      perElement = plus(perElement, estimate(body).cost());
    }
    variables.put(comprehension.variable(), shadowed);
    long cost = plus(range.cost(), times(range.size(), perElement));
    boolean list = comprehension.macro().equals("map") || comprehension.macro().equals("filter");
    return list ? new Value(cost, range.size(), range.size(), null) : Value.scalar(cost);
  }

  /** The schema of a list's items or of a map's keys (strings with no bound a schema could set). */
  private static JSONSchemaProps elementOf(JSONSchemaProps schema) {
    if (schema == null) {
      return null;
    }
    if ("array".equals(schema.getType())) {
      return schema.getItems().getSchema();
    }
    JSONSchemaProps key = new JSONSchemaProps();
    key.setType("string");
    return key;
  }

  private Value call(Call call) {
    Value target = call.target() == null ? null : estimate(call.target());
    List<Value> args = call.args().stream().map(this::estimate).toList();
    long operands = target == null ? 0 : target.cost();
    for (Value arg : args) {
      operands = plus(operands, arg.cost());
    }
    return switch (call.function()) {
      case "&&", "||" -> Value.scalar(operands);
      case "?:" -> {
        Value larger = args.get(1).size() >= args.get(2).size() ? args.get(1) : args.get(2);
        long branches = Math.max(args.get(1).cost(), args.get(2).cost());
        yield new Value(plus(args.get(0).cost(), branches), larger.size(), larger.traversal(), larger.schema());
      }
      case "==", "!=", "<", "<=", ">", ">=" ->
          Value.scalar(plus(operands, Math.max(1, tenth(Math.min(args.get(0).traversal(), args.get(1).traversal())))));
      case "in" -> Value.scalar(plus(operands, args.get(1).size()));
      case "[]" -> field(plus(operands, 1), elementOrValue(args.get(0).schema()));
      case "!", "negate", "-", "*", "/", "%" -> Value.scalar(plus(operands, 1));
      case "+" -> {
        long size = plus(args.get(0).size(), args.get(1).size());
        yield new Value(plus(operands, Math.max(1, tenth(size))), size, size, null);
      }
      case "startsWith", "endsWith" -> Value.scalar(plus(operands, tenth(args.get(0).size())));
      case "contains" -> Value.scalar(plus(operands, times(tenth(target.size()), tenth(args.get(0).size()))));
      case "matches" -> Value.scalar(plus(operands, times(tenth(target.size() + 1),
          (long) Math.ceil(args.get(0).size() * 0.25))));
      case "quantity", "isQuantity" -> Value.scalar(plus(operands, tenth(args.get(0).size())));
      default -> {
        if (!SCALAR_METHODS.contains(call.function())) {
          throw new IllegalArgumentException("no cost model for function " + call.function() + "()");
        }
        yield Value.scalar(plus(operands, 1));
      }
    };
  }

  private static JSONSchemaProps elementOrValue(JSONSchemaProps schema) {
    if (schema == null) {
      return null;
    }
    return "array".equals(schema.getType()) ? schema.getItems().getSchema()
        : isMap(schema) ? schema.getAdditionalProperties().getSchema() : null;
  }

  private static long tenth(long size) {
    return (long) Math.ceil(size * 0.1);
  }

  static long plus(long a, long b) {
    long sum = a + b;
    return sum < 0 ? Long.MAX_VALUE : sum;
  }

  static long times(long a, long b) {
    return a != 0 && b > Long.MAX_VALUE / a ? Long.MAX_VALUE : a * b;
  }
}
