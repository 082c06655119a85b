package ai.anycap.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.anycap.alpha.UsesItsOwnInternal;
import ai.anycap.beta.ReachesIntoAlpha;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No module uses another module's internal package, in main or test code. A module is the second
 * segment of a package: {@code ai.anycap.pipeline.Foo} belongs to {@code pipeline} and may use
 * {@code ai.anycap.pipeline.internal}, and no other module's {@code internal}. The rule reads the
 * class files of every other module of the build ({@code target/classes} and {@code
 * target/test-classes}); the build lists those modules as dependencies so that they are compiled
 * first.
 */
class ModuleBoundariesTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path SELF = Path.of("").toAbsolutePath().normalize();
  private static final Pattern INTERNAL = Pattern.compile("ai\\.anycap\\.([a-z0-9]+)\\.internal(?:\\.|$)");
  private static final Pattern MODULE = Pattern.compile("ai\\.anycap\\.([a-z0-9]+)(?:\\.|$)");

  static final ArchRule NO_OTHER_MODULES_INTERNALS =
      classes().that().resideInAPackage("ai.anycap..").should(useNoInternalPackageOfAnotherModule());

  @Test
  void noModuleUsesAnotherModulesInternalPackage_inItsClasses() throws IOException {
    List<Path> directories = classDirectories();
    JavaClasses classes = new ClassFileImporter().importPaths(directories);

    // Every module is there, main and test code alike: the rule cannot pass for want of classes.
    assertThat(modulesOf(classes)).containsKeys("client", "testkit", "pipeline", "sinks", "s3", "redis", "batch",
        "examples", "bench", "micrometer", "spring", "springai", "langchain4j");
    assertThat(classes.stream().filter(c -> c.getSimpleName().endsWith("Test"))).isNotEmpty();
    NO_OTHER_MODULES_INTERNALS.check(classes);
  }

  @Test
  void noModuleUsesAnotherModulesInternalPackage_inItsSources() throws IOException {
    // Class files miss what javac leaves no trace of: an import used only for a constant it
    // inlined, or a local variable's type. The sources have it.
    List<String> violations = new ArrayList<>();
    int files = 0;
    for (Path module : modules()) {
      try (Stream<Path> sources = Files.walk(module.resolve("src"))) {
        for (Path file : sources.filter(p -> p.toString().endsWith(".java")).toList()) {
          files++;
          violations.addAll(sourceViolations(file, Files.readString(file)));
        }
      }
    }
    assertThat(files).isGreaterThan(200);
    assertThat(violations).isEmpty();
  }

  @Test
  void theRule_reportsAClassThatUsesAnotherModulesInternalPackage() {
    JavaClasses violating = new ClassFileImporter().importClasses(ReachesIntoAlpha.class);

    assertThatThrownBy(() -> NO_OTHER_MODULES_INTERNALS.check(violating))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining(ReachesIntoAlpha.class.getName())
        .hasMessageContaining("ai.anycap.alpha.internal.Hidden");
  }

  @Test
  void theRule_letsAModuleUseItsOwnInternalPackage() {
    JavaClasses own = new ClassFileImporter().importClasses(UsesItsOwnInternal.class);

    NO_OTHER_MODULES_INTERNALS.check(own);
    assertThat(own.get(UsesItsOwnInternal.class).getDirectDependenciesFromSelf())
        .extracting(d -> d.getTargetClass().getName())
        .contains("ai.anycap.alpha.internal.Hidden");
  }

  @Test
  void theSourceScan_reportsAnImportOfAnotherModulesInternalPackage() {
    String source = "package ai.anycap.redis;\n\nimport ai.anycap.client.internal.ApiTransport;\n"
        + "import ai.anycap.redis.internal.QueueScripts;\n";

    assertThat(sourceViolations(Path.of("Example.java"), source))
        .singleElement().asString().contains("ai.anycap.client.internal");
  }

  private static ArchCondition<JavaClass> useNoInternalPackageOfAnotherModule() {
    return new ArchCondition<>("use no other module's internal package") {
      @Override
      public void check(JavaClass c, ConditionEvents events) {
        String own = module(c.getPackageName());
        for (Dependency d : c.getDirectDependenciesFromSelf()) {
          Matcher m = INTERNAL.matcher(d.getTargetClass().getPackageName());
          if (m.lookingAt() && !m.group(1).equals(own)) {
            events.add(SimpleConditionEvent.violated(d, d.getDescription()));
          }
        }
      }
    };
  }

  private static List<String> sourceViolations(Path file, String source) {
    Matcher pkg = Pattern.compile("^package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE).matcher(source);
    String own = pkg.find() ? module(pkg.group(1)) : null;
    List<String> violations = new ArrayList<>();
    Matcher m = INTERNAL.matcher(source);
    while (m.find()) {
      if (!m.group(1).equals(own)) {
        violations.add(file + ": uses " + m.group());
      }
    }
    return violations;
  }

  /** The module a package belongs to, or null outside {@code ai.anycap}. */
  private static String module(String packageName) {
    Matcher m = MODULE.matcher(packageName);
    return m.lookingAt() ? m.group(1) : null;
  }

  private static Map<String, Long> modulesOf(JavaClasses classes) {
    Map<String, Long> counts = new TreeMap<>();
    classes.forEach(c -> {
      String module = module(c.getPackageName());
      if (module != null) {
        counts.merge(module, 1L, Long::sum);
      }
    });
    return counts;
  }

  /** Every other module of the build: a directory {@code anycap-*} beside this one with sources. */
  private static List<Path> modules() throws IOException {
    try (Stream<Path> dirs = Files.list(ROOT)) {
      return dirs.filter(d -> d.getFileName().toString().startsWith("anycap-"))
          .filter(d -> !d.equals(SELF))
          .filter(d -> Files.isDirectory(d.resolve("src")))
          .sorted()
          .toList();
    }
  }

  /**
   * The class directories of every other module; a module with sources and no classes fails the
   * test, since it was not built first (run the whole build, or add the module to this one's
   * dependencies).
   */
  private static List<Path> classDirectories() throws IOException {
    List<Path> directories = new ArrayList<>();
    for (Path module : modules()) {
      for (String[] kind : new String[][] {{"src/main/java", "target/classes"}, {"src/test/java", "target/test-classes"}}) {
        if (Files.isDirectory(module.resolve(kind[0]))) {
          Path classes = module.resolve(kind[1]);
          assertThat(classes).as("%s is not built; build the whole project", classes).isDirectory();
          directories.add(classes);
        }
      }
    }
    return directories;
  }
}
