/**
 * The report's only style sheet, inlined so the file opens anywhere offline. Long lists stay cheap:
 * sections off screen are not laid out (`content-visibility`), and closed `<details>` not at all.
 */
export const style = `
:root {
  --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa; --paper: #ffffff;
  --go: #b35900; --go-soft: #fff4e5; --stay: #1a7f37; --stay-soft: #e9f7ee;
  --bad: #cf222e; --bad-soft: #ffebe9; --accent: #0969da;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--soft); color: var(--ink);
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 28px 24px 64px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 0; }
h3 { font-size: 14px; font-weight: 600; margin: 18px 0 2px; }
.hint { color: var(--muted); font-size: 12.5px; margin: 0 0 6px; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code, .mono { font-family: var(--mono); font-size: 12.5px; }
.lede { color: var(--muted); margin: 0 0 20px; }
.lede strong { color: var(--ink); }
.card { background: var(--paper); border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; margin: 0 0 16px; }
.totals { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px; margin: 0 0 16px; }
.total { background: var(--paper); border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; }
.total .value { display: block; font-size: 26px; font-weight: 600; font-variant-numeric: tabular-nums; }
.total .label { color: var(--muted); font-size: 13px; }
.total.go .value { color: var(--go); }
.total.bad { border-color: var(--bad); background: var(--bad-soft); }
.total.bad .value { color: var(--bad); }
.attention { border-color: var(--bad); background: var(--bad-soft); }
.attention ul { margin: 6px 0 0; padding-left: 20px; }
.chart svg { display: block; width: 100%; height: auto; max-width: 900px; }
.chart text { font: 13px system-ui, sans-serif; fill: var(--ink); }
.chart .value { fill: var(--muted); font-variant-numeric: tabular-nums; }
.chart .bar { fill: var(--go); }
.chart .track { fill: var(--soft); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 5px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; color: var(--muted); font-weight: 600; background: var(--soft); }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
tr.attention-row td { background: var(--bad-soft); }
.badge { display: inline-block; padding: 0 8px; border-radius: 999px; font-size: 12px; font-weight: 600;
  line-height: 20px; white-space: nowrap; border: 1px solid transparent; }
.badge.would-delete, .badge.deleted { color: var(--go); background: var(--go-soft); }
.badge.nothing { color: var(--stay); background: var(--stay-soft); }
.badge.error, .badge.blocked, .badge.failed { color: #fff; background: var(--bad); }
.badge.reason { color: var(--stay); background: var(--stay-soft); font-weight: 500; }
.handler { content-visibility: auto; contain-intrinsic-size: auto 320px; }
.handler.needs-attention { border-color: var(--bad); border-width: 2px; }
.handler header { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
.handler .rule { color: var(--muted); margin: 2px 0 0; }
.problem { border-left: 4px solid var(--bad); background: var(--bad-soft); padding: 8px 12px; margin: 10px 0 0; border-radius: 4px; }
.problem ul { margin: 4px 0 0; padding-left: 18px; }
.note { border-left: 4px solid var(--line); padding: 6px 12px; margin: 8px 0 0; color: var(--muted); }
.rows { border: 1px solid var(--line); border-radius: 6px; overflow: hidden; }
.row { display: grid; align-items: baseline; gap: 0 12px; padding: 6px 10px 6px 28px; border-top: 1px solid var(--line);
  grid-template-columns: minmax(110px, 1.2fr) 128px 150px minmax(130px, 1fr) 76px 84px minmax(160px, 1.6fr); }
.rows > :first-child { border-top: 0; }
.row.head { font-size: 12px; color: var(--muted); font-weight: 600; background: var(--soft); }
.row > .number { text-align: right; font-variant-numeric: tabular-nums; }
.row .tag { font-weight: 600; overflow-wrap: anywhere; }
details.group > summary { list-style: none; cursor: pointer; position: relative; }
details.group > summary::-webkit-details-marker { display: none; }
details.group > summary::before { content: "▸"; position: absolute; left: 11px; top: 6px; color: var(--muted); }
details.group[open] > summary::before { content: "▾"; }
details.group > summary:hover { background: var(--soft); }
details.group[open] > summary { background: var(--go-soft); }
.chip { color: var(--stay); font-size: 12px; white-space: nowrap; }
.chip.bad { color: var(--bad); }
.members { margin: 0; padding: 4px 10px 10px 28px; list-style: none; background: var(--paper); border-top: 1px dashed var(--line); }
.members li { display: grid; grid-template-columns: 70px 150px 84px minmax(0, 1fr); gap: 12px; padding: 3px 0; align-items: baseline; }
.members .fate-delete { color: var(--go); }
.members .fate-keep { color: var(--stay); font-weight: 600; }
.members .fate-bad { color: var(--bad); font-weight: 600; }
.members .size { text-align: right; font-variant-numeric: tabular-nums; color: var(--muted); }
details.list { margin: 12px 0 0; }
details.list > summary { cursor: pointer; font-weight: 600; padding: 4px 0; }
details.list > summary .muted { font-weight: 400; }
details.list table { margin-top: 6px; }
.muted { color: var(--muted); }
.go { color: var(--go); }
.stay { color: var(--stay); }
footer { color: var(--muted); font-size: 12px; margin-top: 24px; }
@media (max-width: 860px) {
  .row { grid-template-columns: 1fr 1fr; }
  .members li { grid-template-columns: 1fr 1fr; }
}
`;
