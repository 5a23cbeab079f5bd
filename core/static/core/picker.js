/* Search-as-you-type for a <select data-search-url> (multiple or single): Koepel's own small
 * component, no build step. The select stays the form's field (hidden, its chosen options are what
 * is posted); a search box asks the JSON endpoint (?q=, at least 2 characters, plus the select's
 * data-search-params) for matches that show what tells look-alikes apart (a family's children and
 * address, a child's date of birth and family, a location's municipality and care type). Arrow keys
 * and Enter choose, Escape closes. A single select keeps one choice: a new one replaces it, and
 * removing it falls back to its empty option (value "" or "0") when it has one. */
(function () {
  "use strict";
  function enhance(select) {
    var wrap = document.createElement("div"), chips = document.createElement("ul");
    var input = document.createElement("input"), list = document.createElement("ul");
    var listId = select.id + "-results", timer = null, active = -1, items = [];
    wrap.className = "picker"; chips.className = "picker-chosen"; list.className = "picker-results";
    list.id = listId; list.setAttribute("role", "listbox"); list.hidden = true;
    input.type = "search"; input.autocomplete = "off"; input.placeholder = select.dataset.searchPlaceholder || "";
    input.setAttribute("role", "combobox"); input.setAttribute("aria-controls", listId);
    input.setAttribute("aria-expanded", "false"); input.setAttribute("aria-autocomplete", "list");
    var label = document.querySelector('label[for="' + select.id + '"]');
    if (label) { input.id = select.id + "-search"; label.htmlFor = input.id; }
    if (select.getAttribute("aria-describedby")) { input.setAttribute("aria-describedby", select.getAttribute("aria-describedby")); }
    select.hidden = true; select.parentNode.insertBefore(wrap, select.nextSibling);
    wrap.appendChild(chips); wrap.appendChild(input); wrap.appendChild(list);
    var single = !select.multiple, empty = null;
    function isEmpty(o) { return o.value === "" || o.value === "0"; }
    function chip(option) {
      var li = document.createElement("li"), button = document.createElement("button");
      li.textContent = option.textContent + " "; button.type = "button"; button.className = "link";
      button.textContent = select.dataset.searchRemove || "x";
      button.setAttribute("aria-label", (select.dataset.searchRemove || "x") + ": " + option.textContent);
      button.addEventListener("click", function () {
        option.remove(); li.remove(); if (empty) { empty.selected = true; } input.focus();
      });
      li.appendChild(button); chips.appendChild(li);
    }
    Array.prototype.slice.call(select.options).forEach(function (o) {
      if (single && isEmpty(o) && !empty) { empty = o; return; }  /* kept, never shown as a choice */
      if (o.selected && !(single && isEmpty(o))) { chip(o); } else { o.remove(); }
    });
    function close() { list.hidden = true; input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant"); active = -1; }
    function choose(item) {
      var known = Array.prototype.some.call(select.options, function (o) { return o.value === String(item.id); });
      if (!known) {
        if (single) {  /* one choice: the new one replaces the old */
          Array.prototype.slice.call(select.options).forEach(function (o) { if (o !== empty) { o.remove(); } });
          chips.textContent = "";
        }
        var option = new Option(item.name + (item.detail ? " (" + item.detail + ")" : ""), item.id, true, true);
        select.add(option); option.selected = true; chip(option);
      }
      input.value = ""; close(); input.focus();
    }
    function mark(index) {
      var nodes = list.querySelectorAll("[role=option]");
      if (!nodes.length) { return; }
      active = (index + nodes.length) % nodes.length;
      Array.prototype.forEach.call(nodes, function (n, i) { n.setAttribute("aria-selected", i === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", nodes[active].id);
    }
    function show(results) {
      list.textContent = ""; items = results; active = -1;
      if (!results.length) {
        var none = document.createElement("li"); none.textContent = select.dataset.searchEmpty || "-"; list.appendChild(none);
      }
      results.forEach(function (item, i) {
        var li = document.createElement("li"), small = document.createElement("small");
        li.id = listId + "-" + i; li.setAttribute("role", "option"); li.setAttribute("aria-selected", "false");
        li.textContent = item.name; small.textContent = item.detail || ""; li.appendChild(small);
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(item); });
        list.appendChild(li);
      });
      list.hidden = false; input.setAttribute("aria-expanded", "true");
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2) { close(); return; }
      timer = setTimeout(function () {
        var params = select.dataset.searchParams ? "&" + select.dataset.searchParams : "";
        fetch(select.dataset.searchUrl + "?q=" + encodeURIComponent(q) + params, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { results: [] }; })
          .then(function (data) { if (input.value.trim() === q) { show(data.results || []); } })
          .catch(close);
      }, 200);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") { e.preventDefault(); mark(active + 1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); mark(active - 1); }
      else if (e.key === "Enter") { if (!list.hidden && active >= 0) { e.preventDefault(); choose(items[active]); } }
      else if (e.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }
  document.querySelectorAll("select[data-search-url]").forEach(enhance);
})();
