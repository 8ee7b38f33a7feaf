/* Kopdes form steps, a progressive enhancement: the page works without it.
   1. A step that comes back with errors: focus the error summary; its links focus the field.
   2. Mirror the server's "show only when" conditions on fields of the same step, live.
      The server still decides what is kept (forms/schema.py Condition.holds); this only hides
      what it would drop. A field the server sent back with an error is never hidden on load. */
(function () {
  "use strict";
  var summary = document.getElementById("errors");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var target = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!target || !/^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) return;
      event.preventDefault();
      (target.closest(".field, td") || target).scrollIntoView();
      target.focus({ preventScroll: true });
    });
  }

  var shown = document.querySelectorAll("[data-when]");
  if (!shown.length) return;
  var form = shown[0].closest("form");

  function read(name, kind) {
    var values = [];
    form.querySelectorAll("[name='" + name + "']").forEach(function (el) {
      if (el.type === "radio" || el.type === "checkbox") {
        if (el.checked) values.push(el.value);
      } else if (el.type !== "hidden") {
        values.push(el.value.trim());
      }
    });
    return kind === "list" ? values : values[0] || "";
  }

  // An answer as typed: 1.500.000 or 1,5 (Indonesian) or 1.5; Rp and ",-" allowed.
  function answerNumber(text) {
    text = text.replace(/^rp\.?\s*/i, "").replace(/\s/g, "").replace(/,-$/, "");
    if (text.indexOf(",") >= 0) text = text.replace(/\./g, "").replace(",", ".");
    else if (!/^-?\d*\.\d{1,2}$/.test(text)) text = text.replace(/\./g, "");
    return /^-?\d+(\.\d+)?$/.test(text) ? parseFloat(text) : NaN;
  }

  // A value as the admin wrote it (schema._number): a comma or two dots make it Indonesian.
  function expectedNumber(text) {
    text = text.trim();
    if (text.indexOf(",") >= 0 || text.split(".").length > 2) {
      text = text.replace(/\./g, "").replace(",", ".");
    }
    return /^-?\d+(\.\d+)?$/.test(text) ? parseFloat(text) : NaN;
  }

  function compare(op, a, b) {
    switch (op) {
      case "eq": return a === b;
      case "ne": return a !== b;
      case "gt": return a > b;
      case "gte": return a >= b;
      case "lt": return a < b;
      case "lte": return a <= b;
    }
    return false;
  }

  function holds(el) {
    var op = el.dataset.whenOp, kind = el.dataset.whenKind, expected = el.dataset.whenValue;
    var current = read(el.dataset.when, kind);
    var number = kind === "number" ? answerNumber(current) : NaN;
    // As on the server: nothing, an unreadable number, "no" and zero count as empty.
    var empty = kind === "list" ? !current.length
      : kind === "number" ? isNaN(number) || number === 0
      : current === "" || (kind === "bool" && current === "no");
    if (op === "filled") return !empty;
    if (op === "empty") return empty;
    if (kind === "list" ? !current.length : current === "") return false;
    if (kind === "number" && isNaN(number)) return false;
    var options = expected.split(",").map(function (v) { return v.trim(); });
    if (op === "in") {
      if (kind === "list") return current.some(function (v) { return options.indexOf(v) >= 0; });
      return options.indexOf(kind === "number" ? String(number) : current) >= 0;
    }
    if (kind === "list") {
      if (op === "eq") return current.indexOf(expected) >= 0;
      if (op === "ne") return current.indexOf(expected) < 0;
      return false;
    }
    if (kind === "number") {
      var limit = expectedNumber(expected);
      return !isNaN(limit) && compare(op, number, limit);
    }
    return compare(op, current, expected);
  }

  function hiddenController(el) {
    var controller = document.getElementById("field-" + el.dataset.when);
    return !controller || controller.hidden;
  }

  function update(first) {
    // A condition may hang on a field that is itself conditional: repeat until nothing changes.
    for (var pass = 0, changed = true; changed && pass < shown.length; pass++) {
      changed = false;
      shown.forEach(function (el) {
        var hide = hiddenController(el) || !holds(el);
        if (first && el.querySelector(".errorlist")) hide = false;
        if (el.hidden !== hide) {
          el.hidden = hide;
          changed = true;
        }
      });
    }
  }

  update(true);
  form.addEventListener("input", function () { update(false); });
  form.addEventListener("change", function () { update(false); });
})();
