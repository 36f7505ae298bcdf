"""The report page's inline style and script (the page fetches nothing).

The script: filters the event table as the reader types; clicking a diagram row shows that
event's JSON and the screenshot nearest in time; clicking a screenshot shows it full size.
"""

from __future__ import annotations

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1b1f24;
background:#f6f7f9}
header{background:#1f4e8c;color:#fff;padding:18px 28px}
header h1{margin:0 0 6px;font-size:22px;overflow-wrap:anywhere}
header .outcome{display:inline-block;border-radius:4px;padding:0 8px;margin-right:8px;
font-size:15px;vertical-align:2px}
.PASS{background:#2e7d32;color:#fff}.FAIL{background:#b3261e;color:#fff}
header .failure{font-family:ui-monospace,monospace;font-size:13px;white-space:pre-wrap;
background:#ffffff22;padding:4px 8px;border-radius:4px;margin-top:6px}
main{padding:10px 28px 40px;max-width:1500px}
section{background:#fff;border:1px solid #dde2e8;border-radius:8px;padding:14px 18px;
margin:16px 0;overflow-x:auto}
h2{font-size:17px;margin:0 0 10px}table{border-collapse:collapse;width:100%;font-size:12.5px}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eceff3;vertical-align:top}
th{background:#f0f3f7}td.k{white-space:nowrap;font-family:ui-monospace,monospace}
table.device{width:auto}table.device th{background:none;font-weight:600}
.ok{color:#2e7d32;font-weight:600}.error{color:#b3261e;font-weight:600}
.warning{color:#9a6700;font-weight:600}.info{color:#555}
.badges{display:flex;flex-wrap:wrap;gap:10px}
.badge{border:1px solid #d5dde8;border-radius:8px;padding:6px 12px;background:#f7f9fc;
min-width:90px}.badge b{display:block;font-size:20px;color:#1f4e8c}
.badge span{font-size:12px;color:#444}.badge.bad b{color:#b3261e}.badge.warn b{color:#9a6700}
.shots{display:flex;flex-wrap:wrap;gap:14px}.shots figure{margin:0;width:420px}
.shots img{width:100%;border:1px solid #ccd3dc;border-radius:4px;cursor:zoom-in}
figcaption{font-size:12px;color:#444}pre{white-space:pre-wrap;font-size:12px;margin:0}
.diagram{overflow-x:auto}
#inspector{position:fixed;right:16px;bottom:16px;width:440px;max-width:calc(100vw - 32px);
max-height:75vh;overflow:auto;border:1px solid #9aa5b1;border-radius:8px;padding:10px 12px;
background:#fbfcfe;box-shadow:0 4px 18px #0003;display:none;z-index:5}
#inspector.open{display:block}#inspector h3{margin:0 0 6px;font-size:14px}
#inspector button{float:right;font:inherit;cursor:pointer}
#inspector img{width:100%;border:1px solid #ccd3dc;border-radius:4px;cursor:zoom-in}
svg .row{cursor:pointer}svg .row:hover rect.hit{fill:#1f4e8c14}
svg .row.selected rect.hit{fill:#1f4e8c26}
#filter{width:100%;max-width:420px;padding:5px 8px;margin-bottom:8px;font:inherit}
#lightbox{position:fixed;inset:0;background:#000c;display:none;align-items:center;
justify-content:center;z-index:10;cursor:zoom-out;overflow:auto}
#lightbox.open{display:flex}#lightbox img{max-width:none;background:#fff}
"""

SCRIPT = """
(function () {
  "use strict";
  const events = JSON.parse(document.getElementById("events-json").textContent);
  const shots = JSON.parse(document.getElementById("shots-json").textContent);
  const bySeq = new Map(events.map((e) => [e.seq, e]));
  const inspector = document.getElementById("inspector");
  function nearestShot(event) {
    let best = null;
    for (const shot of shots) {
      const distance = Math.abs(shot.t - event.t);
      if (best === null || distance < best.distance ||
          (distance === best.distance && shot.seq <= event.seq)) {
        best = { shot: shot, distance: distance };
      }
    }
    return best && best.shot;
  }
  function inspect(seq, row) {
    const event = bySeq.get(seq);
    if (!event || !inspector) { return; }
    document.querySelectorAll("svg .row.selected").forEach((r) => r.classList.remove("selected"));
    if (row) { row.classList.add("selected"); }
    inspector.textContent = "";
    inspector.classList.add("open");
    const close = document.createElement("button");
    close.textContent = "Close";
    close.addEventListener("click", () => inspector.classList.remove("open"));
    const title = document.createElement("h3");
    title.textContent = "#" + event.seq + "  " + event.kind + "  t=" + event.t;
    const json = document.createElement("pre");
    json.textContent = JSON.stringify(event, null, 2);
    inspector.append(close, title, json);
    const shot = nearestShot(event);
    if (shot) {
      const caption = document.createElement("p");
      caption.textContent = "Nearest screenshot: #" + shot.seq + " t=" + shot.t + " (" +
        shot.screen + ")";
      const image = document.createElement("img");
      image.src = document.getElementById("shot-" + shot.seq).src;
      image.alt = shot.screen + " screen";
      image.className = "zoom";
      inspector.append(caption, image);
    }
  }
  document.querySelectorAll("svg .row").forEach((row) => {
    row.addEventListener("click", () => inspect(Number(row.dataset.seq), row));
  });
  const filter = document.getElementById("filter");
  if (filter) {
    filter.addEventListener("input", () => {
      const words = filter.value.toLowerCase().split(/\\s+/).filter(Boolean);
      let shown = 0;
      document.querySelectorAll("#events tbody tr").forEach((tr) => {
        const text = tr.textContent.toLowerCase();
        const match = words.every((w) => text.includes(w));
        tr.hidden = !match;
        shown += match ? 1 : 0;
      });
      document.getElementById("shown").textContent = String(shown);
    });
  }
  const lightbox = document.getElementById("lightbox");
  document.addEventListener("click", (event) => {
    const target = event.target;
    if (target instanceof HTMLImageElement && target.classList.contains("zoom")) {
      lightbox.querySelector("img").src = target.src;
      lightbox.classList.add("open");
    } else if (lightbox.contains(target)) {
      lightbox.classList.remove("open");
    }
  });
})();
"""
