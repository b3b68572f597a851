/* Popupstore facilitator screens: live regions, pause, print and full screen.
   Every page works without this script; it only keeps the numbers fresh. */
(function () {
  "use strict";

  /* A region marked data-poll fetches its fragment every few seconds. The server answers
     304 while nothing changed (ETag), so an idle event costs almost nothing. */
  function keepFresh(region) {
    var url = region.dataset.poll;
    var every = Math.max(2, parseInt(region.dataset.pollSeconds || "5", 10)) * 1000;
    var etag = null;
    var paused = false;
    var busy = false;
    var toggle = document.querySelector('[data-poll-toggle="' + region.id + '"]');
    var status = document.querySelector('[data-poll-status="' + region.id + '"]');

    function poll() {
      if (paused || busy || document.hidden) {
        return;
      }
      busy = true;
      var headers = {"X-Requested-With": "fetch"};
      if (etag) {
        headers["If-None-Match"] = etag;
      }
      fetch(url, {headers: headers, cache: "no-store", credentials: "same-origin"})
        .then(function (response) {
          if (response.redirected || response.status === 401 || response.status === 403) {
            /* Logged out meanwhile: a full load shows the login form. */
            window.location.reload();
            return null;
          }
          if (response.status !== 200) {
            return null;
          }
          etag = response.headers.get("ETag");
          return response.text().then(function (html) {
            region.innerHTML = html;
            region.dispatchEvent(new CustomEvent("poll:updated", {bubbles: true}));
          });
        })
        .catch(function () { /* offline for a moment: the next round tries again */ })
        .then(function () { busy = false; });
    }

    if (toggle) {
      toggle.hidden = false;
      toggle.addEventListener("click", function () {
        paused = !paused;
        toggle.setAttribute("aria-pressed", paused ? "true" : "false");
        toggle.textContent = paused ? toggle.dataset.resumeText : toggle.dataset.pauseText;
        if (status) {
          status.classList.toggle("is-paused", paused);
        }
        if (!paused) {
          poll();
        }
      });
    }
    window.setInterval(poll, every);
  }

  function enablePrint() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  function enableFullscreen() {
    document.querySelectorAll("[data-fullscreen]").forEach(function (button) {
      if (!document.documentElement.requestFullscreen) {
        return;
      }
      button.hidden = false;
      button.addEventListener("click", function () {
        if (document.fullscreenElement) {
          document.exitFullscreen();
        } else {
          document.documentElement.requestFullscreen();
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-poll]").forEach(keepFresh);
    enablePrint();
    enableFullscreen();
  });
})();
