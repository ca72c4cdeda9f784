"""A small Arazzo 1.0 workflow executor on the suite's own HTTP client.

`loader` reads and validates a workflow document (YAML, with line numbers for errors),
`expressions` evaluates runtime expressions and simple criteria, `runner` executes workflows
step by step through :class:`conformance.client.http.HttpClient`, so every request obeys the
target's safety policy and is recorded as evidence.
"""

from conformance.business.arazzo.loader import load_arazzo
from conformance.business.arazzo.model import ArazzoDocument
from conformance.business.arazzo.runner import StepRecord, WorkflowFailed, WorkflowRunner

__all__ = ["ArazzoDocument", "StepRecord", "WorkflowFailed", "WorkflowRunner", "load_arazzo"]
