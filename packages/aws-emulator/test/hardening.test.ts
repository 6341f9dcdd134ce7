/**
 * The emulator under hostile clients (issue 10): it answers only requests addressed to this
 * machine (DNS rebinding), refuses large bodies without reading them, and keeps a bounded record.
 */
import { request } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_RECORDED_CALLS,
  type Emulator,
  RECORDED_BODY_BYTES,
  startEmulator,
} from "../src/index.ts";

let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator({ logDir: "/nonexistent" });
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => {
  emu.calls.length = 0;
});

interface Answer {
  status: number;
  body: string;
  /** Bytes of the body the client had written when the answer came. */
  written: number;
}

/**
 * POSTs to the emulator: `body` as one string, or `chunks` chunks of `chunk` streamed (no
 * content-length) until the server answers or all are written.
 */
function post(
  opts: { host?: string; body?: string; chunk?: Buffer; chunks?: number; length?: number } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let written = 0;
    let answered = false;
    const headers: Record<string, string> = {
      "x-amz-target": "AmazonAthena.ListWorkGroups",
      "content-type": "application/x-amz-json-1.1",
      host: opts.host ?? `127.0.0.1:${emu.port}`,
    };
    if (opts.length !== undefined) headers["content-length"] = String(opts.length);
    const req = request(
      { host: "127.0.0.1", port: emu.port, method: "POST", path: "/", headers },
      (res) => {
        answered = true;
        let body = "";
        res.on("data", (d) => {
          body += d;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, written }));
      },
    );
    req.on("error", (e) => (answered ? undefined : reject(e)));
    if (opts.body !== undefined) {
      written = Buffer.byteLength(opts.body);
      req.end(opts.body);
      return;
    }
    const chunk = opts.chunk ?? Buffer.alloc(0);
    let left = opts.chunks ?? 0;
    const pump = () => {
      while (left > 0 && !answered) {
        left--;
        written += chunk.length;
        if (!req.write(chunk)) {
          req.once("drain", pump);
          return;
        }
      }
      if (!answered && left === 0) req.end();
    };
    pump();
  });
}

describe("the emulator answers only this machine", () => {
  it("refuses a Host that is not 127.0.0.1 or localhost (DNS rebinding), and records nothing", async () => {
    for (const host of ["evil.example", `evil.example:${emu.port}`, "127.0.0.1.nip.io"]) {
      const a = await post({ host, body: "{}" });
      expect(a.status, host).toBe(403);
      expect(JSON.parse(a.body).__type).toBe("AccessDeniedException");
    }
    expect(emu.calls).toHaveLength(0);
    for (const host of [`127.0.0.1:${emu.port}`, `localhost:${emu.port}`, "localhost"]) {
      expect((await post({ host, body: "{}" })).status, host).not.toBe(403);
    }
    expect(emu.calls).toHaveLength(3);
  });
});

describe("the emulator bounds what it reads and keeps", () => {
  it("refuses a body over the limit by its declared length, before reading it", async () => {
    const a = await post({
      length: 400 * 1024 * 1024,
      chunk: Buffer.alloc(64 * 1024, 32),
      chunks: 1,
    });
    expect(a.status).toBe(413);
    expect(JSON.parse(a.body).__type).toBe("RequestEntityTooLargeException");
    expect(emu.calls).toHaveLength(0);
  });

  it("stops reading a streamed body once it passes the limit", async () => {
    const chunk = Buffer.alloc(64 * 1024, 32); // spaces: valid JSON whitespace, never ends
    const a = await post({ chunk, chunks: 400 }); // 25 MiB offered
    expect(a.status).toBe(413);
    // The answer came while the client was still sending: the body was not read to its end.
    // (How far the client got depends on the machine's load: the refused rest is discarded.)
    expect(a.written).toBeLessThan(400 * chunk.length);
    expect(emu.calls).toHaveLength(0);
    // A body just under the limit is still served.
    const ok = await post({ body: `{${" ".repeat(DEFAULT_MAX_BODY_BYTES - 10)}}` });
    expect(ok.status).not.toBe(413);
  });

  it("keeps the last calls only, and large bodies by their size", async () => {
    for (let i = 0; i < DEFAULT_MAX_RECORDED_CALLS + 20; i++) {
      await post({ body: JSON.stringify({ n: i }) });
    }
    expect(emu.calls).toHaveLength(DEFAULT_MAX_RECORDED_CALLS);
    expect(emu.calls[0]!.body).toEqual({ n: 20 });
    expect(emu.calls.at(-1)!.body).toEqual({ n: DEFAULT_MAX_RECORDED_CALLS + 19 });
    emu.calls.length = 0;
    const big = JSON.stringify({ pad: "x".repeat(RECORDED_BODY_BYTES) });
    await post({ body: big });
    expect(emu.calls[0]!.body).toEqual({ notRecordedBytes: Buffer.byteLength(big) });
  });
});
