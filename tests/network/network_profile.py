"""The network profile as the tests run it: load opted in."""

from __future__ import annotations

from functools import partial

import checks_support

from conformance.core.model import SafetyClass

LOAD = [SafetyClass.LOAD]

# run_network(target, only, allow=LOAD, profile="network"): the checks under the network profile,
# load opted in unless the call says otherwise
run_network = partial(checks_support.run, profile="network", allow=LOAD)
