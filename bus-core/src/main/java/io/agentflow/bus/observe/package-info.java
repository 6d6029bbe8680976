/**
 * Tracing, metrics and logs, and the only package of the library that uses OpenTelemetry or Prometheus (besides the
 * settings' setter that takes an application's SDK): PRODUCER and CONSUMER spans with W3C context in headers and
 * envelope ({@link io.agentflow.bus.observe.BusTracing}), the Prometheus metrics ({@link
 * io.agentflow.bus.observe.BusMetrics}), the correlated log context ({@link io.agentflow.bus.observe.MessageLog}) and
 * the audit log of refused messages ({@link io.agentflow.bus.observe.AuditLog}).
 */
package io.agentflow.bus.observe;
