"""RFC 6901 JSON pointers (documents/json_pointer.py): written and read back."""

from __future__ import annotations

from conformance.documents.json_pointer import pointer_to, resolve


def test_a_pointer_written_for_keys_with_slash_and_tilde_reads_back_their_value() -> None:
    document = {"a/b": {"~c": [1, 2]}, "": "empty key"}
    assert pointer_to("a/b", "~c") == "/a~1b/~0c"
    assert resolve(document, pointer_to("a/b", "~c")) == [1, 2]
    assert pointer_to("") == "/"  # the empty key, not the whole document
    assert resolve(document, pointer_to("")) == "empty key"
    assert pointer_to() == ""
