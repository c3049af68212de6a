package io.mlproof.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlproof.cli.DagsCommand.FormatConverter;
import io.mlproof.cli.DagsCommand.OutputFormat;
import io.mlproof.pipelines.ab.AbAnalyzer;
import io.mlproof.pipelines.ab.AbReport;
import io.mlproof.pipelines.ab.Allocation;
import io.mlproof.pipelines.ab.ExperimentPlan;
import io.mlproof.pipelines.ab.Moments;
import io.mlproof.pipelines.core.InvalidInputException;
import io.mlproof.proto.v1.AbAnalysis;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mlproof ab plan|summary}: sizing an experiment, and its analysis from counts. */
@Command(
    name = "ab",
    mixinStandardHelpOptions = true,
    description = "A/B experiments: size one (plan) or analyse one from per-arm counts (summary).",
    subcommands = {AbCommand.Plan.class, AbCommand.Summary.class})
final class AbCommand {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Command(
      name = "plan",
      mixinStandardHelpOptions = true,
      showDefaultValues = true,
      description = {
        "Entities per arm to detect a drop of the churn rate (--mde), or the smallest drop a given number"
            + " of entities can detect (--entities).",
        "Formula: two-sided pooled two-proportion z-test, normal approximation (Fleiss, no continuity"
            + " correction): nC = (z(1-a/2) sqrt(pbar(1-pbar)(1+1/k)) + z(power) sqrt(pC(1-pC) + pT(1-pT)/k))^2"
            + " / (pT-pC)^2, k = nT/nC, pbar = (pC + k pT)/(1+k). With m treatment arms each is sized at"
            + " alpha/m (Bonferroni, what Holm's correction never falls below)."
      })
  static final class Plan implements Callable<Integer> {
    @Spec CommandSpec command;

    @Option(
        names = "--base-rate",
        required = true,
        description = "Churn rate of control, e.g. 0.12.")
    double baseRate;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    static final class Target {
      @Option(
          names = "--mde",
          description =
              "Minimum detectable effect: the drop of the churn rate, absolute"
                  + " (0.02 = 2 points) unless --relative.")
      Double mde;

      @Option(
          names = "--entities",
          description = "Entities in the whole experiment: prints the MDE instead.")
      Long entities;
    }

    @Option(
        names = "--relative",
        description = "--mde is relative to the base rate (0.1 = a 10%% drop).")
    boolean relative;

    @Option(names = "--alpha", description = "Two-sided significance level.")
    double alpha = 0.05;

    @Option(names = "--power", description = "Probability of detecting the effect if it is there.")
    double power = 0.8;

    @Option(
        names = "--allocation",
        description =
            "Split over the arms, control first: 50/50, 90/10, 34/33/33"
                + " or control:80,email:10,discount:10.")
    String allocation = "50/50";

    @Option(
        names = "--output",
        defaultValue = "text",
        converter = FormatConverter.class,
        description = "text or json.")
    OutputFormat output;

