package ai.anycap.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compiles the README's quickstart as it stands, so the first code a user copies works. */
class ReadmeQuickstartTest {

  @TempDir Path dir;

  @Test
  void readmeQuickstartCompiles() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    int start = readme.indexOf("<!-- quickstart:start");
    int end = readme.indexOf("<!-- quickstart:end -->");
    assertThat(start).as("README has a quickstart block").isNotNegative();
    assertThat(end).isGreaterThan(start);
    String block = readme.substring(start, end);
    String code = block.substring(block.indexOf("```java") + "```java".length(), block.lastIndexOf("```"));
    assertThat(code).contains("AnyCapClient.fromEnv()").contains("images().generate(");

    Path source = dir.resolve("Quickstart.java");
    Files.writeString(
        source,
        "import ai.anycap.client.*;\n"
            + "import java.nio.file.Path;\n"
            + "import java.util.Map;\n"
            + "import java.util.concurrent.CompletableFuture;\n"
            + "class Quickstart {\n  void run() {\n"
            + code
            + "\n  }\n}\n");
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    Path classes = Path.of(AnyCapClient.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    StringWriter errors = new StringWriter();
    boolean ok =
        javac
            .getTask(
                errors,
                null,
                null,
                List.of("-classpath", classes.toString(), "-d", dir.toString(), "-proc:none"),
                null,
                javac.getStandardFileManager(null, null, StandardCharsets.UTF_8).getJavaFileObjects(source))
            .call();
    assertThat(ok).as("README quickstart compiles:%n%s", errors).isTrue();
    assertThat(dir.resolve("Quickstart.class")).exists();
  }
}
