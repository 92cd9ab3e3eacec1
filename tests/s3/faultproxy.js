// SPDX-License-Identifier: MIT
// faultproxy.js — an HTTP fault injector between s3inv and the test S3 server,
// on loopback. No npm dependencies.
//
//   node faultproxy.js UPSTREAM_PORT PORTFILE SCHEDULE [PATH_REGEX] [STALL_SECONDS]
//
// Requests are forwarded verbatim (method, path, headers including Host, so
// SigV4 signatures made for the proxy's address still verify upstream).
// Requests whose path matches PATH_REGEX (default: every request) take the
// next entry of SCHEDULE, a comma-separated cycle of:
//   ok      forward untouched
//   cut     send the status, headers and half of the body, then drop the connection
//   503     answer 503 with an S3 SlowDown error body
//   500     answer 500 InternalError
//   reset   drop the connection before answering
//   stall   send the headers and a quarter of the body, then go silent for
//           STALL_SECONDS (default 30) before dropping the connection
// The port listened on (an ephemeral one) is written to PORTFILE; counts of
// each fault applied are written to PORTFILE.stats (JSON) after every request.
'use strict';
const http = require('http');
const fs = require('fs');

const [upPort, portFile, schedArg, pathRe, stallArg] = process.argv.slice(2);
if (!upPort || !portFile || !schedArg) {
  console.error('usage: faultproxy.js UPSTREAM_PORT PORTFILE SCHEDULE [PATH_REGEX] [STALL_SECONDS]');
  process.exit(2);
}
const schedule = schedArg.split(',');
const match = new RegExp(pathRe || '.');
const stallMs = (Number(stallArg) || 30) * 1000;
const stats = { requests: 0, matched: 0 };
let n = 0;

function note(kind) {
  stats[kind] = (stats[kind] || 0) + 1;
  fs.writeFileSync(portFile + '.stats', JSON.stringify(stats));
}

function s3error(res, status, code, msg) {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${msg}</Message></Error>`;
  res.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

const server = http.createServer((req, res) => {
  stats.requests++;
  let kind = 'ok';
  if (match.test(req.url)) {
    stats.matched++;
    kind = schedule[n++ % schedule.length];
  }
  note(kind);
  if (kind === '503') return s3error(res, 503, 'SlowDown', 'Please reduce your request rate.');
  if (kind === '500') return s3error(res, 500, 'InternalError', 'We encountered an internal error.');
  if (kind === 'reset') return req.socket.destroy();
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const up = http.request({ host: '127.0.0.1', port: Number(upPort), method: req.method,
      path: req.url, headers: req.headers }, (ur) => {
      const body = [];
      ur.on('data', (c) => body.push(c));
      ur.on('end', () => {
        const b = Buffer.concat(body);
        const cuttable = ur.statusCode >= 200 && ur.statusCode < 300 && b.length >= 2;
        res.writeHead(ur.statusCode, ur.headers);
        if (kind === 'cut' && cuttable) {
          res.write(b.subarray(0, b.length >> 1), () => setTimeout(() => req.socket.destroy(), 20));
        } else if (kind === 'stall' && cuttable) {
          res.write(b.subarray(0, b.length >> 2));
          const t = setTimeout(() => req.socket.destroy(), stallMs);
          req.socket.on('close', () => clearTimeout(t));
        } else {
          res.end(b);
        }
      });
    });
    up.on('error', () => req.socket.destroy());
    up.end(Buffer.concat(chunks));
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => {
  fs.writeFileSync(portFile + '.tmp', String(server.address().port));
  fs.renameSync(portFile + '.tmp', portFile);
});
