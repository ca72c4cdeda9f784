"""The scope of a run in words: what was asked and what ran (for verify, the terminal, HTML)."""

from __future__ import annotations

from typing import Any

SHOWN = 8


def scope_lines(scope: dict[str, Any]) -> list[str]:
    """One line per fact of run.json's `scope`; a narrowed run says so first."""
    if not scope:
        return ["scope: not recorded (a report from before scopes were recorded)"]
    selected, ran = scope.get("selected", []), scope.get("ran", [])
    lines = []
    if scope.get("narrowed"):
        how = scope.get("narrowing") or {}
        ways = [
            f"{flag} {', '.join(how[key])}"
            for key, flag in (
                ("requirements", "--requirement"),
                ("levels", "--level"),
                ("deselected", "deselected"),
            )
            if how.get(key)
        ]
        left = scope.get("left_out", [])
        listed = ", ".join(left[:SHOWN]) + (
            f" and {len(left) - SHOWN} more" if len(left) > SHOWN else ""
        )
        lines.append(
            f"scope: NARROWED to {len(ran)} of the profile's {len(selected)} requirements "
            f"({'; '.join(ways) or 'narrowed'}), so never conformant; left out: {listed}"
        )
    else:
        lines.append(f"scope: the whole profile ({len(selected)} requirements)")
    not_run = scope.get("not_run", [])
    if not_run:
        names = ", ".join(f"{x['requirement']} on {x['target']}" for x in not_run[:SHOWN])
        more = f" and {len(not_run) - SHOWN} more" if len(not_run) > SHOWN else ""
        lines.append(f"not run (the run ended early): {len(not_run)}: {names}{more}")
    allow = scope.get("allow", [])
    cap = scope.get("max_rps")
    lines.append(
        f"safety: {'opted in to ' + ', '.join(allow) if allow else 'read-only'}"
        + (f"; --max-rps {cap:g}" if isinstance(cap, int | float) else "")
    )
    waivers = scope.get("waivers") or {}
    for kind, words in (
        ("applied", "waivers applied (failures shown, not gating)"),
        ("expired", "waivers EXPIRED (no longer applied)"),
        ("unused", "waivers unused (matched no fail or warn)"),
    ):
        found = waivers.get(kind) or []
        if found:
            shown = "; ".join(
                f"{w['requirement']} on {w['target']} until {w['expires']} ({w['owner']})"
                for w in found[:SHOWN]
            )
            lines.append(f"{words}: {len(found)}: {shown}")
    changed = scope.get("parameters", {})
    if changed:
        shown = "; ".join(
            f"{rid} " + ", ".join(f"{k}={v!r}" for k, v in params.items())
            for rid, params in changed.items()
        )
        lines.append(f"parameters changed from the catalogue's defaults: {shown}")
    return lines
