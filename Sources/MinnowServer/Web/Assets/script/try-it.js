// The Deploy tab's "try it" box: sends a chosen file or a webcam snapshot to the prediction
// API with the prediction key (or, without a key, to the iteration's quick test with the
// session) and shows the image with every label's score.
(function () {
  "use strict";
  const box = document.getElementById("try-it");
  if (!box) return;
  const csrf = () => (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  const deployment = document.getElementById("try-deployment");
  const key = document.getElementById("try-key");
  const file = document.getElementById("try-file");
  const status = document.getElementById("try-status");
  const table = document.getElementById("try-scores");
  const preview = document.getElementById("try-preview");
  const camera = document.getElementById("try-camera");
  const snapshot = document.getElementById("try-snapshot");
  const video = document.getElementById("try-video");

  const show = (prediction) => {
    const body = table.querySelector("tbody");
    body.replaceChildren();
    (prediction.scores || []).forEach((item) => {
      const tr = document.createElement("tr");
      const label = document.createElement("th");
      label.scope = "row";
      label.textContent = item.label;
      const cell = document.createElement("td");
      const meter = document.createElement("meter");
      meter.min = 0; meter.max = 1; meter.value = item.score;
      cell.append(meter, " " + (item.score * 100).toFixed(1) + "%");
      tr.append(label, cell);
      body.append(tr);
    });
    table.hidden = false;
  };

  async function predict(blob) {
    const option = deployment.selectedOptions[0];
    if (!option) return;
    if (preview.src) URL.revokeObjectURL(preview.src);
    preview.src = URL.createObjectURL(blob);
    preview.hidden = false;
    const typed = key.value.trim();
    const headers = { "Content-Type": blob.type || "application/octet-stream" };
    let url;
    if (typed) {
      url = option.dataset.predictUrl;
      headers["Prediction-Key"] = typed;
    } else {
      url = option.dataset.quickTestUrl;
      headers["X-CSRF-Token"] = csrf();
    }
    status.textContent = "Asking " + option.value + "…";
    table.hidden = true;
    try {
      const response = await fetch(url, { method: "POST", headers: headers, body: blob, credentials: "same-origin" });
      const answer = await response.json();
      if (!response.ok) {
        status.textContent = (answer.error && answer.error.message) || ("The server answered " + response.status + ".");
        return;
      }
      const prediction = typed ? answer.predictions[0] : answer;
      status.textContent = prediction.label ? "It sees “" + prediction.label + "”." : "Nothing over the threshold.";
      show(prediction);
    } catch (error) {
      status.textContent = "The request failed: " + error.message;
    }
  }

  file.addEventListener("change", () => { if (file.files.length) predict(file.files[0]); });

  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    camera.hidden = false;
    camera.addEventListener("click", async () => {
      try {
        video.srcObject = await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
        video.hidden = false;
        snapshot.hidden = false;
        snapshot.focus();
      } catch (error) {
        status.textContent = "No webcam: " + error.message;
      }
    });
    snapshot.addEventListener("click", () => {
      const canvas = document.createElement("canvas");
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      canvas.getContext("2d").drawImage(video, 0, 0);
      canvas.toBlob((blob) => { if (blob) predict(blob); }, "image/png");
    });
  }
})();
