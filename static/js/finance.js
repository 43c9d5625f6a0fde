/* Finance: a "select all" box for the claims to pay and the live total of those ticked.
 *
 * Progressive enhancement only: without this script the page offers a "Tick all" link
 * (the server ticks every box) and the confirmation after paying gives the total.
 * Amounts come as whole minor units (cents) in data-amount, so the sum is exact.
 */
(function () {
  "use strict";

  function setUp(form) {
    var boxes = Array.prototype.slice.call(form.querySelectorAll('input[type="checkbox"][name="claims"]'));
    var selectAll = form.querySelector("[data-select-all]");
    var fallback = form.querySelector("[data-select-all-fallback]");
    var total = form.querySelector("[data-pay-total]");
    if (!boxes.length || !selectAll || !total) {
      return;
    }
    var allBox = selectAll.querySelector('input[type="checkbox"]');
    var digits = parseInt(form.getAttribute("data-digits"), 10) || 0;
    var format = new Intl.NumberFormat("en-GB", {
      style: "currency",
      currency: form.getAttribute("data-currency"),
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });

    function update() {
      var ticked = 0;
      var minor = 0;
      boxes.forEach(function (box) {
        if (box.checked) {
          ticked += 1;
          minor += parseInt(box.getAttribute("data-amount"), 10) || 0;
        }
      });
      allBox.checked = ticked === boxes.length;
      allBox.indeterminate = ticked > 0 && ticked < boxes.length;
      total.textContent =
        "Ticked: " + ticked + " of " + boxes.length + ", " + format.format(minor / Math.pow(10, digits));
    }

    allBox.addEventListener("change", function () {
      boxes.forEach(function (box) {
        box.checked = allBox.checked;
      });
      update();
    });
    boxes.forEach(function (box) {
      box.addEventListener("change", update);
    });
    selectAll.hidden = false;
    if (fallback) {
      fallback.hidden = true;
    }
    update();
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-pay-form]"), setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
