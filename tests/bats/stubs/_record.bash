# shellcheck shell=bash source-path=SCRIPTDIR
# Sourced by every stub: append "name args..." to the call log, one line per call. Stubs run
# hundreds of times a test run, so this file and the stubs use bash's own expansions (${0##*/},
# $(<file)) instead of starting basename, dirname or cat.
{
  printf '%s' "${0##*/}"
  printf ' %s' "$@"
  printf '\n'
} >>"$STUB_LOG"

# The state file $1 (without its last newline), or $2 where there is none: in $REPLY.
state() {
  REPLY=$2
  [[ ! -e $STUB_STATE/$1 ]] || REPLY=$(<"$STUB_STATE/$1")
}
