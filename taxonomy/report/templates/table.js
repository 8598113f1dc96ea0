/* The paper table: search, sort and filters over the JSON block #table-data, a page of rows at a time.
   Links anywhere in the report with data-pt-family, data-pt-concept or data-pt-year filter it
   (data-pt-primary="1" also keeps only papers the family is primary for: the heat map's cells).
   Plain DOM code, no library, no network; text goes into the page with textContent only. */
(function () {
  "use strict";
  var root = document.getElementById("paper-table");
  var source = document.getElementById("table-data");
  if (!root || !source) { return; }
  var data = JSON.parse(source.textContent);
  var rows = data.rows;  // [title, year, venue, link, [[family, tier, primary, score]], [[concept, role]], [before, match, after]]
  var concepts = data.concepts;  // [label, id, [families], [concepts it counts for]]
  var body = root.querySelector("tbody");
  var count = root.querySelector(".pt-count");
  var more = root.querySelector(".pt-more");
  var search = document.getElementById("pt-search");
  var pick = {
    family: document.getElementById("pt-family"),
    concept: document.getElementById("pt-concept"),
    role: document.getElementById("pt-role"),
    year: document.getElementById("pt-year")
  };
  var primary = document.getElementById("pt-primary");
  var sortKey = "rank", sortDown = false, shown = data.page, matches = [], haystack = null;

  function option(select, value, text) {
    var item = document.createElement("option");
    item.value = String(value);
    item.textContent = text;
    select.appendChild(item);
  }
  data.families.forEach(function (label, i) { option(pick.family, i, label); });
  concepts.forEach(function (c, i) { option(pick.concept, i, c[0]); });
  data.roles.forEach(function (label, i) { option(pick.role, i, label); });
  var years = {};
  rows.forEach(function (r) { if (r[1] !== null) { years[r[1]] = true; } });
  Object.keys(years).map(Number).sort(function (a, b) { return b - a; }).forEach(function (y) { option(pick.year, y, String(y)); });

  function text(i) {
    if (!haystack) {
      haystack = rows.map(function (r) {
        var parts = [r[0], r[2] >= 0 ? data.venues[r[2]] : ""];
        r[4].forEach(function (f) { parts.push(data.families[f[0]]); });
        r[5].forEach(function (c) { parts.push(concepts[c[0]][0]); });
        return parts.join(" \u0001 ").toLowerCase();
      });
    }
    return haystack[i];
  }

  function chosen(select) { return select.value === "" ? null : Number(select.value); }

  function familyOf(row, family) {
    for (var k = 0; k < row[4].length; k++) { if (row[4][k][0] === family) { return row[4][k]; } }
    return null;
  }

  function keep(i, words, family, concept, role, year, about) {
    var row = rows[i];
    if (year !== null && row[1] !== year) { return false; }
    if (family !== null && !familyOf(row, family)) { return false; }
    if (about && !(family !== null ? familyOf(row, family)[2] : row[4].some(function (f) { return f[2]; }))) { return false; }
    if (concept !== null || role !== null) {
      var found = row[5].some(function (c) {
        if (role !== null && c[1] !== role) { return false; }
        if (concept !== null) { return concepts[c[0]][3].indexOf(concept) >= 0; }
        return family === null || concepts[c[0]][2].indexOf(family) >= 0;
      });
      if (!found) { return false; }
    }
    for (var w = 0; w < words.length; w++) { if (text(i).indexOf(words[w]) < 0) { return false; } }
    return true;
  }

  function score(row, family) {
    if (family !== null) { var f = familyOf(row, family); return f ? f[3] : 0; }
    return row[4].reduce(function (best, f) { return Math.max(best, f[3]); }, 0);
  }

  function order(family) {
    var by;
    if (sortKey === "title") {
      by = function (a, b) { return rows[a][0].localeCompare(rows[b][0]); };
    } else if (sortKey === "year") {
      by = function (a, b) { return (rows[a][1] || 0) - (rows[b][1] || 0); };
    } else if (sortKey === "score") {
      by = function (a, b) { return score(rows[a], family) - score(rows[b], family); };
    } else if (family !== null) {  // the family's own ranking: own method, then primary, then score
      by = function (a, b) {
        var x = familyOf(rows[a], family), y = familyOf(rows[b], family);
        return (x[1] - y[1]) || (y[2] - x[2]) || (y[3] - x[3]);
      };
    } else {
      by = null;  // the rows come strongest first
    }
    var down = sortDown;
    matches.sort(function (a, b) {
      var c = by ? by(a, b) : 0;
      if (c && down) { c = -c; }
      return c || a - b;
    });
  }

  function update() {
    var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    var family = chosen(pick.family), concept = chosen(pick.concept), role = chosen(pick.role), year = chosen(pick.year);
    var about = primary.checked;
    matches = [];
    for (var i = 0; i < rows.length; i++) { if (keep(i, words, family, concept, role, year, about)) { matches.push(i); } }
    order(family);
    shown = data.page;
    draw();
  }

  function tag(kind, id, label, note, strong) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "pt-tag" + (strong ? " strong" : "");
    button.setAttribute(kind, id);
    button.textContent = label;
    if (note) {
      var small = document.createElement("small");
      small.textContent = " " + note;
      button.appendChild(small);
    }
    return button;
  }

  function cell(tr, className, label) {
    var td = document.createElement("td");
    if (className) { td.className = className; }
    if (label) { td.setAttribute("data-label", label); }
    tr.appendChild(td);
    return td;
  }

  function line(i) {
    var row = rows[i];
    var tr = document.createElement("tr");
    var paper = cell(tr, "pt-paper");
    var name = document.createElement(/^https?:\/\//i.test(row[3]) ? "a" : "span");
    if (name.tagName === "A") { name.href = row[3]; name.className = "paper-link"; }
    name.className += " pt-title";
    name.textContent = row[0];
    paper.appendChild(name);
    if (row[2] >= 0) {
      var venue = document.createElement("span");
      venue.className = "pt-venue";
      venue.textContent = data.venues[row[2]];
      paper.appendChild(venue);
    }
    if (row[6][1]) {
      var evidence = document.createElement("span");
      evidence.className = "pt-evidence";
      var mark = document.createElement("mark");
      mark.textContent = row[6][1];
      evidence.appendChild(document.createTextNode(row[6][0]));
      evidence.appendChild(mark);
      evidence.appendChild(document.createTextNode(row[6][2]));
      paper.appendChild(evidence);
    }
    cell(tr, "num", "Year").textContent = row[1] === null ? "" : String(row[1]);
    var families = cell(tr, "pt-tags", "Families");
    row[4].forEach(function (f) {
      families.appendChild(tag("data-pt-family", data.familyIds[f[0]], data.families[f[0]], f[2] ? "" : "mentioned", f[2]));
    });
    var named = cell(tr, "pt-tags", "Concepts");
    row[5].forEach(function (c) {
      named.appendChild(tag("data-pt-concept", concepts[c[0]][1], concepts[c[0]][0], data.roles[c[1]], c[1] < 2));
    });
    return tr;
  }

  function draw() {
    var part = document.createDocumentFragment();
    var end = Math.min(shown, matches.length);
    for (var k = 0; k < end; k++) { part.appendChild(line(matches[k])); }
    body.textContent = "";
    body.appendChild(part);
    var n = matches.length;
    count.textContent = (n === rows.length ? "All " : "") + n.toLocaleString("en") + (n === 1 ? " paper" : " papers") +
      (n === rows.length ? "" : " of " + rows.length.toLocaleString("en") + " match") +
      (end < n ? "; showing the first " + end.toLocaleString("en") : "") + ".";
    more.hidden = end >= n;
    more.textContent = "Show " + Math.min(data.page, n - end).toLocaleString("en") + " more";
    root.querySelectorAll("[data-sort]").forEach(function (b) {
      var th = b.parentNode, on = b.getAttribute("data-sort") === sortKey;
      if (on) { th.setAttribute("aria-sort", sortDown ? "descending" : "ascending"); } else { th.removeAttribute("aria-sort"); }
    });
  }

  var typing = null;
  search.addEventListener("input", function () { clearTimeout(typing); typing = setTimeout(update, 120); });
  Object.keys(pick).forEach(function (k) { pick[k].addEventListener("change", update); });
  primary.addEventListener("change", update);
  root.querySelector("form").addEventListener("submit", function (event) { event.preventDefault(); update(); });
  root.querySelector("form").addEventListener("reset", function () { sortKey = "rank"; sortDown = false; setTimeout(update, 0); });
  more.addEventListener("click", function () { shown += data.page; draw(); });
  root.querySelectorAll("[data-sort]").forEach(function (button) {
    button.addEventListener("click", function () {
      var key = button.getAttribute("data-sort");
      if (key === sortKey) { sortDown = !sortDown; } else { sortKey = key; sortDown = key === "year" || key === "score"; }
      order(chosen(pick.family));
      draw();
    });
  });

  function index(list, id) { for (var i = 0; i < list.length; i++) { if (list[i] === id) { return i; } } return -1; }

  // A family, concept or year clicked anywhere in the report: the table shows its papers.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-pt-family], [data-pt-concept], [data-pt-year]");
    if (!link) { return; }
    var family = link.getAttribute("data-pt-family"), concept = link.getAttribute("data-pt-concept"), year = link.getAttribute("data-pt-year");
    var f = family === null ? -1 : index(data.familyIds, family);
    var c = concept === null ? -1 : index(concepts.map(function (x) { return x[1]; }), concept);
    if (c < 0 && f < 0 && concept !== null) { f = index(data.familyIds, concept); }  // a family in the concept tree
    var y = year === null || !years[year] ? "" : year;
    if (f < 0 && c < 0 && y === "") { return; }  // nothing the table holds: let the link do what it does
    event.preventDefault();
    search.value = "";
    pick.family.value = f < 0 ? "" : String(f);
    pick.concept.value = c < 0 ? "" : String(c);
    pick.role.value = "";
    pick.year.value = y;
    primary.checked = link.getAttribute("data-pt-primary") === "1" && f >= 0;
    sortKey = "rank";
    sortDown = false;
    update();
    if (!root.contains(link)) { root.scrollIntoView({ block: "start" }); }
  });

  // A link to a family's key papers (the contents) opens its folded section.
  function unfold() {
    var target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target && target.tagName === "DETAILS") { target.open = true; }
  }
  window.addEventListener("hashchange", unfold);
  unfold();

  root.classList.add("ready");
  update();
})();
