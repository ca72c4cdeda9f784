"""Departmental interoperability (DEP-*): what a department publishes about its services, and
whether it honours it. One module per requirement family, with the level's helpers beside them."""
