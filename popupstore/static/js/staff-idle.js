/* Staff pages on a shared screen: once the staff idle time has passed without a new page,
   reload. The server has logged the session out by then and shows the login page, so the
   next person at the tablet does not find a staff page open. */
(function () {
  "use strict";
  var script = document.currentScript;
  var seconds = parseInt((script && script.dataset.staffIdleSeconds) || "0", 10);
  if (!seconds) {
    return;
  }
  // A little margin so the server surely counts the session as idle.
  window.setTimeout(function () {
    window.location.reload();
  }, (seconds + 5) * 1000);
})();
