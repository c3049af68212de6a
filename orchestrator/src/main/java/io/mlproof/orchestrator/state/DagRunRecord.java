package io.mlproof.orchestrator.state;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;

/**
 * One DAG run, as stored.
 *
 * @param conf the JSON object of the run's resolved params
 * @param runRoot the run root its outputs went to; empty when the run is not bound to one (cleared
 *     whole, or stored before run roots were recorded and without a task to tell), and then its
 *     next run may use any run root and params
 */
public record DagRunRecord(
    String dagId,
    LocalDate logicalDate,
    DagRunState state,
    RunType runType,
    String conf,
    Optional<Instant> start,
    Optional<Instant> end,
    Optional<String> runRoot) {}
