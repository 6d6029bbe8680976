/**
 * The JSON machinery under the codec: the strict I-JSON reader with its limits, the canonical (RFC 8785) writer and
 * scanner, ECMAScript number formatting, UTF-8 checks and the growable byte buffer. Reports errors through {@code
 * io.agentflow.codec.error}.
 */
package io.agentflow.codec.json;
