// Validates jambonz documents with @jambonz/verb-specifications, the validator
// the jambonz feature server runs on every verb. One JSON document per line on
// stdin; one line per document on stdout: {"ok": true} or {"ok": false, "error"}.
'use strict';
const readline = require('readline');
const {validate} = require(process.argv[2]);
const logger = {info() {}, debug() {}, warn() {}, error() {}};
const lines = readline.createInterface({input: process.stdin});
lines.on('line', (line) => {
  let answer;
  try {
    validate(logger, JSON.parse(line));
    answer = {ok: true};
  } catch (err) {
    answer = {ok: false, error: String(err && err.message || err)};
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
});
