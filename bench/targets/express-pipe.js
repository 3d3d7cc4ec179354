// The same raw pipe mounted in an Express 5 app at /ai: what any Express middleware pays before doing anything.
'use strict';
const express = require('express');
const { serveIpc, announce } = require('./ipc');
const { createPipe } = require('./pipe');

const app = express();
app.use('/ai', createPipe(process.env.UPSTREAM_ORIGIN));
const server = app.listen(0, '127.0.0.1', () => announce(server));
server.keepAliveTimeout = 60_000;
serveIpc();
