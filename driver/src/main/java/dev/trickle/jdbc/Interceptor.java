package dev.trickle.jdbc;

import java.sql.SQLException;
import java.sql.Wrapper;

/**
 * What every interceptor behind a wrapper ({@link Delegation}) answers the same way: {@code
 * unwrap} and {@code isWrapperFor} see the wrapper first, then the PgJDBC object it delegates to.
 */
abstract class Interceptor {
  private final Wrapper delegate;
  private Wrapper face;

  /** An interceptor of {@code delegate}. */
  Interceptor(Wrapper delegate) {
    this.delegate = delegate;
  }

  /** Makes {@code api}'s wrapper over the delegate with this interceptor. */
  final <T extends Wrapper> T wrapAs(Class<T> api, T delegate) {
    T wrapper = Delegation.wrap(api, delegate, this);
    face = wrapper;
    return wrapper;
  }

  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(face)) {
      return iface.cast(face);
    }
    return delegate.unwrap(iface);
  }

  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return iface.isInstance(face) || delegate.isWrapperFor(iface);
  }
}
