package io.mlproof.orchestrator.state;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;

/** One DAG run, as stored. {@code conf} is the JSON object of the run's resolved params. */
public record DagRunRecord(
    String dagId,
    LocalDate logicalDate,
    DagRunState state,
    RunType runType,
    String conf,
    Optional<Instant> start,
    Optional<Instant> end) {}
