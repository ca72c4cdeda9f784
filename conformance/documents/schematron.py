"""ISO Schematron (ISO/IEC 19757-3) in both query bindings, with located findings.

`xslt` (XPath 1.0) is compiled by lxml's ISO skeleton and run by libxslt; `xslt2`/`xslt3`
(XPath 2.0/3.x, e.g. EN 16931) is compiled here to an XSLT 3.0 stylesheet that emits SVRL and
run by Saxon (saxonche). Either way the stylesheet runs with file and network access denied:
a rule set fetched from an agency must not read local files into a report. Documents are
parsed hardened (see `xmlsafe`) before any stylesheet sees them.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from typing import Any, Protocol

from lxml import etree, isoschematron

from conformance.documents import xmlsafe

SCH = "http://purl.oclc.org/dsdl/schematron"
SVRL = "http://purl.oclc.org/dsdl/svrl"
XSL = "http://www.w3.org/1999/XSL/Transform"
XSD = "http://www.w3.org/2001/XMLSchema"
XSLT1_BINDINGS = frozenset({"xslt", "xslt1", "xpath", "exslt"})
XSLT2_BINDINGS = frozenset({"xslt2", "xslt3", "xpath2", "xpath3", "xpath31"})
_UNSUPPORTED = ("include", "extends")
_FAILED_ASSERT = f"{{{SVRL}}}failed-assert"
_SUCCESSFUL_REPORT = f"{{{SVRL}}}successful-report"
_STEP = re.compile(
    r"Q\{(?P<uri>[^}]*)\}(?P<local>[^/\[]+)\[(?P<pos>\d+)\]"
    r"|@Q\{(?P<auri>[^}]*)\}(?P<alocal>[^/]+)"
    r"|(?P<other>[^/]+)"
)
# SVRL location steps naming an element (lxml's skeleton, then XPath 3 path()) or an attribute
_ELEMENT_STEP = re.compile(
    r"\*\[local-name\(\)='(?P<local>[^'/*]+)' and namespace-uri\(\)='(?P<uri>[^'{}]*)'\]"
    r"(?:\[(?P<pos>[1-9][0-9]*)\])?"
    r"|Q\{(?P<quri>[^{}]*)\}(?P<qlocal>[^/\[\]{}@*]+)\[(?P<qpos>[1-9][0-9]*)\]"
)
_ATTRIBUTE_STEP = re.compile(
    r"@\*\[local-name\(\)='(?P<local>[^'/*]+)' and namespace-uri\(\)='(?P<uri>[^'{}]*)'\]"
    r"|@Q\{(?P<quri>[^{}]*)\}(?P<qlocal>[^/\[\]{}@*]+)"
    r"|@(?P<plain>[^/\[\]{}@:*()]+)"
)


class SchematronError(ValueError):
    """The rule set cannot be used (unknown query binding, unsupported construct, bad XPath)."""


@dataclass(frozen=True, slots=True)
class Finding:
    """A failed assert or a successful report, located by XPath and (where found) line."""

    rule_id: str
    kind: str  # "failed-assert" or "successful-report"
    flag: str
    location: str
    line: int | None
    test: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        """The evidence form."""
        return {
            "id": self.rule_id,
            "finding": self.kind,
            "flag": self.flag,
            "location": self.location,
            "line": self.line,
            "test": self.test,
            "message": self.message,
        }


class Schematron:
    """A compiled rule set; `validate(tree)` lists every finding on a hardened-parsed tree."""

    def __init__(self, schema: Any, *, phase: str | None = None) -> None:
        root = schema.getroot() if hasattr(schema, "getroot") else schema
        if root.tag != f"{{{SCH}}}schema":
            raise SchematronError(f"the root element is {root.tag}, expected sch:schema ({SCH})")
        for name in _UNSUPPORTED:
            if root.find(f".//{{{SCH}}}{name}") is not None:
                raise SchematronError(
                    f"sch:{name} is not supported: give a self-contained (preprocessed) rule set"
                )
        self.binding = (root.get("queryBinding") or "xslt").lower()
        self.title = (root.findtext(f"{{{SCH}}}title") or "").strip()
        if self.binding in XSLT1_BINDINGS:
            self._runner: _Runner = _LxmlRunner(root, phase)
        elif self.binding in XSLT2_BINDINGS:
            self._runner = _SaxonRunner(root, phase)
        else:
            raise SchematronError(
                f"queryBinding {self.binding!r} is not supported (expected xslt, xslt2 or xslt3)"
            )

    def validate(self, tree: Any) -> list[Finding]:
        """Every failed assert and successful report of `tree`, in document order of output."""
        svrl = self._runner.run(tree)
        found = []
        for node in svrl.iter(_FAILED_ASSERT, _SUCCESSFUL_REPORT):
            location = node.get("location") or ""
            found.append(
                Finding(
                    rule_id=node.get("id") or "",
                    kind="failed-assert" if node.tag == _FAILED_ASSERT else "successful-report",
                    flag=node.get("flag") or node.get("role") or "",
                    location=location,
                    line=_line_of(tree, location),
                    test=node.get("test") or "",
                    message=" ".join(_text_content(node).split()),
                )
            )
        return found


def load(data: bytes, *, base_url: str | None = None, phase: str | None = None) -> Schematron:
    """Compile a Schematron document given as bytes (parsed hardened)."""
    try:
        tree = xmlsafe.parse(data, base_url=base_url)
    except (xmlsafe.UnsafeXml, xmlsafe.MalformedXml) as exc:
        raise SchematronError(f"the Schematron document is unusable: {exc}") from None
    return Schematron(tree, phase=phase)


class _Runner(Protocol):
    def run(self, tree: Any) -> Any:
        """The SVRL output (an lxml element) of the compiled rules on `tree`."""


class _LxmlRunner:
    """XPath 1.0 binding: lxml's ISO skeleton compiles; libxslt runs with access denied."""

    def __init__(self, root: Any, phase: str | None) -> None:
        try:
            compiled = isoschematron.Schematron(
                root, include=False, expand=True, phase=phase, store_xslt=True
            )
        except (etree.SchematronParseError, etree.XSLTApplyError) as exc:
            raise SchematronError(f"the XSLT 1 rule set does not compile: {exc}") from None
        self._xslt = etree.XSLT(
            compiled.validator_xslt, access_control=etree.XSLTAccessControl.DENY_ALL
        )

    def run(self, tree: Any) -> Any:
        try:
            return self._xslt(tree).getroot()
        except etree.XSLTApplyError as exc:  # a rule's XPath failed, or tried to read a URI
            raise SchematronError(f"a rule could not be evaluated: {exc}") from None


