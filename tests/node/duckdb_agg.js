// SPDX-License-Identifier: MIT
//
// duckdb_agg.js — DuckDB as an independent peer: the same all-prefix
// aggregation s3inv computes, over a local CSV / CSV.GZ inventory report.
//
// Reads the manifest (fileSchema gives the columns, files[].key the data
// files, found at data/<basename> beside the manifest, else <dir>/<key>),
// scans them with read_csv (explicit all-VARCHAR columns, no header,
// '"'-quoted), form-decodes keys (replace '+' by ' ', then url_decode),
// unnests "" plus every leading part of the key ending in '/', and groups
// by prefix: objects = count, bytes = sum(Size) of the current
// non-delete-marker rows (IsLatest true or absent, IsDeleteMarker not
// true). Like tests/ref, a prefix reached only by non-current versions or
// delete markers is listed with 0 objects.
//
// usage: node tests/node/duckdb_agg.js MANIFEST [--out FILE.tsv] [--timing]
//          [--threads N]
//   --out FILE   write "prefix<TAB>objects<TAB>bytes" lines sorted by prefix
//                (byte order) — the format of tests/ref/tool/refdump
//   --timing     print "duckdb: <seconds> s, <prefixes> prefixes, <objects>
//                objects" (the aggregation materialised, nothing written)
// Without --out or --timing the TSV goes to stdout.
'use strict';

const fs = require('fs');
const path = require('path');
const { DuckDBInstance } = require('@duckdb/node-api');

function usage() {
  process.stderr.write('usage: node duckdb_agg.js MANIFEST [--out FILE.tsv] [--timing] [--threads N]\n');
  process.exit(2);
}

function sqlString(s) {
  return "'" + String(s).replace(/'/g, "''") + "'";
}

function parseArgs(argv) {
  const a = { manifest: null, out: null, timing: false, threads: 0 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out' && i + 1 < argv.length) a.out = argv[++i];
    else if (argv[i] === '--timing') a.timing = true;
    else if (argv[i] === '--threads' && i + 1 < argv.length) a.threads = parseInt(argv[++i], 10);
    else if (argv[i].startsWith('--')) usage();
    else a.manifest = argv[i];
  }
  if (!a.manifest) usage();
  return a;
}

function dataFiles(manifestPath, m) {
  const dir = path.dirname(manifestPath);
  return m.files.map((f) => {
    const local = path.join(dir, 'data', path.basename(f.key));
    return fs.existsSync(local) ? local : path.join(dir, f.key);
  });
}

function buildSql(manifestPath) {
  const m = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  if (String(m.fileFormat).toUpperCase() !== 'CSV') throw new Error('fileFormat is not CSV');
  const cols = m.fileSchema.split(',').map((s) => s.trim());
  if (!cols.includes('Key')) throw new Error('fileSchema has no Key');
  const files = dataFiles(manifestPath, m);
  const colSpec = '{' + cols.map((c) => `${sqlString(c)}: 'VARCHAR'`).join(', ') + '}';
  const where = [];
  if (cols.includes('IsLatest')) where.push(`(IsLatest IS NULL OR lower(IsLatest) = 'true')`);
  if (cols.includes('IsDeleteMarker')) where.push(`(IsDeleteMarker IS NULL OR lower(IsDeleteMarker) <> 'true')`);
  const size = cols.includes('Size') ? `CAST(NULLIF(Size, '') AS BIGINT)` : '0';
  const src = `read_csv([${files.map(sqlString).join(', ')}], columns = ${colSpec}, header = false, ` +
    `delim = ',', quote = '"', escape = '"', auto_detect = false)`;
  // Two steps, as a careful SQL user would write it: first group rows by
  // their folder (the key up to its last '/'), then expand each folder's
  // prefixes once — far fewer unnests than one per row.
  return `
    CREATE TABLE agg AS
    WITH r AS (
      SELECT url_decode(replace(Key, '+', ' ')) AS k, ${size} AS sz,
             ${where.length ? where.join(' AND ') : 'true'} AS cur
      FROM ${src}
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
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const sql = buildSql(args.manifest);
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  if (args.threads > 0) await conn.run(`SET threads = ${args.threads}`);
  const t0 = process.hrtime.bigint();
  await conn.run(sql);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (args.timing) {
    const r = await conn.runAndReadAll(`SELECT count(*)::BIGINT, (SELECT objects FROM agg WHERE prefix = '')::BIGINT FROM agg`);
    const [n, objects] = r.getRows()[0];
    process.stdout.write(`duckdb: ${secs.toFixed(2)} s, ${n} prefixes, ${objects} objects\n`);
    if (!args.out) return;
  }
  const out = args.out ? fs.openSync(args.out, 'w') : 1;
  const result = await conn.stream('SELECT prefix, objects, bytes FROM agg ORDER BY prefix');
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const lines = chunk.getRows().map(([p, o, b]) => `${p}\t${o}\t${b}\n`);
    fs.writeSync(out, lines.join(''));
  }
  if (args.out) fs.closeSync(out);
}

main().catch((e) => {
  process.stderr.write(`duckdb_agg: ${e.message}\n`);
  process.exit(2);
});
