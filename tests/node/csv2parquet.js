// SPDX-License-Identifier: MIT
//
// csv2parquet.js — rewrite a CSV / CSV.GZ inventory report (as written by
// `s3inv gen`, AWS's CSV conventions) as the same report in Parquet, with
// AWS's Parquet column names and types, using DuckDB as the writer.
//
//   node tests/node/csv2parquet.js MANIFEST OUTDIR
//        [--codec snappy|zstd|gzip|uncompressed] [--row-group-size N]
//        [--threads N] [--single-file]
//
// For each data file of MANIFEST (found, like duckdb_agg.js, at
// data/<basename> beside the manifest, else <dir>/<key>) it writes
// OUTDIR/data/<basename without .csv[.gz]>.parquet with the rows in the
// same order:
//   - columns come from the manifest's fileSchema and are renamed the way
//     AWS names them in Parquet (Key -> key, IsLatest -> is_latest,
//     LastModifiedDate -> last_modified_date, ...);
//   - keys are form-decoded (replace '+' by ' ', then url_decode), since
//     Parquet keys are raw;
//   - is_* columns become BOOLEAN, size INT64, last_modified_date
//     TIMESTAMP(MILLIS), every other column a STRING; an empty CSV field
//     becomes NULL (except the key: an empty key stays an empty string).
// DuckDB writes every column OPTIONAL (it has no way to write REQUIRED), so
// bucket and key are optional in the files although the manifest's
// fileSchema says required, as AWS's does.
//
// Then OUTDIR/manifest.json: the source manifest's sourceBucket,
// destinationBucket, version and creationTimestamp; fileFormat "Parquet";
// an AWS-style fileSchema message string for the columns present; files[]
// with keys <same folder as the CSV keys>/<name>.parquet, real sizes and
// MD5s. No manifest.checksum is written.
//
// --single-file: all rows in one Parquet file (named after the first data
// file), the CSV files' rows one after the other: a report with fewer files
// than threads.
//
// Prints one line per file written: "<name>.parquet <rows> <row groups>".
//
// --row-group-size N: rows per row group (DuckDB's ROW_GROUP_SIZE; default
// DuckDB's own, 122880). --threads N: DuckDB threads (default: DuckDB's).
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { DuckDBInstance } = require('@duckdb/node-api');

const CODECS = ['snappy', 'zstd', 'gzip', 'uncompressed'];

function usage() {
  process.stderr.write('usage: node csv2parquet.js MANIFEST OUTDIR [--codec snappy|zstd|gzip|uncompressed]' +
    ' [--row-group-size N] [--threads N] [--single-file]\n');
  process.exit(2);
}

function parseArgs(argv) {
  const a = { manifest: null, out: null, codec: 'snappy', rowGroup: 0, threads: 0, single: false };
  const pos = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--codec' && i + 1 < argv.length) a.codec = argv[++i].toLowerCase();
    else if (argv[i] === '--row-group-size' && i + 1 < argv.length) a.rowGroup = parseInt(argv[++i], 10);
    else if (argv[i] === '--threads' && i + 1 < argv.length) a.threads = parseInt(argv[++i], 10);
    else if (argv[i] === '--single-file') a.single = true;
    else if (argv[i].startsWith('--')) usage();
    else pos.push(argv[i]);
  }
  if (pos.length !== 2 || !CODECS.includes(a.codec)) usage();
  if (a.rowGroup < 0 || Number.isNaN(a.rowGroup) || Number.isNaN(a.threads)) usage();
  [a.manifest, a.out] = pos;
  return a;
}

