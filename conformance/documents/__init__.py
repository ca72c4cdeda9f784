"""Readers of the documents agencies publish: OpenAPI, linksets, service levels, hardened XML,
Schematron, RDF, JSON values by path. They import nothing of the suite but each other."""
