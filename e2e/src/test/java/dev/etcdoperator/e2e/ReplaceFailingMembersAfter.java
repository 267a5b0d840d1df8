package dev.etcdoperator.e2e;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The operator's REPLACE_FAILING_MEMBER_AFTER_SECONDS for a scenario class (default: the operator's own, five
 * minutes), so that a scenario can outlast it without waiting minutes.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@interface ReplaceFailingMembersAfter {
  int seconds();
}
