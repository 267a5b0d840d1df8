package dev.etcdoperator;

/**
 * Whether a text is one whole JSON object: it opens with a brace and closes it at its end, braces inside strings
 * aside. A scan of the characters, far cheaper than the parse that follows; it tells a message cut short from a
 * whole one, and leaves the rest of JSON's grammar to the parser.
 */
final class JsonObjectText {
  private JsonObjectText() {}

  static boolean isWhole(String text) {
    int end = text.length();
    while (end > 0 && Character.isWhitespace(text.charAt(end - 1))) {
      end--;
    }
    int start = 0;
    while (start < end && Character.isWhitespace(text.charAt(start))) {
      start++;
    }
    if (start == end || text.charAt(start) != '{') {
      return false;
    }
    int depth = 0;
    boolean inString = false;
    for (int i = start; i < end; i++) {
      char c = text.charAt(i);
      if (inString) {
        if (c == '\\') {
          i++; // the escaped character, a quote or a backslash included
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '{' || c == '[') {
        depth++;
      } else if (c == '}' || c == ']') {
        depth--;
        if (depth == 0) {
          return i == end - 1;
        }
      }
    }
    return false;
  }
}
