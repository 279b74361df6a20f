#!/usr/bin/env bash
# The checks of exercise 3's GPU tier in one command (GRADING.md, "The GPU tier"): install, then gpu_checks.py.
#
#   scripts/gpu_checks.sh OUT                    # a runner with network: pip install -c constraints.txt '.[gpu]'
#   scripts/gpu_checks.sh OUT --wheels DIR       # an offline runner: install the wheels in DIR, then this project
#   scripts/gpu_checks.sh OUT ... --profile smoke   # a dry run on any machine (arguments after OUT/--wheels go
#                                                   # to scripts/gpu_checks.py: --profile, --deadline, --seeds)
#
# PYTHON names the interpreter to install into (default python3). On a machine whose Python already has a CUDA build
# of JAX, set KERAS_BACKEND=jax and bring Keras, nbgrader and their dependencies as wheels. The install's time goes
# to OUT/install.txt, apart from the checks' own times in OUT/summary.json.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ $# -lt 1 ]]; then
    echo "usage: scripts/gpu_checks.sh OUT [--wheels DIR] [gpu_checks.py options]" >&2
    exit 2
fi
out=$1
shift
wheels=""
if [[ ${1:-} == --wheels ]]; then
    wheels=${2:?--wheels needs a folder}
    shift 2
fi
python=${PYTHON:-python3}
mkdir -p "$out"
started=$(date +%s.%N)
if [[ -n $wheels ]]; then
    "$python" -m pip install --quiet --no-index --no-deps --no-compile "$wheels"/*.whl
    "$python" -m pip install --quiet --no-index --no-deps --no-build-isolation .
else
    "$python" -m pip install --quiet --constraint constraints.txt '.[gpu]'
fi
finished=$(date +%s.%N)
echo "install: $(awk "BEGIN { printf \"%.1f\", $finished - $started }") s ($([[ -n $wheels ]] && echo "wheels from $wheels" || echo "pip, constraints.txt + [gpu]"))" \
    | tee "$out/install.txt"
export TF_CPP_MIN_LOG_LEVEL=3 TF_ENABLE_ONEDNN_OPTS=0 PYTHONUNBUFFERED=1
exec "$python" -m scripts.gpu_checks "$out" "$@"
