// SPDX-License-Identifier: MIT
//
// duckdb_parquet.js — DuckDB's all-prefix aggregation over a Parquet
// inventory report (AWS column names), the peer of `s3inv build` in
// bench/bench_parquet.sh. The query is tests/node/duckdb_agg.js's, over
// read_parquet: keys are raw (no URL decoding); a row is current when
// is_latest is true or null and is_delete_marker is not true; per prefix
// ("" and every leading part of a key ending in '/'): objects = count of
// current rows, bytes = their sum(size). Rows are first grouped by folder,
// then each folder's prefixes are expanded once.
//
//   node bench/duckdb_parquet.js MANIFEST [--threads N]
// prints "duckdb: <seconds> s, <prefixes> prefixes, <objects> objects"
// (the aggregation materialised in a table; nothing written out).
'use strict';

const fs = require('fs');
const path = require('path');
const { DuckDBInstance } = require('@duckdb/node-api');

function sqlString(s) {
  return "'" + String(s).replace(/'/g, "''") + "'";
}

async function main() {
  const argv = process.argv.slice(2);
  let manifest = null, threads = 0;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--threads' && i + 1 < argv.length) threads = parseInt(argv[++i], 10);
    else manifest = argv[i];
  }
  if (!manifest) {
    process.stderr.write('usage: node duckdb_parquet.js MANIFEST [--threads N]\n');
    process.exit(2);
  }
  const m = JSON.parse(fs.readFileSync(manifest, 'utf8'));
  const dir = path.dirname(manifest);
  const files = m.files.map((f) => path.join(dir, 'data', path.basename(f.key)));
  const sql = `
    CREATE TABLE agg AS
    WITH r AS (
      SELECT key AS k, size AS sz,
             coalesce(is_latest, true) AND NOT coalesce(is_delete_marker, false) AS cur
      FROM read_parquet([${files.map(sqlString).join(', ')}])
    ), d AS (
      SELECT regexp_extract(k, '^(.*/)', 1) AS dir,
             count(*) FILTER (WHERE cur) AS objects, sum(sz) FILTER (WHERE cur) AS bytes
      FROM r GROUP BY dir
    ), x AS (
      SELECT objects, bytes, unnest(list_prepend('', list_transform(range(1, len(parts)),
               lambda i: array_to_string(parts[1:i], '/') || '/'))) AS prefix
      FROM (SELECT objects, bytes, string_split(dir, '/') AS parts FROM d)
    )
    SELECT prefix, sum(objects)::BIGINT AS objects, coalesce(sum(bytes), 0)::BIGINT AS bytes
    FROM x GROUP BY prefix`;
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  if (threads > 0) await conn.run(`SET threads = ${threads}`);
  const t0 = process.hrtime.bigint();
  await conn.run(sql);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const r = await conn.runAndReadAll(`SELECT count(*)::BIGINT, (SELECT objects FROM agg WHERE prefix = '')::BIGINT FROM agg`);
  const [n, objects] = r.getRows()[0];
  process.stdout.write(`duckdb: ${secs.toFixed(2)} s, ${n} prefixes, ${objects} objects\n`);
}

main().catch((e) => {
  process.stderr.write(`duckdb_parquet: ${e.message}\n`);
  process.exit(2);
});
