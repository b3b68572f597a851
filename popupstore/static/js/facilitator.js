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

  /* The round timer: started, paused and reset by the facilitator, in this browser only. It
     keeps its state in localStorage, so a reload (or the wall's login) does not lose it. */
  function enableRoundTimer(timer) {
    var display = timer.querySelector("[data-timer-display]");
    var minutesInput = timer.querySelector("[data-timer-minutes]");
    var startButton = timer.querySelector("[data-timer-start]");
    var resetButton = timer.querySelector("[data-timer-reset]");
    var storageKey = "popupstore-round-" + timer.dataset.timerKey;
    var state = {minutes: parseInt(minutesInput.value, 10) || 20, endsAt: null, left: null};

    try {
      var saved = JSON.parse(window.localStorage.getItem(storageKey) || "null");
      if (saved && typeof saved.minutes === "number") {
        state = saved;
      }
    } catch (error) { /* no storage (private mode): the timer still works until a reload */ }

    function save() {
      try {
        window.localStorage.setItem(storageKey, JSON.stringify(state));
      } catch (error) { /* see above */ }
    }

    function remaining() {
      if (state.endsAt !== null) {
        return Math.max(0, state.endsAt - Date.now());
      }
      return state.left !== null ? state.left : state.minutes * 60000;
    }

    function render() {
      var left = remaining();
      var seconds = Math.ceil(left / 1000);
      display.textContent = Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
      var running = state.endsAt !== null && left > 0;
      timer.classList.toggle("is-running", running);
      timer.classList.toggle("is-done", left === 0);
      /* Never while the facilitator types: this runs four times a second. */
      if (document.activeElement !== minutesInput) {
        minutesInput.value = state.minutes;
      }
      minutesInput.disabled = state.endsAt !== null || state.left !== null;
      if (running) {
        startButton.textContent = startButton.dataset.pauseText;
      } else if (state.left !== null && left > 0) {
        startButton.textContent = startButton.dataset.resumeText;
      } else {
        startButton.textContent = startButton.dataset.startText;
      }
    }

    function startOrPause() {
      if (state.endsAt !== null && remaining() > 0) {
        state.left = remaining();
        state.endsAt = null;
      } else if (remaining() > 0) {
        state.endsAt = Date.now() + remaining();
        state.left = null;
      }
      save();
      render();
    }

    function reset() {
      state.endsAt = null;
      state.left = null;
      save();
      render();
    }

    minutesInput.addEventListener("change", function () {
      var minutes = parseInt(minutesInput.value, 10);
      if (minutes >= 1 && minutes <= 90) {
        state.minutes = minutes;
        save();
      }
      render();
    });
    startButton.addEventListener("click", startOrPause);
    resetButton.addEventListener("click", reset);
    document.addEventListener("keydown", function (event) {
      if (event.target.closest("input, textarea, select, button, a") || event.ctrlKey || event.metaKey || event.altKey) {
        return;
      }
      if (event.key === " ") {
        event.preventDefault();
        startOrPause();
      } else if (event.key === "r" || event.key === "R") {
        reset();
      }
    });
    timer.hidden = false;
    render();
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
