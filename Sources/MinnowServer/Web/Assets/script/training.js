// Live training progress on an iteration's page: follows the iteration's server-sent events
// (from the last event the page was rendered with), updates the numbers and the log, asks
// the server for a fresh curves chart after each epoch, and reloads once training ends
// (the page then shows the results).
(function () {
  "use strict";
  const live = document.getElementById("live");
  if (!live || !window.EventSource) return;
  const set = (id, text) => { const el = document.getElementById(id); if (el) el.textContent = text; };
  const duration = (s) => {
    if (!isFinite(s) || s < 0) return "—";
    s = Math.round(s);
    if (s < 60) return s + " s";
    if (s < 3600) return Math.floor(s / 60) + " min " + (s % 60) + " s";
    return Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " min";
  };
  const log = document.getElementById("live-log");
  const source = new EventSource(live.dataset.events + "?after=" + encodeURIComponent(live.dataset.after || "0"));
  const data = (event) => { try { return JSON.parse(event.data); } catch (e) { return {}; } };
  const appendLog = (event) => {
    if (!log || !event.message) return;
    const li = document.createElement("li");
    const time = document.createElement("time");
    time.dateTime = event.time;
    time.textContent = (event.time || "").slice(11, 19);
    li.append(time, " " + event.message);
    log.append(li);
  };
  source.addEventListener("progress", (message) => {
    const p = data(message).progress;
    if (!p) return;
    set("live-epoch", p.epoch + " / " + p.epochs);
    set("live-step", p.step + " / " + p.steps);
    set("live-speed", String(Math.round(p.imagesPerSecond)));
    set("live-eta", duration(p.etaSeconds));
    set("live-loss", p.loss.toFixed(3));
    const bar = document.getElementById("live-progress");
    const steps = Math.max(p.steps, 1);
    if (bar) bar.value = Math.min(1, (Math.max(p.epoch - 1, 0) * steps + p.step) / Math.max(p.epochs * steps, 1));
  });
  source.addEventListener("epoch", async () => {
    const curves = document.getElementById("curves");
    if (!curves) return;
    const response = await fetch(live.dataset.curves, { credentials: "same-origin" });
    if (response.ok) curves.innerHTML = await response.text();
  });
  source.addEventListener("log", (message) => appendLog(data(message)));
  source.addEventListener("status", (message) => {
    const event = data(message);
    appendLog(event);
    if (!event.status) return;
    set("live-status", event.status);
    set("status-badge", event.status);
    if (["succeeded", "failed", "canceled"].includes(event.status)) {
      source.close();
      setTimeout(() => window.location.replace(window.location.pathname), 600);
    }
  });
})();
