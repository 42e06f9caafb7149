// finews live pages: poll latest.json and bring the reader new stories.
// Listing pages (home, category, day, archive) swap in the fresh <main> in
// place, keeping the story the reader is looking at where it was on screen;
// story pages only show a bar that floats over the text, so nothing moves.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.fetch || !window.DOMParser) { return; }
  var root = script.getAttribute("data-root") || "./";
  var kind = script.getAttribute("data-kind") || "plain";
  // The site's own setting; the floor only guards against a broken attribute.
  var interval = Math.max(1, parseInt(script.getAttribute("data-interval"), 10) || 60);
  var url = root + "latest.json";
  var seen = null;      // paths listed in latest.json when the page loaded
  var lastSeq = null;
  var busy = false;
  var above = {};       // stories added above a scrolled-down reader, not yet seen
  var bar = document.getElementById("live-bar");

  function fetchLatest() {
    return fetch(url, { cache: "no-store" }).then(function (r) {
      if (!r.ok) { throw new Error("latest.json: " + r.status); }
      return r.json();
    });
  }

  function showBar(text, href) {
    if (!bar || !text) { return; }
    var link = bar.querySelector("a");
    link.textContent = text;
    if (href) { link.setAttribute("href", href); }
    bar.hidden = false;
  }

  function hideBar() {
    above = {};
    if (bar) { bar.hidden = true; }
  }

  // The first story row at least partly on screen, and where it is.
  function anchor() {
    var rows = document.querySelectorAll("main li[data-href]");
    for (var i = 0; i < rows.length; i++) {
      var box = rows[i].getBoundingClientRect();
      if (box.bottom > 0) { return { href: rows[i].getAttribute("data-href"), top: box.top }; }
    }
    return null;
  }

  function findRow(container, href) {
    var rows = container.querySelectorAll("li[data-href]");
    for (var i = 0; i < rows.length; i++) {
      if (rows[i].getAttribute("data-href") === href) { return rows[i]; }
    }
    return null;
  }

  function swapMain(fresh) {
    var current = document.querySelector("main");
    var old = {};
    current.querySelectorAll("li[data-href]").forEach(function (li) {
      old[li.getAttribute("data-href")] = true;
    });
    var added = [];
    fresh.querySelectorAll("li[data-href]").forEach(function (li) {
      var href = li.getAttribute("data-href");
      if (!old[href]) { li.classList.add("fresh"); added.push(href); }
    });
    var atTop = window.scrollY <= 0;
    var mark = atTop ? null : anchor();
    current.replaceWith(document.importNode(fresh, true));
    // Keep the row the reader was looking at exactly where it was.
    var row = mark && findRow(document.querySelector("main"), mark.href);
    if (row) { window.scrollBy(0, row.getBoundingClientRect().top - mark.top); }
    return atTop ? [] : added;
  }

  function refreshListing() {
    return fetch(window.location.href, { cache: "no-store" }).then(function (r) {
      return r.ok ? r.text() : null;
    }).then(function (html) {
      if (!html) { return; }
      var doc = new DOMParser().parseFromString(html, "text/html");
      var fresh = doc.querySelector("main");
      if (!fresh || !document.querySelector("main")) { return; }
      // New rows landed above a reader who has scrolled down: say so, counting
      // each story once (it may be listed twice: newest, and its outlet).
      swapMain(fresh).forEach(function (href) { above[href] = true; });
      var count = Object.keys(above).length;
      if (count > 0) { showBar(count + " 条新消息 ↑", "#"); }
    });
  }

  function check() {
    if (busy || document.hidden) { return; }
    busy = true;
    fetchLatest().then(function (data) {
      var paths = (data.stories || []).map(function (s) { return s.path; });
      if (seen === null) {
        seen = {};
        paths.forEach(function (p) { seen[p] = true; });
        lastSeq = data.seq;
        return;
      }
      if (data.seq === lastSeq) { return; }
      lastSeq = data.seq;
      if (kind === "listing") { return refreshListing(); }
      var count = paths.filter(function (p) { return !seen[p]; }).length;
      if (count > 0) { showBar(count + " 条新消息", root); }
    }).catch(function () { /* offline or mid-publish: try again next time */ })
      .then(function () { busy = false; });
  }

  if (bar && kind === "listing") {
    bar.addEventListener("click", function (event) {
      event.preventDefault();
      hideBar();
      window.scrollTo(0, 0);
    });
    window.addEventListener("scroll", function () {
      if (window.scrollY <= 0) { hideBar(); }
    }, { passive: true });
  }
  // A tab in the background does not poll; it catches up when shown again.
  document.addEventListener("visibilitychange", check);
  window.addEventListener("pageshow", function (event) { if (event.persisted) { check(); } });
  check();
  window.setInterval(check, interval * 1000);
})();
