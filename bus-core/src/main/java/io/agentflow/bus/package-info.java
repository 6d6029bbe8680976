/**
 * The bus as applications use it, whatever the transport: {@link io.agentflow.bus.MessageBus} (publish, the claim
 * path, both kinds of subscription, replay), the handlers and what they are handed ({@link
 * io.agentflow.bus.Delivery}, {@link io.agentflow.bus.EnvelopeDelivery}), subscription specs and stats, publish
 * acks, replay reports, and the settings ({@link io.agentflow.bus.BusConfig}, with its per-concern values {@link
 * io.agentflow.bus.BusSecurity} and {@link io.agentflow.bus.ConnectionTuning}). Errors are the codec's {@code
 * MessageError}. An application starts at {@code io.agentflow.bus.connect.MessageBuses}. This package depends on
 * the codec, {@code wire}, {@code security} and {@code pipeline}, never on a transport (docs/architecture.md).
 */
package io.agentflow.bus;
