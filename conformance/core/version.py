"""The suite's version: the one place it is written (pyproject.toml reads it from here)."""

__version__ = "0.1.0"
#: where the suite is published (pyproject.toml's project.urls, the GitHub Action's `uses:`)
HOMEPAGE = "https://github.com/interop-conformance/interop-conformance"
