# Shared by the staging-account scripts: find cli.py and its Python, and split the
# arguments into positionals (POSITIONAL) and cli.py flags (FLAGS), in any order.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [[ -x "$ROOT/.venv/bin/python" ]]; then
  PYTHON="$ROOT/.venv/bin/python"
else
  PYTHON="$(command -v python3)"
fi

FLAGS=()
POSITIONAL=()

# split_args "$@": flags that take a value (--scenario F, --api-url U, --format F) keep
# it; "--flag=value" and bare flags (--yes, --skip-validation, --demo …) pass as given.
split_args() {
  while (($#)); do
    case "$1" in
      -h | --help) usage; exit 0 ;;
      --scenario | --api-url | --format)
        if (($# < 2)); then echo "error: $1 needs a value" >&2; exit 2; fi
        FLAGS+=("$1" "$2"); shift 2 ;;
      --) shift; POSITIONAL+=("$@"); break ;;
      -) POSITIONAL+=("$1"); shift ;;  # "-": no external ID
      -*) FLAGS+=("$1"); shift ;;
      *) POSITIONAL+=("$1"); shift ;;
    esac
  done
}

need() {  # need N: at least N positional arguments, else usage and exit 2
  if ((${#POSITIONAL[@]} < $1)); then usage >&2; exit 2; fi
}

cli() {
  exec "$PYTHON" "$ROOT/cli.py" "$@"
}
