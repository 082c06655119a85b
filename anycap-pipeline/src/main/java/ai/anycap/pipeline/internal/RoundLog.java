package ai.anycap.pipeline.internal;

/**
 * The requests of the current round of a pace, as {@link PaceLearner} weighs them: numbered in
 * the order they went, when the round began (a pause's end), its first request, and when its first
 * answer came. A new round (a 429 here, or in another worker sharing the pace) starts a new log.
 *
 * <p>With a shared pace the numbers are the shared schedule's, and the requests the other workers
 * sent go into the log too, at the moments the schedule gave them, as late after them as this
 * worker's own requests go: what the log says of a round is then what the server saw from all the
 * workers, not from this one alone. Those sent before the round began belong to the last one and
 * are left out.
 *
 * <p>Not thread-safe: the pacer calls it under its lock.
 */
final class RoundLog {

  private static final long SECOND = 1_000_000_000L;

  private final SendLog sends = new SendLog(16_384);
  /** Told of every request sent, this pipeline's and (with a shared pace) the others'. */
  private final AcceptedRate rate;
  private long sequence;
  private long seen;
  private long start = Long.MIN_VALUE;
  private long firstSequence = 1;
  private long firstAnswer = Long.MAX_VALUE;
  /**
   * How long after its moment this pipeline's requests go, on average (nanoseconds): the other
   * workers' go about as late, and are logged that much after the moment the schedule gave them.
   */
  private double lateNanos;

  RoundLog(AcceptedRate rate) {
    this.rate = rate;
  }

  /** The number of the last request sent (here, or with a shared pace, by any worker). */
  long sequence() {
    return sequence;
  }

  /** The round the log holds. */
  long seen() {
    return seen;
  }

  /** When the round began: the bucket was full then. */
  long start() {
    return start;
  }

  /** When the round's first answer came back; {@code Long.MAX_VALUE} until one has. */
  long firstAnswer() {
    return firstAnswer;
  }

  /** Requests sent in the round so far. */
  long sent() {
    return sequence - firstSequence + 1;
  }

  /** Requests sent in the round before the ticket's. */
  long sentBefore(RequestPacer.Ticket ticket) {
    return ticket.sequence() - firstSequence;
  }

  /** Another round began: starts its log. */
  void follow(PaceState s, long now) {
    if (s.round() == seen) {
      return;
    }
    seen = s.round();
    start = Math.max(now, s.pausedUntil());
    firstSequence = sequence + 1;
    firstAnswer = Long.MAX_VALUE;
    sends.clear();
  }

  /**
   * A request goes now, at a moment of a shared schedule ({@code slot}, null for none): its
   * number. The moments the other workers took since this one's last go in first.
   */
  long released(long now, PaceStore.Slot slot) {
    if (start == Long.MIN_VALUE) {
      start = now;
    }
    if (slot != null) {
      lateNanos = 0.9 * lateNanos + 0.1 * Math.max(0, now - slot.at());
    }
    if (slot != null && slot.sequence() > sequence + 1) {
      others(slot, now);
    }
    sequence = slot == null ? sequence + 1 : Math.max(sequence + 1, slot.sequence());
    sends.add(sequence, now);
    rate.sent(now);
    return sequence;
  }

  /**
   * A moment of a shared schedule this pacer took went unused (a pause overtook it): the numbers
   * move past it, and no request is logged for it.
   */
  void skipped(long slotSequence) {
    sequence = Math.max(sequence, slotSequence);
  }

  private void others(PaceStore.Slot slot, long now) {
    long gap = slot.sequence() - sequence - 1;
    if (gap >= sends.capacity()) {
      sends.clear();
      sequence = slot.sequence() - sends.capacity();
      gap = sends.capacity() - 1;
    }
    long[] earlier = slot.earlier();
    for (long i = 1; i <= gap; i++) {
      // The store keeps the latest moments; one it no longer has went long before.
      long known = earlier.length - (gap - i) - 1;
      long at = known >= 0 ? earlier[(int) known] : Long.MIN_VALUE;
      if (at != Long.MIN_VALUE) {
        rate.othersSent(at);
      }
      if (at < start && sends.size() == 0) {
        firstSequence = sequence + i + 1; // sent before the pause: the last round's
        continue;
      }
      sends.add(sequence + i, Math.min(late(slot.at(), now), Math.max(start, late(at, now))));
    }
  }

  /** When a request given the moment {@code at} went, as this pipeline's go: by {@code now} at the latest. */
  private long late(long at, long now) {
    return at == Long.MIN_VALUE ? at : Math.min(now, at + (long) lateNanos);
  }

  /** The ticket's request went through. */
  void accepted(RequestPacer.Ticket ticket) {
    if (ticket.round() == seen) {
      sends.accept(ticket.sequence());
    }
  }

  /** An answer to the ticket's request came back. */
  void answered(RequestPacer.Ticket ticket, long now) {
    if (ticket.round() == seen) {
      firstAnswer = Math.min(firstAnswer, now);
    }
  }

  /** Requests sent after the ticket's that went through. */
  int acceptedAfter(RequestPacer.Ticket ticket) {
    return sends.acceptedAround(ticket.sequence(), true);
  }

  /** The round up to the ticket's refused request; null when the log no longer holds its start. */
  Round upTo(RequestPacer.Ticket refused) {
    return sends.round(start, firstSequence, refused.sequence(), refused.sentAt());
  }

  /** Requests a second sent in the window before the ticket's request, within its round. */
  double sentRate(RequestPacer.Ticket ticket, double windowSeconds, double pace) {
    long from = Math.max(start, ticket.sentAt() - (long) (windowSeconds * SECOND));
    double span = (ticket.sentAt() - from) / 1e9;
    if (span < 0.05) {
      return pace;
    }
    return sends.countBetween(from, ticket.sentAt()) / span;
  }
}
