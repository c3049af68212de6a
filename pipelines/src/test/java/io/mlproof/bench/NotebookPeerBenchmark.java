package io.mlproof.bench;

import io.mlproof.pipelines.features.FeatureSpecs;
import io.mlproof.pipelines.features.SyntheticWarehouse;
import io.mlproof.pipelines.model.ModelArtifact;
import io.mlproof.proto.v1.FeatureSpec;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Times the notebook peer ({@link NotebookPeer}) on a demo warehouse, phase by phase, in this JVM;
 * bin/mlproof-bench-dag runs it right after timing the demo DAG on the same warehouse and prints
 * the ratio. Given the DAG run's train and score task outputs, it also checks (untimed) that the
 * peer computed the same thing: the same model text and the same scores.
 *
 * <p>Arguments: {@code <warehouse.duckdb> [logical date (default 2024-06-03)] [train task output]
 * [score task output]}. Prints Markdown and one last line {@code peer_seconds=<s>} (query to scores
 * written, JVM start excluded) for the script.
 */
public final class NotebookPeerBenchmark {
  private static final String SCORES_TABLE = "notebook_peer_scores";

  private NotebookPeerBenchmark() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args[0].equals("--help")) {
      // make bench runs every harness without arguments; this one needs the DAG's warehouse.
      System.out.println(
          "Usage: NotebookPeerBenchmark <warehouse.duckdb> [YYYY-MM-DD] [train output] [score"
              + " output]; bin/mlproof-bench-dag runs it after the demo DAG on the same warehouse");
      return;
    }
    Path warehouse = Path.of(args[0]);
    LocalDate ds = LocalDate.parse(args.length > 1 ? args[1] : "2024-06-03");
    FeatureSpec spec = FeatureSpecs.load(FeatureSpecs.DEFAULT);
    List<String> names = FeatureSpecs.featureNames(spec);

    long[] executed = new long[1];
    long start = System.nanoTime();
    NotebookPeer.Rows rows;
    NotebookPeer.Result result;
    long queried;
    long trained;
    try (Connection c = SyntheticWarehouse.connect(warehouse)) {
      rows = NotebookPeer.query(c, ds, spec, nanos -> executed[0] = nanos);
      queried = System.nanoTime();
      result = NotebookPeer.trainAndScore(rows, ds, names);
      trained = System.nanoTime();
      NotebookPeer.writeScores(c, SCORES_TABLE, rows, ds, result.scores());
    }
    long end = System.nanoTime();
    double total = (end - start) / 1e9;

    System.out.println("| notebook peer phase | wall s |");
    System.out.println("|---|---:|");
    System.out.printf(
        Locale.ROOT,
        "| one DuckDB query (%d cutoffs) into a %,d x %d matrix (DuckDB %.2f s, JDBC reads"
            + " %.2f s) | %.2f |%n",
        NotebookPeer.cutoffs(ds).size(),
        rows.rows(),
        rows.columns(),
        executed[0] / 1e9,
        (queried - start - executed[0]) / 1e9,
        (queried - start) / 1e9);
    System.out.printf(
        Locale.ROOT,
        "| LightGBM4J: early stopping (best %d of %d rounds), refit, score %,d test + %,d rows"
            + " | %.2f |%n",
        result.bestIteration(),
        result.iterationsRun(),
        result.testScores().length,
        result.scores().length,
        (trained - queried) / 1e9);
    System.out.printf(
        Locale.ROOT, "| scores into table %s | %.2f |%n", SCORES_TABLE, (end - trained) / 1e9);
    System.out.printf(Locale.ROOT, "| **total (JVM start excluded)** | **%.2f** |%n", total);
    System.out.printf(
        Locale.ROOT,
        "%nJVM up %.2f s at the end (start, class loading, then the above)%n",
        ManagementFactory.getRuntimeMXBean().getUptime() / 1e3);

    if (args.length > 3) {
      if (!sameAsTheDag(result, rows, ds, Path.of(args[2]), Path.of(args[3]))) {
        // A ratio between two different computations would mean nothing: no peer_seconds line.
        System.out.println("the peer did not compute what the DAG computed: no ratio");
        System.exit(1);
      }
    }
    System.out.printf(Locale.ROOT, "peer_seconds=%.2f%n", total);
  }

  /**
   * The same thing computed? The DAG's model text and scores against the peer's: true if the model
   * text is identical and the DAG scored exactly the peer's entities with exactly its scores.
   */
  private static boolean sameAsTheDag(
      NotebookPeer.Result result, NotebookPeer.Rows rows, LocalDate ds, Path train, Path score)
      throws Exception {
    String dagModel = Files.readString(train.resolve(ModelArtifact.MODEL_FILE));
    System.out.println(
        "\nmodel text: "
            + (dagModel.equals(result.modelText())
                ? "identical to the DAG's train output (sha256 "
                    + ModelArtifact.sha256(dagModel)
                    + ")"
                : "DIFFERS from the DAG's train output"));
    Map<String, Double> dag = new HashMap<>();
    List<String> lines = Files.readAllLines(score.resolve("scores.csv"));
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",");
      dag.put(f[0], Double.parseDouble(f[1]));
    }
    int day = (int) ds.toEpochDay();
    String[] ids = rows.where(c -> c == day).ids();
    double maxDiff = 0;
    int missing = 0;
    for (int i = 0; i < ids.length; i++) {
      Double d = dag.get(ids[i]);
      if (d == null) {
        missing++;
      } else {
        maxDiff = Math.max(maxDiff, Math.abs(d - result.scores()[i]));
      }
    }
    System.out.printf(
        Locale.ROOT,
        "scores: peer %,d rows, DAG %,d rows, %d of the peer's entities not scored by the DAG,"
            + " largest absolute difference %s%n",
        ids.length,
        dag.size(),
        missing,
        maxDiff);
    return dagModel.equals(result.modelText())
        && missing == 0
        && dag.size() == ids.length
        && maxDiff == 0;
  }
}
