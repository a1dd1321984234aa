// The stylesheet: system fonts, one column on phones, visible keyboard focus.
enum AssetStylesheet {
    static let text = #"""
:root { --fg: #1b1f24; --muted: #5b6470; --line: #d8dde3; --bg: #f6f8fa; --accent: #0b62c4; --danger: #b42318; --ok: #18794e; --warn: #9a6700; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: #fff; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid #f0a400; outline-offset: 2px; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 8px; top: 8px; background: #fff; padding: 4px 8px; z-index: 10; }
.top { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; justify-content: space-between; padding: 10px 16px; background: #102a43; color: #fff; }
.top a, .top .link { color: #fff; }
.brand { font-weight: 700; font-size: 1.2rem; text-decoration: none; }
nav.user { display: flex; flex-wrap: wrap; gap: 4px 16px; align-items: center; }
.project-bar { padding: 12px 16px 0; border-bottom: 1px solid var(--line); background: var(--bg); }
.project-bar h1 { margin: 0 0 8px; font-size: 1.35rem; }
.project-bar h1 a { color: inherit; text-decoration: none; }
.tabs { display: flex; flex-wrap: wrap; gap: 2px; }
.tabs a { padding: 8px 12px; text-decoration: none; border-radius: 6px 6px 0 0; color: var(--fg); }
.tabs a[aria-current="page"] { background: #fff; border: 1px solid var(--line); border-bottom-color: #fff; margin-bottom: -1px; font-weight: 600; }
main { padding: 16px; max-width: 1200px; margin: 0 auto; }
main:focus { outline: none; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 1.6em; }
.narrow { max-width: 440px; margin: 24px auto; }
.narrow-form { max-width: 440px; }
.field { margin: 0 0 14px; display: flex; flex-direction: column; gap: 4px; }
.field[hidden] { display: none; }
label { font-weight: 600; }
input[type=text], input[type=password], input[type=search], input[type=number], select, textarea { font: inherit; padding: 7px 9px; border: 1px solid #9aa5b1; border-radius: 6px; width: 100%; max-width: 100%; background: #fff; }
.has-error input, .has-error select { border-color: var(--danger); }
.error, .error-summary { color: var(--danger); margin: 0; }
.error-summary { border: 1px solid var(--danger); background: #fff5f5; padding: 8px 12px; border-radius: 6px; margin-bottom: 12px; }
.hint { color: var(--muted); margin: 0; font-size: .9rem; }
.notice { background: #e8f5ee; border: 1px solid #9bd3b4; padding: 8px 12px; border-radius: 6px; }
button, .button { font: inherit; padding: 7px 14px; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; text-decoration: none; display: inline-block; }
button.secondary, .button.secondary { background: #fff; color: var(--accent); }
button.danger { background: var(--danger); border-color: var(--danger); }
button.link { background: none; border: none; padding: 0; color: var(--accent); text-decoration: underline; }
button:disabled { opacity: .5; cursor: not-allowed; }
form.inline { display: inline; }
.badge { display: inline-block; font-size: .75rem; font-weight: 600; padding: 1px 8px; border-radius: 999px; background: #e1e7ef; color: #243b53; vertical-align: middle; }
.badge.train { background: #dbeafe; } .badge.test { background: #fde7c7; } .badge.ok { background: #d3f2e0; color: var(--ok); } .badge.warn { background: #fff1c2; color: var(--warn); }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
.table-wrap { overflow-x: auto; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 14px; padding: 0; list-style: none; }
.card { border: 1px solid var(--line); border-radius: 8px; overflow: hidden; background: #fff; }
.card a.cover { display: block; aspect-ratio: 4 / 3; background: var(--bg); }
.card img { width: 100%; height: 100%; object-fit: cover; display: block; }
.card .body { padding: 8px 12px; }
.card h2 { margin: 0; font-size: 1.05rem; }
.muted { color: var(--muted); }
.toolbar { display: flex; flex-wrap: wrap; gap: 8px 12px; align-items: flex-end; margin: 8px 0 12px; }
.toolbar .field { margin: 0; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(120px, 1fr)); gap: 10px; padding: 0; list-style: none; }
.tile { position: relative; border: 2px solid transparent; border-radius: 8px; background: var(--bg); }
.tile.selected { border-color: var(--accent); }
.tile img { width: 100%; aspect-ratio: 1; object-fit: cover; display: block; border-radius: 6px 6px 0 0; }
.tile .pick { position: absolute; top: 6px; left: 6px; width: 22px; height: 22px; }
.tile .meta { padding: 4px 6px; font-size: .8rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.pagination { display: flex; gap: 12px; align-items: center; margin: 16px 0; }
.dropzone { border: 2px dashed #9aa5b1; border-radius: 10px; padding: 28px 16px; text-align: center; background: var(--bg); }
.dropzone.over { border-color: var(--accent); background: #eaf2fd; }
progress { width: 100%; height: 18px; }
.report td.accepted { color: var(--ok); } .report td.duplicate { color: var(--warn); } .report td.rejected { color: var(--danger); }
.secret { display: block; padding: 10px; background: #102a43; color: #fff; border-radius: 6px; word-break: break-all; font-size: 1rem; }
.chart { max-width: 100%; height: auto; }
.chart text { font: 12px system-ui, sans-serif; fill: var(--fg); }
.strip { display: flex; flex-wrap: wrap; gap: 6px; padding: 0; list-style: none; }
.strip img { width: 64px; height: 64px; object-fit: cover; border-radius: 4px; display: block; }
.stats { display: flex; flex-wrap: wrap; gap: 12px; padding: 0; list-style: none; }
.stats li { border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; min-width: 120px; }
.stats strong { display: block; font-size: 1.4rem; }
.danger-zone { border: 1px solid #f1b5b0; border-radius: 8px; padding: 12px 16px; margin-top: 24px; }
.viewer { position: relative; display: inline-block; max-width: 100%; }
.viewer img { width: 640px; max-width: 100%; height: auto; display: block; image-rendering: pixelated; }
.viewer.drawable { cursor: crosshair; touch-action: none; user-select: none; }
#box-table input[type=number] { width: 6em; }
.viewer svg { position: absolute; inset: 0; width: 100%; height: 100%; }
.sightings .viewer { display: block; }
.sightings .viewer img { width: 100%; aspect-ratio: 4 / 3; object-fit: fill; }
.sightings .no-frame { aspect-ratio: 4 / 3; display: grid; place-items: center; background: var(--bg); color: var(--muted); }
@media (max-width: 600px) {
  main { padding: 12px; }
  .grid { grid-template-columns: repeat(auto-fill, minmax(96px, 1fr)); }
  th, td { padding: 6px 4px; }
}
"""#
}
