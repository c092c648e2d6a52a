#!/bin/sh
# A command-hook installer for demos and end-to-end tests (the platform's
# installer stand-in): `install PACKAGE` keeps a copy as $HOOK_OUT/<version>
# and records the version as current; `status RELEASE` answers installed (0)
# when that version is current, else retry later (75). See agent/command_installer.hpp.
: "${HOOK_OUT:?set HOOK_OUT to the directory that receives the packages}"
mkdir -p "$HOOK_OUT"
case "$1" in
  install) cp "$2" "$HOOK_OUT/$CONVERGE_VERSION" && echo "$CONVERGE_VERSION" >"$HOOK_OUT/current" ;;
  status) [ "$(cat "$HOOK_OUT/current" 2>/dev/null)" = "$CONVERGE_VERSION" ] || exit 75 ;;
  *) echo "keep_package_hook: unknown action '$1'" >&2; exit 2 ;;
esac
