#!/bin/bash
# Makes the benchmark corpus: 1,000 distinct-UID copies of one 512x512 int16 CT slice (~0.5 MB each)
# in bench/.data/batch/, with ../shared/peers/make_corpus.py (needs Debian's python3-pydicom and
# python3-numpy, run by /usr/bin/python3). Deterministic (--seed 1). Skips the work when the folder
# already holds the expected number of files; --force rebuilds it.
#
# usage: bench/make-data.sh [--files N] [--force]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PEERS=${PEERS:-$HERE/../../shared/peers}
DATA=$HERE/.data
N=1000
FORCE=0
while [ $# -gt 0 ]; do
  case $1 in
    --files) N=$2; shift 2 ;;
    --force) FORCE=1; shift ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "make-data.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
if [ ! -f "$PEERS/make_corpus.py" ]; then
  echo "make-data.sh: $PEERS/make_corpus.py not found (set PEERS=/path/to/shared/peers)" >&2
  exit 1
fi
have=0
[ -d "$DATA/batch" ] && have=$(find "$DATA/batch" -maxdepth 1 -type f -name '*.dcm' | wc -l)
if [ "$FORCE" = 0 ] && [ "$have" -eq "$N" ]; then
  echo "make-data.sh: $DATA/batch already holds $N files"
  exit 0
fi
rm -rf "$DATA"
mkdir -p "$DATA"
/usr/bin/python3 "$PEERS/make_corpus.py" --out "$DATA" --seed 1 \
  --ct-slices 0 --mr-slices 0 --patients 0 --batch "$N"
echo "make-data.sh: $(find "$DATA/batch" -maxdepth 1 -type f | wc -l) files, $(du -sh "$DATA/batch" | cut -f1) in $DATA/batch"