    @Override
    public Integer call() {
      List<AbAnalyzer.Arm> arms = Allocation.parse(allocation);
      PrintWriter out = command.commandLine().getOut();
      ObjectNode json =
          JSON.createObjectNode()
              .put("baseRate", baseRate)
              .put("alpha", alpha)
              .put("power", power)
              .put("alphaPerComparison", alpha / (arms.size() - 1));
      if (target.entities != null) {
        if (target.entities < arms.size() * 2L) {
          throw new InvalidInputException(
              "--entities " + target.entities + " is too few: give at least two per arm");
        }
        double mde = ExperimentPlan.mde(baseRate, target.entities, alpha, power, arms);
        json.put("entities", target.entities).put("mde", mde).put("mdeRelative", mde / baseRate);
        out.println(
            output == OutputFormat.JSON
                ? json
                : Double.isNaN(mde)
                    ? String.format(
                        Locale.ROOT,
                        "%,d entities cannot detect even a drop to zero churn from %.2f%% with %.0f%%"
                            + " power: plan more entities",
                        target.entities,
                        100 * baseRate,
                        100 * power)
                    : String.format(
                        Locale.ROOT,
                        "%,d entities split %s detect a drop of %.2f points (%.2f%% to %.2f%%, %.1f%%"
                            + " relative) with %.0f%% power at alpha %s",
                        target.entities,
                        Allocation.format(arms),
                        100 * mde,
                        100 * baseRate,
                        100 * (baseRate - mde),
                        100 * mde / baseRate,
                        100 * power,
                        alpha));
        return 0;
      }
      double drop = relative ? baseRate * target.mde : target.mde;
      if (!(drop > 0 && drop < baseRate)) {
        throw new InvalidInputException(
            "--mde "
                + target.mde
                + (relative ? " (relative)" : "")
                + " must be a drop"
                + " between 0 and the base rate "
                + baseRate
                + (relative ? ": give a share such as 0.1" : ""));
      }
      long[] sizes = ExperimentPlan.sizes(baseRate, baseRate - drop, alpha, power, arms);
      long total = 0;
      ArrayNode perArm =
          json.put("mde", drop).put("treatmentRate", baseRate - drop).putArray("arms");
      StringBuilder text =
          new StringBuilder(
              String.format(
                  Locale.ROOT,
                  "to detect a drop from %.2f%% to %.2f%% churn (%.2f points) with %.0f%% power at alpha %s:%n",
                  100 * baseRate,
                  100 * (baseRate - drop),
                  100 * drop,
                  100 * power,
                  alpha));
      for (int i = 0; i < sizes.length; i++) {
        total += sizes[i];
        perArm
            .addObject()
            .put("arm", arms.get(i).name())
            .put("share", arms.get(i).share())
            .put("entities", sizes[i]);
        text.append(
            String.format(
                Locale.ROOT,
                "  %-16s %,12d entities (%.1f%%)%n",
                arms.get(i).name(),
                sizes[i],
                100 * arms.get(i).share()));
      }
      json.put("entities", total);
      text.append(String.format(Locale.ROOT, "  %-16s %,12d entities", "total", total));
      out.println(output == OutputFormat.JSON ? json.toString() : text.toString());
      return 0;
    }
  }

  @Command(
      name = "summary",
      mixinStandardHelpOptions = true,
      showDefaultValues = true,
      description =
          "The A/B analysis and verdict from per-arm counts (outcomes from another system): the same"
              + " statistics as `mlproof run analyze`, without CUPED (it needs per-entity data).")
  static final class Summary implements Callable<Integer> {
    private static final Pattern ARM =
        Pattern.compile("([A-Za-z][A-Za-z0-9_]{0,63})=(\\d+),(\\d+)");

    @Spec CommandSpec command;

    @Option(
        names = "--arm",
        required = true,
        paramLabel = "NAME=N,X",
        description =
            "An arm: N entities of which X churned. Repeat per arm; the first is control.")
    List<String> arms = new ArrayList<>();

    @Option(
        names = "--allocation",
        description = "Planned split in --arm order, e.g. 90/10 (default: equal).")
    String allocation;

    @Option(names = "--alpha", description = "Two-sided significance level.")
    double alpha = 0.05;

    @Option(names = "--power", description = "Power for the MDE in the verdict.")
    double power = 0.8;

    @Option(names = "--experiment", description = "Experiment id shown in the output.")
    String experiment = "adhoc";

    @Option(
        names = "--output",
        defaultValue = "text",
        converter = FormatConverter.class,
        description = "text, or json (the analysis.json of `mlproof run analyze`).")
    OutputFormat output;

    @Override
    public Integer call() {
      Map<String, Moments> counts = new LinkedHashMap<>();
      for (String arm : arms) {
        Matcher m = ARM.matcher(arm.trim());
        if (!m.matches()) {
          throw new InvalidInputException(
              "--arm " + arm + " is not NAME=ENTITIES,CHURNERS (e.g. control=5000,600)");
        }
        long n = Long.parseLong(m.group(2));
        long x = Long.parseLong(m.group(3));
        if (n == 0 || x > n) {
          throw new InvalidInputException(
              "--arm "
                  + arm
                  + ": need at least one entity and no more churners than"
                  + " entities");
        }
        if (counts.put(m.group(1), Moments.ofCounts(n, x)) != null) {
          throw new InvalidInputException(
              "--arm " + m.group(1) + " is given twice: name each arm once");
        }
      }
      List<String> names = List.copyOf(counts.keySet());
      List<AbAnalyzer.Arm> plan =
          allocation == null
              ? Allocation.equal(names)
              : Allocation.rename(Allocation.parse(allocation), names);
      AbAnalysis analysis =
          AbAnalyzer.analyze(
              new AbAnalyzer.Settings(experiment, plan, alpha, power, ""), counts, Map.of());
      command
          .commandLine()
          .getOut()
          .print(output == OutputFormat.JSON ? AbReport.json(analysis) : AbReport.text(analysis));
      command.commandLine().getOut().flush();
      return 0;
    }
  }
}
