// finews live pages: poll latest.json and tell the reader about new stories.
// Listing pages (home, category, archive) refresh their list in place, so the
// reader keeps their scroll position; story pages only show a bar.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.fetch) { return; }
  var root = script.getAttribute("data-root") || "./";
  var kind = script.getAttribute("data-kind") || "plain";
  var interval = Math.max(5, parseInt(script.getAttribute("data-interval"), 10) || 60);
  var url = root + "latest.json";
  var seen = null;      // paths listed in latest.json when the page loaded
  var lastSeq = null;
  var bar = document.getElementById("live-bar");

  function fetchLatest() {
    return fetch(url, { cache: "no-store" }).then(function (r) {
      if (!r.ok) { throw new Error("latest.json: " + r.status); }
      return r.json();
    });
  }

  function showBar(count) {
    if (!bar || count <= 0) { return; }
    var link = bar.querySelector("a");
    link.textContent = count + " 条新消息";
    bar.hidden = false;
  }

  function refreshListing() {
    var current = document.getElementById("listing");
    if (!current) { return Promise.resolve(); }
    return fetch(window.location.href, { cache: "no-store" }).then(function (r) {
      return r.ok ? r.text() : null;
    }).then(function (html) {
      if (!html) { return; }
      var doc = new DOMParser().parseFromString(html, "text/html");
      var fresh = doc.getElementById("listing");
      if (!fresh) { return; }
      var old = {};
      current.querySelectorAll("li[data-href]").forEach(function (li) {
        old[li.getAttribute("data-href")] = true;
      });
      fresh.querySelectorAll("li[data-href]").forEach(function (li) {
        if (!old[li.getAttribute("data-href")]) { li.classList.add("fresh"); }
      });
      current.replaceWith(document.importNode(fresh, true));
    });
  }

  function check() {
    fetchLatest().then(function (data) {
      var paths = (data.stories || []).map(function (s) { return s.path; });
      if (seen === null) { seen = {}; paths.forEach(function (p) { seen[p] = true; }); lastSeq = data.seq; return; }
      if (data.seq === lastSeq) { return; }
      lastSeq = data.seq;
      var count = paths.filter(function (p) { return !seen[p]; }).length;
      if (count === 0) { return; }
      showBar(count);
      if (kind === "listing") { return refreshListing(); }
    }).catch(function () { /* offline or mid-publish: try again next time */ });
  }

  check();
  window.setInterval(check, interval * 1000);
})();
