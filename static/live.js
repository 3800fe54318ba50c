// Live screens: say in words whether the screen is live, keep ticket ages
// ticking, and (opt-in) chime when a new ticket arrives. htmx's websocket
// extension does the connecting and the swapping; this only watches it, and
// sees the kitchen's buttons answered in place.
(function () {
  "use strict";
  var lastUpdate = 0;
  var live = false;
  // The server sends a heartbeat at least every 27 s; silence for longer than
  // this means the connection is dead even if the browser has not noticed.
  var silentAfter = 70000;

  function stateEl() { return document.getElementById("live-state"); }

  function showState() {
    var el = stateEl();
    if (!el) return;
    var silent = Date.now() - lastUpdate;
    if (live && silent < silentAfter) {
      el.textContent = "Live";
      el.dataset.state = "live";
      return;
    }
    if (live) {
      el.textContent = "No word from the server for " + Math.round(silent / 1000) + " s";
      el.dataset.state = "reconnecting";
      return;
    }
    el.dataset.state = "reconnecting";
    if (lastUpdate === 0) {
      el.textContent = "Reconnecting…";
    } else {
      var s = Math.round((Date.now() - lastUpdate) / 1000);
      el.textContent = "Reconnecting, last update " + s + " s ago";
    }
  }

  // Tickets age on the open screen by themselves (see Ageing.of in
  // internal/web/kitchen.go): every page and push renders each ticket's
  // marks as they are, and gives the moments an open ticket becomes
  // waiting and late; the screen switches its class and its words ("WAITING",
  // "LATE", taken from the label) when each moment comes, with no push. The
  // moments are on the server's clock: skew is how far this screen's clock
  // is from it, read from the board at every render.
  // A board is read once, when it comes: a message that leaves it as it
  // was (a heartbeat) must not take the clock back to the moment it was
  // rendered.
  var skew = 0;
  var boardRead = "";
  function readClock() {
    var board = document.getElementById("kitchen-board") || document.getElementById("expo-board");
    if (!board || board.dataset.now === boardRead) return;
    boardRead = board.dataset.now;
    var now = parseInt(board.dataset.now, 10);
    if (!isNaN(now)) skew = now - Date.now();
  }

  function tickAges() {
    var now = Date.now() + skew;
    fireHeld(now);
    document.querySelectorAll("[data-placed-at]").forEach(function (el) {
      var placed = parseInt(el.dataset.placedAt, 10);
      if (!isNaN(placed)) el.textContent = Math.max(0, Math.floor((now - placed) / 60000)) + " min";
    });
    document.querySelectorAll("li.ticket[data-late-at]").forEach(function (ticket) {
      var state = "";
      if (now >= parseInt(ticket.dataset.lateAt, 10)) state = "late";
      else if (now >= parseInt(ticket.dataset.waitingAt, 10)) state = "attention";
      ticket.classList.toggle("ticket-late", state === "late");
      ticket.classList.toggle("ticket-attention", state === "attention");
      var label = ticket.querySelector(".ageing-label");
      if (!label) return;
      var words = state ? label.dataset[state] : "";
      if (label.textContent !== words) label.textContent = words;
      label.hidden = state === "";
    });
  }

  // Held dishes (fire by prep time) fire on the open screen by themselves,
  // like the ages: each carries its fire time on the server's clock, and
  // when it comes the dish joins the ticket's live dishes in its place,
  // with the buttons it has then (rendered hidden), its Fire now and its
  // "fires 19:38" gone; the held part goes when it holds nothing. On the
  // expo a held dish simply leaves the held list. Nothing else changes.
  function fireHeld(now) {
    document.querySelectorAll("li.line-held[data-fire-at]").forEach(function (line) {
      if (now < parseInt(line.dataset.fireAt, 10)) return;
      var part = line.closest(".ticket-held, .expo-held");
      if (line.dataset.expo) {
        line.remove();
      } else {
        line.querySelectorAll(".held-fire, .line-fires").forEach(function (el) { el.remove(); });
        var then = line.querySelector(".line-then");
        if (then) {
          while (then.firstChild) line.insertBefore(then.firstChild, then);
          then.remove();
        }
        line.classList.remove("line-held");
        delete line.dataset.fireAt;
        var ticket = line.closest("li.ticket");
        var live = ticket && ticket.querySelector(":scope > ul.ticket-items");
        if (live) {
          var at = parseInt(line.dataset.lineIndex, 10);
          var next = null;
          live.querySelectorAll(":scope > li.ticket-line").forEach(function (other) {
            if (!next && parseInt(other.dataset.lineIndex, 10) > at) next = other;
          });
          live.insertBefore(line, next);
        }
      }
      if (part && !part.querySelector("li.line-held")) part.remove();
    });
  }

  var queued = -1;
  function chimeOnNewTickets() {
    var n = document.querySelectorAll("li.ticket-queued").length;
    var toggle = document.getElementById("sound-toggle");
    if (queued >= 0 && n > queued && toggle && toggle.checked) chime();
    queued = n;
  }

  var audio = null;
  function chime() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var ctx = audio;
      var osc = ctx.createOscillator();
      var gain = ctx.createGain();
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.2, ctx.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + 0.6);
      osc.connect(gain).connect(ctx.destination);
      osc.start();
      osc.stop(ctx.currentTime + 0.6);
    } catch (e) { /* no sound on this device */ }
  }

  document.addEventListener("htmx:wsOpen", function () { live = true; lastUpdate = Date.now(); showState(); });
  document.addEventListener("htmx:wsClose", function () { live = false; showState(); });
  document.addEventListener("htmx:wsError", function () { live = false; showState(); });
  // A guest's choices of a dish survive a live update of the menu. They are
  // not preserved as typed fields are (hx-preserve): htmx parks those
  // outside their forms for a moment, where radio buttons of one name, of
  // every dish, would uncheck one another.
  // A dish's add form the guest unfolded stays unfolded, too, as does a
  // kitchen's reason an order went unpaid.
  var choices = null;
  var unfolded = null;
  document.addEventListener("htmx:wsBeforeMessage", function () {
    choices = {};
    document.querySelectorAll("input[data-choice]").forEach(function (el) { choices[el.id] = el.checked; });
    unfolded = [];
    document.querySelectorAll("details.dish-order[open], details.hand-over-unpaid[open]").forEach(function (el) { unfolded.push(el.id); });
  });
  function restoreChoices() {
    if (unfolded) {
      unfolded.forEach(function (id) {
        var el = document.getElementById(id);
        if (el) el.open = true;
      });
      unfolded = null;
    }
    if (!choices) return;
    Object.keys(choices).forEach(function (id) {
      var el = document.getElementById(id);
      if (el) el.checked = choices[id];
    });
    choices = null;
  }
  document.addEventListener("htmx:wsAfterMessage", function () {
    restoreChoices();
    lastUpdate = Date.now();
    readClock();
    tickAges();
    chimeOnNewTickets();
  });
  // A kitchen button is sent by htmx (hx-post), and its answer is the
  // board (the expo's, on the expo), which replaces the one shown: refusals too (409, 422, 404), with
  // the reason above the board (htmx swaps 4xx answers: see the layout's
  // htmx-config; the regions go by id, so an answer still lands when a push
  // replaced the board, and the tapped form with it, meanwhile). An answer
  // that is not the board (the sign-in page once the session has ended) is
  // shown as the plain form shows it: the form is sent again without htmx,
  // with the same command id, so nothing is done twice. When the server
  // cannot answer (it is away, or its database is), the board stays and
  // says so.
  function kitchenForm(el) {
    return el && el.matches && el.matches(".kitchen form[hx-post]") ? el : null;
  }
  function sayOnBoard(text) {
    var message = document.getElementById("kitchen-message");
    if (!message) return;
    var p = document.createElement("p");
    p.className = "error";
    p.setAttribute("role", "alert");
    p.textContent = text;
    message.replaceChildren(p);
  }
  var tapAgain = "Tap again in a moment: a tap is never done twice.";
  document.addEventListener("htmx:beforeSwap", function (ev) {
    var form = kitchenForm(ev.detail.elt);
    if (!form) return;
    var answer = ev.detail.serverResponse;
    if (answer.lastIndexOf('<div id="kitchen-board"', 0) === 0 || answer.lastIndexOf('<div id="expo-board"', 0) === 0) return;
    ev.detail.shouldSwap = false;
    if (ev.detail.xhr.status >= 500) {
      ev.detail.isError = false;
      sayOnBoard("The kitchen could not do that just now. " + tapAgain);
      return;
    }
    HTMLFormElement.prototype.submit.call(form);
  });
  document.addEventListener("htmx:sendError", function (ev) {
    if (kitchenForm(ev.detail.elt)) sayOnBoard("The server did not answer. " + tapAgain);
  });
  // The board a tap brought is on the server's clock of that moment. (The
  // event comes from the page's container: the tapped form left with the
  // board it was on.)
  document.addEventListener("htmx:afterRequest", function () {
    readClock();
    tickAges();
  });
  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.getElementById("sound-toggle");
    if (toggle) {
      toggle.checked = localStorage.getItem("kitchen-sound") === "on";
      toggle.addEventListener("change", function () {
        localStorage.setItem("kitchen-sound", toggle.checked ? "on" : "off");
        if (toggle.checked) chime();
      });
    }
    chimeOnNewTickets();
    readClock();
    tickAges();
  });
  setInterval(showState, 1000);
  setInterval(tickAges, 1000);
})();
