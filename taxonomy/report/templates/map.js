/* The concept map: pan and zoom, a hover card, the papers of a clicked concept, legend switches.
   Plain DOM code over the SVG already in the page and the JSON block #map-data; no library, no network. */
(function () {
  "use strict";
  var figure = document.getElementById("map");
  var svg = document.getElementById("map-view");
  var source = document.getElementById("map-data");
  if (!figure || !svg || !source) { return; }
  var data = JSON.parse(source.textContent);
  var tip = figure.querySelector(".map-tip");
  var panel = document.getElementById("map-papers");
  var home = svg.getAttribute("viewBox").split(" ").map(Number);
  var view = home.slice();
  var labels = Array.prototype.slice.call(svg.querySelectorAll(".map-labels text"));
  var circles = Array.prototype.slice.call(svg.querySelectorAll(".map-nodes circle"));
  var lines = Array.prototype.slice.call(svg.querySelectorAll(".map-links line"));
  var off = {};

  function zoom() { return home[2] / view[2]; }

  // Labels keep one size on screen: the size they have at zoom 1, where the map is DESIGN pixels
  // per layout unit (about 650 pixels wide). A phone's narrower map is at a lower zoom: fewer labels.
  var DESIGN = 0.55;
  function screenZoom() {
    var box = svg.getBoundingClientRect();
    var perUnit = Math.min(box.width / view[2], box.height / view[3]);
    return Math.max(0.5, perUnit > 0 ? perUnit / DESIGN : zoom());  // ½: the smallest zoom labels are placed for
  }

  function draw() {
    svg.setAttribute("viewBox", view.map(function (v) { return v.toFixed(2); }).join(" "));
    var z = screenZoom();
    labels.forEach(function (label) {
      var from = Number(label.getAttribute("data-zoom"));
      var hidden = off[label.getAttribute("data-group")] || !from || from > z * 1.001;
      label.style.display = hidden ? "none" : "";
      var font = Number(label.getAttribute("data-font")) / z;
      var side = Number(label.getAttribute("data-side"));
      var r = Number(label.getAttribute("data-r"));
      var cx = Number(label.getAttribute("data-cx")), cy = Number(label.getAttribute("data-cy"));
      var beside = side === 2 || side === -2;  // right or left of the bubble
      var x = beside ? cx + (side / 2) * (r + 0.3 * font) : cx;
      var y = beside ? cy : cy + side * (r + 0.62 * font);
      label.setAttribute("font-size", font.toFixed(2));
      label.setAttribute("x", x.toFixed(2));
      label.setAttribute("y", y.toFixed(2));
    });
  }

  function zoomAt(factor, cx, cy) {
    var z = zoom() * factor;
    if (z < 0.5 || z > 16) { return; }
    var w = view[2] / factor, h = view[3] / factor;
    view = [cx - (cx - view[0]) / factor, cy - (cy - view[1]) / factor, w, h];
    draw();
  }

  function toMap(event) {
    var box = svg.getBoundingClientRect();
    var scale = Math.max(view[2] / box.width, view[3] / box.height);
    var dx = (box.width * scale - view[2]) / 2, dy = (box.height * scale - view[3]) / 2;
    return [view[0] - dx + (event.clientX - box.left) * scale, view[1] - dy + (event.clientY - box.top) * scale, scale];
  }

  svg.addEventListener("wheel", function (event) {
    event.preventDefault();
    var at = toMap(event);
    zoomAt(event.deltaY < 0 ? 1.25 : 0.8, at[0], at[1]);
  }, { passive: false });

  var drag = null;
  svg.addEventListener("pointerdown", function (event) {
    if (event.target.tagName === "circle") { return; }
    drag = { x: event.clientX, y: event.clientY, view: view.slice(), scale: toMap(event)[2] };
    svg.setPointerCapture(event.pointerId);
    svg.classList.add("dragging");
  });
  svg.addEventListener("pointermove", function (event) {
    if (!drag) { return; }
    view = [drag.view[0] - (event.clientX - drag.x) * drag.scale, drag.view[1] - (event.clientY - drag.y) * drag.scale, view[2], view[3]];
    draw();
  });
  function stop() { drag = null; svg.classList.remove("dragging"); }
  svg.addEventListener("pointerup", stop);
  svg.addEventListener("pointercancel", stop);

  figure.querySelectorAll("[data-zoom-by]").forEach(function (button) {
    button.addEventListener("click", function () {
      var by = button.getAttribute("data-zoom-by");
      if (by === "reset") { view = home.slice(); draw(); return; }
      zoomAt(Number(by), view[0] + view[2] / 2, view[1] + view[3] / 2);
    });
  });

  function card(point) {
    var lines = ["<strong></strong>", "<span class=\"map-tip-counts\"></span>"];
    tip.innerHTML = lines.join("");
    tip.firstChild.textContent = point.label;
    var counts = point.papers + (point.papers === 1 ? " paper" : " papers") + ", " + point.primary + " primary";
    if (point.group) { counts += " \u00b7 " + point.group; }
    tip.childNodes[1].textContent = counts;
    if (point.neighbours.length) {
      var list = document.createElement("ul");
      point.neighbours.forEach(function (n) {
        var item = document.createElement("li");
        item.textContent = n[0] + " (" + n[1] + ")";
        list.appendChild(item);
      });
      var head = document.createElement("span");
      head.className = "map-tip-head";
      head.textContent = "Shares most papers with";
      tip.appendChild(head);
      tip.appendChild(list);
    }
  }

  function show(event, point) {
    card(point);
    tip.hidden = false;
    var box = figure.getBoundingClientRect();
    var x = Math.min(event.clientX - box.left + 14, box.width - tip.offsetWidth - 4);
    tip.style.left = Math.max(4, x) + "px";
    tip.style.top = (event.clientY - box.top + 14) + "px";
  }

  function list(point) {
    panel.textContent = "";
    var head = document.createElement("h3");
    head.textContent = point.label;
    panel.appendChild(head);
    var note = document.createElement("p");
    var shown = point.examples.length;
    note.textContent = point.papers + (point.papers === 1 ? " paper names it" : " papers name it") +
      (shown < point.papers ? "; the report keeps these " + shown + " as examples:" : ":");
    panel.appendChild(note);
    var items = document.createElement("ol");
    point.examples.forEach(function (paper) {
      var item = document.createElement("li");
      var name = item;
      if (/^https?:\/\//i.test(paper[2] || "")) {
        name = document.createElement("a");
        name.href = paper[2];
        name.className = "paper-link";
        item.appendChild(name);
      }
      name.textContent = paper[0];
      if (paper[1]) { item.appendChild(document.createTextNode(" (" + paper[1] + ")")); }
      items.appendChild(item);
    });
    panel.appendChild(items);
    if (document.getElementById("paper-table")) {  // the paper table's script filters on this link
      var all = document.createElement("a");
      all.href = "#table";
      all.className = "pt-link";
      all.setAttribute(point.family ? "data-pt-family" : "data-pt-concept", point.id);
      all.textContent = "All its papers in the paper table";
      panel.appendChild(all);
    }
    var chosen = String(data.points.indexOf(point));
    circles.forEach(function (c) { c.classList.toggle("chosen", c.getAttribute("data-i") === chosen); });
  }

  circles.forEach(function (circle) {
    var point = data.points[Number(circle.getAttribute("data-i"))];
    circle.addEventListener("pointerenter", function (event) { show(event, point); });
    circle.addEventListener("pointermove", function (event) { show(event, point); });
    circle.addEventListener("pointerleave", function () { tip.hidden = true; });
    circle.addEventListener("click", function () { list(point); });
    circle.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); list(point); }
    });
  });

  figure.querySelectorAll(".map-legend button").forEach(function (button) {
    button.addEventListener("click", function () {
      var group = button.getAttribute("data-group");
      off[group] = !off[group];
      button.setAttribute("aria-pressed", off[group] ? "false" : "true");
      var hidden = {};
      circles.forEach(function (c) {
        var gone = !!off[c.getAttribute("data-group")];
        c.style.display = gone ? "none" : "";
        if (gone) { hidden[c.getAttribute("data-i")] = true; }
      });
      lines.forEach(function (l) {
        l.style.display = hidden[l.getAttribute("data-a")] || hidden[l.getAttribute("data-b")] ? "none" : "";
      });
      draw();
    });
  });

  window.addEventListener("resize", draw);
  figure.classList.add("interactive");
  draw();
})();
