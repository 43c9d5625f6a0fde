/* A list page's filters open by themselves on a wide screen; on a phone they stay folded
 * (the server opens them when a filter has an error). Without this script they are one
 * click away on every screen.
 */
(function () {
  "use strict";

  if (!window.matchMedia("(min-width: 600px)").matches) {
    return;
  }
  Array.prototype.forEach.call(document.querySelectorAll("details[data-filter-box]"), function (box) {
    box.open = true;
  });
})();
