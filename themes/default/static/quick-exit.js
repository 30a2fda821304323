/* The quick exit (layout.html): without this script the button is a plain
 * link to the neutral page. With it, leaving replaces this page in the
 * history (Back does not return to the forum), and pressing Escape twice in
 * a row leaves too. Loaded from this site only (CSP script-src 'self'). */
(function () {
  "use strict";
  var link = document.getElementById("quick-exit");
  if (!link) return;
  function leave(event) {
    if (event) event.preventDefault();
    document.body.style.visibility = "hidden";
    window.location.replace(link.href);
  }
  link.addEventListener("click", leave);
  var escapes = 0;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" && event.key !== "Esc") {
      escapes = 0;
      return;
    }
    escapes += 1;
    if (escapes >= 2) leave(event);
  });
})();
