package ai.anycap.batch;

import ai.anycap.client.AnyCapException;
import ai.anycap.client.Mode;
import ai.anycap.client.Model;
import ai.anycap.client.ModelInfo;
import ai.anycap.client.PriceTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code anycap-batch models}: the image models the API offers, what each is for, and its price. */
@Command(
    name = "models",
    mixinStandardHelpOptions = true,
    header = "The image models, what each suits, their prices.",
    description = {
        "Lists the image models AnyCap offers (or the simulator, with --simulate),",
        "what each suits, and its published price."})
final class ModelsCommand implements Callable<Integer> {

  @ParentCommand AnyCapBatch parent;
  @Spec CommandSpec spec;

  @Option(names = "--simulate", description = "Ask the built-in simulator instead of AnyCap: no key, no network.")
  boolean simulate;

  @Override
  public Integer call() {
    Console console = new Console(spec.commandLine().getOut(), spec.commandLine().getErr(), simulate);
    SimulationOptions sim = new SimulationOptions();
    sim.simulate = simulate;
    sim.latency = "0";
    try (Connection connection = Connection.open(sim, parent.environment, console)) {
      List<ModelInfo> models = connection.listModels();
      console.out(table(models));
      return ExitCodes.ALL_SUCCEEDED;
    } catch (BadInputException e) {
      console.error(e.getMessage());
      return ExitCodes.BAD_INPUT;
    } catch (AnyCapException e) {
      console.error("cannot list models: " + e.getMessage());
      return ExitCodes.SOME_FAILED;
    }
  }

  static String table(List<ModelInfo> models) {
    PriceTable prices = PriceTable.defaults();
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"model", "price", "modes", "best for"});
    for (ModelInfo m : models) {
      String price = prices.usdPerImage(m.id()).map(p -> "$" + p.toPlainString()).orElse("n/a");
      String modes = String.join(", ", m.operations().stream()
          .filter(o -> o.name().equals("generate"))
          .flatMap(o -> o.modes().stream())
          .map(Mode::value)
          .distinct()
          .toList());
      rows.add(new String[] {m.id(), price, modes, Model.of(m.id()).bestFor()});
    }
    int[] width = new int[3];
    for (String[] r : rows) {
      for (int i = 0; i < 3; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    StringBuilder s = new StringBuilder();
    for (String[] r : rows) {
      s.append(String.format(Locale.ROOT, "%-" + width[0] + "s   %-" + width[1] + "s   %-" + width[2] + "s   %s%n",
          r[0], r[1], r[2], r[3]));
    }
    s.append("Prices are the published ones per image; n/a: none published.");
    return s.toString();
  }
}
