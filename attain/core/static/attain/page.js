// Behaviour that would otherwise be written inline: the Content-Security-Policy allows
// only scripts and styles served from our own static files, so pages carry data-*
// attributes and this file applies them (also to content htmx swaps in).
//   data-width="42"   → style.width = 42%   (bars)
//   data-depth="2"    → --depth: 2          (indented tree rows)
//   data-autosubmit   → a select submits its form when changed
//   data-menu-toggle  → a button opens and closes the menu (phones)
//   data-board        → cards (data-card) dragged onto a column (data-stage) submit the
//                       card's own move form with that stage (the form works without it)
(function () {
  "use strict";
  function apply(root) {
    root.querySelectorAll("[data-width]").forEach(function (el) {
      var width = parseFloat(el.getAttribute("data-width"));
      el.style.width = (isFinite(width) ? Math.max(0, Math.min(width, 100)) : 0) + "%";
    });
    root.querySelectorAll("[data-depth]").forEach(function (el) {
      el.style.setProperty("--depth", String(parseInt(el.getAttribute("data-depth"), 10) || 0));
    });
  }
  document.addEventListener("DOMContentLoaded", function () { apply(document); });
  document.addEventListener("htmx:load", function (event) { apply(event.target); });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-menu-toggle]");
    if (!button) return;
    var sidebar = button.closest(".sidebar");
    var open = sidebar.classList.toggle("menu-open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("[data-autosubmit]") && target.form) {
      target.form.submit();
    }
  });
  var dragged = null;
  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest("[data-board] [data-card]");
    if (!card) return;
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.getAttribute("data-card"));
  });
  document.addEventListener("dragend", function () {
    dragged = null;
    document.querySelectorAll(".drop-target").forEach(function (el) { el.classList.remove("drop-target"); });
  });
  document.addEventListener("dragover", function (event) {
    var column = dragged && event.target.closest && event.target.closest("[data-board] [data-stage]");
    if (!column || column.contains(dragged)) return;
    event.preventDefault();
    column.classList.add("drop-target");
  });
  document.addEventListener("dragleave", function (event) {
    var column = event.target.closest && event.target.closest("[data-stage]");
    if (column && !column.contains(event.relatedTarget)) column.classList.remove("drop-target");
  });
  document.addEventListener("drop", function (event) {
    var column = dragged && event.target.closest && event.target.closest("[data-board] [data-stage]");
    if (!column || column.contains(dragged)) return;
    event.preventDefault();
    var form = dragged.querySelector("form");
    if (!form) return;
    form.elements.stage.value = column.getAttribute("data-stage");
    if (column.getAttribute("data-needs-reason") && !form.elements.reason.value.trim()) {
      var board = column.closest("[data-board]");
      var reason = window.prompt(board.getAttribute("data-reason-prompt") || "");
      if (reason === null) return;
      form.elements.reason.value = reason;
    }
    form.submit();
  });
})();
