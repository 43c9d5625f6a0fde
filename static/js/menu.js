/* The header's Menu button on a phone: shows and hides both navigations.
 *
 * Progressive enhancement: the button is rendered `hidden` and the navigations visible;
 * only this script shows the button and lets the stylesheet fold the navigations behind
 * it (the `has-menu` class, and only below 600 px). Without it, the links are all there.
 */
(function () {
  "use strict";

  var header = document.querySelector(".site-header");
  var button = header && header.querySelector(".menu-button");
  var menu = button && document.getElementById(button.getAttribute("aria-controls"));
  if (!menu) {
    return;
  }

  function setOpen(open, moveFocus) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    header.classList.toggle("menu-open", open);
    if (open && moveFocus) {
      var first = menu.querySelector("a, button");
      if (first) {
        first.focus();
      }
    }
  }

  button.hidden = false;
  header.classList.add("has-menu");
  button.addEventListener("click", function () {
    setOpen(button.getAttribute("aria-expanded") !== "true", true);
  });
  // A tap on the page below closes the menu, as it would on any phone app.
  document.addEventListener("click", function (event) {
    if (button.getAttribute("aria-expanded") === "true" && !header.contains(event.target)) {
      setOpen(false, false);
    }
  });
  header.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      setOpen(false, false);
      button.focus();
    }
  });
})();
