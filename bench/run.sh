#!/bin/bash
# One command for the issue-2 benchmarks (not a test, not run in CI): builds @dicom-tools/core and the CLI,
# makes the data if missing, times header scan / full parse against dcmdump and pydicom and the CLI's
# --help / info latency, and writes bench/.out/results.json (plus parse.json, cli.json, and the Markdown
# table of docs/benchmarks.md on stdout).
#
# usage: bench/run.sh [--runs N] [--no-build]
#   --runs      timed rounds of the parse benchmark (default 5; the CLI gets 30 hyperfine runs)
#   --no-build  use the existing packages/*/dist
# Needs: Node 20, dcmtk (dcmdump), /usr/bin/python3 with Debian's python3-pydicom and python3-numpy;
# hyperfine and GNU time are used when installed. ~1 minute on 2 cores; 0.5 GB of data in bench/.data.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
RUNS=5
BUILD=1
while [ $# -gt 0 ]; do
  case $1 in
    --runs) RUNS=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
cd "$ROOT"

for tool in node dcmdump /usr/bin/python3; do
  command -v "$tool" > /dev/null || { echo "run.sh: $tool not found" >&2; exit 1; }
done
/usr/bin/python3 -c 'import pydicom, numpy' 2> /dev/null \
  || { echo "run.sh: /usr/bin/python3 cannot import pydicom/numpy (apt-get install python3-pydicom python3-numpy)" >&2; exit 1; }

# tsc, retried: other work may leave the tree briefly uncompilable.
build() {
  local project=$1 try
  for try in 1 2 3 4 5; do
    if node_modules/.bin/tsc -p "$project" --noEmitOnError; then return 0; fi
    echo "run.sh: build of $project failed (try $try of 5), retrying in 15 s" >&2
    sleep 15
  done
  return 1
}
if [ "$BUILD" = 1 ]; then
  echo "== build"
  build packages/core/tsconfig.build.json || { echo "run.sh: packages/core does not build" >&2; exit 1; }
  if [ -f packages/cli/src/bin.ts ]; then
    build packages/cli/tsconfig.build.json \
      || echo "run.sh: WARNING packages/cli does not build; the CLI rows measure the existing dist, if any" >&2
  fi
fi
[ -f packages/core/dist/index.js ] || { echo "run.sh: packages/core/dist/index.js missing (drop --no-build)" >&2; exit 1; }

echo "== data"
"$HERE/make-data.sh"

echo "== parse (header scan, full parse)"
node "$HERE/parse.mjs" --runs "$RUNS"
echo "== cli latency"
node "$HERE/cli.mjs"
echo "== results"
node "$HERE/report.mjs"
