// Behaviour that would otherwise be written inline: the Content-Security-Policy allows
// only scripts and styles served from our own static files, so pages carry data-*
// attributes and this file applies them (also to content htmx swaps in).
//   data-width="42"   → style.width = 42%   (bars)
//   data-depth="2"    → --depth: 2          (indented tree rows)
//   data-autosubmit   → a select submits its form when changed
//   data-menu-toggle  → a button opens and closes the menu (phones); Escape closes it
//   data-locate="Use my location" (on a latitude input) → a button that fills the
//                       form's latitude and longitude from the browser's location
//   data-board        → cards (data-card) dragged onto a column (data-stage) submit the
//                       card's own move form with that stage (the form works without it)
// When htmx swaps out the part of the page that holds the keyboard focus (the target
// grid after a cell is saved), the focus goes to the same control in the new content
// (by its id, else its name and accessible name, else its place among the controls) so
// a keyboard or screen reader user is not sent back to the top of the page. A link that
// loads content into another part of the page (an explanation under My performance)
// takes the focus there, to the new content's first heading, as following a link would.
// What is typed into that part of the page while its request is on the way (the next
// cell of the target grid, while the last one saves) is kept too: the new content's
// same control gets the text and the caret, and leaving it saves it as typing would.
// Background work polled into the page (a calculation run, an import, statements) marks
// its state with data-announce: when a swap changes that text, it is read out through the
// page's one live region (#announcer), which stays in place while the panels are
// replaced (a live region swapped in with its content is not announced).
// It also registers the service worker named by <meta name="attain-service-worker">.
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
    root.querySelectorAll("input[data-locate]").forEach(locateButton);
  }
  function locateButton(latitude) {
    if (latitude.hasAttribute("data-locate-ready") || !navigator.geolocation) return;
    var longitude = latitude.form && latitude.form.querySelector("input[name=longitude]");
    if (!longitude) return;
    latitude.setAttribute("data-locate-ready", "");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "locate";
    button.textContent = latitude.getAttribute("data-locate");
    button.addEventListener("click", function () {
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(function (position) {
        latitude.value = position.coords.latitude.toFixed(6);
        longitude.value = position.coords.longitude.toFixed(6);
        button.disabled = false;
      }, function () {
        button.disabled = false;
        button.classList.add("failed");
      }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
    });
    (latitude.closest("label") || latitude).insertAdjacentElement("afterend", button);
  }
  var worker = document.querySelector("meta[name=attain-service-worker]");
  if (worker && "serviceWorker" in navigator) {
    navigator.serviceWorker.register(worker.getAttribute("content"), { scope: "/" })
      .catch(function () {});  // no worker: pages still work, only slower offline
  }
  document.addEventListener("DOMContentLoaded", function () { apply(document); });
  document.addEventListener("htmx:load", function (event) { apply(event.target); });
  var CONTROLS = "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]";
  var focused = null;
  function key(el) {  // what names a control across a swap: a button's value says which
    var name = el.getAttribute("name"), label = el.getAttribute("aria-label");
    if (!name && !label) return "";
    var value = el.tagName === "BUTTON" ? el.getAttribute("value") : "";
    return [el.tagName, name, value, label].join("\u0000");
  }
  var TEXT = "input:not([type=hidden]):not([type=checkbox]):not([type=radio]), textarea";
  var sent = new WeakMap();  // request → the region's text controls and their values then
  var typed = [];  // text typed into the swapped region while its request was on the way
  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    if (!target || !event.detail.xhr) return;
    var values = new Map();
    target.querySelectorAll(TEXT).forEach(function (el) { values.set(el, el.value); });
    sent.set(event.detail.xhr, values);
  });
  function where(el, region) {  // a control's names, to find it again in new content
    return {
      id: el.getAttribute("id"),
      key: key(el),
      index: Array.prototype.indexOf.call(region.querySelectorAll(CONTROLS), el)
    };
  }
  function find(region, was) {
    var controls = Array.prototype.slice.call(region.querySelectorAll(CONTROLS));
    return (was.id && document.getElementById(was.id)) || (was.key && controls.filter(function (el) {
      return key(el) === was.key;
    })[0]) || (was.index >= 0 ? controls[was.index] : null);
  }
  document.addEventListener("htmx:beforeSwap", function (event) {
    var active = document.activeElement, target = event.detail.target;
    var before = event.detail.xhr && sent.get(event.detail.xhr);
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    typed = [];
    if (before && target && target.getAttribute("id")) {
      before.forEach(function (value, el) {
        if (el !== source && el.isConnected && el.value !== value) {
          var found = where(el, target);
          found.region = target.getAttribute("id");
          found.value = el.value;
          found.caret = el === active ? [el.selectionStart, el.selectionEnd] : null;
          typed.push(found);
        }
      });
    }
    focused = null;
    // getAttribute: a form's .id is its control named "id" when it has one (the designer)
    var region = target && target.getAttribute("id");
    if (!active || active === document.body || !region || !target.contains(active)) return;
    focused = where(active, target);
    focused.region = region;
  });
  function keepTyped() {  // put back what was typed during the request (see above)
    var kept = typed;
    typed = [];
    kept.forEach(function (was) {
      var region = document.getElementById(was.region);
      var el = region && find(region, was);
      if (!el || el.value === was.value || !el.matches(TEXT)) return;
      el.value = was.value;
      if (was.caret && document.activeElement === el && el.setSelectionRange) {
        try { el.setSelectionRange(was.caret[0], was.caret[1]); } catch (e) { /* no caret */ }
      }
      // set by script, leaving the control fires no change of its own: send one then,
      // unless typing on fired it already
      var changed = false;
      el.addEventListener("change", function () { changed = true; }, { once: true });
      el.addEventListener("blur", function () {
        if (!changed && el.value !== el.defaultValue) {
          el.dispatchEvent(new Event("change", { bubbles: true }));
        }
      }, { once: true });
    });
  }
  var announced = new Map();  // panel id → the state text last read out
  function announce(speak) {  // speak: false on the page's first look
    var announcer = document.getElementById("announcer");
    document.querySelectorAll("[data-announce]").forEach(function (el) {
      var holder = el.closest("[id]");
      if (!holder || !announcer) return;
      var id = holder.getAttribute("id"), text = el.textContent.replace(/\s+/g, " ").trim();
      if (text && announced.get(id) !== text) {
        if (speak) announcer.textContent = text;
        announced.set(id, text);
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { announce(false); });
  // (a swap replaces the panel: the event's target may be the element taken out)
  document.addEventListener("htmx:afterSettle", function () { announce(true); });
  document.addEventListener("htmx:afterSettle", function (event) {
    var link = event.detail.requestConfig && event.detail.requestConfig.elt;
    var target = event.detail.target;
    if (link && link.tagName === "A" && target && target.isConnected && !target.contains(link)) {
      var heading = target.querySelector("h1, h2, h3, h4") || target;
      if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
      heading.focus();
      focused = null;
      keepTyped();
      return;
    }
    var was = focused;
    focused = null;
    if (was && !(document.activeElement && document.activeElement !== document.body)) {
      var region = document.getElementById(was.region);
      var match = region && find(region, was);
      if (match) match.focus({ preventScroll: true });
    }
    keepTyped();
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-menu-toggle]");
    if (!button) return;
    var sidebar = button.closest(".sidebar");
    var open = sidebar.classList.toggle("menu-open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });
  // Escape closes the phone menu and gives the focus back to its button
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var sidebar = document.querySelector(".sidebar.menu-open");
    if (!sidebar) return;
    var button = sidebar.querySelector("[data-menu-toggle]");
    sidebar.classList.remove("menu-open");
    if (button) {
      button.setAttribute("aria-expanded", "false");
      button.focus();
    }
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
