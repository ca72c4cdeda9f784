"""The bundled checks, one module per level; importing this package registers them."""

from conformance.checks import business, data, departmental, network

__all__ = ["business", "data", "departmental", "network"]
