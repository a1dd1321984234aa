// Styles of the Train, Iterations and Deploy tabs: the form grid, facts lists, charts side
// by side, the live log, the misclassified gallery and the try-it box; one column on phones.
extension AssetStylesheet {
    static let models = #"""
[hidden] { display: none !important; }
.chart text.on-dark { fill: #fff; }
.badge.bad { background: #fde2e1; color: var(--danger); }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
fieldset { border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; margin: 0; }
legend { font-weight: 600; padding: 0 6px; }
.form-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 0 20px; }
.field.check label { display: flex; gap: 8px; align-items: center; }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 8px 20px; margin: 12px 0; }
.facts div { border-left: 3px solid var(--line); padding-left: 10px; }
.facts dt { color: var(--muted); font-size: .85rem; } .facts dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
.charts figure { margin: 0; flex: 1 1 420px; min-width: 0; }
.live { border: 1px solid var(--line); border-radius: 8px; padding: 4px 16px 12px; background: var(--bg); }
.log { font: 13px/1.5 ui-monospace, SFMono-Regular, Menlo, monospace; max-height: 320px; overflow-y: auto; background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: 8px 8px 8px 2.5em; }
.log time { color: var(--muted); }
table.compact { width: auto; min-width: 50%; }
table.compare td, table.compare th { white-space: nowrap; }
.gallery { display: grid; grid-template-columns: repeat(auto-fill, minmax(140px, 1fr)); gap: 12px; padding: 0; list-style: none; }
.gallery img { width: 100%; aspect-ratio: 1; object-fit: cover; border-radius: 6px; display: block; image-rendering: pixelated; background: var(--bg); }
.gallery p { margin: 4px 0 0; font-size: .85rem; }
.downloads { padding-left: 1.2em; }
.created { border: 1px solid #9bd3b4; background: #e8f5ee; border-radius: 8px; padding: 4px 16px 12px; margin-bottom: 16px; }
pre { background: #102a43; color: #fff; padding: 10px 12px; border-radius: 6px; overflow-x: auto; font-size: .85rem; }
.try-it { border: 1px solid var(--line); border-radius: 8px; padding: 4px 16px 12px; margin-top: 24px; }
.try-result { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
.try-result img { width: 160px; height: 160px; object-fit: contain; background: var(--bg); border-radius: 6px; image-rendering: pixelated; }
#try-video { width: 320px; max-width: 100%; border-radius: 6px; background: #000; }
meter { width: 160px; vertical-align: middle; }
@media (max-width: 600px) {
  .form-grid { grid-template-columns: 1fr; }
  .charts figure { flex-basis: 100%; }
  table.compact { min-width: 100%; }
}
"""#
}
