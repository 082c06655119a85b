package ai.anycap.pipeline.internal;

import ai.anycap.client.ImageOperation;
import ai.anycap.client.Mode;
import ai.anycap.pipeline.ImageJob;
import ai.anycap.pipeline.InvalidJobException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One pass over a JSON Lines job file: a job per non-blank line, each line read, decoded and
 * parsed on its own, so a bad line (invalid JSON, invalid UTF-8, a wrong key) is reported at its
 * line and reading goes on with the next. Not thread-safe.
 */
public final class JsonLinesJobReader extends FileJobReader {

  private static final JsonMapper MAPPER =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  static final List<String> KEYS =
      List.of(
          "id", "operation", "template", "prompt", "values", "model", "mode", "params", "references",
          "output");
  private static final Set<String> KEY_SET = Set.copyOf(KEYS);

  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  private final JsonLinesJobSpec spec;
  private final InputStream in;
  private final byte[] buffer = new byte[64 * 1024];
  private int bufferPos;
  private int bufferLimit;
  private byte[] lineBytes = new byte[1024];
  private int lineLength;
  private boolean endOfInput;
  private long physicalLine;

  /**
   * Opens the file.
   *
   * @throws InvalidJobException at line 0 when the file cannot be opened
   */
  public JsonLinesJobReader(JsonLinesJobSpec spec) {
    super(spec.file());
    this.spec = spec;
    this.in = JobFiles.open(spec.file());
  }

  @Override
  Optional<ImageJob> read() {
    while (!done) {
      try {
        if (!readLine()) {
          done = true;
          break;
        }
      } catch (IOException e) {
        done = true;
        throw ioFailure(e);
      }
      if (isBlank()) {
        continue;
      }
      line = physicalLine;
      return Optional.of(job(parse(decode())));
    }
    return Optional.empty();
  }

  @Override
  void release() {
    try {
      in.close();
    } catch (IOException ignored) {
      // nothing to do: the pass is over
    }
  }

  /** Reads the next line's bytes, without its terminator, into {@link #lineBytes}. */
  private boolean readLine() throws IOException {
    lineLength = 0;
    boolean any = false;
    while (true) {
      if (bufferPos == bufferLimit) {
        if (endOfInput || !refill()) {
          break;
        }
      }
      any = true;
      int start = bufferPos;
      while (bufferPos < bufferLimit && buffer[bufferPos] != '\n') {
        bufferPos++;
      }
      append(start, bufferPos - start);
      if (bufferPos < bufferLimit) {
        bufferPos++; // the '\n'
        break;
      }
    }
    if (!any) {
      return false;
    }
    physicalLine++;
    if (lineLength > 0 && lineBytes[lineLength - 1] == '\r') {
      lineLength--;
    }
    return true;
  }

  private boolean refill() throws IOException {
    int n = in.read(buffer, 0, buffer.length);
    if (n < 0) {
      endOfInput = true;
      return false;
    }
    bufferPos = 0;
    bufferLimit = n;
    return true;
  }

  private void append(int start, int length) {
    if (lineLength + length > lineBytes.length) {
      lineBytes = Arrays.copyOf(lineBytes, Math.max(lineBytes.length * 2, lineLength + length));
    }
    System.arraycopy(buffer, start, lineBytes, lineLength, length);
    lineLength += length;
  }

  private boolean isBlank() {
    int from = physicalLine == 1 && startsWithBom() ? BOM.length : 0;
    for (int i = from; i < lineLength; i++) {
      byte b = lineBytes[i];
      if (b != ' ' && b != '\t' && b != '\r') {
        return false;
      }
    }
    return true;
  }

  private boolean startsWithBom() {
    return lineLength >= BOM.length
        && lineBytes[0] == BOM[0]
        && lineBytes[1] == BOM[1]
        && lineBytes[2] == BOM[2];
  }

  private String decode() {
    int from = physicalLine == 1 && startsWithBom() ? BOM.length : 0;
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer bytes = ByteBuffer.wrap(lineBytes, from, lineLength - from);
    CharBuffer chars = CharBuffer.allocate(lineLength - from);
    CoderResult result = decoder.decode(bytes, chars, true);
    if (!result.isError()) {
      result = decoder.flush(chars);
    }
    if (result.isError()) {
      throw new InvalidJobException(
          position(),
          null,
          String.format(
              "line is not valid UTF-8: byte 0x%02X at byte %d of the line cannot be decoded",
              lineBytes[bytes.position()] & 0xff,
              bytes.position() - from + 1));
    }
    return chars.flip().toString();
  }

  private JsonNode parse(String text) {
    JsonNode node;
    try {
      node = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw new InvalidJobException(
          position(),
          null,
          "line is not valid JSON"
              + (at != null && at.getColumnNr() > 0 ? " (at column " + at.getColumnNr() + ")" : "")
              + ": "
              + e.getOriginalMessage(),
          e);
    }
    if (!node.isObject()) {
      throw problem(null, "expected a JSON object per line, found " + type(node));
    }
    return node;
  }

