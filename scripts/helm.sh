#!/usr/bin/env bash
# Builds a pinned helm from the Go module proxy into bin/helm (only when
# bin/helm is missing or reports a different version) and prints its path.
# Usage: bash scripts/helm.sh   (may be run from anywhere; it works from the repo root)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

HELM_VERSION="${HELM_VERSION:-v3.22.0}"
HELM_BIN="$PWD/bin/helm"

current=""
if [ -x "$HELM_BIN" ]; then
	current="$("$HELM_BIN" version --template '{{.Version}}' 2>/dev/null || true)"
fi

if [ "$current" != "$HELM_VERSION" ]; then
	echo "building helm ${HELM_VERSION} into bin/ (this can take a few minutes)..." >&2
	mkdir -p bin
	# go install will not overwrite a file it did not build (e.g. a wrapper script).
	rm -f "$HELM_BIN"
	# The module proxy build has no ldflags, so stamp the version explicitly;
	# otherwise "helm version" would not report the pinned version.
	GOBIN="$PWD/bin" go install \
		-ldflags "-X helm.sh/helm/v3/internal/version.version=${HELM_VERSION} -X helm.sh/helm/v3/internal/version.metadata=" \
		"helm.sh/helm/v3/cmd/helm@${HELM_VERSION}"
	current="$("$HELM_BIN" version --template '{{.Version}}')"
	if [ "$current" != "$HELM_VERSION" ]; then
		echo "bin/helm reports ${current}, expected ${HELM_VERSION}" >&2
		exit 1
	fi
fi

echo "$HELM_BIN"
