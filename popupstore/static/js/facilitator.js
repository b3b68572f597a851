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

  /* The wall fits one screen: a list marked data-wall-pages that does not fit its panel is
     cut into pages that do, shown in turn. The pages are recut after every refresh and on a
     resize; the page shown goes on from where it was. */
  var PAGE_SECONDS = 8;
  var wallPages = {};

  function cutIntoPages(list) {
    var items = Array.prototype.slice.call(list.children);
    items.forEach(function (item) { item.hidden = false; });
    if (list.scrollHeight <= list.clientHeight + 1) {
      return [items];
    }
    var pages = [];
    var start = 0;
    while (start < items.length) {
      items.forEach(function (item, index) { item.hidden = index < start; });
      var bottom = list.getBoundingClientRect().top + list.clientHeight;
      var end = start + 1;
      while (end < items.length && items[end].getBoundingClientRect().bottom <= bottom + 1) {
        end += 1;
      }
      pages.push(items.slice(start, end));
      start = end;
    }
    return pages;
  }

  function showPage(list, state) {
    var shown = state.pages[state.index % state.pages.length];
    Array.prototype.forEach.call(list.children, function (item) {
      item.hidden = shown.indexOf(item) < 0;
    });
    var note = list.nextElementSibling;
    if (!note || !note.classList.contains("wall__page")) {
      note = document.createElement("p");
      note.className = "wall__page";
      list.parentNode.insertBefore(note, list.nextSibling);
    }
    note.hidden = state.pages.length < 2;
    var wall = list.closest("[data-page-word]");
    note.textContent = (wall ? wall.dataset.pageWord + " " : "") +
      (state.index % state.pages.length + 1) + " / " + state.pages.length;
  }

  function paginateWall() {
    if (!window.matchMedia("(min-width: 64rem) and (min-height: 36rem)").matches) {
      document.querySelectorAll("[data-wall-pages] > [hidden]").forEach(function (item) {
        item.hidden = false;
      });
      document.querySelectorAll(".wall__page").forEach(function (note) { note.hidden = true; });
      return;
    }
    document.querySelectorAll("[data-wall-pages]").forEach(function (list) {
      var key = list.className;
      var state = wallPages[key] || {index: 0};
      /* The page notes take room too: measure without them. */
      var note = list.nextElementSibling;
      if (note && note.classList.contains("wall__page")) {
        note.hidden = false;
        note.textContent = "\u00a0";
      }
      state.pages = cutIntoPages(list);
      wallPages[key] = state;
      showPage(list, state);
    });
  }

  function enableWallPages() {
    if (!document.querySelector(".wall")) {
      return;
    }
    paginateWall();
    document.addEventListener("poll:updated", paginateWall);
    var resizing = null;
    window.addEventListener("resize", function () {
      window.clearTimeout(resizing);
      resizing = window.setTimeout(paginateWall, 200);
    });
    window.setInterval(function () {
      Object.keys(wallPages).forEach(function (key) {
        var state = wallPages[key];
        var list = document.getElementsByClassName(key.split(" ")[0])[0];
        if (list && state.pages && state.pages.length > 1) {
          state.index = (state.index + 1) % state.pages.length;
          showPage(list, state);
        }
      });
    }, PAGE_SECONDS * 1000);
  }

  /* The round timer: one per event, kept by the server, so every screen shows the same
     round. The server says how many milliseconds are left; this counts down from there,
     takes each new state from the wall's refreshed fragment ([data-round]) and, on the
     facilitator's screen, sends the buttons and keys without leaving the page. */
  function enableRoundTimer(timer) {
    var display = timer.querySelector("[data-timer-display]");
    var form = timer.querySelector("[data-round-form]");
    var minutesInput = timer.querySelector("[data-timer-minutes]");
    var startButton = timer.querySelector("[data-timer-start]");
    var resetButton = timer.querySelector("[data-timer-reset]");
    var problem = timer.querySelector("[data-timer-problem]");
    var screenOnly = timer.hasAttribute("data-round-screen");
    var state = null;

    function apply(source) {
      var left = parseInt(source.left_ms !== undefined ? source.left_ms : source.dataset.roundLeft, 10);
      var kind = source.state || source.dataset.roundState;
      var version = parseInt(source.version !== undefined ? source.version : source.dataset.roundVersion, 10);
      /* A refresh that left before a press and arrives after it is older: keep the press. */
      if (state !== null && version < state.version) {
        return;
      }
      state = {
        version: version,
        kind: kind,
        minutes: parseInt(source.minutes || source.dataset.roundMinutes, 10),
        endsAt: kind === "running" ? Date.now() + left : null,
        left: left
      };
      /* What the server keeps, but never over what the facilitator is typing. */
      if (minutesInput && document.activeElement !== minutesInput) {
        minutesInput.value = state.minutes;
      }
      render();
    }

    function remaining() {
      return state.endsAt !== null ? Math.max(0, state.endsAt - Date.now()) : state.left;
    }

    function render() {
      var left = remaining();
      var running = state.endsAt !== null && left > 0;
      var over = state.kind === "over" || (state.endsAt !== null && left === 0);
      var seconds = Math.ceil(left / 1000);
      display.textContent = Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
      timer.classList.toggle("is-running", running);
      timer.classList.toggle("is-done", over);
      if (screenOnly) {
        timer.hidden = state.kind === "idle";
      }
      if (!form) {
        return;
      }
      minutesInput.disabled = running || state.kind === "paused";
      startButton.value = running ? "pause" : "start";
      if (running) {
        startButton.textContent = startButton.dataset.pauseText;
      } else if (state.kind === "paused") {
        startButton.textContent = startButton.dataset.resumeText;
      } else {
        startButton.textContent = startButton.dataset.startText;
      }
    }

    function send(action) {
      var body = new FormData(form);
      body.set("action", action);
      problem.hidden = true;
      /* Not form.action: the buttons are named "action", which shadows it. */
      fetch(form.getAttribute("action"), {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: {"Accept": "application/json", "X-Requested-With": "fetch"}
      })
        .then(function (response) {
          if ((response.headers.get("Content-Type") || "").indexOf("application/json") !== 0) {
            /* Logged out meanwhile: a full load shows the login form. */
            window.location.reload();
            return null;
          }
          return response.json().then(function (answer) {
            if (response.ok) {
              apply(answer);
            } else {
              problem.textContent = answer.message;
              problem.hidden = false;
            }
          });
        })
        .catch(function () {
          problem.textContent = form.dataset.offlineText;
          problem.hidden = false;
        });
    }

    apply(timer);
    if (form) {
      /* Before a round starts, the clock shows the length being typed; the server keeps
         it when the round starts (or is reset). */
      minutesInput.addEventListener("change", function () {
        var minutes = parseInt(minutesInput.value, 10);
        if (state.kind === "idle" && minutes >= 1 && minutes <= 90) {
          state.minutes = minutes;
          state.left = minutes * 60000;
        }
        render();
      });
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var button = event.submitter || startButton;
        send(button.value);
      });
      document.addEventListener("keydown", function (event) {
        if (event.target.closest("input, textarea, select, button, a") || event.ctrlKey || event.metaKey || event.altKey) {
          return;
        }
        if (event.key === " ") {
          event.preventDefault();
          send(startButton.value);
        } else if (event.key === "r" || event.key === "R") {
          send(resetButton.value);
        }
      });
    }
    document.addEventListener("poll:updated", function (event) {
      var fresh = event.target.querySelector("[data-round]");
      if (fresh) {
        apply(fresh);
      }
    });
    window.setInterval(render, 250);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-poll]").forEach(keepFresh);
    enablePrint();
    enableFullscreen();
    document.querySelectorAll("[data-round-timer]").forEach(enableRoundTimer);
    enableWallPages();
  });
})();
