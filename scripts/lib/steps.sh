# Sourced by ./flashsale and every script under scripts/: no silent exit. Under `set -e` a failing
# command ends a script without a word (the fresh-clone `./flashsale up` once exited 2 this way),
# so an ERR trap says which step failed, the command, its exit status, and where to look.
#
#   step "what happens now" ["where to see more"]   announce a step (printed with the elapsed time)
#
# The caller sets STEP_TAG (e.g. flashsale, services) before sourcing.
set -Eeuo pipefail

STEP="start-up"
STEP_MORE=""

step() {
  STEP="$1"
  STEP_MORE="${2:-}"
  printf '\033[1m[%s]\033[0m %s ... %ss\n' "${STEP_TAG:-flashsale}" "$1" "$SECONDS"
}

# Report once, in the shell that owns the script, not again in each subshell it failed through.
report_failure() {
  local rc="$1" cmd="$2" line="$3" src="$4"
  [[ "${BASHPID:-$$}" == "$$" ]] || return 0
  {
    printf '[%s] FAILED: %s (exit %s)\n' "${STEP_TAG:-flashsale}" "$STEP" "$rc"
    printf '[%s]   command: %s   (%s:%s)\n' "${STEP_TAG:-flashsale}" "$cmd" "${src#"${ROOT:-}/"}" "$line"
    if [[ -n "$STEP_MORE" ]]; then printf '[%s]   to see more: %s\n' "${STEP_TAG:-flashsale}" "$STEP_MORE"; fi
  } >&2
}
trap 'report_failure "$?" "$BASH_COMMAND" "$LINENO" "${BASH_SOURCE[0]:-$0}"' ERR
