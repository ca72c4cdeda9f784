"""How the suite talks to a target: the one HTTP client (limits, rate caps, redaction,
evidence), discovery of what the target publishes, generated requests, and the context every
check receives."""
