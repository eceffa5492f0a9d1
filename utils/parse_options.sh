# parse_options.sh: Kaldi-style option parsing for recipe scripts; source it after setting defaults:
#   stage=0; use_gpu=false; help_message="Usage: $0 [options] <data>"
#   . utils/parse_options.sh || exit 1
# Then "--foo-bar value" or "--foo-bar=value" sets $foo_bar, which must already be set (an unknown
# option is an error); a variable holding true/false accepts only true/false. "--config f" files are
# sourced first (in order), so the command line overrides them. "--help" or "-h" prints $help_message
# and exits 0. Parsing stops at the first argument not starting with "--" (or after "--"); the options
# are shifted off the caller's positional parameters.

# Sources every --config file first.
__po_args=("$@")
for ((__po_i = 0; __po_i < ${#__po_args[@]}; __po_i++)); do
  case "${__po_args[$__po_i]}" in
    --) break ;;
    --config=*|--config)
      if [ "${__po_args[$__po_i]}" = --config ]; then
        __po_i=$((__po_i + 1)); __po_f=${__po_args[$__po_i]:-}
      else
        __po_f=${__po_args[$__po_i]#--config=}
      fi
      [ -f "$__po_f" ] || { echo "$0: config file '$__po_f' not found" >&2; exit 1; }
      . "$__po_f" || { echo "$0: error sourcing config file '$__po_f'" >&2; exit 1; } ;;
    --*) case "${__po_args[$__po_i]}" in *=*) ;; *) __po_i=$((__po_i + 1)) ;; esac ;;
    *) break ;;
  esac
done
unset __po_args __po_i __po_f

while true; do
  [ $# -eq 0 ] && break
  case "$1" in
    --help|-h)
      if [ -z "${help_message:-}" ]; then echo "$0: no help message available" >&2; else printf '%s\n' "$help_message" >&2; fi
      exit 0 ;;
    --) shift; break ;;
    --*=*) __po_name=${1%%=*}; __po_value=${1#*=}; shift ;;
    --*)
      [ $# -ge 2 ] || { echo "$0: option $1 needs a value" >&2; exit 1; }
      __po_name=$1; __po_value=$2; shift 2 ;;
    *) break ;;
  esac
  __po_var=${__po_name#--}; __po_var=${__po_var//-/_}
  if [ "$__po_var" = config ]; then continue; fi   # already sourced
  if ! [[ $__po_var =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || [ -z "${!__po_var+set}" ]; then
    echo "$0: invalid option $__po_name" >&2
    [ -n "${help_message:-}" ] && printf '%s\n' "$help_message" >&2
    exit 1
  fi
  __po_old=${!__po_var}
  if [ "$__po_old" = true ] || [ "$__po_old" = false ]; then
    if [ "$__po_value" != true ] && [ "$__po_value" != false ]; then
      echo "$0: expected \"true\" or \"false\" for $__po_name, got \"$__po_value\"" >&2
      exit 1
    fi
  fi
  printf -v "$__po_var" '%s' "$__po_value"
done
unset __po_name __po_value __po_var __po_old
true
