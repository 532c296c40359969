#!/usr/bin/env bash
# Runs every candidate .espdl under Espressif QEMU and writes bench.json (mode "qemu": correctness and
# instruction counts, never latency; Model::test() results are advisory, see runner/README.md). Inside the
# espdl-qemu container (qemu/Dockerfile), or in any shell where ESP-IDF's export.sh puts qemu-system-* on PATH
# and espdl-autoquant is installed (npm install -g, or a built checkout: npm ci in the repository).
#
#   qemu/run.sh <chip: esp32|esp32s3|esp32c3> <firmware build dir or folder of builds> <candidates> [bench.json] [timeout s]
#
# There is no ESP32-P4 machine in QEMU: benchmark the P4 on a board.
set -euo pipefail
if [[ $# -lt 3 ]]; then
  echo "usage: $0 <esp32|esp32s3|esp32c3> <firmware build dir or folder of builds> <candidates> [out.json] [timeout-s]" >&2
  exit 2
fi
chip="$1"; build="$2"; candidates="$3"; out="${4:-bench.json}"; timeout_s="${5:-600}"
case "$chip" in
  esp32|esp32s3|esp32c3) ;;
  esp32p4) echo "QEMU has no ESP32-P4 machine: benchmark the P4 on a board (espdl-autoquant bench --port …)" >&2; exit 2 ;;
  *) echo "unsupported chip for QEMU: $chip" >&2; exit 2 ;;
esac
if ! command -v qemu-system-xtensa >/dev/null 2>&1 && [[ -n "${IDF_PATH:-}" ]]; then
  # shellcheck disable=SC1091
  . "$IDF_PATH/export.sh" >/dev/null
fi
# The CLI: on PATH (the image links it), else the built checkout this script belongs to.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if command -v espdl-autoquant >/dev/null 2>&1; then
  cli=(espdl-autoquant)
elif [[ -f "$here/../lib/cli/index.js" && -d "$here/../node_modules" ]]; then
  cli=(node "$here/../lib/cli/index.js")
else
  echo "espdl-autoquant is not installed: build the qemu/Dockerfile image, or run 'npm ci' in the repository ($here/..)" >&2
  exit 2
fi
exec "${cli[@]}" bench --qemu --chip "$chip" --firmware "$build" --candidates "$candidates" --timeout "$timeout_s" --out "$out"
