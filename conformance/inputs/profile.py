"""Profiles: YAML files that select requirements, set parameters, name inputs and the rule.

Profiles compose with `extends:` (a bundled profile name or a path relative to the file). Every
mistake is a ProfileError naming the file, the line and the field.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from conformance.core.catalogue import Catalogue, load_catalogue
from conformance.core.errors import ProfileError, did_you_mean
from conformance.core.inputs import InputProblem, check_inputs
from conformance.core.model import SafetyClass
from conformance.inputs.waivers import Waiver, parse_waiver
from conformance.inputs.yamlsource import YamlDocument, load_yaml

BUNDLED = ("departmental", "network", "data", "business", "full")
_PROFILE_SCHEMA = json.loads(
    resources.files("conformance.resources").joinpath("profile.schema.json").read_text("utf-8")
)
_TOP_KEYS = tuple(_PROFILE_SCHEMA["properties"])


@dataclass(frozen=True)
class Profile:
    """A resolved profile: its own settings merged over those of every profile it extends."""

    name: str
    source: str
    requirements: tuple[str, ...]
    parameters: dict[str, dict[str, Any]]
    inputs: dict[str, Any]
    base_dir: Path
    description: str = ""
    allow: frozenset[SafetyClass] = frozenset({SafetyClass.READ})
    max_rps: float | None = None
    not_implemented: str = "ignore"
    #: known failures the profile accepts until a date (conformance/inputs/waivers.py)
    waivers: tuple[Waiver, ...] = ()
    digest: str = field(default="")

    def params_for(self, requirement_id: str) -> dict[str, Any]:
        """The effective parameters of one requirement (defaults, then the profile's values)."""
        return dict(self.parameters.get(requirement_id, {}))


def bundled_profiles_dir() -> Path:
    """Where the bundled profiles are: inside the installed package, or the source checkout."""
    installed = Path(__file__).resolve().parents[1] / "bundled_profiles"
    return installed if installed.is_dir() else Path(__file__).resolve().parents[2] / "profiles"


def resolve_profile_path(spec: str, relative_to: Path | None = None) -> Path:
    """A bundled profile name or a path to a profile file."""
    if spec in BUNDLED:
        return bundled_profiles_dir() / f"{spec}.yaml"
    path = Path(spec)
    if relative_to is not None and not path.is_absolute():
        path = relative_to / path
    if not path.is_file():
        hint = did_you_mean(spec, BUNDLED)
        raise ProfileError(
            spec,
            None,
            "profile",
            f"neither a bundled profile ({', '.join(BUNDLED)}) nor a file{hint}",
        )
    return path


def _error(doc: YamlDocument, path: tuple[str | int, ...], problem: str) -> ProfileError:
    return ProfileError(doc.file, doc.line(*path), ".".join(map(str, path)) or "profile", problem)


def _validate_shape(doc: YamlDocument) -> dict[str, Any]:
    data = doc.data
    if not isinstance(data, dict):
        raise _error(doc, (), "a profile is a YAML mapping")
    for key in data:
        if key not in _TOP_KEYS:
            raise _error(doc, (str(key),), f"unknown key{did_you_mean(str(key), _TOP_KEYS)}")
    errors = sorted(
        jsonschema.Draft202012Validator(_PROFILE_SCHEMA).iter_errors(data),
        key=lambda e: list(map(str, e.absolute_path)),
    )
    if errors:
        err = errors[0]
        where = tuple(err.absolute_path)
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            known = list(err.schema.get("properties") or {})
            for key in err.instance:
                if key not in known:  # name the key itself, with the closest known one
                    hint = did_you_mean(str(key), known)
                    raise _error(doc, (*where, str(key)), f"unknown key{hint}")
        raise _error(doc, where, err.message)
    return data


def _select(doc: YamlDocument, key: str, patterns: list[str], catalogue: Catalogue) -> list[str]:
    chosen: list[str] = []
    for i, pattern in enumerate(patterns):
        matched = [rid for rid in catalogue if fnmatch.fnmatchcase(rid, pattern)]
        if not matched:
            hint = did_you_mean(pattern, catalogue)
            raise _error(doc, (key, i), f"{pattern!r} matches no requirement{hint}")
        chosen.extend(matched)
    return chosen


def _check_parameters(doc: YamlDocument, raw: dict[str, Any], catalogue: Catalogue) -> None:
    for rid, values in raw.items():
        if rid not in catalogue:
            raise _error(
                doc, ("parameters", rid), f"unknown requirement{did_you_mean(rid, catalogue)}"
            )
        defaults = catalogue[rid].defaults()
        for name, value in values.items():
            if name not in defaults:
                known = ", ".join(defaults) or "none"
                hint = did_you_mean(name, defaults)
                raise _error(
                    doc, ("parameters", rid, name), f"unknown parameter{hint}; {rid} has: {known}"
                )
            expected = type(defaults[name])
            ok = isinstance(value, expected) or (expected is float and isinstance(value, int))
            if not ok or isinstance(value, bool) != isinstance(defaults[name], bool):
                raise _error(
                    doc,
                    ("parameters", rid, name),
                    f"expected {expected.__name__} (default {defaults[name]!r}), got {value!r}",
                )
            problem = _out_of_range(name, value, defaults[name])
            if problem:
                raise _error(doc, ("parameters", rid, name), problem)


def _out_of_range(name: str, value: Any, default: Any) -> str | None:
    """Why a numeric parameter's value cannot be meant: a share outside 0..1, or zero or less
    where the default is a count or a limit (samples, requests, seconds...)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if name.startswith("min_coverage") or name.endswith("_share"):
        return None if 0 <= value <= 1 else f"expected a share from 0 to 1, got {value!r}"
    if isinstance(default, int | float) and default > 0 and value <= 0:
        return f"expected a positive number (default {default!r}), got {value!r}"
    if value < 0:
        return f"expected zero or more, got {value!r}"
    return None


def validate_inputs(doc: YamlDocument, raw: Any) -> dict[str, Any]:
    """The profile's `inputs`, checked against the inputs the checks declare (an unknown name, a
    value the declaration's schema refuses, a missing file: a ProfileError naming file, line and
    key), with each local file anchored to the profile's folder as a file:// URI."""
    try:
        return check_inputs(raw, Path(doc.file).parent)
    except InputProblem as exc:
        raise _error(doc, ("inputs", *exc.path), exc.problem) from None


