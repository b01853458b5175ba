"""Locate the ``dflint`` binary that this package's wheel installed.

The wheel carries the compiled binary in the environment's scripts
directory (``bin/`` or ``Scripts\\``); this module only finds it, so that
``python -m dflint`` and other Python code can run it.
"""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig

__all__ = ["find_dflint_bin"]


def _scripts_dirs() -> list[str]:
    """Where pip puts scripts for this interpreter: the active scheme first
    (a venv or a system install), then the per-user scheme (``--user``)."""
    dirs = [sysconfig.get_path("scripts")]
    user_scheme = "nt_user" if os.name == "nt" else "posix_user"
    if sys.platform == "darwin" and "osx_framework_user" in sysconfig.get_scheme_names():
        user_scheme = "osx_framework_user"
    try:
        dirs.append(sysconfig.get_path("scripts", scheme=user_scheme))
    except KeyError:
        pass
    return [d for d in dirs if d]


def find_dflint_bin() -> str:
    """The path of the ``dflint`` executable.

    The scripts directories of this interpreter come before PATH, so that
    ``python -m dflint`` runs the binary of the same install as this
    package, not another ``dflint`` that happens to be earlier on PATH.
    """
    exe = "dflint" + (sysconfig.get_config_var("EXE") or "")
    for directory in _scripts_dirs():
        candidate = os.path.join(directory, exe)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which(exe)
    if found:
        return found
    raise FileNotFoundError(
        "the dflint binary was not found in "
        + ", ".join(_scripts_dirs())
        + " nor on PATH; reinstall the package (pip install --force-reinstall dflint)"
    )
