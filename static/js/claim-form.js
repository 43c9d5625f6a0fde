// The claim form: the amount charged in the home currency is asked only for a purchase in
// another currency. Without this script the field is always there, with a hint saying so;
// with it, the field is hidden while the home currency is picked, and marked required when
// shown. The server checks the same rule either way (services.check_claim).
(function () {
  "use strict";
  var amount = document.querySelector("input[data-home-currency]");
  var currency = amount && amount.form ? amount.form.elements.namedItem("currency") : null;
  if (!amount || !currency) {
    return;
  }
  var field = amount.closest(".field") || amount.parentElement;
  var home = amount.getAttribute("data-home-currency");

  function update() {
    var other = currency.value !== home;
    field.hidden = !other;
    amount.required = other;
  }

  currency.addEventListener("change", update);
  update();
})();
