# Sourced by scripts/test and scripts/perf-gate: finds nats-server (NATS_SERVER_PATH, then the PATH and /usr/sbin),
# installs it with apt-get where it is missing and apt is usable as root, else stops with a one-line instruction.
# Exports NATS_SERVER_PATH for the tests and benchmarks that start servers.

find_nats_server() {
  if [ -n "${NATS_SERVER_PATH:-}" ] && [ -x "$NATS_SERVER_PATH" ]; then
    echo "$NATS_SERVER_PATH"
  elif command -v nats-server >/dev/null 2>&1; then
    command -v nats-server
  elif [ -x /usr/sbin/nats-server ]; then
    echo /usr/sbin/nats-server
  fi
}

require_nats_server() {
  local nats
  nats="$(find_nats_server)"
  if [ -z "$nats" ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    echo "$(basename "$0"): installing nats-server with apt-get..." >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nats-server >/dev/null
    nats="$(find_nats_server)"
  fi
  if [ -z "$nats" ]; then
    echo "$(basename "$0"): nats-server not found; install it (apt-get install -y nats-server) or set NATS_SERVER_PATH" >&2
    exit 1
  fi
  export NATS_SERVER_PATH="$nats"
  echo "$(basename "$0"): using $("$nats" --version 2>&1 | head -n 1) at $nats" >&2
}
