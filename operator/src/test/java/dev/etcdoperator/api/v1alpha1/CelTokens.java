package dev.etcdoperator.api.v1alpha1;

import java.util.ArrayList;
import java.util.List;

/** Splits a CEL expression into tokens: names, numbers, quoted strings (kept with their quotes) and operators. */
final class CelTokens {
  private static final List<String> OPERATORS = List.of("==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "+", "-",
      "*", "/", "%", "?", ":", ".", ",", "(", ")", "[", "]", "{", "}");

  private CelTokens() {}

  static List<String> of(String source) {
    List<String> tokens = new ArrayList<>();
    int i = 0;
    while (i < source.length()) {
      char c = source.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (startsString(source, i)) {
        int end = stringEnd(source, i);
        tokens.add(source.substring(i, end));
        i = end;
      } else if (Character.isLetter(c) || c == '_') {
        int end = i;
        while (end < source.length() && (Character.isLetterOrDigit(source.charAt(end)) || source.charAt(end) == '_')) {
          end++;
        }
        tokens.add(source.substring(i, end));
        i = end;
      } else if (Character.isDigit(c)) {
        int end = i;
        while (end < source.length() && (Character.isLetterOrDigit(source.charAt(end)) || source.charAt(end) == '.'
            && end + 1 < source.length() && Character.isDigit(source.charAt(end + 1)))) {
          end++;
        }
        tokens.add(source.substring(i, end));
        i = end;
      } else {
        int at = i;
        String operator = OPERATORS.stream().filter(o -> source.startsWith(o, at)).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("unexpected '" + c + "' at " + at + " in " + source));
        tokens.add(operator);
        i += operator.length();
      }
    }
    return tokens;
  }

  static boolean isStringLiteral(String token) {
    return startsString(token, 0);
  }

  static boolean isIdentifier(String token) {
    return (Character.isLetter(token.charAt(0)) || token.charAt(0) == '_') && !isStringLiteral(token);
  }

  /** The text between the quotes; escapes are kept as written, which only matters for the length estimate. */
  static String unquote(String token) {
    int start = token.charAt(0) == '\'' || token.charAt(0) == '"' ? 0 : 1;
    int quotes = token.startsWith("'''", start) || token.startsWith("\"\"\"", start) ? 3 : 1;
    return token.substring(start + quotes, token.length() - quotes);
  }

  /** A quote, or a raw/bytes prefix (r, R, b, B, and their pairs) directly followed by one. */
  private static boolean startsString(String source, int at) {
    int i = at;
    while (i < source.length() && i - at < 2 && "rRbB".indexOf(source.charAt(i)) >= 0) {
      i++;
    }
    return i < source.length() && (source.charAt(i) == '\'' || source.charAt(i) == '"')
        && (i == at || i - at <= 2);
  }

  private static int stringEnd(String source, int at) {
    int i = at;
    boolean raw = false;
    while (source.charAt(i) != '\'' && source.charAt(i) != '"') {
      raw |= Character.toLowerCase(source.charAt(i)) == 'r';
      i++;
    }
    String quote = source.startsWith("'''", i) || source.startsWith("\"\"\"", i) ? source.substring(i, i + 3)
        : String.valueOf(source.charAt(i));
    i += quote.length();
    while (i < source.length()) {
      if (!raw && source.charAt(i) == '\\') {
        i += 2;
      } else if (source.startsWith(quote, i)) {
        return i + quote.length();
      } else {
        i++;
      }
    }
    throw new IllegalArgumentException("unterminated string at " + at + " in " + source);
  }
}
