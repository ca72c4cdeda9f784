"""The core: errors, the report model, the requirement catalogue, the check registry, the input
declarations and the verdict summary. It imports nothing else of the package."""
