"""The fast path that turns an SVRL location into a source line agrees with XPath.

`schematron._line_of` walks the tree itself for locations made of element steps (and a last
attribute step), in both location forms (lxml's skeleton and XPath 3 `path()`); anything else
is evaluated as an XPath. Both must name the same node for every tree and location.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from conformance.documents import schematron

NAMESPACES = ["", "urn:a", "urn:b"]
NAMES = ["a", "b", "c"]
ATTRIBUTES = [("", "k"), ("", "m"), ("urn:a", "k")]


def tag(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}" if namespace else name


@st.composite
def trees(draw: st.DrawFn) -> Any:
    """A small document of namespaced elements with attributes, one element per line."""
    root = etree.Element(
        tag(draw(st.sampled_from(NAMESPACES)), draw(st.sampled_from(NAMES))),
        nsmap={"p": "urn:a", "q": "urn:b"},
    )
    nodes = [root]
    for _ in range(draw(st.integers(0, 20))):
        parent = draw(st.sampled_from(nodes))
        child = etree.SubElement(
            parent, tag(draw(st.sampled_from(NAMESPACES)), draw(st.sampled_from(NAMES)))
        )
        for namespace, name in ATTRIBUTES:
            if draw(st.booleans()):
                child.set(tag(namespace, name), "1")
        nodes.append(child)
    return etree.fromstring(etree.tostring(root, pretty_print=True)).getroottree()


@st.composite
def locations(draw: st.DrawFn) -> str:
    """An SVRL location in either form, with positions that may or may not exist."""
    skeleton = draw(st.booleans())
    steps = []
    for _ in range(draw(st.integers(1, 4))):
        namespace, name = draw(st.sampled_from(NAMESPACES)), draw(st.sampled_from(NAMES))
        if skeleton:
            position = draw(st.sampled_from([None, 1, 2, 3]))
            steps.append(
                f"*[local-name()='{name}' and namespace-uri()='{namespace}']"
                + (f"[{position}]" if position else "")
            )
        else:
            steps.append(f"Q{{{namespace}}}{name}[{draw(st.integers(1, 3))}]")
    if draw(st.booleans()):
        namespace, name = draw(st.sampled_from(ATTRIBUTES))
        if skeleton:
            steps.append(f"@*[local-name()='{name}' and namespace-uri()='{namespace}']")
        else:
            steps.append(f"@Q{{{namespace}}}{name}" if namespace else f"@{name}")
    return "/" + "/".join(steps)


def line_by_xpath(tree: Any, location: str) -> int | None:
    """The line of the first node the location selects, evaluated by libxml2's XPath."""
    nodes = schematron._compiled_xpath(location)(tree)
    if not nodes:
        return None
    node = nodes[0]
    element = node if hasattr(node, "sourceline") else node.getparent()
    return element.sourceline


@settings(max_examples=400)
@given(trees(), locations())
def test_fast_path_names_the_same_line_as_xpath(tree, location):
    assert schematron._element_path(location) is not None  # these are all fast-path locations
    assert schematron._line_of(tree, location) == line_by_xpath(tree, location)


@settings(max_examples=200)
@given(trees(), locations(), st.data())
def test_from_an_element_the_location_starts_at_its_document(tree, location, data):
    element = data.draw(st.sampled_from(list(tree.getroot().iter())))
    assert schematron._line_of(element, location) == line_by_xpath(tree, location)


def test_other_steps_still_go_through_xpath():
    tree = etree.fromstring(b"<a>\n<b>text</b>\n</a>").getroottree()
    assert schematron._element_path("/*[local-name()='a' and namespace-uri()='']/b/text()") is None
    assert schematron._line_of(tree, "/a/b/text()") == 2
