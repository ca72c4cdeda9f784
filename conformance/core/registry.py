"""The check registry: one way to declare the check for a requirement.

    @check("NET-HSTS-01")
    def hsts(ctx: CheckContext) -> str:
        ...                      # raise NonConformance to fail; return a one-line pass message

A check is keyed by its requirement ID; an ID the catalogue does not know, or a second check for
the same ID, is refused when the check is declared.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Callable
from typing import TYPE_CHECKING

from conformance.core.catalogue import load_catalogue
from conformance.core.errors import RegistryError, did_you_mean

if TYPE_CHECKING:
    from conformance.client.context import CheckContext

CheckFunction = Callable[["CheckContext"], str]

_REGISTRY: dict[str, CheckFunction] = {}


def check(requirement_id: str) -> Callable[[CheckFunction], CheckFunction]:
    """Declare `fn` as the check that decides `requirement_id`."""
    catalogue = load_catalogue()
    if requirement_id not in catalogue:
        hint = did_you_mean(requirement_id, catalogue)
        raise RegistryError(f"check for unknown requirement {requirement_id!r}{hint}")

    def register(fn: CheckFunction) -> CheckFunction:
        existing = _REGISTRY.get(requirement_id)
        if existing is not None and existing is not fn:
            raise RegistryError(
                f"{requirement_id} already has a check: {existing.__module__}.{existing.__name__}"
            )
        _REGISTRY[requirement_id] = fn
        return fn

    return register


#: the packages whose modules hold the bundled checks, one per interoperability level
BUNDLED_LEVELS = (
    "conformance.departmental",
    "conformance.network",
    "conformance.data",
    "conformance.business",
)


@functools.cache
def load_bundled_checks() -> None:
    """Import every module of the level packages: each registers the checks it declares.

    Found by walking the packages, so a check registers because it exists, not because some
    other module happens to import it. Done once per process: a walk reads the file system.
    """
    for package_name in BUNDLED_LEVELS:
        package = importlib.import_module(package_name)
        for module in pkgutil.walk_packages(package.__path__, package_name + "."):
            importlib.import_module(module.name)


def registered_checks() -> dict[str, CheckFunction]:
    """Every declared check by requirement ID (importing the bundled check modules first)."""
    load_bundled_checks()
    return dict(_REGISTRY)
