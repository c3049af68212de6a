package io.mlproof.orchestrator.template;

/** What one {@code {{ ... }}} of a template stands for. */
public sealed interface Expression {

  /** {@code {{ ds }}}, {@code {{ run_root }}}, ... */
  record Var(Variable variable) implements Expression {}

  /** {@code {{ params.name }}}. */
  record Param(String name) implements Expression {}

  /** {@code {{ macros.ds_add(ds, days) }}}: a date variable moved by {@code days} days. */
  record DsAdd(Variable base, int days) implements Expression {}

  /** {@code {{ task_output('id') }}}: an upstream task's output directory in this run. */
  record TaskOutput(String taskId) implements Expression {}

  /**
   * {@code {{ prev_task_output('id') }}}: a task's output directory in the previous scheduled run.
   */
  record PrevTaskOutput(String taskId) implements Expression {}
}
