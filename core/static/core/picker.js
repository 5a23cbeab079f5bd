/* Koepel's pickers on Tom Select (core/static/vendor/tom-select, Apache-2.0, no build step);
 * loaded with picker_assets() of core/macros.html, after tom-select.complete.min.js.
 *
 * select[data-search-url]: the select lists only the chosen option(s) (a large organisation); typing
 *   asks the tenant-scoped JSON endpoint (?q=, 2 to 100 characters, plus data-search-params), whose
 *   {results: [{id, name, detail}]} show what tells look-alikes apart (a family's children and
 *   address, a location's municipality and care type). The server decides what matches (a family
 *   found by a child's last name too), so the options shown are exactly those it returned.
 * select[data-picker]: every option is in the page (a filter, its text "name (details)"); typing
 *   searches their text. Without JavaScript both stay plain selects.
 * The select stays the form's field. Labels (label[for]), arrow keys, Enter and Escape are Tom
 * Select's (a combobox with a listbox); data-search-placeholder, -empty and -remove give the words.
 * A single select whose empty choice is "0" (a form's "—") posts "0" when nothing is chosen. */
(function () {
  "use strict";
  if (typeof TomSelect === "undefined") { return; }  /* the plain select stays */

  function template(escape, data) {
    return "<div>" + escape(data.text) + (data.detail ? "<small>" + escape(data.detail) + "</small>" : "") + "</div>";
  }

  function enhance(select) {
    var words = select.dataset, remote = Boolean(words.searchUrl), found = {};
    var zero = select.multiple || !remote ? null : select.querySelector('option[value="0"]');
    if (zero) {  /* Tom Select's empty choice is "": shown empty, "0" posted again (never listed) */
      var blank = new Option("", "");
      select.insertBefore(blank, select.firstChild);
      if (zero.selected) { blank.selected = true; }
      if (select.form) { select.form.addEventListener("submit", function () { if (!select.value) { zero.selected = true; } }); }
    }
    var settings = {
      valueField: "value", labelField: "text", searchField: ["text", "detail"],
      placeholder: words.searchPlaceholder || "", allowEmptyOption: !remote, maxOptions: 50,
      /* a remove button where nothing may be chosen; a filter's "every location" is one of its options */
      plugins: select.multiple || (remote && (zero || select.querySelector('option[value=""]'))) ?
        { remove_button: { title: words.searchRemove || "x", label: "×" } } : [],
      render: {
        option: function (data, escape) { return template(escape, data); },
        item: function (data, escape) {  /* the chosen one keeps what tells it apart */
          return "<div>" + escape(data.text + (data.detail ? " (" + data.detail + ")" : "")) + "</div>";
        },
        no_results: function () { return '<div class="no-results">' + (words.searchEmpty || "-").replace(/</g, "&lt;") + "</div>"; },
        not_loading: function () { return ""; }
      }
    };
    if (remote) {
      Object.assign(settings, {
        loadThrottle: 200,
        shouldLoad: function (query) { return query.trim().length >= 2; },
        /* only what the server returned for this query, in its order (it sorts by name) */
        score: function (query) {
          return function (item) { var ids = found[query]; return ids && ids.indexOf(String(item.value)) >= 0 ? 1 : 0; };
        },
        sortField: [{ field: "$score", direction: "desc" }, { field: "text" }],
        load: function (query, callback) {
          var params = words.searchParams ? "&" + words.searchParams : "";
          fetch(words.searchUrl + "?q=" + encodeURIComponent(query.trim()) + params,
                { credentials: "same-origin", headers: { Accept: "application/json" } })
            .then(function (r) { return r.ok ? r.json() : { results: [] }; })
            .then(function (data) {
              var options = (data.results || []).map(function (item) {
                return { value: String(item.id), text: item.name, detail: item.detail || "" };
              });
              found[query] = options.map(function (o) { return o.value; });
              callback(options);
            })
            .catch(function () { found[query] = []; callback(); });
        }
      });
    }
    var picker = new TomSelect(select, settings);
    /* the label now names the search box, which takes the hint or error too; the hidden select
       (out of the tab order) is left out of the accessibility tree, so one combobox is announced */
    select.setAttribute("aria-hidden", "true");
    var label = document.querySelector('label[for="' + picker.control_input.id + '"]');
    if (label) {
      label.id = label.id || select.id + "-label";
      select.setAttribute("aria-labelledby", label.id);
    }
    if (select.getAttribute("aria-describedby")) {
      picker.control_input.setAttribute("aria-describedby", select.getAttribute("aria-describedby"));
    }
    return picker;
  }

  document.querySelectorAll("select[data-search-url], select[data-picker]").forEach(function (select) {
    if (!select.tomselect) { enhance(select); }
  });
})();
