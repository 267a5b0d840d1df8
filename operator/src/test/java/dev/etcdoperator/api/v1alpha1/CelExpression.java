package dev.etcdoperator.api.v1alpha1;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A parser for the CEL expressions of CRD validation rules, into a small syntax tree the cost estimate walks. It
 * follows the CEL language definition's grammar (conditional, or, and, relations, sums, products, unary operators,
 * member access, calls, indexes, list and map literals) and turns the macros the rules use (has, all, exists,
 * exists_one, map, filter) into their own nodes; anything else is refused with the position, so that a rule this
 * parser does not understand fails the test instead of escaping the estimate.
 */
final class CelExpression {
  /** A node of the syntax tree. Operators are calls with the operator as the function name and no target. */
  sealed interface Node {}

  /** A constant; {@code size} is what CEL counts: characters of a string, 1 for scalars. */
  record Literal(String text, long size, boolean isString) implements Node {}

  record Ident(String name) implements Node {}

  /** {@code operand.field}; {@code presenceTest} for {@code has(operand.field)}. */
  record Select(Node operand, String field, boolean presenceTest) implements Node {}

  record Call(Node target, String function, List<Node> args) implements Node {}

  record ListLiteral(List<Node> elements) implements Node {}

  record MapLiteral(List<Node> entries) implements Node {}

  /** {@code range.macro(variable, body...)}: all, exists, exists_one, map, filter. */
  record Comprehension(String macro, Node range, String variable, List<Node> body) implements Node {}

  private static final Set<String> ITERATING_MACROS = Set.of("all", "exists", "exists_one", "map", "filter");
  private static final List<List<String>> BINARY_LEVELS = List.of(
      List.of("||"), List.of("&&"), List.of("==", "!=", "<", "<=", ">", ">=", "in"), List.of("+", "-"),
      List.of("*", "/", "%"));

  private final List<String> tokens;
  private int next;

  private CelExpression(List<String> tokens) {
    this.tokens = tokens;
  }

  static Node parse(String source) {
    CelExpression parser = new CelExpression(CelTokens.of(source));
    Node node = parser.conditional();
    if (parser.next != parser.tokens.size()) {
      throw parser.error("unexpected '" + parser.peek() + "'");
    }
    return node;
  }

  private Node conditional() {
    Node condition = binary(0);
    if (accept("?")) {
      Node whenTrue = binary(0);
      expect(":");
      Node whenFalse = conditional();
      return new Call(null, "?:", List.of(condition, whenTrue, whenFalse));
    }
    return condition;
  }

  private Node binary(int level) {
    if (level == BINARY_LEVELS.size()) {
      return unary();
    }
    Node left = binary(level + 1);
    while (peek() != null && BINARY_LEVELS.get(level).contains(peek())) {
      String operator = tokens.get(next++);
      left = new Call(null, operator, List.of(left, binary(level + 1)));
    }
    return left;
  }

  private Node unary() {
    if (accept("!")) {
      return new Call(null, "!", List.of(unary()));
    }
    if (accept("-")) {
      return new Call(null, "negate", List.of(unary()));
    }
    return member(primary());
  }

  private Node member(Node operand) {
    while (true) {
      if (accept(".")) {
        String name = identifier();
        operand = accept("(") ? memberCall(operand, name) : new Select(operand, name, false);
      } else if (accept("[")) {
        Node index = conditional();
        expect("]");
        operand = new Call(null, "[]", List.of(operand, index));
      } else {
        return operand;
      }
    }
  }

  private Node memberCall(Node target, String function) {
    if (ITERATING_MACROS.contains(function)) {
      String variable = identifier();
      List<Node> body = new ArrayList<>();
      while (accept(",")) {
        body.add(conditional());
      }
      expect(")");
      return new Comprehension(function, target, variable, body);
    }
    return new Call(target, function, arguments());
  }

  private Node primary() {
    String token = peek();
    if (token == null) {
      throw error("unexpected end of expression");
    }
    next++;
    if (token.equals("(")) {
      Node inner = conditional();
      expect(")");
      return inner;
    }
    if (token.equals("[")) {
      return new ListLiteral(elementsUntil("]"));
    }
    if (token.equals("{")) {
      return new MapLiteral(mapEntries());
    }
    if (CelTokens.isStringLiteral(token)) {
      String text = CelTokens.unquote(token);
      return new Literal(text, text.codePointCount(0, text.length()), true);
    }
    if (Character.isDigit(token.charAt(0)) || token.equals("true") || token.equals("false")
        || token.equals("null")) {
      return new Literal(token, 1, false);
    }
    if (!CelTokens.isIdentifier(token)) {
      throw error("unexpected '" + token + "'");
    }
    if (token.equals("has") && accept("(")) {
      Node field = conditional();
      expect(")");
      if (!(field instanceof Select select)) {
        throw error("has() needs a field selection");
      }
      return new Select(select.operand(), select.field(), true);
    }
    return accept("(") ? new Call(null, token, arguments()) : new Ident(token);
  }

  private List<Node> arguments() {
    return elementsUntil(")");
  }

  private List<Node> elementsUntil(String close) {
    List<Node> elements = new ArrayList<>();
    if (!accept(close)) {
      do {
        elements.add(conditional());
      } while (accept(","));
      expect(close);
    }
    return elements;
  }

  private List<Node> mapEntries() {
    List<Node> entries = new ArrayList<>();
    if (!accept("}")) {
      do {
        entries.add(conditional());
        expect(":");
        entries.add(conditional());
      } while (accept(","));
      expect("}");
    }
    return entries;
  }

  private String identifier() {
    String token = peek();
    if (token == null || !CelTokens.isIdentifier(token)) {
      throw error("expected a name");
    }
    next++;
    return token;
  }

  private boolean accept(String token) {
    if (token.equals(peek())) {
      next++;
      return true;
    }
    return false;
  }

  private void expect(String token) {
    if (!accept(token)) {
      throw error("expected '" + token + "'");
    }
  }

  private String peek() {
    return next < tokens.size() ? tokens.get(next) : null;
  }

  private IllegalArgumentException error(String problem) {
    return new IllegalArgumentException(problem + " at token " + next + " of " + String.join(" ", tokens));
  }
}
