// The progress component of core/_job_progress.html: polls the job's JSON every 2 s until it is
// done or failed. No build step, no framework; loaded once however often the macro is used.
(function () {
  "use strict";
  if (window.koepelJobProgress) { return; }
  window.koepelJobProgress = true;

  function render(el, p) {
    var bar = el.querySelector("progress");
    if (p.percent === null || p.percent === undefined) { bar.removeAttribute("value"); }
    else { bar.value = p.percent; bar.textContent = p.percent + " %"; }
    var text = p.label;
    if (p.total) { text += " · " + (p.done || 0) + "/" + p.total; }
    if (p.message) { text += " · " + p.message; }
    el.querySelector(".job-progress-text").textContent = text;
    el.dataset.finished = p.finished ? "true" : "false";
  }

  function poll(el) {
    if (el.dataset.finished === "true") { return; }
    fetch(el.dataset.jobProgress, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (p) {
        if (!p) { return; }
        render(el, p);
        if (!p.finished) { setTimeout(function () { poll(el); }, 2000); }
      })
      .catch(function () { setTimeout(function () { poll(el); }, 10000); });
  }

  function start() {
    document.querySelectorAll("[data-job-progress]").forEach(function (el) {
      setTimeout(function () { poll(el); }, 2000);
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
