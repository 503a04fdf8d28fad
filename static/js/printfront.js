/* Printfront: small progressive enhancements. No dependencies; load with defer. */
(function () {
  "use strict";

  // 1. Mobile navigation: .nav-toggle opens/closes aside.sidebar.
  var toggle = document.querySelector(".nav-toggle");
  var sidebar = document.querySelector("aside.sidebar");

  function setOpen(open) {
    sidebar.classList.toggle("is-open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  }

  if (toggle && sidebar) {
    if (sidebar.id) toggle.setAttribute("aria-controls", sidebar.id);
    toggle.addEventListener("click", function () {
      setOpen(!sidebar.classList.contains("is-open"));
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && sidebar.classList.contains("is-open")) {
        setOpen(false);
        toggle.focus();
      }
    });
    // Tabbing out of the open menu closes it: the focus never goes on behind the dimmed page.
    sidebar.addEventListener("focusout", function (event) {
      var next = event.relatedTarget;
      if (next && !sidebar.contains(next) && !toggle.contains(next) && sidebar.classList.contains("is-open")) setOpen(false);
    });
    // A click on the dimmed page closes the menu without activating what is under it.
    document.addEventListener("click", function (event) {
      if (!sidebar.classList.contains("is-open")) return;
      if (sidebar.contains(event.target) || toggle.contains(event.target)) return;
      event.preventDefault();
      event.stopPropagation();
      setOpen(false);
    }, true);
  }

  // 2. <form data-confirm="Really?"> asks before submitting.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });

  // 3. Status that htmx brings is read out once, when it changes: the text of each [data-status]
  // element that a swap changed goes to the page's one live region (#announcer). A live region
  // that the swap itself replaces is not reliably heard, and one that every poll re-creates
  // would repeat itself. A status is known by the id of its part and its place in it.
  var announcer = document.getElementById("announcer");

  function statuses() {
    var found = {};
    var places = {};
    document.querySelectorAll("[data-status]").forEach(function (element) {
      var part = element.closest("[id]");
      var id = part ? part.id : "";
      places[id] = (places[id] || 0) + 1;
      found[id + "#" + places[id]] = element.textContent.replace(/\s+/g, " ").trim();
    });
    return found;
  }

  if (announcer) {
    var heard = statuses();
    document.addEventListener("htmx:afterSettle", function () {
      var now = statuses();
      var news = Object.keys(now).filter(function (key) {
        return now[key] && now[key] !== heard[key];
      }).map(function (key) { return now[key]; });
      heard = now;
      if (news.length) announcer.textContent = news.join(" ");
    });
  }

  // 4. A swap that replaces the focused control would drop the focus to the page's start (htmx
  // keeps it only on a control with an id). It goes to the same control in the new part, or,
  // where that is gone (a button used up), to the part itself, so Tab goes on from there.
  var FOCUSABLE = "a[href], button, input, select, textarea, [tabindex]";
  var kept = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var part = event.detail.target;
    var active = document.activeElement;
    kept = part.id && active && !active.id && part.contains(active) ? { part: part.id, html: active.outerHTML } : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    var was = kept;
    kept = null;
    var part = was && document.getElementById(was.part);
    if (!part || (document.activeElement && document.activeElement !== document.body)) return;
    var same = Array.prototype.filter.call(part.querySelectorAll(FOCUSABLE), function (element) {
      return element.outerHTML === was.html;
    })[0];
    if (!same) part.tabIndex = -1;
    (same || part).focus();
  });
})();
