"""What users give the suite: profiles, target files, secrets and fleets (YAML, with file and
line in every error)."""
