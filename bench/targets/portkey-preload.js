// Preloaded (--require) into @portkey-ai/gateway's server: binds it to 127.0.0.1 and speaks the target IPC protocol.
'use strict';
const net = require('node:net');
const { serveIpc, announce } = require('./ipc');

// Portkey's start-server calls serve({ port }) with no hostname, i.e. all interfaces; force loopback.
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function benchLoopbackListen(...args) {
  if (typeof args[0] === 'number' && (args[1] === undefined || typeof args[1] === 'function')) {
    if (args[1] === undefined) args.splice(1, 1);
    args.splice(1, 0, '127.0.0.1');
    this.once('listening', () => announce(this));
  }
  return listen.apply(this, args);
};
// Its banner clears the terminal; keep the orchestrator's output readable.
console.clear = () => {};
serveIpc();
