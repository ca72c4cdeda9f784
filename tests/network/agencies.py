"""A reference agency whose server-side counts a network test reads."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

from reference_agency import ReferenceAgency

from conformance.inputs.target import Target
from conformance.reference import reference_target


@contextlib.contextmanager
def agency_target(faults: tuple[str, ...] = ()) -> Iterator[tuple[ReferenceAgency, Target]]:
    """A running reference agency and its Target (the agency is kept for server-side counts)."""
    with (
        tempfile.TemporaryDirectory(prefix="net-agency-") as tmp,
        ReferenceAgency(faults=faults, workdir=Path(tmp) / "agency") as agency,
    ):
        yield agency, reference_target(agency, Path(tmp) / "secret")
