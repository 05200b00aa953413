"""The candidate's project modules as the hidden tests import them, in the trusted process.

A multi-file project's hidden tests say `from features import clean` as a user of the code
would. The files never reach this process: the grader kernel imports them from its working
directory (`grader_agent.Agent._import`) and the load reply carries each module's names as
values or remote handles. `ProjectModules`, last on `sys.meta_path`, hands those out as modules.

Last, and only for names nothing here can import: a candidate file called `json.py`,
`pytest.py`, `numpy.py` or `server/scenarios/remote.py` shadows that module in the candidate's
own kernel (their problem) and never here, where `import json` in a test, or this process's own
`server.scenarios.remote`, is always the real one (`servable` leaves such names out, so the
kernel is not even asked for them).
"""

from __future__ import annotations

import importlib.abc
import importlib.util
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any


def servable(names: Sequence[str]) -> list[str]:
    """The project's module names whose top-level package this process cannot already import."""

    def taken(top: str) -> bool:
        try:
            return importlib.util.find_spec(top) is not None
        except (ImportError, ValueError):  # a module without a spec (`__main__`): taken
            return True

    return [name for name in names if not taken(name.split(".")[0])]


class ProjectModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """A meta path finder and loader for the modules of one grading's project."""

    def __init__(self, modules: dict[str, dict[str, Any] | BaseException]) -> None:
        self._modules = modules
        self._packages = {
            ".".join(name.split(".")[:i]) for name in modules for i in range(1, name.count(".") + 1)
        }

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
        if fullname not in self._modules and fullname not in self._packages:
            return None
        return ModuleSpec(fullname, self, is_package=fullname in self._packages)

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return None  # the default module object

    def exec_module(self, module: ModuleType) -> None:
        found = self._modules.get(module.__name__, {})
        if isinstance(found, BaseException):  # importing it failed in the kernel
            raise found.with_traceback(None)
        module.__dict__.update(found)
