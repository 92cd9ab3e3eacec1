#!/bin/bash
# Fails when libs3inv.a exports a symbol outside the s3inv_ / s3i_ namespaces.
set -euo pipefail
lib=${1:?usage: check_symbols.sh libs3inv.a}
bad=$(nm -g --defined-only "$lib" 2>/dev/null | awk 'NF==3 {print $3}' | grep -v -E '^(s3inv_|s3i_)' || true)
if [ -n "$bad" ]; then
  echo "symbols outside the s3inv_/s3i_ namespaces:"; echo "$bad"; exit 1
fi
n=$(nm -g --defined-only "$lib" | awk 'NF==3' | wc -l)
echo "1 passed, 0 failed: $n exported symbols, all prefixed"
