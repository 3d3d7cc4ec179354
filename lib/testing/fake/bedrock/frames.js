// Bedrock's event-stream frames, encoded with the AWS codec: a chunk carrying one Anthropic event, or an exception.
'use strict';

const { EventStreamCodec } = require('@smithy/core/event-streams');

const fromUtf8 = (text) => Buffer.from(text, 'utf8');
const toUtf8 = (bytes) => (typeof bytes === 'string' ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'));
const codec = new EventStreamCodec(toUtf8, fromUtf8);
const str = (value) => ({ type: 'string', value });

/** A `chunk` event whose `bytes` is the base64 of `eventJson` (an Anthropic stream event), padded like Bedrock's `p`. */
function chunkFrame(eventJson) {
  const body = JSON.stringify({ bytes: Buffer.from(eventJson, 'utf8').toString('base64'), p: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJ'.slice(0, 1 + (eventJson.length % 30)) });
  return Buffer.from(codec.encode({
    headers: { ':event-type': str('chunk'), ':content-type': str('application/json'), ':message-type': str('event') },
    body: fromUtf8(body),
  }));
}

/** An exception frame (`throttlingException`, `modelStreamErrorException`, …) with Bedrock's `{"message"}` body. */
function exceptionFrame(type, message) {
  return Buffer.from(codec.encode({
    headers: { ':exception-type': str(type), ':content-type': str('application/json'), ':message-type': str('exception') },
    body: fromUtf8(JSON.stringify({ message })),
  }));
}

/** `message_stop` as Bedrock sends it: with its invocation metrics appended (Anthropic's own has none). */
function withInvocationMetrics(eventJson, usage) {
  const metrics = { inputTokenCount: usage.input, outputTokenCount: usage.output, invocationLatency: 321, firstByteLatency: 123 };
  const at = eventJson.lastIndexOf('}');
  return `${eventJson.slice(0, at)},"amazon-bedrock-invocationMetrics":${JSON.stringify(metrics)}${eventJson.slice(at)}`;
}

module.exports = { chunkFrame, exceptionFrame, withInvocationMetrics };
