// Progressive enhancement for the board pack: a print button (the pages work fully without it).
(function () {
  "use strict";
  var printButton = document.getElementById("print-pack");
  if (printButton) {
    printButton.addEventListener("click", function () { window.print(); });
  }
})();