  private ImageJob job(JsonNode entry) {
    for (Map.Entry<String, JsonNode> field : entry.properties()) {
      if (!KEY_SET.contains(field.getKey())) {
        throw problem(field.getKey(), "unknown key; allowed keys: " + String.join(", ", KEYS));
      }
    }
    ImageJob.Builder job = ImageJob.builder();

    String output = text(entry, "output");
    if (output == null) {
      throw problem("output", "required: where the image goes, such as \"a1.png\"");
    }
    job.outputKey(output);

    String id = text(entry, "id");
    if (id != null) {
      job.id(id);
    }

    ImageOperation operation = operation(entry);
    job.operation(operation);
    String template = text(entry, "template");
    String prompt = text(entry, "prompt");
    if (template != null && prompt != null) {
      throw problem("prompt", "a line takes \"template\" or \"prompt\", not both");
    }
    if (operation == ImageOperation.UPSCALE) {
      if (template != null || prompt != null) {
        throw problem(template != null ? "template" : "prompt", "an upscale takes no prompt");
      }
    } else if (prompt != null) {
      job.prompt(prompt);
    } else if (template != null) {
      job.template(template);
    } else if (spec.template() != null) {
      job.template(spec.template());
    } else {
      throw problem(
          "template",
          "missing: the line needs \"template\" or \"prompt\", and the source has no default"
              + " template");
    }

    String model = text(entry, "model");
    if (model != null) {
      job.model(model);
    } else if (spec.model() != null) {
      job.model(spec.model());
    }

    String mode = text(entry, "mode");
    if (mode != null) {
      job.mode(Mode.of(mode));
    }

    job.values(values(entry));
    job.params(params(entry));
    if (references(entry, job) == 0 && operation != ImageOperation.GENERATE) {
      throw problem("references", "an " + operation.value() + " needs a reference image, the image to "
          + operation.value());
    }
    try {
      return job.build();
    } catch (IllegalArgumentException e) {
      throw problem(null, e.getMessage());
    }
  }

  /** A non-blank string under {@code key}, or null when the key is absent or JSON null. */
  private String text(JsonNode entry, String key) {
    JsonNode node = entry.get(key);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw problem(key, "must be a string, found " + type(node));
    }
    if (node.textValue().isBlank()) {
      throw problem(key, "must not be blank");
    }
    return node.textValue();
  }

  private Map<String, String> values(JsonNode entry) {
    Map<String, String> values = new LinkedHashMap<>();
    JsonNode node = entry.get("values");
    if (node == null || node.isNull()) {
      return values;
    }
    if (!node.isObject()) {
      throw problem("values", "must be an object of strings, found " + type(node));
    }
    for (Map.Entry<String, JsonNode> value : node.properties()) {
      JsonNode v = value.getValue();
      if (!(v.isTextual() || v.isNumber() || v.isBoolean())) {
        throw problem(
            "values." + value.getKey(), "must be a string, number or boolean, found " + type(v));
      }
      values.put(value.getKey(), v.asText());
    }
    return values;
  }

  private Map<String, Object> params(JsonNode entry) {
    Map<String, Object> params = new LinkedHashMap<>(spec.params());
    JsonNode node = entry.get("params");
    if (node == null || node.isNull()) {
      return params;
    }
    if (!node.isObject()) {
      throw problem("params", "must be an object, found " + type(node));
    }
    for (Map.Entry<String, JsonNode> param : node.properties()) {
      Object value =
          param.getValue().isNull() ? null : MAPPER.convertValue(param.getValue(), Object.class);
      String problem = ModelParams.problem(param.getKey(), value);
      if (problem != null) {
        throw problem("params." + param.getKey(), problem);
      }
      params.put(param.getKey(), value instanceof List<?> list ? List.copyOf(list) : value);
    }
    return params;
  }

  private ImageOperation operation(JsonNode entry) {
    String name = text(entry, "operation");
    if (name == null) {
      return spec.operation();
    }
    ImageOperation operation;
    try {
      operation = ImageOperation.of(name);
    } catch (IllegalArgumentException e) {
      throw problem("operation", e.getMessage());
    }
    if (operation == ImageOperation.READ) {
      throw problem("operation", "a read answers text, not an image: it is no job (use generate, edit or upscale)");
    }
    return operation;
  }

  /** Adds the line's references to {@code job}; returns how many. */
  private int references(JsonNode entry, ImageJob.Builder job) {
    JsonNode node = entry.get("references");
    if (node == null || node.isNull()) {
      return 0;
    }
    if (!node.isArray()) {
      throw problem("references", "must be an array of paths or http(s) URLs, found " + type(node));
    }
    for (int i = 0; i < node.size(); i++) {
      JsonNode item = node.get(i);
      String field = "references[" + i + "]";
      if (!item.isTextual()) {
        throw problem(field, "must be a path or an http(s) URL string, found " + type(item));
      }
      if (item.textValue().isBlank()) {
        throw problem(field, "must not be blank");
      }
      job.reference(item.textValue());
    }
    return node.size();
  }

  private InvalidJobException problem(String field, String problem) {
    return new InvalidJobException(position(), field, problem);
  }

  private static String type(JsonNode node) {
    return node.getNodeType().name().toLowerCase(Locale.ROOT);
  }
}
