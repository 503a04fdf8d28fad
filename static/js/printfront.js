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
})();
