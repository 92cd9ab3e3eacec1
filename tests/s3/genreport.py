#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# genreport.py — write a small S3 Inventory report (CSV.GZ, AWS layout) for the
# S3 tests, with hostile keys both in the rows and in the data objects' names.
#
#   genreport.py ROOT PREFIX DATE SEED NFILES NROWS [--no-checksum]
#
# Writes ROOT/PREFIX/DATE/manifest.json (+ manifest.checksum) and
# ROOT/PREFIX/data/<names>.csv.gz; prints the data keys, one per line.
import gzip, hashlib, json, os, random, sys, urllib.parse

root, prefix, date, seed, nfiles, nrows = sys.argv[1:7]
seed, nfiles, nrows = int(seed), int(nfiles), int(nrows)
checksum = '--no-checksum' not in sys.argv
rnd = random.Random(seed)
words = ['a', 'logs', 'img', 'x y', 'plus+sign', 'pct%41', 'ünï', '日本', 'eq=1', 'deep']
classes = ['STANDARD', 'GLACIER', 'STANDARD_IA']

def key():
    if rnd.random() < 0.05:
        return rnd.choice(['dir//double', 'trailing/', 'a/b/c/d/e/f/g/h/i/j/k', ' lead', 'x'])
    depth = rnd.randint(1, 5)
    return '/'.join(rnd.choice(words) for _ in range(depth)) + '/f%d.bin' % rnd.randint(0, 999)

lines = []
for i in range(nrows):
    k = key()
    enc = urllib.parse.quote_plus(k, safe='/')
    size = rnd.randint(0, 10**7)
    lines.append('"src-bucket","%s","","true","false","%d","2026-01-01T00:00:00.000Z","e","%s"\n'
                 % (enc, size, rnd.choice(classes)))
names = ['part 0+x=é.csv.gz'] + ['part-%d.csv.gz' % i for i in range(1, nfiles)]
files = []
os.makedirs(os.path.join(root, prefix, 'data'), exist_ok=True)
os.makedirs(os.path.join(root, prefix, date), exist_ok=True)
per = (len(lines) + nfiles - 1) // nfiles
for i, name in enumerate(names):
    data = ''.join(lines[i * per:(i + 1) * per]).encode()
    raw = gzip.compress(data, mtime=0)
    dkey = '%s/data/%s-%s' % (prefix, date, name)
    with open(os.path.join(root, dkey), 'wb') as f:
        f.write(raw)
    files.append({'key': dkey, 'size': len(raw), 'MD5checksum': hashlib.md5(raw).hexdigest()})
    print(dkey)
man = {'sourceBucket': 'src-bucket', 'destinationBucket': 'arn:aws:s3:::inventory',
       'version': '2016-11-30', 'creationTimestamp': '1763773200000', 'fileFormat': 'CSV',
       'fileSchema': 'Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass',
       'files': files}
mj = json.dumps(man, indent=2).encode()
with open(os.path.join(root, prefix, date, 'manifest.json'), 'wb') as f:
    f.write(mj)
if checksum:
    with open(os.path.join(root, prefix, date, 'manifest.checksum'), 'w') as f:
        f.write(hashlib.md5(mj).hexdigest() + '\n')