class _SaxonRunner:
    """XPath 2.0/3.x binding: compiled here to XSLT 3.0, run by Saxon with no URI access."""

    _processor: Any = None
    _lock = threading.Lock()

    def __init__(self, root: Any, phase: str | None) -> None:
        stylesheet = etree.tostring(compile_xslt3(root, phase), encoding="unicode")
        with self._lock:
            processor = self._shared_processor()
            try:
                self._executable = processor.new_xslt30_processor().compile_stylesheet(
                    stylesheet_text=stylesheet
                )
            except Exception as exc:  # saxonche raises PySaxonApiError, a plain Exception
                raise SchematronError(f"the XSLT 2/3 rule set does not compile: {exc}") from None
            if self._executable is None:
                raise SchematronError("the XSLT 2/3 rule set does not compile")

    @classmethod
    def _shared_processor(cls) -> Any:
        if cls._processor is None:
            import saxonche  # type: ignore[import-not-found]  # ships no type information

            processor = saxonche.PySaxonProcessor(license=False)
            processor.set_configuration_property("http://saxon.sf.net/feature/allowedProtocols", "")
            cls._processor = processor
        return cls._processor

    def run(self, tree: Any) -> Any:
        text = etree.tostring(tree, encoding="unicode")
        with self._lock:
            try:
                document = self._processor.parse_xml(xml_text=text)
                output = self._executable.transform_to_string(xdm_node=document)
            except Exception as exc:  # a dynamic XPath error of a rule
                raise SchematronError(f"a rule could not be evaluated: {exc}") from None
        return etree.fromstring(output.encode("utf-8"), xmlsafe.shared_parser())


def compile_xslt3(root: Any, phase: str | None = None) -> Any:
    """The XSLT 3.0 stylesheet (an lxml element) that emits SVRL for the rule set `root`."""
    nsmap: dict[str | None, str] = {"xsl": XSL, "svrl": SVRL, "xs": XSD}
    for ns in root.iterchildren(f"{{{SCH}}}ns"):
        nsmap[ns.get("prefix")] = ns.get("uri")
    sheet = etree.Element(f"{{{XSL}}}stylesheet", nsmap=nsmap)
    sheet.set("version", "3.0")
    sheet.set("exclude-result-prefixes", "#all")
    etree.SubElement(sheet, f"{{{XSL}}}output", method="xml", indent="no")
    for child in root:
        if not isinstance(child.tag, str) or etree.QName(child).namespace != XSL:
            continue
        if etree.QName(child).localname not in {"key", "function"}:  # never import/include
            raise SchematronError(
                f"xsl:{etree.QName(child).localname} is not allowed in a rule set"
            )
        sheet.append(_copy(child))
    _variables(sheet, root)
    patterns = _active_patterns(root, phase)
    main = etree.SubElement(sheet, f"{{{XSL}}}template", match="/")
    output = etree.SubElement(main, f"{{{SVRL}}}schematron-output")
    for number, pattern in enumerate(patterns):
        mode = f"M{number}"
        etree.SubElement(output, f"{{{XSL}}}apply-templates", select="/", mode=mode)
        _variables(sheet, pattern)
        _pattern_templates(sheet, pattern, mode)
    return sheet


