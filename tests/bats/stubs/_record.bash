# shellcheck shell=bash source-path=SCRIPTDIR
# Sourced by every stub: append "name args..." to the call log, one line per call.
{
  printf '%s' "$(basename "$0")"
  printf ' %s' "$@"
  printf '\n'
} >>"$STUB_LOG"
