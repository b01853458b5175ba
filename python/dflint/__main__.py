"""``python -m dflint ARGS``: run the installed ``dflint`` binary with ARGS."""

from __future__ import annotations

import os
import subprocess
import sys

from dflint import find_dflint_bin


def main() -> None:
    try:
        binary = find_dflint_bin()
    except FileNotFoundError as err:
        print(f"dflint: {err}", file=sys.stderr)
        sys.exit(2)
    argv = [binary, *sys.argv[1:]]
    if sys.platform == "win32":
        # os.exec* on Windows starts a new process and returns at once, so
        # the caller would see this interpreter's exit status, not dflint's.
        sys.exit(subprocess.call(argv))
    # Replace this interpreter: signals, the exit status and stdin/stdout
    # all belong to dflint, with no Python process left in between.
    os.execv(binary, argv)


if __name__ == "__main__":
    main()
