/**
 * A minimal WebSocket server (RFC 6455: handshake, masked client frames, text/ping/pong/close) standing in for
 * Slack's Socket Mode endpoint: it greets with `hello`, sends envelopes and collects the app's acknowledgements.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export interface Received {
  data: Record<string, unknown>;
  wall: number;
}

function frame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  let head: Buffer;
  if (len < 126) head = Buffer.from([0x80 | opcode, len]);
  else if (len < 65536) {
    head = Buffer.alloc(4);
    head[0] = 0x80 | opcode;
    head[1] = 126;
    head.writeUInt16BE(len, 2);
  } else {
    head = Buffer.alloc(10);
    head[0] = 0x80 | opcode;
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(len), 2);
  }
  return Buffer.concat([head, payload]);
}

export class FakeSocketModeServer {
  readonly received: Received[] = [];
  private server: Server | undefined;
  private socket: Socket | undefined;
  private buffer = Buffer.alloc(0);
  private connectedResolve: (() => void) | undefined;
  readonly connected = new Promise<void>((resolve) => {
    this.connectedResolve = resolve;
  });
  url = '';

  async start(): Promise<this> {
    this.server = createServer((_req, res) => {
      res.writeHead(426);
      res.end();
    });
    this.server.on('upgrade', (req, socket: Socket) => {
      const key = req.headers['sec-websocket-key'];
      const accept = createHash('sha1').update(`${key}${GUID}`).digest('base64');
      socket.write(
        [
          'HTTP/1.1 101 Switching Protocols',
          'Upgrade: websocket',
          'Connection: Upgrade',
          `Sec-WebSocket-Accept: ${accept}`,
          '',
          '',
        ].join('\r\n'),
      );
      this.socket = socket;
      socket.on('data', (d: Buffer) => this.onData(d));
      socket.on('error', () => {});
      this.sendJson({
        type: 'hello',
        num_connections: 1,
        debug_info: { host: 'applink-test', approximate_connection_time: 18060 },
        connection_info: { app_id: 'A0ECSPULL' },
      });
      this.connectedResolve?.();
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/link/?ticket=test`;
    return this;
  }

  sendJson(value: unknown): void {
    this.socket?.write(frame(0x1, Buffer.from(JSON.stringify(value), 'utf8')));
  }

  async stop(): Promise<void> {
    this.socket?.destroy();
    await new Promise<void>((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }

  private onData(d: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, d]);
    for (;;) {
      if (this.buffer.length < 2) return;
      const b0 = this.buffer[0]!;
      const b1 = this.buffer[1]!;
      const opcode = b0 & 0x0f;
      const masked = (b1 & 0x80) !== 0;
      let len = b1 & 0x7f;
      let offset = 2;
      if (len === 126) {
        if (this.buffer.length < 4) return;
        len = this.buffer.readUInt16BE(2);
        offset = 4;
      } else if (len === 127) {
        if (this.buffer.length < 10) return;
        len = Number(this.buffer.readBigUInt64BE(2));
        offset = 10;
      }
      const maskLen = masked ? 4 : 0;
      if (this.buffer.length < offset + maskLen + len) return;
      const mask = masked ? this.buffer.subarray(offset, offset + 4) : undefined;
      const payload = Buffer.from(this.buffer.subarray(offset + maskLen, offset + maskLen + len));
      if (mask) for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ mask[i % 4]!;
      this.buffer = this.buffer.subarray(offset + maskLen + len);
      if (opcode === 0x1) {
        this.received.push({ data: JSON.parse(payload.toString('utf8')), wall: Date.now() });
      } else if (opcode === 0x9) {
        this.socket?.write(frame(0xa, payload));
      } else if (opcode === 0x8) {
        this.socket?.write(frame(0x8, payload.subarray(0, 2)));
        this.socket?.end();
      }
    }
  }
}
