/* Occupancy heatmap: one <canvas> drawn from the JSON in its data-heatmap attribute (see
   views/heatmap.py), instead of an SVG with four elements per location and month.
   Mouse: the cell under the pointer becomes the canvas's tooltip. Keyboard: the canvas takes
   focus; arrow keys, Home and End move through the cells and the cell's full label is read out
   through a polite live region. Without JavaScript the canvas stays hidden and the table with the
   same figures stays open. No dependencies, no build step, no inline style (CSP). */
(function () {
  "use strict";
  var CELL_W = 64, CELL_H = 40, HEAD = 34, FONT = "13px sans-serif", ROW_FONT = "14px sans-serif";

  function draw(canvas, data, focus) {
    var ctx = canvas.getContext("2d");
    var ratio = window.devicePixelRatio || 1;
    var labelW = canvas._labelW;
    var width = labelW + CELL_W * data.columns.length + 2;
    var height = HEAD + CELL_H * data.rows.length + 2;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    canvas.style.width = width + "px";  /* CSSOM, which the CSP allows (no style attribute in the HTML) */
    canvas.style.height = height + "px";
    canvas.dataset.cssWidth = String(width);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.fillStyle = "#1b1f24";
    ctx.font = FONT;
    ctx.textAlign = "center";
    ctx.textBaseline = "alphabetic";
    data.columns.forEach(function (col, j) {
      ctx.fillText(col, labelW + j * CELL_W + CELL_W / 2, 22);
    });
    data.rows.forEach(function (_row, i) {
      var y = HEAD + i * CELL_H;
      ctx.font = ROW_FONT;
      ctx.textAlign = "end";
      ctx.fillStyle = "#1b1f24";
      ctx.fillText(data.shown[i], labelW - 8, y + CELL_H / 2 + 5);
      ctx.font = FONT;
      ctx.textAlign = "center";
      data.cells[i].forEach(function (cell, j) {
        var x = labelW + j * CELL_W;
        ctx.beginPath();
        if (ctx.roundRect) { ctx.roundRect(x + 1, y + 1, CELL_W - 2, CELL_H - 2, 4); } else { ctx.rect(x + 1, y + 1, CELL_W - 2, CELL_H - 2); }
        ctx.fillStyle = cell[0];
        ctx.fill();
        if (cell[3]) { ctx.lineWidth = 3; ctx.strokeStyle = "#0b5e8e"; ctx.stroke(); }
        if (focus && focus[0] === i && focus[1] === j) {
          ctx.lineWidth = 3; ctx.strokeStyle = "#1b1f24"; ctx.setLineDash([4, 3]);
          ctx.strokeRect(x + 3, y + 3, CELL_W - 6, CELL_H - 6); ctx.setLineDash([]);
        }
        ctx.fillStyle = cell[4] ? "#ffffff" : "#1b1f24";
        ctx.fillText(cell[1], x + CELL_W / 2, y + CELL_H / 2 + 5);
      });
    });
  }

  function cellAt(canvas, data, event) {
    var box = canvas.getBoundingClientRect();
    var scale = box.width / Number(canvas.dataset.cssWidth || box.width);
    var x = (event.clientX - box.left) / scale - canvas._labelW;
    var y = (event.clientY - box.top) / scale - HEAD;
    var i = Math.floor(y / CELL_H), j = Math.floor(x / CELL_W);
    if (x < 0 || y < 0 || i >= data.rows.length || j >= data.columns.length) { return null; }
    return [i, j];
  }

  function setup(canvas) {
    var data;
    try { data = JSON.parse(canvas.getAttribute("data-heatmap")); } catch (e) { return; }
    if (!data.rows.length) { return; }
    var measure = canvas.getContext("2d");
    measure.font = ROW_FONT;
    var widest = 0;
    data.shown.forEach(function (name) { widest = Math.max(widest, measure.measureText(name).width); });
    canvas._labelW = Math.max(120, Math.ceil(widest) + 20);
    var live = document.getElementById(canvas.getAttribute("data-live"));
    var focus = null;
    var render = function () { draw(canvas, data, focus); };
    canvas.hidden = false;
    render();
    var table = document.getElementById(canvas.getAttribute("data-table"));
    if (table && table.hasAttribute("data-open-without-script")) { table.open = false; }

    canvas.addEventListener("mousemove", function (event) {
      var at = cellAt(canvas, data, event);
      canvas.title = at ? data.cells[at[0]][at[1]][2] : "";
    });
    canvas.addEventListener("focus", function () {
      if (!focus) { focus = [0, 0]; }
      render();
      if (live) { live.textContent = data.cells[focus[0]][focus[1]][2]; }
    });
    canvas.addEventListener("blur", function () { render(); });
    canvas.addEventListener("click", function (event) {
      var at = cellAt(canvas, data, event);
      if (at) { focus = at; render(); if (live) { live.textContent = data.cells[at[0]][at[1]][2]; } }
    });
    canvas.addEventListener("keydown", function (event) {
      if (!focus) { focus = [0, 0]; }
      var i = focus[0], j = focus[1], last = data.columns.length - 1;
      switch (event.key) {
        case "ArrowRight": j = Math.min(last, j + 1); break;
        case "ArrowLeft": j = Math.max(0, j - 1); break;
        case "ArrowDown": i = Math.min(data.rows.length - 1, i + 1); break;
        case "ArrowUp": i = Math.max(0, i - 1); break;
        case "Home": j = 0; break;
        case "End": j = last; break;
        default: return;
      }
      event.preventDefault();
      focus = [i, j];
      render();
      if (live) { live.textContent = data.cells[i][j][2]; }
    });
  }

  function start() {
    var canvases = document.querySelectorAll("canvas[data-heatmap]");
    for (var k = 0; k < canvases.length; k++) { setup(canvases[k]); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
