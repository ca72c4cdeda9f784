"""Business interoperability (BUS-*): workflows, state machines, idempotency, correlation, the
suite as a peer agency, signatures. One module per requirement family, with the level's helpers."""
