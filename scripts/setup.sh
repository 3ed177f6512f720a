#!/usr/bin/env bash
# Set up everything libyasim needs on a Debian-like machine; `make setup` runs it,
# and `make run` / `make test` run it first.
#
#   1. find a Python >= 3.12 (prefers 3.12)  — override with LIBYASIM_PYTHON=/path/to/python
#   2. .venv with that Python; pip install -c constraints.txt -e ".[ui,dask,ema,dev]";
#      then compile the model's numba kernels into their on-disk cache
#   3. Solara's front-end packages into .venv/share/solara/cdn (npm), for an offline dashboard
#   4. headless Chromium for the browser tests (Debian's package; never `playwright install`)
#
# Idempotent and fast when done: the install step reruns only when pyproject.toml,
# constraints.txt or this script are newer than its stamp. pip and apt output go to
# .venv/setup.log; its tail is shown when a step fails.
# Other knobs: CHROMIUM_PATH (default /usr/bin/chromium), LIBYASIM_NO_APT=1 (never apt-get).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
VENV="$ROOT/.venv"
LOG="$VENV/setup.log"
VENV_STAMP="$VENV/.stamp-venv"
INSTALL_STAMP="$VENV/.stamp-install"
INSTALL_INPUTS=(pyproject.toml constraints.txt scripts/setup.sh)
CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
MIN_PY=(3 12)

say() { echo "setup: $*"; }
die() { echo "setup: error: $*" >&2; exit 1; }

# One set-up at a time (e.g. `make test` in two shells): lock this script's own file.
if command -v flock >/dev/null 2>&1; then
  exec 9<"${BASH_SOURCE[0]}"
  flock 9
fi

# Run a command with its output appended to the log; on failure show the log's tail.
logged() {
  local what=$1
  shift
  echo "=== $(date -u +%FT%TZ) $what: $*" >>"$LOG"
  if ! "$@" >>"$LOG" 2>&1; then
    echo "setup: error: $what failed; last lines of $LOG:" >&2
    tail -n 40 "$LOG" >&2
    exit 1
  fi
}

# ---------------------------------------------------------------- 1. Python >= 3.12
py_ok() {  # usable interpreter, new enough, with venv and ensurepip?
  "$1" -c "import sys, venv, ensurepip; sys.exit(sys.version_info[:2] < (${MIN_PY[0]}, ${MIN_PY[1]}))" \
    >/dev/null 2>&1
}
py_version() { "$1" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])'; }

py_candidates() {  # in order of preference, one path or command per line
  local minor pyenv_root v
  pyenv_root=${PYENV_ROOT:-$HOME/.pyenv}
  for minor in 12 13; do
    command -v "python3.$minor" 2>/dev/null || true  # a pyenv shim may fail to run: py_ok decides
    if command -v pyenv >/dev/null 2>&1; then
      { pyenv versions --bare 2>/dev/null || true; } | { grep -E "^3\.$minor\.[0-9]+$" || true; } |
        sort -rV | while read -r v; do
          echo "$(pyenv prefix "$v" 2>/dev/null || true)/bin/python"
        done
    fi
    # no pyenv on PATH (e.g. a non-login shell): look where it installs
    for v in "$pyenv_root" /root/.pyenv; do
      ls -d "$v"/versions/3."$minor".*/bin/python 2>/dev/null | sort -rV || true
    done
  done
  command -v python3 2>/dev/null || true  # a newer default python3 also does
}

find_python() {
  local c
  if [ -n "${LIBYASIM_PYTHON:-}" ]; then
    py_ok "$LIBYASIM_PYTHON" ||
      die "LIBYASIM_PYTHON=$LIBYASIM_PYTHON is not a working Python >= ${MIN_PY[0]}.${MIN_PY[1]}"
    echo "$LIBYASIM_PYTHON"
    return
  fi
  while read -r c; do
    [ -n "$c" ] && py_ok "$c" && { echo "$c"; return; }
  done < <(py_candidates)
  cat >&2 <<EOF
setup: error: no Python >= ${MIN_PY[0]}.${MIN_PY[1]} found (tried python3.12, python3.13, pyenv, python3).
setup: install one, then rerun, e.g.:
         pyenv install 3.12                                (any distro, with pyenv)
         apt-get install python3.12 python3.12-venv       (where your distro packages it)
       or point LIBYASIM_PYTHON at one: LIBYASIM_PYTHON=/path/to/python3.12 make setup
EOF
  exit 1
}

