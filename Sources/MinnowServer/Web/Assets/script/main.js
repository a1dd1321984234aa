// Progressive enhancement only: confirmations, copy buttons, multi-select on the data grid,
// uploads and zip imports (to the JSON API with the session cookie and the page's CSRF token)
// and the box editor. Without JavaScript every other page works.
"use strict";
(function () {
  const csrf = () => (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  // Forms that ask first: <form data-confirm="...">
  document.addEventListener("submit", (event) => {
    const form = event.target;
    const submitter = event.submitter;
    const deleting = form.elements.action && form.elements.action.value === "delete";
    const message = (submitter && submitter.dataset.confirm) || form.dataset.confirm ||
      (deleting && submitter && submitter.dataset.confirmDelete) || null;
    if (message && !window.confirm(message)) event.preventDefault();
  });

  // Copy buttons: <button data-copy="#id">
  document.querySelectorAll("[data-copy]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => {
      const target = document.querySelector(button.dataset.copy);
      if (target && navigator.clipboard) navigator.clipboard.writeText(target.textContent.trim()).then(() => { button.textContent = "Copied"; });
    });
  });

  // Multi-select on the data grid: select all, shift-click ranges, selected count.
  const batch = document.getElementById("batch");
  if (batch) {
    const boxes = Array.from(document.querySelectorAll("input.pick"));
    const all = document.getElementById("select-all");
    const count = document.getElementById("selected-count");
    const apply = batch.querySelectorAll("button[type=submit]");
    let last = null;
    const refresh = () => {
      const n = boxes.filter((b) => b.checked).length;
      boxes.forEach((b) => b.closest(".tile").classList.toggle("selected", b.checked));
      if (count) count.textContent = n + " selected";
      apply.forEach((b) => { b.disabled = n === 0; });
      if (all) { all.checked = n > 0 && n === boxes.length; all.indeterminate = n > 0 && n < boxes.length; }
    };
    boxes.forEach((box, index) => box.addEventListener("click", (event) => {
      if (event.shiftKey && last !== null) {
        const [a, b] = [Math.min(last, index), Math.max(last, index)];
        for (let i = a; i <= b; i++) boxes[i].checked = box.checked;
      }
      last = index;
      refresh();
    }));
    if (all) all.addEventListener("change", () => { boxes.forEach((b) => { b.checked = all.checked; }); refresh(); });
    // Show only the field the chosen action needs.
    const action = document.getElementById("f-action");
    const fieldOf = (id) => { const el = document.getElementById(id); return el && el.closest(".field"); };
    const showFields = () => {
      const label = fieldOf("f-label"), split = fieldOf("f-split");
      if (label) label.hidden = action.value !== "relabel";
      if (split) split.hidden = action.value !== "move";
    };
    if (action) { action.addEventListener("change", showFields); showFields(); }
    refresh();
  }

  // Upload page: drag and drop (or choose) images and zips; progress bar; per-file report.
  const zone = document.getElementById("dropzone");
  if (zone) {
    const urls = zone.dataset;
    const input = document.getElementById("file-input");
    const bar = document.getElementById("upload-progress");
    const status = document.getElementById("upload-status");
    const report = document.getElementById("upload-report");
    const done = document.getElementById("upload-done");
    const counts = { accepted: 0, duplicate: 0, rejected: 0 };

    const row = (name, outcome, reason) => {
      const tr = document.createElement("tr");
      [name, outcome, reason || ""].forEach((text, i) => {
        const td = document.createElement("td");
        td.textContent = text;
        if (i === 1) td.className = outcome;
        tr.appendChild(td);
      });
      report.appendChild(tr);
      report.closest("table").hidden = false;
      if (outcome in counts) counts[outcome] += 1;
    };
    const say = (text) => { status.textContent = text; };
    const errorOf = (xhr) => {
      try { return JSON.parse(xhr.responseText).error.message; } catch (e) { return "The server answered " + xhr.status + "."; }
    };
    const send = (url, body, contentType, onProgress) => new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      xhr.setRequestHeader("X-CSRF-Token", csrf());
      if (contentType) xhr.setRequestHeader("Content-Type", contentType);
      xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded); };
      xhr.onload = () => (xhr.status >= 200 && xhr.status < 300) ? resolve(JSON.parse(xhr.responseText)) : reject(new Error(errorOf(xhr)));
      xhr.onerror = () => reject(new Error("The connection to the server failed."));
      xhr.send(body);
    });
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

    async function importZip(file, sentBefore, total) {
      say("Uploading " + file.name + "…");
      const job = await send(urls.importUrl, file, "application/zip",
        (loaded) => { bar.value = sentBefore + loaded; });
      for (;;) {
        const response = await fetch(urls.jobsUrl + "/" + encodeURIComponent(job.id), { credentials: "same-origin" });
        if (!response.ok) throw new Error("Could not read the import's progress (" + response.status + ").");
        const state = await response.json();
        say("Importing " + file.name + ": " + state.progress.done + " of " + (state.progress.total || "?") + " entries");
        if (state.status === "succeeded") {
          (state.result.files || []).forEach((f) => row(file.name + ": " + f.fileName, f.status, f.reason));
          return;
        }
        if (state.status === "failed" || state.status === "canceled") throw new Error(state.error || "The import failed.");
        await sleep(600);
      }
    }

    async function uploadImages(files, sentBefore) {
      const label = document.getElementById("upload-label").value.trim();
      const split = document.getElementById("upload-split").value;
      const query = new URLSearchParams();
      if (label) query.set("label", label);
      if (split) query.set("split", split);
      let sent = sentBefore;
      for (let i = 0; i < files.length;) {
        const batch = [];
        let bytes = 0;
        while (i < files.length && batch.length < 25 && (batch.length === 0 || bytes + files[i].size < 32 << 20)) {
          bytes += files[i].size; batch.push(files[i]); i += 1;
        }
        const form = new FormData();
        batch.forEach((f) => form.append("files", f, f.name));
        say("Uploading images " + (i - batch.length + 1) + "–" + i + " of " + files.length + "…");
        const base = sent;
        const result = await send(urls.imagesUrl + "?" + query.toString(), form, null, (loaded) => { bar.value = base + loaded; });
        result.files.forEach((f) => row(f.fileName, f.status, f.reason));
        sent += bytes;
      }
      return sent;
    }

    async function start(fileList) {
      const files = Array.from(fileList);
      if (files.length === 0) return;
      const zips = files.filter((f) => /\.zip$/i.test(f.name) || f.type === "application/zip");
      const images = files.filter((f) => !zips.includes(f));
      const total = files.reduce((s, f) => s + f.size, 0) || 1;
      bar.max = total; bar.value = 0; bar.hidden = false; done.hidden = true;
      try {
        let sent = await uploadImages(images, 0);
        for (const zip of zips) { await importZip(zip, sent, total); sent += zip.size; }
        bar.value = total;
        say("Done: " + counts.accepted + " added, " + counts.duplicate + " duplicates, " + counts.rejected + " rejected.");
        done.hidden = false;
      } catch (error) {
        say("Stopped: " + error.message);
      }
    }

    zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
    zone.addEventListener("dragleave", () => zone.classList.remove("over"));
    zone.addEventListener("drop", (e) => { e.preventDefault(); zone.classList.remove("over"); start(e.dataTransfer.files); });
    input.addEventListener("change", () => { start(input.files); input.value = ""; });
  }
  // Box editor on a detection image: draw with the pointer, edit as numbers, save to the API.
  const editor = document.getElementById("box-editor");
  if (editor) {
    const canvas = document.getElementById("box-canvas");
    const layer = document.getElementById("box-layer");
    const table = document.querySelector("#box-table tbody");
    const label = document.getElementById("box-label");
    const status = document.getElementById("box-status");
    const svg = "http://www.w3.org/2000/svg";
    let boxes = JSON.parse(editor.dataset.boxes || "[]");
    let drawing = null;
    const clamp = (v) => Math.min(1, Math.max(0, v));
    const round = (v) => Math.round(v * 1000) / 1000;

    const draw = () => {
      layer.replaceChildren();
      boxes.concat(drawing ? [drawing] : []).forEach((b) => {
        const rect = document.createElementNS(svg, "rect");
        [["x", b.x * 1000], ["y", b.y * 1000], ["width", b.width * 1000], ["height", b.height * 1000]].forEach(([k, v]) => rect.setAttribute(k, v));
        rect.setAttribute("fill", "none"); rect.setAttribute("stroke", "#f0a400"); rect.setAttribute("stroke-width", "3");
        rect.setAttribute("vector-effect", "non-scaling-stroke");
        layer.appendChild(rect);
      });
    };
    const render = () => {
      table.replaceChildren();
      boxes.forEach((b, index) => {
        const tr = document.createElement("tr");
        const name = document.createElement("input");
        name.type = "text"; name.value = b.label; name.setAttribute("aria-label", "Label of box " + (index + 1));
        name.addEventListener("input", () => { b.label = name.value.trim(); });
        const cell = (node) => { const td = document.createElement("td"); td.appendChild(node); tr.appendChild(td); };
        cell(name);
        ["x", "y", "width", "height"].forEach((key) => {
          const input = document.createElement("input");
          input.type = "number"; input.min = "0"; input.max = "1"; input.step = "0.001"; input.value = round(b[key]);
          input.setAttribute("aria-label", key + " of box " + (index + 1));
          input.addEventListener("input", () => { b[key] = clamp(parseFloat(input.value) || 0); draw(); });
          cell(input);
        });
        const remove = document.createElement("button");
        remove.type = "button"; remove.className = "secondary"; remove.textContent = "Remove";
        remove.addEventListener("click", () => { boxes.splice(index, 1); render(); });
        cell(remove);
        table.appendChild(tr);
      });
      draw();
    };
    const point = (event) => {
      const r = canvas.getBoundingClientRect();
      return { x: clamp((event.clientX - r.left) / r.width), y: clamp((event.clientY - r.top) / r.height) };
    };
    canvas.addEventListener("pointerdown", (event) => {
      const p = point(event);
      drawing = { label: label.value.trim(), x: p.x, y: p.y, width: 0, height: 0, start: p };
      canvas.setPointerCapture(event.pointerId);
      event.preventDefault();
    });
    canvas.addEventListener("pointermove", (event) => {
      if (!drawing) return;
      const p = point(event), s = drawing.start;
      Object.assign(drawing, { x: Math.min(p.x, s.x), y: Math.min(p.y, s.y), width: Math.abs(p.x - s.x), height: Math.abs(p.y - s.y) });
      draw();
    });
    canvas.addEventListener("pointerup", () => {
      if (drawing && drawing.width > 0.01 && drawing.height > 0.01) {
        const { label: l, x, y, width, height } = drawing;
        boxes.push({ label: l, x: round(x), y: round(y), width: round(width), height: round(height) });
        status.textContent = l ? "Box added; save to keep it." : "Box added: give it a label, then save.";
      }
      drawing = null;
      render();
    });
    const add = document.getElementById("add-box");
    add.hidden = false;
    add.addEventListener("click", () => { boxes.push({ label: label.value.trim(), x: 0.25, y: 0.25, width: 0.5, height: 0.5 }); render(); });
    const save = document.getElementById("save-boxes");
    save.hidden = false;
    save.addEventListener("click", async () => {
      const payload = boxes.map((b) => ({ label: b.label, x: round(b.x), y: round(b.y), width: round(Math.min(b.width, 1 - b.x)), height: round(Math.min(b.height, 1 - b.y)) }));
      const response = await fetch(editor.dataset.image, {
        method: "PATCH", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
        body: JSON.stringify({ boxes: payload }),
      });
      if (response.ok) { status.textContent = "Saved " + payload.length + " boxes."; return; }
      let message = "The server answered " + response.status + ".";
      try { message = (await response.json()).error.message; } catch (e) { /* keep the status */ }
      status.textContent = "Not saved: " + message;
    });
    render();
  }
})();
