/* csops: offline stand-ins for CDN libraries GX's Data Docs call (see csops/quality/data_docs.py). */
(function () {
  "use strict";

  if (typeof window.vegaEmbed !== "function") {
    window.vegaEmbed = function (target) {
      var element = typeof target === "string" ? document.querySelector(target) : target;
      if (element) {
        element.textContent = "(chart not available offline)";
        element.className += " text-muted small";
      }
      return Promise.resolve({});
    };
  }

  var $ = window.jQuery;
  if (!$ || $.fn.bootstrapTable) {
    return;
  }

  function named(value) {
    if (typeof value === "function") return value;
    if (typeof value === "string" && typeof window[value] === "function") return window[value];
    return null;
  }

  function truthy(value) {
    return value === true || value === "true";
  }

  function compare(a, b) {
    if (a === b) return 0;
    if (a === undefined || a === null) return -1;
    if (b === undefined || b === null) return 1;
    if (typeof a === "number" && typeof b === "number") return a < b ? -1 : 1;
    return String(a).localeCompare(String(b));
  }

  function sortKey(columns, field) {
    for (var i = 0; i < columns.length; i++) {
      if (columns[i].field === field) return columns[i].sortName || field;
    }
    return field;
  }

  function renderBody($table, state) {
    var options = state.options;
    var columns = options.columns || [];
    var rows = (options.data || []).slice();
    if (state.sortField) {
      var key = sortKey(columns, state.sortField);
      var direction = state.sortOrder === "desc" ? -1 : 1;
      rows.sort(function (a, b) { return direction * compare(a[key], b[key]); });
    }
    var rowAttributes = named(options.rowAttributes);
    var rowStyle = named(options.rowStyle);
    var $body = $("<tbody></tbody>");
    rows.forEach(function (row, index) {
      var $row = $("<tr></tr>");
      var attributes = rowAttributes ? rowAttributes(row, index) || {} : {};
      Object.keys(attributes).forEach(function (name) {
        if (name === "class") $row.addClass(attributes[name]);
        else $row.attr(name, attributes[name]);
      });
      var style = rowStyle ? rowStyle(row, index) || {} : {};
      if (style.css) $row.css(style.css);
      if (style.classes) $row.addClass(style.classes);
      columns.forEach(function (column) {
        var value = row[column.field];
        var $cell = $("<td></td>").html(value === undefined || value === null ? "" : String(value));
        if (column.align) $cell.css("text-align", column.align);
        $row.append($cell);
      });
      $row.on("click", function (event) {
        if ($(event.target).closest("a, button, input, select").length) return;
        var field = columns[$(event.target).closest("td").index()];
        $table.trigger("click-row.bs.table", [row, $row, field ? field.field : undefined]);
      });
      $body.append($row);
    });
    $table.children("tbody").remove();
    $table.append($body);
    $table.find("> thead th[data-field]").each(function () {
      var $header = $(this);
      var sorted = $header.attr("data-field") === state.sortField;
      $header.find(".csops-sort").text(sorted ? (state.sortOrder === "desc" ? " \u25BC" : " \u25B2") : "");
    });
  }

  $.fn.bootstrapTable = function (options) {
    if (typeof options === "string") {
      return this;  // methods of the real plugin (clearFilterControl, resetSearch, ...): nothing to do
    }
    return this.each(function () {
      var $table = $(this);
      var state = {
        options: $.extend({}, options),
        sortField: options && options.sortName,
        sortOrder: (options && options.sortOrder) || "asc"
      };
      // Search and filter controls need the real plugin; a toolbar of dead buttons would mislead.
      if (state.options.toolbar) $(state.options.toolbar).hide();
      $table.addClass("table table-bordered table-hover");
      var $headRow = $("<tr></tr>");
      (state.options.columns || []).forEach(function (column) {
        var $header = $("<th></th>").attr("data-field", column.field).text(column.title || "");
        if (column.align) $header.css("text-align", column.align);
        if (truthy(column.sortable)) {
          $header.css("cursor", "pointer").attr("title", "Sort").append($('<span class="csops-sort"></span>'));
          $header.on("click", function () {
            if (state.sortField === column.field) {
              state.sortOrder = state.sortOrder === "asc" ? "desc" : "asc";
            } else {
              state.sortField = column.field;
              state.sortOrder = "asc";
            }
            renderBody($table, state);
          });
        }
        $headRow.append($header);
      });
      $table.empty().append($("<thead></thead>").append($headRow));
      renderBody($table, state);
    });
  };
})();
