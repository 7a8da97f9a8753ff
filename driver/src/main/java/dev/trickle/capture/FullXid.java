package dev.trickle.capture;

/**
 * The 64-bit id ({@code xid8}, the one the capture triggers write as {@code __pgt_xid}) of a
 * 32-bit transaction id that pgoutput sends, given a recent 64-bit id of the same server as a
 * reference. A decoded id lies within 2^31 of the reference on either side (the slot's {@code
 * catalog_xmin} keeps the server from wrapping past it), so the signed 32-bit distance between the
 * two decides the epoch.
 *
 * <p>Either side: under concurrent writers transaction ids are not given out in commit order, so
 * a transaction decoded after the consumer took its reference may have a newer id than the
 * reference. Taking every id above the reference's low half as one from the previous epoch (the
 * first version did) gave such a transaction an id four billion transactions in the future: its
 * buffer rows were never inside a refresh's frontier, and its changes were lost.
 */
final class FullXid {
  private FullXid() {}

  /** The {@code xid8} of {@code xid}, near {@code reference} (an {@code xid8}). */
  static long of(long reference, int xid) {
    int distance = xid - (int) reference;
    return reference + distance;
  }
}
