package ai.anycap.testkit.internal;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Draws the simulator's images: a small PNG (long side 256 px) whose shape follows the aspect
 * ratio, tinted by a colour derived from the prompt, with a "SIMULATED" band, the prompt and the
 * model written on it. Results are cached by what they show, in a bounded cache.
 *
 * <p>Speed matters more than looks at a thousand images a second, so the picture is drawn as an
 * 8-bit grey mask (ink on paper, antialiased) and written as a 4-bit palette PNG whose 16 colours
 * run from the ink colour to the paper colour, with a fast deflate and no ImageIO (which takes ten
 * times as long). Drawing text needs a font; where the JVM has none, the image is
 * drawn without text.
 */
public final class ImageRenderer {

  /** What an image shows; equal keys give identical bytes. */
  public record RenderKey(
      String model, String mode, String prompt, String aspectRatio, String resolution, int references) {}

  static final int LONG_SIDE = 256;
  private static final int CACHE_ENTRIES = 4096;
  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10};

  private static volatile boolean textWorks = true;

  private final Map<RenderKey, byte[]> cache =
      new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<RenderKey, byte[]> eldest) {
          return size() > CACHE_ENTRIES;
        }
      };

  /** The PNG for this key, from the cache when it is there. */
  public byte[] png(RenderKey key) {
    synchronized (cache) {
      byte[] hit = cache.get(key);
      if (hit != null) {
        return hit;
      }
    }
    byte[] png = render(key);
    synchronized (cache) {
      cache.put(key, png);
    }
    return png;
  }

  /** Width and height for an aspect ratio such as {@code 16:9}, the long side 256 px. */
  static int[] size(String aspectRatio) {
    int w = 1;
    int h = 1;
    int colon = aspectRatio.indexOf(':');
    if (colon > 0) {
      try {
        w = Integer.parseInt(aspectRatio.substring(0, colon));
        h = Integer.parseInt(aspectRatio.substring(colon + 1));
      } catch (NumberFormatException e) {
        w = 1;
        h = 1;
      }
    }
    if (w <= 0 || h <= 0) {
      w = 1;
      h = 1;
    }
    // Even sides, so that two 4-bit pixels always share a byte.
    return w >= h
        ? new int[] {LONG_SIDE, even(Math.round((float) LONG_SIDE * h / w))}
        : new int[] {even(Math.round((float) LONG_SIDE * w / h)), LONG_SIDE};
  }

  private static int even(int side) {
    return Math.max(16, side + (side & 1));
  }

  private static final Font BAND_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 12);
  private static final Font FOOTER_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
  private static final Font PROMPT_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);

  /** One reusable canvas per thread and shape: allocating rasters is a good part of the cost. */
  private static final ThreadLocal<Map<String, BufferedImage>> CANVASES =
      ThreadLocal.withInitial(java.util.HashMap::new);

  private static final ThreadLocal<Deflater> DEFLATERS =
      ThreadLocal.withInitial(() -> new Deflater(Deflater.BEST_SPEED));

  static byte[] render(RenderKey key) {
    int[] wh = size(key.aspectRatio());
    int w = wh[0];
    int h = wh[1];
    BufferedImage mask = CANVASES.get().computeIfAbsent(
        w + "x" + h, s -> new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY));
    Graphics2D g = mask.createGraphics();
    try {
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, w, h);
      g.setColor(Color.BLACK);
      g.fillRect(0, 0, w, 20);
      g.setColor(new Color(225, 225, 225));
      g.fillRect(0, h - 18, w, 18);
      g.setColor(Color.BLACK);
      g.drawRect(0, 0, w - 1, h - 1);
      if (textWorks) {
        try {
          drawText(g, key, w, h);
        } catch (Throwable noFonts) {
          // A JVM without fonts (some minimal containers) still gets an image, without words.
          textWorks = false;
        }
      }
    } finally {
      g.dispose();
    }
    byte[] gray = ((DataBufferByte) mask.getRaster().getDataBuffer()).getData();
    int hash = key.prompt().hashCode() * 31 + key.model().hashCode();
    float hue = ((hash >>> 8) % 360) / 360f;
    Color paper = Color.getHSBColor(hue, 0.35f, 0.97f);
    Color ink = Color.getHSBColor(hue, 0.8f, 0.25f);
    return encode(w, h, gray, ink, paper, key);
  }

  private static void drawText(Graphics2D g, RenderKey key, int w, int h) {
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.setFont(BAND_FONT);
    g.drawString("SIMULATED", 6, 15);
    FontMetrics fm = g.getFontMetrics();
    String tag = key.aspectRatio() + " " + key.resolution();
    g.drawString(tag, w - 6 - fm.stringWidth(tag), 15);

    g.setColor(Color.BLACK);
    g.setFont(FOOTER_FONT);
    fm = g.getFontMetrics();
    String footer = key.model()
        + (key.references() > 0 ? "  edit of " + key.references() + " ref" + (key.references() == 1 ? "" : "s") : "");
    g.drawString(footer, 6, h - 5);

    g.setFont(PROMPT_FONT);
    fm = g.getFontMetrics();
    int lineHeight = fm.getHeight();
    int maxLines = Math.max(1, (h - 20 - 18 - 8) / lineHeight);
    List<String> lines = wrap(key.prompt(), fm, w - 12, maxLines);
    int y = 20 + 4 + fm.getAscent();
    for (String line : lines) {
      g.drawString(line, 6, y);
      y += lineHeight;
    }
  }

  /** Greedy word wrap; the last line ends in an ellipsis when the text does not fit. */
  static List<String> wrap(String text, FontMetrics fm, int width, int maxLines) {
    List<String> lines = new ArrayList<>();
    String[] words = text.strip().split("\\s+");
    StringBuilder line = new StringBuilder();
    int i = 0;
    while (i < words.length && lines.size() < maxLines) {
      String word = words[i];
      String candidate = line.length() == 0 ? word : line + " " + word;
      if (fm.stringWidth(candidate) <= width) {
        line.setLength(0);
        line.append(candidate);
        i++;
      } else if (line.length() == 0) {
        int cut = word.length();
        while (cut > 1 && fm.stringWidth(word.substring(0, cut)) > width) {
          cut--;
        }
        lines.add(word.substring(0, cut));
        words[i] = word.substring(cut);
      } else {
        lines.add(line.toString());
        line.setLength(0);
      }
    }
    if (line.length() > 0 && lines.size() < maxLines) {
      lines.add(line.toString());
    }
    if (i < words.length && !lines.isEmpty()) {
      String last = lines.get(lines.size() - 1);
      while (!last.isEmpty() && fm.stringWidth(last + "...") > width) {
        last = last.substring(0, last.length() - 1);
      }
      lines.set(lines.size() - 1, last + "...");
    }
    return lines;
  }

  /** A 16-colour palette PNG: index 0 is ink, 15 is paper, the grey mask's top four bits the index. */
  static byte[] encode(int w, int h, byte[] gray, Color ink, Color paper, RenderKey key) {
    // 4 bits a pixel: 16 shades are plenty for antialiased text, and half the bytes to deflate.
    int rowBytes = w / 2;
    byte[] raw = new byte[h * (rowBytes + 1)];
    int src = 0;
    int dst = 0;
    for (int y = 0; y < h; y++) {
      raw[dst++] = 0;
      for (int x = 0; x < rowBytes; x++, src += 2) {
        raw[dst++] = (byte) ((gray[src] & 0xF0) | ((gray[src + 1] & 0xF0) >>> 4));
      }
    }
    Deflater deflater = DEFLATERS.get();
    byte[] idat;
    try {
      deflater.setInput(raw);
      deflater.finish();
      ByteArrayOutputStream z = new ByteArrayOutputStream(raw.length / 4);
      byte[] buf = new byte[16 * 1024];
      while (!deflater.finished()) {
        int n = deflater.deflate(buf);
        z.write(buf, 0, n);
      }
      idat = z.toByteArray();
    } finally {
      deflater.reset();
    }
    byte[] plte = new byte[16 * 3];
    for (int i = 0; i < 16; i++) {
      plte[3 * i] = (byte) (ink.getRed() + (paper.getRed() - ink.getRed()) * i / 15);
      plte[3 * i + 1] = (byte) (ink.getGreen() + (paper.getGreen() - ink.getGreen()) * i / 15);
      plte[3 * i + 2] = (byte) (ink.getBlue() + (paper.getBlue() - ink.getBlue()) * i / 15);
    }
    byte[] ihdr = {
      (byte) (w >>> 24), (byte) (w >>> 16), (byte) (w >>> 8), (byte) w,
      (byte) (h >>> 24), (byte) (h >>> 16), (byte) (h >>> 8), (byte) h,
      4, 3, 0, 0, 0
    };
    ByteArrayOutputStream out = new ByteArrayOutputStream(idat.length + 1200);
    out.writeBytes(PNG_SIGNATURE);
    chunk(out, "IHDR", ihdr);
    chunk(out, "PLTE", plte);
    chunk(out, "tEXt", "Software\0anycap-testkit simulator".getBytes(StandardCharsets.ISO_8859_1));
    chunk(out, "iTXt", ("Description\0\0\0\0" + key.model() + ": " + truncate(key.prompt(), 512).replace('\0', ' '))
        .getBytes(StandardCharsets.UTF_8));
    chunk(out, "IDAT", idat);
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    int n = data.length;
    out.write(n >>> 24);
    out.write(n >>> 16);
    out.write(n >>> 8);
    out.write(n);
    out.writeBytes(t);
    out.writeBytes(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    long c = crc.getValue();
    out.write((int) (c >>> 24));
    out.write((int) (c >>> 16));
    out.write((int) (c >>> 8));
    out.write((int) c);
  }
}
