/* Catalog: "Copy" buttons next to product UIDs.
   <button data-copy="ID" data-copied="Copied" data-select="Press Ctrl+C" hidden> copies the text
   of the element with that id. Where the clipboard API is missing or refused (plain http, an
   old browser), the text is selected so the person can copy it themselves. */
(function () {
  "use strict";

  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function say(button, text) {
    var status = button.parentNode.querySelector(".copy-status");
    if (status) status.textContent = text;
  }

  function fallback(button, element) {
    selectText(element);
    var copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    say(button, copied ? button.getAttribute("data-copied") : button.getAttribute("data-select"));
  }

  var buttons = document.querySelectorAll("button[data-copy]");
  Array.prototype.forEach.call(buttons, function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var element = document.getElementById(button.getAttribute("data-copy"));
      if (!element) return;
      var text = element.textContent.trim();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(
          function () {
            selectText(element);
            say(button, button.getAttribute("data-copied"));
          },
          function () {
            fallback(button, element);
          }
        );
      } else {
        fallback(button, element);
      }
    });
  });
})();
