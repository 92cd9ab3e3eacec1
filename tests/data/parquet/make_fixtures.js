#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// make_fixtures.js — writes the Parquet fixtures of tests/unit/format/test_parquet.c
// with DuckDB (a real Parquet writer), and next to each one the expected rows
// as TSV, read back from the file by DuckDB (an independent reader).
//
// Run from the repo root:
//   NODE_PATH=tests/node/node_modules node tests/data/parquet/make_fixtures.js
// (or from tests/node). Deterministic: same DuckDB version, same bytes.
//
// TSV columns: key_hex  size  storage_class  tier  is_latest  is_delete_marker
//              last_modified_ms     (\N = null; booleans as 0/1)
'use strict';
const path = require('path');
const fs = require('fs');
const zlib = require('zlib');
const duckdb = require('@duckdb/node-api');

const OUT = __dirname;

// ---- rows -----------------------------------------------------------------
let seed = 12345;
function rnd(n) { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; }

const HOSTILE = [
  '', 'a', 'a/', 'a//b', '//', 'trailing/', '/leading', 'dir/sub/file.txt',
  'plus+sign', 'space key', '100%25', '%', '%2F', 'a+b%20c/d',
  'ünïcødé/日本語/ファイル.txt', 'emoji/😀/x', 'tab\there', 'new\nline',
  'quote"s/and\'single', 'back\\slash', 'a/b/c/d/e/f/g/h/i/j/k/l/m/deep',
  'x'.repeat(1024), 'dup', 'dup',
];
const CLASSES = ['STANDARD', 'STANDARD_IA', 'GLACIER', 'INTELLIGENT_TIERING', 'DEEP_ARCHIVE', 'ONEZONE_IA'];
const TIERS = ['FREQUENT', 'INFREQUENT', 'ARCHIVE_INSTANT_ACCESS'];

function makeRows(n, small) {
  const rows = [];
  for (let i = 0; i < n; i++) {
    const key = i < HOSTILE.length ? HOSTILE[i]
      : `p${rnd(7)}/d${rnd(13)}/${rnd(3) ? 'file' : 'obj'}${i}.bin`;
    const dm = rnd(11) === 0;
    const cls = rnd(17) === 0 ? null : CLASSES[rnd(CLASSES.length)];
    const r = {
      key,
      is_latest: rnd(13) === 0 ? null : rnd(5) !== 0,
      is_delete_marker: rnd(19) === 0 ? null : dm,
      size: dm || rnd(23) === 0 ? null : (rnd(9) === 0 ? 0 : small ? rnd(1000) : rnd(1 << 30) * (rnd(3) ? 1 : 4096)),
      // ms since the epoch, a few before 1970, one null in ~29
      lm: rnd(29) === 0 ? null : (rnd(41) === 0 ? -86400000 * (1 + rnd(3000)) : 1.5e12 + (small ? rnd(100) * 1000 : rnd(1e9) * 97)),
      etag: rnd(2) ? 'd41d8cd98f00b204e9800998ecf8427e' : null,
      storage_class: cls,
      tier: cls === 'INTELLIGENT_TIERING' ? TIERS[rnd(TIERS.length)] : null,
    };
    rows.push(r);
  }
  return rows;
}

function q(s) { return s === null ? 'NULL' : `'${s.replace(/'/g, "''")}'`; }
function b(v) { return v === null ? 'NULL' : (v ? 'true' : 'false'); }

// tsType: DuckDB type used for last_modified_date
async function makeTable(c, name, rows, opts = {}) {
  const ts = opts.tsType || 'TIMESTAMP_MS';
  const cols = opts.cols || ['bucket', 'key', 'is_latest', 'is_delete_marker', 'size',
    'last_modified_date', 'e_tag', 'storage_class', 'intelligent_tiering_access_tier'];
  const types = {
    bucket: 'VARCHAR', key: 'VARCHAR', is_latest: 'BOOLEAN', is_delete_marker: 'BOOLEAN',
    size: 'BIGINT', last_modified_date: ts, e_tag: 'VARCHAR', storage_class: 'VARCHAR',
    intelligent_tiering_access_tier: 'VARCHAR', meta: 'STRUCT(a INTEGER, b VARCHAR)',
  };
  const rename = opts.rename || {};
  await c.run(`DROP TABLE IF EXISTS ${name}`);
  await c.run(`CREATE TABLE ${name} (${cols.map((k) => `"${rename[k] || k}" ${types[k]}`).join(', ')})`);
  const val = (r, k) => {
    switch (k) {
      case 'bucket': return q('my-bucket');
      case 'key': return q(r.key);
      case 'is_latest': return b(r.is_latest);
      case 'is_delete_marker': return b(r.is_delete_marker);
      case 'size': return r.size === null ? 'NULL' : String(r.size);
      case 'last_modified_date': {
        if (r.lm === null) return 'NULL';
        const extra = opts.subms ? ` + INTERVAL ${rnd(999)} MICROSECOND` : '';
        return `CAST(make_timestamp(${Math.round(r.lm)}::BIGINT * 1000)${extra} AS ${ts})`;
      }
      case 'e_tag': return q(r.etag);
      case 'storage_class': return q(r.storage_class);
      case 'intelligent_tiering_access_tier': return q(r.tier);
      case 'meta': return `{'a': 1, 'b': 'x'}`;
    }
    throw new Error(k);
  };
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    if (!chunk.length) break;
    await c.run(`INSERT INTO ${name} VALUES ${chunk.map((r) => `(${cols.map((k) => val(r, k)).join(', ')})`).join(',\n')}`);
  }
}

