#!/usr/bin/env bash
# Installs and starts what the test suite needs from the system: ffmpeg, sox, PostgreSQL,
# Chromium, s3s-fs (through cargo) and local-kms (through go). Idempotent: quick when everything is present.
# Prints `export TEST_DATABASE_URL=...` on stdout, so callers can `eval "$(scripts/setup-system.sh)"`.
set -euo pipefail

log() { printf 'setup-system: %s\n' "$*" >&2; }

need=()
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
command -v sox >/dev/null 2>&1 || need+=(sox libsox-fmt-all)
command -v pg_ctlcluster >/dev/null 2>&1 && ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || need+=(chromium fonts-dejavu-core)
# Transcripts of recording sessions: the local speech recogniser and its US English model, and a
# speech synthesiser that makes the test sentences (none of them uses the network).
command -v pocketsphinx_continuous >/dev/null 2>&1 || need+=(pocketsphinx pocketsphinx-en-us)
command -v flite >/dev/null 2>&1 || need+=(flite)

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
    log "missing system packages: ${need[*]} (install them with your package manager, then re-run)"
    exit 1
  fi
  log "installing ${need[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi

# s3s-fs: an S3-compatible server that verifies AWS SigV4 signatures (header-signed and
# presigned), for the storage tests. Built from the Rust crate registry; about 3 minutes once.
S3S_FS_VERSION=0.14.1
if ! command -v s3s-fs >/dev/null 2>&1 && [ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/s3s-fs" ]; then
  if command -v cargo >/dev/null 2>&1; then
    log "building s3s-fs $S3S_FS_VERSION with cargo (signature-verifying S3 server for the storage tests)"
    cargo install s3s-fs --version "$S3S_FS_VERSION" --features binary --locked --quiet >&2
  else
    log "cargo not found: the signature-verifying S3 storage tests are skipped"
  fi
fi

# local-kms: a KMS-compatible server that enforces encryption contexts on Decrypt and refuses
# disabled keys, for the tests of organizations' own keys. Built from the Go module proxy.
LOCAL_KMS_VERSION=v0.0.0-20260228092603-2a5e92d09ab6
gobin="$(command -v go >/dev/null 2>&1 && go env GOPATH)/bin"
if ! command -v local-kms >/dev/null 2>&1 && [ ! -x "$gobin/local-kms" ]; then
  if command -v go >/dev/null 2>&1; then
    log "building local-kms with go (KMS server for the organization key tests)"
    go install "github.com/nsmithuk/local-kms@$LOCAL_KMS_VERSION" >&2
  else
    log "go not found: the organization key (KMS) tests are skipped"
  fi
fi

# PostgreSQL: start the first cluster and make a test role and database.
if [ -z "${TEST_DATABASE_URL:-}" ]; then
  ver=$(ls /usr/lib/postgresql | sort -n | tail -1)
  cluster=$(pg_lsclusters -h 2>/dev/null | awk -v v="$ver" '$1==v {print $2; exit}')
  if [ -z "$cluster" ]; then
    pg_createcluster "$ver" main >&2
    cluster=main
  fi
  pg_ctlcluster "$ver" "$cluster" start >&2 2>/dev/null || true
  port=$(pg_lsclusters -h | awk -v v="$ver" -v c="$cluster" '$1==v && $2==c {print $3; exit}')
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p "$port" && break; sleep 0.5; done
  runuser -u postgres -- psql -q -p "$port" -v ON_ERROR_STOP=1 >&2 <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'vaultmark') THEN
    CREATE ROLE vaultmark LOGIN CREATEDB CREATEROLE PASSWORD 'vaultmark';
  END IF;
END \$\$;
SQL
  if ! runuser -u postgres -- psql -tA -p "$port" -c "SELECT 1 FROM pg_database WHERE datname='vaultmark_test'" | grep -q 1; then
    runuser -u postgres -- createdb -p "$port" -O vaultmark vaultmark_test >&2
  fi
  echo "export TEST_DATABASE_URL=postgres://vaultmark:vaultmark@127.0.0.1:${port}/vaultmark_test"
fi
