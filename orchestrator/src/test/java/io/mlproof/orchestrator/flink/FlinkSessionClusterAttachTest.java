package io.mlproof.orchestrator.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlproof.orchestrator.state.ProcessIdentity;
import io.mlproof.pipelines.core.InvalidInputException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dags run --flink-cluster DIR} refusing a folder it cannot submit to, on hand-written state
 * files: no cluster recorded, a bundled jar rebuilt since the cluster started, processes gone. A
 * real cluster accepting the run is StartedClusterIT.
 */
class FlinkSessionClusterAttachTest {
  private static final Instant BUILT = Instant.parse("2026-12-01T00:00:00Z");

  @TempDir Path dir;
  private Path cluster;
  private Path jar;

  @BeforeEach
  void files() throws Exception {
    cluster = Files.createDirectories(dir.resolve("cluster"));
    jar = Files.writeString(dir.resolve("mlproof-flink.jar"), "twelve bytes");
    Files.setLastModifiedTime(jar, FileTime.from(BUILT));
  }

  @Test
  void aFolderWithoutAClusterSaysHowToStartOne() {
    Path empty = dir.resolve("nothing");
    assertThatThrownBy(() -> FlinkSessionCluster.attach(empty, Optional.of(jar)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "--flink-cluster "
                + empty
                + ": no cluster is recorded there (no cluster.properties): start one with mlproof"
                + " flink start --dir "
                + empty
                + ", or give its master with --flink-master");
  }

  @Test
  void aJarRebuiltSinceTheClusterStartedIsRefusedBeforeAnythingIsSubmitted() throws Exception {
    record(jar, 12, BUILT.toEpochMilli());
    Files.setLastModifiedTime(jar, FileTime.from(BUILT.plusSeconds(60)));
    assertThatThrownBy(() -> FlinkSessionCluster.attach(cluster, Optional.of(jar)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "--flink-cluster "
                + cluster
                + ": its class path has "
                + jar
                + " (12 bytes, modified 2026-12-01T00:00:00Z) as it was when the cluster started,"
                + " not this mlproof's "
                + jar
                + " (12 bytes, modified 2026-12-01T00:01:00Z), so its jobs would run other code:"
                + " restart it (mlproof flink stop --dir "
                + cluster
                + ", then mlproof flink start --dir "
                + cluster
                + " ... --job-jar "
                + jar
                + ")");
  }

  @Test
  void theStatusSaysWhetherTheClustersJobJarIsThisBuilds() throws Exception {
    assertThat(FlinkSessionCluster.jobJarStatus(cluster, Optional.of(jar))).isEmpty();
    record(jar, 12, BUILT.toEpochMilli());
    String recorded = "job jar " + jar + " (12 bytes, modified 2026-12-01T00:00:00Z)";
    assertThat(FlinkSessionCluster.jobJarStatus(cluster, Optional.of(jar)))
        .contains(recorded + ": this build's");
    assertThat(FlinkSessionCluster.jobJarStatus(cluster, Optional.empty())).contains(recorded);
    Files.setLastModifiedTime(jar, FileTime.from(BUILT.plusSeconds(60)));
    assertThat(FlinkSessionCluster.jobJarStatus(cluster, Optional.of(jar)))
        .contains(
            recorded
                + ": not this build's "
                + jar
                + " (12 bytes, modified 2026-12-01T00:01:00Z), restart the cluster to run DAGs on"
                + " it with --flink-cluster");
  }

  @Test
  void aCopyOfTheSameBuildPassesTheJarCheckAndAClusterThatIsGoneIsRefused() throws Exception {
    Path copy = Files.createDirectories(dir.resolve("elsewhere")).resolve("mlproof-flink.jar");
    Files.copy(jar, copy, StandardCopyOption.COPY_ATTRIBUTES);
    record(jar, 12, BUILT.toEpochMilli());
    // The recorded JobManager is this JVM's pid with another start time: a pid reused since.
    assertThatThrownBy(() -> FlinkSessionCluster.attach(cluster, Optional.of(copy)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "--flink-cluster "
                + cluster
                + ": the cluster is not running (0 of its 1 processes alive, no answer from its"
                + " JobManager at 127.0.0.1:1): mlproof flink stop --dir "
                + cluster
                + ", then mlproof flink start --dir "
                + cluster
                + " ...");
  }

  @Test
  void aClusterWithoutAJobJarIsNotCheckedAgainstTheClientsJar() throws Exception {
    record(null, 0, 0);
    assertThatThrownBy(() -> FlinkSessionCluster.attach(cluster, Optional.of(jar)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("the cluster is not running (0 of its 1 processes alive");
  }

  /** What a start writes: ports, the JobManager's identity and, if given, the job jar. */
  private void record(Path jobJar, long size, long modified) throws Exception {
    ProcessIdentity self = ProcessIdentity.current();
    Properties state = new Properties();
    // Port 1: nothing listens there, so the JobManager does not answer.
    state.setProperty("rest.port", "1");
    state.setProperty("rpc.port", "2");
    state.setProperty("jobmanager.pid", Long.toString(self.pid()));
    state.setProperty("jobmanager.start", Long.toString(self.start() - 1));
    state.setProperty("jobmanager.host", self.hostname());
    if (jobJar != null) {
      state.setProperty("job.jar", jobJar.toString());
      state.setProperty("job.jar.size", Long.toString(size));
      state.setProperty("job.jar.modified", Long.toString(modified));
    }
    try (OutputStream out = Files.newOutputStream(cluster.resolve("cluster.properties"))) {
      state.store(out, null);
    }
    assertThat(cluster.resolve("cluster.properties")).exists();
  }
}