# ---------------------------------------------------------------- 2. the virtualenv
venv_ok() {  # complete, new enough, and the requested Python if one was requested
  [ -x "$VENV/bin/python" ] && [ -e "$VENV_STAMP" ] && py_ok "$VENV/bin/python" || return 1
  if [ -n "${LIBYASIM_PYTHON:-}" ]; then
    [ "$(py_version "$VENV/bin/python")" = "$(py_version "$LIBYASIM_PYTHON")" ] || return 1
  fi
}

if ! venv_ok; then
  PY=$(find_python)
  if [ -e "$VENV" ]; then
    say "replacing .venv (incomplete, or not the Python wanted)"
    rm -rf "$VENV"
  fi
  say "creating .venv with Python $(py_version "$PY") ($PY)"
  "$PY" -m venv "$VENV" || die "'$PY -m venv $VENV' failed"
  logged "pip upgrade" "$VENV/bin/python" -m pip install --upgrade pip
  touch "$VENV_STAMP"
fi

install_stale() {
  [ -e "$INSTALL_STAMP" ] || return 0
  local f
  for f in "${INSTALL_INPUTS[@]}"; do
    [ "$f" -nt "$INSTALL_STAMP" ] && return 0
  done
  return 1
}

if install_stale; then
  say "installing libyasim and its dependencies into .venv (log: .venv/setup.log)"
  [ -e src/libyasim/__init__.py ] ||
    echo "setup: warning: src/libyasim/__init__.py does not exist yet" >&2
  logged "pip install" "$VENV/bin/python" -m pip install \
    -c constraints.txt -e ".[ui,dask,ema,dev]"
  touch "$INSTALL_STAMP"
fi

# ---------------------------------------------------------------- 2b. compiled month kernels
# numba compiles the model's kernels on first use and caches them on disk (next to the
# source, in __pycache__/kernels-<hash>; libyasim/model/jit.py): compile them here, once per change of
# the package's source, so that `make run`'s workers start from the cache.
KERNEL_STAMP="$VENV/.stamp-kernels"
if [ ! -e "$KERNEL_STAMP" ] || [ "$INSTALL_STAMP" -nt "$KERNEL_STAMP" ] ||
  [ -n "$(find src/libyasim -name '*.py' -newer "$KERNEL_STAMP" -print -quit)" ]; then
  say "compiling the model's kernels (numba, cached)"
  logged "kernel warm-up" "$VENV/bin/python" -m libyasim.model.jit
  touch "$KERNEL_STAMP"
fi

# ---------------------------------------------------------------- 3. Solara front-end assets
# Cheap when done: the fetch script only checks that each package is in place.
if command -v npm >/dev/null 2>&1; then
  out=$(bash scripts/fetch_solara_assets.sh "$VENV" 2>&1) || {
    echo "$out" >&2
    die "could not fetch Solara's front-end packages from the npm registry (rerun to retry)"
  }
  [ -z "$out" ] || { say "Solara assets cached in .venv/share/solara/cdn"; echo "$out" >>"$LOG"; }
elif ! bash scripts/fetch_solara_assets.sh "$VENV" >/dev/null 2>&1; then
  echo "setup: warning: npm not found: the dashboard will load its JS/CSS from a public CDN" >&2
  echo "setup: warning: and stay blank offline (install npm: apt-get install npm)" >&2
fi

# ---------------------------------------------------------------- 4. headless Chromium
if [ ! -x "$CHROMIUM" ]; then
  if [ "$(id -u)" -eq 0 ] && [ -z "${LIBYASIM_NO_APT:-}" ] && command -v apt-get >/dev/null 2>&1 &&
    [ "$CHROMIUM" = /usr/bin/chromium ]; then
    say "installing chromium (Debian package) for the browser tests"
    logged "apt-get update" apt-get update
    logged "apt-get install chromium" env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
  else
    echo "setup: warning: $CHROMIUM not found; browser tests will be skipped" >&2
    echo "setup: warning: install it as root: apt-get install chromium" >&2
  fi
fi

say "ready: .venv with Python $(py_version "$VENV/bin/python") (${SECONDS}s)"
