import { Writable } from "node:stream";

/** A writable that keeps what is written; `isTTY` makes it look like a terminal. */
export class CaptureStream extends Writable {
  text = "";
  isTTY: boolean;
  columns = 120;

  constructor(isTTY = false) {
    super();
    this.isTTY = isTTY;
  }

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}
