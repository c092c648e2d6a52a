#!/bin/sh
# The benchmark's command-hook installer: `install PACKAGE` writes the wall
# time (seconds, nanosecond digits) to $HOOK_OUT/<version> and answers
# installed; `status RELEASE` answers installed once that file exists, else
# retry later (75). The package bytes were already checked by the agent.
: "${HOOK_OUT:?set HOOK_OUT to the directory that receives the stamps}"
mkdir -p "$HOOK_OUT"
case "$1" in
  install) date +%s.%N >"$HOOK_OUT/$CONVERGE_VERSION" ;;
  status) [ -e "$HOOK_OUT/$CONVERGE_VERSION" ] || exit 75 ;;
  *) echo "stamp_hook: unknown action '$1'" >&2; exit 2 ;;
esac
