#!/usr/bin/env bash
# Runs every candidate .espdl under Espressif QEMU and writes bench.json (mode "qemu": correctness and
# instruction counts, never latency). Inside the espdl-qemu container (qemu/Dockerfile) or any shell where
# ESP-IDF's export.sh puts qemu-system-* on PATH.
#
#   qemu/run.sh <chip: esp32|esp32s3|esp32c3> <firmware build dir> <candidates dir> [bench.json] [timeout s]
set -euo pipefail
if [[ $# -lt 3 ]]; then
  echo "usage: $0 <esp32|esp32s3|esp32c3> <firmware build dir> <candidates dir> [out.json] [timeout-s]" >&2
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
exec npx --no-install espdl-autoquant bench --qemu --chip "$chip" --firmware "$build" \
  --candidates "$candidates" --timeout "$timeout_s" --out "$out"
