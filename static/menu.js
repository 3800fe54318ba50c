// The menu's category bar marks the category the guest is looking at, and
// keeps its link in sight as the bar scrolls sideways; a jump to a category
// or a dish lands just below the sticky header, however tall it is. Without
// this script the bar is a row of plain links to the categories' headings,
// and the add buttons say the price the page was served with.
(function () {
  "use strict";
  var header = null;
  var queued = false;

  function mark(id) {
    document.querySelectorAll(".section-bar a[data-section]").forEach(function (a) {
      if (a.dataset.section !== id) {
        a.removeAttribute("aria-current");
        return;
      }
      if (a.getAttribute("aria-current") === "location") return;
      a.setAttribute("aria-current", "location");
      var bar = a.closest("ul");
      if (bar) bar.scrollLeft = a.offsetLeft - (bar.clientWidth - a.offsetWidth) / 2;
    });
  }

  // The current category is the last whose heading has gone up past the
  // header, or the first while none has; at the page's end, the last.
  function update() {
    queued = false;
    var below = header ? header.getBoundingClientRect().bottom : 0;
    var headings = document.querySelectorAll("section.category > h2");
    if (headings.length === 0) return;
    var current = headings[0];
    headings.forEach(function (h) {
      if (h.getBoundingClientRect().top <= below + 24) current = h;
    });
    if (window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 2) {
      current = headings[headings.length - 1];
    }
    mark(current.id);
  }

  function queue() {
    if (queued) return;
    queued = true;
    window.requestAnimationFrame(update);
  }

  function fitHeader() {
    if (!header) return;
    document.documentElement.style.scrollPaddingTop = (header.offsetHeight + 8) + "px";
    queue();
  }

  // The add button's price follows the guest's choices and quantity; the
  // server prices the line itself when it is added.
  function euros(cents) {
    var sign = cents < 0 ? "-" : "";
    cents = Math.abs(cents);
    return sign + "€" + Math.floor(cents / 100) + "." + String(cents % 100).padStart(2, "0");
  }
  function reprice(form) {
    var price = form.querySelector(".add-price");
    if (!price) return;
    var unit = parseInt(price.dataset.cents, 10) || 0;
    form.querySelectorAll("input[data-cents]:checked").forEach(function (el) { unit += parseInt(el.dataset.cents, 10) || 0; });
    var q = form.querySelector('input[name="quantity"]');
    var n = q ? parseInt(q.value, 10) : 1;
    if (!(n >= 1 && n <= 99)) n = 1;
    price.textContent = euros(unit * n);
  }
  function repriceFrom(e) {
    var form = e.target.closest && e.target.closest("form.add-form");
    if (form) reprice(form);
  }
  document.addEventListener("change", repriceFrom);
  document.addEventListener("input", repriceFrom);
  // A live update brings the menu's forms anew: their prices follow the
  // choices the guest had made (static/live.js puts them back).
  document.addEventListener("htmx:wsAfterMessage", function () {
    document.querySelectorAll("form.add-form").forEach(reprice);
  });

  document.addEventListener("DOMContentLoaded", function () {
    header = document.querySelector("header.site");
    if (!document.querySelector(".section-bar")) return;
    fitHeader();
    window.addEventListener("scroll", queue, { passive: true });
    window.addEventListener("resize", fitHeader);
    // A live update may replace the menu's sections and the header's badge.
    document.addEventListener("htmx:wsAfterMessage", fitHeader);
  });
})();
