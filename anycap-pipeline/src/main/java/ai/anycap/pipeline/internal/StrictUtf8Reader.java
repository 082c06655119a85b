package ai.anycap.pipeline.internal;

import java.io.CharConversionException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Decodes UTF-8 strictly, drops a leading byte order mark, and counts line breaks as it goes, so a
 * bad byte can be reported at its physical line. A parser reading through it gets every character
 * before the bad byte first, and the {@link MalformedUtf8Exception} only when it asks for more.
 * Not thread-safe.
 */
public final class StrictUtf8Reader extends Reader {

  private static final int BUFFER_SIZE = 8192;

  private final InputStream in;
  private final CharsetDecoder decoder =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
  private final ByteBuffer bytes = ByteBuffer.allocate(BUFFER_SIZE).flip();
  private final CharBuffer chars = CharBuffer.allocate(BUFFER_SIZE).flip();
  private long bytesBeforeBuffer;
  /** Where the line being decoded starts, in bytes from the start of the input. */
  private long lineStart;
  private long lineBreaks;
  private boolean lastWasCarriageReturn;
  private boolean startChecked;
  private boolean endOfInput;
  private boolean flushed;
  private MalformedUtf8Exception failure;

  public StrictUtf8Reader(InputStream in) {
    this.in = Objects.requireNonNull(in, "in");
  }

  @Override
  public int read(char[] buffer, int offset, int length) throws IOException {
    Objects.checkFromIndexSize(offset, length, buffer.length);
    if (length == 0) {
      return 0;
    }
    if (!chars.hasRemaining() && !fill()) {
      return -1;
    }
    int n = Math.min(length, chars.remaining());
    chars.get(buffer, offset, n);
    return n;
  }

  /** Decodes more characters; false at the end of the input; throws once the bad byte is next. */
  private boolean fill() throws IOException {
    if (failure != null) {
      throw failure;
    }
    chars.clear();
    try {
      while (chars.position() == 0) {
        if (flushed) {
          return false;
        }
        CoderResult result = decoder.decode(bytes, chars, endOfInput);
        if (result.isError()) {
          int bad = bytes.get(bytes.position()) & 0xff;
          long offset = bytesBeforeBuffer + bytes.position();
          long column = offset - lineStartBefore(bytes.position()) + 1;
          failure = new MalformedUtf8Exception(lineOfNextChar(chars), column, offset, bad);
          if (chars.position() == 0) {
            throw failure;
          }
        } else if (result.isUnderflow()) {
          if (endOfInput) {
            decoder.flush(chars);
            flushed = true;
          } else {
            refill();
          }
          continue;
        }
        break;
      }
    } finally {
      chars.flip();
    }
    countLineBreaks();
    if (!startChecked) {
      startChecked = true;
      if (chars.get(chars.position()) == '\uFEFF') {
        chars.position(chars.position() + 1);
        return chars.hasRemaining() || fill();
      }
    }
    return true;
  }

  private void refill() throws IOException {
    lineStart = lineStartBefore(bytes.position());
    bytesBeforeBuffer += bytes.position();
    bytes.compact();
    int n = in.read(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
    if (n < 0) {
      endOfInput = true;
    } else {
      bytes.position(bytes.position() + n);
    }
    bytes.flip();
  }

  /**
   * Where the line holding the byte at {@code index} of the buffer starts, in bytes from the start
   * of the input. CR and LF never occur inside a multi-byte UTF-8 sequence, so raw bytes tell.
   */
  private long lineStartBefore(int index) {
    for (int i = index - 1; i >= 0; i--) {
      byte b = bytes.get(i);
      if (b == '\n' || b == '\r') {
        return bytesBeforeBuffer + i + 1;
      }
    }
    return lineStart;
  }

  /** Counts CR, LF and CRLF as one break each, across buffer boundaries. */
  private void countLineBreaks() {
    for (int i = chars.position(); i < chars.limit(); i++) {
      char c = chars.get(i);
      if (c == '\r') {
        lineBreaks++;
      } else if (c == '\n' && !lastWasCarriageReturn) {
        lineBreaks++;
      }
      lastWasCarriageReturn = c == '\r';
    }
  }

  /** The line of the character after those decoded into {@code pending} (still in write mode). */
  private long lineOfNextChar(CharBuffer pending) {
    long breaks = lineBreaks;
    boolean lastCr = lastWasCarriageReturn;
    for (int i = 0; i < pending.position(); i++) {
      char c = pending.get(i);
      if (c == '\r' || (c == '\n' && !lastCr)) {
        breaks++;
      }
      lastCr = c == '\r';
    }
    return breaks + 1;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  /** A byte sequence that is not UTF-8, with the physical line and byte column it is at. */
  public static final class MalformedUtf8Exception extends CharConversionException {

    private static final long serialVersionUID = 1L;

    private final long line;
    private final long column;
    private final long byteOffset;
    private final int badByte;

    MalformedUtf8Exception(long line, long column, long byteOffset, int badByte) {
      super(
          String.format(
              "invalid UTF-8: byte 0x%02X at line %d, byte column %d (byte offset %d)",
              badByte, line, column, byteOffset));
      this.line = line;
      this.column = column;
      this.byteOffset = byteOffset;
      this.badByte = badByte;
    }

    /** The physical line, counted from 1. */
    public long line() {
      return line;
    }

    /** The bad byte's place in its line, in bytes, counted from 1. */
    public long column() {
      return column;
    }

    /** Bytes before the bad one, counted from the start of the file (BOM included). */
    public long byteOffset() {
      return byteOffset;
    }

    /** The first byte that could not be decoded. */
    public int badByte() {
      return badByte;
    }
  }

  /**
   * What to tell a user whose file {@code name} is not UTF-8: the likely encoding and how to
   * convert it. A byte from 0x80 to 0xFF standing alone is what Latin-1 and Windows-1252 (a
   * spreadsheet's plain "CSV" on Windows) write for accented letters.
   *
   * @param name the file's name, for the command to run
   * @return a sentence ending in the command
   */
  public static String conversionHint(String name) {
    String converted = name.endsWith(".csv") || name.endsWith(".jsonl")
        ? name.substring(0, name.lastIndexOf('.')) + "-utf8" + name.substring(name.lastIndexOf('.'))
        : name + ".utf8";
    return "the file is not UTF-8 (Latin-1 or Windows-1252, as a spreadsheet's plain \"CSV\" export"
        + " writes, most likely); convert it, such as with iconv -f latin1 -t utf-8 " + name + " > " + converted
        + ", or save it as \"CSV UTF-8\"";
  }
}
