import { Writable } from 'node:stream';
import { XLSX_CONTENT_TYPE } from '@spotlight/core';
import type { Response } from 'express';

export class ClientGoneError extends Error {
  override readonly name = 'ClientGoneError';
}

/**
 * Writes the workbook into the response, sending the download headers only
 * with the first byte: until then an error (unknown customer, say) can still
 * become a JSON error response.
 *
 * Once the client is gone, an HTTP response never emits 'drain' again and its
 * writes fail silently, so this sink fails itself instead: on the response's
 * 'close' before it finished, or when the client reads nothing for `stallMs`.
 * That error travels back through the export's pipeline and ends the
 * workbook, the query, the read transaction and the scratch folder at once.
 */
export function responseSink(response: Response, fileName: () => string, stallMs: number): Writable {
  let stall: NodeJS.Timeout | undefined;
  let onDrain: (() => void) | undefined;
  const gone = () =>
    new ClientGoneError('The client closed the connection before the workbook was complete.');
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (response.destroyed) return callback(gone());
      if (!response.headersSent) {
        response.status(200);
        response.setHeader('Content-Type', XLSX_CONTENT_TYPE);
        response.setHeader('Content-Disposition', `attachment; filename="${fileName()}"`);
        response.setHeader('Cache-Control', 'no-store');
      }
      if (response.write(chunk)) return callback();
      onDrain = () => {
        clearTimeout(stall);
        onDrain = undefined;
        callback();
      };
      response.once('drain', onDrain);
      stall = setTimeout(() => response.destroy(), stallMs);
    },
    final(callback) {
      if (response.destroyed) return callback(gone());
      response.end(() => callback());
    },
    destroy(error, callback) {
      clearTimeout(stall);
      if (onDrain) response.off('drain', onDrain);
      response.off('close', onClose);
      callback(error);
    },
  });
  const onClose = () => {
    if (!response.writableFinished) sink.destroy(gone());
  };
  response.on('close', onClose);
  return sink;
}
