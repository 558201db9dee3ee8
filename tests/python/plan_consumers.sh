#!/usr/bin/env bash
# Installs the Python tools that read peerform's plan JSON, each in its own virtual environment under
# ROOT (default: target/tmp/venvs): ROOT/checkov and ROOT/compliance. An environment is (re)built only
# when its requirements file changed since it was built. Used by tests/integration/plan.rs when an
# environment is missing, and by .ci/run so that CI pays for the download once.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="${1:-target/tmp/venvs}"
mkdir -p "$root"
exec 9>"$root/.lock"
flock 9
for name in checkov compliance; do
  requirements="$here/requirements-$name.txt"
  stamp="$root/$name/.installed-$(sha256sum "$requirements" | cut -c1-16)"
  if [ -f "$stamp" ]; then
    continue
  fi
  echo "installing $name into $root/$name" >&2
  rm -rf "$root/$name"
  python3 -m venv "$root/$name"
  "$root/$name/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" >&2
  touch "$stamp"
done
