package ai.anycap.batch;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Small copies of a batch's local reference images for the gallery, in {@code references/} of the
 * output directory: the page links only files inside that directory, so it can be zipped or
 * served as it is, and a 20 MB photo is not what a card should load. One PNG thumbnail per
 * reference file (its path under the reference directory, with {@code .png} added unless it ends
 * so), made again only when the file is newer. A reference that is a URL, that is not a local file under the reference directory, or
 * that the JDK cannot decode (WebP) has none.
 */
final class ReferenceThumbnails {

  static final String DIR = "references";
  private static final int SIZE = 160;

  private final Path outDir;
  private final Path referenceDir;
  private final Map<Path, Path> made = new HashMap<>();

  ReferenceThumbnails(Path outDir, Path referenceDir) {
    this.outDir = outDir.toAbsolutePath().normalize();
    this.referenceDir = referenceDir.toAbsolutePath().normalize();
  }

  /** The thumbnail of a reference as a job names it, or null when it has none. */
  Path of(String reference) {
    String r = reference.strip();
    if (r.contains("://") || r.regionMatches(true, 0, "file:", 0, 5)) {
      return null;
    }
    Path file = referenceDir.resolve(r).normalize();
    if (!file.startsWith(referenceDir) || !Files.isRegularFile(file)) {
      return null;
    }
    return made.computeIfAbsent(file, this::make);
  }

  private Path make(Path file) {
    String name = referenceDir.relativize(file).toString();
    Path thumb = outDir.resolve(DIR).resolve(name.toLowerCase(Locale.ROOT).endsWith(".png") ? name : name + ".png");
    try {
      if (Files.isRegularFile(thumb)
          && Files.getLastModifiedTime(thumb).compareTo(Files.getLastModifiedTime(file)) >= 0) {
        return thumb;
      }
      BufferedImage image = ImageIO.read(file.toFile());
      if (image == null) {
        return null;
      }
      double scale = Math.min(1.0, (double) SIZE / Math.max(image.getWidth(), image.getHeight()));
      int w = Math.max(1, (int) Math.round(image.getWidth() * scale));
      int h = Math.max(1, (int) Math.round(image.getHeight() * scale));
      BufferedImage small = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
      Graphics2D g = small.createGraphics();
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.drawImage(image, 0, 0, w, h, null);
      g.dispose();
      Files.createDirectories(thumb.getParent());
      Path tmp = Files.createTempFile(thumb.getParent(), ".thumb-", ".png.tmp");
      try {
        ImageIO.write(small, "png", tmp.toFile());
        Files.move(tmp, thumb, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(tmp);
      }
      return thumb;
    } catch (IOException | RuntimeException e) {
      return null; // a card without its reference thumbnail; the run's results stand
    }
  }
}
