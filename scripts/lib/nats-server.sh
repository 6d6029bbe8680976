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

# strace, with which LostWritesTest records what a server wrote and synced (issue 18's lost writes): installed with
# apt-get where it is missing and apt is usable as root, else a one-line instruction.
require_strace() {
  if ! command -v strace >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    echo "$(basename "$0"): installing strace with apt-get..." >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq strace >/dev/null
  fi
  if ! command -v strace >/dev/null 2>&1; then
    echo "$(basename "$0"): strace not found; install it (apt-get install -y strace)" >&2
    exit 1
  fi
}

# Debian 13's nats-server 2.10 beside Debian 12's 2.9.10 (issue 18): fetched from Debian's archive with apt into a
# cache of our own (the system's sources and state are left alone), unpacked with dpkg-deb -x; it runs on Debian
# 12. Prints the binary's path; AF_NATS_210_CACHE moves the cache. Fails with one line when it cannot be fetched.
nats_server_210() {
  local cache="${AF_NATS_210_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/agentflow/nats-server-2.10}"
  local bin="$cache/x/usr/sbin/nats-server"
  if [ ! -x "$bin" ]; then
    if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-deb >/dev/null 2>&1; then
      echo "$(basename "$0"): apt-get and dpkg-deb are needed to fetch nats-server 2.10 from Debian 13" >&2
      return 1
    fi
    mkdir -p "$cache/lists/partial" "$cache/archives/partial" "$cache/sources"
    printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: trixie\nComponents: main\nSigned-By: %s\n' \
      /usr/share/keyrings/debian-archive-keyring.gpg > "$cache/sources/trixie.sources"
    local opts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$cache/sources"
      -o "Dir::State::Lists=$cache/lists" -o "Dir::Cache::Archives=$cache/archives" -o "Debug::NoLocking=1"
      -o "APT::Sandbox::User=$(id -un)")
    echo "$(basename "$0"): fetching nats-server from Debian 13 (trixie) with apt into $cache..." >&2
    if ! apt-get "${opts[@]}" -qq update >/dev/null \
      || ! (cd "$cache" && apt-get "${opts[@]}" -qq download nats-server/trixie >/dev/null) \
      || ! dpkg-deb -x "$(ls "$cache"/nats-server_*.deb | head -n 1)" "$cache/x"; then
      echo "$(basename "$0"): could not fetch nats-server 2.10 from Debian 13 with apt" >&2
      return 1
    fi
  fi
  case "$("$bin" --version 2>&1)" in
    *v2.10.*) echo "$bin" ;;
    *) echo "$(basename "$0"): $bin is not a 2.10 server: $("$bin" --version 2>&1)" >&2; return 1 ;;
  esac
}
