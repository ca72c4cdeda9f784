"""Network interoperability (NET-*): TLS, certificates, mutual TLS, credentials, HTTP behaviour
and behaviour under load. One module per requirement family, with the level's helpers."""
