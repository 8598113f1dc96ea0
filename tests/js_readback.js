// Read concepts.cyjs with Cytoscape.js and concepts.gexf with graphology; print what came back as JSON.
// Run by tests/test_export_readers.py with NODE_PATH pointing at node_modules holding cytoscape,
// graphology and graphology-gexf (.ci/run installs them with npm when it can).
"use strict";
const fs = require("fs");
const path = require("path");
const cytoscape = require("cytoscape");
const Graph = require("graphology");
const gexf = require("graphology-gexf");

const dir = process.argv[2];
const data = JSON.parse(fs.readFileSync(path.join(dir, "concepts.cyjs"), "utf8"));
const cy = cytoscape({ headless: true, elements: data.elements, layout: { name: "preset" } });
const g = gexf.parse(Graph, fs.readFileSync(path.join(dir, "concepts.gexf"), "utf8"));
const degree = {};
g.forEachEdge((edge, attrs, source, target) => {
  if (attrs.relation === "co_occurs") {
    degree[source] = (degree[source] || 0) + 1;
    degree[target] = (degree[target] || 0) + 1;
  }
});
const placed = g.filterNodes((node, attrs) => typeof attrs.x === "number" && typeof attrs.color === "string");
console.log(JSON.stringify({
  cytoscape: { nodes: cy.nodes().length, edges: cy.edges().length, positioned: cy.nodes().filter(n => n.position("x") !== 0 || n.position("y") !== 0).length },
  graphology: { type: g.type, multi: g.multi, nodes: g.order, edges: g.size, placed: placed.length, degree: degree },
}));
