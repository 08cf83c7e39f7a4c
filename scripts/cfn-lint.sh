#!/usr/bin/env bash
# Synthesizes the CDK app into cdk.out and lints every template (the data stack and the stateless stack
# of the stage) with cfn-lint. Fails on any error or warning. Extra arguments go to `cdk synth`
# (e.g. `-c stage=prod`).
#
# Ignored checks, with the reasons:
#   W3005 (DependsOn already enforced by GetAtt): aws-cdk-lib's Function always adds an explicit
#   DependsOn on its execution role, next to the Role GetAtt; redundant but harmless, and not
#   removable from the construct (https://github.com/aws/aws-cdk/issues/24578).
#   W6001 (output value is an import from another output): the stateless stack Scrub62323-<stage> keeps
#   the stage's outputs in one place, read with DescribeStacks; the buckets, queues, topics, key and
#   people policies they name live in Scrub62323-<stage>-data, so those outputs re-publish its exports.
set -euo pipefail
cd "$(dirname "$0")/.."

cfn_lint=cfn-lint
if ! command -v cfn-lint >/dev/null 2>&1; then
  echo "cfn-lint not found: installing it with pip" >&2
  if python3 -m pip install --quiet --disable-pip-version-check cfn-lint 2>/dev/null; then
    # pip may have put the script in a bin directory that is not on PATH (e.g. ~/.local/bin).
    cfn_lint="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')/cfn-lint"
    [ -x "$cfn_lint" ] || cfn_lint="$(python3 -m site --user-base)/bin/cfn-lint"
  else
    # Externally managed Python (PEP 668): use a private virtualenv instead.
    venv="${TMPDIR:-/tmp}/scrub62323-cfn-lint"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check cfn-lint
    cfn_lint="$venv/bin/cfn-lint"
  fi
fi

npx cdk synth --quiet --output cdk.out "$@"
"$cfn_lint" --ignore-checks W3005 W6001 -- cdk.out/*.template.json
echo "cfn-lint: no errors or warnings in $(ls cdk.out/*.template.json | tr '\n' ' ')"
