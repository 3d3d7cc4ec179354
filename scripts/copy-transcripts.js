// Build step after tsc: copies the fake upstream's transcripts (data, not code, so tsc leaves them) into dist/testing.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const from = path.join(root, 'lib', 'testing', 'fake', 'transcripts');
const to = path.join(root, 'dist', 'testing', 'fake', 'transcripts');
fs.rmSync(to, { recursive: true, force: true });
fs.cpSync(from, to, { recursive: true });
