// Composes subgraphs with Apollo's own composition and prints the result as JSON:
//   node compose.js subgraphs.json  →  {"supergraphSdl": "..."}  or  {"errors": ["..."]}
// subgraphs.json: [{"name": "...", "url": "...", "sdl": "..."}, ...]
"use strict";
const fs = require("fs");
const { parse } = require("graphql");
const { composeServices } = require("@apollo/composition");

const subgraphs = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const result = composeServices(
  subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })),
);
if (result.errors && result.errors.length) {
  console.log(JSON.stringify({ errors: result.errors.map((e) => e.message) }));
} else {
  const hints = (result.hints || []).map((h) => h.message);
  console.log(JSON.stringify({ supergraphSdl: result.supergraphSdl, hints }));
}
