/**
 * Where an application starts: {@link io.agentflow.bus.connect.MessageBuses#connect} chooses the transport from the
 * settings ({@code AF_BUS_URL=embedded:} in process, anything else JetStream). The one package that knows both
 * transports.
 */
package io.agentflow.bus.connect;
