package dev.trickle.jdbc;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one place where Trickle's JDBC wrappers delegate to PgJDBC. A wrapper is a {@link Proxy}
 * implementing one JDBC interface: a call goes to the wrapper's interceptor when the interceptor
 * declares a public method of the same name and parameter types, and to the PgJDBC object
 * otherwise, so an interceptor holds only the methods Trickle changes and no interface method,
 * default methods included, can bypass both. Which of the two answers a method is decided once per
 * interface and interceptor class.
 *
 * <p>An interceptor that is an {@link Observer} also hears about the delegated calls it asks for,
 * and may replace what they return (a prepared command records its bound values that way, the
 * metadata wraps its result sets). {@code equals} and {@code hashCode} are
 * the wrapper's identity; {@code toString} names the wrapper and its delegate.
 */
final class Delegation implements InvocationHandler {
  /** An interceptor told about some calls after PgJDBC answered them. */
  interface Observer {
    /**
     * Whether {@link #delegated} is to hear about {@code method}; asked once per method and
     * interceptor class, so the answer depends on the method only.
     */
    boolean observes(Method method);

    /**
     * Told after the delegate answered {@code method} with {@code result}.
     *
     * @return what the wrapper returns instead of {@code result}
     */
    Object delegated(Method method, Object[] arguments, Object result) throws SQLException;
  }

  /** How one method of a wrapper is answered. */
  private record Route(Method target, boolean intercepted, boolean observed) {}

  private static final Map<List<Class<?>>, Map<Method, Route>> ROUTES = new ConcurrentHashMap<>();

  private final Object delegate;
  private final Object interceptor;
  /** Never changed once built, so read without locking. */
  private final Map<Method, Route> routes;

  private Delegation(Object delegate, Object interceptor, Map<Method, Route> routes) {
    this.delegate = delegate;
    this.interceptor = interceptor;
    this.routes = routes;
  }

  /**
   * A wrapper implementing {@code api} over {@code delegate}, answering the methods {@code
   * interceptor} declares itself.
   */
  static <T> T wrap(Class<T> api, T delegate, Object interceptor) {
    Map<Method, Route> routes =
        ROUTES.computeIfAbsent(
            List.of(api, interceptor.getClass()), key -> routesOf(api, interceptor));
    return api.cast(
        Proxy.newProxyInstance(
            Delegation.class.getClassLoader(),
            new Class<?>[] {api},
            new Delegation(delegate, interceptor, routes)));
  }

  private static Map<Method, Route> routesOf(Class<?> api, Object interceptor) {
    Map<Method, Route> routes = new HashMap<>();
    for (Method method : api.getMethods()) {
      if (Modifier.isStatic(method.getModifiers())) {
        continue;
      }
      Method own = interceptorMethod(interceptor.getClass(), method);
      boolean observed =
          own == null && interceptor instanceof Observer o && o.observes(method);
      Method target = own == null ? method : own;
      target.setAccessible(true);
      routes.put(method, new Route(target, own != null, observed));
    }
    return routes;
  }

  private static Method interceptorMethod(Class<?> type, Method method) {
    try {
      Method own = type.getMethod(method.getName(), method.getParameterTypes());
      if (own.getDeclaringClass() == Object.class) {
        return null;
      }
      return own;
    } catch (NoSuchMethodException e) {
      return null;
    }
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] arguments) throws Throwable {
    Route route = routes.get(method);
    if (route == null) {
      return ofObject(proxy, method, arguments);
    }
    try {
      Object result = route.target.invoke(route.intercepted ? interceptor : delegate, arguments);
      return route.observed
          ? ((Observer) interceptor).delegated(method, arguments, result)
          : result;
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /** {@code equals}, {@code hashCode} and {@code toString}, the methods every object has. */
  private Object ofObject(Object proxy, Method method, Object[] arguments) {
    switch (method.getName()) {
      case "equals":
        return proxy == arguments[0];
      case "hashCode":
        return System.identityHashCode(proxy);
      default:
        return "Trickle wrapper of " + delegate;
    }
  }
}
