// Minimal raw Node http pipe proxy to the fake upstream: the physical limit of a Node proxy on this machine.
'use strict';
const http = require('node:http');
const { serveIpc, announce } = require('./ipc');
const { createPipe } = require('./pipe');

const server = http.createServer(createPipe(process.env.UPSTREAM_ORIGIN));
server.keepAliveTimeout = 60_000;
serveIpc();
server.listen(0, '127.0.0.1', () => announce(server));
