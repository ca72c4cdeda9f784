"""The bundled checks, one module per level; importing this package registers them."""

from conformance.checks import (
    business,
    business_async,
    business_cases,
    business_explore,
    business_signatures,
    data,
    data_documents,
    data_representations,
    data_requests,
    departmental,
    network,
)

__all__ = [
    "business",
    "business_async",
    "business_cases",
    "business_explore",
    "business_signatures",
    "data",
    "data_documents",
    "data_representations",
    "data_requests",
    "departmental",
    "network",
]
