package io.mlproof.orchestrator.dag;

import io.mlproof.orchestrator.core.ParamType;
import java.util.Optional;

/**
 * A typed DAG param ({@code {{ params.name }}}); runs may override its default with {@code --conf}.
 *
 * @param defaultValue of {@link #type}'s Java type (see {@link ParamType#fromJson}); empty when a
 *     run must supply it
 */
public record ParamSpec(
    String name, ParamType type, Optional<Object> defaultValue, String description) {}