def merge_inputs(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Inputs of `over` (a target's) laid over `base` (a profile's)."""
    return _merge(base, over)


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _load_raw(path: Path, catalogue: Catalogue, chain: tuple[Path, ...]) -> dict[str, Any]:
    """The profile at `path` merged over its parents, as plain data."""
    if path.resolve() in chain:
        cycle = " -> ".join(str(p) for p in (*chain, path.resolve()))
        raise ProfileError(str(path), None, "extends", f"cycle: {cycle}")
    doc = load_yaml(path, ProfileError)
    data = _validate_shape(doc)
    merged: dict[str, Any] = {
        "select": [],
        "parameters": {},
        "inputs": {},
        "allow": set(),
        "waivers": [],
    }
    parents = data.get("extends", [])
    for i, parent in enumerate([parents] if isinstance(parents, str) else parents):
        try:
            parent_path = resolve_profile_path(parent, path.parent)
        except ProfileError as exc:
            raise _error(
                doc, ("extends", i) if isinstance(parents, list) else ("extends",), exc.problem
            ) from None
        inherited = _load_raw(parent_path, catalogue, (*chain, path.resolve()))
        merged["select"] += inherited["select"]
        merged["parameters"] = _merge(merged["parameters"], inherited["parameters"])
        merged["inputs"] = _merge(merged["inputs"], inherited["inputs"])
        merged["allow"] |= inherited["allow"]
        merged["waivers"] += inherited["waivers"]
        for key in ("max_rps", "not_implemented"):
            if key in inherited:
                merged[key] = inherited[key]
    selected = merged["select"] + _select(doc, "select", data.get("select", []), catalogue)
    excluded = set(_select(doc, "exclude", data.get("exclude", []), catalogue))
    _check_parameters(doc, data.get("parameters", {}), catalogue)
    inputs = validate_inputs(doc, data.get("inputs", {}))
    merged["select"] = [rid for rid in dict.fromkeys(selected) if rid not in excluded]
    merged["parameters"] = _merge(merged["parameters"], data.get("parameters", {}))
    merged["inputs"] = _merge(merged["inputs"], inputs)
    safety = data.get("safety", {})
    merged["allow"] |= set(safety.get("allow", []))
    if "max_rps" in safety:
        merged["max_rps"] = safety["max_rps"]
    if "not_implemented" in data.get("conformance", {}):
        merged["not_implemented"] = data["conformance"]["not_implemented"]
    merged["waivers"] += [
        parse_waiver(doc, entry, ("waivers", i), catalogue)
        for i, entry in enumerate(data.get("waivers", []))
    ]
    merged["name"] = data.get("name", path.stem)
    merged["description"] = data.get("description", "")
    return merged


def load_profile(spec: str, catalogue: Catalogue | None = None) -> Profile:
    """Load a bundled profile by name, or a profile file, resolving `extends:`."""
    catalogue = catalogue or load_catalogue()
    path = resolve_profile_path(spec)
    raw = _load_raw(path, catalogue, ())
    order = {rid: i for i, rid in enumerate(catalogue)}
    selected = tuple(sorted(raw["select"], key=order.__getitem__))
    parameters = {
        rid: {**catalogue[rid].defaults(), **raw["parameters"].get(rid, {})} for rid in selected
    }
    canonical = json.dumps(
        {k: sorted(v) if isinstance(v, set) else v for k, v in raw.items()},
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return Profile(
        name=raw["name"],
        source=str(path),
        description=raw["description"],
        requirements=selected,
        parameters=parameters,
        inputs=raw["inputs"],
        base_dir=path.parent,
        allow=frozenset({SafetyClass.READ, *(SafetyClass(a) for a in raw["allow"])}),
        max_rps=raw.get("max_rps"),
        not_implemented=raw.get("not_implemented", "ignore"),
        waivers=tuple(raw["waivers"]),
        digest="sha256:" + hashlib.sha256(canonical.encode()).hexdigest(),
    )
