package io.mlproof.pipelines.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlproof.proto.v1.Manifest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 items 1-3 and 14: an output directory is literal, owned, locked and never half-cleaned.
 */
class TaskOutputTest {
  private static final TaskOutput.Owner TOUCH = new TaskOutput.Owner("touch", "dag", "task");
  private static final TaskOutput.Owner OTHER = new TaskOutput.Owner("validate", "dag", "gate");

  @TempDir Path tmp;

  /** Commits {@code dir} as {@code owner} with one file, {@code data.txt}. */
  private static Manifest commit(Path dir, TaskOutput.Owner owner, String data) throws Exception {
    TaskOutput output = TaskOutput.begin(dir.toString(), owner);
    Files.writeString(Path.of(output.staging("data.txt")), data);
    return output.commit(
        Manifest.newBuilder()
            .setPipeline(owner.pipeline())
            .setDagId(owner.dagId())
            .setTaskId(owner.taskId())
            .build());
  }

  private static List<String> names(Path dir) throws Exception {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void aGlobInTheOutputPathIsRefusedAndDeletesNothing() throws Exception {
    Path keepA = Files.createDirectories(tmp.resolve("out/keepA"));
    Path keepB = Files.createDirectories(tmp.resolve("out/keepB"));
    Files.writeString(keepA.resolve("a.txt"), "a");
    Files.writeString(keepB.resolve("b.txt"), "b");
    String glob = tmp.resolve("out") + "/keep*";
    assertThatThrownBy(() -> TaskOutput.begin(glob, TOUCH))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "--output "
                + glob
                + " contains the glob character '*': mlproof paths are literal and may not"
                + " contain any of *?[]{}\\; rename the directory");
    assertThat(names(keepA)).containsExactly("a.txt");
    assertThat(names(keepB)).containsExactly("b.txt");
    assertThat(names(tmp.resolve("out"))).containsExactly("keepA", "keepB");
    assertThatThrownBy(() -> TaskOutput.read(tmp.resolve("out") + "/keep?"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("glob character '?'");
  }

  @Test
  void aForeignNonEmptyDirectoryIsRefusedBeforeAnythingIsDeleted() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("home"));
    Files.writeString(dir.resolve("thesis.tex"), "years of work");
    assertThatThrownBy(() -> TaskOutput.begin(dir.toString(), TOUCH))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "output "
                + dir
                + " is not empty (thesis.tex) and is not an mlproof output, not of pipeline"
                + " 'touch' (dag dag, task task): nothing was deleted; choose an empty or new --output, or remove the"
                + " directory yourself");
    assertThat(names(dir)).containsExactly("thesis.tex");
  }

  @Test
  void anotherTasksOutputIsRefusedSoOutputEqualToInputKeepsTheInput() throws Exception {
    Path input = tmp.resolve("features");
    Manifest committed = commit(input, TOUCH, "examples");
    assertThatThrownBy(() -> TaskOutput.begin(input.toString(), OTHER))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "output "
                + input
                + " is not empty (data.txt, manifest.json) and is the output of pipeline"
                + " 'touch' (dag dag, task task), not of pipeline 'validate' (dag dag, task gate): nothing was deleted;"
                + " choose an empty or new --output, or remove the directory yourself");
    assertThat(TaskOutput.read(input.toString())).isEqualTo(committed);
    assertThat(Files.readString(input.resolve("data.txt"))).isEqualTo("examples");
  }

  @Test
  void anOutputWrittenBeforeOwnerFilesIsRecognisedByItsManifest() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("old"));
    Files.writeString(dir.resolve("data.txt"), "old");
    Files.createDirectories(dir.resolve(".staging-1234")).resolve("x").toFile().createNewFile();
    Files.writeString(
        dir.resolve(TaskOutput.MANIFEST),
        TaskOutput.toJson(
            Manifest.newBuilder().setPipeline("touch").setDagId("dag").setTaskId("task").build()));
    assertThatThrownBy(() -> TaskOutput.begin(dir.toString(), OTHER))
        .isInstanceOf(InvalidInputException.class);

    commit(dir, TOUCH, "new");
    assertThat(names(dir)).containsExactly(TaskOutput.OWNER, "data.txt", "manifest.json");
    assertThat(Files.readString(dir.resolve("data.txt"))).isEqualTo("new");
  }

  @Test
  void theSameTaskReplacesItsOutputAndLeavesNoStagingBehind() throws Exception {
    Path dir = tmp.resolve("out");
    commit(dir, TOUCH, "first");
    TaskOutput second = TaskOutput.begin(dir.toString(), TOUCH);
    // the old manifest goes first: from here on the directory cannot look complete
    assertThat(dir.resolve(TaskOutput.MANIFEST)).doesNotExist();
    assertThat(dir.resolve("data.txt")).doesNotExist();
    Files.writeString(Path.of(second.staging("other.txt")), "second");
    second.commit(Manifest.newBuilder().setPipeline("touch").build());
    assertThat(names(dir)).containsExactly(TaskOutput.OWNER, "manifest.json", "other.txt");
  }

  @Test
  void aSecondWriterFailsWhileTheFirstHoldsTheDirectory() throws Exception {
    Path dir = tmp.resolve("out");
    TaskOutput first = TaskOutput.begin(dir.toString(), TOUCH);
    assertThatThrownBy(() -> TaskOutput.begin(dir.toString(), TOUCH))
        .isInstanceOf(RunFailedException.class)
        .hasMessage(
            "output "
                + dir
                + " is being written by another run (it holds the lock on "
                + TaskOutput.OWNER
                + "): wait for that run to end, or choose another --output");
    first.abort();
    TaskOutput.begin(dir.toString(), TOUCH).abort(); // free again
    assertThat(names(dir)).containsExactly(TaskOutput.OWNER);
  }

  @Test
  void anotherProcessHoldsTheLockUntilItIsKilledAndItsStagingIsClearedNextTime() throws Exception {
    Path dir = tmp.resolve("out");
    Process holder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                HoldOutputLock.class.getName(),
                dir.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))) {
      assertThat(out.readLine()).isEqualTo("locked");
      assertThatThrownBy(() -> TaskOutput.begin(dir.toString(), TOUCH))
          .isInstanceOf(RunFailedException.class)
          .hasMessageContaining("is being written by another run");
      holder.destroyForcibly(); // SIGKILL: no cleanup runs
      holder.waitFor();
    }
    assertThat(names(dir))
        .hasSize(2)
        .contains(TaskOutput.OWNER)
        .anyMatch(n -> n.startsWith(".staging-"));
    commit(dir, TOUCH, "after the kill");
    assertThat(names(dir)).containsExactly(TaskOutput.OWNER, "data.txt", "manifest.json");
  }

  @Test
  void aFileWhereTheDirectoryShouldBeIsAnInputError() throws Exception {
    Path file = Files.writeString(tmp.resolve("file"), "x");
    assertThatThrownBy(() -> TaskOutput.begin(file.toString(), TOUCH))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "output "
                + file
                + " is not a directory ("
                + file
                + " is a file): choose another --output");
    Path under = file.resolve("sub");
    assertThatThrownBy(() -> TaskOutput.begin(under.toString(), TOUCH))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("cannot prepare output directory " + under);
    assertThat(Files.readString(file)).isEqualTo("x");
  }
}
