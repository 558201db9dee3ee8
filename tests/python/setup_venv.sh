#!/usr/bin/env bash
# Create the Python virtual environment the SDK test uses and install the pinned Azure SDK into it.
# Usage: setup_venv.sh VENV_DIR. Called by the test when the venv is missing and by .ci/run.
set -euo pipefail
venv="${1:?usage: setup_venv.sh VENV_DIR}"
here="$(cd "$(dirname "$0")" && pwd)"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
"$venv/bin/python" -c "import azure.mgmt.network"