def _active_patterns(root: Any, phase: str | None) -> list[Any]:
    patterns = list(root.iterchildren(f"{{{SCH}}}pattern"))
    for pattern in patterns:
        if pattern.get("abstract") == "true" or pattern.get("is-a"):
            raise SchematronError("abstract patterns are not supported: preprocess the rule set")
    chosen = phase or root.get("defaultPhase") or "#ALL"
    if chosen in {"#ALL", "#DEFAULT"}:
        return patterns
    for element in root.iterchildren(f"{{{SCH}}}phase"):
        if element.get("id") == chosen:
            active = {a.get("pattern") for a in element.iterchildren(f"{{{SCH}}}active")}
            return [p for p in patterns if p.get("id") in active]
    raise SchematronError(f"the rule set has no phase {chosen!r}")


def _variables(sheet: Any, parent: Any) -> None:
    for let in parent.iterchildren(f"{{{SCH}}}let"):
        etree.SubElement(sheet, f"{{{XSL}}}variable", name=let.get("name"), select=_let(let))


def _let(let: Any) -> str:
    value = let.get("value")
    if value is None:
        raise SchematronError(f"sch:let {let.get('name')!r} has no value attribute")
    return str(value)


def _pattern_templates(sheet: Any, pattern: Any, mode: str) -> None:
    rules = list(pattern.iterchildren(f"{{{SCH}}}rule"))
    for number, rule in enumerate(rules):
        if rule.get("abstract") == "true":
            raise SchematronError("abstract rules are not supported: preprocess the rule set")
        template = etree.SubElement(
            sheet,
            f"{{{XSL}}}template",
            match=rule.get("context"),
            priority=str(1000 + len(rules) - number),
            mode=mode,
        )
        for let in rule.iterchildren(f"{{{SCH}}}let"):
            etree.SubElement(template, f"{{{XSL}}}variable", name=let.get("name"), select=_let(let))
        for test in rule.iterchildren(f"{{{SCH}}}assert", f"{{{SCH}}}report"):
            _test(template, test)
        etree.SubElement(template, f"{{{XSL}}}apply-templates", select="@*|*", mode=mode)
    etree.SubElement(sheet, f"{{{XSL}}}template", match="text()", priority="-1", mode=mode)
    fallback = etree.SubElement(
        sheet, f"{{{XSL}}}template", match="document-node()|@*|node()", priority="-2", mode=mode
    )
    etree.SubElement(fallback, f"{{{XSL}}}apply-templates", select="@*|*", mode=mode)


def _test(template: Any, test: Any) -> None:
    is_assert = etree.QName(test).localname == "assert"
    condition = etree.SubElement(template, f"{{{XSL}}}if")
    condition.set("test", f"not({test.get('test')})" if is_assert else str(test.get("test")))
    tag = "failed-assert" if is_assert else "successful-report"
    out = etree.SubElement(condition, f"{{{SVRL}}}{tag}")
    for name in ("id", "flag", "role"):
        if test.get(name) is not None:
            out.set(name, _literal_avt(test.get(name)))
    out.set("test", _literal_avt(test.get("test")))
    out.set("location", "{path()}")
    text = etree.SubElement(out, f"{{{SVRL}}}text")
    _message(text, test)


def _message(target: Any, source: Any) -> None:
    """Copy assertion text, turning sch:value-of and sch:name into their XSLT equivalents."""
    _append_text(target, source.text)
    for child in source:
        if not isinstance(child.tag, str):  # a comment or processing instruction: no text
            _append_text(target, child.tail)
            continue
        name = etree.QName(child).localname if etree.QName(child).namespace == SCH else None
        if name == "value-of":
            etree.SubElement(target, f"{{{XSL}}}value-of", select=child.get("select"))
        elif name == "name":
            path = child.get("path") or "."
            etree.SubElement(target, f"{{{XSL}}}value-of", select=f"name({path})")
        else:
            _message(target, child)  # sch:emph, sch:dir, sch:span: their text
        _append_text(target, child.tail)


