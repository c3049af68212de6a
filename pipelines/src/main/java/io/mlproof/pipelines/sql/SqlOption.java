package io.mlproof.pipelines.sql;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a pipeline option (its getter) whose value is SQL text. A DAG that templates a value into
 * such an option gets it as a typed SQL literal from {@link SqlRenderer} ({@code 'US'}, {@code 42},
 * {@code DATE '2024-06-03'}), never as raw text, and {@code dags validate} refuses a template
 * inside a quoted SQL string there. Every option that a pipeline runs as SQL must carry it: the
 * scheduler cannot tell SQL from other text by itself.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface SqlOption {}
