/* Popupstore: small enhancements on top of pages that work without JavaScript. */
(function () {
  "use strict";

  /* A form marked data-once submits once: a double tap on "Afrekenen" sends one request. */
  function guardDoubleSubmit() {
    document.querySelectorAll("form[data-once]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.dataset.submitted === "yes") {
          event.preventDefault();
          return;
        }
        form.dataset.submitted = "yes";
        form.querySelectorAll("button[type=submit]").forEach(function (button) {
          button.setAttribute("aria-disabled", "true");
          button.classList.add("is-busy");
          if (button.dataset.busyText) {
            button.textContent = button.dataset.busyText;
          }
        });
      });
    });
  }

  /* Parts marked data-live refresh themselves; the server answers 304 when nothing changed. */
  function keepLive() {
    document.querySelectorAll("[data-live]").forEach(function (region) {
      var url = region.dataset.live;
      var etag = null;
      var every = parseInt(region.dataset.liveSeconds || "10", 10) * 1000;
      function poll() {
        if (document.hidden) {
          return;
        }
        var headers = {"X-Requested-With": "fetch"};
        if (etag) {
          headers["If-None-Match"] = etag;
        }
        fetch(url, {headers: headers, cache: "no-store", credentials: "same-origin"})
          .then(function (response) {
            if (response.status === 200) {
              etag = response.headers.get("ETag");
              return response.text().then(function (html) {
                region.innerHTML = html;
              });
            }
            if (response.status === 404) {
              window.clearInterval(timer);
            }
            return null;
          })
          .catch(function () { /* offline for a moment: try again next round */ });
      }
      var timer = window.setInterval(poll, every);
    });
  }

  /* After a failed submit, move focus to the list of problems. */
  function focusErrors() {
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
    }
  }

  /* Feedback the moment a finger lands, before the next page arrives; CSS :active covers mice. */
  function showPresses() {
    var targets = ".button, .chip, .tile, .store-nav__link, .lang-switch__button";
    function release() {
      document.querySelectorAll(".is-pressed").forEach(function (element) {
        element.classList.remove("is-pressed");
      });
    }
    document.addEventListener("pointerdown", function (event) {
      var target = event.target.closest ? event.target.closest(targets) : null;
      if (target) {
        target.classList.add("is-pressed");
      }
    }, {passive: true});
    ["pointerup", "pointercancel", "pointerleave", "scroll"].forEach(function (name) {
      document.addEventListener(name, release, {passive: true, capture: true});
    });
    window.addEventListener("pageshow", release);
  }

  /* A print button appears only where printing can work. */
  function offerPrinting() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      var holder = button.closest("[data-print-actions]");
      if (holder) {
        holder.hidden = false;
      }
      button.addEventListener("click", function () {
        window.print();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    guardDoubleSubmit();
    keepLive();
    focusErrors();
    showPresses();
    offerPrinting();
  });
})();
