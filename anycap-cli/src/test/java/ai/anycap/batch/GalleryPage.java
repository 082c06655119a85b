package ai.anycap.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * index.html as a test reads it: parsed with the JDK's XML parser (the gallery is well-formed XML
 * on purpose), its job figures, links and failure rows.
 */
final class GalleryPage {

  final Path dir;
  final Document doc;

  private GalleryPage(Path dir, Document doc) {
    this.dir = dir;
    this.doc = doc;
  }

  static GalleryPage read(Path outDir) throws Exception {
    return read(outDir, "index.html");
  }

  /** One page of the gallery: {@code index.html}, {@code gallery-2.html}, {@code failures-2.html} ... */
  static GalleryPage read(Path outDir, String name) throws Exception {
    Path file = outDir.resolve(name);
    assertThat(file).isRegularFile();
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(false);
    f.setValidating(false);
    f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", false);
    DocumentBuilder b = f.newDocumentBuilder();
    return new GalleryPage(outDir, b.parse(file.toFile()));
  }

  /** Each job figure's status, by job id; fails if an id appears twice. */
  Map<String, String> jobs() {
    Map<String, String> jobs = new LinkedHashMap<>();
    for (Element fig : elements("figure")) {
      if (fig.getAttribute("class").startsWith("job")) {
        String id = fig.getAttribute("data-job-id");
        assertThat(jobs.put(id, fig.getAttribute("data-status"))).as("job %s appears once", id).isNull();
      }
    }
    return jobs;
  }

  /** The text of the job's figure. */
  String figureText(String jobId) {
    for (Element fig : elements("figure")) {
      if (jobId.equals(fig.getAttribute("data-job-id"))) {
        return fig.getTextContent();
      }
    }
    throw new AssertionError("no figure for " + jobId);
  }

  /** Rows of the failures table: job id to its text (error code and message). */
  Map<String, String> failureRows() {
    Map<String, String> rows = new LinkedHashMap<>();
    for (Element tr : elements("tr")) {
      if (tr.getAttribute("class").equals("failure")) {
        rows.put(tr.getAttribute("data-job-id"), tr.getTextContent());
      }
    }
    return rows;
  }

  /** Rows of the table in the section with this id ({@code failures}, {@code skipped}): job id to its text. */
  Map<String, String> tableRows(String sectionId) {
    Map<String, String> rows = new LinkedHashMap<>();
    for (Element section : elements("section")) {
      if (section.getAttribute("id").equals(sectionId)) {
        NodeList trs = section.getElementsByTagName("tr");
        for (int i = 0; i < trs.getLength(); i++) {
          Element tr = (Element) trs.item(i);
          if (tr.hasAttribute("data-job-id")) {
            assertThat(rows.put(tr.getAttribute("data-job-id"), tr.getTextContent()))
                .as("%s listed once", tr.getAttribute("data-job-id")).isNull();
          }
        }
      }
    }
    return rows;
  }

  /** The totals: each box's name to its value. */
  Map<String, String> totals() {
    Map<String, String> totals = new LinkedHashMap<>();
    for (Element box : elements("div")) {
      if (box.getAttribute("class").startsWith("stat")) {
        totals.put(box.getElementsByTagName("dt").item(0).getTextContent(),
            box.getElementsByTagName("dd").item(0).getTextContent());
      }
    }
    return totals;
  }

  /** The href of each link, as written. */
  List<String> hrefs() {
    List<String> hrefs = new ArrayList<>();
    for (Element a : elements("a")) {
      hrefs.add(a.getAttribute("href"));
    }
    return hrefs;
  }

  /** Whether the page has an element with this id. */
  boolean hasAnchor(String id) {
    for (String tag : List.of("figure", "section")) {
      for (Element e : elements(tag)) {
        if (e.getAttribute("id").equals(id)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Every local file the page links to or shows: img src and a href, without #anchors. */
  List<Path> linkedFiles() {
    List<Path> files = new ArrayList<>();
    for (Element img : elements("img")) {
      files.add(resolve(img.getAttribute("src")));
    }
    for (Element a : elements("a")) {
      String href = a.getAttribute("href");
      if (!href.startsWith("#")) {
        files.add(resolve(href));
      }
    }
    return files;
  }

  List<String> imageSources() {
    List<String> srcs = new ArrayList<>();
    for (Element img : elements("img")) {
      srcs.add(img.getAttribute("src"));
    }
    return srcs;
  }

  int count(String tag) {
    return doc.getElementsByTagName(tag).getLength();
  }

  String text() {
    return doc.getDocumentElement().getTextContent();
  }

  /** Asserts every linked file exists and is inside the output directory. */
  void assertLinksResolve() {
    for (Path p : linkedFiles()) {
      assertThat(p).as("linked file").startsWith(dir.toAbsolutePath().normalize()).isRegularFile();
    }
  }

  private Path resolve(String link) {
    URI u = URI.create(link);
    assertThat(u.isAbsolute()).as("relative link %s", link).isFalse();
    return dir.toAbsolutePath().normalize().resolve(u.getPath()).normalize();
  }

  private List<Element> elements(String tag) {
    NodeList nodes = doc.getElementsByTagName(tag);
    List<Element> list = new ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) {
      list.add((Element) nodes.item(i));
    }
    return list;
  }

  static boolean isPng(Path p) throws java.io.IOException {
    byte[] head = new byte[8];
    try (var in = Files.newInputStream(p)) {
      return in.read(head) == 8 && head[0] == (byte) 0x89 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G';
    }
  }
}