def _append_text(target: Any, text: str | None) -> None:
    if not text:
        return
    if len(target):
        target[-1].tail = (target[-1].tail or "") + text
    else:
        target.text = (target.text or "") + text


def _literal_avt(value: str) -> str:
    return value.replace("{", "{{").replace("}", "}}")


def _copy(element: Any) -> Any:
    return etree.fromstring(etree.tostring(element))


def lxml_xpath(location: str) -> str:
    """An XPath 1.0 equivalent of an XPath 3 `path()` result (EQName steps), for lxml."""
    if not location.startswith("/") or "Q{" not in location:
        return location
    steps = []
    for match in _STEP.finditer(location):
        if match.group("local") is not None:
            steps.append(
                f"*[local-name()='{match.group('local')}' and "
                f"namespace-uri()='{match.group('uri')}'][{match.group('pos')}]"
            )
        elif match.group("alocal") is not None:
            steps.append(
                f"@*[local-name()='{match.group('alocal')}' and "
                f"namespace-uri()='{match.group('auri')}']"
            )
        else:
            steps.append(match.group("other"))
    return "/" + "/".join(steps)


def _text_content(node: Any) -> str:
    """All descendant text of `node` (not its tail), as `"".join(node.itertext())` but in C."""
    return str(etree.tostring(node, method="text", encoding="unicode", with_tail=False))


_ElementPath = tuple[tuple[tuple[str, int | None], ...], str | None]


@lru_cache(maxsize=1024)
def _element_path(location: str) -> _ElementPath | None:
    """A location made only of element steps and maybe a last attribute step, as lxml tags.

    Each step is (tag, 1-based position among the same-named children, or None for all of
    them), the attribute a tag or None; None when the location has any other kind of step.
    """
    if not location.startswith("/"):
        return None
    *names, last = location[1:].split("/")
    attribute = None
    match = _ATTRIBUTE_STEP.fullmatch(last)
    if match is not None:
        uri = match["uri"] if match["local"] is not None else match["quri"] or ""
        local = match["local"] or match["qlocal"] or match["plain"]
        attribute = f"{{{uri}}}{local}" if uri else local
    else:
        names.append(last)
    steps = []
    for name in names:
        if (step := _ELEMENT_STEP.fullmatch(name)) is None:
            return None
        uri, local = (
            (step["uri"], step["local"]) if step["local"] else (step["quri"], step["qlocal"])
        )
        position = step["pos"] or step["qpos"]
        steps.append((f"{{{uri}}}{local}" if uri else local, int(position) if position else None))
    return (tuple(steps), attribute) if steps else None


def _first_match(
    elements: Iterator[Any], steps: tuple[tuple[str, int | None], ...], attribute: str | None
) -> Any:
    """The first element, in document order, that `steps` select; `elements` match steps[0].

    What the location as an XPath would select first: a step with a position keeps the one
    same-named element there, a step without tries each in turn.
    """
    position = steps[0][1]
    for element in elements if position is None else islice(elements, position - 1, position):
        if len(steps) > 1:
            found = _first_match(element.iterchildren(steps[1][0]), steps[1:], attribute)
            if found is not None:
                return found
        elif attribute is None or element.get(attribute) is not None:
            return element
    return None


@lru_cache(maxsize=1024)
def _compiled_xpath(location: str) -> etree.XPath:
    """Compiled once: the same few locations recur over every document of a resource.

    Without the EXSLT regular-expression functions (a location path never calls them), which
    lxml would otherwise register anew on every evaluation.
    """
    return etree.XPath(lxml_xpath(location), regexp=False)


def _line_of(tree: Any, location: str) -> int | None:
    """The source line of the node an SVRL location names (its element's, for an attribute).

    Element and attribute steps (nearly every location) are followed down the tree directly;
    anything else is evaluated as an XPath, which costs several times more.
    """
    if not location:
        return None
    path = _element_path(location)
    if path is not None:
        try:
            root = tree.getroot()
        except AttributeError:  # an element, not a tree: the location starts from its document
            root = tree.getroottree().getroot()
        steps, attribute = path
        element = _first_match(iter((root,) if root.tag == steps[0][0] else ()), steps, attribute)
        return None if element is None else element.sourceline
    try:
        nodes = _compiled_xpath(location)(tree)
    except etree.XPathError:
        return None
    if not isinstance(nodes, list) or not nodes:
        return None
    node = nodes[0]
    element = node if hasattr(node, "sourceline") else getattr(node, "getparent", lambda: None)()
    line = getattr(element, "sourceline", None)
    return int(line) if line is not None else None
