package io.mlproof.pipelines.warehouse;

/** One column of a query result as the engine reports it, e.g. {@code (event_at, TIMESTAMP)}. */
public record SqlColumn(String name, String type) {}
