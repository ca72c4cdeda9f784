"""The inline stylesheet of report.html (no external assets; colours meet WCAG AA contrast)."""

from __future__ import annotations

CSS = """
:root {
  --ink: #1d2939; --muted: #475467; --line: #d0d5dd; --paper: #ffffff; --panel: #f5f7fa;
  --fail: #b42318; --error: #9e165f; --warn: #854d0e; --notimpl: #5b21b6;
  --skip: #475467; --na: #5d6b82; --pass: #067647; --link: #1849a9;
}
* { box-sizing: border-box; }
body {
  margin: 0; color: var(--ink); background: var(--paper);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
}
header, main, footer { max-width: 1100px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 24px; }
h1 { font-size: 1.6rem; margin: 0 0 12px; }
h2 {
  font-size: 1.25rem; margin: 32px 0 12px; padding-bottom: 4px;
  border-bottom: 2px solid var(--line);
}
h3 {
  font-size: 1.05rem; margin: 0; display: flex; flex-wrap: wrap; gap: 8px;
  align-items: baseline;
}
a { color: var(--link); }
code, pre, .mono {
  font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace;
}
.verdict-banner {
  display: flex; align-items: center; gap: 16px; padding: 14px 18px; border-radius: 8px;
  color: #fff; font-size: 1.2rem; font-weight: 600; margin-bottom: 16px;
}
.verdict-banner small { font-weight: 400; font-size: .95rem; }
.v-conformant { background: var(--pass); }
.v-not-conformant { background: var(--fail); }
.v-incomplete { background: var(--warn); }
.incomplete {
  border: 2px solid var(--warn); background: #fef7e6; color: #5c3a06; padding: 12px 16px;
  border-radius: 8px; margin-bottom: 16px;
}
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dl.facts dt { font-weight: 600; color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
dl.facts ul { margin: 0; padding-left: 18px; }
table.summary { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
table.summary caption { text-align: left; color: var(--muted); padding-bottom: 6px; }
table.summary th, table.summary td { border: 1px solid var(--line); padding: 6px 10px; }
table.summary thead th { background: var(--panel); text-align: center; }
table.summary td.n { text-align: right; }
table.summary td.zero { color: #98a2b3; }
table.summary tfoot th, table.summary tfoot td { font-weight: 700; background: var(--panel); }
table.summary th[scope=row] { text-align: left; text-transform: capitalize; }
.badge {
  display: inline-block; min-width: 7.5em; text-align: center; padding: 1px 8px;
  border-radius: 4px;
  color: #fff; font-size: .8rem; font-weight: 700; letter-spacing: .03em; text-transform: uppercase;
}
.o-fail { background: var(--fail); } .o-error { background: var(--error); }
.o-warn { background: var(--warn); } .o-not-implemented { background: var(--notimpl); }
.o-skip { background: var(--skip); } .o-not-applicable { background: var(--na); }
.o-pass { background: var(--pass); }
.vtext-conformant { color: var(--pass); font-weight: 600; }
.vtext-not-conformant { color: var(--fail); font-weight: 600; }
.vtext-incomplete { color: var(--warn); font-weight: 600; }
nav.jump ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 8px 18px; }
article.result {
  border: 1px solid var(--line); border-left: 6px solid var(--line); border-radius: 6px;
  padding: 12px 16px; margin: 12px 0; background: var(--paper);
}
article.b-fail { border-left-color: var(--fail); }
article.b-error { border-left-color: var(--error); }
article.b-warn { border-left-color: var(--warn); }
article.b-not-implemented { border-left-color: var(--notimpl); }
article.b-skip, article.b-not-applicable { border-left-color: var(--skip); }
article.b-pass { border-left-color: var(--pass); padding: 8px 16px; }
.rid { font-size: 1.05rem; font-weight: 700; }
.meta { color: var(--muted); font-size: .9rem; font-weight: 400; }
.message { margin: 8px 0; white-space: pre-wrap; overflow-wrap: anywhere; }
details.evidence {
  border: 1px solid var(--line); border-radius: 6px; margin: 8px 0; background: var(--panel);
}
details.evidence > summary { cursor: pointer; padding: 6px 10px; overflow-wrap: anywhere; }
details.evidence > summary:focus-visible { outline: 3px solid var(--link); outline-offset: 2px; }
details.evidence[open] > summary { border-bottom: 1px solid var(--line); }
.evidence-body { padding: 8px 12px; }
.kind { font-weight: 700; color: var(--muted); margin-right: 6px; }
h4 { font-size: .95rem; margin: 10px 0 4px; }
pre {
  background: #fff; border: 1px solid var(--line); border-radius: 4px; padding: 8px 10px;
  margin: 4px 0; white-space: pre-wrap; overflow-wrap: anywhere; font-size: .85rem;
  max-height: 28em; overflow: auto;
}
pre.cmd { background: #101828; color: #f2f4f7; border-color: #101828; user-select: all; }
.label { font-weight: 600; color: var(--muted); font-size: .85rem; margin: 8px 0 0; }
.passes summary { cursor: pointer; font-weight: 600; }
footer {
  color: var(--muted); font-size: .85rem; padding: 24px; border-top: 1px solid var(--line);
  margin-top: 32px;
}
@media print { details.evidence { break-inside: avoid; } pre { max-height: none; } }
"""
