package dev.etcdoperator.metrics;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The metric names a PromQL expression reads, by a tokenizer (no PromQL parser for Java resolves from the Maven
 * mirror here). An identifier is a metric name unless it is a function (followed by '('), a reserved word
 * (operators, modifiers, aggregations), a label name (inside {...} or the label list after by/without/on/ignoring/
 * group_left/group_right), or part of a duration ([5m], offset 1h). Strings and numbers are skipped. Unbalanced
 * brackets or a character PromQL does not have fail, so a typo in an expression cannot hide a name.
 */
final class PromqlMetricNames {
  /** PromQL's reserved words: operators, modifiers and the aggregations (which may stand before by/without). */
  private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "atan2", "inf", "nan",
      "by", "without", "on", "ignoring", "group_left", "group_right", "sum", "min", "max", "avg", "group", "stddev",
      "stdvar", "count", "count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio");
  private static final Set<String> LABEL_LIST_BEFORE = Set.of("by", "without", "on", "ignoring", "group_left",
      "group_right");

  private PromqlMetricNames() {}

  static Set<String> of(String expression) {
    Set<String> names = new LinkedHashSet<>();
    Deque<Character> open = new ArrayDeque<>();
    int i = 0;
    int n = expression.length();
    while (i < n) {
      char c = expression.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '#') {
        while (i < n && expression.charAt(i) != '\n') {
          i++;
        }
      } else if (c == '"' || c == '\'' || c == '`') {
        i = skipString(expression, i);
      } else if (c == '{') {
        i = skipMatchers(expression, i);
      } else if (c == '[') {
        int close = expression.indexOf(']', i);
        if (close < 0) {
          throw new IllegalArgumentException("unclosed '[' in " + expression);
        }
        i = close + 1;
      } else if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(expression.charAt(i + 1)))) {
        // A number, hex number or duration (5m, 1h30m, 1e3): letters and digits that follow belong to it.
        while (i < n && (Character.isLetterOrDigit(expression.charAt(i)) || expression.charAt(i) == '.')) {
          i++;
        }
      } else if (Character.isLetter(c) || c == '_' || c == ':') {
        int start = i;
        while (i < n && (Character.isLetterOrDigit(expression.charAt(i)) || expression.charAt(i) == '_'
            || expression.charAt(i) == ':')) {
          i++;
        }
        String word = expression.substring(start, i);
        int next = i;
        while (next < n && Character.isWhitespace(expression.charAt(next))) {
          next++;
        }
        boolean call = next < n && expression.charAt(next) == '(';
        if (LABEL_LIST_BEFORE.contains(word.toLowerCase()) && call) {
          int close = expression.indexOf(')', next);
          if (close < 0) {
            throw new IllegalArgumentException("unclosed label list after " + word + " in " + expression);
          }
          i = close + 1;
        } else if ("offset".equalsIgnoreCase(word)) {
          while (i < n && Character.isWhitespace(expression.charAt(i))) {
            i++;
          }
          while (i < n && (Character.isLetterOrDigit(expression.charAt(i)) || expression.charAt(i) == '-')) {
            i++;
          }
        } else if (!call && !KEYWORDS.contains(word.toLowerCase())) {
          names.add(word);
        }
      } else if (c == '(') {
        open.push(')');
        i++;
      } else if (c == ')') {
        if (open.isEmpty() || open.pop() != ')') {
          throw new IllegalArgumentException("unbalanced ')' in " + expression);
        }
        i++;
      } else if ("+-*/%^=!<>,:@".indexOf(c) >= 0) {
        i++;
      } else {
        throw new IllegalArgumentException("'" + c + "' is not PromQL, in " + expression);
      }
    }
    if (!open.isEmpty()) {
      throw new IllegalArgumentException("unclosed '(' in " + expression);
    }
    return names;
  }

  private static int skipString(String expression, int start) {
    char quote = expression.charAt(start);
    int i = start + 1;
    while (i < expression.length() && expression.charAt(i) != quote) {
      i += expression.charAt(i) == '\\' && quote != '`' ? 2 : 1;
    }
    if (i >= expression.length()) {
      throw new IllegalArgumentException("unclosed string in " + expression);
    }
    return i + 1;
  }

  /** Skips {label="value", ...}: label names are not metric names. */
  private static int skipMatchers(String expression, int start) {
    int i = start + 1;
    while (i < expression.length() && expression.charAt(i) != '}') {
      char c = expression.charAt(i);
      i = c == '"' || c == '\'' || c == '`' ? skipString(expression, i) : i + 1;
    }
    if (i >= expression.length()) {
      throw new IllegalArgumentException("unclosed '{' in " + expression);
    }
    return i + 1;
  }
}
