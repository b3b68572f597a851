/* Kiosk mode (booth tablet only): after a quiet spell ask "Ben je er nog?", then start over.
   The server sends this file only to devices that staff put in kiosk mode, so a visitor's
   own phone never loses its basket to an idle timer. */
(function () {
  "use strict";

  var body = document.body;
  var idleSeconds = parseInt(body.dataset.idleSeconds || "60", 10);
  var warningSeconds = parseInt(body.dataset.warningSeconds || "20", 10);
  var startUrl = body.dataset.startUrl || "/";
  var dialog = document.getElementById("idle-dialog");
  var resetForm = dialog ? dialog.querySelector("form[data-idle-reset]") : null;
  var continueButton = dialog ? dialog.querySelector("[data-idle-continue]") : null;
  var countOut = dialog ? dialog.querySelector("[data-idle-count]") : null;
  var idleTimer = null;
  var countdownTimer = null;
  var left = warningSeconds;
  var returnFocus = null;
  var resetting = false;

  if (!dialog || !resetForm || !continueButton) {
    return;
  }

  function startOver() {
    if (resetting) {
      return;
    }
    resetting = true;
    window.clearInterval(countdownTimer);
    var done = function () {
      /* replace(): the visitor's last page leaves the history, so "back" cannot show it. */
      window.location.replace(startUrl);
    };
    if (window.fetch) {
      fetch(resetForm.action, {
        method: "POST",
        body: new FormData(resetForm),
        credentials: "same-origin",
        redirect: "manual",
        cache: "no-store"
      }).then(done, done);
    } else {
      resetForm.submit();
    }
  }

  function tick() {
    left -= 1;
    if (countOut) {
      countOut.textContent = String(Math.max(left, 0));
    }
    if (left <= 0) {
      startOver();
    }
  }

  function warn() {
    left = warningSeconds;
    if (countOut) {
      countOut.textContent = String(left);
    }
    returnFocus = document.activeElement;
    dialog.showModal();
    continueButton.focus();
    countdownTimer = window.setInterval(tick, 1000);
  }

  function carryOn() {
    window.clearInterval(countdownTimer);
    if (dialog.open) {
      dialog.close();
    }
    if (returnFocus && returnFocus.focus) {
      returnFocus.focus();
    }
    armIdleTimer();
  }

  function armIdleTimer() {
    window.clearTimeout(idleTimer);
    idleTimer = window.setTimeout(warn, idleSeconds * 1000);
  }

  function activity() {
    if (!dialog.open && !resetting) {
      armIdleTimer();
    }
  }

  ["pointerdown", "keydown", "scroll", "wheel", "touchstart", "input"].forEach(function (name) {
    document.addEventListener(name, activity, {passive: true, capture: true});
  });

  continueButton.addEventListener("click", carryOn);
  resetForm.addEventListener("submit", function (event) {
    event.preventDefault();
    startOver();
  });
  /* Escape means "I am still here". */
  dialog.addEventListener("cancel", function (event) {
    event.preventDefault();
    carryOn();
  });
  /* Keep Tab inside the dialog while it is open. */
  dialog.addEventListener("keydown", function (event) {
    if (event.key !== "Tab") {
      return;
    }
    var focusable = dialog.querySelectorAll("button:not([disabled])");
    var first = focusable[0];
    var last = focusable[focusable.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  });
  /* A page brought back from the back/forward cache may hold the previous visitor's data. */
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      window.location.reload();
    }
  });

  armIdleTimer();
})();
