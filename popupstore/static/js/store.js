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
    var summary = document.getElementById("error-summary") ||
      document.getElementById("organisation-suggestion");
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

  /* The check mark of a chosen button, as the server draws it (_base.html: check-icon). */
  function checkMark() {
    var template = document.getElementById("check-icon");
    var mark = template && template.content ? template.content.firstElementChild : null;
    return mark ? mark.cloneNode(true) : document.createTextNode("");
  }

  /* Say something to screen readers once; the same words twice in a row are said again. */
  function announce(message) {
    var announcer = document.getElementById("announcer");
    if (!announcer) {
      return;
    }
    announcer.textContent = "";
    window.setTimeout(function () {
      announcer.textContent = message;
    }, 50);
  }

  /* Mark which of a product's two buttons is chosen now. */
  function showChosen(form, intent) {
    var group = form.closest("[data-intent-buttons]") || form.parentNode;
    group.querySelectorAll("form[data-intent-form]").forEach(function (each) {
      var button = each.querySelector("button[type=submit]");
      var input = each.querySelector("input[name=intent]");
      if (!button || !input) {
        return;
      }
      var chosen = input.value === intent;
      button.setAttribute("aria-pressed", chosen ? "true" : "false");
      button.classList.toggle("is-chosen", chosen);
      button.textContent = "";
      if (chosen) {
        button.appendChild(checkMark());
        button.appendChild(document.createTextNode(" "));
      }
      button.appendChild(document.createTextNode(each.dataset.intentLabel || ""));
    });
    var line = form.closest(".basket__line");
    var now = line ? line.querySelector("[data-intent-now]") : null;
    if (now) {
      now.textContent = form.dataset.intentLabel || "";
    }
  }

  /* The basket's count in the header and the bar, and what just happened. */
  function showBasket(answer, ok) {
    if (typeof answer.count === "number") {
      document.querySelectorAll("#basket-count, [data-basket-count]").forEach(function (el) {
        el.textContent = String(answer.count);
      });
    }
    if (answer.count_label) {
      document.querySelectorAll("[data-basket-count-label]").forEach(function (el) {
        el.textContent = ": " + answer.count_label;
      });
    }
    var bar = document.querySelector("[data-basket-bar]");
    if (bar) {
      bar.classList.toggle("is-empty", !answer.count);
      var note = bar.querySelector("[data-basket-note]");
      if (note && answer.message) {
        note.textContent = "";
        if (ok) {
          note.appendChild(checkMark());
          note.appendChild(document.createTextNode(" "));
        }
        note.appendChild(document.createTextNode(answer.message));
      }
    }
    if (answer.message) {
      announce(answer.message);
    }
  }

  /* "Wil ik" and "Doen we al" without a new page, so a visitor far down a long shelf stays
     where they tapped. The forms work on their own too; when anything goes wrong here the
     form is simply sent the ordinary way. */
  function putInPlace() {
    if (!window.fetch || !window.FormData) {
      return;
    }
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.matches || !form.matches("form[data-intent-form]")) {
        return;
      }
      event.preventDefault();
      if (form.dataset.sending === "yes") {
        return;
      }
      form.dataset.sending = "yes";
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        cache: "no-store",
        headers: {"Accept": "application/json"}
      })
        .then(function (response) {
          return response.json().then(function (answer) {
            return {ok: response.ok, answer: answer};
          });
        })
        .then(function (result) {
          form.dataset.sending = "";
          if (result.ok) {
            showChosen(form, result.answer.intent);
          }
          showBasket(result.answer, result.ok);
        })
        .catch(function () {
          form.dataset.sending = "";
          form.submit();
        });
    });
  }

  /* Case, accents and spacing do not count when names are compared (as on the server). */
  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .replace(/\s+/g, " ").trim().toLowerCase();
  }

  /* Typing mistakes between two words: insertions, deletions, substitutions and swaps of
     neighbours each count one (the server's popupstore/spelling.py does the same). */
  function typingDistance(a, b) {
    var before = [];
    var previous = [];
    var i;
    var j;
    for (j = 0; j <= b.length; j += 1) {
      previous.push(j);
    }
    for (i = 1; i <= a.length; i += 1) {
      var current = [i];
      for (j = 1; j <= b.length; j += 1) {
        var cost = a.charAt(i - 1) === b.charAt(j - 1) ? 0 : 1;
        var value = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) === b.charAt(j - 2) &&
            a.charAt(i - 2) === b.charAt(j - 1)) {
          value = Math.min(value, before[j - 2] + 1);
        }
        current.push(value);
      }
      before = previous;
      previous = current;
    }
    return previous[b.length];
  }

  /* "Bedoel je Breda?" while the visitor types a municipality slightly wrong. The server
     asks the same before it accepts a name it does not know. */
  function suggestWhileTyping() {
    var input = document.getElementById("organisation");
    var box = document.querySelector("[data-suggestion]");
    var list = input ? document.getElementById(input.getAttribute("list") || "") : null;
    if (!input || !box || !list) {
      return;
    }
    var use = box.querySelector("[data-suggestion-use]");
    var known = {};
    var municipalities = [];
    list.querySelectorAll("option").forEach(function (option) {
      known[fold(option.value)] = true;
      if (option.hasAttribute("data-municipality")) {
        municipalities.push(option.value);
      }
    });
    var shown = "";
    input.addEventListener("input", function () {
      var typed = fold(input.value).replace(/^gemeente /, "");
      var limit = typed.length < 4 ? 0 : (typed.length <= 7 ? 1 : 2);
      var best = null;
      var bestDistance = limit + 1;
      if (limit > 0 && !known[fold(input.value)] && !known[typed]) {
        municipalities.forEach(function (name) {
          var folded = fold(name);
          if (Math.abs(folded.length - typed.length) > limit) {
            return;
          }
          var found = typingDistance(typed, folded);
          if (found < bestDistance) {
            best = name;
            bestDistance = found;
          }
        });
      }
      box.hidden = best === null;
      if (best !== null && best !== shown) {
        use.textContent = best + "?";
        announce(box.textContent.replace(/\s+/g, " ").trim());
      }
      shown = best || "";
    });
    use.addEventListener("click", function () {
      input.value = shown;
      box.hidden = true;
      shown = "";
      input.focus();
    });
  }

  /* A receipt page's link to keep: copy it, or hand it to another app where the phone can. */
  function offerSaving() {
    document.querySelectorAll("[data-save-link]").forEach(function (holder) {
      var link = holder.querySelector("[data-save-url]");
      var copy = holder.querySelector("[data-copy]");
      var share = holder.querySelector("[data-share]");
      var done = holder.querySelector("[data-saved]");
      if (!link) {
        return;
      }
      var url = link.getAttribute("data-save-url") || link.href;
      function tell(message) {
        if (done) {
          done.textContent = message;
        }
        announce(message);
      }
      if (copy && navigator.clipboard && window.isSecureContext) {
        copy.hidden = false;
        copy.addEventListener("click", function () {
          navigator.clipboard.writeText(url).then(function () {
            tell(copy.dataset.copied || "");
          }, function () {
            tell(copy.dataset.failed || "");
          });
        });
      }
      if (share && navigator.share) {
        share.hidden = false;
        share.addEventListener("click", function () {
          navigator.share({title: document.title, url: url}).catch(function () { /* closed */ });
        });
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    guardDoubleSubmit();
    keepLive();
    focusErrors();
    showPresses();
    offerPrinting();
    putInPlace();
    suggestWhileTyping();
    offerSaving();
  });
})();