const expected = {};
async function expectTsv(c, file, opts = {}) {
  const has = async (col) => (await c.runAndReadAll(
    `SELECT count(*) FROM parquet_schema('${file}') WHERE lower(name) = '${col}'`)).getRows()[0][0] > 0n;
  const e = (col, expr) => expr;
  const cols = [];
  cols.push(`hex("${opts.keyName || 'key'}")`);
  cols.push((await has('size')) ? `"${opts.sizeName || 'size'}"::VARCHAR` : `NULL`);
  cols.push((await has('storage_class')) ? 'storage_class' : 'NULL');
  cols.push((await has('intelligent_tiering_access_tier')) ? 'intelligent_tiering_access_tier' : 'NULL');
  cols.push((await has('is_latest')) ? 'is_latest::INT' : 'NULL');
  cols.push((await has('is_delete_marker')) ? 'is_delete_marker::INT' : 'NULL');
  // ms since the epoch, floored (DuckDB's epoch_ms truncates toward zero)
  const ns = 'epoch_ns(last_modified_date)';
  cols.push((await has('last_modified_date'))
    ? `(${ns} - ((${ns} % 1000000) + 1000000) % 1000000) // 1000000` : 'NULL');
  void e;
  const res = await c.runAndReadAll(`SELECT ${cols.join(', ')} FROM read_parquet('${file}')`);
  const lines = res.getRows().map((r) => r.map((v) => (v === null ? '\\N' : String(v))).join('\t'));
  const text = lines.map((l) => l + '\n').join('');
  // fixtures with the same rows share one expected file (checked equal here)
  const tsv = path.join(OUT, (opts.tsv || path.basename(file, '.parquet')) + '.tsv.gz');
  if (opts.tsv && expected[opts.tsv] !== undefined) {
    if (expected[opts.tsv] !== text) throw new Error(`${file}: DuckDB reads different rows`);
  } else {
    expected[opts.tsv] = text;
    fs.writeFileSync(tsv, zlib.gzipSync(text, { level: 9, mtime: 0 }));
  }
  return lines.length;
}

async function main() {
  const inst = await duckdb.DuckDBInstance.create(':memory:');
  const c = await inst.connect();
  await c.run('SET threads = 1'); // deterministic row order and bytes
  const rows = makeRows(160);
  await makeTable(c, 't', rows);
  const made = [];
  const copy = async (table, name, opts, xopts) => {
    const file = path.join(OUT, name + '.parquet');
    await c.run(`COPY ${table} TO '${file}' (FORMAT parquet${opts ? ', ' + opts : ''})`);
    made.push([name, await expectTsv(c, file, xopts || {})]);
  };
  // every codec x page version, dictionary on
  for (const codec of ['uncompressed', 'snappy', 'gzip', 'zstd', 'lz4_raw']) {
    await copy('t', `v1_${codec}`, `COMPRESSION '${codec}'`, { tsv: 'rows160' });
    await copy('t', `v2_${codec}`, `COMPRESSION '${codec}', PARQUET_VERSION V2`, { tsv: 'rows160' });
  }
  // dictionary off (strings plain / delta)
  await copy('t', 'v1_nodict', `COMPRESSION 'snappy', STRING_DICTIONARY_PAGE_SIZE_LIMIT 1`, { tsv: 'rows160' });
  await copy('t', 'v2_nodict', `COMPRESSION 'zstd', PARQUET_VERSION V2, STRING_DICTIONARY_PAGE_SIZE_LIMIT 1`, { tsv: 'rows160' });
  // several row groups (DuckDB's minimum row group is 2048 rows) and small pages
  const many = makeRows(4200, true); // keeps the expected TSV small
  await makeTable(c, 'many', many);
  await copy('many', 'multi_rg', `COMPRESSION 'zstd', ROW_GROUP_SIZE 2048`);
  // zero rows
  await c.run('CREATE TABLE empty AS SELECT * FROM t LIMIT 0');
  await copy('empty', 'empty', `COMPRESSION 'snappy'`);
  // AWS's minimal schema: no size, no versions, no class
  await makeTable(c, 'nosize', rows, { cols: ['bucket', 'key', 'last_modified_date', 'e_tag'] });
  await copy('nosize', 'nosize', `COMPRESSION 'snappy'`);
  // timestamps in micro- and nanoseconds (sub-millisecond parts)
  await makeTable(c, 'us', rows, { tsType: 'TIMESTAMP', subms: true });
  await copy('us', 'ts_micros', `COMPRESSION 'snappy'`);
  await makeTable(c, 'ns', rows, { tsType: 'TIMESTAMP_NS', subms: true });
  await copy('ns', 'ts_nanos', `COMPRESSION 'snappy', PARQUET_VERSION V2`);
  // column names in other cases, and a nested column before the key
  await makeTable(c, 'upper', rows, {
    cols: ['bucket', 'meta', 'key', 'size', 'storage_class', 'is_latest'],
    rename: { key: 'Key', size: 'SIZE', storage_class: 'Storage_Class' },
  });
  await copy('upper', 'upper_nested', `COMPRESSION 'snappy'`, { keyName: 'Key', sizeName: 'SIZE' });
  // no key column at all (an error)
  await c.run(`COPY (SELECT 'b' AS bucket, 'x' AS name, 1::BIGINT AS size) TO '${path.join(OUT, 'nokey.parquet')}' (FORMAT parquet)`);
  made.push(['nokey', '-']);
  for (const [n, k] of made) console.log(`${n}.parquet\t${k} rows`);
}

main().catch((e) => { console.error(e); process.exit(1); });