function sqlString(s) {
  return "'" + String(s).replace(/'/g, "''") + "'";
}

function ident(s) {
  return '"' + String(s).replace(/"/g, '""') + '"';
}

// CSV column name -> AWS Parquet column name: IsLatest -> is_latest,
// ETag -> e_tag, LastModifiedDate -> last_modified_date.
function snake(name) {
  const special = { ETag: 'e_tag', VersionId: 'version_id' };
  if (special[name]) return special[name];
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2').toLowerCase();
}

// The SQL expression giving column NAME (a CSV column) its Parquet type,
// and the matching line of the fileSchema message.
function column(name) {
  const c = ident(name);
  const nul = `NULLIF(${c}, '')`;
  const out = snake(name);
  if (name === 'Key')
    return { out, sql: `url_decode(replace(${c}, '+', ' '))`, schema: `required binary ${out} (STRING)` };
  if (name === 'Bucket')
    return { out, sql: c, schema: `required binary ${out} (STRING)` };
  if (name === 'Size')
    return { out, sql: `CAST(${nul} AS BIGINT)`, schema: `optional int64 ${out}` };
  if (name === 'LastModifiedDate')
    return { out, sql: `CAST(CAST(${nul} AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS TIMESTAMP_MS)`,
      schema: `optional int64 ${out} (TIMESTAMP(MILLIS,true))` };
  if (/^Is[A-Z]/.test(name))
    return { out, sql: `CAST(${nul} AS BOOLEAN)`, schema: `optional boolean ${out}` };
  return { out, sql: nul, schema: `optional binary ${out} (STRING)` };
}

function dataFiles(manifestPath, m) {
  const dir = path.dirname(manifestPath);
  return m.files.map((f) => {
    const local = path.join(dir, 'data', path.basename(f.key));
    return fs.existsSync(local) ? local : path.join(dir, f.key);
  });
}

function md5File(p) {
  const h = crypto.createHash('md5');
  const fd = fs.openSync(p, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  let n;
  while ((n = fs.readSync(fd, buf, 0, buf.length, null)) > 0) h.update(buf.subarray(0, n));
  fs.closeSync(fd);
  return h.digest('hex');
}

async function main() {
  const a = parseArgs(process.argv.slice(2));
  const m = JSON.parse(fs.readFileSync(a.manifest, 'utf8'));
  if (String(m.fileFormat).toUpperCase() !== 'CSV') throw new Error(`${a.manifest}: fileFormat is not CSV`);
  const cols = m.fileSchema.split(',').map((s) => s.trim());
  if (!cols.includes('Key')) throw new Error(`${a.manifest}: fileSchema has no Key`);
  const spec = cols.map(column);
  const colSpec = '{' + cols.map((c) => `${sqlString(c)}: 'VARCHAR'`).join(', ') + '}';
  const select = spec.map((s, i) => `${s.sql} AS ${ident(s.out)}`).join(', ');
  const files = dataFiles(a.manifest, m);

  fs.mkdirSync(path.join(a.out, 'data'), { recursive: true });
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  if (a.threads > 0) await conn.run(`SET threads = ${a.threads}`);
  // rows in the CSV file's order
  await conn.run('SET preserve_insertion_order = true');
  const outFiles = [];
  // groups of CSV files, one group per Parquet file
  const groups = a.single ? [files.map((_, i) => i)] : files.map((_, i) => [i]);
  for (const g of groups) {
    const i = g[0];
    const base = path.basename(m.files[i].key).replace(/\.csv(\.gz)?$/i, '') + '.parquet';
    const dst = path.join(a.out, 'data', base);
    const src = `read_csv([${g.map((j) => sqlString(files[j])).join(', ')}], columns = ${colSpec}, header = false, delim = ',', ` +
      `quote = '"', escape = '"', auto_detect = false)`;
    const opts = [`FORMAT parquet`, `COMPRESSION ${a.codec}`];
    if (a.rowGroup > 0) opts.push(`ROW_GROUP_SIZE ${a.rowGroup}`);
    await conn.run(`COPY (SELECT ${select} FROM ${src}) TO ${sqlString(dst)} (${opts.join(', ')})`);
    const meta = await conn.runAndReadAll(`SELECT count(DISTINCT row_group_id)::INT, ` +
      `coalesce(sum(row_group_num_rows) FILTER (WHERE column_id = 0), 0)::BIGINT ` +
      `FROM parquet_metadata(${sqlString(dst)})`);
    const [groups, rows] = meta.getRows()[0];
    process.stdout.write(`${base} ${rows} ${groups}\n`);
    const key = path.posix.join(path.posix.dirname(m.files[i].key), base);
    outFiles.push({ key, size: fs.statSync(dst).size, MD5checksum: md5File(dst) });
  }
  const out = {
    sourceBucket: m.sourceBucket,
    destinationBucket: m.destinationBucket,
    version: m.version,
    creationTimestamp: m.creationTimestamp,
    fileFormat: 'Parquet',
    fileSchema: 'message s3.inventory { ' + spec.map((s) => s.schema + ';').join(' ') + '}',
    files: outFiles,
  };
  fs.writeFileSync(path.join(a.out, 'manifest.json'), JSON.stringify(out, null, 2) + '\n');
}

main().catch((e) => {
  process.stderr.write(`csv2parquet: ${e.message}\n`);
  process.exit(2);
});
