"""Data interoperability (DATA-*): payloads against their schemas, XML with XSD and Schematron,
code lists, identifiers, formats, encodings and RDF shapes. One module per requirement family."""
