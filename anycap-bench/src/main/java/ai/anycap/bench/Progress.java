package ai.anycap.bench;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/** Progress lines on stderr, so that stdout carries only the table. */
final class Progress {

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

  private Progress() {}

  static void say(String line) {
    System.err.println(LocalTime.now().format(TIME) + " " + line);
    System.err.flush();
  }
}
