# Shared by scripts/archive and scripts/test: create what is missing, nothing more.
# Sourced, not run. Sets VENV; defines ensure_env, ensure_browser, ensure_pywb,
# ensure_replaywebpage, ensure_autoconsent, ensure_redis and ensure_ffmpeg.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${ARCHIVER_VENV:-$ROOT/.venv}"

say() { printf 'archiver setup: %s\n' "$*" >&2; }

find_python() {
    local candidate
    for candidate in python3.13 python3.12 python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
           "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

# The virtual environment with archiver and its test tools, (re)installed when pyproject.toml changed.
ensure_env() {
    local stamp="$VENV/.archiver-installed"
    if [ -x "$VENV/bin/archiver" ] && [ -f "$stamp" ] && [ ! "$ROOT/pyproject.toml" -nt "$stamp" ]; then
        return 0
    fi
    local python
    python="$(find_python)" || { say "Python 3.11 or newer is needed (none found on PATH)"; exit 2; }
    say "creating $VENV with $("$python" --version)"
    [ -x "$VENV/bin/python" ] || "$python" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -e "$ROOT[test]"
    touch "$stamp"
}

# pywb's own virtual environment (in the cache folder), which replay and QA run pywb from.
ensure_pywb() {
    "$VENV/bin/python" -m archiver.replay.pywb >/dev/null || exit 2
}

# npm, for the JavaScript archiver fetches pinned from the registry; from Debian where it is missing (as root).
ensure_npm() {
    if ! command -v npm >/dev/null 2>&1; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            say "no npm found: installing Debian's nodejs and npm packages"
            apt-get update -qq >&2
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >&2
        else
            say "npm is needed to fetch ReplayWeb.page and autoconsent: install Node.js and npm"
            exit 2
        fi
    fi
}

# ReplayWeb.page's files (npm replaywebpage, in the cache folder), for `archiver replay FILE.wacz` and
# the tests that open bundles in it.
ensure_replaywebpage() {
    ensure_npm
    "$VENV/bin/python" -m archiver.replay.replaywebpage >/dev/null || exit 2
}

# DuckDuckGo's autoconsent (npm @duckduckgo/autoconsent, in the cache folder), which captures inject
# to answer consent dialogs; a capture fetches it on first use too, this only does it up front.
ensure_autoconsent() {
    ensure_npm
    "$VENV/bin/python" -m archiver.browser.consent >/dev/null || exit 2
}

# A Chromium for Playwright to drive: $ARCHIVER_BROWSER, Playwright's own, or the system's;
# where there is none, Debian's package (as root) or Playwright's download (elsewhere).
ensure_browser() {
    if [ -n "${ARCHIVER_BROWSER:-}" ]; then  # the user chose one: check it, install nothing
        "$VENV/bin/python" -m archiver.browser.launch >/dev/null || exit 2
        return 0
    fi
    if "$VENV/bin/python" -m archiver.browser.launch >/dev/null 2>&1; then
        return 0
    fi
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "no Chromium found: installing Debian's chromium package"
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
    else
        say "no Chromium found: trying 'playwright install chromium'"
        "$VENV/bin/playwright" install chromium >&2 || true
    fi
    "$VENV/bin/python" -m archiver.browser.launch >/dev/null || exit 2
}

# A redis-server for the queue's tests (workers and their faults are tested against the real server):
# Debian's package (as root) where none is on PATH.
ensure_redis() {
    command -v redis-server >/dev/null 2>&1 && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "no redis-server found: installing Debian's redis-server package"
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >&2
    else
        say "redis-server is needed by the queue's tests: install Redis (6.2 or newer)"
        exit 2
    fi
}

# ffmpeg makes the media tests' fixtures (a progressive MP4, HLS and DASH renditions, a podcast):
# Debian's package (as root) where none is on PATH.
ensure_ffmpeg() {
    command -v ffmpeg >/dev/null 2>&1 && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "no ffmpeg found: installing Debian's ffmpeg package"
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ffmpeg >&2
    else
        say "ffmpeg is needed by the media tests: install ffmpeg"
        exit 2
    fi
}
