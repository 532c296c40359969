#!/usr/bin/env bash
# Builds one benchmark firmware variant (runner/README.md, "Firmware builds") with ESP-IDF >= 5.5.4 on PATH:
# inside espressif/idf:<tag> or after `. $IDF_PATH/export.sh`.
#
#   runner/firmware/build-variant.sh <variant> [build dir]
#
# The variant is a file in runner/firmware/variants/; its name starts with the IDF target. The build reads
# sdkconfig.defaults, sdkconfig.defaults.<target> and variants/<variant>.defaults (ESP-IDF derives the target
# file from the first one), plus the file named by $ESPDL_BENCH_EXTRA_DEFAULTS if set (e.g. a
# CONFIG_ESPDL_BENCH_RUNS=20 line). Each build keeps its own sdkconfig inside its build directory, so variants
# can be built one after the other in the same checkout. The component manager's dependencies.lock (the exact
# ESP-DL release resolved) is copied into the build directory too.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
variant="${1:-}"
if [[ -z "$variant" || ! -f "$here/variants/$variant.defaults" ]]; then
  echo "usage: $0 <variant> [build dir]; variants: $(cd "$here/variants" && ls -- *.defaults | sed 's/\.defaults$//' | tr '\n' ' ')" >&2
  exit 2
fi
if ! command -v idf.py >/dev/null 2>&1; then
  echo "idf.py not found: run inside espressif/idf (docker) or after '. \$IDF_PATH/export.sh' (ESP-IDF >= 5.5.4)" >&2
  exit 2
fi
target="${variant%%-*}"
build="${2:-$here/build-$variant}"
mkdir -p "$build"
build="$(cd "$build" && pwd)"
defaults="$here/sdkconfig.defaults;$here/variants/$variant.defaults"
if [[ -n "${ESPDL_BENCH_EXTRA_DEFAULTS:-}" ]]; then
  defaults="$defaults;$ESPDL_BENCH_EXTRA_DEFAULTS"
fi
idf.py -C "$here" -B "$build" -D IDF_TARGET="$target" -D SDKCONFIG="$build/sdkconfig" -D SDKCONFIG_DEFAULTS="$defaults" build
if [[ -f "$here/dependencies.lock" ]]; then
  cp "$here/dependencies.lock" "$build/dependencies.lock"
fi
echo "built $variant ($target) in $build"
